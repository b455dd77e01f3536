"""Background tasks (django-tasks); a scheduler enqueues them (docs/operations.md)."""

from django_tasks import task


@task()
def certificates_check() -> dict:
    """Daily: certificate expiry and review warnings, each told once."""
    from .training_jobs import certificates_check_run

    return certificates_check_run()

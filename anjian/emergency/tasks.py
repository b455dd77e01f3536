"""Background tasks (django-tasks); a scheduler enqueues them (docs/operations.md)."""

from django_tasks import task


@task()
def supplies_check() -> dict:
    """Daily: expiry, shortage and state warnings of emergency supplies, each told once."""
    from .resource_jobs import supplies_check_run

    return supplies_check_run()

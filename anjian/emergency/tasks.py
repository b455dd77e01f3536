"""Background tasks (django-tasks); a scheduler enqueues them (docs/operations.md)."""

from django_tasks import task


@task()
def supplies_check() -> dict:
    """Daily: expiry, shortage and state warnings of emergency supplies, each told once."""
    from .resource_jobs import supplies_check_run

    return supplies_check_run()


@task()
def plans_due() -> dict:
    """Daily: deemed filing of unanswered plans, and the filing and evaluation reminders."""
    from .plan_jobs import plans_due_run

    return plans_due_run()

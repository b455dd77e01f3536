"""Background tasks (django-tasks); a scheduler enqueues them (docs/operations.md)."""

from django_tasks import task


@task()
def public_reports_due() -> dict:
    """Daily: reminders 7 days before a report's deadline, overdue flags (idempotent)."""
    from .report_jobs import reports_due

    return reports_due()

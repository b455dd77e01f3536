"""Background tasks of the core (django-tasks). The worker (`anjian manage db_worker`) runs
them; cron or a scheduler enqueues them (docs/operations.md, Scheduled jobs)."""

from django_tasks import task


@task()
def audit_checkpoint() -> dict:
    """Daily: a signed checkpoint of the audit chain's head, written outside the database;
    writes nothing when no row was added since the last one."""
    from .audit import audit_checkpoint as write

    return write(kind="scheduled")

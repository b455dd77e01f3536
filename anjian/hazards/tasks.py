"""Background tasks of the hazard loop (django-tasks). The worker (`anjian manage
db_worker`) runs them; cron or a scheduler enqueues them."""

from django_tasks import task


@task()
def sample_rechecks() -> dict:
    """Monthly re-check sampling (回头看); idempotent per county and month."""
    from .recheck_jobs import recheck_sample_run

    return recheck_sample_run()


@task()
def hazard_deadlines() -> dict:
    """Daily: deadline reminders, overdue marking and escalation; idempotent per day."""
    from .jobs import hazard_deadlines_run

    return hazard_deadlines_run()

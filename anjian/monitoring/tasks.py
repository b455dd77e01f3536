"""Background tasks of monitoring (django-tasks). The worker (`anjian manage db_worker`)
runs them; cron or a scheduler enqueues `monitoring_jobs` every minute."""

from django_tasks import task


@task()
def monitoring_jobs() -> dict:
    """Offline detection, escalation of unacknowledged alarms, alarm → hazard; idempotent."""
    from .jobs import monitoring_jobs_run

    return monitoring_jobs_run()

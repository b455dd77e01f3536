"""Background tasks (django-tasks). The worker (`anjian manage db_worker`) runs them;
cron or a scheduler enqueues `recompute_safety_codes` daily."""

from django_tasks import task

from .services import safety_codes_recompute_all


@task()
def recompute_safety_codes(trigger: str = "schedule") -> dict[str, int]:
    return safety_codes_recompute_all(trigger=trigger)

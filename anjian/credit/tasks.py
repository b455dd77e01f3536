"""Background tasks (django-tasks): cron or a scheduler enqueues `evaluate_credit` daily."""

from django_tasks import task

from .services import credit_evaluate


@task()
def evaluate_credit() -> dict[str, int]:
    return credit_evaluate()

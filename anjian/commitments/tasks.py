"""Background tasks (django-tasks): a scheduler enqueues `flag_missing_commitments` after
10:00 every day (running it again the same day changes nothing)."""

from django_tasks import task

from .services import commitments_flag_missing


@task()
def flag_missing_commitments() -> dict[str, int]:
    return commitments_flag_missing()

"""Background tasks (django-tasks): a scheduler enqueues `mark_missed` every 15 minutes
(running it again changes nothing until another period ends)."""

from django_tasks import task


@task()
def mark_missed() -> dict[str, int]:
    from .jobs import mark_missed_run

    return mark_missed_run()

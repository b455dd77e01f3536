"""Background tasks (django-tasks). A scheduler enqueues `remind_dispatch` daily."""

from django_tasks import task

from .reminders import dispatch_remind


@task()
def remind_dispatch() -> dict:
    return dispatch_remind()

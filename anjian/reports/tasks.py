"""Background tasks (django-tasks). A scheduler enqueues `remind_statements` daily."""

from django_tasks import task

from .reminders import statements_remind


@task()
def remind_statements() -> dict:
    return statements_remind()

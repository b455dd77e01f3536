"""Background tasks (django-tasks). A scheduler enqueues `remind_statements` daily."""

from django_tasks import task

from .reminders import statements_remind


@task()
def remind_statements() -> dict:
    return statements_remind()


@task()
def hazard_tally_repair() -> dict:
    """Nightly: the hazard rollup against a full recount, rewritten when they differ."""
    from .tally_services import hazard_tally_rebuild

    return hazard_tally_rebuild()

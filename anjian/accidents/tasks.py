"""Background tasks (django-tasks); a scheduler enqueues them (docs/operations.md)."""

from django_tasks import task


@task()
def accident_tally_repair() -> dict:
    """Nightly: the accident rollup against a full recount, rewritten when they differ."""
    from .tally_services import accident_tally_rebuild

    return accident_tally_rebuild()

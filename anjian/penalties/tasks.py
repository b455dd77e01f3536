"""Background tasks (django-tasks): a scheduler enqueues `expire` daily (running it again
changes nothing)."""

from django_tasks import task


@task()
def expire() -> dict[str, int]:
    from .jobs import expire_listings_run

    return expire_listings_run()

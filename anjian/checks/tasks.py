"""Background tasks (django-tasks): a scheduler enqueues `mark_missed` every 15 minutes
(running it again changes nothing until another period ends) and `authenticity` once a
night (a second run on the same day returns that day's run)."""

from django_tasks import task


@task()
def mark_missed() -> dict[str, int]:
    from .jobs import mark_missed_run

    return mark_missed_run()


@task()
def authenticity() -> dict[str, int]:
    from .scoring import authenticity_run

    run, created = authenticity_run()
    return {"run": run.pk, "created": int(created), "flagged": run.flagged_enterprises}

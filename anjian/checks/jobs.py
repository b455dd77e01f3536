"""The self-check job (run from cron or enqueued as the django-tasks task
`anjian.checks.tasks.mark_missed`, e.g. every 15 minutes: hourly tasks have hourly
periods):

* missed — `mark_missed_run`: every active check task whose next_due has passed gets its
  ended periods without a submitted record marked missed, and next_due moves to the end
  of the first period not yet over (anjian.checks.services.check_mark_missed). A conditional
  update on next_due decides which run does it, so running twice, or on two workers at
  once, marks each period once.

Each task commits on its own with its audit entry; a failure on one task is logged and
the others go on.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Q
from django.utils import timezone

from anjian.risks.models import CheckTask

from .services import check_mark_missed

logger = logging.getLogger(__name__)


def mark_missed_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Mark the missed periods of every active task that is due; counts of tasks seen,
    records marked and failures."""
    now = now or timezone.now()
    # Ids first: each task then commits on its own, with no cursor held open across them.
    due = list(
        CheckTask.objects.filter(active=True)
        .filter(Q(next_due__lte=now) | Q(next_due__isnull=True))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    out = {"tasks": 0, "missed": 0, "failed": 0}
    for task_id in due:
        out["tasks"] += 1
        try:
            out["missed"] += len(check_mark_missed(task_id=task_id, now=now))
        except Exception:
            logger.exception("marking the missed checks of task %s failed", task_id)
            out["failed"] += 1
    return out

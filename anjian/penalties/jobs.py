"""The listing expiry job (cron, or the django-tasks task `anjian.penalties.tasks.expire`,
daily): every published listing whose period is over (untrustworthy.expired: the day
after its last day) is removed by `listing_apply(action=expire)` for its department.
Running it again finds nothing more to do; each listing commits on its own, and one that
someone else changed meanwhile is skipped (the step is then illegal or the guard fails)."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from anjian.core.audit import Actor
from anjian.core.errors import ServiceError
from anjian.inspections import untrustworthy as ut

from .models import PUBLIC_STATES, Listing
from .services import listing_apply

logger = logging.getLogger(__name__)


def expire_listings_run(*, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    due = list(
        Listing.objects.filter(state__in=PUBLIC_STATES, ends_on__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    actor = Actor.system("job", "listing-expiry")
    out = {"due": len(due), "expired": 0, "skipped": 0}
    for listing_id in due:
        try:
            listing_apply(actor=actor, listing_id=listing_id, action=ut.EXPIRE, today=today)
            out["expired"] += 1
        except ServiceError:
            logger.info("listing %s not expired (changed meanwhile)", listing_id)
            out["skipped"] += 1
    return out

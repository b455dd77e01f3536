"""The --date option of the daily jobs' commands."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone

from anjian.hazards.services import EARLIEST_DATE, latest_deadline


def run_date(text: str) -> dt.date:
    """--date within the days a deadline can lie on (catch-up runs and rehearsals); a
    date such as 9999-12-31 would only overflow the date arithmetic of the rules."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise CommandError(f"--date: not a date (YYYY-MM-DD): {text!r}") from exc
    latest = latest_deadline(timezone.localdate())
    if not EARLIEST_DATE <= day <= latest:
        raise CommandError(
            f"--date: must lie between {EARLIEST_DATE.isoformat()} and {latest.isoformat()}"
        )
    return day

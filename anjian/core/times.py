"""Times that users and machines give to filter by."""

from __future__ import annotations

import datetime as dt

# A filter time outside these years is a typing error, and some cannot reach the database
# at all (PostgreSQL refuses UTC offsets beyond ±15:59; year 1 moved to UTC leaves the range
# Python keeps).
EARLIEST_YEAR = 1900
LATEST_YEAR = 9998


def utc_instant(value: dt.datetime) -> dt.datetime | None:
    """The same instant in UTC, or None when it has no UTC offset or lies outside
    EARLIEST_YEAR..LATEST_YEAR."""
    if value.tzinfo is None or value.utcoffset() is None:
        return None
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return None
    return value.astimezone(dt.UTC)

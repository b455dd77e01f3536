"""The due periods of a check task (隐患排查任务 t_yhpcrwxx: CHECK_CYCLE + CHECK_CYCLE_UNIT).
Pure: no Django.

A task with cycle N of a unit is due once in every period of N units, on the local
calendar (Asia/Shanghai unless told otherwise):

* hour  — N-hour blocks counted from local midnight of 2000-01-01, so 8 hours gives the
  shifts 00–08, 08–16, 16–24 (any N dividing 24 lines up with the day);
* day   — N-day blocks of local days counted from 2000-01-01 (N = 1: each calendar day);
* week  — N-week blocks of Monday-to-Sunday weeks counted from Monday 2000-01-03;
* month — N-month blocks counted from January 2000 (3: quarters, 6: half years);
* year  — N-year blocks counted from 2000.

Periods are half-open [start, end): a check submitted at `end` or later is late. The
anchor is fixed (not the task's creation) so that everyone computing a task's periods,
on any day, gets the same ones, and a check record's period is a key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"
UNITS = ("hour", "day", "week", "month", "year")
ON_TIME = "on_time"
LATE = "late"

_EPOCH_DAY = dt.date(2000, 1, 1)
_EPOCH_MONDAY = dt.date(2000, 1, 3)


@dataclass(frozen=True, order=True)
class Period:
    """[start, end) as aware datetimes in the periods' time zone."""

    start: dt.datetime
    end: dt.datetime

    def contains(self, at: dt.datetime) -> bool:
        return self.start <= at < self.end


def _zone(tz: str | dt.tzinfo) -> dt.tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _check(cycle: int, unit: str) -> None:
    if unit not in UNITS:
        raise ValueError(f"unknown cycle unit {unit!r}; one of {', '.join(UNITS)}")
    if isinstance(cycle, bool) or not isinstance(cycle, int) or cycle < 1:
        raise ValueError(f"the cycle must be a whole number of at least 1, not {cycle!r}")


def _midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def period_containing(
    at: dt.datetime, cycle: int, unit: str, tz: str | dt.tzinfo = DEFAULT_TZ
) -> Period:
    """The period of a task with this cycle that contains the instant `at` (aware)."""
    _check(cycle, unit)
    if at.tzinfo is None:
        raise ValueError("`at` must be an aware datetime")
    zone = _zone(tz)
    local = at.astimezone(zone)
    if unit == "hour":
        epoch = _midnight(_EPOCH_DAY, zone).astimezone(dt.UTC)
        span = dt.timedelta(hours=cycle)
        # In UTC (absolute time): Python subtracts two datetimes of one zone by their
        # wall clocks, and a clock that jumped (the 1986-91 summer time) would make a
        # block shorter or longer than N hours.
        index = (at.astimezone(dt.UTC) - epoch) // span
        start = epoch + index * span
        return Period(start.astimezone(zone), (start + span).astimezone(zone))
    if unit in ("day", "week"):
        days = cycle * (7 if unit == "week" else 1)
        origin = _EPOCH_MONDAY if unit == "week" else _EPOCH_DAY
        index = (local.date() - origin).days // days
        first = origin + dt.timedelta(days=index * days)
        return Period(_midnight(first, zone), _midnight(first + dt.timedelta(days=days), zone))
    months = cycle * (12 if unit == "year" else 1)
    elapsed = (local.year - 2000) * 12 + (local.month - 1)
    index = elapsed // months
    y0, m0 = _add_months(2000, 1, index * months)
    y1, m1 = _add_months(y0, m0, months)
    return Period(_midnight(dt.date(y0, m0, 1), zone), _midnight(dt.date(y1, m1, 1), zone))


def next_period(period: Period, cycle: int, unit: str, tz: str | dt.tzinfo = DEFAULT_TZ) -> Period:
    """The period right after `period`."""
    return period_containing(period.end, cycle, unit, tz)


def ended_periods(
    since: dt.datetime,
    until: dt.datetime,
    cycle: int,
    unit: str,
    tz: str | dt.tzinfo = DEFAULT_TZ,
    *,
    limit: int | None = None,
) -> Iterator[Period]:
    """The periods from the one containing `since` whose end is at or before `until`, in
    order (at most `limit` of them: a job catching up on an hourly task a year late goes
    on at its next run)."""
    period = period_containing(since, cycle, unit, tz)
    count = 0
    while period.end <= until and (limit is None or count < limit):
        yield period
        count += 1
        period = next_period(period, cycle, unit, tz)


def timing(submitted_at: dt.datetime, period: Period) -> str:
    """On time when submitted before the period ended; late otherwise (also when it was
    first marked missed: a late fill never counts as on time)."""
    return ON_TIME if submitted_at < period.end else LATE


__all__ = [
    "DEFAULT_TZ",
    "LATE",
    "ON_TIME",
    "UNITS",
    "Period",
    "ended_periods",
    "next_period",
    "period_containing",
    "timing",
]

"""Hazard deadlines as pure rules (no Django import): which date a hazard is held to,
whether it is on time, due soon or overdue, whether a reminder is due, and how far it
has escalated. The job (anjian.hazards.jobs) and the pages call these.

The numbers are local policy (data/deadline_policy.json, see its "_about"): 16号令 sets
no reminder or escalation periods; its only time limit here is the on-site review within
10 days (第二十三条, standards.md A7.1).

Which date a hazard is held to (its "effective deadline"):
* the five fixes' deadline (五定 期限) once set;
* for a listed major hazard also the supervision deadline (挂牌督办 期限); the earlier
  of the two counts (the five fixes' deadline may not be later anyway);
* a general hazard still only reported, not handled, is held to reported + N days
  (policy "unhandled_days"); a major one is not (its next steps are the regulators');
* a hazard submitted for acceptance is not held to anything while it waits (the next
  step is the acceptor's); a rejection puts it back on its deadline;
* closed hazards: nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import workflow as wf

POLICY_FILE = Path(__file__).with_name("data") / "deadline_policy.json"

ON_TIME = "on_time"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
NO_DEADLINE = "none"

# Where the effective deadline comes from.
BASIS_FIVE_FIXES = "five_fixes"
BASIS_LISTING = "listing"
BASIS_UNHANDLED = "unhandled"

# Escalation levels: who has been told the hazard is overdue.
LEVEL_NONE = 0
LEVEL_PRINCIPAL = 1  # the enterprise's principal (主要负责人)
LEVEL_GRID = 2  # the grid officer(s) over the enterprise
LEVEL_COUNTY = 3  # the lead department's officers and the county safety committee office
MAX_LEVEL = LEVEL_COUNTY

# States in which a hazard is held to its deadline (submitted ones wait for the acceptor).
# A stopped major hazard stays held to its deadline until it applies to resume; then the
# regulator's 10-day clock runs instead (anjian.hazards.jobs.review_clock_run).
HELD_STATES: frozenset[str] = frozenset(
    {wf.REPORTED, wf.FIXES_SET, wf.RECTIFYING, wf.SUSPENDED, wf.EVALUATED}
)


# However a local policy is set, a deadline stays within ten years: date arithmetic on
# the jobs' side (reminders, escalation days) then never leaves the calendar.
MAX_DEADLINE_DAYS_LIMIT = 3653


@dataclass(frozen=True)
class Policy:
    reminder_days: tuple[int, ...] = (3, 1)
    escalation_days: tuple[int, int, int] = (1, 5, 10)
    unhandled_days: int | None = 7
    working_days: bool = False
    max_deadline_days: int = 1096

    def __post_init__(self) -> None:
        # One order however written: the earliest reminder first (3, 1).
        object.__setattr__(
            self, "reminder_days", tuple(sorted({int(d) for d in self.reminder_days}, reverse=True))
        )
        if any(d < 0 for d in self.reminder_days):
            raise ValueError("reminder_days must not be negative")
        steps = self.escalation_days
        if len(steps) != MAX_LEVEL or any(s < 1 for s in steps) or list(steps) != sorted(steps):
            raise ValueError("escalation_days must be three rising numbers of days, each ≥ 1")
        if self.unhandled_days is not None and self.unhandled_days < 1:
            raise ValueError("unhandled_days must be at least 1 (or null)")
        if not 1 <= self.max_deadline_days <= MAX_DEADLINE_DAYS_LIMIT:
            raise ValueError(f"max_deadline_days must be 1 to {MAX_DEADLINE_DAYS_LIMIT}")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Policy:
        unhandled = data.get("unhandled_days", 7)
        return cls(
            reminder_days=tuple(data.get("reminder_days", (3, 1))),
            escalation_days=tuple(int(d) for d in data.get("escalation_days", (1, 5, 10))),  # type: ignore[arg-type]
            unhandled_days=None if unhandled is None else int(unhandled),
            working_days=bool(data.get("working_days", False)),
            max_deadline_days=int(data.get("max_deadline_days", 1096)),
        )

    def latest_deadline(self, today: dt.date) -> dt.date:
        """The latest deadline a hazard may be given today."""
        return today + dt.timedelta(days=self.max_deadline_days)

    @property
    def horizon(self) -> int:
        """How many days ahead a deadline can need something (the earliest reminder)."""
        return max(self.reminder_days, default=0)


def load_policy(path: str | Path | None = None) -> Policy:
    with open(path or POLICY_FILE, encoding="utf-8") as fh:
        return Policy.from_mapping(json.load(fh))


# --- counting days ------------------------------------------------------------------------


def _is_workday(day: dt.date) -> bool:
    try:
        import chinese_calendar

        return bool(chinese_calendar.is_workday(day))
    except (ImportError, NotImplementedError):  # a year the calendar does not know
        return day.weekday() < 5


def days_between(start: dt.date, end: dt.date, *, working: bool = False) -> int:
    """end − start in days (negative when end is earlier); with `working`, counts the
    working days after `start` up to and including `end` (so the next working day is 1)."""
    if not working:
        return (end - start).days
    sign, lo, hi = (1, start, end) if end >= start else (-1, end, start)
    n, day = 0, lo
    while day < hi:
        day += dt.timedelta(days=1)
        n += _is_workday(day)
    return sign * n


def add_days(start: dt.date, n: int, *, working: bool = False) -> dt.date:
    """start + n days (calendar or working)."""
    if not working:
        return start + dt.timedelta(days=n)
    step = 1 if n >= 0 else -1
    day, left = start, abs(n)
    while left:
        day += dt.timedelta(days=step)
        left -= _is_workday(day)
    return day


# --- the rules ----------------------------------------------------------------------------


def effective_deadline(
    *,
    state: str,
    level: str,
    deadline: dt.date | None,
    listing_deadline: dt.date | None,
    reported_on: dt.date,
    policy: Policy,
) -> tuple[dt.date | None, str]:
    """The date the hazard is held to now, and where it comes from ("" when none)."""
    if state not in HELD_STATES:
        return None, ""
    dates = []
    if deadline is not None:
        dates.append((deadline, BASIS_FIVE_FIXES))
    if level == wf.MAJOR and listing_deadline is not None:
        dates.append((listing_deadline, BASIS_LISTING))
    if dates:
        return min(dates)
    if level == wf.GENERAL and state == wf.REPORTED and policy.unhandled_days is not None:
        return add_days(reported_on, policy.unhandled_days, working=policy.working_days), (
            BASIS_UNHANDLED
        )
    return None, ""


@dataclass(frozen=True)
class Standing:
    """Where a hazard stands against its deadline on a day."""

    status: str  # none / on_time / due_soon / overdue
    deadline: dt.date | None = None
    basis: str = ""
    days_left: int | None = None  # 0 on the deadline day, negative once overdue
    days_overdue: int = 0
    level: int = LEVEL_NONE  # the escalation level the hazard should have reached
    reminder_window: dt.date | None = None  # start of the current reminder window

    @property
    def overdue(self) -> bool:
        return self.status == OVERDUE


def escalation_level(days_overdue: int, policy: Policy) -> int:
    return sum(1 for step in policy.escalation_days if days_overdue >= step)


def reminder_window(deadline: dt.date, today: dt.date, policy: Policy) -> dt.date | None:
    """The first day of the reminder window `today` falls in (the window of the smallest
    reminder threshold already reached), or None when no reminder is due on this day.
    A hazard is reminded at most once per window."""
    days_left = days_between(today, deadline, working=policy.working_days)
    if days_left < 0:
        return None
    reached = [d for d in policy.reminder_days if days_left <= d]
    if not reached:
        return None
    return add_days(deadline, -min(reached), working=policy.working_days)


def standing(deadline: dt.date | None, today: dt.date, policy: Policy, basis: str = "") -> Standing:
    if deadline is None:
        return Standing(NO_DEADLINE)
    days_left = days_between(today, deadline, working=policy.working_days)
    if days_left < 0:
        over = -days_left
        return Standing(
            OVERDUE,
            deadline,
            basis,
            days_left,
            days_overdue=over,
            level=escalation_level(over, policy),
        )
    window = reminder_window(deadline, today, policy)
    return Standing(
        DUE_SOON if window is not None else ON_TIME,
        deadline,
        basis,
        days_left,
        reminder_window=window,
    )


def reminder_due(window: dt.date | None, last_reminded_on: dt.date | None) -> bool:
    """A reminder is due when today is in a window and none was sent since it opened."""
    return window is not None and (last_reminded_on is None or last_reminded_on < window)


def hazard_standing(
    *,
    state: str,
    level: str,
    deadline: dt.date | None,
    listing_deadline: dt.date | None,
    reported_on: dt.date,
    today: dt.date,
    policy: Policy,
) -> Standing:
    date, basis = effective_deadline(
        state=state,
        level=level,
        deadline=deadline,
        listing_deadline=listing_deadline,
        reported_on=reported_on,
        policy=policy,
    )
    return standing(date, today, policy, basis)

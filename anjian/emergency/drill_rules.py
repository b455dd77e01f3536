"""How often an enterprise must drill its emergency plans, and the response times of an
unannounced drill. Pure: no Django import (tested directly).

The rules (../shared/domain/standards.md A10):

* 《生产安全事故应急预案管理办法》 (应急管理部令第2号) 第三十三条: at least once a year a
  drill of the 综合应急预案 or of a 专项应急预案, and at least once every half year a drill
  of a 现场处置方案. The 国家安全生产应急救援中心 calls these minimum frequencies: one
  on-site drill of any on-site plan each half year ("national" profile). 江苏省应急管理厅
  reads "every 现场处置方案 each half year" ("each_onsite" profile). The sources disagree,
  so both are named profiles and the caller chooses.
* 《生产安全事故应急条例》 (国务院令第708号) 第八条 (article number UNCONFIRMED, quoted
  from memory in standards.md): hazardous-goods producers, operators, storers and
  transporters, mines, metal smelting, urban rail operation, construction and crowded
  venues drill at least every half year (any of their plans).

Periods are calendar ones: the year, and the half-years Jan–Jun and Jul–Dec. For each
obligation the answer is for the period the as-of day falls in:

* satisfied: a qualifying drill was held in this period (due_by: the end of the next one);
* due: none yet in this period, but the last period was met (or the obligation is new);
  due_by is this period's last day;
* overdue: a period ended without one; overdue_since is the first day after the first
  period that was missed.

An obligation starts with the first whole period after `since` (the plan's issue day,
or the enterprise's registration): a plan issued on 20 June is not overdue on 1 July.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

NATIONAL = "national"
EACH_ONSITE = "each_onsite"
PROFILES: tuple[str, ...] = (NATIONAL, EACH_ONSITE)

# Plan kinds as in emergency.models.PlanKind.
COMPREHENSIVE = "comprehensive"
SPECIAL = "special"
ONSITE = "onsite"
CARD = "card"

# Obligation codes.
ANNUAL_PLAN = "annual_plan"  # 第三十三条: 综合 or 专项, once a year
HALF_ONSITE = "half_onsite"  # 第三十三条: 现场处置方案, each half year
HALF_HIGH_RISK = "half_high_risk"  # 708号令 第八条: any plan, each half year
OBLIGATIONS: tuple[str, ...] = (ANNUAL_PLAN, HALF_ONSITE, HALF_HIGH_RISK)

YEAR = "year"
HALF = "half"

SATISFIED = "satisfied"
DUE = "due"
OVERDUE = "overdue"
STATUSES: tuple[str, ...] = (OVERDUE, DUE, SATISFIED)  # worst first

# 708号令 第八条 (UNCONFIRMED article number) read onto the registry's industry codes
# (anjian/registry/data/industries.json): hazardous goods (危险化学品, 烟花爆竹, 燃气),
# mines (采矿业, 非煤矿山, 煤矿), metal smelting (冶金, 有色), construction (建筑业, 建筑施工)
# and crowded venues (住宿和餐饮业: hotels; 文化、体育和娱乐业: entertainment and scenic
# spots; 商贸: malls). 交通运输 is left out: only its hazardous-goods carriers and urban
# rail are named, and the code does not tell them apart (an enterprise holding a major
# hazard installation counts anyway: it stores hazardous goods).
HIGH_RISK_INDUSTRIES: frozenset[str] = frozenset(
    {
        "HR-HAZCHEM",
        "HR-FIREWORKS",
        "HR-GAS",
        "B",
        "HR-MINE",
        "HR-COAL",
        "HR-IT-MET",
        "HR-IT-NFM",
        "E",
        "HR-CONSTR",
        "H",
        "R",
        "HR-IT-COM",
    }
)


def is_high_risk(industry_codes: Iterable[str], *, has_major_hazard: bool = False) -> bool:
    """708号令 第八条 (UNCONFIRMED): the enterprise's industry (or any ancestor code given)
    is one of HIGH_RISK_INDUSTRIES, or it holds a major hazard installation."""
    return has_major_hazard or any(code in HIGH_RISK_INDUSTRIES for code in industry_codes)


@dataclass(frozen=True)
class PlanIn:
    """A current plan: `key` is the plan's series (a drill of any version counts)."""

    key: int
    kind: str
    title: str = ""
    since: dt.date | None = None  # issued on


@dataclass(frozen=True)
class DrillIn:
    """A drill held (done or evaluated): the day it ended, the drilled plan's kind and
    series (None: no plan named)."""

    on: dt.date
    plan_kind: str | None = None
    plan_key: int | None = None


@dataclass(frozen=True)
class Obligation:
    code: str
    period: str  # YEAR or HALF
    period_start: dt.date
    period_end: dt.date
    status: str
    due_by: dt.date
    overdue_since: dt.date | None = None
    last_drill: dt.date | None = None
    plan_key: int | None = None  # each_onsite: the plan it is about
    plan_title: str = ""


@dataclass(frozen=True)
class Compliance:
    profile: str
    as_of: dt.date
    high_risk: bool
    obligations: tuple[Obligation, ...] = field(default_factory=tuple)

    @property
    def status(self) -> str:
        """The worst status of all obligations (SATISFIED when there are none)."""
        found = {o.status for o in self.obligations}
        for status in STATUSES:
            if status in found:
                return status
        return SATISFIED

    @property
    def overdue_since(self) -> dt.date | None:
        days = [o.overdue_since for o in self.obligations if o.overdue_since]
        return min(days) if days else None

    @property
    def due_by(self) -> dt.date | None:
        days = [o.due_by for o in self.obligations if o.status != SATISFIED]
        return min(days) if days else None


# --- periods ------------------------------------------------------------------------------


def period_of(day: dt.date, period: str) -> tuple[dt.date, dt.date]:
    """The calendar year, or half-year (Jan–Jun, Jul–Dec), holding `day`."""
    if period == YEAR:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    if day.month <= 6:
        return dt.date(day.year, 1, 1), dt.date(day.year, 6, 30)
    return dt.date(day.year, 7, 1), dt.date(day.year, 12, 31)


def next_period(start: dt.date, period: str) -> tuple[dt.date, dt.date]:
    if period == YEAR:
        return period_of(dt.date(start.year + 1, 1, 1), YEAR)
    if start.month == 1:
        return period_of(dt.date(start.year, 7, 1), HALF)
    return period_of(dt.date(start.year + 1, 1, 1), HALF)


def _previous_period(start: dt.date, period: str) -> tuple[dt.date, dt.date]:
    return period_of(start - dt.timedelta(days=1), period)


def _obligation(
    code: str,
    period: str,
    as_of: dt.date,
    days: Sequence[dt.date],
    since: dt.date | None,
    *,
    plan_key: int | None = None,
    plan_title: str = "",
) -> Obligation:
    """One cyclic obligation as of `as_of`, given the days qualifying drills were held."""
    start, end = period_of(as_of, period)
    held = sorted(d for d in days if d <= as_of)
    last = held[-1] if held else None
    common = {"plan_key": plan_key, "plan_title": plan_title, "last_drill": last}
    if last is not None and last >= start:
        _n_start, n_end = next_period(start, period)
        return Obligation(code, period, start, end, SATISFIED, n_end, **common)
    # The first period that counts: the first whole one after `since`.
    first = next_period(period_of(since, period)[0], period)[0] if since else None
    if last is not None:
        # The period after the last drill's is the first one that could be missed.
        missed_start, missed_end = next_period(period_of(last, period)[0], period)
        if first is not None and first > missed_start:
            missed_start, missed_end = period_of(first, period)
    elif first is not None:
        missed_start, missed_end = period_of(first, period)
    else:
        # Nothing known before: the previous period is the first one we hold against it.
        missed_start, missed_end = _previous_period(start, period)
    if missed_start >= start:
        return Obligation(code, period, start, end, DUE, end, **common)
    return Obligation(
        code,
        period,
        start,
        end,
        OVERDUE,
        end,
        overdue_since=missed_end + dt.timedelta(days=1),
        **common,
    )


def compliance(
    *,
    plans: Sequence[PlanIn],
    drills: Sequence[DrillIn],
    high_risk: bool,
    as_of: dt.date,
    profile: str = NATIONAL,
    since: dt.date | None = None,
) -> Compliance:
    """The enterprise's drill obligations as of `as_of` (see the module's text). `since`:
    when the enterprise came under the rules (its registration), for the high-risk
    obligation and as a floor for each plan's own day."""
    if profile not in PROFILES:
        raise ValueError(f"unknown drill profile {profile!r}")
    out: list[Obligation] = []

    def start_of(kinds: set[str], key: int | None = None) -> dt.date | None:
        days = [p.since for p in plans if (p.kind in kinds and (key is None or p.key == key))]
        if any(d is None for d in days) or not days:
            return since
        earliest = min(d for d in days if d is not None)
        return max(earliest, since) if since else earliest

    major = {COMPREHENSIVE, SPECIAL}
    if any(p.kind in major for p in plans):
        days = [d.on for d in drills if d.plan_kind in major]
        out.append(_obligation(ANNUAL_PLAN, YEAR, as_of, days, start_of(major)))
    onsite = [p for p in plans if p.kind == ONSITE]
    if onsite and profile == NATIONAL:
        days = [d.on for d in drills if d.plan_kind == ONSITE]
        out.append(_obligation(HALF_ONSITE, HALF, as_of, days, start_of({ONSITE})))
    elif onsite:
        for plan in sorted(onsite, key=lambda p: p.key):
            days = [d.on for d in drills if d.plan_key == plan.key]
            out.append(
                _obligation(
                    HALF_ONSITE,
                    HALF,
                    as_of,
                    days,
                    start_of({ONSITE}, plan.key),
                    plan_key=plan.key,
                    plan_title=plan.title,
                )
            )
    if high_risk:
        days = [d.on for d in drills]
        out.append(_obligation(HALF_HIGH_RISK, HALF, as_of, days, since))
    return Compliance(profile=profile, as_of=as_of, high_risk=high_risk, obligations=tuple(out))


def sort_key(c: Compliance) -> tuple[int, dt.date, dt.date]:
    """Overdue first (longest overdue first), then due (soonest first), then satisfied."""
    far = dt.date.max
    return (STATUSES.index(c.status), c.overdue_since or far, c.due_by or far)


# --- unannounced drills -------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseTimes:
    """Minutes (whole, rounded down) from the regulator's order; None: not yet."""

    to_acknowledge: int | None
    to_start: int | None
    total: int | None


def _minutes(a: dt.datetime | None, b: dt.datetime | None) -> int | None:
    if a is None or b is None:
        return None
    return max(0, int((b - a).total_seconds() // 60))


def response_times(
    ordered_at: dt.datetime | None,
    acknowledged_at: dt.datetime | None,
    started_at: dt.datetime | None,
    ended_at: dt.datetime | None,
) -> ResponseTimes:
    """Order → acknowledgement, order → start, order → end (the whole drill)."""
    return ResponseTimes(
        to_acknowledge=_minutes(ordered_at, acknowledged_at),
        to_start=_minutes(ordered_at, started_at),
        total=_minutes(ordered_at, ended_at),
    )


__all__ = [
    "ANNUAL_PLAN",
    "EACH_ONSITE",
    "HALF_HIGH_RISK",
    "HALF_ONSITE",
    "HIGH_RISK_INDUSTRIES",
    "NATIONAL",
    "PROFILES",
    "Compliance",
    "DrillIn",
    "Obligation",
    "PlanIn",
    "ResponseTimes",
    "compliance",
    "is_high_risk",
    "period_of",
    "response_times",
    "sort_key",
]

"""The enforcement plan (issue 12 item 4): a department's inspections due per month over
a year, what it has done, who is overdue now, and the workload per inspector. PURE: no
Django; the pages (planning_views.py) read the inputs and the benchmark
(bench/inspections_plan.py) makes them up.

Where the numbers come from
---------------------------
* **Required frequency.** An enterprise's class is the highest of its risk-unit colour,
  its safety code and its enterprise diagnosis (anjian.risks.supervision.enterprise_class,
  in SQL anjian.risks.views.supervision_class; yellow when none is known), and the class
  gives the inspections per year in the supervision policy's default profile
  (anjian/risks/data/supervision_policy.json, profile "seed-default": red 52, orange 12,
  yellow 4, blue 1). Callers pass `per_year`; this module never looks it up.
* **Spread over the months, exactly.** By the end of month m (1…12) an enterprise
  inspected n times a year with phase s (0…11) is due floor((n·m + s) / 12) inspections
  (floor(s/12) = 0 at m = 0), so month m is due floor((n·m+s)/12) − floor((n·(m−1)+s)/12).
  The twelve add up to n exactly and the gaps are as even as whole numbers allow. With
  phase 0 the last one falls in December: 1 a year → December; 2 → June, December;
  4 → March, June, September, December; 12 → one each month; 52 → 4 or 5 a month
  (4, 4, 5, 4, 4, 5, …). Integer arithmetic only.
* **Staggered over the department.** With phase 0 for everyone a county's annual surveys
  (60 % of its enterprises are blue) would all fall in December. So each enterprise's
  phase is 11 − (its id mod 12): fixed for the enterprise (it does not move when others
  are added), and a frequency group's dues spread over the year: the annual ones of
  enterprises 1, 2, 3 … fall in January, February, March …; 4 a year → months 1, 4, 7, 10
  or 2, 5, 8, 11 or 3, 6, 9, 12. `compute_plan(stagger=False)` gives every enterprise
  phase 0.
* **Done.** Concluded inspections of the department (lead, or a participant of a joint
  inspection: one visit counts for every department in it), by the month they were
  concluded (Asia/Shanghai). For the year's figures an enterprise's inspections beyond
  its required number do not make up for another enterprise's: the shortfall is counted
  per enterprise (`outstanding`, `remaining`).
* **Outstanding at the end of a month** = Σ over enterprises of max(0, due to date − done
  to date); shown for months up to the as-of date only (later months are not over yet).
* **Overdue now.** The interval of a class is ceil(365 / per year) days (the same rule as
  the draw's forced-in overdue enterprises, services._overdue). An enterprise is due again
  on the day of its last concluded inspection plus the interval, and overdue on every day
  after that. An enterprise **never inspected** by the department is due from 1 January
  of the as-of year (this app has no history before it), so it is overdue from 2 January
  on. (The draw, unlike this list, does not force in never-inspected enterprises: doing so
  would force in the whole county in the first year.)
* **Workload.** Each inspection needs `per_inspection` inspectors (two at least, the
  two-person rule of workflow.MIN_INSPECTORS), so a month's plan is due × per_inspection
  inspector-visits. They are divided among the department's roster (its active officers,
  services.roster: the same roster the draw uses) as evenly as whole numbers allow; the
  remainder of each month goes round the roster in turn, so over the year nobody carries
  more than one visit above anyone else. An inspector is flagged when a month's visits
  exceed `max_visits`; the department when it has more enterprises per inspector than
  `max_enterprises` (the seed report's complaint: 200+ enterprises per inspector).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

MONTHS = 12
DAYS_PER_YEAR = 365
MIN_PER_INSPECTION = 2  # workflow.MIN_INSPECTORS, the two-person rule
# One on-site visit a working day; a month has about 21 working days, and the visit's
# documents take time too.
DEFAULT_MAX_VISITS = 20
# The seed report names 200+ enterprises per inspector as the problem.
DEFAULT_MAX_ENTERPRISES = 200


class PlanError(ValueError):
    """A wrong input (a negative frequency, a month out of range, too few inspectors per
    inspection); `code` says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# --- months ------------------------------------------------------------------------------


def cumulative_due(per_year: int, month: int, phase: int = 0) -> int:
    """Inspections due from 1 January to the end of `month` (0…12)."""
    if per_year < 0:
        raise PlanError("per_year_negative", f"per_year must be ≥ 0, not {per_year}")
    if not 0 <= month <= MONTHS:
        raise PlanError("month_range", f"month must be 0…12, not {month}")
    if not 0 <= phase < MONTHS:
        raise PlanError("phase_range", f"phase must be 0…11, not {phase}")
    return (per_year * month + phase) // MONTHS  # phase // 12 == 0: nothing due at month 0


def months_due(per_year: int, phase: int = 0) -> tuple[int, ...]:
    """The inspections due in each month, January first; they add up to `per_year`."""
    return tuple(
        cumulative_due(per_year, m, phase) - cumulative_due(per_year, m - 1, phase)
        for m in range(1, 13)
    )


def phase_of(enterprise_id: int) -> int:
    """The enterprise's phase in a staggered plan (module doc): the annual survey of id
    1 falls in January, of id 12 in December."""
    return MONTHS - 1 - (enterprise_id - 1) % MONTHS


def interval_days(per_year: int) -> int | None:
    """Days between two inspections of a class (None when none is required)."""
    if per_year < 0:
        raise PlanError("per_year_negative", f"per_year must be ≥ 0, not {per_year}")
    if per_year == 0:
        return None
    return -(-DAYS_PER_YEAR // per_year)  # ceil without floats


# --- inputs and results ------------------------------------------------------------------


@dataclass(frozen=True)
class PlanEnterprise:
    """One enterprise of the department's duty."""

    id: int
    per_year: int
    enterprise_class: str = ""
    # The department's last concluded inspection on or before the as-of date (local date).
    last_inspected: dt.date | None = None
    # The month (1…12) of each of the department's inspections concluded in the plan year,
    # one entry per inspection.
    done_months: tuple[int, ...] = ()


@dataclass(frozen=True)
class MonthRow:
    month: int
    due: int
    done: int
    cumulative_due: int
    cumulative_done: int
    # Planned to date but not done (per enterprise, see the module doc); None for a month
    # not over yet at the as-of date.
    outstanding: int | None


@dataclass(frozen=True)
class Overdue:
    id: int
    enterprise_class: str
    per_year: int
    interval_days: int
    last_inspected: dt.date | None
    due_on: dt.date
    days_overdue: int

    @property
    def never_inspected(self) -> bool:
        return self.last_inspected is None


@dataclass(frozen=True)
class ClassRow:
    enterprise_class: str
    per_year: int
    enterprises: int
    due: int  # enterprises × per_year
    done: int


@dataclass(frozen=True)
class Plan:
    year: int
    as_of: dt.date
    enterprises: int
    months: tuple[MonthRow, ...]
    classes: tuple[ClassRow, ...]
    due: int  # in the year
    done: int  # inspections concluded in the year
    credited: int  # done, counting at most per_year for each enterprise
    remaining: int  # due − credited: what the year still needs
    overdue: tuple[Overdue, ...]  # most overdue first

    @property
    def due_by_month(self) -> tuple[int, ...]:
        return tuple(row.due for row in self.months)


def overdue_of(enterprise: PlanEnterprise, as_of: dt.date) -> Overdue | None:
    """The enterprise's overdue entry at `as_of`, or None when it is not overdue."""
    days = interval_days(enterprise.per_year)
    if days is None:
        return None
    if enterprise.last_inspected is None:
        due_on = dt.date(as_of.year, 1, 1)
    else:
        due_on = enterprise.last_inspected + dt.timedelta(days=days)
    if as_of <= due_on:
        return None
    return Overdue(
        id=enterprise.id,
        enterprise_class=enterprise.enterprise_class,
        per_year=enterprise.per_year,
        interval_days=days,
        last_inspected=enterprise.last_inspected,
        due_on=due_on,
        days_overdue=(as_of - due_on).days,
    )


def months_over(year: int, as_of: dt.date) -> int:
    """How many months of `year` have ended by `as_of` (the as-of month counts as over:
    the plan is read against its own month's dues)."""
    if as_of.year < year:
        return 0
    if as_of.year > year:
        return MONTHS
    return as_of.month


def compute_plan(
    enterprises: Iterable[PlanEnterprise],
    *,
    year: int,
    as_of: dt.date,
    class_order: Sequence[str] = ("red", "orange", "yellow", "blue"),
    stagger: bool = True,
) -> Plan:
    """The year plan of one department. Enterprises that were never inspected and have
    nothing done this year (most of them, in a county) are counted by their frequency
    alone, so the cost grows with the enterprises inspected, not 12 × all of them."""
    over = months_over(year, as_of)
    due_month = [0] * MONTHS
    done_month = [0] * MONTHS
    outstanding = [0] * MONTHS
    # (per_year, phase) → enterprises with nothing done this year, and of all.
    plain: Counter[tuple[int, int]] = Counter()
    schedule: Counter[tuple[int, int]] = Counter()
    class_n: Counter[tuple[str, int]] = Counter()
    class_done: Counter[tuple[str, int]] = Counter()
    overdue: list[Overdue] = []
    count = credited = done_total = 0
    for e in enterprises:
        count += 1
        per_year = e.per_year
        phase = phase_of(e.id) if stagger else 0
        schedule[(per_year, phase)] += 1
        class_n[(e.enterprise_class, per_year)] += 1
        late = overdue_of(e, as_of)
        if late is not None:
            overdue.append(late)
        if not e.done_months:
            plain[(per_year, phase)] += 1
            continue
        done = [0] * MONTHS
        for m in e.done_months:
            if not 1 <= m <= MONTHS:
                raise PlanError("month_range", f"month must be 1…12, not {m}")
            done[m - 1] += 1
        n = len(e.done_months)
        done_total += n
        credited += min(n, per_year)
        class_done[(e.enterprise_class, per_year)] += n
        cum_done = 0
        for i in range(MONTHS):
            done_month[i] += done[i]
            cum_done += done[i]
            if i < over:
                outstanding[i] += max(0, cumulative_due(per_year, i + 1, phase) - cum_done)
    for (per_year, phase), n in plain.items():
        for i in range(over):
            outstanding[i] += n * cumulative_due(per_year, i + 1, phase)
    for (per_year, phase), n in schedule.items():
        for i, due in enumerate(months_due(per_year, phase)):
            due_month[i] += n * due
    months = []
    cum_due = cum_done = 0
    for i in range(MONTHS):
        cum_due += due_month[i]
        cum_done += done_month[i]
        months.append(
            MonthRow(
                month=i + 1,
                due=due_month[i],
                done=done_month[i],
                cumulative_due=cum_due,
                cumulative_done=cum_done,
                outstanding=outstanding[i] if i < over else None,
            )
        )
    rank = {c: i for i, c in enumerate(class_order)}
    classes = tuple(
        ClassRow(cls, per_year, n, n * per_year, class_done[(cls, per_year)])
        for (cls, per_year), n in sorted(
            class_n.items(), key=lambda kv: (rank.get(kv[0][0], len(rank)), -kv[0][1], kv[0][0])
        )
    )
    overdue.sort(key=lambda o: (-o.days_overdue, rank.get(o.enterprise_class, len(rank)), o.id))
    due_total = sum(due_month)
    return Plan(
        year=year,
        as_of=as_of,
        enterprises=count,
        months=tuple(months),
        classes=classes,
        due=due_total,
        done=done_total,
        credited=credited,
        remaining=due_total - credited,
        overdue=tuple(overdue),
    )


# --- workload ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InspectorLoad:
    id: int
    visits: tuple[int, ...]  # planned inspector-visits per month
    done: int  # inspector-visits concluded in the year (this department's inspections)

    @property
    def total(self) -> int:
        return sum(self.visits)

    @property
    def peak(self) -> int:
        return max(self.visits) if self.visits else 0


@dataclass(frozen=True)
class Workload:
    per_inspection: int
    inspectors: tuple[InspectorLoad, ...]
    visits_by_month: tuple[int, ...]  # due × per_inspection
    enterprises: int
    enterprises_per_inspector: Fraction | None  # None without a roster
    max_visits: int
    max_enterprises: int

    @property
    def visits(self) -> int:
        return sum(self.visits_by_month)

    @property
    def overloaded(self) -> tuple[InspectorLoad, ...]:
        return tuple(i for i in self.inspectors if i.peak > self.max_visits)

    def is_overloaded(self, load: InspectorLoad) -> bool:
        return load.peak > self.max_visits

    @property
    def too_many_enterprises(self) -> bool:
        return self.enterprises > 0 and (
            self.enterprises_per_inspector is None
            or self.enterprises_per_inspector > self.max_enterprises
        )

    @property
    def unstaffed(self) -> bool:
        """Visits are planned but nobody is on the roster to make them."""
        return self.visits > 0 and not self.inspectors


def share(total: int, people: int, start: int = 0) -> list[int]:
    """`total` split among `people` as evenly as whole numbers allow: the remainder goes
    one each to the people from position `start` on, wrapping round."""
    if people <= 0:
        raise PlanError("no_people", "cannot share among nobody")
    if total < 0:
        raise PlanError("negative", f"total must be ≥ 0, not {total}")
    base, extra = divmod(total, people)
    out = [base] * people
    for j in range(extra):
        out[(start + j) % people] += 1
    return out


def workload(
    due_by_month: Sequence[int],
    inspector_ids: Sequence[int],
    *,
    enterprises: int,
    per_inspection: int = MIN_PER_INSPECTION,
    max_visits: int = DEFAULT_MAX_VISITS,
    max_enterprises: int = DEFAULT_MAX_ENTERPRISES,
    done: Mapping[int, int] | None = None,
) -> Workload:
    """The month's inspector-visits divided among the roster (see the module doc)."""
    if per_inspection < MIN_PER_INSPECTION:
        raise PlanError(
            "per_inspection",
            f"an inspection needs at least {MIN_PER_INSPECTION} inspectors, not {per_inspection}",
        )
    if len(due_by_month) != MONTHS:
        raise PlanError("months", f"need {MONTHS} months, not {len(due_by_month)}")
    visits_by_month = tuple(d * per_inspection for d in due_by_month)
    n = len(inspector_ids)
    rows: list[list[int]] = [[] for _ in range(n)]
    start = 0
    if n:
        for v in visits_by_month:
            for i, x in enumerate(share(v, n, start)):
                rows[i].append(x)
            # The next month's remainder starts where this one stopped.
            start = (start + v % n) % n
    done = done or {}
    loads = tuple(
        InspectorLoad(id=pk, visits=tuple(rows[i]), done=done.get(pk, 0))
        for i, pk in enumerate(inspector_ids)
    )
    return Workload(
        per_inspection=per_inspection,
        inspectors=loads,
        visits_by_month=visits_by_month,
        enterprises=enterprises,
        enterprises_per_inspector=Fraction(enterprises, n) if n else None,
        max_visits=max_visits,
        max_enterprises=max_enterprises,
    )

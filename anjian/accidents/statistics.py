"""Accident figures counted in the database, scoped to the user (issue 13 item 2).

`accident_figures(user, period, group_by)` is the one entry point of the statistics page
and its Excel download: the accidents the user may see (anjian.core.scoping; withdrawn
reports left out), in the period up to today and in the same days one year earlier,
grouped by division (rolled up to the children of the user's division or of `within`),
industry, lead department of the accident's enterprise, GB 6441 type or grade. Every
figure is a conditional COUNT / SUM of one GROUP BY query covering both windows; the
workforce behind the per-thousand rates is one more GROUP BY over the register; the
labels and the division tree a small query each. Nothing loops over accident rows in
Python, so a rollup table (issue 13 item 3) can replace `_window_rows` and
`_workforce_rows` without touching the page.

Definitions:

* an accident counts in the window its `occurred_at` (local date) falls in;
* "this period" runs from the period's first day to its last day or today, whichever
  comes first; "last year" is the same days one year earlier (29 February → 28);
* 较大及以上 = grade larger, major or especially major (493号令 第三条);
* per-thousand deaths and serious injuries (GB 6441-86, rates.injury_rates) use the
  deaths and serious injuries of accidents at registered enterprises, over the sum of
  `Enterprise.employees` of the group's enterprises on the register (closed ones left
  out). That is registered headcount, not the average workforce GB 6441 asks for, and
  there are no hours worked, so frequency/severity rates and OSHA rates are not shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    FilteredRelation,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role
from anjian.core import scoping
from anjian.registry.models import (
    Department,
    Division,
    DutyRole,
    Enterprise,
    EnterpriseStatus,
    Industry,
)
from anjian.reports.periods import Period

from . import grading, rates, tally, tally_services
from . import workflow as wf
from .models import Accident, Grade

GROUP_BY = ("division", "industry", "department", "type", "grade")
LARGER_PLUS = (Grade.LARGER, Grade.MAJOR, Grade.ESPECIALLY_MAJOR)
# Groups that have a workforce (the register knows their enterprises).
WITH_WORKFORCE = ("division", "industry", "department")
NO_ENTERPRISE = "no-enterprise"
TREND_MONTHS = 24

# The figures of one window, in the order the page, the chart and the workbook show them.
METRICS = (
    "accidents",
    "deaths",
    "serious_injuries",
    "minor_injuries",
    "missing",
    "direct_loss_yuan",
    "larger_plus",
    "larger_plus_deaths",
)


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def q(self) -> Q:
        return Q(
            occurred_at__gte=_midnight(self.start),
            occurred_at__lt=_midnight(self.end + dt.timedelta(days=1)),
        )

    @property
    def year_before(self) -> Window:
        return Window(_year_before(self.start), _year_before(self.end))


def windows(period: Period, today: dt.date) -> tuple[Window, Window]:
    """This period (cut at today) and the same days one year earlier."""
    end = min(period.end, max(today, period.start))
    current = Window(period.start, end)
    return current, current.year_before


# --- the counts (pure) ---------------------------------------------------------------------


@dataclass
class Counts:
    """The sums of one window for one group."""

    accidents: int = 0
    deaths: int = 0
    serious_injuries: int = 0
    minor_injuries: int = 0
    missing: int = 0
    direct_loss_yuan: Decimal = Decimal("0.00")
    larger_plus: int = 0
    larger_plus_deaths: int = 0
    # Of accidents at registered enterprises (the rates' numerators).
    enterprise_deaths: int = 0
    enterprise_serious: int = 0
    enterprise_minor: int = 0

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def _counts_from(row: dict[str, Any], prefix: str) -> Counts:
    values: dict[str, Any] = {}
    for f in fields(Counts):
        value = row.get(prefix + f.name)
        if f.name == "direct_loss_yuan":
            values[f.name] = Decimal(value or 0).quantize(Decimal("0.01"))
        else:
            values[f.name] = int(value or 0)
    return Counts(**values)


def _change_pct(now: Any, before: Any) -> Decimal | None:
    if not before:
        return None
    return (Decimal(now - before) * 100 / Decimal(before)).quantize(Decimal("0.1"))


@dataclass
class Group:
    key: Any
    label: str
    current: Counts = field(default_factory=Counts)
    previous: Counts = field(default_factory=Counts)
    workforce: int | None = None  # None: the grouping has no workforce

    @property
    def figures(self) -> dict[str, Any]:
        """Each metric this period, last year (`_prev`), the change (`_change`) and the
        change in per cent of last year (`_pct`, None when last year was 0); the
        per-thousand rates (None without a workforce)."""
        out: dict[str, Any] = {}
        for name in METRICS:
            now, before = getattr(self.current, name), getattr(self.previous, name)
            out[name] = now
            out[f"{name}_prev"] = before
            out[f"{name}_change"] = now - before
            out[f"{name}_pct"] = _change_pct(now, before)
        out["workforce"] = self.workforce
        out["per_thousand_deaths"] = None
        out["per_thousand_serious"] = None
        if self.workforce:
            result = rates.injury_rates(
                workforce=self.workforce,
                deaths=self.current.enterprise_deaths,
                serious=self.current.enterprise_serious,
                minor=self.current.enterprise_minor,
            )
            out["per_thousand_deaths"] = result["per_thousand_deaths"]
            out["per_thousand_serious"] = result["per_thousand_serious"]
        return out


@dataclass
class Figures:
    period: Period
    group_by: str
    current: Window
    previous: Window
    groups: list[Group]
    total: Group
    root: Division | None = None
    trend: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.key,
            "group_by": self.group_by,
            "from": self.current.start.isoformat(),
            "to": self.current.end.isoformat(),
            "last_year_from": self.previous.start.isoformat(),
            "last_year_to": self.previous.end.isoformat(),
            "within": None if self.root is None else {"id": self.root.pk, "name": self.root.name},
            "groups": [{"key": g.key, "label": g.label, **g.figures} for g in self.groups],
            "total": self.total.figures,
            "trend": self.trend,
        }


# --- the queries ---------------------------------------------------------------------------


def _aggregates(prefix: str, window: Window) -> dict[str, Any]:
    inside = window.q
    larger = inside & Q(grade__in=LARGER_PLUS)
    at_enterprise = inside & Q(enterprise__isnull=False)
    return {
        f"{prefix}accidents": Count("id", filter=inside),
        f"{prefix}deaths": Sum("deaths", filter=inside),
        f"{prefix}serious_injuries": Sum("serious_injuries", filter=inside),
        f"{prefix}minor_injuries": Sum("minor_injuries", filter=inside),
        f"{prefix}missing": Sum("missing", filter=inside),
        f"{prefix}direct_loss_yuan": Sum("direct_loss_yuan", filter=inside),
        f"{prefix}larger_plus": Count("id", filter=larger),
        f"{prefix}larger_plus_deaths": Sum("deaths", filter=larger),
        f"{prefix}enterprise_deaths": Sum("deaths", filter=at_enterprise),
        f"{prefix}enterprise_serious": Sum("serious_injuries", filter=at_enterprise),
        f"{prefix}enterprise_minor": Sum("minor_injuries", filter=at_enterprise),
    }


def counted(user: Any) -> QuerySet[Accident]:
    """The accidents that count: in the user's scope, not withdrawn."""
    return scoping.visible_accidents(user).exclude(state=wf.WITHDRAWN)


def _group_column(qs: QuerySet[Accident], group_by: str) -> tuple[QuerySet, tuple[str, ...]]:
    if group_by == "division":
        return qs, ("division_id",)
    if group_by == "industry":
        return qs, ("industry_id",)
    if group_by == "type":
        return qs, ("gb6441_type",)
    if group_by == "grade":
        return qs, ("grade",)
    # The lead duty only: at most one per enterprise (one_lead_department), so no accident
    # is counted twice; accidents outside any enterprise are told apart by `at_enterprise`.
    qs = qs.annotate(
        lead=FilteredRelation(
            "enterprise__duties", condition=Q(enterprise__duties__role=DutyRole.LEAD)
        ),
        at_enterprise=ExpressionWrapper(Q(enterprise__isnull=False), output_field=BooleanField()),
    )
    return qs, ("lead__department_id", "at_enterprise")


def _key(row: dict[str, Any], group_by: str) -> Any:
    if group_by == "department":
        return row["lead__department_id"] if row["at_enterprise"] else NO_ENTERPRISE
    column = {"division": "division_id", "industry": "industry_id", "type": "gb6441_type"}
    return row[column.get(group_by, group_by)]


def _window_rows(
    qs: QuerySet[Accident], group_by: str, current: Window, previous: Window
) -> dict[Any, tuple[Counts, Counts]]:
    """Per group key: the counts of this period and of last year (one GROUP BY)."""
    qs, columns = _group_column(qs.filter(current.q | previous.q), group_by)
    rows = (
        qs.order_by()
        .values(*columns)
        .annotate(**_aggregates("cur_", current), **_aggregates("prev_", previous))
    )
    out: dict[Any, tuple[Counts, Counts]] = {}
    for row in rows:
        key = _key(row, group_by)
        cur, prev = _counts_from(row, "cur_"), _counts_from(row, "prev_")
        if key in out:  # the same key from two columns (department: NULL lead twice)
            out[key][0].add(cur)
            out[key][1].add(prev)
        else:
            out[key] = (cur, prev)
    return out


# The accident rollup (anjian.accidents.tally): the same figures from counters kept per
# group and month / day, for users whose view is a set of divisions.

# The rollup's dimension for each grouping (division: the division column of "all").
TALLY_DIMENSIONS = {
    "division": tally.ALL,
    "industry": tally.INDUSTRY,
    "department": tally.DEPARTMENT,
    "type": tally.TYPE,
    "grade": tally.GRADE,
}


def _tallied_key(division: int, value: str, group_by: str) -> Any:
    if group_by == "division":
        return division
    if group_by in ("industry", "department"):
        if value == tally.NO_ENTERPRISE:
            return NO_ENTERPRISE
        return int(value) if value else None
    return value


def _tallied_rows(
    divisions: list[int] | None, group_by: str, current: Window, previous: Window
) -> dict[Any, tuple[Counts, Counts]]:
    """`_window_rows` from the rollup: each window's whole months from the monthly
    counters and its partial last month from the daily ones, one GROUP BY over an index
    range of one dimension's rows each."""
    monthly, daily = tally_services.scoped(divisions, TALLY_DIMENSIONS[group_by])
    columns = ("division", "value") if group_by == "division" else ("value",)
    sums: dict[Any, dict[str, Counts]] = {}
    for prefix, window in (("cur_", current), ("prev_", previous)):
        for qs, inside in zip(
            (monthly, daily), tally_services.window_filter(window.start, window.end), strict=True
        ):
            if inside is None:
                continue
            for row in qs.filter(inside).values(*columns).annotate(**tally_services.sums(prefix)):
                row[f"{prefix}direct_loss_yuan"] = Decimal(row[f"{prefix}loss_cents"] or 0) / 100
                key = _tallied_key(row.get("division", 0), row["value"], group_by)
                part = sums.setdefault(key, {"cur_": Counts(), "prev_": Counts()})
                part[prefix].add(_counts_from(row, prefix))
    # Groups the accident-table query would not return: nothing in either window.
    return {
        k: (v["cur_"], v["prev_"])
        for k, v in sums.items()
        if v["cur_"].accidents or v["prev_"].accidents
    }


def _tallied_trend(divisions: list[int] | None, today: dt.date) -> list[dict[str, Any]]:
    """`_trend` from the monthly counters."""
    first = dt.date(today.year, today.month, 1)
    for _i in range(TREND_MONTHS - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    monthly, _daily = tally_services.scoped(divisions, tally.ALL)
    rows = (
        monthly.filter(month__gte=first, month__lte=today)
        .values("month")
        .annotate(n=Sum("accidents"), d=Sum("deaths"))
    )
    by_month = {row["month"]: (int(row["n"] or 0), int(row["d"] or 0)) for row in rows}
    out = []
    day = first
    for _i in range(TREND_MONTHS):
        n, d = by_month.get(day, (0, 0))
        out.append({"month": f"{day.year:04d}-{day.month:02d}", "accidents": n, "deaths": d})
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return out


def _workforce_rows(enterprises: QuerySet[Enterprise], group_by: str) -> dict[Any, int]:
    """Registered employees per group key (one GROUP BY over the register)."""
    if group_by == "division":
        column = "division_id"
    elif group_by == "industry":
        column = "industry_id"
    else:
        enterprises = enterprises.annotate(
            lead=FilteredRelation("duties", condition=Q(duties__role=DutyRole.LEAD))
        )
        column = "lead__department_id"
    rows = enterprises.order_by().values(column).annotate(n=Sum("employees"))
    return {row[column]: int(row["n"] or 0) for row in rows}


def _root(user: Any, within: int | None) -> Division | None:
    """Whose children the division grouping shows and which subtree counts: `within` if
    it lies in the user's own subtree, else the user's division (the single top division
    for a platform administrator)."""
    if within is not None:
        if user.role == Role.PLATFORM_ADMIN:
            found = Division.objects.filter(pk=within).first()
            if found is not None:
                return found
        elif user.division_id and within in scoping.subtree_ids(user.division):
            return Division.objects.filter(pk=within).first()
    if getattr(user, "division_id", None):
        return user.division
    if user.role == Role.PLATFORM_ADMIN:
        roots = list(Division.objects.filter(parent__isnull=True)[:2])
        return roots[0] if len(roots) == 1 else None
    return None


def _targets(ids: set[int], root: Division | None) -> dict[int, int]:
    """Division id → the child of `root` it rolls up to (the root itself for rows placed
    directly in it; the top division when there is no root). One query."""
    target: dict[int, int] = {}
    for node in Division.objects.filter(pk__in=ids).with_tree_fields():
        path = [int(p) for p in node.tree_path]
        if root is None:
            target[node.pk] = path[0]
        elif root.pk in path:
            i = path.index(root.pk)
            target[node.pk] = path[i + 1] if i + 1 < len(path) else root.pk
    return target


def _by_division(
    raw: dict[Any, tuple[Counts, Counts]], workforce: dict[Any, int], root: Division | None
) -> list[Group]:
    target = _targets({k for k in (*raw, *workforce) if k is not None}, root)
    groups: dict[int, Group] = {}

    def group(pk: int) -> Group:
        if pk not in groups:
            groups[pk] = Group(pk, "", workforce=0)
        return groups[pk]

    for division_id, (cur, prev) in raw.items():
        if division_id in target:
            g = group(target[division_id])
            g.current.add(cur)
            g.previous.add(prev)
    for division_id, n in workforce.items():
        if division_id in target:
            g = group(target[division_id])
            g.workforce = (g.workforce or 0) + n
    children = Division.objects.filter(parent=root) if root is not None else Division.objects.none()
    keys = set(groups) | set(children.values_list("pk", flat=True))
    nodes = Division.objects.filter(pk__in=keys).order_by("code").values_list("pk", "name")
    out = []
    for pk, name in nodes:
        g = groups.get(pk) or Group(pk, "", workforce=0)
        g.label = name
        out.append(g)
    return out


def _sorted(groups: list[Group]) -> list[Group]:
    return sorted(groups, key=lambda g: (-g.current.accidents, -g.previous.accidents, g.label))


def _labelled(
    raw: dict[Any, tuple[Counts, Counts]],
    workforce: dict[Any, int] | None,
    model: Any,
    none_label: str,
) -> list[Group]:
    keys = {k for k in raw if isinstance(k, int)}
    if workforce is not None:
        keys |= {k for k in workforce if k is not None}
    names = dict(model.objects.filter(pk__in=keys).values_list("pk", "name"))
    groups: list[Group] = []
    for key in keys:
        cur, prev = raw.get(key, (Counts(), Counts()))
        if workforce is not None and not (cur.accidents or prev.accidents):
            continue  # a registered group without accidents: only its workforce counts
        wf_n = None if workforce is None else workforce.get(key, 0)
        groups.append(Group(key, names.get(key, str(key)), cur, prev, wf_n))
    groups = _sorted(groups)
    if None in raw or (workforce is not None and workforce.get(None)):
        cur, prev = raw.get(None, (Counts(), Counts()))
        if cur.accidents or prev.accidents:
            wf_n = None if workforce is None else workforce.get(None, 0)
            groups.append(Group(None, none_label, cur, prev, wf_n))
    return groups


def _trend(qs: QuerySet[Accident], today: dt.date) -> list[dict[str, Any]]:
    """Accidents and deaths per month over the last TREND_MONTHS months (one query)."""
    first = dt.date(today.year, today.month, 1)
    for _i in range(TREND_MONTHS - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    rows = (
        qs.filter(occurred_at__gte=_midnight(first))
        .annotate(month=TruncMonth("occurred_at"))
        .order_by()
        .values("month")
        .annotate(n=Count("id"), deaths=Sum("deaths"))
    )
    by_month: dict[str, tuple[int, int]] = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = timezone.localtime(month) if timezone.is_aware(month) else month
        key = f"{month.year:04d}-{month.month:02d}"
        n, d = by_month.get(key, (0, 0))
        by_month[key] = (n + row["n"], d + int(row["deaths"] or 0))
    out = []
    day = first
    for _i in range(TREND_MONTHS):
        key = f"{day.year:04d}-{day.month:02d}"
        n, d = by_month.get(key, (0, 0))
        out.append({"month": key, "accidents": n, "deaths": d})
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return out


def accident_figures(
    user: Any,
    period: Period,
    group_by: str = "division",
    *,
    within: int | None = None,
    today: dt.date | None = None,
    trend: bool = True,
) -> Figures:
    """The accident figures the user may see for `period` (to today) against the same
    days one year earlier, grouped by `group_by` (GROUP_BY), with a total and (with
    `trend`) accidents and deaths per month over the last 24 months."""
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {GROUP_BY}")
    today = today or timezone.localdate()
    current, previous = windows(period, today)
    qs = counted(user)
    root = _root(user, within) if scoping.is_active_user(user) else None
    enterprises = Enterprise.objects.exclude(status=EnterpriseStatus.CLOSED)
    subtree: list[int] | None = None
    if root is not None:
        subtree = scoping.subtree_ids(root)
        qs = qs.filter(division_id__in=subtree)
        enterprises = enterprises.filter(division_id__in=subtree)
    elif not (scoping.is_active_user(user) and user.role == Role.PLATFORM_ADMIN):
        enterprises = enterprises.none()
    placed = scoping.placed_scope(user)
    divisions = None if placed is None else (subtree if root is not None else placed[0])
    if placed is not None:
        raw = _tallied_rows(divisions, group_by, current, previous)
    else:
        raw = _window_rows(qs, group_by, current, previous)
    workforce = _workforce_rows(enterprises, group_by) if group_by in WITH_WORKFORCE else None
    if group_by == "division":
        assert workforce is not None
        groups = _by_division(raw, workforce, root)
    elif group_by == "industry":
        groups = _labelled(raw, workforce, Industry, _("No industry"))
    elif group_by == "department":
        no_enterprise = raw.pop(NO_ENTERPRISE, None)
        groups = _labelled(raw, workforce, Department, _("No lead department"))
        if no_enterprise is not None:
            groups.append(Group(NO_ENTERPRISE, _("No enterprise"), *no_enterprise))
            raw[NO_ENTERPRISE] = no_enterprise
    elif group_by == "type":
        groups = _sorted(
            [
                Group(code, f"{code} {grading.GB6441_TYPE_NAMES.get(code, code)}", cur, prev)
                for code, (cur, prev) in raw.items()
            ]
        )
    else:
        labels = dict(Grade.choices)
        groups = [
            Group(code, str(labels[code]), *raw.get(code, (Counts(), Counts())))
            for code in Grade.values
        ]
    total = Group(None, _("Total"))
    for cur, prev in raw.values():
        total.current.add(cur)
        total.previous.add(prev)
    if workforce is not None:
        total.workforce = sum(workforce.values())
    else:
        total.workforce = int(enterprises.aggregate(n=Sum("employees"))["n"] or 0)
    return Figures(
        period,
        group_by,
        current,
        previous,
        groups,
        total,
        root,
        (_tallied_trend(divisions, today) if placed is not None else _trend(qs, today))
        if trend
        else [],
    )

"""Hazard figures counted in the database, scoped to the user.

`regulator_figures(user, period, group_by)` is the regulators' figures page (and the
benchmark's entry point): one GROUP BY query over the user's scoped hazards, grouped by
the enterprise's grid, industry or lead department, with every count a conditional
COUNT / SUM, plus one small query for the group labels (and, by division, one for the
tree paths of the grids that occur). The definitions are those of
anjian.reports.hazard_figures; the rows are summarised by the same `summarise`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import scoping
from anjian.hazards.models import Hazard
from anjian.registry.models import (
    Department,
    Division,
    DutyRole,
    Enterprise,
    EnterpriseStatus,
    Industry,
)

from . import hazard_figures as hf
from . import tally_services
from .models import HazardStatement
from .periods import Period

GROUP_BY = ("division", "industry", "department")
MAJOR = hf.MAJOR


def _midnight(day: dt.date) -> dt.datetime:
    """Local (Asia/Shanghai) midnight starting `day`, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Bounds:
    start: dt.date
    end: dt.date
    on: dt.date  # as of (see hazard_figures.as_of)

    @classmethod
    def of(cls, period: Period, today: dt.date | None = None) -> Bounds:
        today = today or timezone.localdate()
        return cls(period.start, period.end, hf.as_of(period.start, period.end, today))

    @property
    def start_at(self) -> dt.datetime:
        return _midnight(self.start)

    @property
    def end_before(self) -> dt.datetime:
        return _midnight(self.end + dt.timedelta(days=1))

    @property
    def on_before(self) -> dt.datetime:
        return _midnight(self.on + dt.timedelta(days=1))


def relevant(qs: QuerySet[Hazard], b: Bounds) -> QuerySet[Hazard]:
    """Only hazards that can count: reported by `as of` and not closed before the period."""
    return qs.filter(reported_at__lt=b.on_before).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=b.start_at)
    )


def aggregates(b: Bounds) -> dict[str, Any]:
    """The conditional aggregates that produce a hazard_figures.Counts (applied to
    `relevant` hazards)."""
    found = Q(reported_at__gte=b.start_at, reported_at__lt=b.end_before)
    closed_by_on = Q(closed_at__isnull=False, closed_at__lt=b.on_before)
    open_at_on = Q(closed_at__isnull=True) | Q(closed_at__gte=b.on_before)
    fixed = Q(closed_at__gte=b.start_at, closed_at__lt=b.end_before) & closed_by_on
    # Closed on or before the deadline day (local date), or without a deadline (on the spot).
    in_time = Q(deadline__isnull=True) | Q(deadline__gte=TruncDate("closed_at"))
    major = Q(level=MAJOR)
    return {
        "found": Count("id", filter=found),
        "found_fixed": Count("id", filter=found & closed_by_on),
        "fixed": Count("id", filter=fixed),
        "on_time": Count("id", filter=fixed & in_time),
        "overdue_open": Count("id", filter=open_at_on & Q(deadline__lt=b.on)),
        "major_found": Count("id", filter=found & major),
        "major_fixed": Count("id", filter=fixed & major),
        "major_open": Count("id", filter=open_at_on & major),
        "funds": Sum("funds", filter=fixed),
    }


def hazard_rows(qs: QuerySet[Hazard], b: Bounds) -> list[hf.HazardRow]:
    """The relevant hazards as plain rows, for the pure computation (one enterprise)."""
    rows = []
    fields = ("reported_at", "closed_at", "deadline", "level", "category", "source", "funds")
    for reported, closed, deadline, level, category, source, funds in (
        relevant(qs, b).order_by().values_list(*fields).iterator()
    ):
        rows.append(
            hf.HazardRow(
                reported_on=timezone.localdate(reported),
                closed_on=timezone.localdate(closed) if closed else None,
                deadline=deadline,
                level=level,
                category=category,
                source=source,
                funds=funds,
            )
        )
    return rows


def enterprise_figures(enterprise_id: int, period: Period, today: dt.date) -> dict[str, Any]:
    """The figures of an enterprise's statistics table (computed at preparation)."""
    b = Bounds.of(period, today)
    rows = hazard_rows(Hazard.objects.filter(enterprise_id=enterprise_id), b)
    return hf.statement_figures(rows, b.start, b.end, today)


# --- regulators' figures ------------------------------------------------------------------------


@dataclass
class Group:
    key: int | None
    label: str
    counts: hf.Counts = field(default_factory=hf.Counts)

    @property
    def figures(self) -> dict[str, Any]:
        return hf.summarise(self.counts)


@dataclass
class Figures:
    period: Period
    group_by: str
    as_of: dt.date
    groups: list[Group]
    total: Group
    root: Division | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.key,
            "group_by": self.group_by,
            "as_of": self.as_of.isoformat(),
            "within": None if self.root is None else {"id": self.root.pk, "name": self.root.name},
            "groups": [{"key": g.key, "label": g.label, **g.figures} for g in self.groups],
            "total": self.total.figures,
        }


def _group_root(user: Any, within: int | None) -> Division | None:
    """Whose children the division grouping shows: a division in the user's scope if
    asked for, else the user's own division (the single root for a platform admin)."""
    visible = scoping.visible(user, Division)
    if within is not None:
        root = visible.filter(pk=within).first()
        if root is not None:
            return root
    if getattr(user, "division_id", None):
        return visible.filter(pk=user.division_id).first()
    roots = list(visible.filter(parent__isnull=True)[:2])
    return roots[0] if len(roots) == 1 else None


def _by_division(raw: dict[Any, hf.Counts], root: Division | None) -> list[Group]:
    """Counts per grid, rolled up to the children of `root` (or the root itself for
    enterprises sitting directly in it; or the top divisions when there is no root)."""
    grid_ids = [k for k in raw if k is not None]
    target: dict[int, int] = {}
    for node in Division.objects.filter(pk__in=grid_ids).with_tree_fields():
        path = [int(p) for p in node.tree_path]
        if root is None:
            target[node.pk] = path[0]
        elif root.pk in path:
            i = path.index(root.pk)
            target[node.pk] = path[i + 1] if i + 1 < len(path) else root.pk
    totals: dict[int, hf.Counts] = defaultdict(hf.Counts)
    for grid_id, counts in raw.items():
        if grid_id in target:
            totals[target[grid_id]].add(counts)
    children = Division.objects.filter(parent=root) if root is not None else Division.objects.none()
    keys = set(totals) | set(children.values_list("pk", flat=True))
    nodes = Division.objects.filter(pk__in=keys).order_by("code").values_list("pk", "name")
    return [Group(pk, name, totals.get(pk, hf.Counts())) for pk, name in nodes]


def _labelled(raw: dict[Any, hf.Counts], model: Any, none_label: str) -> list[Group]:
    names = dict(model.objects.filter(pk__in=[k for k in raw if k]).values_list("pk", "name"))
    groups = [Group(k, names.get(k, str(k)), c) for k, c in raw.items() if k is not None]
    groups.sort(key=lambda g: (-g.counts.found, g.label))
    if None in raw:
        groups.append(Group(None, none_label, raw[None]))
    return groups


def regulator_figures(
    user: Any,
    period: Period,
    group_by: str = "division",
    *,
    today: dt.date | None = None,
    within: int | None = None,
) -> Figures:
    """The figures of the hazards the user may see for `period`, grouped by division
    (children of the user's division, or of `within`), industry or lead department."""
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {GROUP_BY}")
    b = Bounds.of(period, today)
    raw = _from_rollup(user, b, group_by)
    if raw is None:
        raw = _counted(user, b, group_by)
    root = None
    if group_by == "division":
        root = _group_root(user, within)
        groups = _by_division(raw, root)
    elif group_by == "industry":
        groups = _labelled(raw, Industry, _("No industry"))
    else:
        groups = _labelled(raw, Department, _("No lead department"))
    total = Group(None, _("Total"))
    for counts in raw.values():
        total.counts.add(counts)
    return Figures(period, group_by, b.on, groups, total, root)


def _from_rollup(user: Any, b: Bounds, group_by: str) -> dict[Any, hf.Counts] | None:
    """The figures from the hazard rollup (anjian.reports.tally), when it can answer:
    the user's view is a union of its groups and the as-of day is the period's end or
    today. None otherwise."""
    scope = scoping.grouped_scope(user)
    if scope is None or not tally_services.usable(b.start, b.end, b.on, timezone.localdate()):
        return None
    (divisions,) = scope
    rows = tally_services.tally_counts(
        start=b.start, end=b.end, on=b.on, divisions=divisions, group_by=group_by
    )
    # A group shows when it has a hazard that counts (found or fixed in the period, or
    # open at the as-of day), as the hazard table's GROUP BY over `relevant` rows does.
    return {
        key: tally_services.counts_of(values)
        for key, values in rows.items()
        if values["found"] or values["fixed"] or values["open"]
    }


def _counted(user: Any, b: Bounds, group_by: str) -> dict[Any, hf.Counts]:
    """The figures counted from the hazard table itself (the rollup's reference)."""
    qs = relevant(scoping.visible(user, Hazard), b)
    if group_by == "division":
        column = "enterprise__division_id"
    elif group_by == "industry":
        column = "enterprise__industry_id"
    else:
        # LEFT JOIN on the lead duty only: at most one per enterprise (one_lead_department),
        # so no hazard is counted twice; enterprises without a lead fall in NULL.
        qs = qs.annotate(
            lead=FilteredRelation(
                "enterprise__duties", condition=Q(enterprise__duties__role=DutyRole.LEAD)
            )
        )
        column = "lead__department_id"
    rows = qs.order_by().values(column).annotate(**aggregates(b))
    return {row[column]: hf.counts_from(row) for row in rows}


# --- statements: who has submitted -------------------------------------------------------------


SUBMITTED, LATE, MISSING, PENDING = "submitted", "late", "missing", "pending"
STATUSES = (SUBMITTED, LATE, MISSING, PENDING)


def statement_status(submitted_at: dt.datetime | None, period: Period, today: dt.date) -> str:
    if submitted_at is not None:
        return LATE if period.is_late(timezone.localdate(submitted_at)) else SUBMITTED
    return MISSING if period.is_overdue(today) else PENDING


def statements_due(
    user: Any, period: Period, status: str = "", today: dt.date | None = None
) -> QuerySet[Enterprise]:
    """Enterprises in scope that owe a table for `period` (all but closed ones), each with
    `first_submitted_at` (the first signed version: a later correction does not move it),
    `latest_statement_id` and `has_draft`. `status` keeps submitted / late / missing (or
    pending: not submitted, not yet due)."""
    mine = HazardStatement.objects.filter(
        enterprise_id=OuterRef("pk"), year=period.year, quarter=period.quarter
    )
    signed = mine.filter(signed_at__isnull=False)
    qs = (
        scoping.visible(user, Enterprise)
        .exclude(status=EnterpriseStatus.CLOSED)
        .annotate(
            first_submitted_at=Subquery(signed.order_by("version").values("submitted_at")[:1]),
            latest_statement_id=Subquery(signed.order_by("-version").values("pk")[:1]),
            has_draft=Exists(mine.filter(signed_at__isnull=True)),
        )
        .select_related("division")
        .order_by("division__code", "name", "pk")
    )
    due_end = _midnight(period.due + dt.timedelta(days=1))
    if status == SUBMITTED:
        qs = qs.filter(first_submitted_at__lt=due_end)
    elif status == LATE:
        qs = qs.filter(first_submitted_at__gte=due_end)
    elif status in (MISSING, PENDING):
        overdue = period.is_overdue(today or timezone.localdate())
        if overdue != (status == MISSING):
            return qs.none()
        qs = qs.filter(first_submitted_at__isnull=True)
    return qs


def statements_summary(user: Any, period: Period, today: dt.date) -> dict[str, int]:
    """How many enterprises in scope submitted on time, late, or not (yet)."""
    qs = statements_due(user, period)
    due_end = _midnight(period.due + dt.timedelta(days=1))
    counts = qs.aggregate(
        total=Count("pk"),
        submitted=Count("pk", filter=Q(first_submitted_at__lt=due_end)),
        late=Count("pk", filter=Q(first_submitted_at__gte=due_end)),
        not_submitted=Count("pk", filter=Q(first_submitted_at__isnull=True)),
    )
    overdue = period.is_overdue(today)
    return {
        "total": counts["total"],
        SUBMITTED: counts["submitted"],
        LATE: counts["late"],
        MISSING: counts["not_submitted"] if overdue else 0,
        PENDING: 0 if overdue else counts["not_submitted"],
    }

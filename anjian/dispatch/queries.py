"""The county dispatch table: for a month, one row per respondent with its submitted
figures beside the platform's own figures for that township or department, a totals
row and the submission marks.

The platform's figures (each counted in one GROUP BY query over the viewer's scoped
rows, so the query count does not grow with the county):
* hazards found (reported in the month) and fixed (closed in the month): a township's
  are those of the enterprises in its subtree, a department's those of the enterprises
  it leads (DutyRole.LEAD, at most one per enterprise);
* inspections done: concluded in the month; a township's at its enterprises, a
  department's led by it;
* penalties: decided in the month and in force (decided or executed), with the fines
  (fine kinds) summed; a township's on its enterprises, a department's its own decisions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, FilteredRelation, Q, Sum
from django.utils import timezone

from anjian.core import scoping
from anjian.hazards.models import Hazard
from anjian.inspections import penalties as rules
from anjian.inspections.models import Inspection
from anjian.inspections.models import State as InspectionState
from anjian.penalties import workflow as pwf
from anjian.penalties.models import Penalty
from anjian.registry.models import Division, DutyRole

from . import policy, scope
from .models import DispatchForm, DispatchState

SUBMITTED, LATE, RETURNED, MISSING, PENDING = "submitted", "late", "returned", "missing", "pending"
PLATFORM_ITEMS = (
    "hazards_found",
    "hazards_fixed",
    "inspections",
    "penalties",
    "fines",
)


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def status(form: DispatchForm, today: dt.date) -> str:
    if form.state == DispatchState.SUBMITTED:
        return LATE if form.is_late else SUBMITTED
    if form.state == DispatchState.RETURNED:
        return RETURNED
    return MISSING if today > form.due_on else PENDING


def empty_platform() -> dict[str, Any]:
    return {
        "hazards_found": 0,
        "hazards_fixed": 0,
        "inspections": 0,
        "penalties": 0,
        "fines": Decimal("0.00"),
    }


def platform_figures(
    user: Any, county: Division, month: dt.date
) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]]]:
    """({township id: figures}, {department id: figures}) for the month."""
    start_at = _midnight(month)
    end_at = _midnight(policy.month_end(month) + dt.timedelta(days=1))
    # Every division under the county mapped to its township (one query).
    town_of: dict[int, int] = {}
    for node in Division.objects.descendants(county).with_tree_fields():
        path = [int(p) for p in node.tree_path]
        i = path.index(county.pk)
        if i + 1 < len(path):
            town_of[node.pk] = path[i + 1]
    grids = list(town_of)
    towns: dict[int, dict[str, Any]] = defaultdict(empty_platform)
    depts: dict[int, dict[str, Any]] = defaultdict(empty_platform)

    found = Q(reported_at__gte=start_at, reported_at__lt=end_at)
    fixed = Q(closed_at__gte=start_at, closed_at__lt=end_at)
    hazards = (
        scoping.visible(user, Hazard)
        .filter(enterprise__division_id__in=grids)
        .filter(found | fixed)
        .order_by()
    )
    hazard_counts = {"f": Count("id", filter=found), "x": Count("id", filter=fixed)}
    for row in hazards.values("enterprise__division_id").annotate(**hazard_counts):
        t = towns[town_of[row["enterprise__division_id"]]]
        t["hazards_found"] += row["f"]
        t["hazards_fixed"] += row["x"]
    led = hazards.annotate(
        lead=FilteredRelation(
            "enterprise__duties", condition=Q(enterprise__duties__role=DutyRole.LEAD)
        )
    )
    for row in led.values("lead__department_id").annotate(**hazard_counts):
        if row["lead__department_id"] is None:
            continue
        d = depts[row["lead__department_id"]]
        d["hazards_found"] += row["f"]
        d["hazards_fixed"] += row["x"]

    inspections = (
        scoping.visible(user, Inspection)
        .filter(
            state=InspectionState.CONCLUDED, concluded_at__gte=start_at, concluded_at__lt=end_at
        )
        .filter(enterprise__division_id__in=grids)
        .order_by()
    )
    for row in inspections.values("enterprise__division_id").annotate(n=Count("id")):
        towns[town_of[row["enterprise__division_id"]]]["inspections"] += row["n"]
    for row in inspections.values("lead_department_id").annotate(n=Count("id")):
        if row["lead_department_id"] is not None:
            depts[row["lead_department_id"]]["inspections"] += row["n"]

    penalties = (
        scoping.visible(user, Penalty)
        .filter(
            state__in=pwf.IN_FORCE,
            decided_on__gte=month,
            decided_on__lte=policy.month_end(month),
        )
        .order_by()
    )
    penalty_sums = {
        "n": Count("id"),
        "fines": Sum("amount", filter=Q(kind__in=rules.FINE_KINDS)),
    }
    for row in (
        penalties.filter(enterprise__division_id__in=grids)
        .values("enterprise__division_id")
        .annotate(**penalty_sums)
    ):
        t = towns[town_of[row["enterprise__division_id"]]]
        t["penalties"] += row["n"]
        t["fines"] += row["fines"] or Decimal("0")
    for row in (
        penalties.filter(department__division=county)
        .values("department_id")
        .annotate(**penalty_sums)
    ):
        d = depts[row["department_id"]]
        d["penalties"] += row["n"]
        d["fines"] += row["fines"] or Decimal("0")
    return dict(towns), dict(depts)


@dataclass
class Row:
    form: DispatchForm
    status: str
    reported: dict[str, Any]  # the respondent's figures, None where not submitted
    platform: dict[str, Any]


@dataclass
class Table:
    county: Division
    month: dt.date
    rows: list[Row]
    total_reported: dict[str, Any] = field(default_factory=dict)
    total_platform: dict[str, Any] = field(default_factory=dict)
    progress: dict[str, int] = field(default_factory=dict)

    @property
    def month_key(self) -> str:
        return policy.month_key(self.month)


def forms_of(user: Any, county: Division, month: dt.date):
    return (
        scope.visible_forms(user)
        .filter(county=county, month=month)
        .select_related("division", "department", "submitted_by")
        .order_by("department_id", "division__code", "department__kind", "pk")
    )


def progress(forms: list[DispatchForm], today: dt.date) -> dict[str, int]:
    counts = {SUBMITTED: 0, LATE: 0, RETURNED: 0, MISSING: 0, PENDING: 0}
    for f in forms:
        counts[status(f, today)] += 1
    counts["total"] = len(forms)
    counts["done"] = counts[SUBMITTED] + counts[LATE]
    return counts


def dispatch_table(
    user: Any, county: Division, month: dt.date, today: dt.date | None = None
) -> Table:
    today = today or timezone.localdate()
    forms = list(forms_of(user, county, month))
    towns, depts = platform_figures(user, county, month)
    rows: list[Row] = []
    total_reported: dict[str, Any] = dict.fromkeys(policy.COUNT_ITEMS, 0)
    total_reported["investment"] = Decimal("0.00")
    total_platform = empty_platform()
    for f in forms:
        submitted = f.state == DispatchState.SUBMITTED
        reported = {k: (getattr(f, k) if submitted else None) for k in policy.ITEMS}
        if submitted:
            for k in policy.ITEMS:
                total_reported[k] += getattr(f, k) or 0
        platform = (towns if f.division_id else depts).get(
            f.division_id or f.department_id, empty_platform()
        )
        rows.append(Row(f, status(f, today), reported, platform))
    # The platform total is the townships' (every enterprise sits in one township);
    # departments' figures overlap them and are not added again.
    for f in forms:
        if f.division_id and f.division_id in towns:
            for k in PLATFORM_ITEMS:
                total_platform[k] += towns[f.division_id][k]
    return Table(county, month, rows, total_reported, total_platform, progress(forms, today))

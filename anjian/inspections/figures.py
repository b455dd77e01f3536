"""Enforcement figures as the seed report gives them (issue 12 item 11): 执法检查 S 次, 检查企业
T 家次, 发现并整改隐患 U 项, 责令停产停业整顿 V 家, 吊销安全生产许可证 W 家, 对 X 名责任人实施
行政处罚, 罚款 Y 元, and the enforcement documents by type; per division, department,
industry or month of a period, with the totals.

What each figure counts (the period is from/to, both days included, in local time):

* inspections (执法检查次数 = 检查企业家次): concluded inspections, by their conclusion time.
  An inspection is of one enterprise, so the count of inspections is the count of
  enterprise-visits (家次); "enterprises inspected" counts each enterprise once (家).
  **A joint inspection (综合查一次) is one visit and is counted once**, for its lead
  department, also when grouped by department: the participating departments' officers
  see it in their figures, under the lead department's row. So the department rows add up
  to the total.
* hazards found / fixed: hazards found by those inspections (each finding is a hazard of
  source "government inspection"), by the time found; fixed = of these, closed (accepted,
  销号) by now.
* enterprises ordered to suspend / licences revoked: distinct enterprises with a decided
  (or executed) penalty of that kind, by decision date; revoked penalties and drafts do
  not count.
* persons penalised: distinct ID numbers among decided penalties whose subject is a person.
* fines: the sum of decided fines (on enterprises and on persons), yuan.
* documents: issued enforcement documents by kind, by issue date; a correction is not
  counted again (the document it corrects already is).

Grouping: division = the enterprise's own division; department = the lead department of
an inspection (of its findings), the deciding department of a penalty, the issuing
department of a document; industry = the enterprise's; month = of the date above. A
penalty on a vehicle or a person with no enterprise falls in the "none" group of division
and industry.

Scope: a coordinator reads the rows of the enterprises of their jurisdiction
(anjian.core.scoping); a department officer reads their own department's work (its
inspections as lead or participant, its penalties and documents), as the inspections
pages show it. Nobody else reads figures.

Each figure family is one grouped query plus one total query (distinct counts do not add
across groups), so the page costs the same number of queries whatever the rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from anjian.accounts.models import Role
from anjian.core import scoping
from anjian.hazards import workflow as hazard_wf
from anjian.penalties import workflow as penalty_wf
from anjian.penalties.models import Penalty

from . import penalties as rules
from . import workflow as wf
from .document_models import DocumentKind, EnforcementDocument
from .models import Finding, Inspection

DIVISION = "division"
DEPARTMENT = "department"
INDUSTRY = "industry"
MONTH = "month"
GROUPINGS = (DIVISION, DEPARTMENT, INDUSTRY, MONTH)

DECIDED = (penalty_wf.DECIDED, penalty_wf.EXECUTED)
CENT = Decimal("0.01")

# The figures of a row, in the order of the table and the export (documents follow).
FIGURES = (
    "inspections",
    "enterprises",
    "hazards_found",
    "hazards_fixed",
    "suspended",
    "revoked",
    "persons",
    "fines",
)


def may_read(user: Any) -> bool:
    if not scoping.is_active_user(user):
        return False
    if user.role == Role.DEPARTMENT_OFFICER:
        return bool(user.department_id)
    return user.role == Role.COORDINATOR


@dataclass
class Row:
    key: Any
    label: str
    inspections: int = 0
    enterprises: int = 0
    hazards_found: int = 0
    hazards_fixed: int = 0
    suspended: int = 0
    revoked: int = 0
    persons: int = 0
    fines: Decimal = Decimal("0.00")
    documents: dict[str, int] = field(default_factory=dict)

    def document_counts(self) -> list[int]:
        return [self.documents.get(kind, 0) for kind in DocumentKind.values]

    @property
    def documents_total(self) -> int:
        return sum(self.documents.values())


@dataclass
class Figures:
    grouping: str
    start: dt.date
    end: dt.date
    rows: list[Row]
    total: Row


@dataclass(frozen=True)
class Scoped:
    inspections: QuerySet
    findings: QuerySet
    penalties: QuerySet
    documents: QuerySet


def scoped(user: Any) -> Scoped:
    """The rows the user's figures are made of (callers check may_read first)."""
    if user.role == Role.DEPARTMENT_OFFICER:
        d = user.department_id
        joined = Inspection.participating_departments.through.objects.filter(
            department_id=d
        ).values("inspection_id")
        own = Q(lead_department_id=d) | Q(pk__in=joined)
        inspections = Inspection.objects.filter(own)
        return Scoped(
            inspections=inspections,
            findings=Finding.objects.filter(inspection__in=inspections.values("pk")),
            penalties=Penalty.objects.filter(department_id=d),
            documents=EnforcementDocument.objects.filter(department_id=d),
        )
    return Scoped(
        inspections=scoping.visible(user, Inspection),
        findings=scoping.visible(user, Finding),
        penalties=scoping.visible(user, Penalty),
        documents=scoping.visible(user, EnforcementDocument),
    )


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
        timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)),
    )


# Per grouping and family: the (key, label) fields of the group; month is a TruncMonth.
_KEYS: dict[str, dict[str, tuple[str, str] | str]] = {
    DIVISION: {
        "inspections": ("enterprise__division_id", "enterprise__division__name"),
        "findings": (
            "inspection__enterprise__division_id",
            "inspection__enterprise__division__name",
        ),
        "penalties": ("enterprise__division_id", "enterprise__division__name"),
        "documents": ("enterprise__division_id", "enterprise__division__name"),
    },
    DEPARTMENT: {
        "inspections": ("lead_department_id", "lead_department__name"),
        "findings": ("inspection__lead_department_id", "inspection__lead_department__name"),
        "penalties": ("department_id", "department__name"),
        "documents": ("department_id", "department__name"),
    },
    INDUSTRY: {
        "inspections": ("enterprise__industry_id", "enterprise__industry__name"),
        "findings": (
            "inspection__enterprise__industry_id",
            "inspection__enterprise__industry__name",
        ),
        "penalties": ("enterprise__industry_id", "enterprise__industry__name"),
        "documents": ("enterprise__industry_id", "enterprise__industry__name"),
    },
    MONTH: {
        "inspections": "concluded_at",
        "findings": "hazard__reported_at",
        "penalties": "decided_on",
        "documents": "issued_on",
    },
}


def _month_key(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _grouped(
    qs: QuerySet, grouping: str, family: str, aggregates: dict[str, Any], extra: tuple = ()
) -> list[tuple[Any, str, dict[str, Any]]]:
    """One grouped query: [(key, label, {aggregate: value})]."""
    spec = _KEYS[grouping][family]
    if grouping == MONTH:
        qs = qs.annotate(group_key=TruncMonth(spec)).values("group_key", *extra)
        rows = qs.annotate(**aggregates).order_by()
        return [(_month_key(r["group_key"]), "", r) for r in rows]
    key, label = spec
    rows = qs.values(key, label, *extra).annotate(**aggregates).order_by()
    return [(r[key], r[label] or "", r) for r in rows]


def compute(user: Any, *, start: dt.date, end: dt.date, grouping: str) -> Figures:
    """The figures of the user's scope for the period, grouped (see the module docstring)."""
    if grouping not in GROUPINGS:
        raise ValueError(grouping)
    scope = scoped(user)
    since, until = _bounds(start, end)
    inspections = scope.inspections.filter(
        state=wf.CONCLUDED, concluded_at__gte=since, concluded_at__lt=until
    )
    findings = scope.findings.filter(
        inspection__state=wf.CONCLUDED,
        hazard__reported_at__gte=since,
        hazard__reported_at__lt=until,
    )
    penalties = scope.penalties.filter(
        state__in=DECIDED, decided_on__gte=start, decided_on__lte=end
    )
    documents = scope.documents.filter(
        issued_on__gte=start, issued_on__lte=end, corrects__isnull=True
    )

    inspection_aggs = {
        "inspections": Count("pk"),
        "enterprises": Count("enterprise_id", distinct=True),
    }
    finding_aggs = {
        "hazards_found": Count("pk"),
        "hazards_fixed": Count("pk", filter=Q(hazard__state=hazard_wf.CLOSED)),
    }
    penalty_aggs = {
        "suspended": Count("enterprise_id", distinct=True, filter=Q(kind=rules.SUSPENSION)),
        "revoked": Count("enterprise_id", distinct=True, filter=Q(kind=rules.LICENCE_REVOCATION)),
        "persons": Count("subject_value", distinct=True, filter=Q(subject_kind=rules.PERSON)),
        "fines": Sum("amount", filter=Q(kind__in=rules.FINE_KINDS)),
    }
    document_aggs = {"n": Count("pk")}

    rows: dict[Any, Row] = {}

    def row(key: Any, label: str) -> Row:
        found = rows.get(key)
        if found is None:
            found = rows[key] = Row(key=key, label=label)
        elif label and not found.label:
            found.label = label
        return found

    def fill(target: Row, values: dict[str, Any], names: Any) -> None:
        for name in names:
            value = values.get(name)
            if name == "fines":
                target.fines = Decimal(value or 0).quantize(CENT)
            else:
                setattr(target, name, int(value or 0))

    for family, qs, aggs in (
        ("inspections", inspections, inspection_aggs),
        ("findings", findings, finding_aggs),
        ("penalties", penalties, penalty_aggs),
    ):
        for key, label, values in _grouped(qs, grouping, family, aggs):
            fill(row(key, label), values, aggs)
    for key, label, values in _grouped(documents, grouping, "documents", document_aggs, ("kind",)):
        target = row(key, label)
        target.documents[values["kind"]] = int(values["n"])

    total = Row(key=None, label="")
    fill(total, inspections.aggregate(**inspection_aggs), inspection_aggs)
    fill(total, findings.aggregate(**finding_aggs), finding_aggs)
    fill(total, penalties.aggregate(**penalty_aggs), penalty_aggs)
    total.documents = dict(
        documents.values("kind").annotate(n=Count("pk")).values_list("kind", "n").order_by()
    )

    ordered = sorted(rows.values(), key=lambda r: _sort_key(grouping, r))
    if grouping == MONTH:
        for r in ordered:
            r.label = r.key.strftime("%Y-%m") if r.key else ""
    return Figures(grouping=grouping, start=start, end=end, rows=ordered, total=total)


def _sort_key(grouping: str, row: Row) -> tuple:
    # Months in time order; other groups by name, the "none" group last.
    if grouping == MONTH:
        return (row.key is None, row.key or dt.date.min)
    return (row.key is None, row.label, row.key or 0)

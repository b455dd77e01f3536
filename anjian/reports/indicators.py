"""The registry of report figures (issue 13 item 7, the base of items 5-6): every figure a
report prints, with its label, its unit, where it comes from (table and condition) and
the function that counts it for a jurisdiction and a period.

A figure is computed for `Bounds`: a division and its whole subtree, a period
(anjian.reports.periods.Period) and, optionally, a department (then only the enterprises
it holds a duty for: the same rule as a department officer's scope). Counts are SQL
aggregates: the figures of one table share one conditional-aggregate query, run once per
bounds (`Bounds.group`) and each filtered on an indexed range (the period's dates), so a
county of 100,000 enterprises and 2,000,000 hazards is a handful of queries.

A figure whose table does not exist yet (the monthly dispatch's investment and training,
the refusals of a second fine, which are not recorded) raises `NoSource` with the reason;
reports print that reason instead of a number, never a figure written by hand.

Year on year: a figure with `yoy` is also computed for the same period one year earlier
(`Bounds.last_year()`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.apps import apps
from django.db.models import (
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anjian.core import scoping
from anjian.core.models import AuditEntry
from anjian.registry.models import (
    Department,
    DisputeStatus,
    Division,
    DutyAssignment,
    DutyDispute,
    Enterprise,
    EnterpriseStatus,
)
from anjian.registry.queries import lead_exists

from . import hazard_figures as hf
from .periods import Period

Value = int | Decimal | None
COUNT, RATE, AMOUNT = "count", "rate", "amount"
CENT = Decimal("0.01")


class NoSource(Exception):
    """The platform has no table this figure could be counted from (yet)."""


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass
class Bounds:
    """What a figure is counted over: `division` and its subtree, `period`, optionally
    one `department` (the enterprises it has a duty for), as of `today`."""

    division: Division
    period: Period
    today: dt.date
    department: Department | None = None
    _groups: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def subtree(self) -> list[int]:
        return scoping.subtree_ids(self.division)

    @property
    def on(self) -> dt.date:
        """The day the stock figures describe: the period's last day, or today while it
        runs (anjian.reports.hazard_figures.as_of)."""
        return hf.as_of(self.period.start, self.period.end, self.today)

    @property
    def start_at(self) -> dt.datetime:
        return _midnight(self.period.start)

    @property
    def end_before(self) -> dt.datetime:
        return _midnight(self.period.end + dt.timedelta(days=1))

    @property
    def on_before(self) -> dt.datetime:
        return _midnight(self.on + dt.timedelta(days=1))

    def in_period(self, column: str) -> Q:
        """`column` (a datetime) falls in the period (local days)."""
        return Q(**{f"{column}__gte": self.start_at, f"{column}__lt": self.end_before})

    def days_in_period(self, column: str) -> Q:
        """`column` (a date) falls in the period."""
        return Q(**{f"{column}__gte": self.period.start, f"{column}__lte": self.period.end})

    def last_year(self) -> Bounds:
        """The same period one year earlier (year on year)."""
        previous = Period(self.period.year - 1, self.period.quarter)
        return Bounds(self.division, previous, self.today, self.department)

    @cached_property
    def previous_year(self) -> Bounds:
        """last_year(), kept: its tables are counted once for all figures."""
        return self.last_year()

    def enterprises(self) -> QuerySet[Enterprise]:
        return self.of_enterprise(Enterprise.objects.all(), "")

    def of_enterprise(self, qs: QuerySet, path: str = "enterprise") -> QuerySet:
        """Rows of enterprises in the subtree (and of the department, if any); `path` is
        the lookup from the row to its enterprise ("" for enterprises themselves)."""
        prefix = f"{path}__" if path else ""
        qs = qs.filter(**{f"{prefix}division_id__in": self.subtree})
        if self.department is not None:
            held = DutyAssignment.objects.filter(department=self.department).values("enterprise_id")
            qs = qs.filter(**{f"{path}__in" if path else "pk__in": held})
        return qs

    def of_enterprise_by_time(self, qs: QuerySet) -> QuerySet:
        """Like of_enterprise for a big table whose rows a period's date range selects:
        the enterprise test is written so no index can serve it (unary plus), which keeps
        SQLite from walking every hazard of every enterprise of a county instead of the
        period's index range."""
        held = self.enterprises().values("pk")
        unindexed = Func(F("enterprise_id"), template="(+%(expressions)s)")
        return qs.alias(_enterprise=ExpressionWrapper(unindexed, IntegerField())).filter(
            _enterprise__in=held
        )

    def group(self, name: str) -> dict[str, Any]:
        """The figures of one table for these bounds, computed once."""
        if name not in self._groups:
            self._groups[name] = GROUPS[name](self)
        return self._groups[name]


def percent(numerator: int, denominator: int) -> Decimal | None:
    return hf.percent(numerator, denominator)


# --- the tables, one aggregate query (or a few) each -------------------------------------------


def _registry(b: Bounds) -> dict[str, Any]:
    qs = b.enterprises().exclude(status=EnterpriseStatus.CLOSED)
    counts = qs.aggregate(
        enterprises=Count("pk"),
        major_installations=Count("pk", filter=Q(has_major_hazard=True)),
    )
    counts["gaps"] = qs.filter(~lead_exists()).count()
    disputes = DutyDispute.objects.filter(status=DisputeStatus.OPEN).filter(
        Q(jurisdiction_id__in=b.subtree) | Q(enterprise__division_id__in=b.subtree)
    )
    if b.department is not None:
        disputes = disputes.filter(
            Q(raised_by_department=b.department) | Q(proposed_department=b.department)
        )
    counts["open_disputes"] = disputes.count()
    return counts


def _from_rollup(b: Bounds) -> dict[str, int] | None:
    """The hazard figures of the bounds from the rollup (anjian.reports.tally), counted
    once for both hazard tables; None when it cannot answer (an as-of day that is neither
    the period's end nor today)."""
    from . import tally, tally_services

    p = b.period
    if not tally_services.usable(p.start, p.end, b.on, timezone.localdate()):
        return None
    if "_rollup" not in b._groups:
        department = None if b.department is None else b.department.pk
        b._groups["_rollup"] = tally_services.tally_counts(
            start=p.start, end=p.end, on=b.on, divisions=b.subtree, department=department
        ).get(None) or dict.fromkeys(tally.FIGURES, 0)
    return b._groups["_rollup"]


def _hazards(b: Bounds) -> dict[str, Any]:
    """Hazard figures by the definitions of anjian.reports.hazard_figures, in three
    queries on indexed ranges: found in the period (reported_at), fixed in the period
    (closed_at), open at the as-of day (closed_at IS NULL or after it)."""
    from anjian.hazards.models import Hazard

    counted = _from_rollup(b)
    if counted is not None:
        out = {k: counted[k] for k in ("found", "found_fixed", "major_found", "fixed", "on_time")}
        out |= {"major_fixed": counted["major_fixed"], "listed": counted["listed"]}
        out["funds"] = (Decimal(counted["funds_cents"]) / 100).quantize(CENT)
        return out
    hazards = b.of_enterprise_by_time(Hazard.objects.all()).order_by()
    closed_by_on = Q(closed_at__isnull=False, closed_at__lt=b.on_before)
    major = Q(level=hf.MAJOR)
    found = hazards.filter(b.in_period("reported_at")).aggregate(
        found=Count("pk"),
        found_fixed=Count("pk", filter=closed_by_on),
        major_found=Count("pk", filter=major),
    )
    fixed_to = min(b.end_before, b.on_before)
    in_time = Q(deadline__isnull=True) | Q(deadline__gte=TruncDate("closed_at"))
    fixed = hazards.filter(closed_at__gte=b.start_at, closed_at__lt=fixed_to).aggregate(
        fixed=Count("pk"),
        on_time=Count("pk", filter=in_time),
        major_fixed=Count("pk", filter=major),
        funds=Sum("funds"),
    )
    listed = hazards.filter(b.in_period("listed_at")).count()
    out = {**found, **fixed, "listed": listed}
    out["funds"] = Decimal(out["funds"] or 0).quantize(CENT)
    return out


def _hazard_stock(b: Bounds) -> dict[str, Any]:
    """Hazards open at the as-of day: a stock, counted for the period asked only (last
    year's stock would scan every hazard closed since)."""
    from anjian.hazards.models import Hazard

    counted = _from_rollup(b)
    if counted is not None:
        return {k: counted[k] for k in ("open", "overdue_open", "major_open")}
    hazards = b.of_enterprise_by_time(Hazard.objects.all()).order_by()
    major = Q(level=hf.MAJOR)
    # Open at the as-of day: still open, or closed after it; two range queries (an OR
    # would make SQLite scan every row).
    reported = hazards.filter(reported_at__lt=b.on_before)
    still = {"open": 0, "overdue_open": 0, "major_open": 0}
    for part in (
        reported.filter(closed_at__isnull=True),
        reported.filter(closed_at__gte=b.on_before),
    ):
        counts = part.aggregate(
            open=Count("pk"),
            overdue_open=Count("pk", filter=Q(deadline__lt=b.on)),
            major_open=Count("pk", filter=major),
        )
        still = {k: still[k] + counts[k] for k in still}
    return still


def _rechecks(b: Bounds) -> dict[str, Any]:
    from anjian.hazards.models import Recheck, RecheckResult, RecheckState

    qs = b.of_enterprise(Recheck.objects.all(), "hazard__enterprise")
    return qs.filter(b.in_period("done_at"), state=RecheckState.DONE).aggregate(
        done=Count("pk"), relapsed=Count("pk", filter=Q(result=RecheckResult.RELAPSED))
    )


def _inspections(b: Bounds) -> dict[str, Any]:
    from anjian.inspections.models import Inspection, Kind, State

    qs = b.of_enterprise(Inspection.objects.all()).filter(
        b.in_period("concluded_at"), state=State.CONCLUDED
    )
    out = qs.aggregate(
        done=Count("pk"),
        enterprises=Count("enterprise_id", distinct=True),
        double_random=Count("pk", filter=Q(kind=Kind.DOUBLE_RANDOM)),
        unannounced=Count("pk", filter=Q(kind=Kind.UNANNOUNCED)),
        joint=Count("pk", filter=Q(kind=Kind.JOINT)),
    )
    return out


def _documents(b: Bounds) -> dict[str, Any]:
    from anjian.inspections.document_models import EnforcementDocument

    qs = b.of_enterprise(EnforcementDocument.objects.all()).filter(
        b.days_in_period("issued_on"), corrects__isnull=True
    )
    rows = qs.order_by().values("kind").annotate(n=Count("pk"))
    return {row["kind"]: row["n"] for row in rows}


def _penalties(b: Bounds) -> dict[str, Any]:
    from anjian.inspections.penalties import FINE_KINDS, SUSPENSION
    from anjian.penalties.models import Listing, Penalty
    from anjian.penalties.services import DOUBLE_REFUSED
    from anjian.penalties.workflow import IN_FORCE

    qs = b.of_enterprise(Penalty.objects.all()).filter(
        b.days_in_period("decided_on"), state__in=IN_FORCE
    )
    fines = Q(kind__in=FINE_KINDS)
    out = qs.aggregate(
        penalties=Count("pk"),
        fines=Count("pk", filter=fines),
        amount=Sum("amount", filter=fines),
        suspensions=Count("pk", filter=Q(kind=SUSPENSION)),
    )
    out["amount"] = Decimal(out["amount"] or 0).quantize(CENT)
    refused = (
        AuditEntry.objects.filter(b.in_period("at"), action=DOUBLE_REFUSED)
        .filter(object_type="penalties.penalty")
        .filter(
            object_id__in=b.of_enterprise(Penalty.objects.all())
            .annotate(key=Cast("pk", CharField()))
            .values("key")
        )
    )
    out["double_refused"] = refused.values("object_id").distinct().count()
    out["listings"] = (
        b.of_enterprise(Listing.objects.all())
        .filter(b.days_in_period("decided_on"))
        .exclude(state__in=("revoked", "withdrawn"))
        .count()
    )
    return out


def _checks(b: Bounds) -> dict[str, Any]:
    from anjian.checks.models import CheckRecord, EnterpriseAuthenticity, RecordFlag, RecordState

    records = b.of_enterprise(CheckRecord.objects.all()).filter(
        b.in_period("submitted_at"), state=RecordState.SUBMITTED
    )
    flagged = RecordFlag.objects.filter(record_id__in=records.values("pk"))
    out = records.aggregate(submitted=Count("pk"))
    out["flagged"] = flagged.values("record_id").distinct().count()
    out["enterprises_flagged"] = (
        b.of_enterprise(EnterpriseAuthenticity.objects.all())
        .filter(flag=True, run__day__gte=b.period.start, run__day__lte=b.on)
        .values("enterprise_id")
        .distinct()
        .count()
    )
    return out


def _handle_within() -> int:
    """Minutes after which an alarm not handled reaches the department (the last step of
    ANJIAN_MONITORING_ESCALATION_MINUTES): handled before that is handled in time."""
    from anjian.monitoring.jobs import escalation_minutes

    return max(escalation_minutes())


def _monitoring(b: Bounds) -> dict[str, Any]:
    from anjian.monitoring.models import Alarm, Point

    alarms = b.of_enterprise(Alarm.objects.all())
    within = dt.timedelta(minutes=_handle_within())
    raised = alarms.filter(b.in_period("raised_at")).exclude(condition="offline")
    out = raised.aggregate(
        raised=Count("pk"),
        in_time=Count(
            "pk",
            filter=Q(handled_at__isnull=False, handled_at__lte=F("raised_at") + within),
        ),
    )
    out["points"] = b.of_enterprise(Point.objects.filter(is_active=True)).count()
    out["offline"] = (
        alarms.filter(condition="offline", raised_at__lt=b.on_before)
        .filter(Q(cleared_at__isnull=True) | Q(cleared_at__gte=b.on_before))
        .values("point_id")
        .distinct()
        .count()
    )
    return out


def accident_model() -> Any:
    """The accidents app's Accident model, or None where it is not installed."""
    try:
        return apps.get_model("accidents", "Accident")
    except LookupError:
        return None


def _accidents(b: Bounds) -> dict[str, Any]:
    model = accident_model()
    if model is None:
        raise NoSource(_("no accident records on the platform yet"))
    qs = model.objects.filter(division_id__in=b.subtree).exclude(state="withdrawn")
    if b.department is not None:
        qs = b.of_enterprise(qs)
    out = qs.filter(b.in_period("occurred_at")).aggregate(
        accidents=Count("pk"),
        deaths=Sum("deaths"),
        serious=Sum("serious_injuries"),
        minor=Sum("minor_injuries"),
        loss=Sum("direct_loss_yuan"),
        larger=Count("pk", filter=~Q(grade="general")),
    )
    for key in ("deaths", "serious", "minor"):
        out[key] = out[key] or 0
    out["loss"] = Decimal(out["loss"] or 0).quantize(CENT)
    return out


def dispatch_model() -> Any:
    """The monthly dispatch's form model, or None where that app is not installed."""
    try:
        return apps.get_model("dispatch", "DispatchForm")
    except LookupError:
        return None


def _dispatch(b: Bounds) -> dict[str, Any]:
    """The submitted monthly dispatch forms of the period: a department's own forms, or
    those of the townships and departments in the subtree (each reports its own work,
    so they add up)."""
    model = dispatch_model()
    if model is None:
        raise NoSource(_("the monthly dispatch that collects it is not on the platform yet"))
    qs = model.objects.filter(state="submitted", month__gte=b.period.start, month__lte=b.period.end)
    if b.department is not None:
        qs = qs.filter(department=b.department)
    else:
        qs = qs.filter(Q(division_id__in=b.subtree) | Q(department__division_id__in=b.subtree))
    out = qs.aggregate(investment=Sum("investment"), trained=Sum("trained_persons"))
    out["investment"] = Decimal(out["investment"] or 0).quantize(CENT)
    out["trained"] = out["trained"] or 0
    return out


GROUPS: dict[str, Callable[[Bounds], dict[str, Any]]] = {
    "registry": _registry,
    "hazards": _hazards,
    "hazard_stock": _hazard_stock,
    "rechecks": _rechecks,
    "inspections": _inspections,
    "documents": _documents,
    "penalties": _penalties,
    "checks": _checks,
    "monitoring": _monitoring,
    "accidents": _accidents,
    "dispatch": _dispatch,
}


# --- the registry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Promise | str
    unit: Promise | str
    source: str  # the table and the condition (technical, not translated)
    compute: Callable[[Bounds], Value]
    section: str  # a GROUPS key: which table it reads
    kind: str = COUNT
    yoy: bool = False
    # What is counted, in plain words (translated): printed before ``source``.
    readable: Promise | str = ""

    def value(self, bounds: Bounds) -> Value:
        return self.compute(bounds)


REGISTRY: dict[str, Indicator] = {}

UNIT_ENTERPRISES = pgettext_lazy("report unit", "enterprises")
UNIT_ITEMS = pgettext_lazy("report unit", "items")
UNIT_TIMES = pgettext_lazy("report unit", "times")
UNIT_PERCENT = "%"
UNIT_YUAN = pgettext_lazy("report unit", "yuan")
UNIT_PERSONS = pgettext_lazy("report unit", "persons")
UNIT_CASES = pgettext_lazy("report unit", "cases")
UNIT_POINTS = pgettext_lazy("report unit", "points")


def _register(
    key: str,
    label: Any,
    unit: Any,
    source: str,
    compute: Callable[[Bounds], Value],
    *,
    section: str,
    kind: str = COUNT,
    yoy: bool | None = None,
    readable: Any = "",
) -> None:
    assert key not in REGISTRY, key
    if yoy is None:
        yoy = kind in (COUNT, AMOUNT)
    REGISTRY[key] = Indicator(key, label, unit, source, compute, section, kind, yoy, readable)


def _field(section: str, name: str) -> Callable[[Bounds], Value]:
    return lambda b: b.group(section)[name]


def _rate(section: str, numerator: str, denominator: str | tuple[str, ...]):
    names = (denominator,) if isinstance(denominator, str) else denominator

    def compute(b: Bounds) -> Value:
        g = b.group(section)
        return percent(g[numerator], sum(g[n] for n in names))

    return compute


def _no_source(reason: Any) -> Callable[[Bounds], Value]:
    def compute(b: Bounds) -> Value:
        raise NoSource(reason)

    return compute


def _cleared_rate(b: Bounds) -> Value:
    fixed = b.group("hazards")["major_fixed"]
    return percent(fixed, fixed + b.group("hazard_stock")["major_open"])


def _coverage(b: Bounds) -> Value:
    return percent(b.group("inspections")["enterprises"], b.group("registry")["enterprises"])


def _document_kinds() -> list[tuple[str, Any]]:
    from anjian.inspections.document_models import DocumentKind

    return [(value, label) for value, label in DocumentKind.choices]


@dataclass(frozen=True)
class Row:
    """One line of the table below: what `_register` is given. ``readable`` says in plain
    words what is counted (translated, printed first in the reports' appendices);
    ``source`` names the table, the fields and the conditions of the query (technical,
    not translated, printed after it). ``yoy`` None: year on year for counts and amounts."""

    key: str
    label: Any
    unit: Any
    readable: Any
    source: str
    compute: Callable[[Bounds], Value]
    section: str
    kind: str = COUNT
    yoy: bool | None = None


HAZ = "隐患台账 (hazards.Hazard) of enterprises in the division's subtree"
PERIOD_NOTE = "period days are local (Asia/Shanghai) dates"
INS = "执法检查 (inspections.Inspection) of enterprises in the subtree: state concluded"
PEN = "行政处罚 (penalties.Penalty) on enterprises in the subtree: state decided or executed"
ACC = (
    "生产安全事故 (accidents.Accident): division in the subtree, occurred_at in the period, "
    "not withdrawn"
)
# What the monthly dispatch collects (issue 13 item 4): the respondents' own figures.
_DISPATCH_SOURCE = (
    "月调度 (dispatch.DispatchForm): submitted forms of the months in the period, of the "
    "townships and departments in the subtree (a department: its own): sum of {}"
)


DOCUMENT_READABLE = _(
    "Enforcement documents “{kind}” issued in the period, corrections not counted again"
)


def _document_rows() -> list[Row]:
    """One row per kind of enforcement document, in the order of DocumentKind."""
    return [
        Row(
            f"documents_{kind}",
            label,
            pgettext_lazy("report unit", "documents"),
            format_lazy(DOCUMENT_READABLE, kind=label),
            "执法文书 (inspections.EnforcementDocument) of enterprises in the subtree: kind "
            f"{kind}, issued_on in the period, corrections not counted again",
            (lambda k: lambda b: b.group("documents").get(k, 0))(kind),
            "documents",
        )
        for kind, label in _document_kinds()
    ]


# The figures, in the order the reports print them. Each row: key, label, unit;
# the readable source; the technical source; compute, section[, kind][, yoy].
# fmt: off
ROWS: tuple[Row, ...] = (
    # Registry (企业台账).
    Row("enterprises", _("Enterprises in the registry"), UNIT_ENTERPRISES,
        _("Enterprises on the register in the jurisdiction, not closed, as of today"),
        "企业台账 (registry.Enterprise): division in the subtree, status not closed; "
        "as registered today (the registry keeps no history)",
        _field("registry", "enterprises"), "registry", yoy=False),
    Row("major_installation_enterprises", _("Enterprises with a major hazard installation"), UNIT_ENTERPRISES,
        _("Enterprises on the register with a major hazard installation, not closed, as of today"),
        "企业台账 (registry.Enterprise): has_major_hazard, status not closed, as today",
        _field("registry", "major_installations"), "registry", yoy=False),
    Row("supervision_gaps", _("Enterprises without a lead supervising department"), UNIT_ENTERPRISES,
        _("Enterprises on the register without a lead supervising department, not closed, as of today"),
        "企业台账 (registry.Enterprise) without a DutyAssignment of role lead, status not "
        "closed, as today (the supervision gaps page)",
        _field("registry", "gaps"), "registry", yoy=False),
    Row("open_duty_disputes", _("Duty disputes awaiting decision"), UNIT_CASES,
        _("Disputes over supervision duties in the jurisdiction still awaiting a decision, as of today"),
        "监管职责争议 (registry.DutyDispute): status open, jurisdiction or enterprise in the "
        "subtree, as today",
        _field("registry", "open_disputes"), "registry", yoy=False),

    # Hazards (隐患台账).
    Row("hazards_found", _("Hazards found"), UNIT_ITEMS,
        _("Hazards of the jurisdiction's enterprises reported in the period"),
        f"{HAZ}: reported_at in the period ({PERIOD_NOTE})",
        _field("hazards", "found"), "hazards"),
    Row("hazards_fixed", _("Hazards fixed"), UNIT_ITEMS,
        _("Hazards fixed and closed in the period"),
        f"{HAZ}: closed_at in the period and by the as-of day (state closed)",
        _field("hazards", "fixed"), "hazards"),
    Row("hazards_fixed_on_time", _("Hazards fixed on time"), UNIT_ITEMS,
        _("Hazards fixed in the period on or before their deadline, or fixed on the spot"),
        f"{HAZ}: fixed in the period and closed on or before the deadline day (or without a "
        "deadline: fixed on the spot)",
        _field("hazards", "on_time"), "hazards"),
    Row("hazards_on_time_rate", _("On-time rectification rate"), UNIT_PERCENT,
        _("Hazards fixed on time as a share of the hazards fixed in the period"),
        "hazards fixed on time / hazards fixed in the period × 100, one decimal, half up",
        _rate("hazards", "on_time", "fixed"), "hazards", RATE),
    Row("hazards_rectification_rate", _("Rectification rate of the hazards found"), UNIT_PERCENT,
        _("Of the hazards reported in the period, the share fixed by the as-of day"),
        f"{HAZ}: of the hazards reported in the period, those closed by the as-of day × 100",
        _rate("hazards", "found_fixed", "found"), "hazards", RATE),
    Row("major_hazards_found", _("Major hazards found"), UNIT_ITEMS,
        _("Major hazards reported in the period"),
        f"{HAZ}: level major, reported_at in the period",
        _field("hazards", "major_found"), "hazards"),
    Row("major_hazards_fixed", _("Major hazards cleared"), UNIT_ITEMS,
        _("Major hazards fixed and closed in the period"),
        f"{HAZ}: level major, closed_at in the period and by the as-of day",
        _field("hazards", "major_fixed"), "hazards"),
    Row("major_hazards_open", _("Major hazards still open"), UNIT_ITEMS,
        _("Major hazards reported and not yet closed on the as-of day"),
        f"{HAZ}: level major, reported by the as-of day and not closed by it (a stock on the "
        "as-of day: no year on year)",
        _field("hazard_stock", "major_open"), "hazard_stock", yoy=False),
    Row("major_hazards_cleared_rate", _("Major hazard clearance rate"), UNIT_PERCENT,
        _("Major hazards closed in the period as a share of those closed plus those still open"),
        "major hazards cleared in the period / (cleared in the period + still open at the "
        "as-of day) × 100",
        _cleared_rate, "hazard_stock", RATE),
    Row("hazards_overdue_open", _("Hazards overdue and still open"), UNIT_ITEMS,
        _("Hazards past their deadline and not yet closed on the as-of day"),
        f"{HAZ}: not closed by the as-of day and deadline before it (a stock on the as-of "
        "day: no year on year)",
        _field("hazard_stock", "overdue_open"), "hazard_stock", yoy=False),
    Row("hazards_listed", _("Hazards listed for supervision"), UNIT_ITEMS,
        _("Hazards listed for supervision in the period"),
        f"{HAZ}: listed_at (挂牌督办) in the period",
        _field("hazards", "listed"), "hazards"),
    Row("rectification_funds", _("Rectification funds of the hazards fixed"), UNIT_YUAN,
        _("Total rectification funds of the hazards closed in the period"),
        f"{HAZ}: sum of funds of the hazards fixed in the period",
        _field("hazards", "funds"), "hazards", AMOUNT),

    # Re-checks (回头看).
    Row("rechecks_done", _("Re-checks of closed hazards done"), UNIT_ITEMS,
        _("Re-checks of closed hazards completed in the period"),
        "回头看 (hazards.Recheck) of hazards of enterprises in the subtree: state done, "
        "done_at in the period",
        _field("rechecks", "done"), "rechecks"),
    Row("rechecks_relapsed", _("Relapses found by re-checks"), UNIT_ITEMS,
        _("Re-checks completed in the period that found the hazard had come back"),
        "回头看 (hazards.Recheck): state done, result relapsed, done_at in the period",
        _field("rechecks", "relapsed"), "rechecks"),

    # Inspections (监管执法).
    Row("inspections_done", _("Enforcement inspections done"), UNIT_TIMES,
        _("Enforcement inspections of the jurisdiction's enterprises concluded in the period"),
        f"{INS}, concluded_at in the period",
        _field("inspections", "done"), "inspections"),
    Row("enterprises_inspected", _("Enterprises inspected"), UNIT_ENTERPRISES,
        _("Enterprises with at least one enforcement inspection concluded in the period"),
        f"{INS}, concluded_at in the period: distinct enterprises",
        _field("inspections", "enterprises"), "inspections"),
    Row("inspection_coverage", _("Inspection coverage"), UNIT_PERCENT,
        _("Enterprises inspected in the period as a share of the enterprises on the register"),
        "enterprises inspected in the period / enterprises in the registry × 100",
        _coverage, "inspections", RATE),
    Row("double_random_inspections", _("Double-random inspections"), UNIT_TIMES,
        _("Double-random inspections concluded in the period"),
        f"{INS}, kind double_random (双随机), concluded_at in the period",
        _field("inspections", "double_random"), "inspections"),
    Row("double_random_share", _("Share of double-random inspections"), UNIT_PERCENT,
        _("Double-random inspections as a share of the enforcement inspections concluded in the period"),
        "double-random inspections / inspections done in the period × 100",
        _rate("inspections", "double_random", "done"), "inspections", RATE),
    Row("unannounced_inspections", _("Unannounced inspections"), UNIT_TIMES,
        _("Unannounced inspections concluded in the period"),
        f"{INS}, kind unannounced (四不两直), concluded_at in the period",
        _field("inspections", "unannounced"), "inspections"),
    Row("joint_inspections", _("Joint inspections"), UNIT_TIMES,
        _("Joint inspections concluded in the period"),
        f"{INS}, kind joint (联合检查), concluded_at in the period",
        _field("inspections", "joint"), "inspections"),

    # Enforcement documents (执法文书): one row per kind.
    *_document_rows(),

    # Penalties (行政处罚).
    Row("fines", _("Fines imposed"), UNIT_CASES,
        _("Fines decided in the period, on enterprises or on responsible persons"),
        f"{PEN}, kind fine or fine on a responsible person, decided_on in the period",
        _field("penalties", "fines"), "penalties"),
    Row("fines_amount", _("Amount of the fines"), UNIT_YUAN,
        _("Total amount of the fines decided in the period"),
        f"{PEN}: sum of amount of the fines, decided_on in the period",
        _field("penalties", "amount"), "penalties", AMOUNT),
    Row("suspensions", _("Orders to suspend production or business"), UNIT_ENTERPRISES,
        _("Orders to suspend production or business decided in the period"),
        f"{PEN}, kind suspension, decided_on in the period",
        _field("penalties", "suspensions"), "penalties"),
    Row("untrustworthy_listings", _("Enterprises listed as seriously untrustworthy"), UNIT_ENTERPRISES,
        _("Enterprises listed as seriously untrustworthy in the period, the listing not revoked or withdrawn"),
        "失信名单 (penalties.Listing) of enterprises in the subtree: decided_on in the period, "
        "not revoked or withdrawn",
        _field("penalties", "listings"), "penalties"),
    Row("double_fines_refused", _("Second fines for one act refused"), UNIT_CASES,
        _("Second fines for the same act refused by the platform in the period (Administrative "
          "Penalty Law, article 29); refusals before this was recorded are not counted"),
        "审计日志 (core.AuditEntry): action penalty_double_refused (penalty_decide refused a "
        "second fine for one act, 行政处罚法 第二十九条), at in the period, on penalties of "
        "enterprises in the subtree; distinct penalties. Refusals before this entry existed "
        "were not recorded",
        _field("penalties", "double_refused"), "penalties"),

    # Self-checks (企业自查).
    Row("self_checks_submitted", _("Self-check records submitted"), UNIT_ITEMS,
        _("Self-check records submitted by the enterprises in the period"),
        "自查记录 (checks.CheckRecord) of enterprises in the subtree: state submitted, "
        "submitted_at in the period",
        _field("checks", "submitted"), "checks"),
    Row("self_checks_flagged", _("Self-check records flagged as possibly not genuine"), UNIT_ITEMS,
        _("Of those self-check records, the ones flagged as possibly not genuine"),
        "those records with a flag of the authenticity run (checks.RecordFlag, any run)",
        _field("checks", "flagged"), "checks"),
    Row("self_check_flagged_share", _("Share of self-check records flagged"), UNIT_PERCENT,
        _("Flagged self-check records as a share of those submitted in the period"),
        "self-check records flagged / submitted in the period × 100",
        _rate("checks", "flagged", "submitted"), "checks", RATE),
    Row("enterprises_flagged_self_checks", _("Enterprises flagged for faked self-checks"), UNIT_ENTERPRISES,
        _("Enterprises flagged in the period for self-checks that may not be genuine"),
        "自查真实性 (checks.EnterpriseAuthenticity) of enterprises in the subtree: flag set in "
        "a run dated in the period up to the as-of day, distinct enterprises",
        _field("checks", "enterprises_flagged"), "checks"),

    # Monitoring (监测预警).
    Row("alarms_raised", _("Monitoring alarms raised"), UNIT_TIMES,
        _("Monitoring alarms raised in the period, alarms of a sensor going offline not counted"),
        "监测报警 (monitoring.Alarm) of enterprises in the subtree: raised_at in the period, "
        "offline alarms not counted",
        _field("monitoring", "raised"), "monitoring"),
    Row("alarms_handled_in_time", _("Alarms handled in time"), UNIT_TIMES,
        _("Of those alarms, the ones handled before they were escalated to the department"),
        "those alarms with handled_at within the escalation window after raised_at (the last "
        "step of ANJIAN_MONITORING_ESCALATION_MINUTES, before it reaches the department)",
        _field("monitoring", "in_time"), "monitoring"),
    Row("alarms_handled_in_time_rate", _("Alarms handled in time rate"), UNIT_PERCENT,
        _("Alarms handled in time as a share of the alarms raised in the period"),
        "alarms handled in time / alarms raised in the period × 100",
        _rate("monitoring", "in_time", "raised"), "monitoring", RATE),
    Row("monitoring_points", _("Active monitoring points"), UNIT_POINTS,
        _("Monitoring points in use at the jurisdiction's enterprises, as of today"),
        "监测点 (monitoring.Point) of enterprises in the subtree: active, as today",
        _field("monitoring", "points"), "monitoring", yoy=False),
    Row("sensors_offline", _("Sensors offline"), UNIT_POINTS,
        _("Monitoring points offline on the as-of day"),
        "监测报警 (monitoring.Alarm): condition offline, raised by the as-of day and not "
        "cleared by it, distinct points",
        _field("monitoring", "offline"), "monitoring"),

    # Accidents (生产安全事故).
    Row("accidents", _("Accidents"), UNIT_CASES,
        _("Work safety accidents in the jurisdiction that occurred in the period, withdrawn reports not counted"),
        ACC,
        _field("accidents", "accidents"), "accidents"),
    Row("deaths", _("Deaths"), UNIT_PERSONS,
        _("Deaths in those accidents, as last reported"),
        f"{ACC}: sum of deaths (current figures)",
        _field("accidents", "deaths"), "accidents"),
    Row("serious_injuries", _("Serious injuries"), UNIT_PERSONS,
        _("Persons seriously injured in those accidents"),
        f"{ACC}: sum of serious_injuries",
        _field("accidents", "serious"), "accidents"),
    Row("minor_injuries", _("Minor injuries"), UNIT_PERSONS,
        _("Persons slightly injured in those accidents"),
        f"{ACC}: sum of minor_injuries",
        _field("accidents", "minor"), "accidents"),
    Row("direct_loss", _("Direct economic loss"), UNIT_YUAN,
        _("Total direct economic loss of those accidents"),
        f"{ACC}: sum of direct_loss_yuan",
        _field("accidents", "loss"), "accidents", AMOUNT),
    Row("larger_accidents", _("Larger or more serious accidents"), UNIT_CASES,
        _("Of those accidents, the larger, major and especially major ones"),
        f"{ACC}: grade larger, major or especially major (较大及以上, 国务院令第493号)",
        _field("accidents", "larger"), "accidents"),

    # The monthly dispatch (月调度).
    Row("safety_investment", _("Safety investment"), UNIT_YUAN,
        _("Safety investment written in the monthly dispatch forms submitted for the period"),
        _DISPATCH_SOURCE.format("investment"),
        _field("dispatch", "investment"), "dispatch", AMOUNT),
    Row("persons_trained", _("Persons trained"), UNIT_PERSONS,
        _("Persons trained written in the monthly dispatch forms submitted for the period"),
        _DISPATCH_SOURCE.format("trained_persons"),
        _field("dispatch", "trained"), "dispatch"),
)
# fmt: on

for _row in ROWS:
    _register(
        _row.key,
        _row.label,
        _row.unit,
        _row.source,
        _row.compute,
        section=_row.section,
        kind=_row.kind,
        yoy=_row.yoy,
        readable=_row.readable,
    )


def readable_source(key: str) -> str:
    """The readable source of a registered figure in the active language ("" for a key
    that is not registered, e.g. a figure a report derives itself)."""
    indicator = REGISTRY.get(key)
    return str(indicator.readable) if indicator is not None else ""


# --- computing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One computed figure: the value (or why there is none), and last year's."""

    key: str
    label: str
    unit: str
    source: str
    kind: str
    value: Value = None
    previous: Value = None
    yoy: bool = False
    no_source: str = ""

    @property
    def available(self) -> bool:
        return not self.no_source

    @property
    def text_value(self) -> str:
        return format_value(self.value, self.kind)

    @property
    def text_previous(self) -> str:
        return format_value(self.previous, self.kind) if self.yoy else ""

    @property
    def change(self) -> Decimal | None:
        """Change against last year, percent (one decimal); None without a base."""
        if not self.yoy or self.value is None or self.previous in (None, 0):
            return None
        diff = Decimal(self.value) - Decimal(self.previous)  # type: ignore[arg-type]
        return (diff * 100 / Decimal(self.previous)).quantize(Decimal("0.1"))  # type: ignore[arg-type]


def format_value(value: Value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == AMOUNT:
        return f"{Decimal(value).quantize(CENT)}"
    return str(value)


def compute(key: str, bounds: Bounds, *, yoy: bool = True) -> Figure:
    indicator = REGISTRY[key]
    label, unit = str(indicator.label), str(indicator.unit)
    try:
        value = indicator.value(bounds)
    except NoSource as exc:
        return Figure(key, label, unit, indicator.source, indicator.kind, no_source=str(exc))
    previous = None
    with_yoy = yoy and indicator.yoy
    if with_yoy:
        previous = indicator.value(bounds.previous_year)
    return Figure(key, label, unit, indicator.source, indicator.kind, value, previous, with_yoy)


def compute_all(bounds: Bounds, keys: list[str] | None = None) -> dict[str, Figure]:
    return {key: compute(key, bounds) for key in (keys or list(REGISTRY))}

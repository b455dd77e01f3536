"""Accidents over HTTP (issue 13 items 1 and 9), scoped by
anjian.core.scoping.visible_accidents (regulators: their division subtree; enterprise
staff: their own enterprise's; anyone else nothing, and an id outside your scope answers
404 like an unknown one).

* GET /accidents: newest first, filters grade, type (GB 6441 code), state, enterprise,
  division, from/to (the day it occurred);
* GET /accidents/statistics: the statistics page's figures (anjian.accidents.statistics
  `accident_figures`) for a quarter or a year against the same days one year earlier,
  grouped by division, industry, lead department, type or grade; regulators only;
* GET /accidents/{id}: one accident with its report versions, grade and why, deadlines,
  investigation, persons held accountable, history and the steps you may take now;
* POST /accidents: the quick report (快报); the server's clock is the time of the
  report; the grade is computed (国务院令第493号 第三条), never sent;
* POST /accidents/{id}/followups: a follow-up report (续报) with the figures as now
  known: the next version, graded again, flagged late after the 30-day (road traffic and
  fire: 7-day) window;
* POST /accidents/{id}/investigate, /extend, /accountable, /close, /withdraw,
  /conceal: the other steps of anjian.accidents.workflow, through the same services as
  the detail page's forms, each answering the accident as it is now.

Refusals: 422 with field messages, 403 (not yours to do), 404, 409 (stale version or a
step the accident's state does not allow).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict, Strict, create_model

from anjian.accidents import grading, services
from anjian.accidents import statistics as st
from anjian.accidents.models import Accident, AccidentReport, Grade, Investigation, State
from anjian.core import scoping
from anjian.core.errors import Forbidden, NotFound, ValidationFailed
from anjian.core.sections import REGISTRY_ROLES
from anjian.reports import periods

from .checks import day_bounds, valid_id
from .common import actor, caller, page
from .schemas import MAX_PAGE_SIZE, ErrorOut, Id, Lenient, Offset, ValidationErrorOut

router = Router(tags=["accidents"])

GradeCode = Literal[tuple(Grade.values)]  # type: ignore[valid-type]
StateCode = Literal[tuple(State.values)]  # type: ignore[valid-type]
TypeCode = Literal[tuple(code for code, _n in grading.GB6441_TYPES)]  # type: ignore[valid-type]
GroupBy = Literal[st.GROUP_BY]  # type: ignore[valid-type]


# --- outputs --------------------------------------------------------------------------------


class AccidentRef(Schema):
    id: int
    name: str


class AccidentOut(Schema):
    id: int
    occurred_at: dt.datetime
    learned_at: dt.datetime = Field(description="When the unit's head learned of it.")
    reported_at: dt.datetime = Field(description="Server time of the quick report.")
    place: str
    latitude: str | None
    longitude: str | None
    division: AccidentRef
    enterprise: AccidentRef | None = Field(description="Null: outside any registered enterprise.")
    industry: AccidentRef | None
    gb6441_type: str = Field(description="GB 6441-86 accident type, 01–20.")
    gb6441_type_name: str
    road_or_fire: bool
    deaths: int
    serious_injuries: int
    minor_injuries: int
    missing: int
    direct_loss_yuan: str = Field(description="Yuan, exact decimal.")
    grade: str = Field(description="general, larger, major or especially_major (第三条).")
    grade_label: str
    decided_by: list[str] = Field(
        description="The criteria that decide the grade: deaths, serious_injuries, direct_loss."
    )
    state: str
    state_label: str
    late_quick_report: bool = Field(description="Reported more than one hour after learned_at.")
    concealed: bool
    version: int


class AccidentPage(Schema):
    count: int
    items: list[AccidentOut]


class AccidentReportOut(Schema):
    number: int
    kind: str = Field(description="quick or followup.")
    at: dt.datetime
    by: str
    late: bool
    deaths: int
    serious_injuries: int
    minor_injuries: int
    missing: int
    direct_loss_yuan: str
    grade: str
    decided_by: list[str]
    unit_overview: str
    course: str
    measures: str
    other: str


class AccidentDeadlinesOut(Schema):
    quick_report_due: dt.datetime
    quick_report_late: bool
    followup_window_days: int
    followup_ends: dt.date = Field(description="Last day (inclusive) of the follow-up window.")
    investigation_due: dt.date | None
    investigation_overdue: bool


class AccidentChecklistOut(Schema):
    causes_found: bool
    responsible_dealt_with: bool
    measures_taken: bool
    people_educated: bool


class AccidentInvestigationOut(Schema):
    level: str = Field(description="county, city, province or state_council (第十九条).")
    opened_at: dt.datetime
    due_on: dt.date
    extension_days: int
    extension_reason: str
    findings: str
    causes: str
    lessons: str
    measures: str
    checklist: AccidentChecklistOut
    closed_at: dt.datetime | None


class AccidentAccountableOut(Schema):
    name: str
    position: str
    measure: str
    basis: str


class AccidentEventOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str
    at: dt.datetime
    note: str


class AccidentDetail(AccidentOut):
    reports: list[AccidentReportOut]
    deadlines: AccidentDeadlinesOut
    investigation: AccidentInvestigationOut | None
    accountable_persons: list[AccidentAccountableOut]
    events: list[AccidentEventOut]
    actions: list[str] = Field(description="The steps you may take now.")


def _figure_fields() -> dict[str, Any]:
    """Each metric of anjian.accidents.statistics.METRICS this period, last year, the
    change and the change in per cent; then the workforce and the per-thousand rates."""
    out: dict[str, Any] = {}
    for name in st.METRICS:
        money = name == "direct_loss_yuan"
        kind: Any = str if money else int
        what = "Yuan, exact decimal." if money else "A count."
        out[name] = (kind, Field(description=f"This period. {what}"))
        out[f"{name}_prev"] = (kind, Field(description="The same days one year earlier."))
        out[f"{name}_change"] = (kind, Field(description="This period minus last year."))
        out[f"{name}_pct"] = (
            str | None,
            Field(
                description="The change in per cent of last year, one decimal; null when it was 0."
            ),
        )
    out["workforce"] = (
        int | None,
        Field(description="Registered employees of the group's enterprises; null: none known."),
    )
    for name, what in (("deaths", "Deaths"), ("serious", "Serious injuries")):
        out[f"per_thousand_{name}"] = (
            str | None,
            Field(
                description=f"{what} at registered enterprises per 1,000 registered "
                "employees (GB 6441-86), four decimals; null without a workforce."
            ),
        )
    return out


AccidentFigureValues = create_model(
    "AccidentFigureValues",
    __base__=Schema,
    __doc__="One group's (or the total's) figures.",
    **_figure_fields(),
)


class AccidentFigureGroup(AccidentFigureValues):  # type: ignore[misc, valid-type]
    key: int | str | None = Field(
        description="Division, industry or department id; type or grade code; "
        '"no-enterprise"; null: none.'
    )
    label: str


class AccidentTrendMonth(Schema):
    month: str = Field(description="YYYY-MM.")
    accidents: int
    deaths: int


class AccidentStatisticsOut(Schema):
    period: str
    group_by: str
    from_: dt.date = Field(alias="from", description="This period's first day.")
    to: dt.date = Field(description="This period's last day: the period's end or today.")
    last_year_from: dt.date
    last_year_to: dt.date
    within: AccidentRef | None = Field(description="The division whose subtree counts.")
    groups: list[AccidentFigureGroup]
    total: AccidentFigureValues  # type: ignore[valid-type]
    trend: list[AccidentTrendMonth] = Field(description="The last 24 months, oldest first.")


# --- inputs ---------------------------------------------------------------------------------


class AccidentFilters(Schema):
    grade: GradeCode | None = None
    type: TypeCode | None = Field(None, description="GB 6441-86 accident type code.")
    state: StateCode | None = None
    enterprise: Id | None = Field(None, description="Enterprise id.")
    division: Id | None = Field(None, description="Division id (exactly; not its subtree).")
    from_: dt.date | None = Field(None, alias="from", description="Occurred on or after.")
    to: dt.date | None = Field(None, description="Occurred on or before (inclusive).")
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


_COUNT = {"type": "integer", "minimum": 0}
_TEXT = {"type": "string", "maxLength": 4000}


class AccidentFiguresIn(BaseModel):
    """Any JSON value per field at parse time: the service checks the whole report and
    answers every problem at once, by field."""

    model_config = ConfigDict(extra="forbid")

    deaths: Lenient(_COUNT) = 0
    serious_injuries: Lenient(
        {**_COUNT, "description": "Including acute industrial poisoning."}
    ) = 0
    minor_injuries: Lenient(_COUNT) = 0
    missing: Lenient(_COUNT) = 0
    direct_loss_yuan: Lenient(
        {"type": ["number", "string"], "minimum": 0, "description": "Yuan; an estimate."}
    ) = 0
    unit_overview: Lenient(_TEXT) = ""
    course: Lenient({**_TEXT, "description": "The brief course of events (required)."}) = ""
    measures: Lenient({**_TEXT, "description": "Measures taken."}) = ""
    other: Lenient(_TEXT) = ""


class AccidentQuickReportIn(AccidentFiguresIn):
    occurred_at: Lenient({"type": "string", "format": "date-time"}) = None
    learned_at: Lenient(
        {
            "type": "string",
            "format": "date-time",
            "description": "When the unit's head learned of it: the report is due within 1 h.",
        }
    ) = None
    place: Lenient({"type": "string", "maxLength": 255}) = None
    gb6441_type: Lenient({"type": "string", "description": "GB 6441-86 type, 01–20."}) = None
    division: Lenient(
        {
            "type": "integer",
            "minimum": 1,
            "description": "Where it happened; default: the enterprise's division.",
        }
    ) = None
    enterprise: Lenient(
        {
            "type": "integer",
            "minimum": 1,
            "description": "The enterprise; enterprise staff: their own (the default).",
        }
    ) = None
    industry: Lenient(
        {"type": "integer", "minimum": 1, "description": "Default: the enterprise's."}
    ) = None
    road_or_fire: Lenient(
        {"type": "boolean", "description": "Road traffic or fire: a 7-day follow-up window."}
    ) = False
    latitude: Lenient({"type": ["number", "string"], "minimum": -90, "maximum": 90}) = None
    longitude: Lenient({"type": ["number", "string"], "minimum": -180, "maximum": 180}) = None


_VERSION = Lenient(
    {
        "type": "integer",
        "description": "The accident's version you read: a stale one answers 409.",
    }
)


class AccidentFollowupIn(AccidentFiguresIn):
    version: _VERSION = None


# The steps' bodies: the fields of the detail page's forms (anjian.accidents.forms), any
# JSON value per field at parse time (the services check them all at once, by field),
# except the four boxes of the close-out, which are true or false.


class AccidentInvestigateIn(BaseModel):
    """Open the investigation (立案调查): the level and the due day follow from the grade
    and the day of the accident; nothing else to send. Send {} to skip the version check."""

    model_config = ConfigDict(extra="forbid")

    version: _VERSION = None


class AccidentExtendIn(BaseModel):
    """Extend the investigation, once (第二十九条)."""

    model_config = ConfigDict(extra="forbid")

    days: Lenient(
        {
            "type": "integer",
            "minimum": 1,
            "maximum": grading.INVESTIGATION_MAX_EXTENSION_DAYS,
            "description": "The extension in days (required).",
        }
    ) = None
    reason: Lenient({**_TEXT, "description": "Why (required)."}) = None
    version: _VERSION = None


class AccidentAccountableIn(BaseModel):
    """A person held accountable, found by the investigation."""

    model_config = ConfigDict(extra="forbid")

    name: Lenient({"type": "string", "maxLength": 64, "description": "Required."}) = None
    position: Lenient(
        {"type": "string", "maxLength": 128, "description": "Role or position (required)."}
    ) = None
    measure: Lenient({**_TEXT, "description": "The measure taken (required)."}) = None
    basis: Lenient({**_TEXT, "description": "The legal or disciplinary basis."}) = None
    version: _VERSION = None


_NOTE = Lenient({"type": "string", "maxLength": 1000})
_BOX = Annotated[bool, Strict()]


class AccidentCloseIn(BaseModel):
    """The close-out (四不放过): every one of the four boxes must be true, each with an
    optional note."""

    model_config = ConfigDict(extra="forbid")

    findings: Lenient({**_TEXT, "description": "Investigation findings."}) = None
    causes: Lenient({**_TEXT, "description": "The causes (required)."}) = None
    lessons: Lenient(_TEXT) = None
    measures: Lenient({**_TEXT, "description": "Corrective measures."}) = None
    causes_found: _BOX = Field(False, description="The causes are found (原因未查清不放过).")
    causes_found_note: _NOTE = None
    responsible_dealt_with: _BOX = Field(
        False, description="Those responsible are dealt with (责任人员未处理不放过)."
    )
    responsible_dealt_with_note: _NOTE = None
    measures_taken: _BOX = Field(
        False, description="The corrective measures are taken (整改措施未落实不放过)."
    )
    measures_taken_note: _NOTE = None
    people_educated: _BOX = Field(
        False, description="The people are educated (有关人员未受到教育不放过)."
    )
    people_educated_note: _NOTE = None
    version: _VERSION = None


class AccidentWithdrawIn(BaseModel):
    """Withdraw a quick report made by mistake (kept, never deleted)."""

    model_config = ConfigDict(extra="forbid")

    reason: Lenient({**_TEXT, "description": "Why (required)."}) = None
    version: _VERSION = None


class AccidentConcealIn(BaseModel):
    """Flag the accident as concealed (瞒报), once."""

    model_config = ConfigDict(extra="forbid")

    note: Lenient({**_TEXT, "description": "How it was found (required)."}) = None
    version: _VERSION = None


PERIOD_DOC = 'A quarter ("2026Q1") or a year ("2026"); default: this year.'


class AccidentStatisticsFilters(Schema):
    period: str | None = Field(None, max_length=16, description=PERIOD_DOC)
    group_by: GroupBy = Field(
        "division", description="division, industry, department (lead), type or grade."
    )
    within: Id | None = Field(
        None,
        description="Division grouping: the children of this division of your "
        "jurisdiction (another one: your own division's).",
    )


# --- helpers --------------------------------------------------------------------------------


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _ref(row: Any) -> dict[str, Any] | None:
    return None if row is None else {"id": row.pk, "name": row.name}


def _accident_out(a: Accident) -> dict[str, Any]:
    return {
        "id": a.pk,
        "occurred_at": a.occurred_at,
        "learned_at": a.learned_at,
        "reported_at": a.reported_at,
        "place": a.place,
        "latitude": None if a.latitude is None else str(a.latitude),
        "longitude": None if a.longitude is None else str(a.longitude),
        "division": _ref(a.division),
        "enterprise": _ref(a.enterprise),
        "industry": _ref(a.industry),
        "gb6441_type": a.gb6441_type,
        "gb6441_type_name": grading.GB6441_TYPE_NAMES.get(a.gb6441_type, ""),
        "road_or_fire": a.road_or_fire,
        "deaths": a.deaths,
        "serious_injuries": a.serious_injuries,
        "minor_injuries": a.minor_injuries,
        "missing": a.missing,
        "direct_loss_yuan": str(a.direct_loss_yuan),
        "grade": a.grade,
        "grade_label": _label(Grade, a.grade),
        "decided_by": list(a.decided_by or []),
        "state": a.state,
        "state_label": _label(State, a.state),
        "late_quick_report": a.late_quick_report,
        "concealed": a.concealed,
        "version": a.version,
    }


def _report_out(r: AccidentReport) -> dict[str, Any]:
    return {
        "number": r.number,
        "kind": r.kind,
        "at": r.at,
        "by": r.by_label,
        "late": r.late,
        "deaths": r.deaths,
        "serious_injuries": r.serious_injuries,
        "minor_injuries": r.minor_injuries,
        "missing": r.missing,
        "direct_loss_yuan": str(r.direct_loss_yuan),
        "grade": r.grade,
        "decided_by": list(r.decided_by or []),
        "unit_overview": r.unit_overview,
        "course": r.course,
        "measures": r.measures,
        "other": r.other,
    }


def _scoped(request: HttpRequest):
    return services.visible_accidents(caller(request)).select_related(
        "division", "enterprise", "industry"
    )


def _detail(request: HttpRequest, accident_id: int) -> dict[str, Any]:
    user = caller(request)
    accident = _scoped(request).filter(pk=accident_id).first() if valid_id(accident_id) else None
    if accident is None:
        raise NotFound(_("No such accident in your scope."))
    inv = Investigation.objects.filter(accident=accident).first()
    d = services.deadlines(accident, inv)
    return {
        **_accident_out(accident),
        "reports": [_report_out(r) for r in accident.reports.order_by("number")],
        "deadlines": {
            "quick_report_due": d.quick_report_due,
            "quick_report_late": d.quick_report_late,
            "followup_window_days": d.followup_window_days,
            "followup_ends": d.followup_ends,
            "investigation_due": d.investigation_due,
            "investigation_overdue": d.investigation_overdue,
        },
        "investigation": None
        if inv is None
        else {
            "level": inv.level,
            "opened_at": inv.opened_at,
            "due_on": inv.due_on,
            "extension_days": inv.extension_days,
            "extension_reason": inv.extension_reason,
            "findings": inv.findings,
            "causes": inv.causes,
            "lessons": inv.lessons,
            "measures": inv.measures,
            "checklist": {box: getattr(inv, box) for box in services.CHECKLIST},
            "closed_at": inv.closed_at,
        },
        "accountable_persons": [
            {"name": p.name, "position": p.position, "measure": p.measure, "basis": p.basis}
            for p in accident.accountable_persons.order_by("pk")
        ],
        "events": [
            {
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "actor": e.actor_label,
                "at": e.at,
                "note": e.note,
            }
            for e in accident.events.order_by("at", "pk")
        ],
        "actions": services.available(user, accident, inv),
    }


def _figures(payload: AccidentFiguresIn) -> dict[str, Any]:
    return {
        name: getattr(payload, name)
        for name in (
            *services.FIGURE_FIELDS,
            "direct_loss_yuan",
            *services.TEXT_FIELDS,
        )
    }


def _known(accident_id: int) -> None:
    """An id no row can have answers 404 before any query (like one outside your scope)."""
    if not valid_id(accident_id):
        raise NotFound(_("No such accident in your scope."))


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    # Decimals as exact text (never floats, never exponents), as everywhere in the API.
    return {k: format(v, "f") if isinstance(v, Decimal) else v for k, v in values.items()}


def _statistics_out(figures: st.Figures) -> dict[str, Any]:
    data = figures.as_dict()
    data["groups"] = [_plain(g) for g in data["groups"]]
    data["total"] = _plain(data["total"])
    return data


def _period(value: str | None, today: dt.date) -> periods.Period:
    if value is None:
        return periods.year_of(today)
    try:
        return periods.parse(value)
    except periods.PeriodError:
        raise ValidationFailed(
            {"period": [_("Enter a quarter such as 2026Q1 or a year such as 2026.")]}
        ) from None


# --- endpoints ------------------------------------------------------------------------------


@router.get(
    "/accidents",
    response={200: AccidentPage, 422: ValidationErrorOut},
    summary="Accidents in your scope, newest first",
)
def accident_list(request: HttpRequest, filters: Query[AccidentFilters]) -> dict[str, Any]:
    start, end = day_bounds(filters.from_, filters.to)
    qs = _scoped(request)
    if filters.grade:
        qs = qs.filter(grade=filters.grade)
    if filters.type:
        qs = qs.filter(gb6441_type=filters.type)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.enterprise:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.division:
        qs = qs.filter(division_id=filters.division)
    if start:
        qs = qs.filter(occurred_at__gte=start)
    if end:
        qs = qs.filter(occurred_at__lt=end)
    result = page(qs.order_by("-occurred_at", "-pk"), filters.limit, filters.offset)
    return {"count": result["count"], "items": [_accident_out(a) for a in result["items"]]}


@router.get(
    "/accidents/statistics",
    response={200: AccidentStatisticsOut, 403: ErrorOut, 422: ValidationErrorOut},
    by_alias=True,
    summary="Accident figures of your jurisdiction for a quarter or a year against the same "
    "days last year, grouped (the statistics page's)",
)
def accident_statistics(
    request: HttpRequest, filters: Query[AccidentStatisticsFilters]
) -> dict[str, Any]:
    user = caller(request)
    if not (scoping.is_active_user(user) and user.role in REGISTRY_ROLES):
        raise Forbidden(_("Your role does not use this page."))
    today = timezone.localdate()
    figures = st.accident_figures(
        user,
        _period(filters.period, today),
        filters.group_by,
        within=filters.within,
        today=today,
    )
    return _statistics_out(figures)


@router.get(
    "/accidents/{accident_id}",
    response={200: AccidentDetail, 404: ErrorOut},
    summary="One accident with its report versions, deadlines and investigation",
)
def accident_detail(request: HttpRequest, accident_id: int) -> dict[str, Any]:
    return _detail(request, accident_id)


@router.post(
    "/accidents",
    response={201: AccidentDetail, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Quick report of an accident (快报): due within one hour of the head learning of it",
)
def accident_report(request: HttpRequest, payload: AccidentQuickReportIn) -> Any:
    accident = services.accident_report(
        actor=actor(request),
        occurred_at=payload.occurred_at,
        learned_at=payload.learned_at,
        place=payload.place,
        gb6441_type=payload.gb6441_type,
        division_id=payload.division,
        enterprise_id=payload.enterprise,
        industry_id=payload.industry,
        road_or_fire=payload.road_or_fire,
        latitude=payload.latitude,
        longitude=payload.longitude,
        **_figures(payload),
    )
    return Status(201, _detail(request, accident.pk))


@router.post(
    "/accidents/{accident_id}/followups",
    response={
        200: AccidentDetail,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Follow-up report (续报): the figures as now known, graded again",
)
def accident_followup(request: HttpRequest, accident_id: int, payload: AccidentFollowupIn) -> Any:
    return _step(
        request,
        accident_id,
        services.accident_followup,
        expected_version=payload.version,
        **_figures(payload),
    )


# --- the steps after the reports (workflow.py) ----------------------------------------------

_STEP_RESPONSES = {
    200: AccidentDetail,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}


def _step(request: HttpRequest, accident_id: int, service: Any, **fields: Any) -> dict[str, Any]:
    """One workflow step: the accident's id checked, the service called with the payload's
    fields (it checks scope, version, state and party), the accident as it now is."""
    _known(accident_id)
    service(actor=actor(request), accident_id=accident_id, **fields)
    return _detail(request, accident_id)


@router.post(
    "/accidents/{accident_id}/investigate",
    response=_STEP_RESPONSES,
    summary="Open the investigation (立案调查; the authority where it happened)",
)
def accident_investigate(
    request: HttpRequest, accident_id: int, payload: AccidentInvestigateIn
) -> dict[str, Any]:
    return _step(
        request, accident_id, services.accident_investigate, expected_version=payload.version
    )


@router.post(
    "/accidents/{accident_id}/extend",
    response=_STEP_RESPONSES,
    summary="Extend the investigation once, by at most 60 days, with a reason",
)
def accident_extend(
    request: HttpRequest, accident_id: int, payload: AccidentExtendIn
) -> dict[str, Any]:
    return _step(
        request,
        accident_id,
        services.investigation_extend,
        days=payload.days,
        reason=payload.reason,
        expected_version=payload.version,
    )


@router.post(
    "/accidents/{accident_id}/accountable",
    response=_STEP_RESPONSES,
    summary="Record a person held accountable (during the investigation)",
)
def accident_accountable(
    request: HttpRequest, accident_id: int, payload: AccidentAccountableIn
) -> dict[str, Any]:
    return _step(
        request,
        accident_id,
        services.accident_accountable_add,
        name=payload.name,
        position=payload.position,
        measure=payload.measure,
        basis=payload.basis,
        expected_version=payload.version,
    )


@router.post(
    "/accidents/{accident_id}/close",
    response=_STEP_RESPONSES,
    summary="Close the investigation (四不放过: all four boxes true)",
)
def accident_close(
    request: HttpRequest, accident_id: int, payload: AccidentCloseIn
) -> dict[str, Any]:
    return _step(
        request,
        accident_id,
        services.investigation_close,
        causes=payload.causes,
        lessons=payload.lessons,
        measures=payload.measures,
        findings=payload.findings,
        checklist={box: getattr(payload, box) for box in services.CHECKLIST},
        notes={box: getattr(payload, f"{box}_note") for box in services.CHECKLIST},
        expected_version=payload.version,
    )


@router.post(
    "/accidents/{accident_id}/withdraw",
    response=_STEP_RESPONSES,
    summary="Withdraw a quick report made by mistake (before any investigation; kept)",
)
def accident_withdraw(
    request: HttpRequest, accident_id: int, payload: AccidentWithdrawIn
) -> dict[str, Any]:
    return _step(
        request,
        accident_id,
        services.accident_withdraw,
        reason=payload.reason,
        expected_version=payload.version,
    )


@router.post(
    "/accidents/{accident_id}/conceal",
    response=_STEP_RESPONSES,
    summary="Flag the accident as concealed (瞒报; the authority, once)",
)
def accident_conceal(
    request: HttpRequest, accident_id: int, payload: AccidentConcealIn
) -> dict[str, Any]:
    return _step(
        request,
        accident_id,
        services.accident_mark_concealed,
        note=payload.note,
        expected_version=payload.version,
    )

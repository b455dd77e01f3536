"""Accidents over HTTP (issue 13 items 1 and 9), scoped by
anjian.core.scoping.visible_accidents (regulators: their division subtree; enterprise
staff: their own enterprise's; anyone else nothing, and an id outside your scope answers
404 like an unknown one).

* GET /accidents: newest first, filters grade, type (GB 6441 code), state, enterprise,
  division, from/to (the day it occurred);
* GET /accidents/{id}: one accident with its report versions, grade and why, deadlines,
  investigation, persons held accountable, history and the steps you may take now;
* POST /accidents: the quick report (快报); the server's clock is the time of the
  report; the grade is computed (国务院令第493号 第三条), never sent;
* POST /accidents/{id}/followups: a follow-up report (续报) with the figures as now
  known: the next version, graded again, flagged late after the 30-day (road traffic and
  fire: 7-day) window.

Refusals: 422 with field messages, 403 (not yours to do), 404, 409 (stale version or a
step the accident's state does not allow).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict

from anjian.accidents import grading, services
from anjian.accidents.models import Accident, AccidentReport, Grade, Investigation, State
from anjian.core.errors import NotFound

from .checks import day_bounds, valid_id
from .common import actor, caller, page
from .schemas import MAX_PAGE_SIZE, ErrorOut, Id, Lenient, Offset, ValidationErrorOut

router = Router(tags=["accidents"])

GradeCode = Literal[tuple(Grade.values)]  # type: ignore[valid-type]
StateCode = Literal[tuple(State.values)]  # type: ignore[valid-type]
TypeCode = Literal[tuple(code for code, _n in grading.GB6441_TYPES)]  # type: ignore[valid-type]


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


class AccidentFollowupIn(AccidentFiguresIn):
    version: Lenient(
        {
            "type": "integer",
            "description": "The accident's version you read: a stale one answers 409.",
        }
    ) = None


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
    if not valid_id(accident_id):
        raise NotFound(_("No such accident in your scope."))
    services.accident_followup(
        actor=actor(request),
        accident_id=accident_id,
        expected_version=payload.version,
        **_figures(payload),
    )
    return _detail(request, accident_id)

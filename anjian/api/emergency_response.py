"""The one-click emergency response over HTTP (issue 14 item 4), scoped by
anjian.core.scoping.visible (incidents are placed by a division: regulators see their
subtree, enterprise staff their own enterprise's; an id outside your scope answers 404).

* GET /emergency/incidents: newest first, filters state and type; paged;
* POST /emergency/incidents: start a response (anjian.emergency.response_services
  .incident_start): from a point (latitude, longitude), an alarm or an accident;
* GET /emergency/incidents/{id}: the incident, its activated plans, the calls and the
  matched resources (nearest teams, experts, warehouses with fitting supplies,
  shelters, each with distance km and ETA minutes);
* POST /emergency/incidents/{id}/calls: call resources ({"targets": [{"kind", "id"}]});
* POST /emergency/calls/{id}/answer: accepted, arrived or declined;
* POST /emergency/incidents/{id}/notes: a line on the timeline;
* POST /emergency/incidents/{id}/close: the close-out (outcome, casualties, lessons);
* GET /emergency/incidents/{id}/timeline: the events and calls (what the page polls).

Refusals: 422 with field messages, 403, 404, 409 (closed incident, a target called
twice, an answer its call's state does not allow).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict, Strict

from anjian.core.errors import NotFound
from anjian.emergency import response_services as rs
from anjian.emergency.models import GB6441_TYPES, Incident, IncidentState

from .checks import valid_id
from .common import actor, caller, page
from .schemas import MAX_PAGE_SIZE, ErrorOut, Lenient, Offset, ValidationErrorOut

router = Router(tags=["emergency"])

TypeCode = Literal[tuple(code for code, _n in GB6441_TYPES)]  # type: ignore[valid-type]
StateCode = Literal[tuple(IncidentState.values)]  # type: ignore[valid-type]


class IncidentRef(Schema):
    id: int
    name: str


class IncidentOut(Schema):
    id: int
    title: str
    place: str
    latitude: str
    longitude: str
    accident_type: str = Field(description="GB 6441-86 type, 01–20.")
    accident_type_name: str
    response_level: str = Field(description="I–IV or empty.")
    source: str = Field(description="entered, alarm or accident.")
    alarm: int | None
    accident: int | None
    division: IncidentRef
    enterprise: IncidentRef | None
    state: str = Field(description="active or closed.")
    started_at: dt.datetime
    closed_at: dt.datetime | None


class IncidentPage(Schema):
    count: int
    items: list[IncidentOut]


class ResponseSupplyOut(Schema):
    kind: int
    name: str
    unit: str
    quantity: int


class ResponseResourceOut(Schema):
    kind: str = Field(description="team, expert, warehouse or shelter.")
    id: int
    name: str
    km: float = Field(description="Great-circle distance (or the road provider's), km.")
    eta_minutes: int = Field(description="Turn-out time plus travel, rounded up.")
    phone: str
    fits: bool = Field(description="Its speciality (or supplies) fits the incident's type.")
    latitude: float
    longitude: float
    by_road: bool
    supplies: list[ResponseSupplyOut]


class ResponseMatchOut(Schema):
    specialities: list[str]
    teams: list[ResponseResourceOut]
    experts: list[ResponseResourceOut]
    warehouses: list[ResponseResourceOut]
    shelters: list[ResponseResourceOut]


class IncidentPlanOut(Schema):
    id: int
    title: str
    kind: str
    version: int
    state: str


class ResponseCallOut(Schema):
    id: int
    kind: str
    target_id: int | None
    name: str
    phone: str
    km: str | None
    eta_minutes: int | None
    answer: str = Field(description="waiting, accepted, arrived or declined.")
    called_at: dt.datetime
    answered_at: dt.datetime | None
    arrived_at: dt.datetime | None
    next: list[str] = Field(description="The answers that may follow.")


class IncidentEventOut(Schema):
    id: int
    action: str
    at: dt.datetime
    actor: str
    note: str
    name: str
    phone: str


class IncidentTimelineOut(Schema):
    incident: int
    state: str
    events: list[IncidentEventOut]
    calls: list[ResponseCallOut]


class IncidentDetail(IncidentOut):
    outcome: str
    casualties: str
    lessons: str
    plans: list[IncidentPlanOut]
    calls: list[ResponseCallOut]
    matched: ResponseMatchOut


class IncidentFilters(Schema):
    state: StateCode | None = None
    type: TypeCode | None = Field(None, description="GB 6441 code.")
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


_TEXT = {"type": "string", "maxLength": 4000}


class IncidentStartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Lenient({"type": "string", "maxLength": 200}) = None
    place: Lenient({"type": "string", "maxLength": 255}) = None
    latitude: Lenient({"type": ["number", "string"], "minimum": -90, "maximum": 90}) = None
    longitude: Lenient({"type": ["number", "string"], "minimum": -180, "maximum": 180}) = None
    accident_type: Lenient({"type": "string", "description": "GB 6441-86 type, 01–20."}) = None
    response_level: Lenient({"type": "string", "enum": ["", "I", "II", "III", "IV"]}) = None
    enterprise: Lenient({"type": "integer", "minimum": 1}) = None
    division: Lenient(
        {"type": "integer", "minimum": 1, "description": "Default: the enterprise's division."}
    ) = None
    source: Lenient({"type": "string", "enum": ["entered", "alarm", "accident"]}) = None
    alarm: Lenient({"type": "integer", "minimum": 1}) = None
    accident: Lenient({"type": "integer", "minimum": 1}) = None


class ResponseTargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["team", "expert", "warehouse", "shelter"]
    id: int = Field(ge=1, le=2**63 - 1)


class IncidentCallsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    targets: list[ResponseTargetIn] = Field(min_length=1, max_length=50)


class CallAnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: Literal["accepted", "arrived", "declined"]


class IncidentNoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Lenient({"type": "string", "maxLength": 1000}) = None


class IncidentCloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Lenient({**_TEXT, "description": "What happened and how it ended (required)."}) = None
    casualties: Lenient(_TEXT) = None
    lessons: Lenient(_TEXT) = None
    revise_plans: Annotated[bool, Strict()] = Field(
        False, description="Raise a revision trigger from the lessons on each activated plan."
    )


def _ref(row: Any) -> dict[str, Any] | None:
    return None if row is None else {"id": row.pk, "name": row.name}


def _incident_out(i: Incident) -> dict[str, Any]:
    return {
        "id": i.pk,
        "title": i.title,
        "place": i.place,
        "latitude": format(i.latitude, "f"),
        "longitude": format(i.longitude, "f"),
        "accident_type": i.accident_type,
        "accident_type_name": rs.TYPE_NAMES.get(i.accident_type, ""),
        "response_level": i.response_level,
        "source": i.source,
        "alarm": i.alarm_id,
        "accident": i.accident_id,
        "division": _ref(i.division),
        "enterprise": _ref(i.enterprise),
        "state": i.state,
        "started_at": i.started_at,
        "closed_at": i.closed_at,
    }


def _resource(r: rs.Ranked) -> dict[str, Any]:
    return {
        "kind": r.kind,
        "id": r.id,
        "name": r.name,
        "km": r.km,
        "eta_minutes": r.minutes,
        "phone": r.phone,
        "fits": r.fits,
        "latitude": r.latitude,
        "longitude": r.longitude,
        "by_road": r.by_road,
        "supplies": r.supplies,
    }


def _detail(request: HttpRequest, incident_id: int) -> dict[str, Any]:
    user = caller(request)
    incident = rs.incident_for(user, incident_id)
    found = rs.incident_match(incident, viewer=user)
    return {
        **_incident_out(incident),
        "outcome": incident.outcome,
        "casualties": incident.casualties,
        "lessons": incident.lessons,
        "plans": [
            {"id": p.pk, "title": p.title, "kind": p.kind, "version": p.version, "state": p.state}
            for p in incident.plans.order_by("kind", "pk")
        ],
        "calls": rs.timeline(incident)["calls"],
        "matched": {
            "specialities": list(found.specialities),
            "teams": [_resource(r) for r in found.teams],
            "experts": [_resource(r) for r in found.experts],
            "warehouses": [_resource(r) for r in found.warehouses],
            "shelters": [_resource(r) for r in found.shelters],
        },
    }


def _known(incident_id: int) -> None:
    if not valid_id(incident_id):
        raise NotFound(_("No such incident in your scope."))


_STEP = {200: IncidentDetail, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


@router.get(
    "/emergency/incidents",
    response={200: IncidentPage, 422: ValidationErrorOut},
    summary="Incidents (emergency responses) in your scope, newest first",
)
def incident_list(request: HttpRequest, filters: Query[IncidentFilters]) -> dict[str, Any]:
    qs = rs.visible_incidents(caller(request)).select_related("division", "enterprise")
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.type:
        qs = qs.filter(accident_type=filters.type)
    result = page(qs.order_by("-started_at", "-pk"), filters.limit, filters.offset)
    return {"count": result["count"], "items": [_incident_out(i) for i in result["items"]]}


@router.post(
    "/emergency/incidents",
    response={201: IncidentDetail, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Start a response (one click): the matching plans and the nearest resources",
)
def incident_start(request: HttpRequest, payload: IncidentStartIn) -> Any:
    incident = rs.incident_start(actor=actor(request), data=payload.model_dump())
    return Status(201, _detail(request, incident.pk))


@router.get(
    "/emergency/incidents/{incident_id}",
    response={200: IncidentDetail, 404: ErrorOut},
    summary="One incident with its plans, calls and the matched resources",
)
def incident_detail(request: HttpRequest, incident_id: int) -> dict[str, Any]:
    _known(incident_id)
    return _detail(request, incident_id)


@router.post(
    "/emergency/incidents/{incident_id}/calls",
    response=_STEP,
    summary="Call resources (each once per incident); the accounts behind them are notified",
)
def incident_call(
    request: HttpRequest, incident_id: int, payload: IncidentCallsIn
) -> dict[str, Any]:
    _known(incident_id)
    rs.incident_call(
        actor=actor(request),
        incident_id=incident_id,
        targets=[t.model_dump() for t in payload.targets],
    )
    return _detail(request, incident_id)


@router.post(
    "/emergency/calls/{call_id}/answer",
    response={
        200: ResponseCallOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Record a call's answer: accepted (on the way), arrived or declined",
)
def call_answer(request: HttpRequest, call_id: int, payload: CallAnswerIn) -> dict[str, Any]:
    if not valid_id(call_id):
        raise NotFound(_("No such call."))
    call = rs.call_answer(actor=actor(request), call_id=call_id, answer=payload.answer)
    calls = rs.timeline(call.incident)["calls"]
    return next(c for c in calls if c["id"] == call.pk)


@router.post(
    "/emergency/incidents/{incident_id}/notes",
    response={
        201: IncidentTimelineOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Write a line on the incident's timeline",
)
def incident_note(request: HttpRequest, incident_id: int, payload: IncidentNoteIn) -> Any:
    _known(incident_id)
    rs.incident_note(actor=actor(request), incident_id=incident_id, note=payload.note)
    return Status(201, rs.timeline(rs.incident_for(caller(request), incident_id)))


@router.post(
    "/emergency/incidents/{incident_id}/close",
    response=_STEP,
    summary="Close the response with its close-out report",
)
def incident_close(
    request: HttpRequest, incident_id: int, payload: IncidentCloseIn
) -> dict[str, Any]:
    _known(incident_id)
    rs.incident_close(
        actor=actor(request),
        incident_id=incident_id,
        outcome=payload.outcome,
        casualties=payload.casualties,
        lessons=payload.lessons,
        revise_plans=payload.revise_plans,
    )
    return _detail(request, incident_id)


@router.get(
    "/emergency/incidents/{incident_id}/timeline",
    response={200: IncidentTimelineOut, 404: ErrorOut},
    summary="The incident's timeline and calls (polled by the live page)",
)
def incident_timeline(request: HttpRequest, incident_id: int) -> dict[str, Any]:
    _known(incident_id)
    return rs.timeline(rs.incident_for(caller(request), incident_id))

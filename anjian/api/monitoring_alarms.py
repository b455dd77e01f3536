"""Monitoring alarms over HTTP: the alarms in your scope (filters: state, level,
enterprise, since), one alarm with its history and what you may do next, and the steps
acknowledge / handle / close (anjian.monitoring.workflow) with the version you read.
Handling takes JSON, or multipart/form-data with the evidence photo as `photo`.

Reads start from `scoping.visible`; writes go through anjian.monitoring.services, whose
refusals answer 422 / 404 / 403 / 409 with the services' messages. An alarm outside the
caller's scope answers 404 exactly like an unknown one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from pydantic import BaseModel, ConfigDict

from anjian.core import uploads
from anjian.core.errors import NotFound, ValidationFailed
from anjian.core.times import EARLIEST_YEAR, LATEST_YEAR, utc_instant
from anjian.monitoring import services
from anjian.monitoring import workflow as wf
from anjian.monitoring.models import Alarm, AlarmLevel, AlarmState

from .common import actor, caller, page
from .schemas import MAX_DB_INT, MAX_PAGE_SIZE, ErrorOut, Id, Lenient, Offset, ValidationErrorOut

router = Router(tags=["monitoring"])


class AlarmEventOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str = Field(alias="actor_label")
    via: str
    at: dt.datetime
    note: str
    data: dict[str, Any]


class AlarmOut(Schema):
    id: int
    point_id: int
    point: str
    point_name: str
    enterprise_id: int
    enterprise: str
    condition: str
    level: str
    setpoint: str
    value: float | None
    peak: float | None
    raised_at: dt.datetime
    cleared_at: dt.datetime | None
    state: str
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None
    handled_by: str | None
    handled_at: dt.datetime | None
    handling: str
    has_photo: bool
    closed_by: str | None
    closed_at: dt.datetime | None
    escalation_step: int
    hazard_id: int | None
    version: int = Field(description="Send it back as expected_version with the next step.")


class AlarmDetail(AlarmOut):
    actions: list[str] = Field(description="The steps you may take now.")
    events: list[AlarmEventOut]


class AlarmPage(Schema):
    count: int
    items: list[AlarmOut]


class AlarmFilters(Schema):
    state: Literal["raised", "acknowledged", "handled", "closed", "open"] | None = Field(
        None, description='"open" means not closed.'
    )
    level: Literal["red", "orange", "yellow", "blue"] | None = None
    enterprise_id: Id | None = None
    point_id: Id | None = None
    active: bool | None = Field(None, description="true: condition still present.")
    since: dt.datetime | None = Field(None, description="Raised at or after (ISO 8601).")
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class _AlarmBody(BaseModel):
    model_config = ConfigDict(extra="allow")

    def sent(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


_VERSION = Lenient(
    {
        "type": "integer",
        "minimum": 0,
        "description": "The version you read; if the alarm moved since, 409.",
    }
)
_TEXT = Lenient({"type": "string"})


class AcknowledgeIn(_AlarmBody):
    expected_version: _VERSION = None
    note: _TEXT = None


class HandleIn(_AlarmBody):
    expected_version: _VERSION = None
    handling: Lenient({"type": "string", "description": "What was done (required)."}) = None


class CloseIn(_AlarmBody):
    expected_version: _VERSION = None
    note: _TEXT = None


def _name(user: Any) -> str | None:
    return str(user) if user is not None else None


def _out(alarm: Alarm) -> dict[str, Any]:
    return {
        "id": alarm.pk,
        "point_id": alarm.point_id,
        "point": alarm.point.code,
        "point_name": alarm.point.name,
        "enterprise_id": alarm.enterprise_id,
        "enterprise": alarm.enterprise.name,
        "condition": alarm.condition,
        "level": alarm.level,
        "setpoint": alarm.setpoint,
        "value": alarm.value,
        "peak": alarm.peak,
        "raised_at": alarm.raised_at,
        "cleared_at": alarm.cleared_at,
        "state": alarm.state,
        "acknowledged_by": _name(alarm.acknowledged_by),
        "acknowledged_at": alarm.acknowledged_at,
        "handled_by": _name(alarm.handled_by),
        "handled_at": alarm.handled_at,
        "handling": alarm.handling,
        "has_photo": bool(alarm.photo),
        "closed_by": _name(alarm.closed_by),
        "closed_at": alarm.closed_at,
        "escalation_step": alarm.escalation_step,
        "hazard_id": alarm.hazard_id,
        "version": alarm.version,
    }


def _scoped(request: HttpRequest):
    return services.visible_alarms(caller(request)).select_related(
        "point", "enterprise", "acknowledged_by", "handled_by", "closed_by"
    )


def _no_such_alarm() -> NotFound:
    return NotFound(_("No such alarm in your scope."))


def _load(request: HttpRequest, alarm_id: int) -> Alarm:
    if not 1 <= alarm_id <= MAX_DB_INT:
        raise _no_such_alarm()
    alarm = _scoped(request).filter(pk=alarm_id).first()
    if alarm is None:
        raise _no_such_alarm()
    return alarm


def _detail(request: HttpRequest, alarm_id: int) -> dict[str, Any]:
    alarm = _load(request, alarm_id)
    return {
        **_out(alarm),
        "actions": services.available_actions(caller(request), alarm),
        "events": list(alarm.events.order_by("at", "pk")),
    }


def _version(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_DB_INT:
        return value
    raise ValidationFailed({"expected_version": [_("Enter a whole number.")]})


def _refuse_unknown(body: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in unknown})


_WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


@router.get(
    "/monitoring/alarms",
    response={200: AlarmPage, 422: ValidationErrorOut},
    summary="Alarms in your scope, newest first",
)
def alarm_list(request: HttpRequest, filters: Query[AlarmFilters]) -> dict[str, Any]:
    qs = _scoped(request)
    if filters.state == "open":
        qs = qs.exclude(state=AlarmState.CLOSED)
    elif filters.state:
        qs = qs.filter(state=filters.state)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.enterprise_id:
        qs = qs.filter(enterprise_id=filters.enterprise_id)
    if filters.point_id:
        qs = qs.filter(point_id=filters.point_id)
    if filters.active is not None:
        qs = qs.filter(cleared_at__isnull=filters.active)
    if filters.since:
        since = utc_instant(filters.since)
        if since is None:
            raise ValidationFailed(
                {
                    "since": [
                        _("Give the time with its UTC offset, between %(a)s and %(b)s.")
                        % {"a": EARLIEST_YEAR, "b": LATEST_YEAR}
                    ]
                }
            )
        qs = qs.filter(raised_at__gte=since)
    result = page(qs.order_by("-raised_at", "-pk"), filters.limit, filters.offset)
    return {"count": result["count"], "items": [_out(a) for a in result["items"]]}


@router.get(
    "/monitoring/alarms/{alarm_id}",
    response={200: AlarmDetail, 404: ErrorOut},
    summary="One alarm with its history and the steps you may take",
)
def alarm_detail(request: HttpRequest, alarm_id: int) -> dict[str, Any]:
    return _detail(request, alarm_id)


@router.post(
    "/monitoring/alarms/{alarm_id}/acknowledge",
    response={200: AlarmDetail, **_WRITE_ERRORS},
    summary="Acknowledge an alarm (who and when are recorded)",
)
def alarm_acknowledge(request: HttpRequest, alarm_id: int, payload: AcknowledgeIn) -> Any:
    body = payload.sent()
    _load(request, alarm_id)  # scope first: an outsider learns nothing more
    _refuse_unknown(body, {"expected_version", "note"})
    services.alarm_acknowledge(
        actor=actor(request),
        alarm_id=alarm_id,
        expected_version=_version(body.get("expected_version")),
        note=body.get("note") or "",
    )
    return _detail(request, alarm_id)


@router.post(
    "/monitoring/alarms/{alarm_id}/handle",
    response={200: AlarmDetail, **_WRITE_ERRORS},
    summary="Record what was done about an acknowledged alarm (JSON)",
)
def alarm_handle(request: HttpRequest, alarm_id: int, payload: HandleIn) -> Any:
    body = payload.sent()
    _load(request, alarm_id)
    _refuse_unknown(body, {"expected_version", "handling"})
    services.alarm_handle(
        actor=actor(request),
        alarm_id=alarm_id,
        handling=body.get("handling"),
        expected_version=_version(body.get("expected_version")),
    )
    return _detail(request, alarm_id)


@router.post(
    "/monitoring/alarms/{alarm_id}/handle/multipart",
    response={200: AlarmDetail, **_WRITE_ERRORS},
    summary="Record what was done, with an evidence photo (multipart: handling, photo)",
)
def alarm_handle_multipart(
    request: HttpRequest,
    alarm_id: int,
    handling: Form[str] = None,
    expected_version: Form[str] = None,
    photo: File[UploadedFile] = None,
) -> Any:
    _load(request, alarm_id)
    services.alarm_handle(
        actor=actor(request),
        alarm_id=alarm_id,
        handling=handling,
        photo=photo,
        expected_version=_version(expected_version),
    )
    return _detail(request, alarm_id)


@router.post(
    "/monitoring/alarms/{alarm_id}/close",
    response={200: AlarmDetail, **_WRITE_ERRORS},
    summary="Close a handled alarm whose condition has cleared",
)
def alarm_close(request: HttpRequest, alarm_id: int, payload: CloseIn) -> Any:
    body = payload.sent()
    _load(request, alarm_id)
    _refuse_unknown(body, {"expected_version", "note"})
    services.alarm_close(
        actor=actor(request),
        alarm_id=alarm_id,
        expected_version=_version(body.get("expected_version")),
        note=body.get("note") or "",
    )
    return _detail(request, alarm_id)


@router.get(
    "/monitoring/alarms/{alarm_id}/photo",
    response={404: ErrorOut},
    summary="The alarm's evidence photo",
    openapi_extra={
        "responses": {
            200: {
                "description": "The stored image",
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}}
                    for t in ("image/png", "image/jpeg", "image/webp")
                },
            }
        }
    },
)
def alarm_photo(request: HttpRequest, alarm_id: int) -> HttpResponse:
    alarm = _load(request, alarm_id)
    if not alarm.photo:
        raise NotFound(_("Not found."))
    try:
        return uploads.serve_file(request, alarm.photo, download_name=f"alarm-{alarm.pk}")
    except Http404:
        raise NotFound(_("Not found.")) from None


@router.get(
    "/monitoring/alarm-workflow",
    summary="The alarm lifecycle table: states, steps and who may take them",
    tags=["monitoring", "reference"],
)
def alarm_workflow(request: HttpRequest) -> dict[str, Any]:
    return {
        "states": list(wf.STATES),
        "levels": list(AlarmLevel.values),
        "transitions": [
            {
                "from": t.source,
                "action": t.action,
                "to": t.target,
                "parties": sorted(t.parties),
                "guard": t.guard,
            }
            for t in wf.TRANSITIONS
        ],
    }

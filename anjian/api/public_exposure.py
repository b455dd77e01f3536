"""The exposure board (曝光台) over HTTP (issue 15 item 3).

* GET /public/exposures: published entries, no sign-in: enterprise name and credit code,
  ground, title, summary and the publication date; never a person's data;
* GET /exposures: entries in your scope (anjian.core.scoping.visible), filters state and
  ground; GET /exposures/{id}: one entry with its history and the steps you may take;
* POST /exposures: propose (a department officer or a coordinator), grounded on a
  penalty, hazard or accident in your scope;
* POST /exposures/{id}/approve | reject | publish | withdraw: the steps of
  anjian.public.exposure_workflow (reject and withdraw with a reason).

Refusals: 422 with field messages, 403, 404 (also for an id outside your scope), 409 (a
step the state does not allow, or a ground already proposed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict

from anjian.core.errors import NotFound
from anjian.public import exposure_services as services
from anjian.public import exposure_workflow as wf
from anjian.public.models import Exposure, ExposureGround, ExposureState

from .checks import valid_id
from .common import actor, caller, page
from .schemas import MAX_PAGE_SIZE, ErrorOut, Lenient, Offset, ValidationErrorOut

router = Router(tags=["public"])

GroundCode = Literal[tuple(ExposureGround.values)]  # type: ignore[valid-type]
StateCode = Literal[tuple(ExposureState.values)]  # type: ignore[valid-type]
ActionCode = Literal[wf.ACTIONS]  # type: ignore[valid-type]


# --- shapes ----------------------------------------------------------------------------------


class PublicExposureOut(Schema):
    id: int
    enterprise_name: str
    credit_code: str = Field(description="The enterprise's unified social credit code.")
    ground: str
    ground_label: str
    title: str
    summary: str
    published_at: dt.datetime


class PublicExposurePage(Schema):
    count: int
    items: list[PublicExposureOut]


class ExposureRef(Schema):
    id: int
    name: str


class ExposureOut(Schema):
    id: int
    enterprise: ExposureRef
    credit_code: str
    ground: str
    ground_label: str
    title: str
    summary: str
    hazard: int | None
    penalty: int | None
    accident: int | None
    state: str
    state_label: str
    proposed_by: str
    proposed_at: dt.datetime
    approved_by: str | None
    published_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    withdraw_reason: str


class ExposurePage(Schema):
    count: int
    items: list[ExposureOut]


class ExposureEventOut(Schema):
    action: str
    actor: str
    at: dt.datetime
    note: str


class ExposureDetail(ExposureOut):
    events: list[ExposureEventOut]
    actions: list[str] = Field(description="The steps you may take now.")


class PageFilters(Schema):
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class PublicFilters(PageFilters):
    ground: GroundCode | None = None


class ExposureFilters(PageFilters):
    state: StateCode | None = None
    ground: GroundCode | None = None


_TEXT = {"type": "string", "maxLength": 4000}


class ExposureProposeIn(BaseModel):
    """A proposal. `link` is the id of the record the ground rests on: a decided penalty
    (serious_violation; untrustworthy: its subject published on the untrustworthy list),
    an open major hazard past its deadline (major_hazard_overdue) or an accident."""

    model_config = ConfigDict(extra="forbid")

    ground: Lenient(
        {"type": "string", "enum": list(ExposureGround.values), "description": "Required."}
    ) = None
    link: Lenient({"type": "integer", "description": "Id of the grounding record."}) = None
    title: Lenient({"type": "string", "maxLength": 200}) = None
    summary: Lenient(
        {
            "type": "string",
            "maxLength": 2000,
            "description": "Public text about the enterprise (required); no person's name, "
            "phone or ID number.",
        }
    ) = None


class ExposureStepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Lenient({**_TEXT, "description": "Required to reject or withdraw."}) = None


# --- helpers ---------------------------------------------------------------------------------


def _person(user: Any) -> str | None:
    return None if user is None else (user.display_name or user.get_username())


def _public_out(e: Exposure) -> dict[str, Any]:
    return {
        "id": e.pk,
        "enterprise_name": e.enterprise.name,
        "credit_code": e.enterprise.uscc,
        "ground": e.ground,
        "ground_label": e.get_ground_display(),
        "title": e.title,
        "summary": e.summary,
        "published_at": e.published_at,
    }


def _out(e: Exposure) -> dict[str, Any]:
    return {
        "id": e.pk,
        "enterprise": {"id": e.enterprise.pk, "name": e.enterprise.name},
        "credit_code": e.enterprise.uscc,
        "ground": e.ground,
        "ground_label": e.get_ground_display(),
        "title": e.title,
        "summary": e.summary,
        "hazard": e.hazard_id,
        "penalty": e.penalty_id,
        "accident": e.accident_id,
        "state": e.state,
        "state_label": e.get_state_display(),
        "proposed_by": _person(e.proposed_by) or "",
        "proposed_at": e.proposed_at,
        "approved_by": _person(e.approved_by),
        "published_at": e.published_at,
        "withdrawn_at": e.withdrawn_at,
        "withdraw_reason": e.withdraw_reason,
    }


def _scoped(request: HttpRequest):
    return services.visible_exposures(caller(request)).select_related(
        "enterprise", "proposed_by", "approved_by"
    )


def _detail(request: HttpRequest, exposure_id: int) -> dict[str, Any]:
    e = _scoped(request).filter(pk=exposure_id).first() if valid_id(exposure_id) else None
    if e is None:
        raise NotFound(_("No such exposure board entry in your scope."))
    return {
        **_out(e),
        "events": [
            {"action": ev.action, "actor": _person(ev.actor) or "", "at": ev.at, "note": ev.note}
            for ev in e.events.select_related("actor").order_by("pk")
        ],
        "actions": services.available(caller(request), e),
    }


# --- endpoints -------------------------------------------------------------------------------


@router.get(
    "/public/exposures",
    auth=None,
    response={200: PublicExposurePage, 422: ValidationErrorOut},
    summary="The exposure board (曝光台): published entries (public; no personal data)",
)
def exposures_public(request: HttpRequest, filters: Query[PublicFilters]) -> dict[str, Any]:
    qs = services.public_exposures().select_related("enterprise").order_by("-published_at", "-pk")
    if filters.ground:
        qs = qs.filter(ground=filters.ground)
    result = page(qs, filters.limit, filters.offset)
    return {"count": result["count"], "items": [_public_out(e) for e in result["items"]]}


@router.get(
    "/exposures",
    response={200: ExposurePage, 422: ValidationErrorOut},
    summary="Exposure board entries in your scope, newest first",
)
def exposure_list(request: HttpRequest, filters: Query[ExposureFilters]) -> dict[str, Any]:
    qs = _scoped(request).order_by("-pk")
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.ground:
        qs = qs.filter(ground=filters.ground)
    result = page(qs, filters.limit, filters.offset)
    return {"count": result["count"], "items": [_out(e) for e in result["items"]]}


@router.get(
    "/exposures/{exposure_id}",
    response={200: ExposureDetail, 404: ErrorOut},
    summary="One exposure board entry with its history and the steps you may take",
)
def exposure_detail(request: HttpRequest, exposure_id: int) -> dict[str, Any]:
    return _detail(request, exposure_id)


@router.post(
    "/exposures",
    response={201: ExposureDetail, 403: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut},
    summary="Propose an entry (a department officer or a coordinator)",
)
def exposure_propose(request: HttpRequest, payload: ExposureProposeIn) -> Any:
    exposure = services.exposure_propose(
        actor=actor(request),
        ground=payload.ground,
        link_id=payload.link,
        title=payload.title,
        summary=payload.summary,
    )
    return Status(201, _detail(request, exposure.pk))


@router.post(
    "/exposures/{exposure_id}/{action}",
    response={
        200: ExposureDetail,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="A step: approve, reject (reason), publish or withdraw (reason)",
)
def exposure_step(
    request: HttpRequest,
    exposure_id: int,
    action: ActionCode,
    payload: ExposureStepIn | None = None,
) -> dict[str, Any]:
    if not valid_id(exposure_id):
        raise NotFound(_("No such exposure board entry in your scope."))
    services.exposure_step(
        actor=actor(request),
        exposure_id=exposure_id,
        action=action,
        reason=payload.reason if payload is not None else None,
    )
    return _detail(request, exposure_id)

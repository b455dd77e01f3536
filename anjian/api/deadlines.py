"""Hazard deadlines over HTTP: the overdue hazards in the caller's scope with their
escalation level, deadline extensions (ask, decide, list).

Reads start from `scoping.visible`; writes go through anjian.hazards.extensions, whose
refusals become 422 / 404 / 403 / 409 with the services' own messages. An id outside
the caller's scope answers 404 exactly like an unknown one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from anjian.core.errors import NotFound
from anjian.core.scoping import visible
from anjian.hazards import extensions, jobs
from anjian.hazards.models import DeadlineExtension, Hazard

from .common import actor, caller, page
from .schemas import MAX_PAGE_SIZE, ErrorOut, Id, Lenient, Offset, ValidationErrorOut

router = Router(tags=["deadlines"])

_WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


class OverdueItem(Schema):
    id: int
    number: str
    enterprise_id: int
    enterprise_name: str
    level: str
    state: str
    description: str
    deadline: dt.date | None
    deadline_basis: str
    days_overdue: int
    overdue_since: dt.date
    escalation_level: int
    escalation_label: str


class OverduePage(Schema):
    count: int
    items: list[OverdueItem]


class OverdueQuery(Schema):
    escalation_level: int | None = Field(None, ge=0, le=3)
    major: bool = Field(False, description="Only major hazards.")
    limit: int = Field(25, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class ExtensionOut(Schema):
    id: int
    hazard_id: int
    hazard_number: str
    requested_by: str
    requested_at: dt.datetime
    reason: str
    old_deadline: dt.date
    new_deadline: dt.date
    state: str
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str
    may_decide: bool


class ExtensionPage(Schema):
    count: int
    items: list[ExtensionOut]


class ExtensionQuery(Schema):
    state: Literal["requested", "approved", "refused"] | None = None
    limit: int = Field(25, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class ExtensionIn(Schema):
    new_deadline: Lenient(
        {
            "type": "string",
            "format": "date",
            "description": "YYYY-MM-DD, later than the current deadline.",
        }
    ) = None
    reason: Lenient(
        {"type": "string", "description": "Why the hazard cannot be fixed in time."}
    ) = None


class DecisionIn(Schema):
    approve: Lenient(
        {
            "type": "boolean",
            "description": "true approves (the deadline moves), false refuses.",
        }
    ) = None
    note: Lenient({"type": "string", "description": "Required when refusing."}) = None


def _overdue_out(hazards: list[Hazard]) -> list[dict[str, Any]]:
    today, policy, labels = timezone.localdate(), jobs.deadline_policy(), jobs.level_labels()
    out = []
    for h in hazards:
        s = jobs.hazard_standing(h, today, policy)
        out.append(
            {
                "id": h.pk,
                "number": h.number,
                "enterprise_id": h.enterprise_id,
                "enterprise_name": h.enterprise.name,
                "level": h.level,
                "state": h.state,
                "description": h.description,
                "deadline": s.deadline,
                "deadline_basis": s.basis,
                "days_overdue": s.days_overdue,
                "overdue_since": h.overdue_since,
                "escalation_level": h.escalation_level,
                "escalation_label": labels.get(h.escalation_level, ""),
            }
        )
    return out


def _extension_out(user: Any, rows: list[DeadlineExtension]) -> list[dict[str, Any]]:
    return [
        {
            "id": e.pk,
            "hazard_id": e.hazard_id,
            "hazard_number": e.hazard.number,
            "requested_by": str(e.requested_by),
            "requested_at": e.requested_at,
            "reason": e.reason,
            "old_deadline": e.old_deadline,
            "new_deadline": e.new_deadline,
            "state": e.state,
            "decided_by": str(e.decided_by) if e.decided_by else None,
            "decided_at": e.decided_at,
            "decision_note": e.decision_note,
            "may_decide": e.pending and extensions.may_decide(user, e.hazard),
        }
        for e in rows
    ]


def _extensions(user: Any):
    return visible(user, DeadlineExtension).select_related(
        "hazard__enterprise__division", "requested_by", "decided_by"
    )


@router.get(
    "/overdue-hazards",
    response={200: OverduePage, 422: ValidationErrorOut},
    summary="Open hazards marked overdue in your scope, the most escalated first",
)
def overdue_list(request: HttpRequest, query: Query[OverdueQuery]) -> dict[str, Any]:
    qs = (
        visible(caller(request), Hazard)
        .filter(overdue_since__isnull=False)
        .exclude(state="closed")
        .select_related("enterprise")
        .order_by("-escalation_level", "overdue_since", "id")
    )
    if query.escalation_level is not None:
        qs = qs.filter(escalation_level=query.escalation_level)
    if query.major:
        qs = qs.filter(level="major")
    result = page(qs, query.limit, query.offset)
    return {"count": result["count"], "items": _overdue_out(result["items"])}


@router.get(
    "/deadline-extensions",
    response={200: ExtensionPage, 422: ValidationErrorOut},
    summary="Deadline extension requests in your scope, newest first",
)
def extension_list(request: HttpRequest, query: Query[ExtensionQuery]) -> dict[str, Any]:
    user = caller(request)
    qs = _extensions(user).order_by("-requested_at", "-id")
    if query.state:
        qs = qs.filter(state=query.state)
    result = page(qs, query.limit, query.offset)
    return {"count": result["count"], "items": _extension_out(user, result["items"])}


@router.get(
    "/hazards/{hazard_id}/extensions",
    response={200: list[ExtensionOut], 404: ErrorOut},
    summary="A hazard's deadline extension requests and decisions",
)
def hazard_extensions(request: HttpRequest, hazard_id: Id) -> list[dict[str, Any]]:
    user = caller(request)
    if not visible(user, Hazard).filter(pk=hazard_id).exists():
        raise NotFound(_("No such hazard in your scope."))
    return _extension_out(user, list(_extensions(user).filter(hazard_id=hazard_id)))


@router.post(
    "/hazards/{hazard_id}/extensions",
    response={201: ExtensionOut, **_WRITE_ERRORS},
    summary="Ask for a deadline extension (the enterprise's principal or safety officer)",
)
def extension_request(request: HttpRequest, hazard_id: Id, payload: ExtensionIn) -> Status:
    ext = extensions.deadline_extension_request(
        actor=actor(request),
        hazard_id=hazard_id,
        new_deadline=payload.new_deadline,
        reason=payload.reason,
    )
    user = caller(request)
    return Status(201, _extension_out(user, [_extensions(user).get(pk=ext.pk)])[0])


@router.post(
    "/deadline-extensions/{extension_id}/decision",
    response={200: ExtensionOut, **_WRITE_ERRORS},
    summary="Approve or refuse a waiting extension (lead department / safety committee "
    "office; the listing authority for a major hazard)",
)
def extension_decide(request: HttpRequest, extension_id: Id, payload: DecisionIn) -> Any:
    ext = extensions.deadline_extension_decide(
        actor=actor(request),
        extension_id=extension_id,
        approve=payload.approve,
        note=payload.note if payload.note is not None else "",
    )
    user = caller(request)
    return _extension_out(user, [_extensions(user).get(pk=ext.pk)])[0]

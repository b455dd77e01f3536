"""Enforcement inspections and the published double-random draws over HTTP.

* GET /inspections and /inspections/{id}: the inspections in your scope
  (anjian.inspections.services.visible_inspections: scoping by the enterprise, plus a
  department officer's own department's), one with its findings (each a hazard of the
  ledger), its documents (number, kind, SHA-256 and download link) and its history.
  Enterprise staff never see an unannounced inspection (四不两直) before it starts:
  scoping hides it (SCOPE_ENTERPRISE_HIDDEN), and it answers 404 like an unknown id.
* GET /draws/public, /draws/public/{id} and POST /draws/public/{id}/verify, without
  sign-in (双随机、一公开): the published record, and its re-run from the record's inputs
  (match true when the record hashes to the published digest and the re-run gives it).
* GET and POST /conflicts-of-interest, POST /conflicts-of-interest/{id}/withdraw: the
  declared conflicts of interest of a department officer's roster (the draw never sends
  the inspector to the enterprise while one stands); field errors 422, a second standing
  declaration for the same pair 422, withdrawing twice 409, another department's 404.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Literal

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict

from anjian.core.errors import NotFound
from anjian.inspections import conflict_services, document_services, services
from anjian.inspections.models import ConflictOfInterest, Draw, Finding, Inspection, Kind

from .checks import day_bounds, valid_id
from .common import actor, caller, page
from .schemas import MAX_PAGE_SIZE, ErrorOut, Id, Lenient, Offset, ValidationErrorOut

router = Router(tags=["inspections"])

VERIFY_CACHE_SECONDS = 3600


# --- outputs --------------------------------------------------------------------------------


class InspectionRef(Schema):
    id: int
    name: str


class InspectionOut(Schema):
    id: int
    enterprise: InspectionRef
    kind: Literal["routine", "double_random", "unannounced", "joint"]
    kind_label: str
    state: Literal["planned", "in_progress", "concluded", "cancelled"]
    state_label: str
    lead_department: InspectionRef
    matter: str
    planned_on: dt.date
    started_at: dt.datetime | None
    concluded_at: dt.datetime | None
    draw_id: int | None
    inspectors: list[str]


class InspectionPage(Schema):
    count: int
    items: list[InspectionOut]


class InspectionFindingOut(Schema):
    id: int
    hazard_id: int
    hazard_number: str
    item: str
    description: str
    location: str
    recorded_at: dt.datetime


class InspectionDocumentOut(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    department: str
    issued_on: dt.date
    sha256: str
    size: int
    corrects_id: int | None
    download_url: str = Field(description="The .docx as issued (signed-in page view).")


class InspectionEventOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str
    at: dt.datetime
    note: str


class InspectionDetail(InspectionOut):
    participating_departments: list[InspectionRef]
    conclusion: str
    items: list[dict[str, Any]] = Field(description="The check items with their results.")
    findings: list[InspectionFindingOut]
    documents: list[InspectionDocumentOut]
    events: list[InspectionEventOut]
    actions: list[str] = Field(description="The steps you may take now.")


class DrawOut(Schema):
    id: int
    department: str
    seed: str
    digest: str = Field(description="SHA-256 of the published record.")
    drawn_at: dt.datetime
    published_at: dt.datetime | None
    selected: int = Field(description="Inspections planned from the draw.")


class DrawPage(Schema):
    count: int
    items: list[DrawOut]


class DrawSelectionOut(Schema):
    code: str = Field(description="The enterprise's unified social credit code.")
    name: str
    stratum: str
    reason: str
    inspectors: list[str] = Field(description="Inspector codes as in the record.")


class DrawDetail(DrawOut):
    parameters: dict[str, Any]
    selections: list[DrawSelectionOut]
    record: dict[str, Any] = Field(
        description="The published record (canonical JSON): re-run it with draw.py."
    )
    record_url: str = Field(description="The record as the published file.")


class DrawVerifyOut(Schema):
    match: bool
    digest: str = Field(description="Published.")
    file_digest: str = Field(description="SHA-256 of the stored record.")
    recomputed: str = Field(description="Of the re-run; empty when it could not run.")
    error: str


# --- inputs ---------------------------------------------------------------------------------


class InspectionFilters(Schema):
    state: Literal["planned", "in_progress", "concluded", "cancelled"] | None = None
    kind: Literal["routine", "double_random", "unannounced", "joint"] | None = None
    enterprise: Id | None = Field(None, description="Enterprise id.")
    department: Id | None = Field(None, description="Department id: lead or participating.")
    from_: dt.date | None = Field(None, alias="from", description="Planned on or after.")
    to: dt.date | None = Field(None, description="Planned on or before (inclusive).")
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class DrawFilters(Schema):
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


# --- helpers --------------------------------------------------------------------------------


def _ref(obj: Any) -> dict[str, Any]:
    return {"id": obj.pk, "name": obj.name}


def _user_name(user: Any) -> str:
    return user.display_name or user.get_username()


def _inspection_out(inspection: Inspection) -> dict[str, Any]:
    states = services.state_labels()
    return {
        "id": inspection.pk,
        "enterprise": _ref(inspection.enterprise),
        "kind": inspection.kind,
        "kind_label": str(Kind(inspection.kind).label)
        if inspection.kind in Kind.values
        else inspection.kind,
        "state": inspection.state,
        "state_label": states.get(inspection.state, inspection.state),
        "lead_department": _ref(inspection.lead_department),
        "matter": inspection.matter,
        "planned_on": inspection.planned_on,
        "started_at": inspection.started_at,
        "concluded_at": inspection.concluded_at,
        "draw_id": inspection.draw_id,
        "inspectors": [_user_name(u) for u in inspection.inspectors.all()],
    }


def _inspections(user: Any) -> QuerySet[Inspection]:
    return (
        services.visible_inspections(user)
        .select_related("enterprise", "lead_department")
        .prefetch_related("inspectors")
    )


def _no_such_inspection() -> NotFound:
    return NotFound(_("No such inspection in your scope."))


def _public_draw(draw_id: int) -> Draw:
    draw = services.public_draws().filter(pk=draw_id).first() if valid_id(draw_id) else None
    if draw is None:
        raise NotFound(_("No such published draw."))
    return draw


def _draw_out(draw: Draw, selected: int) -> dict[str, Any]:
    return {
        "id": draw.pk,
        "department": draw.department.name,
        "seed": draw.seed,
        "digest": draw.digest,
        "drawn_at": draw.created_at,
        "published_at": draw.published_at,
        "selected": selected,
    }


def _record(draw: Draw) -> dict[str, Any]:
    try:
        record = json.loads(draw.canonical)
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


def _selections(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's selections with the enterprises' names (one query). Inspectors stay
    as the record's codes: a public page names no official beyond what was published."""
    from anjian.registry.models import Enterprise

    rows = record.get("selections") or []
    try:
        codes = [row[0] for row in rows]
        names = dict(Enterprise.objects.filter(uscc__in=codes).values_list("uscc", "name"))
        return [
            {
                "code": row[0],
                "name": names.get(row[0], ""),
                "stratum": str(row[1]),
                "reason": str(row[2]),
                "inspectors": [str(i) for i in row[5]],
            }
            for row in rows
        ]
    except (IndexError, KeyError, TypeError):
        return []


# --- inspections ----------------------------------------------------------------------------


@router.get(
    "/inspections",
    response={200: InspectionPage, 422: ValidationErrorOut},
    summary="Inspections in your scope, latest planned first",
)
def inspection_list(request: HttpRequest, filters: Query[InspectionFilters]) -> dict[str, Any]:
    start, end = day_bounds(filters.from_, filters.to)
    qs = _inspections(caller(request))
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.enterprise:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.department:
        qs = qs.filter(
            Q(lead_department_id=filters.department)
            | Q(pk__in=Inspection.objects.filter(participating_departments__id=filters.department))
        )
    if start:
        qs = qs.filter(planned_on__gte=start.date())
    if end:
        qs = qs.filter(planned_on__lt=end.date())
    result = page(qs.order_by("-planned_on", "-pk"), filters.limit, filters.offset)
    return {"count": result["count"], "items": [_inspection_out(i) for i in result["items"]]}


@router.get(
    "/inspections/{inspection_id}",
    response={200: InspectionDetail, 404: ErrorOut},
    summary="One inspection with its findings (hazards), documents and history",
)
def inspection_detail(request: HttpRequest, inspection_id: int) -> dict[str, Any]:
    user = caller(request)
    inspection = None
    if valid_id(inspection_id):
        inspection = (
            _inspections(user)
            .prefetch_related(
                "participating_departments",
                Prefetch("findings", queryset=Finding.objects.select_related("hazard")),
            )
            .filter(pk=inspection_id)
            .first()
        )
    if inspection is None:
        raise _no_such_inspection()
    documents = (
        document_services.visible_documents(user)
        .filter(inspection_id=inspection.pk)
        .select_related("department")
        .order_by("issued_at", "pk")
    )
    return {
        **_inspection_out(inspection),
        "participating_departments": [_ref(d) for d in inspection.participating_departments.all()],
        "conclusion": inspection.conclusion,
        "items": [i for i in inspection.items if isinstance(i, dict)],
        "findings": [
            {
                "id": f.pk,
                "hazard_id": f.hazard_id,
                "hazard_number": f.hazard.number,
                "item": f.item,
                "description": f.description,
                "location": f.location,
                "recorded_at": f.recorded_at,
            }
            for f in inspection.findings.all()
        ],
        "documents": [
            {
                "id": d.pk,
                "number": d.number,
                "kind": d.kind,
                "kind_label": d.get_kind_display(),
                "department": d.department.name,
                "issued_on": d.issued_on,
                "sha256": d.sha256,
                "size": d.size,
                "corrects_id": d.corrects_id,
                "download_url": reverse("enforcement_documents:download", args=[d.pk]),
            }
            for d in documents
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
            for e in inspection.events.order_by("at", "pk")
        ],
        "actions": services.available_actions(user, inspection),
    }


# --- 双随机、一公开: public, without sign-in --------------------------------------------------


@router.get(
    "/draws/public",
    auth=None,
    response={200: DrawPage, 422: ValidationErrorOut},
    tags=["public"],
    summary="Published double-random draws, newest first (public)",
)
def draw_public_list(request: HttpRequest, filters: Query[DrawFilters]) -> dict[str, Any]:
    qs = (
        services.public_draws()
        .annotate(selected=Count("inspections"))
        .order_by("-published_at", "-pk")
    )
    result = page(qs, filters.limit, filters.offset)
    return {
        "count": result["count"],
        "items": [_draw_out(d, d.selected) for d in result["items"]],
    }


@router.get(
    "/draws/public/{draw_id}",
    auth=None,
    response={200: DrawDetail, 404: ErrorOut},
    tags=["public"],
    summary="One published draw: seed, parameters, selections and the record (public)",
)
def draw_public_detail(request: HttpRequest, draw_id: int) -> dict[str, Any]:
    draw = _public_draw(draw_id)
    record = _record(draw)
    return {
        **_draw_out(draw, draw.inspections.count()),
        "parameters": draw.parameters if isinstance(draw.parameters, dict) else {},
        "selections": _selections(record),
        "record": record,
        "record_url": reverse("inspections:public-draw-json", args=[draw.pk]),
    }


@router.post(
    "/draws/public/{draw_id}/verify",
    auth=None,
    response={200: DrawVerifyOut, 404: ErrorOut},
    tags=["public"],
    summary="Re-run a published draw from its record and compare with the digest (public)",
)
def draw_public_verify(request: HttpRequest, draw_id: int) -> dict[str, Any]:
    draw = _public_draw(draw_id)
    # Anyone may ask, and a county's draw takes most of a second to re-run: cached by the
    # record and digest (a changed record is a new key, so never a stale "match").
    key = (
        "api:draw-verify:"
        + hashlib.sha256(
            f"{draw.pk}|{draw.digest}|".encode() + draw.canonical.encode("utf-8")
        ).hexdigest()
    )
    check = cache.get(key)
    if check is None:
        check = services.draw_verify(draw)
        cache.set(key, check, VERIFY_CACHE_SECONDS)
    return {
        "match": check.ok,
        "digest": check.digest,
        "file_digest": check.file_digest,
        "recomputed": check.recomputed,
        "error": check.error,
    }


# --- declared conflicts of interest (回避) ----------------------------------------------------


class ConflictOfInterestOut(Schema):
    id: int
    inspector: InspectionRef
    enterprise: InspectionRef
    enterprise_uscc: str
    reason: str
    declared_by: str
    declared_at: dt.datetime
    standing: bool = Field(description="True until withdrawn: the draw respects it.")
    withdrawn_at: dt.datetime | None
    withdrawn_by: str | None


class ConflictOfInterestPage(Schema):
    count: int
    items: list[ConflictOfInterestOut]


class ConflictOfInterestFilters(Schema):
    standing: bool | None = Field(None, description="Only standing (true) or withdrawn (false).")
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class ConflictOfInterestIn(BaseModel):
    """Any JSON value per field at parse time: the service checks the whole declaration
    and reports every problem at once, by field."""

    model_config = ConfigDict(extra="forbid")

    inspector: Lenient(
        {
            "type": "integer",
            "minimum": 1,
            "description": "The inspector (a user id of your department's roster); default: you.",
        }
    ) = None
    enterprise: Lenient(
        {"type": "integer", "minimum": 1, "description": "The enterprise (id, in your scope)."}
    ) = None
    reason: Lenient({"type": "string", "maxLength": 255}) = None


def _conflict_out(row: ConflictOfInterest) -> dict[str, Any]:
    return {
        "id": row.pk,
        "inspector": {"id": row.inspector_id, "name": _user_name(row.inspector)},
        "enterprise": _ref(row.enterprise),
        "enterprise_uscc": row.enterprise.uscc,
        "reason": row.reason,
        "declared_by": _user_name(row.declared_by),
        "declared_at": row.declared_at,
        "standing": row.withdrawn_at is None,
        "withdrawn_at": row.withdrawn_at,
        "withdrawn_by": _user_name(row.withdrawn_by) if row.withdrawn_by_id else None,
    }


def _conflicts(user: Any) -> QuerySet[ConflictOfInterest]:
    return conflict_services.visible_conflicts(user).select_related(
        "inspector", "enterprise", "declared_by", "withdrawn_by"
    )


@router.get(
    "/conflicts-of-interest",
    response={200: ConflictOfInterestPage, 422: ValidationErrorOut},
    summary="Declared conflicts of interest of your department's roster, newest first",
)
def conflict_list(
    request: HttpRequest, filters: Query[ConflictOfInterestFilters]
) -> dict[str, Any]:
    qs = _conflicts(caller(request))
    if filters.standing is not None:
        qs = qs.filter(withdrawn_at__isnull=filters.standing)
    result = page(qs.order_by("-declared_at", "-pk"), filters.limit, filters.offset)
    return {"count": result["count"], "items": [_conflict_out(c) for c in result["items"]]}


@router.post(
    "/conflicts-of-interest",
    response={201: ConflictOfInterestOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Declare a conflict of interest: yours, or of an inspector of your department "
    "(a second standing declaration for the same pair is refused)",
)
def conflict_declare(request: HttpRequest, payload: ConflictOfInterestIn) -> Any:
    who = actor(request)
    inspector = payload.inspector if payload.inspector is not None else who.user.pk
    row = conflict_services.conflict_declare(
        actor=who,
        inspector_id=inspector if valid_int(inspector) else None,
        enterprise_id=payload.enterprise if valid_int(payload.enterprise) else None,
        reason=payload.reason,
    )
    return Status(201, _conflict_out(_conflicts(who.user).get(pk=row.pk)))


@router.post(
    "/conflicts-of-interest/{conflict_id}/withdraw",
    response={200: ConflictOfInterestOut, 404: ErrorOut, 409: ErrorOut},
    summary="Withdraw a standing declaration (kept; the next draw may pick the inspector)",
)
def conflict_withdraw(request: HttpRequest, conflict_id: int) -> dict[str, Any]:
    who = actor(request)
    if not valid_id(conflict_id):
        raise NotFound(_("No such declaration of your department."))
    row = conflict_services.conflict_withdraw(actor=who, conflict_id=conflict_id)
    return _conflict_out(_conflicts(who.user).get(pk=row.pk))


def valid_int(value: Any) -> bool:
    """A JSON whole number in the database's range (not a boolean, not text)."""
    return isinstance(value, int) and not isinstance(value, bool) and valid_id(value)

"""Administrative penalties and the published list of seriously untrustworthy subjects
over HTTP.

* GET /penalties and /penalties/{id}: penalties in your scope
  (anjian.penalties.services.visible_penalties: by the enterprise, plus a department
  officer's own department's, such as a fine on a truck plate). Enterprise staff do not
  see a draft (SCOPE_ENTERPRISE_HIDDEN). An ID number is always masked, as on the pages.
  One penalty lists its enforcement documents (行政处罚告知书, 决定书) in your scope.
* GET /untrustworthy/public, without sign-in: the published listings (应急管理部令第11号),
  as the public page shows them; a person's ID number is never given, not even in part.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from anjian.core.errors import NotFound
from anjian.inspections import penalties as rules
from anjian.inspections.document_services import visible_documents
from anjian.penalties import services
from anjian.penalties import workflow as wf
from anjian.penalties.models import Listing, Penalty, PenaltyKind, PenaltyState

from .checks import day_bounds, valid_id
from .common import caller, page
from .schemas import MAX_PAGE_SIZE, ErrorOut, Id, Offset, ValidationErrorOut

router = Router(tags=["penalties"])

PenaltyKindCode = Literal[tuple(PenaltyKind.values)]  # type: ignore[valid-type]
PenaltyStateCode = Literal[tuple(PenaltyState.values)]  # type: ignore[valid-type]


# --- outputs --------------------------------------------------------------------------------


class PenaltyOut(Schema):
    id: int
    number: str = Field(description="The decision number; empty before the decision.")
    department_id: int
    department: str
    enterprise_id: int | None
    subject_kind: str = Field(description="uscc, plate or person.")
    subject: str = Field(description="The key as pages show it: an ID number is masked.")
    subject_name: str
    kind: str
    kind_label: str
    amount: str | None = Field(description="Yuan, exact decimal, for fines.")
    state: str
    state_label: str
    noticed_on: dt.date | None
    decided_on: dt.date | None
    created_at: dt.datetime


class PenaltyPage(Schema):
    count: int
    items: list[PenaltyOut]


class PenaltyEventOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str
    at: dt.datetime
    note: str


class PenaltySuspensionOut(Schema):
    state: str
    ordered_on: dt.date
    rectify_by: dt.date | None
    resumed_on: dt.date | None


class PenaltyListingOut(Schema):
    id: int
    state: str
    situation: str
    situation_text: str
    decided_on: dt.date | None
    published_on: dt.date | None
    ends_on: dt.date | None
    removed_on: dt.date | None


class PenaltyDocumentOut(Schema):
    id: int
    number: str
    kind: str = Field(description="penalty_notice (行政处罚告知书) or penalty_decision (决定书).")
    kind_label: str
    issued_on: dt.date
    sha256: str
    size: int
    download_url: str = Field(description="The .docx as issued (signed-in page view).")


class PenaltyDetail(PenaltyOut):
    responsible_person: str
    clauses: list[str] = Field(description="The violated clauses as written.")
    facts_start: dt.datetime
    facts_end: dt.datetime
    place: str
    description: str
    inspection_id: int | None
    events: list[PenaltyEventOut]
    suspension: PenaltySuspensionOut | None
    listings: list[PenaltyListingOut]
    documents: list[PenaltyDocumentOut] = Field(
        description="The penalty's enforcement documents: its notice once notified and its "
        "decision once decided, for a penalty on a registered enterprise."
    )
    actions: list[str] = Field(description="The steps you may take now.")


class PublicListingOut(Schema):
    id: int
    subject_name: str
    subject_kind: str
    credit_code: str | None = Field(
        description="Credit code or plate; null for a person (an ID number is never published)."
    )
    situation: str
    situation_text: str
    department: str
    decided_on: dt.date | None
    published_on: dt.date | None
    ends_on: dt.date | None


class PublicListingPage(Schema):
    count: int
    items: list[PublicListingOut]


# --- inputs ---------------------------------------------------------------------------------


class PenaltyFilters(Schema):
    state: PenaltyStateCode | None = None
    kind: PenaltyKindCode | None = None
    enterprise: Id | None = Field(None, description="Enterprise id.")
    department: Id | None = Field(None, description="Deciding department id.")
    from_: dt.date | None = Field(None, alias="from", description="Decided on or after.")
    to: dt.date | None = Field(None, description="Decided on or before (inclusive).")
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class PublicListingFilters(Schema):
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


# --- helpers --------------------------------------------------------------------------------


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _penalty_out(p: Penalty) -> dict[str, Any]:
    return {
        "id": p.pk,
        "number": p.number,
        "department_id": p.department_id,
        "department": p.department.name,
        "enterprise_id": p.enterprise_id,
        "subject_kind": p.subject_kind,
        "subject": p.subject_shown,
        "subject_name": p.subject_name,
        "kind": p.kind,
        "kind_label": _label(PenaltyKind, p.kind),
        "amount": None if p.amount is None else str(p.amount),
        "state": p.state,
        "state_label": _label(PenaltyState, p.state),
        "noticed_on": p.noticed_on,
        "decided_on": p.decided_on,
        "created_at": p.created_at,
    }


def _listing_out(listing: Listing) -> dict[str, Any]:
    return {
        "id": listing.pk,
        "state": listing.state,
        "situation": listing.situation,
        "situation_text": str(listing.situation_text),
        "decided_on": listing.decided_on,
        "published_on": listing.published_on,
        "ends_on": listing.ends_on,
        "removed_on": listing.removed_on,
    }


# --- endpoints ------------------------------------------------------------------------------


@router.get(
    "/penalties",
    response={200: PenaltyPage, 422: ValidationErrorOut},
    summary="Administrative penalties in your scope, newest first",
)
def penalty_list(request: HttpRequest, filters: Query[PenaltyFilters]) -> dict[str, Any]:
    start, end = day_bounds(filters.from_, filters.to)
    qs = services.visible_penalties(caller(request)).select_related("department")
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.enterprise:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.department:
        qs = qs.filter(department_id=filters.department)
    if start:
        qs = qs.filter(decided_on__gte=start.date())
    if end:
        qs = qs.filter(decided_on__lt=end.date())
    result = page(qs.order_by("-created_at", "-pk"), filters.limit, filters.offset)
    return {"count": result["count"], "items": [_penalty_out(p) for p in result["items"]]}


@router.get(
    "/penalties/{penalty_id}",
    response={200: PenaltyDetail, 404: ErrorOut},
    summary="One penalty with its history, suspension order and listings",
)
def penalty_detail(request: HttpRequest, penalty_id: int) -> dict[str, Any]:
    user = caller(request)
    penalty = None
    if valid_id(penalty_id):
        penalty = (
            services.visible_penalties(user)
            .select_related("department")
            .filter(pk=penalty_id)
            .first()
        )
    if penalty is None:
        raise NotFound(_("No such penalty in your scope."))
    suspension = None
    if penalty.kind == rules.SUSPENSION:
        row = services.visible_suspensions(user).filter(penalty_id=penalty.pk).first()
        if row is not None:
            suspension = {
                "state": row.state,
                "ordered_on": row.ordered_on,
                "rectify_by": row.rectify_by,
                "resumed_on": row.resumed_on,
            }
    return {
        **_penalty_out(penalty),
        "responsible_person": penalty.responsible_person,
        "clauses": [str(c.get("text", "")) for c in penalty.clauses or [] if isinstance(c, dict)],
        "facts_start": penalty.facts_start,
        "facts_end": penalty.facts_end,
        "place": penalty.place,
        "description": penalty.description,
        "inspection_id": penalty.inspection_id,
        "events": [
            {
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "actor": e.actor_label,
                "at": e.at,
                "note": e.note,
            }
            for e in penalty.events.order_by("at", "pk")
        ],
        "suspension": suspension,
        "listings": [
            _listing_out(row)
            for row in services.visible_listings(user).filter(penalty=penalty).order_by("pk")
        ],
        "documents": [
            {
                "id": d.pk,
                "number": d.number,
                "kind": d.kind,
                "kind_label": d.get_kind_display(),
                "issued_on": d.issued_on,
                "sha256": d.sha256,
                "size": d.size,
                "download_url": reverse("enforcement_documents:download", args=[d.pk]),
            }
            for d in visible_documents(user).filter(penalty=penalty).order_by("issued_at", "pk")
        ],
        "actions": wf.available(
            wf.PENALTY_TABLE, penalty.state, services.penalty_parties(user, penalty)
        ),
    }


@router.get(
    "/untrustworthy/public",
    auth=None,
    response={200: PublicListingPage, 422: ValidationErrorOut},
    tags=["public"],
    summary="The published list of seriously untrustworthy subjects (public; no ID numbers)",
)
def untrustworthy_public(
    request: HttpRequest, filters: Query[PublicListingFilters]
) -> dict[str, Any]:
    qs = services.public_listings().select_related("department").order_by("-decided_on", "-pk")
    result = page(qs, filters.limit, filters.offset)
    return {
        "count": result["count"],
        "items": [
            {
                "id": listing.pk,
                "subject_name": listing.subject_name,
                "subject_kind": listing.subject_kind,
                # An ID number is personal information: never published, not even in part.
                "credit_code": None
                if listing.subject_kind == rules.PERSON
                else listing.subject_value,
                "situation": listing.situation,
                "situation_text": str(listing.situation_text),
                "department": listing.department.name,
                "decided_on": listing.decided_on,
                "published_on": listing.published_on,
                "ends_on": listing.ends_on,
            }
            for listing in result["items"]
        ],
    }

"""Special-work permits over HTTP (issue 15 items 6 and 8; standards.md A14,
GB 30871-2022), scoped by anjian.core.scoping.visible (enterprise staff: their own
enterprise's permits; regulators: their jurisdiction's; an id outside your scope answers
404 like an unknown one).

* GET /permits: today's and open permits first; filters state, kind, enterprise;
* GET /permits/{id}: one permit with operators, guardian, gas analyses (verdict and
  findings), licence checks, history and the steps you may take now;
* POST /permits: apply (your enterprise's staff);
* POST /permits/{id}/issue (refused, with reasons, when an operator is unlicensed or the
  gas does not pass), /start, /close, /cancel, /analyses: the steps of
  anjian.people.permit_workflow, through the same services as the pages.

Refusals: 422 with field messages (unknown fields too), 403, 404, 409 (wrong state).
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
from anjian.people import permit_services as ps
from anjian.people.models import Permit, PermitKind, PermitState

from .checks import valid_id
from .common import actor, caller, page
from .schemas import MAX_PAGE_SIZE, ErrorOut, Id, Lenient, Offset, ValidationErrorOut

router = Router(tags=["people"])

StateCode = Literal[tuple(PermitState.values)]  # type: ignore[valid-type]
KindCode = Literal[tuple(PermitKind.values)]  # type: ignore[valid-type]


class PermitRef(Schema):
    id: int
    name: str


class PermitOut(Schema):
    id: int
    number: str
    enterprise: PermitRef
    kind: str
    kind_label: str
    grade: str = Field(
        description="hot work: special/first/second; height: I–IV; lifting: "
        "first/second/third; blank for the others."
    )
    grade_label: str
    place: str
    planned_start: dt.datetime
    planned_end: dt.datetime
    state: str
    state_label: str
    refusal: str


class PermitPage(Schema):
    count: int
    items: list[PermitOut]


class AnalysisOut(Schema):
    id: int
    sampled_at: dt.datetime
    point: str
    oxygen_pct: str | None
    combustible_pct: str | None
    combustible_lel_pct: str | None
    toxic: list[dict[str, str]]
    analyst: str
    passed: bool = Field(description="Computed by the rules, never typed.")
    findings: list[dict[str, Any]]


class PermitLicenceOut(Schema):
    worker: int
    name: str
    status: str = Field(
        description="valid, review_due, expired, revoked, missing or wrong_category."
    )
    certificate: str


class PermitEventOut(Schema):
    action: str
    actor: str
    at: dt.datetime
    note: str


class PermitDetail(PermitOut):
    content: str
    risk_unit: PermitRef | None
    operators: list[PermitRef]
    guardian: PermitRef | None
    issued_at: dt.datetime | None
    started_at: dt.datetime | None
    closed_at: dt.datetime | None
    certificate_category: str
    licences: list[PermitLicenceOut]
    analyses: list[AnalysisOut]
    events: list[PermitEventOut]
    actions: list[str]


class PermitFilters(Schema):
    state: StateCode | None = None
    kind: KindCode | None = None
    enterprise: Id | None = None
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


_TEXT = {"type": "string", "maxLength": 4000}
_DT = {"type": "string", "format": "date-time"}
_ID = {"type": "integer", "minimum": 1}
_NUM = {"type": ["string", "number"]}


class PermitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Lenient({"type": "string", "enum": list(PermitKind.values)}) = None
    grade: Lenient({"type": "string", "description": "Or height_m / load_t to derive."}) = ""
    height_m: Lenient({**_NUM, "description": "Work at height: the height (m)."}) = None
    load_t: Lenient({**_NUM, "description": "Lifting: the load (t)."}) = None
    place: Lenient({"type": "string", "maxLength": 255}) = None
    content: Lenient(_TEXT) = None
    risk_unit: Lenient(_ID) = None
    planned_start: Lenient(_DT) = None
    planned_end: Lenient(_DT) = None
    workers: Lenient({"type": "array", "items": _ID, "description": "Operators."}) = None
    guardian: Lenient({**_ID, "description": "监护人: a worker, not an operator."}) = None


class PermitEmptyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PermitCloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    site_checked: Lenient({"type": "boolean", "description": "Required true."}) = False
    note: Lenient(_TEXT) = ""


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Lenient({**_TEXT, "description": "Required."}) = None


class AnalysisIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sampled_at: Lenient({**_DT, "description": "Default now."}) = None
    point: Lenient({"type": "string", "maxLength": 120}) = ""
    oxygen_pct: Lenient(_NUM) = None
    combustible_pct: Lenient(_NUM) = None
    combustible_lel_pct: Lenient(_NUM) = None
    toxic: Lenient(
        {
            "type": "array",
            "items": {"type": "object"},
            "description": '[{"name": "硫化氢", "value": "3", "limit": "10", "unit": "mg/m3"}]',
        }
    ) = None
    analyst: Lenient({"type": "string", "maxLength": 64, "description": "Required."}) = None
    enriched_air: Lenient({"type": "boolean"}) = False


def _ref(row: Any) -> dict[str, Any] | None:
    return {"id": row.pk, "name": str(row)} if row is not None else None


def _out(p: Permit) -> dict[str, Any]:
    return {
        "id": p.pk,
        "number": p.number,
        "enterprise": {"id": p.enterprise_id, "name": p.enterprise.name},
        "kind": p.kind,
        "kind_label": p.get_kind_display(),
        "grade": p.grade,
        "grade_label": ps.grade_label(p.kind, p.grade),
        "place": p.place,
        "planned_start": p.planned_start,
        "planned_end": p.planned_end,
        "state": p.state,
        "state_label": p.get_state_display(),
        "refusal": p.refusal,
    }


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


def _detail(request: HttpRequest, permit_id: int) -> dict[str, Any]:
    user = caller(request)
    p = ps.get_permit(user, permit_id)
    return {
        **_out(p),
        "content": p.content,
        "risk_unit": _ref(p.risk_unit),
        "operators": [_ref(w) for w in p.workers.order_by("pk")],
        "guardian": _ref(p.guardian),
        "issued_at": p.issued_at,
        "started_at": p.started_at,
        "closed_at": p.closed_at,
        "certificate_category": ps.rules.certificate_category(p.kind),
        "licences": [
            {
                "worker": c.worker_id,
                "name": c.worker_name,
                "status": c.status,
                "certificate": c.certificate,
            }
            for c in ps.licence_checks(p)
        ],
        "analyses": [
            {
                "id": a.pk,
                "sampled_at": a.sampled_at,
                "point": a.point,
                "oxygen_pct": _s(a.oxygen_pct),
                "combustible_pct": _s(a.combustible_pct),
                "combustible_lel_pct": _s(a.combustible_lel_pct),
                "toxic": a.toxic,
                "analyst": a.analyst,
                "passed": a.passed,
                "findings": a.findings,
            }
            for a in p.analyses.order_by("sampled_at", "pk")
        ],
        "events": [
            {"action": e.action, "actor": str(e.actor or ""), "at": e.at, "note": e.note}
            for e in p.events.select_related("actor").order_by("pk")
        ],
        "actions": ps.available(user, p),
    }


def _known(permit_id: int) -> None:
    if not valid_id(permit_id):
        raise NotFound(_("No such permit in your scope."))


_STEP = {200: PermitDetail, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}
_CREATED = {
    201: PermitDetail,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}


@router.get(
    "/permits",
    response={200: PermitPage, 422: ValidationErrorOut},
    summary="Special-work permits in your scope: today's and open ones first",
)
def permit_list(request: HttpRequest, filters: Query[PermitFilters]) -> dict[str, Any]:
    params = {
        "state": filters.state or "",
        "kind": filters.kind or "",
        "enterprise": filters.enterprise,
    }
    result = page(ps.search_permits(caller(request), params), filters.limit, filters.offset)
    return {"count": result["count"], "items": [_out(p) for p in result["items"]]}


@router.get(
    "/permits/{permit_id}",
    response={200: PermitDetail, 404: ErrorOut},
    summary="One permit with its operators' licences, gas analyses and history",
)
def permit_detail(request: HttpRequest, permit_id: int) -> dict[str, Any]:
    _known(permit_id)
    return _detail(request, permit_id)


@router.post(
    "/permits",
    response={201: PermitDetail, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Apply for a special-work permit of your enterprise",
)
def permit_create(request: HttpRequest, payload: PermitIn) -> Any:
    permit = ps.permit_apply(actor=actor(request), values=payload.model_dump(exclude_unset=True))
    return Status(201, _detail(request, permit.pk))


@router.post(
    "/permits/{permit_id}/issue",
    response=_STEP,
    summary="Issue the permit (refused, with reasons, for an unlicensed operator or bad gas)",
)
def permit_issue(request: HttpRequest, permit_id: int, payload: PermitEmptyIn) -> dict[str, Any]:
    _known(permit_id)
    ps.permit_issue(actor=actor(request), permit_id=permit_id)
    return _detail(request, permit_id)


@router.post("/permits/{permit_id}/start", response=_STEP, summary="Start the work")
def permit_start(request: HttpRequest, permit_id: int, payload: PermitEmptyIn) -> dict[str, Any]:
    _known(permit_id)
    ps.permit_start(actor=actor(request), permit_id=permit_id)
    return _detail(request, permit_id)


@router.post(
    "/permits/{permit_id}/close", response=_STEP, summary="Close: the work done, site checked"
)
def permit_close(request: HttpRequest, permit_id: int, payload: PermitCloseIn) -> dict[str, Any]:
    _known(permit_id)
    ps.permit_close(
        actor=actor(request),
        permit_id=permit_id,
        site_checked=payload.site_checked,
        note=payload.note,
    )
    return _detail(request, permit_id)


@router.post("/permits/{permit_id}/cancel", response=_STEP, summary="Cancel the permit")
def permit_cancel(request: HttpRequest, permit_id: int, payload: CancelIn) -> dict[str, Any]:
    _known(permit_id)
    ps.permit_cancel(actor=actor(request), permit_id=permit_id, reason=payload.reason)
    return _detail(request, permit_id)


@router.post(
    "/permits/{permit_id}/analyses",
    response=_CREATED,
    summary="Append a gas analysis (its verdict computed)",
)
def permit_analysis(request: HttpRequest, permit_id: int, payload: AnalysisIn) -> Any:
    _known(permit_id)
    ps.gas_analysis_add(
        actor=actor(request), permit_id=permit_id, values=payload.model_dump(exclude_unset=True)
    )
    return Status(201, _detail(request, permit_id))

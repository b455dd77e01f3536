"""Re-checks (回头看) over HTTP: the caller's re-checks and recording a result.

Reads start from anjian.hazards.rechecks.visible_rechecks: regulators see the re-checks
of enterprises in their scope; enterprise staff only the DONE ones of their own
enterprise (re-checks are unannounced, a pending one answers 404 like an unknown id).
Recording goes through rechecks.recheck_record: 422 for a bad result or missing
findings, 403 for a caller who sees the re-check but may not record it, 409 when the
result is already written (two inspectors at once: one wins).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from anjian.core.errors import NotFound
from anjian.hazards import rechecks
from anjian.hazards.models import Recheck

from .common import actor, caller, page
from .schemas import MAX_PAGE_SIZE, ErrorOut, Lenient, Offset, ValidationErrorOut

router = Router(tags=["re-checks"])


class HazardRef(Schema):
    id: int
    number: str


class RecheckOut(Schema):
    id: int
    hazard: HazardRef
    enterprise_id: int
    enterprise_name: str
    sampled_on: dt.date
    period: str
    reason: str
    code_colour: str
    due_on: dt.date
    state: str
    result: str
    findings: str
    done_by: str | None
    done_at: dt.datetime | None
    relapse_hazard: HazardRef | None


class RecheckPage(Schema):
    count: int
    items: list[RecheckOut]


class RecheckQuery(Schema):
    state: Literal["pending", "done"] | None = None
    result: Literal["still_fixed", "relapsed"] | None = None
    enterprise_id: int | None = Field(None, ge=1, le=2**63 - 1)
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class RecheckIn(Schema):
    result: Lenient(
        {
            "type": "string",
            "enum": ["still_fixed", "relapsed"],
            "description": '"still_fixed" or "relapsed"',
        }
    ) = None
    findings: Lenient(
        {"type": "string", "description": "What the re-inspection found (required)."}
    ) = None


def _out(r: Recheck) -> dict[str, Any]:
    return {
        "id": r.pk,
        "hazard": {"id": r.hazard_id, "number": r.hazard.number},
        "enterprise_id": r.hazard.enterprise_id,
        "enterprise_name": r.hazard.enterprise.name,
        "sampled_on": r.sampled_on,
        "period": r.run.period,
        "reason": r.reason,
        "code_colour": r.code_colour,
        "due_on": r.due_on,
        "state": r.state,
        "result": r.result,
        "findings": r.findings,
        "done_by": r.done_by.username if r.done_by_id else None,
        "done_at": r.done_at,
        "relapse_hazard": (
            {"id": r.relapse_hazard_id, "number": r.relapse_hazard.number}
            if r.relapse_hazard_id
            else None
        ),
    }


def _qs(request: HttpRequest):
    return rechecks.visible_rechecks(caller(request)).select_related(
        "hazard", "hazard__enterprise", "run", "done_by", "relapse_hazard"
    )


@router.get(
    "/rechecks",
    response={200: RecheckPage, 422: ValidationErrorOut},
    summary="Re-checks in your scope (enterprise staff: only done ones of their enterprise)",
)
def recheck_list(request: HttpRequest, q: Query[RecheckQuery]) -> dict[str, Any]:
    qs = _qs(request)
    if q.state:
        qs = qs.filter(state=q.state)
    if q.result:
        qs = qs.filter(result=q.result)
    if q.enterprise_id:
        qs = qs.filter(hazard__enterprise_id=q.enterprise_id)
    result = page(qs.order_by("due_on", "pk"), q.limit, q.offset)
    return {"count": result["count"], "items": [_out(r) for r in result["items"]]}


@router.get(
    "/rechecks/{recheck_id}",
    response={200: RecheckOut, 404: ErrorOut},
    summary="One re-check",
)
def recheck_get(request: HttpRequest, recheck_id: int) -> dict[str, Any]:
    found = _qs(request).filter(pk=recheck_id).first()
    if found is None:
        raise NotFound("")
    return _out(found)


@router.post(
    "/rechecks/{recheck_id}/result",
    response={
        200: RecheckOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Record a re-check's result, once; relapsed reports a new linked hazard",
)
def recheck_result(request: HttpRequest, recheck_id: int, payload: RecheckIn) -> dict[str, Any]:
    done = rechecks.recheck_record(
        actor=actor(request),
        recheck_id=recheck_id,
        result=payload.result,
        findings=payload.findings,
    )
    return _out(_qs(request).get(pk=done.pk))

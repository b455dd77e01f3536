"""Safety points (安全积分) and responsibility lists (全员安全生产责任制) over HTTP
(issue 15 items 4, 7 and 8), scoped by anjian.core.scoping.visible (an employee sees
only their own ledger; an id outside your scope answers 404 like an unknown one).

* GET /points: workers in scope with their balance (all time and the year's), highest
  first, paged; filters enterprise, year;
* GET /points/{worker_id}: one worker's ledger;
* POST /points/award: a manual award or deduction, or a violation (principal or safety
  officer of the worker's enterprise); POST /points/{entry_id}/reverse: undo a line, once;
* GET /duty: your enterprise's list (posts, unsigned workers, the quarterly report's
  status) or, for regulators, the enterprises in scope with missing-signature counts;
* POST /duty/posts, POST /duty/letters, POST /duty/reports.

Refusals: 422 with field messages (unknown fields too), 403, 404, 409.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict

from anjian.core.errors import ValidationFailed
from anjian.people import duty_services as ds
from anjian.people import points_services as ps

from .common import actor, caller, page
from .schemas import MAX_PAGE_SIZE, ErrorOut, Id, Lenient, Offset, ValidationErrorOut

router = Router(tags=["people"])


# --- outputs --------------------------------------------------------------------------------


class PointsRef(Schema):
    id: int
    name: str


class BalanceOut(Schema):
    worker: PointsRef
    enterprise: PointsRef
    post: str
    balance: int = Field(description="The year's balance when `year` is given, else all time.")


class BalancePage(Schema):
    count: int
    items: list[BalanceOut]


class PointsEntryOut(Schema):
    id: int
    worker: int
    points: int
    rule: str
    note: str
    source: str
    source_id: int | None
    reverses: int | None
    reversed: bool
    at: dt.datetime


class LedgerOut(Schema):
    worker: PointsRef
    enterprise: PointsRef
    balance: int
    year: int
    year_balance: int
    entries: list[PointsEntryOut]


class PostOut(Schema):
    id: int
    post: str
    duties: str
    workers: list[PointsRef]
    unsigned: list[PointsRef]


class DutyListOut(Schema):
    enterprise: PointsRef
    year: int
    posts: list[PostOut]
    posts_without_duties: list[str]
    unlisted: list[PointsRef] = Field(description="Active workers whose post is not in the list.")
    missing: int = Field(description="Unsigned plus unlisted workers.")
    report_year: int
    report_quarter: int
    report_due: dt.date = Field(description="15 days after the quarter (a local default).")
    report_status: str = Field(description="submitted, not_due, due or overdue.")


class DutyOverviewOut(Schema):
    enterprise: PointsRef
    posts: int
    posts_without_duties: int
    workers: int
    missing: int
    report_status: str


class DutyAnswer(Schema):
    enterprise: DutyListOut | None
    enterprises: list[DutyOverviewOut] | None


class LetterOut(Schema):
    id: int
    post: int
    worker: int
    year: int
    signed_on: dt.date


class LettersOut(Schema):
    created: list[LetterOut]


class DutyReportOut(Schema):
    id: int
    enterprise: int
    year: int
    quarter: int
    text: str
    submitted_at: dt.datetime


class BalanceFilters(Schema):
    enterprise: Id | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class DutyFilters(Schema):
    enterprise: Id | None = None


# --- inputs --------------------------------------------------------------------------------


class AwardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    worker: Lenient({"type": "integer", "minimum": 1, "description": "Required."}) = None
    rule: Lenient(
        {"type": "string", "enum": ["manual", "violation"], "description": "Required."}
    ) = None
    points: Lenient({"type": "integer", "description": "Manual: non-zero, within the policy."}) = (
        None
    )
    severity: Lenient(
        {"type": "string", "enum": ["minor", "ordinary", "serious"], "description": "Violation."}
    ) = None
    note: Lenient({"type": "string", "maxLength": 255, "description": "The reason."}) = ""


class ReverseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Lenient({"type": "string", "maxLength": 255, "description": "Required."}) = None


class PostIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    post: Lenient({"type": "string", "maxLength": 64, "description": "Required."}) = None
    duties: Lenient({"type": "string", "maxLength": 10000, "description": "Required."}) = None
    active: Lenient({"type": "boolean"}) = True


class LettersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    post: Lenient({"type": "integer", "minimum": 1, "description": "Required."}) = None
    workers: Lenient(
        {"type": "array", "items": {"type": "integer", "minimum": 1}, "description": "Required."}
    ) = None
    year: Lenient({"type": "integer", "description": "Default this year."}) = None
    signed_on: Lenient({"type": "string", "format": "date", "description": "Default today."}) = None


class DutyReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: Lenient({"type": "integer", "description": "Required."}) = None
    quarter: Lenient(
        {"type": "integer", "minimum": 1, "maximum": 4, "description": "Required."}
    ) = None
    text: Lenient({"type": "string", "maxLength": 20000, "description": "Required."}) = None


# --- helpers --------------------------------------------------------------------------------


def _ref(row: Any) -> dict[str, Any]:
    return {"id": row.pk, "name": getattr(row, "name", None) or str(row)}


def _entry_out(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "worker": e.worker_id,
        "points": e.points,
        "rule": e.rule,
        "note": e.note,
        "source": e.source,
        "source_id": e.source_id,
        "reverses": e.reverses_id,
        "reversed": bool(getattr(e, "is_reversed", False)),
        "at": e.at,
    }


def _ledger(request: HttpRequest, worker_id: int) -> dict[str, Any]:
    led = ps.ledger(caller(request), worker_id)
    return {
        "worker": _ref(led.worker),
        "enterprise": _ref(led.worker.enterprise),
        "balance": led.balance,
        "year": led.year,
        "year_balance": led.year_balance,
        "entries": [_entry_out(e) for e in led.entries],
    }


def _duty_out(s: ds.DutyStatus) -> dict[str, Any]:
    return {
        "enterprise": _ref(s.enterprise),
        "year": s.year,
        "posts": [
            {
                "id": r.post.pk,
                "post": r.post.post,
                "duties": r.post.duties,
                "workers": [_ref(w) for w in r.workers],
                "unsigned": [_ref(w) for w in r.unsigned],
            }
            for r in s.rows
        ],
        "posts_without_duties": s.check.posts_without_duties,
        "unlisted": [_ref(w) for w in s.unlisted],
        "missing": s.check.missing,
        "report_year": s.report_year,
        "report_quarter": s.report_quarter,
        "report_due": s.report_due,
        "report_status": s.report_status,
    }


_WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


# --- endpoints: points ----------------------------------------------------------------------


@router.get(
    "/points",
    response={200: BalancePage, 422: ValidationErrorOut},
    summary="Workers in your scope with their safety-points balance, highest first",
)
def points_balances(request: HttpRequest, filters: Query[BalanceFilters]) -> dict[str, Any]:
    qs = ps.balances(caller(request), year=filters.year, enterprise_id=filters.enterprise)
    result = page(qs, filters.limit, filters.offset)
    return {
        "count": result["count"],
        "items": [
            {
                "worker": _ref(w),
                "enterprise": _ref(w.enterprise),
                "post": w.post,
                "balance": w.balance,
            }
            for w in result["items"]
        ],
    }


# /points/award before /points/{worker_id}: the first matching path takes the request.
@router.post(
    "/points/award",
    response={201: PointsEntryOut, **_WRITE},
    summary="A manual award or deduction, or a violation (the principal or safety officer)",
)
def points_award(request: HttpRequest, payload: AwardIn) -> Any:
    data = payload.model_dump(exclude_unset=True)
    if data.get("rule") not in ("manual", "violation"):
        # The other rules are the hooks' (training, drills, reports, self-checks).
        raise ValidationFailed({"rule": [_("Choose manual or violation.")]})
    entry = ps.points_award(
        actor=actor(request),
        worker_id=data.get("worker"),
        rule=data["rule"],
        points=data.get("points"),
        severity=data.get("severity"),
        note=data.get("note", ""),
    )
    return Status(201, _entry_out(entry))


@router.get(
    "/points/{worker_id}",
    response={200: LedgerOut, 404: ErrorOut},
    summary="One worker's safety-points ledger",
)
def points_ledger(request: HttpRequest, worker_id: int) -> dict[str, Any]:
    return _ledger(request, worker_id)


@router.post(
    "/points/{entry_id}/reverse",
    response={201: PointsEntryOut, **_WRITE},
    summary="Reverse a ledger line (a new line with the opposite points; once)",
)
def points_reverse(request: HttpRequest, entry_id: int, payload: ReverseIn) -> Any:
    back = ps.points_reverse(actor=actor(request), entry_id=entry_id, reason=payload.reason)
    return Status(201, _entry_out(back))


# --- endpoints: responsibility lists ---------------------------------------------------------


@router.get(
    "/duty",
    response={200: DutyAnswer, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Responsibility lists: your enterprise's, or the enterprises in your scope",
)
def duty(request: HttpRequest, filters: Query[DutyFilters]) -> dict[str, Any]:
    user = caller(request)
    if filters.enterprise is None and not user.enterprise_id:
        rows = ds.duty_overview(user)
        return {
            "enterprise": None,
            "enterprises": [
                {
                    "enterprise": _ref(r.enterprise),
                    "posts": r.posts,
                    "posts_without_duties": r.posts_without_duties,
                    "workers": r.workers,
                    "missing": r.missing,
                    "report_status": r.report_status,
                }
                for r in rows
            ],
        }
    return {"enterprise": _duty_out(ds.duty_status(user, filters.enterprise)), "enterprises": None}


@router.post(
    "/duty/posts", response={201: PostOut, **_WRITE}, summary="Add a post or replace its duties"
)
def duty_post(request: HttpRequest, payload: PostIn) -> Any:
    data = payload.model_dump(exclude_unset=True)
    row = ds.duty_post_save(
        actor=actor(request),
        post=data.get("post"),
        duties=data.get("duties"),
        active=data.get("active", True),
    )
    return Status(
        201, {"id": row.pk, "post": row.post, "duties": row.duties, "workers": [], "unsigned": []}
    )


@router.post(
    "/duty/letters",
    response={201: LettersOut, **_WRITE},
    summary="Record the year's letters signed by workers of a post (in bulk; idempotent)",
)
def duty_letters(request: HttpRequest, payload: LettersIn) -> Any:
    data = payload.model_dump(exclude_unset=True)
    created = ds.duty_letters_record(
        actor=actor(request),
        post_id=data.get("post"),
        worker_ids=data.get("workers"),
        year=data.get("year"),
        signed_on=data.get("signed_on"),
    )
    return Status(
        201,
        {
            "created": [
                {
                    "id": e.pk,
                    "post": e.post_id,
                    "worker": e.worker_id,
                    "year": e.year,
                    "signed_on": e.signed_on,
                }
                for e in created
            ]
        },
    )


@router.post(
    "/duty/reports",
    response={201: DutyReportOut, **_WRITE},
    summary="The principal's quarterly report of duty performance (once a quarter)",
)
def duty_report(request: HttpRequest, payload: DutyReportIn) -> Any:
    data = payload.model_dump(exclude_unset=True)
    r = ds.duty_report_submit(
        actor=actor(request),
        year=data.get("year"),
        quarter=data.get("quarter"),
        text=data.get("text"),
    )
    return Status(
        201,
        {
            "id": r.pk,
            "enterprise": r.enterprise_id,
            "year": r.year,
            "quarter": r.quarter,
            "text": r.text,
            "submitted_at": r.submitted_at,
        },
    )

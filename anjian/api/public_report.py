"""Whistleblower reports over HTTP (issue 15 items 1 and 8).

Public, no authentication (the same checks as the portal: rate limits per sender, the
honeypot, minimum length, no duplicate content from one sender within 24 hours):
* POST /public/reports: a report (JSON, no photos: the portal takes them); answers the
  tracking code and the secret ONCE — only the secret's hash is kept;
* POST /public/reports/track: code + secret → the state in plain words, the conclusion,
  the reward, the questions and answers (never the handler's name or internal notes).

Authenticated, scoped by anjian.core.scoping.visible (regulators their division subtree;
enterprise staff and anyone else nothing, even about their own enterprise):
* GET /reports (filters state, matter, overdue), GET /reports/{id};
* POST /reports/{id}/triage|duplicate|verify|conclude|reward|pay|extend|messages: the
  steps of anjian.public.report_workflow;
* POST /reports/{id}/reveal: the reporter's identity, for holders of
  public.read_reporter_identity with a reason; every attempt recorded.
No answer carries the identity except reveal's. Refusals: 422 with field messages, 403,
404 (also outside your scope), 409 (a step the state does not allow), 429 (too many).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict, Field

from anjian.accounts.security import client_ip
from anjian.core.errors import NotFound
from anjian.public import report_services as services
from anjian.public import report_workflow as wf
from anjian.public.models import Report

from .common import actor, caller, page
from .schemas import MAX_PAGE_SIZE, ErrorOut, Offset, ValidationErrorOut

router = Router(tags=["public"])

Text = str | None


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- public ---------------------------------------------------------------------------------


class PublicReportIn(_In):
    matter: Text = Field(
        None, description="major_hazard, violation, concealed_accident, hazard, other."
    )
    division: int | None = Field(None, description="The township's id.")
    enterprise_name: Text = None
    place: Text = None
    content: Text = None
    latitude: Text = None
    longitude: Text = None
    anonymous: bool = True
    name: Text = None
    phone: Text = None
    id_number: Text = None
    address: Text = None
    insider: bool = False
    website: Text = Field(None, description="Leave empty (a spam trap).")


class PublicReportCreated(Schema):
    tracking_code: str
    secret: str = Field(description="Shown once; keep it. Only its hash is stored.")
    due_on: dt.date


class TrackIn(_In):
    code: str = Field(max_length=64)
    secret: str = Field(max_length=64)


class MessageOut(Schema):
    from_reporter: bool
    text: str
    at: dt.datetime


class TrackOut(Schema):
    tracking_code: str
    state: str
    state_label: str
    state_text: str
    received_at: dt.datetime
    conclusion: str
    conclusion_reason: str
    reward_yuan: str | None
    paid: bool
    messages: list[MessageOut]


def _limited(exc: Exception) -> Status:
    return Status(429, {"detail": str(exc)})


@router.post(
    "/public/reports",
    auth=None,
    response={201: PublicReportCreated, 422: ValidationErrorOut, 429: ErrorOut},
    summary="Make a report (no login); answers the tracking code and secret once",
)
def public_report_create(request: HttpRequest, payload: PublicReportIn) -> Any:
    data = payload.model_dump()
    data["anonymous"] = "1" if payload.anonymous else "0"
    try:
        report, secret = services.report_submit(data=data, address=client_ip(request))
    except services.RateLimited as exc:
        return _limited(exc)
    return Status(
        201, {"tracking_code": report.tracking_code, "secret": secret, "due_on": report.due_on}
    )


def _track_out(report: Report) -> dict[str, Any]:
    concluded = report.state in (wf.CONCLUDED, wf.REWARD_DECIDED, wf.PAID)
    return {
        "tracking_code": report.tracking_code,
        "state": report.state,
        "state_label": str(report.get_state_display()),
        "state_text": services.public_state_text(report),
        "received_at": report.received_at,
        "conclusion": report.conclusion if concluded else "",
        "conclusion_reason": report.conclusion_reason if concluded else "",
        "reward_yuan": str(report.reward_yuan) if report.reward_yuan is not None else None,
        "paid": report.paid_at is not None,
        "messages": [
            {"from_reporter": m.from_reporter, "text": m.text, "at": m.at}
            for m in report.messages.all()
        ],
    }


@router.post(
    "/public/reports/track",
    auth=None,
    response={200: TrackOut, 404: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut},
    summary="Follow a report with its tracking code and secret (no login)",
)
def public_report_track(request: HttpRequest, payload: TrackIn) -> Any:
    try:
        report = services.report_track(
            code=payload.code, secret=payload.secret, address=client_ip(request)
        )
    except services.RateLimited as exc:
        return _limited(exc)
    return _track_out(report)


# --- regulators -----------------------------------------------------------------------------


class ReportRef(Schema):
    id: int
    name: str


class WhistleReportOut(Schema):
    id: int
    tracking_code: str
    matter: str
    matter_label: str
    division: ReportRef
    enterprise: ReportRef | None
    enterprise_name: str
    place: str
    content: str
    anonymous: bool
    insider: bool
    state: str
    state_label: str
    received_at: dt.datetime
    due_on: dt.date | None
    extended: bool
    overdue: bool
    department: ReportRef | None
    duplicate_of: int | None
    hazard: int | None
    inspection: int | None
    accident: int | None
    conclusion: str
    conclusion_reason: str
    fine_yuan: str | None
    reward_yuan: str | None
    reward_basis: dict[str, Any]
    payment_ref: str


class ReportPage(Schema):
    count: int
    items: list[WhistleReportOut]


class HandlerMessageOut(Schema):
    from_reporter: bool
    by: str
    text: str
    at: dt.datetime


class ReportEventOut(Schema):
    action: str
    at: dt.datetime
    by: str
    note: str


class ReportDetail(WhistleReportOut):
    available: list[str]
    messages: list[HandlerMessageOut]
    events: list[ReportEventOut]
    likely_duplicates: list[int]


class ReportFilters(Schema):
    state: str | None = None
    matter: str | None = None
    overdue: bool = False
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _out(r: Report) -> dict[str, Any]:
    return {
        "id": r.pk,
        "tracking_code": r.tracking_code,
        "matter": r.matter,
        "matter_label": str(r.get_matter_display()),
        "division": _ref(r.division),
        "enterprise": _ref(r.enterprise),
        "enterprise_name": r.enterprise_name,
        "place": r.place,
        "content": r.content,
        "anonymous": r.anonymous,
        "insider": r.insider,
        "state": r.state,
        "state_label": str(r.get_state_display()),
        "received_at": r.received_at,
        "due_on": r.due_on,
        "extended": r.extended,
        "overdue": services.is_overdue(r),
        "department": _ref(r.department),
        "duplicate_of": r.duplicate_of_id,
        "hazard": r.hazard_id,
        "inspection": r.inspection_id,
        "accident": r.accident_id,
        "conclusion": r.conclusion,
        "conclusion_reason": r.conclusion_reason,
        "fine_yuan": str(r.fine_yuan) if r.fine_yuan is not None else None,
        "reward_yuan": str(r.reward_yuan) if r.reward_yuan is not None else None,
        "reward_basis": r.reward_basis or {},
        "payment_ref": r.payment_ref,
    }


def _scoped(request: HttpRequest):
    return services.visible_reports(caller(request)).select_related(
        "division", "enterprise", "department"
    )


def _detail(request: HttpRequest, report_id: int) -> dict[str, Any]:
    user = caller(request)
    report = _scoped(request).filter(pk=report_id).first()
    if report is None:
        raise NotFound("No such report in your scope.")
    out = _out(report)
    out["available"] = services.available(user, report)
    out["messages"] = [
        {
            "from_reporter": m.from_reporter,
            "by": "" if m.from_reporter else (m.author.get_username() if m.author else ""),
            "text": m.text,
            "at": m.at,
        }
        for m in report.messages.select_related("author")
    ]
    out["events"] = [
        {
            "action": e.action,
            "at": e.at,
            "by": e.actor.get_username() if e.actor else "",
            "note": e.note,
        }
        for e in report.events.select_related("actor").order_by("at", "pk")
    ]
    out["likely_duplicates"] = (
        [d.pk for d in services.likely_duplicates(user, report)]
        if report.state in wf.OPEN_STATES
        else []
    )
    return out


@router.get(
    "/reports",
    response={200: ReportPage, 422: ValidationErrorOut},
    summary="Whistleblower reports in your scope",
)
def report_list(request: HttpRequest, filters: Query[ReportFilters]) -> dict[str, Any]:
    qs = _scoped(request)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.matter:
        qs = qs.filter(matter=filters.matter)
    if filters.overdue:
        qs = qs.filter(state__in=wf.OPEN_STATES, due_on__lt=timezone.localdate())
    result = page(qs.order_by("-received_at", "-pk"), filters.limit, filters.offset)
    return {"count": result["count"], "items": [_out(r) for r in result["items"]]}


@router.get(
    "/reports/{report_id}",
    response={200: ReportDetail, 404: ErrorOut},
    summary="One whistleblower report",
)
def report_detail(request: HttpRequest, report_id: int) -> dict[str, Any]:
    return _detail(request, report_id)


_STEP = {200: ReportDetail, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


class TriageIn(_In):
    department_id: int | None = None
    note: Text = None


class DuplicateIn(_In):
    duplicate_of: int | None = None
    note: Text = None


class VerifyIn(_In):
    hazard_id: int | None = None
    inspection_id: int | None = None
    accident_id: int | None = None
    hazard: dict[str, Any] | None = Field(
        None, description="A new hazard of the named enterprise (the hazard report's fields)."
    )
    note: Text = None


class ConcludeIn(_In):
    conclusion: Text = Field(None, description="substantiated or unsubstantiated.")
    reason: Text = None
    accident_id: int | None = None
    mark_concealed: bool = False


class RewardIn(_In):
    fine_yuan: str | int | float | None = None
    grade: Text = Field(None, description="一般|较大|重大|特别重大 (concealed accidents).")
    deaths: int | None = None
    note: Text = None


class PayIn(_In):
    payment_ref: Text = None
    note: Text = None


class ExtendIn(_In):
    days: int | None = None
    reason: Text = None


class MessageIn(_In):
    text: Text = None


class RevealIn(_In):
    reason: Text = None


class IdentityOut(Schema):
    name: str
    phone: str
    id_number: str
    address: str


def _step(request: HttpRequest, report_id: int, service: Any, payload: BaseModel) -> dict[str, Any]:
    service(actor=actor(request), report_id=report_id, **payload.model_dump())
    return _detail(request, report_id)


@router.post(
    "/reports/{report_id}/triage", response=_STEP, summary="Assign the handling department"
)
def report_triage(request: HttpRequest, report_id: int, payload: TriageIn) -> dict[str, Any]:
    return _step(request, report_id, services.report_triage, payload)


@router.post(
    "/reports/{report_id}/duplicate",
    response=_STEP,
    summary="Link to an earlier report of the same matter",
)
def report_duplicate(request: HttpRequest, report_id: int, payload: DuplicateIn) -> dict[str, Any]:
    return _step(request, report_id, services.report_mark_duplicate, payload)


@router.post(
    "/reports/{report_id}/verify",
    response=_STEP,
    summary="Link a hazard, inspection or accident (or report a hazard)",
)
def report_verify(request: HttpRequest, report_id: int, payload: VerifyIn) -> dict[str, Any]:
    return _step(request, report_id, services.report_verify, payload)


@router.post(
    "/reports/{report_id}/conclude",
    response=_STEP,
    summary="Conclude: substantiated or not, with reasons",
)
def report_conclude(request: HttpRequest, report_id: int, payload: ConcludeIn) -> dict[str, Any]:
    return _step(request, report_id, services.report_conclude, payload)


@router.post(
    "/reports/{report_id}/reward",
    response=_STEP,
    summary="Decide the reward (安监总财〔2018〕19号)",
)
def report_reward(request: HttpRequest, report_id: int, payload: RewardIn) -> dict[str, Any]:
    return _step(request, report_id, services.report_reward, payload)


@router.post("/reports/{report_id}/pay", response=_STEP, summary="Record the payment")
def report_pay(request: HttpRequest, report_id: int, payload: PayIn) -> dict[str, Any]:
    return _step(request, report_id, services.report_pay, payload)


@router.post(
    "/reports/{report_id}/extend",
    response=_STEP,
    summary="Extend the 60-day deadline once, by up to 30 days",
)
def report_extend(request: HttpRequest, report_id: int, payload: ExtendIn) -> dict[str, Any]:
    return _step(request, report_id, services.report_extend, payload)


@router.post("/reports/{report_id}/messages", response=_STEP, summary="Ask the reporter a question")
def report_messages(request: HttpRequest, report_id: int, payload: MessageIn) -> dict[str, Any]:
    return _step(request, report_id, services.report_message, payload)


@router.post(
    "/reports/{report_id}/reveal",
    response={
        200: IdentityOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Read the reporter's identity (permission public.read_reporter_identity; recorded)",
)
def report_reveal(request: HttpRequest, report_id: int, payload: RevealIn) -> Any:
    out = services.identity_reveal(actor=actor(request), report_id=report_id, reason=payload.reason)
    response = Status(200, out)
    return response

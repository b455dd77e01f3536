"""Self-checks (隐患排查) over HTTP: the records in your scope (filters: enterprise, from,
to, timing), one record with its answers (photos as links to the record page's photo
view), submitting a self-check for a task period in one call, and the authenticity
scores (regulators: the latest score of each enterprise in scope with its signals; an
enterprise's own staff: their enterprise's).

Reads start from `scoping.visible`; the submission goes through anjian.checks.services
(check_start, then check_submit) with the client's token, so a retry after a dropped
connection returns the record already submitted instead of a second one. An id outside
the caller's scope answers 404 exactly like an unknown one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict

from anjian.checks import evidence, services
from anjian.checks.models import (
    AnswerStatus,
    CheckRecord,
    EnterpriseAuthenticity,
    RecordFlag,
    RecordState,
)
from anjian.checks.names import evidence_names
from anjian.checks.views import is_enterprise_user, is_regulator
from anjian.core import scoping
from anjian.core.errors import NotFound, ValidationFailed
from anjian.core.times import EARLIEST_YEAR, LATEST_YEAR

from .common import actor, caller, page
from .schemas import MAX_DB_INT, MAX_PAGE_SIZE, ErrorOut, Id, Lenient, Offset, ValidationErrorOut

router = Router(tags=["checks"])
TZ = ZoneInfo(settings.TIME_ZONE)


# --- shared with the other issue-12 modules -------------------------------------------------


def day_bounds(
    first: dt.date | None, last: dt.date | None, names: tuple[str, str] = ("from", "to")
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """[start of `first`, start of the day after `last`) in local time (Asia/Shanghai),
    `last` inclusive; 422 naming the parameter for a year no filter means."""
    errors: dict[str, list[str]] = {}
    for name, day in zip(names, (first, last), strict=True):
        if day is not None and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            errors[name] = [
                _("Give a date between the years %(a)s and %(b)s.")
                % {"a": EARLIEST_YEAR, "b": LATEST_YEAR}
            ]
    if errors:
        raise ValidationFailed(errors)

    def start(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=TZ)

    return (
        start(first) if first else None,
        start(last + dt.timedelta(days=1)) if last else None,
    )


def valid_id(value: int) -> bool:
    return 1 <= value <= MAX_DB_INT


# --- outputs --------------------------------------------------------------------------------


class CheckRecordOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    task_id: int
    task: str = Field(description="The task's check content.")
    place: str = Field(description="The risk unit or installation checked.")
    period_start: dt.datetime
    period_end: dt.datetime
    state: Literal["open", "missed", "submitted"]
    timing: str = Field(description='"on_time", "late", "missed" or "" (not yet settled).')
    checker: str | None
    started_at: dt.datetime | None
    submitted_at: dt.datetime | None
    corrects_id: int | None = Field(description="The record this one corrects.")
    items: int = Field(description="Answers given.")
    hazards: int = Field(description="Hazards opened by its answers.")


class CheckRecordPage(Schema):
    count: int
    items: list[CheckRecordOut]


class CheckAnswerOut(Schema):
    position: int
    content: str
    status: str
    check_status: int = Field(description="t_yhpcjl CHECK_STATUS: 0 normal … 3 other.")
    note: str
    hazard_id: int | None
    photo_url: str | None = Field(description="The photo as uploaded (signed-in page view).")
    photo_sha256: str | None
    photo_dhash: str | None = Field(description="64-bit perceptual hash, 16 hex digits.")


class CheckRecordDetail(CheckRecordOut):
    device_id: str
    device_started_at: dt.datetime | None
    device_submitted_at: dt.datetime | None
    lat: float | None
    lon: float | None
    accuracy: float | None
    note: str
    missed_at: dt.datetime | None
    answers: list[CheckAnswerOut]


class SignalOut(Schema):
    name: str = Field(description="The scorer's signal code.")
    title: str
    summary: str
    details: list[str]
    record_ids: list[int]
    evidence: dict[str, Any] = Field(description="The scorer's figures, as computed.")


class AuthenticityOut(Schema):
    enterprise_id: int
    enterprise: str
    score: float = Field(description="0–100; 100 means no signal, lower is less likely real.")
    flag: bool
    records: int
    flagged_records: int
    run_day: dt.date
    threshold: float | None = Field(description="The flag threshold the run used.")
    signals: list[SignalOut]


class AuthenticityPage(Schema):
    count: int
    items: list[AuthenticityOut]


class FlaggedRecordOut(Schema):
    record_id: int
    submitted_at: dt.datetime | None
    place: str
    checker: str | None
    signals: list[SignalOut]


class AuthenticityDetail(Schema):
    enterprise_id: int
    enterprise: str
    latest: AuthenticityOut | None = Field(description="None: not scored yet.")
    flagged_count: int
    flagged: list[FlaggedRecordOut]


# --- inputs ---------------------------------------------------------------------------------


class CheckRecordFilters(Schema):
    enterprise: Id | None = Field(None, description="Enterprise id.")
    from_: dt.date | None = Field(None, alias="from", description="Period starting on or after.")
    to: dt.date | None = Field(None, description="Period starting on or before (inclusive).")
    timing: Literal["on_time", "late", "missed"] | None = None
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class AuthenticityFilters(Schema):
    flagged: bool | None = Field(None, description="true: flagged enterprises only.")
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class FlaggedFilters(Schema):
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


_TEXT = Lenient({"type": "string"})
_NUMBER = Lenient({"type": "number"})
_TIME = Lenient({"type": "string", "format": "date-time"})


class CheckSubmitIn(BaseModel):
    """Any JSON value per field at parse time: the services check the whole submission
    and report every problem at once, in their own words."""

    model_config = ConfigDict(extra="allow")

    task_id: Lenient({"type": "integer", "minimum": 1}) = None
    client_token: Lenient(
        {
            "type": "string",
            "format": "uuid",
            "description": "A UUID the client makes once per check; a retry sends the same.",
        }
    ) = None
    period_start: Lenient(
        {
            "type": "string",
            "format": "date-time",
            "description": "A missed or unfilled period of the task; default: the current one.",
        }
    ) = None
    answers: Lenient(
        {
            "type": "object",
            "description": 'By item position: {"1": {"status": "normal", "note": ""}}; status '
            "one of " + ", ".join(AnswerStatus.values) + ".",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "status": {"type": "string", "enum": list(AnswerStatus.values)},
                    "note": {"type": "string"},
                },
            },
        }
    ) = None
    lat: _NUMBER = None
    lon: _NUMBER = None
    accuracy: _NUMBER = None
    device_id: _TEXT = None
    device_started_at: _TIME = None
    device_submitted_at: _TIME = None
    note: _TEXT = None


SUBMIT_FIELDS = set(CheckSubmitIn.model_fields)


# --- helpers --------------------------------------------------------------------------------


def _may_read(user: Any) -> bool:
    return is_enterprise_user(user) or is_regulator(user)


def _records(user: Any) -> QuerySet[CheckRecord]:
    qs = scoping.visible(user, CheckRecord)
    if not _may_read(user):
        return qs.none()
    return qs.select_related(
        "enterprise", "task__installation", "task__measure__event__unit", "checker"
    ).annotate(
        item_count=Count("answers"),
        hazard_count=Count("answers", filter=Q(answers__hazard__isnull=False)),
    )


def _name(user: Any) -> str | None:
    return None if user is None else (user.display_name or user.get_username())


def _record_out(record: CheckRecord) -> dict[str, Any]:
    return {
        "id": record.pk,
        "enterprise_id": record.enterprise_id,
        "enterprise": record.enterprise.name,
        "task_id": record.task_id,
        "task": record.task.content,
        "place": services.place_of(record.task),
        "period_start": record.period_start,
        "period_end": record.period_end,
        "state": record.state,
        "timing": record.timing,
        "checker": _name(record.checker),
        "started_at": record.started_at,
        "submitted_at": record.submitted_at,
        "corrects_id": record.corrects_id,
        "items": record.item_count,
        "hazards": record.hazard_count,
    }


def _no_such_record() -> NotFound:
    return NotFound(_("No such check record in your scope."))


def _record_detail(user: Any, record_id: int) -> dict[str, Any]:
    if not valid_id(record_id):
        raise _no_such_record()
    record = _records(user).filter(pk=record_id).first()
    if record is None:
        raise _no_such_record()
    answers = []
    for answer in record.answers.order_by("position"):
        photo_url = None
        if answer.photo:
            photo_url = reverse(
                "checks:answer_photo", kwargs={"pk": record.pk, "answer_pk": answer.pk}
            )
        answers.append(
            {
                "position": answer.position,
                "content": answer.content,
                "status": answer.status,
                "check_status": answer.check_status_code,
                "note": answer.note,
                "hazard_id": answer.hazard_id,
                "photo_url": photo_url,
                "photo_sha256": answer.photo_sha256 or None,
                "photo_dhash": answer.photo_dhash or None,
            }
        )
    return {
        **_record_out(record),
        "device_id": record.device_id,
        "device_started_at": record.device_started_at,
        "device_submitted_at": record.device_submitted_at,
        "lat": record.lat,
        "lon": record.lon,
        "accuracy": record.accuracy,
        "note": record.note,
        "missed_at": record.missed_at,
        "answers": answers,
    }


def _signals(rendered: list[evidence.Rendered], raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "name": r.code,
            "title": str(r.title),
            "summary": str(r.summary),
            "details": [str(d) for d in r.details],
            "record_ids": list(r.ids),
            "evidence": s.get("evidence") or {},
        }
        for r, s in zip(rendered, raw, strict=True)
    ]


def _threshold(score: EnterpriseAuthenticity) -> float | None:
    value = (score.run.thresholds or {}).get("flag_below")
    return value if isinstance(value, int | float) else None


def _score_out(score: EnterpriseAuthenticity, names: evidence.Names) -> dict[str, Any]:
    rendered = [evidence.render_enterprise_signal(s, names) for s in score.signals]
    return {
        "enterprise_id": score.enterprise_id,
        "enterprise": score.enterprise.name,
        "score": score.score,
        "flag": score.flag,
        "records": score.records,
        "flagged_records": score.flagged_records,
        "run_day": score.run.day,
        "threshold": _threshold(score),
        "signals": _signals(rendered, score.signals),
    }


def _latest_scores(user: Any) -> QuerySet[EnterpriseAuthenticity]:
    latest = (
        EnterpriseAuthenticity.objects.filter(enterprise=OuterRef("enterprise"))
        .order_by("-run_id")
        .values("pk")[:1]
    )
    return scoping.visible(user, EnterpriseAuthenticity).filter(pk=Subquery(latest))


# --- endpoints ------------------------------------------------------------------------------


@router.get(
    "/checks/records",
    response={200: CheckRecordPage, 422: ValidationErrorOut},
    summary="Self-check records in your scope, newest period first",
)
def check_record_list(request: HttpRequest, filters: Query[CheckRecordFilters]) -> dict[str, Any]:
    start, end = day_bounds(filters.from_, filters.to)
    qs = _records(caller(request))
    if filters.enterprise:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if start:
        qs = qs.filter(period_start__gte=start)
    if end:
        qs = qs.filter(period_start__lt=end)
    if filters.timing:
        qs = qs.filter(timing=filters.timing)
    result = page(qs.order_by("-period_start", "-pk"), filters.limit, filters.offset)
    return {"count": result["count"], "items": [_record_out(r) for r in result["items"]]}


@router.get(
    "/checks/records/{record_id}",
    response={200: CheckRecordDetail, 404: ErrorOut},
    summary="One self-check record with its answers",
)
def check_record_detail(request: HttpRequest, record_id: int) -> dict[str, Any]:
    return _record_detail(caller(request), record_id)


@router.post(
    "/checks/records",
    response={
        200: CheckRecordDetail,
        201: CheckRecordDetail,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Submit a self-check for a task period (enterprise staff; idempotent by "
    "client_token: a retry answers 200 with the record already submitted)",
)
def check_record_submit(request: HttpRequest, payload: CheckSubmitIn) -> Any:
    body = payload.model_dump(exclude_unset=True)
    errors: dict[str, list[str]] = {
        name: [_("Unknown field.")] for name in sorted(set(body) - SUBMIT_FIELDS)
    }
    task_id = body.get("task_id")
    if not (isinstance(task_id, int) and not isinstance(task_id, bool) and valid_id(task_id)):
        errors["task_id"] = [_("Enter a whole number.")]
    try:
        token = uuid.UUID(str(body.get("client_token")))
    except (TypeError, ValueError):
        errors["client_token"] = [_("Send a UUID made once for this check.")]
    if body.get("answers") is not None and not isinstance(body["answers"], dict):
        errors["answers"] = [_("Send a JSON object.")]
    if errors:
        raise ValidationFailed(errors)
    who = actor(request)
    replay = CheckRecord.objects.filter(
        client_token=token, state=RecordState.SUBMITTED, checker_id=who.user.pk
    ).exists()
    record = services.check_start(
        actor=who,
        task_id=task_id,
        client_token=token,
        device_id=body.get("device_id") or "",
        device_time=body.get("device_started_at"),
        period_start=body.get("period_start"),
    )
    services.check_submit(
        actor=who,
        record_id=record.pk,
        client_token=token,
        data={k: v for k, v in body.items() if k not in ("task_id", "client_token")},
    )
    return Status(200 if replay else 201, _record_detail(who.user, record.pk))


@router.get(
    "/checks/authenticity",
    response={200: AuthenticityPage, 422: ValidationErrorOut},
    summary="Regulators: each enterprise's latest authenticity score in scope, lowest first, "
    "with the signals and their evidence",
)
def authenticity_list(request: HttpRequest, filters: Query[AuthenticityFilters]) -> dict[str, Any]:
    user = caller(request)
    qs = _latest_scores(user).select_related("enterprise", "run")
    if not is_regulator(user):
        qs = qs.none()  # the ranked list is the regulators'; staff read their own page
    if filters.flagged is not None:
        qs = qs.filter(flag=filters.flagged)
    result = page(qs.order_by("score", "enterprise_id"), filters.limit, filters.offset)
    rows = result["items"]
    names = evidence_names([row.signals for row in rows])
    return {"count": result["count"], "items": [_score_out(row, names) for row in rows]}


@router.get(
    "/checks/authenticity/{enterprise_id}",
    response={200: AuthenticityDetail, 404: ErrorOut, 422: ValidationErrorOut},
    summary="An enterprise's latest authenticity score, its signals and its flagged records",
)
def authenticity_enterprise(
    request: HttpRequest, enterprise_id: int, filters: Query[FlaggedFilters]
) -> dict[str, Any]:
    user = caller(request)
    enterprise = None
    if valid_id(enterprise_id) and _may_read(user):
        enterprise = scoping.visible_enterprises(user).filter(pk=enterprise_id).first()
    if enterprise is None:
        raise NotFound(_("Not found."))
    score = (
        scoping.visible(user, EnterpriseAuthenticity)
        .filter(enterprise_id=enterprise.pk)
        .select_related("run", "enterprise")
        .order_by("-run_id")
        .first()
    )
    if score is None:
        return {
            "enterprise_id": enterprise.pk,
            "enterprise": enterprise.name,
            "latest": None,
            "flagged_count": 0,
            "flagged": [],
        }
    qs = (
        scoping.visible(user, RecordFlag)
        .filter(run_id=score.run_id, enterprise_id=enterprise.pk)
        .select_related(
            "record__task__installation", "record__task__measure__event__unit", "record__checker"
        )
        .order_by("-record__submitted_at", "-record_id")
    )
    result = page(qs, filters.limit, filters.offset)
    rows = result["items"]
    names = evidence_names([score.signals, *[row.signals for row in rows]])
    return {
        "enterprise_id": enterprise.pk,
        "enterprise": enterprise.name,
        "latest": _score_out(score, names),
        "flagged_count": result["count"],
        "flagged": [
            {
                "record_id": row.record_id,
                "submitted_at": row.record.submitted_at,
                "place": services.place_of(row.record.task),
                "checker": _name(row.record.checker),
                "signals": _signals(
                    [evidence.render_record_signal(s, names) for s in row.signals], row.signals
                ),
            }
            for row in rows
        ],
    }

"""The hazard ledger over HTTP: the ledger list (the same query as the page and the Excel
export, anjian.hazards.ledger), one hazard with its history, photos and what the caller
may do next (and why not the rest), reporting, the workflow steps, likely duplicates, the
major-hazard determination lists and the workflow table.

Reads start from `scoping.visible`; writes go through anjian.hazards.services, whose
refusals the API's handlers turn into 422 / 404 / 403 / 409 with the services' own
messages. An id outside the caller's scope answers 404 exactly like an unknown one.
Steps with photos (report, submit, fix on the spot) also come as multipart/form-data:
the step's data as a JSON text field `data`, the files as `photos`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict

from anjian.core import uploads
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.scoping import visible
from anjian.hazards import ledger, reference, services
from anjian.hazards import workflow as wf
from anjian.hazards.models import (
    ACTION_LABELS,
    AccountabilityReview,
    Category,
    CheckKind,
    Handling,
    Hazard,
    HazardEvent,
    HazardPhoto,
    HazardType,
    Level,
    OccurrenceLink,
    PhotoKind,
    Source,
    State,
)

from .common import actor, caller
from .schemas import (
    MAX_DB_INT,
    MAX_PAGE_SIZE,
    ErrorOut,
    Id,
    Lenient,
    Offset,
    ValidationErrorOut,
)
from .strict import refuse_surrogates, validate_as

router = Router(tags=["hazards"])

PHOTO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


# --- outputs --------------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class HazardFields(Schema):
    id: int
    number: str
    enterprise: Ref
    risk_unit: Ref | None
    state: str
    state_label: str
    level: str
    level_label: str
    handling: str
    source: str
    hazard_type: str
    category: str
    description: str
    location: str
    deadline: dt.date | None
    overdue: bool = Field(description="Past its deadline and not closed.")
    listed: bool = Field(description="Listed for supervision (挂牌督办), now or before.")
    reported_at: dt.datetime
    closed_at: dt.datetime | None


class HazardItem(HazardFields):
    @staticmethod
    def resolve_state_label(obj: Hazard) -> str:
        return ledger.state_label(obj.state)

    @staticmethod
    def resolve_level_label(obj: Hazard) -> str:
        return str(Level(obj.level).label) if obj.level in Level.values else obj.level

    @staticmethod
    def resolve_overdue(obj: Hazard) -> bool:
        return ledger.is_overdue(obj)

    @staticmethod
    def resolve_listed(obj: Hazard) -> bool:
        return obj.listed_at is not None


class Counts(Schema):
    total: int
    total_capped: bool
    open: int
    overdue: int
    major_open: int
    closed: int | None = Field(description="None when the total is capped.")
    listed_open: int


class HazardPage(Schema):
    count: int = Field(description="Rows matching; at most 10,000 (see count_capped).")
    count_capped: bool = Field(
        False, description="True when more than `count` rows match (the count stops there)."
    )
    items: list[HazardItem]
    counts: Counts | None = Field(
        None,
        description="With counts=true: the filter chips' numbers (all filters but state and "
        "overdue applied).",
    )


class PhotoOut(Schema):
    id: int
    kind: str
    event_id: int
    original_name: str
    image_format: str
    size: int
    width: int
    height: int
    sha256: str
    uploaded_at: dt.datetime
    url: str


class EventOut(Schema):
    id: int
    action: str
    action_label: str
    from_state: str
    to_state: str
    actor: str
    actor_role: str
    via: str
    at: dt.datetime
    note: str
    data: dict[str, Any]
    photo_ids: list[int]


class ActionOut(Schema):
    action: str
    label: str
    target: str
    needs: str


class RefusedOut(Schema):
    action: str
    label: str
    status: int = Field(description="What trying it would answer: 403 or 409.")
    reason: str


class HazardDetail(HazardFields):
    number_national_state: str = Field(description="t_yhzlxx DANGER_STATE: 0, 1 or 9.")
    record_id: str = Field(description="Stable UUID of the record (t_yhzlxx DANGER_ID).")
    name: str
    check_kind: str = Field(description="t_yhzlxx DANGER_SRC code 1–10 (the kind of check).")
    occurrence_link: str = Field(description="t_yhzlxx OCCURRENCE_LINK code 1–10, or ''.")
    harm_analysis: str
    registered_at: dt.datetime
    review_authority: dict[str, Any] | None = Field(
        description="Who reviews the rectification (found, ordered, stopped or listed it); "
        "null: the enterprise accepts it itself (16号令 第十五条)."
    )
    workers_reported_on: dt.date | None
    stop: dict[str, Any] | None = Field(
        description="Major hazards: the stop (16号令 第十六条), the evaluation (第十八条), the "
        "application to resume and the on-site review's due day (第二十三条)."
    )
    cause: str
    control_measure_id: int | None
    version: int = Field(description="Send it back as expected_version with the next step.")
    reported_by: str | None
    major: dict[str, Any] | None
    five_fixes: dict[str, Any] | None
    remediation_plan: dict[str, Any]
    listing: dict[str, Any] | None
    acceptance: dict[str, Any] | None
    accountability_review: dict[str, Any] | None
    events: list[EventOut]
    photos: list[PhotoOut]
    available_actions: list[ActionOut]
    why_not: list[RefusedOut] = Field(
        description="The other steps of the current state, each with the reason it would be "
        "refused now."
    )


class SimilarOut(Schema):
    id: int
    number: str
    description: str
    location: str
    state: str
    state_label: str
    level: str
    reported_at: dt.datetime
    closed_at: dt.datetime | None
    score: float
    reasons: list[str]


class ReportOut(Schema):
    hazard: HazardDetail
    similar: list[SimilarOut]


# --- inputs ---------------------------------------------------------------------------------


class LedgerQuery(Schema):
    """The ledger filters (anjian.hazards.ledger.parse_filters checks the values, so a bad
    one answers 422 with its parameter named)."""

    q: str | None = Field(
        None,
        description="A hazard number (or its start), or text of the description, "
        "location or enterprise name.",
    )
    state: list[str] | None = Field(
        None,
        description="One or several (repeat or comma-separate): open, " + ", ".join(wf.STATES),
    )
    level: str | None = Field(None, description=", ".join(Level.values))
    source: str | None = Field(None, description=", ".join(Source.values))
    hazard_type: str | None = Field(None, description=", ".join(HazardType.values))
    category: str | None = Field(None, description=", ".join(Category.values))
    handling: str | None = Field(None, description=", ".join(Handling.values))
    enterprise: str | None = Field(None, description="Enterprise id.")
    division: str | None = Field(None, description="Division id: it and all below it.")
    industry: str | None = Field(None, description="Industry id: it and its sub-sectors.")
    department: str | None = Field(None, description="Department id: enterprises it leads.")
    overdue: str | None = Field(None, description="true | false")
    listed: str | None = Field(None, description="true | false: listed for supervision.")
    reported_from: str | None = Field(None, description="YYYY-MM-DD")
    reported_to: str | None = Field(None, description="YYYY-MM-DD (inclusive)")
    deadline_from: str | None = Field(None, description="YYYY-MM-DD")
    deadline_to: str | None = Field(None, description="YYYY-MM-DD (inclusive)")
    counts: bool = Field(False, description="Add the filter chips' counts.")
    limit: int = Field(25, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class _Body(BaseModel):
    """Any JSON value per field at parse time: the service checks the whole step and
    reports every problem at once, in its own words."""

    model_config = ConfigDict(extra="allow")

    def sent(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


def _text(description: str = "") -> Any:
    return Lenient({"type": "string", **({"description": description} if description else {})})


def _one_of(values: list[str], description: str = "") -> Any:
    schema = {"type": "string", "enum": values}
    return Lenient({**schema, "description": description} if description else schema)


_ID = Lenient({"type": "integer", "minimum": 1})


class ReportIn(_Body):
    enterprise_id: _ID = None
    name: _text("隐患名称 (default: the description's first line).") = None
    check_kind: _one_of(CheckKind.values, "t_yhzlxx DANGER_SRC code: 1–10.") = None
    occurrence_link: _one_of(OccurrenceLink.values, "t_yhzlxx OCCURRENCE_LINK code.") = None
    harm_analysis: _text(
        "Harm and difficulty of remedy; required for a major hazard the enterprise reports "
        "(16号令 第十四条)."
    ) = None
    source: _one_of(Source.values) = None
    hazard_type: _one_of(HazardType.values) = None
    category: _one_of(Category.values) = None
    handling: _one_of(Handling.values) = None
    description: _text() = None
    cause: _text() = None
    location: _text() = None
    risk_unit_id: _ID = None
    control_measure_id: _ID = None
    major_item: _text("An item id of GET /hazard-lists: makes the hazard major.") = None
    major_reason: _text(
        "Officer's decision that the hazard is major (lead department or safety committee "
        "office only)."
    ) = None
    note: _text() = None


class ActIn(_Body):
    data: Lenient(
        {
            "type": "object",
            "description": "The step's data (see GET /hazard-workflow, needs).",
            # The amounts the service reads with Decimal(): ASCII digits only.
            "properties": {"funds": {"type": ["number", "string"]}},
        }
    ) = None
    expected_version: Lenient(
        {
            "type": "integer",
            "minimum": 0,
            "description": "The version you read; if the hazard moved since, 409.",
        }
    ) = None


class SimilarQuery(Schema):
    enterprise_id: Id
    description: str = Field(..., min_length=1, max_length=2000)
    unit_id: Id | None = None
    hazard_type: str | None = Field(None, max_length=16)
    exclude_id: Id | None = None
    limit: int = Field(5, ge=1, le=50)


# --- helpers --------------------------------------------------------------------------------


def _no_such_hazard() -> NotFound:
    return NotFound(_("No such hazard in your scope."))


def _valid_id(value: int) -> bool:
    return 1 <= value <= MAX_DB_INT


def _user_name(user: Any) -> str | None:
    return None if user is None else (user.display_name or user.get_username())


def _detail_queryset(request: HttpRequest):
    return (
        visible(caller(request), Hazard)
        .select_related(
            "enterprise",
            "risk_unit",
            "reported_by",
            "major_decided_by",
            "confirmed_by",
            "listed_by",
            "listing_department",
            "listing_division",
            "accepted_by",
            "review_department",
            "review_division",
        )
        .prefetch_related(
            Prefetch("events", queryset=HazardEvent.objects.prefetch_related("photos")),
            "photos",
        )
    )


def _load(request: HttpRequest, hazard_id: int) -> Hazard:
    if not _valid_id(hazard_id):
        raise _no_such_hazard()
    hazard = _detail_queryset(request).filter(pk=hazard_id).first()
    if hazard is None:
        raise _no_such_hazard()
    return hazard


def _photo_out(photo: HazardPhoto) -> dict[str, Any]:
    return {
        "id": photo.pk,
        "kind": photo.kind,
        "event_id": photo.event_id,
        "original_name": photo.original_name,
        "image_format": photo.image_format,
        "size": photo.size,
        "width": photo.width,
        "height": photo.height,
        "sha256": photo.sha256,
        "uploaded_at": photo.uploaded_at,
        "url": reverse(
            "api-v1:hazard_photo", kwargs={"hazard_id": photo.hazard_id, "photo_id": photo.pk}
        ),
    }


def _action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _steps(hazard: Hazard, user: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What the caller may do now, and for every other step of the current state the
    reason it would be refused: the services' own checks, called, not restated."""
    allowed = set(services.available_actions(hazard, user))
    available, refused = [], []
    for step in wf.transitions_from(hazard.state):
        label = _action_label(step.action)
        if step.action in allowed:
            available.append(
                {"action": step.action, "label": label, "target": step.target, "needs": step.needs}
            )
            continue
        try:
            services._check_step(hazard, step.action, user)
        except Forbidden as exc:
            refused.append(
                {"action": step.action, "label": label, "status": 403, "reason": str(exc)}
            )
        except Conflict as exc:
            refused.append(
                {"action": step.action, "label": label, "status": 409, "reason": str(exc)}
            )
    return available, refused


_PLAIN_FIELDS = (
    "id",
    "number",
    "state",
    "level",
    "handling",
    "source",
    "hazard_type",
    "category",
    "description",
    "location",
    "deadline",
    "reported_at",
    "closed_at",
)


def _detail(hazard: Hazard, user: Any) -> dict[str, Any]:
    available, refused = _steps(hazard, user)
    photos = list(hazard.photos.all())
    review = (
        AccountabilityReview.objects.select_related("reviewed_by")
        .filter(hazard_id=hazard.pk)
        .first()
    )
    major = None
    if hazard.level == Level.MAJOR:
        major = {
            "basis": hazard.major_basis,
            "item": hazard.major_item or None,
            "reason": hazard.major_reason,
            "decided_by": _user_name(hazard.major_decided_by),
            "confirmed_by": _user_name(hazard.confirmed_by),
            "confirmed_at": hazard.confirmed_at,
        }
    five_fixes = None
    if hazard.liable_person or hazard.deadline:
        five_fixes = {
            "owner": hazard.liable_person,
            "measures": hazard.measures,
            "funds": None if hazard.funds is None else str(hazard.funds),
            "deadline": hazard.deadline,
            "contingency_plan": hazard.contingency_plan,
        }
    listing = None
    if hazard.listed_at is not None:
        listing = {
            "listed_by": _user_name(hazard.listed_by),
            "department": (
                {"id": hazard.listing_department.pk, "name": hazard.listing_department.name}
                if hazard.listing_department
                else None
            ),
            "division": (
                {"id": hazard.listing_division.pk, "name": hazard.listing_division.name}
                if hazard.listing_division
                else None
            ),
            "listed_at": hazard.listed_at,
            "deadline": hazard.listing_deadline,
            "notice": hazard.listing_notice,
        }
    acceptance = None
    if hazard.accepted_at is not None:
        acceptance = {
            "accepted_by": _user_name(hazard.accepted_by),
            "accepted_at": hazard.accepted_at,
            "comment": hazard.accept_comment,
        }
    return {
        **{f: getattr(hazard, f) for f in _PLAIN_FIELDS},
        "enterprise": {"id": hazard.enterprise.pk, "name": hazard.enterprise.name},
        "risk_unit": (
            {"id": hazard.risk_unit.pk, "name": hazard.risk_unit.name} if hazard.risk_unit else None
        ),
        "state_label": HazardItem.resolve_state_label(hazard),
        "level_label": HazardItem.resolve_level_label(hazard),
        "overdue": ledger.is_overdue(hazard),
        "listed": hazard.listed_at is not None,
        "number_national_state": hazard.national_state,
        "record_id": str(hazard.uuid),
        "name": hazard.name,
        "check_kind": hazard.check_kind,
        "occurrence_link": hazard.occurrence_link,
        "harm_analysis": hazard.harm_analysis,
        "registered_at": hazard.registered_at,
        "review_authority": (
            None
            if hazard.enterprise_accepts
            else {
                "department": (
                    {"id": hazard.review_department.pk, "name": hazard.review_department.name}
                    if hazard.review_department_id
                    else None
                ),
                "division": (
                    {"id": hazard.review_division.pk, "name": hazard.review_division.name}
                    if hazard.review_division_id
                    else None
                ),
                "basis": hazard.review_basis,
            }
        ),
        "workers_reported_on": hazard.workers_reported_on,
        "stop": (
            {
                "suspension": hazard.suspension,
                "suspended_at": hazard.suspended_at,
                "evaluation": hazard.evaluation or None,
                "resume_applied_at": hazard.resume_applied_at,
                "review_due_on": hazard.review_due_on,
                "review_overdue_since": hazard.review_overdue_since,
                "resumed_at": hazard.resumed_at,
            }
            if hazard.suspended_at is not None
            else None
        ),
        "cause": hazard.cause,
        "control_measure_id": hazard.control_measure_id,
        "version": hazard.version,
        "reported_by": _user_name(hazard.reported_by),
        "major": major,
        "five_fixes": five_fixes,
        "remediation_plan": hazard.remediation_plan or {},
        "listing": listing,
        "acceptance": acceptance,
        "accountability_review": (
            None
            if review is None
            else {
                "findings": review.findings,
                "persons_accountable": review.persons_accountable,
                "reviewed_on": review.reviewed_on,
                "reviewed_by": _user_name(review.reviewed_by),
            }
        ),
        "events": [
            {
                "id": e.pk,
                "action": e.action,
                "action_label": _action_label(e.action),
                "from_state": e.from_state,
                "to_state": e.to_state,
                "actor": e.actor_label,
                "actor_role": e.actor_role,
                "via": e.via,
                "at": e.at,
                "note": e.note,
                "data": e.data if isinstance(e.data, dict) else {"value": e.data},
                "photo_ids": [p.pk for p in e.photos.all()],
            }
            for e in hazard.events.all()
        ],
        "photos": [_photo_out(p) for p in photos],
        "available_actions": available,
        "why_not": refused,
    }


def _similar_out(found: list[tuple[Hazard, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": h.pk,
            "number": h.number,
            "description": h.description,
            "location": h.location,
            "state": h.state,
            "state_label": ledger.state_label(h.state),
            "level": h.level,
            "reported_at": h.reported_at,
            "closed_at": h.closed_at,
            "score": m.score,
            "reasons": list(m.reasons),
        }
        for h, m in found
    ]


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _json_field(name: str, text: str | None) -> dict[str, Any]:
    """A multipart field that carries a JSON object (strict: no NaN or Infinity)."""
    if text is None or not text.strip():
        return {}
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, dict):
        raise ValidationFailed({name: [_("Send a JSON object.")]})
    refuse_surrogates(value, (name,))
    return value


def _version(value: Any, field: str = "expected_version") -> int | None:
    """A version number from JSON or a form field; None when not sent."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_DB_INT:
        return value
    raise ValidationFailed({field: [_("Enter a whole number.")]})


def _visible_or_404(request: HttpRequest, hazard_id: int) -> None:
    if not _valid_id(hazard_id):
        raise _no_such_hazard()
    if not visible(caller(request), Hazard).filter(pk=hazard_id).exists():
        raise _no_such_hazard()


def _enterprise_id(value: Any) -> int:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and _valid_id(value):
        return value
    if value is None or value == "":
        raise ValidationFailed({"enterprise_id": [_("This field is required.")]})
    raise ValidationFailed({"enterprise_id": [_("Enter a whole number.")]})


def _photos(files: list[UploadedFile] | None) -> list[UploadedFile]:
    return list(files or [])


def _report(request: HttpRequest, enterprise_id: Any, data: dict[str, Any], photos) -> Status:
    hazard = services.hazard_report(
        actor=actor(request),
        enterprise_id=_enterprise_id(enterprise_id),
        data=data,
        photos=photos,
    )
    similar = services.similar_hazards(
        actor=actor(request),
        enterprise_id=hazard.enterprise_id,
        description=hazard.description,
        unit_id=hazard.risk_unit_id,
        hazard_type=hazard.hazard_type,
        exclude_id=hazard.pk,
        limit=3,
    )
    fresh = _load(request, hazard.pk)
    return Status(
        201, {"hazard": _detail(fresh, caller(request)), "similar": _similar_out(similar)}
    )


def _act(request: HttpRequest, hazard_id: int, action: str, data: Any, version: Any, photos):
    _visible_or_404(request, hazard_id)  # scope first: an outsider learns nothing more
    hazard = services.hazard_act(
        actor=actor(request),
        hazard_id=hazard_id,
        action=action[:64],
        data=data,
        expected_version=_version(version),
        photos=photos,
    )
    return _detail(_load(request, hazard.pk), caller(request))


_WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


# --- endpoints ------------------------------------------------------------------------------


@router.get(
    "/hazards",
    response={200: HazardPage, 422: ValidationErrorOut},
    summary="The hazard ledger in your scope, newest report first",
)
def hazard_list(request: HttpRequest, query: Query[LedgerQuery]) -> dict[str, Any]:
    filters, errors = ledger.parse_filters(request.GET)
    if errors:
        raise ValidationFailed(errors)
    user = caller(request)
    qs = ledger.ledger_search(user, filters)
    count, capped = ledger.capped_count(qs)
    out: dict[str, Any] = {
        "count": count,
        "count_capped": capped,
        "items": list(qs[query.offset : query.offset + query.limit]),
    }
    if query.counts:
        out["counts"] = ledger.ledger_counts(user, filters).as_dict()
    return out


@router.get(
    "/hazards/similar",
    response={200: list[SimilarOut], 404: ErrorOut, 422: ValidationErrorOut},
    summary="Likely duplicates of a hazard being entered (open, or closed recently)",
)
def hazard_similar(request: HttpRequest, query: Query[SimilarQuery]) -> list[dict[str, Any]]:
    found = services.similar_hazards(
        actor=actor(request),
        enterprise_id=query.enterprise_id,
        description=query.description,
        unit_id=query.unit_id,
        hazard_type=query.hazard_type or "",
        exclude_id=query.exclude_id,
        limit=query.limit,
    )
    return _similar_out(found)


@router.post(
    "/hazards",
    response={201: ReportOut, **_WRITE_ERRORS},
    summary="Report a hazard (JSON); answers the hazard and its likely duplicates",
)
def hazard_report(request: HttpRequest, payload: ReportIn) -> Status:
    data = payload.sent()
    enterprise_id = data.pop("enterprise_id", None)
    return _report(request, enterprise_id, data, [])


@router.post(
    "/hazards/multipart",
    response={201: ReportOut, **_WRITE_ERRORS},
    summary="Report a hazard with photos (multipart: enterprise_id, data as JSON, photos)",
)
def hazard_report_multipart(
    request: HttpRequest,
    enterprise_id: Form[str] = None,
    data: Form[str] = None,
    photos: File[list[UploadedFile]] = None,
) -> Status:
    body = _json_field("data", data)
    validate_as(ReportIn, body, "data")
    return _report(request, enterprise_id, body, _photos(photos))


@router.get(
    "/hazards/{hazard_id}",
    response={200: HazardDetail, 404: ErrorOut},
    summary="One hazard: all fields, history, photos, and what you may do next",
)
def hazard_detail(request: HttpRequest, hazard_id: int) -> dict[str, Any]:
    return _detail(_load(request, hazard_id), caller(request))


@router.post(
    "/hazards/{hazard_id}/actions/{action}",
    response={200: HazardDetail, **_WRITE_ERRORS},
    summary="Take one step of the workflow (JSON: data, expected_version)",
)
def hazard_step(request: HttpRequest, hazard_id: int, action: str, payload: ActIn) -> Any:
    body = payload.sent()
    unknown = sorted(set(body) - {"data", "expected_version"})
    if unknown:
        _visible_or_404(request, hazard_id)
        raise ValidationFailed({name: [_("Unknown field.")] for name in unknown})
    data = body.get("data")
    if data is not None and not isinstance(data, dict):
        _visible_or_404(request, hazard_id)
        raise ValidationFailed({"data": [_("Send a JSON object.")]})
    return _act(request, hazard_id, action, data or {}, body.get("expected_version"), [])


@router.post(
    "/hazards/{hazard_id}/actions/{action}/multipart",
    response={200: HazardDetail, **_WRITE_ERRORS},
    summary="Take one step with photos (multipart: data as JSON, expected_version, photos)",
)
def hazard_step_multipart(
    request: HttpRequest,
    hazard_id: int,
    action: str,
    data: Form[str] = None,
    expected_version: Form[str] = None,
    photos: File[list[UploadedFile]] = None,
) -> Any:
    _visible_or_404(request, hazard_id)
    body = _json_field("data", data)
    validate_as(ActIn, {"data": body})
    return _act(request, hazard_id, action, body, expected_version, _photos(photos))


@router.get(
    "/hazards/{hazard_id}/photos/{photo_id}",
    response={404: ErrorOut},
    url_name="hazard_photo",
    summary="A photo of the hazard, as uploaded",
    openapi_extra={
        "responses": {
            200: {
                "description": "The original file",
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}}
                    for t in PHOTO_TYPES.values()
                },
            }
        }
    },
)
def hazard_photo(request: HttpRequest, hazard_id: int, photo_id: int) -> HttpResponse:
    if not (_valid_id(hazard_id) and _valid_id(photo_id)):
        raise NotFound(_("Not found."))
    photo = visible(caller(request), HazardPhoto).filter(pk=photo_id, hazard_id=hazard_id).first()
    if photo is None:
        raise NotFound(_("Not found."))
    try:
        return uploads.serve_file(
            request,
            photo.image,
            file_type=uploads.get_type(photo.image_format),
            download_name=f"{photo.hazard_id}-{photo.pk}",
        )
    except Http404:
        raise NotFound(_("Not found.")) from None


@router.get(
    "/hazard-lists",
    summary="The major-hazard determination lists and their items",
    tags=["hazards", "reference"],
)
def hazard_lists(request: HttpRequest) -> dict[str, Any]:
    return {"lists": reference.lists()}


def _guard_labels() -> dict[str, str]:
    from anjian.hazards.views.ledger import GUARD_LABELS

    return {
        "always": _("any hazard"),
        "general": _("general hazards only"),
        "major": _("major hazards only"),
        "general_on_spot": _("general hazards fixed on the spot only"),
        "major_not_reviewed": _("closed major hazards without an accountability review"),
        # The page's labels for the guards of the 16号令 steps (one wording for both).
        **{k: str(v) for k, v in GUARD_LABELS.items() if k not in ("always",)},
    } | {"general": _("general hazards only"), "major": _("major hazards only")}


@router.get(
    "/hazard-workflow",
    summary="The hazard workflow table, labelled in the request's language",
    tags=["hazards", "reference"],
)
def hazard_workflow(request: HttpRequest) -> dict[str, Any]:
    parties = services.party_labels()
    guards = _guard_labels()
    states = {s: ledger.state_label(s) for s in wf.STATES}

    def state(key: str) -> dict[str, str]:
        return {"key": key, "label": states.get(key, key)}

    return {
        "states": [state(s) for s in wf.STATES],
        "actions": [{"key": a, "label": _action_label(a)} for a in wf.ACTIONS],
        "parties": [{"key": k, "label": v} for k, v in parties.items()],
        "photo_kinds": [{"key": k, "label": str(v)} for k, v in PhotoKind.choices],
        "transitions": [
            {
                "from": state(t.source) if t.source != wf.START else {"key": t.source, "label": ""},
                "action": {"key": t.action, "label": _action_label(t.action)},
                "to": state(t.target),
                "parties": [{"key": p, "label": parties[p]} for p in sorted(t.parties)],
                "guard": {"key": t.guard, "label": guards.get(t.guard, t.guard)},
                "needs": t.needs,
            }
            for t in wf.TRANSITIONS
        ],
        "choices": {
            "source": [{"key": k, "label": str(v)} for k, v in Source.choices],
            "hazard_type": [{"key": k, "label": str(v)} for k, v in HazardType.choices],
            "category": [{"key": k, "label": str(v)} for k, v in Category.choices],
            "level": [{"key": k, "label": str(v)} for k, v in Level.choices],
            "handling": [{"key": k, "label": str(v)} for k, v in Handling.choices],
            "state": [{"key": k, "label": str(v)} for k, v in State.choices],
        },
    }

"""Emergency plans over HTTP (issue 14 items 1 and 7), scoped by
anjian.core.scoping.visible (enterprise staff: their own enterprise's plans; regulators:
their jurisdiction's, and a department also the plans submitted to it for filing; an id
outside your scope answers 404 like an unknown one). Rules: standards.md A10.

* GET /emergency/plans: newest first; filters state, kind, enterprise, overdue
  (filing, evaluation, check, any);
* GET /emergency/plans/filings: the regulator's filing desk (awaiting the check, who is
  overdue, plans with open revision triggers);
* GET /emergency/plans/{id}: one version with its deadlines (working days left), the
  versions of its series, triggers, history and the steps you may take now;
* POST /emergency/plans: a new draft of your enterprise; PUT /emergency/plans/{id}: the
  draft's content;
* POST /emergency/plans/{id}/sign, /submit, /file, /return, /revise, /evaluate and
  /triggers: the steps of anjian.emergency.plan_workflow, through the same services as
  the pages.

Refusals: 422 with field messages (unknown fields too), 403 (not yours to do), 404, 409
(a step the plan's state does not allow).
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
from anjian.emergency import plan_services as ps
from anjian.emergency.models import GB6441_TYPES, Plan, PlanKind, PlanState

from .checks import valid_id
from .common import actor, caller, page
from .schemas import MAX_PAGE_SIZE, ErrorOut, Id, Lenient, Offset, ValidationErrorOut

router = Router(tags=["emergency"])

StateCode = Literal[tuple(PlanState.values)]  # type: ignore[valid-type]
KindCode = Literal[tuple(PlanKind.values)]  # type: ignore[valid-type]
Overdue = Literal["filing", "evaluation", "check", "any"]
TYPE_NAMES = dict(GB6441_TYPES)


# --- outputs --------------------------------------------------------------------------------


class PlanRef(Schema):
    id: int
    name: str


class PlanOut(Schema):
    id: int
    enterprise: PlanRef
    kind: str = Field(description="comprehensive, special, onsite or card (第六条, 第十九条).")
    kind_label: str
    title: str
    series: int = Field(description="The plan's series: the first version's id.")
    version: int
    previous: int | None = Field(description="The version this one revises.")
    post: str
    state: str
    state_label: str
    issued_on: dt.date | None
    filing_due: dt.date | None = Field(description="20 working days after issue (第二十六条).")
    filing_department: PlanRef | None
    filing_division: PlanRef | None
    submitted_on: dt.date | None
    check_due: dt.date | None = Field(description="5 working days after submission.")
    filed_on: dt.date | None
    deemed_filed: bool = Field(description="Counts as filed: no answer by the check due day.")
    filing_number: str
    returned_reason: str
    evaluated_on: dt.date | None
    evaluation_due: dt.date | None = Field(description="3 years after issue or evaluation.")


class PlanPage(Schema):
    count: int
    items: list[PlanOut]


class PlanDeadlinesOut(Schema):
    today: dt.date
    filing_days_left: int | None = Field(description="Working days; negative: late by.")
    filing_overdue: bool
    check_days_left: int | None
    check_overdue: bool
    evaluation_overdue: bool
    submitted_late: bool


class PlanVersionOut(Schema):
    id: int
    version: int
    state: str
    issued_on: dt.date | None
    filing_number: str


class PlanTriggerOut(Schema):
    id: int
    plan: int
    reason: str
    reason_label: str
    note: str
    raised_by: str
    raised_at: dt.datetime
    drill: int | None
    accident: int | None
    resolved_by: int | None = Field(description="The version that answered it.")


class PlanEventOut(Schema):
    action: str
    actor: str
    at: dt.datetime
    note: str


class PlanDetail(PlanOut):
    summary: str
    accident_types: list[str]
    accident_type_names: list[str]
    response_levels: list[dict[str, str]]
    roles: list[dict[str, str]]
    risk_units: list[PlanRef]
    installations: list[PlanRef]
    deadlines: PlanDeadlinesOut
    versions: list[PlanVersionOut]
    triggers: list[PlanTriggerOut]
    open_triggers: list[PlanTriggerOut] = Field(description="Of any version of the series.")
    events: list[PlanEventOut]
    actions: list[str] = Field(description="The steps you may take now.")


class FilingDeskOut(Schema):
    today: dt.date
    awaiting: list[PlanOut]
    filing_overdue: list[PlanOut]
    evaluation_overdue: list[PlanOut]
    with_triggers: list[PlanOut]


class PlanFilters(Schema):
    state: StateCode | None = None
    kind: KindCode | None = None
    enterprise: Id | None = Field(None, description="Enterprise id.")
    overdue: Overdue | None = Field(
        None,
        description="filing: issued or returned past the filing due day; evaluation: in "
        "force past the evaluation due day; check: submitted past the check due day; any: "
        "filing or evaluation.",
    )
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


# --- inputs (any JSON value per field; the services check them all at once) -----------------

_TEXT = {"type": "string", "maxLength": 4000}
_DATE = {"type": "string", "format": "date"}
_ID = {"type": "integer", "minimum": 1}
_IDS = {"type": "array", "items": _ID}


class PlanIn(BaseModel):
    """A draft's content."""

    model_config = ConfigDict(extra="forbid")

    kind: Lenient({"type": "string", "enum": list(PlanKind.values), "description": "Required."}) = (
        None
    )
    title: Lenient({"type": "string", "maxLength": 200, "description": "Required."}) = None
    post: Lenient(
        {"type": "string", "maxLength": 100, "description": "A disposal card's post (only)."}
    ) = ""
    summary: Lenient({"type": "string", "maxLength": 20000}) = ""
    accident_types: Lenient(
        {"type": "array", "items": {"type": "string"}, "description": "GB 6441 codes 01–20."}
    ) = None
    response_levels: Lenient(
        {
            "type": "array",
            "items": {"type": "object"},
            "description": '[{"level": "Ⅰ级", "condition": "…", "actions": "…"}]',
        }
    ) = None
    roles: Lenient(
        {
            "type": "array",
            "items": {"type": "object"},
            "description": '[{"role": "总指挥", "name": "…", "phone": "…"}]',
        }
    ) = None
    risk_unit_ids: Lenient({**_IDS, "description": "Risk units of the same enterprise."}) = None
    installation_ids: Lenient(
        {**_IDS, "description": "Major hazard installations of the same enterprise."}
    ) = None


class PlanSignIn(BaseModel):
    """The principal signs and issues (第二十四条)."""

    model_config = ConfigDict(extra="forbid")

    issued_on: Lenient({**_DATE, "description": "Default today; not in the future."}) = None


class SubmitIn(BaseModel):
    """Submit for filing (第二十六条)."""

    model_config = ConfigDict(extra="forbid")

    department: Lenient(
        {
            **_ID,
            "description": "A department of the enterprise's county or above; default the "
            "county's emergency management department (or, resubmitting, the same one).",
        }
    ) = None


class FileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filing_number: Lenient({"type": "string", "maxLength": 64, "description": "Required."}) = None


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    missing: Lenient({**_TEXT, "description": "Every missing material at once (required)."}) = None


class ReviseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EvaluateIn(BaseModel):
    """The periodic evaluation (第三十五条)."""

    model_config = ConfigDict(extra="forbid")

    evaluated_on: Lenient({**_DATE, "description": "Default today."}) = None
    conclusion: Lenient(_TEXT) = ""
    needs_revision: Lenient(
        {"type": "boolean", "description": "Raises a revision trigger (reason evaluation)."}
    ) = False


class TriggerIn(BaseModel):
    """A reason to revise (第三十六条)."""

    model_config = ConfigDict(extra="forbid")

    reason: Lenient(
        {
            "type": "string",
            "description": "law, organisation, risk, resources, "
            "drill, accident, evaluation or own (required).",
        }
    ) = None
    note: Lenient(_TEXT) = ""
    drill: Lenient({**_ID, "description": "The drill that revealed it."}) = None
    accident: Lenient({**_ID, "description": "The accident whose response revealed it."}) = None


# --- helpers --------------------------------------------------------------------------------


def _ref(row: Any) -> dict[str, Any] | None:
    return {"id": row.pk, "name": str(row)} if row is not None else None


def _plan_out(p: Plan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "enterprise": {"id": p.enterprise_id, "name": p.enterprise.name},
        "kind": p.kind,
        "kind_label": p.get_kind_display(),
        "title": p.title,
        "series": p.series or p.pk,
        "version": p.version,
        "previous": p.previous_id,
        "post": p.post,
        "state": p.state,
        "state_label": p.get_state_display(),
        "issued_on": p.issued_on,
        "filing_due": p.filing_due,
        "filing_department": _ref(p.filing_department),
        "filing_division": _ref(p.filing_division),
        "submitted_on": p.submitted_on,
        "check_due": p.check_due,
        "filed_on": p.filed_on,
        "deemed_filed": p.deemed_filed,
        "filing_number": p.filing_number,
        "returned_reason": p.returned_reason,
        "evaluated_on": p.evaluated_on,
        "evaluation_due": p.evaluation_due,
    }


def _trigger_out(t: Any) -> dict[str, Any]:
    return {
        "id": t.pk,
        "plan": t.plan_id,
        "reason": t.reason,
        "reason_label": t.get_reason_display(),
        "note": t.note,
        "raised_by": str(t.raised_by),
        "raised_at": t.raised_at,
        "drill": t.drill_id,
        "accident": t.accident_id,
        "resolved_by": t.resolved_by_id,
    }


def _scoped(request: HttpRequest):
    return ps.visible_plans(caller(request)).select_related(
        "enterprise", "filing_department", "filing_division"
    )


def _detail(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    user = caller(request)
    plan = _scoped(request).filter(pk=plan_id).first() if valid_id(plan_id) else None
    if plan is None:
        raise NotFound(_("No such plan in your scope."))
    d = ps.deadlines(plan)
    return {
        **_plan_out(plan),
        "summary": plan.summary,
        "accident_types": plan.accident_types,
        "accident_type_names": [TYPE_NAMES.get(c, c) for c in plan.accident_types],
        "response_levels": plan.response_levels,
        "roles": plan.roles,
        "risk_units": [{"id": u.pk, "name": u.name} for u in plan.risk_units.order_by("pk")],
        "installations": [_ref(i) for i in plan.installations.order_by("pk")],
        "deadlines": {
            "today": d.today,
            "filing_days_left": d.filing_days_left,
            "filing_overdue": d.filing_overdue,
            "check_days_left": d.check_days_left,
            "check_overdue": d.check_overdue,
            "evaluation_overdue": d.evaluation_overdue,
            "submitted_late": d.submitted_late,
        },
        "versions": [
            {
                "id": v.pk,
                "version": v.version,
                "state": v.state,
                "issued_on": v.issued_on,
                "filing_number": v.filing_number,
            }
            for v in ps.versions(plan)
        ],
        "triggers": [
            _trigger_out(t) for t in plan.triggers.select_related("raised_by").order_by("pk")
        ],
        "open_triggers": [
            _trigger_out(t)
            for t in ps.open_triggers(plan).select_related("raised_by").order_by("pk")
        ],
        "events": [
            {"action": e.action, "actor": str(e.actor or ""), "at": e.at, "note": e.note}
            for e in plan.events.select_related("actor").order_by("pk")
        ],
        "actions": ps.available(user, plan),
    }


def _known(plan_id: int) -> None:
    if not valid_id(plan_id):
        raise NotFound(_("No such plan in your scope."))


_STEP = {200: PlanDetail, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}
_CREATED = {201: PlanDetail, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


# --- endpoints ------------------------------------------------------------------------------


@router.get(
    "/emergency/plans",
    response={200: PlanPage, 422: ValidationErrorOut},
    summary="Emergency plan versions in your scope, newest first",
)
def plan_list(request: HttpRequest, filters: Query[PlanFilters]) -> dict[str, Any]:
    params = {
        "state": filters.state or "",
        "kind": filters.kind or "",
        "enterprise": filters.enterprise,
        "overdue": filters.overdue or "",
    }
    qs = ps.search_plans(caller(request), params).order_by("-pk")
    result = page(qs, filters.limit, filters.offset)
    return {"count": result["count"], "items": [_plan_out(p) for p in result["items"]]}


@router.get(
    "/emergency/plans/filings",
    response={200: FilingDeskOut, 403: ErrorOut},
    summary="The regulator's filing desk: plans awaiting the check and who is overdue",
)
def plan_filings(request: HttpRequest) -> dict[str, Any]:
    desk = ps.filing_desk(caller(request))
    return {
        "today": desk.today,
        "awaiting": [_plan_out(p) for p in desk.awaiting],
        "filing_overdue": [_plan_out(p) for p in desk.filing_overdue],
        "evaluation_overdue": [_plan_out(p) for p in desk.evaluation_overdue],
        "with_triggers": [_plan_out(p) for p in desk.with_triggers],
    }


@router.get(
    "/emergency/plans/{plan_id}",
    response={200: PlanDetail, 404: ErrorOut},
    summary="One plan version with deadlines, versions, triggers and history",
)
def plan_detail(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    return _detail(request, plan_id)


@router.post(
    "/emergency/plans",
    response={201: PlanDetail, 403: ErrorOut, 422: ValidationErrorOut},
    summary="A new plan (draft, version 1) of your enterprise",
)
def plan_create(request: HttpRequest, payload: PlanIn) -> Any:
    plan = ps.plan_create(actor=actor(request), values=payload.model_dump(exclude_unset=True))
    return Status(201, _detail(request, plan.pk))


@router.put(
    "/emergency/plans/{plan_id}",
    response=_STEP,
    summary="Replace a draft's content (drafts only)",
)
def plan_update(request: HttpRequest, plan_id: int, payload: PlanIn) -> dict[str, Any]:
    _known(plan_id)
    ps.plan_update(
        actor=actor(request), plan_id=plan_id, values=payload.model_dump(exclude_unset=True)
    )
    return _detail(request, plan_id)


@router.post(
    "/emergency/plans/{plan_id}/sign",
    response=_STEP,
    summary="Sign and issue (the principal, 第二十四条); filing due in 20 working days",
)
def plan_sign(request: HttpRequest, plan_id: int, payload: PlanSignIn) -> dict[str, Any]:
    _known(plan_id)
    ps.plan_sign(actor=actor(request), plan_id=plan_id, issued_on=payload.issued_on)
    return _detail(request, plan_id)


@router.post(
    "/emergency/plans/{plan_id}/submit",
    response=_STEP,
    summary="Submit for filing (备案, 第二十六条); checked within 5 working days",
)
def plan_submit(request: HttpRequest, plan_id: int, payload: SubmitIn) -> dict[str, Any]:
    _known(plan_id)
    ps.plan_submit(actor=actor(request), plan_id=plan_id, department_id=payload.department)
    return _detail(request, plan_id)


@router.post(
    "/emergency/plans/{plan_id}/file",
    response=_STEP,
    summary="File the plan with a filing number (the department it was submitted to)",
)
def plan_file(request: HttpRequest, plan_id: int, payload: FileIn) -> dict[str, Any]:
    _known(plan_id)
    ps.plan_file(actor=actor(request), plan_id=plan_id, filing_number=payload.filing_number)
    return _detail(request, plan_id)


@router.post(
    "/emergency/plans/{plan_id}/return",
    response=_STEP,
    summary="Return the plan, stating every missing material at once",
)
def plan_return(request: HttpRequest, plan_id: int, payload: ReturnIn) -> dict[str, Any]:
    _known(plan_id)
    ps.plan_return(actor=actor(request), plan_id=plan_id, missing=payload.missing)
    return _detail(request, plan_id)


@router.post(
    "/emergency/plans/{plan_id}/revise",
    response=_CREATED,
    summary="Start the next version (a draft with this one's content, 第三十六条)",
)
def plan_revise(request: HttpRequest, plan_id: int, payload: ReviseIn) -> Any:
    _known(plan_id)
    new = ps.plan_revise(actor=actor(request), plan_id=plan_id)
    return Status(201, _detail(request, new.pk))


@router.post(
    "/emergency/plans/{plan_id}/evaluate",
    response=_STEP,
    summary="Record the periodic evaluation (every 3 years, 第三十五条)",
)
def plan_evaluate(request: HttpRequest, plan_id: int, payload: EvaluateIn) -> dict[str, Any]:
    _known(plan_id)
    ps.plan_evaluate(
        actor=actor(request),
        plan_id=plan_id,
        evaluated_on=payload.evaluated_on,
        conclusion=payload.conclusion,
        needs_revision=payload.needs_revision,
    )
    return _detail(request, plan_id)


@router.post(
    "/emergency/plans/{plan_id}/triggers",
    response=_CREATED,
    summary="Raise a reason to revise the plan (第三十六条)",
)
def plan_trigger(request: HttpRequest, plan_id: int, payload: TriggerIn) -> Any:
    _known(plan_id)
    ps.revision_trigger_raise(
        actor=actor(request),
        plan_id=plan_id,
        reason=payload.reason,
        note=payload.note,
        drill_id=payload.drill,
        accident_id=payload.accident,
    )
    return Status(201, _detail(request, plan_id))

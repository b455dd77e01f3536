"""Emergency drills over HTTP (issue 14 items 2 and 7), scoped by
anjian.core.scoping.visible (regulators: the enterprises in their scope; enterprise
staff: their own; anyone else nothing; an id outside your scope answers 404 like an
unknown one).

* GET /emergency/drills: newest first, filters state, enterprise, unannounced;
* GET /emergency/drills/compliance: drill-frequency obligations (应急管理部令第2号 第三十三条,
  国务院令第708号 第八条) of one enterprise (?enterprise=) or of every enterprise in scope,
  overdue first; ?profile=national|each_onsite chooses the reading of 第三十三条;
* GET /emergency/drills/{id}: one drill with its response times, findings, history and the
  steps you may take now;
* POST /emergency/drills: the enterprise plans a drill (principal, safety officer);
* POST /emergency/drills/order: a regulator orders an unannounced drill (不打招呼);
* POST /emergency/drills/{id}/acknowledge, /start, /finish, /evaluate, /cancel: the steps
  of anjian.emergency.drill_workflow, through the same services as the pages.

Refusals: 422 with field messages, 403 (not yours to do), 404, 409 (a step the drill's
state does not allow).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict

from anjian.core import scoping
from anjian.core.errors import NotFound
from anjian.emergency import drill_rules as rules
from anjian.emergency import drill_services as services
from anjian.emergency.models import Drill, DrillState, FindingOutcome

from .checks import valid_id
from .common import actor, caller, page
from .schemas import MAX_PAGE_SIZE, ErrorOut, Id, Lenient, Offset, ValidationErrorOut

router = Router(tags=["emergency"])

StateCode = Literal[tuple(DrillState.values)]  # type: ignore[valid-type]
ProfileCode = Literal[rules.PROFILES]  # type: ignore[valid-type]


# --- outputs --------------------------------------------------------------------------------


class DrillRef(Schema):
    id: int
    name: str


class ResponseTimesOut(Schema):
    to_acknowledge: int | None = Field(description="Minutes from the order; null: not yet.")
    to_start: int | None = Field(description="Minutes from the order to the start.")
    total: int | None = Field(description="Minutes from the order to the end.")


class DrillOut(Schema):
    id: int
    enterprise: DrillRef
    plan: DrillRef | None
    plan_kind: str | None
    risk_unit: DrillRef | None
    kind: str = Field(description="tabletop, functional or full_scale.")
    kind_label: str
    level: str = Field(description="company or workshop.")
    scenario: str
    planned_for: dt.datetime | None
    state: str
    state_label: str
    unannounced: bool
    ordered_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    participants: int
    response_times: ResponseTimesOut | None = Field(description="Unannounced drills only.")


class DrillPage(Schema):
    count: int
    items: list[DrillOut]


class DrillFindingOut(Schema):
    id: int
    text: str
    outcome: str = Field(description="note, hazard or revision.")
    hazard: int | None = Field(description="The hazard entered in the ledger.")
    trigger: int | None = Field(description="The plan revision trigger raised.")


class DrillEventOut(Schema):
    action: str
    actor: str
    at: dt.datetime
    data: dict[str, Any]


class DrillDetail(DrillOut):
    evaluation: str
    evaluated_at: dt.datetime | None
    findings: list[DrillFindingOut]
    events: list[DrillEventOut]
    actions: list[str] = Field(description="The steps you may take now.")


class ObligationOut(Schema):
    code: str = Field(description="annual_plan, half_onsite or half_high_risk.")
    label: str
    period: str = Field(description="year or half.")
    period_start: dt.date
    period_end: dt.date
    status: str = Field(description="satisfied, due or overdue.")
    due_by: dt.date
    overdue_since: dt.date | None
    last_drill: dt.date | None
    plan_series: int | None = Field(description="each_onsite: the on-site plan it is about.")
    plan_title: str


class EnterpriseComplianceOut(Schema):
    enterprise: DrillRef
    status: str = Field(description="The worst of the obligations.")
    high_risk: bool = Field(description="国务院令第708号 第八条 (article number unconfirmed).")
    overdue_since: dt.date | None
    due_by: dt.date | None
    obligations: list[ObligationOut]


class CompliancePage(Schema):
    profile: str
    as_of: dt.date
    count: int
    items: list[EnterpriseComplianceOut]


# --- inputs ---------------------------------------------------------------------------------


class DrillFilters(Schema):
    state: StateCode | None = None
    enterprise: Id | None = Field(None, description="Enterprise id.")
    unannounced: bool | None = None
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class ComplianceFilters(Schema):
    enterprise: Id | None = Field(None, description="One enterprise; default: all in scope.")
    profile: ProfileCode | None = Field(
        None, description="national (default) or each_onsite (every on-site plan)."
    )
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


_TEXT = {"type": "string", "maxLength": 4000}
_ID = {"type": "integer", "minimum": 1}


class DrillPlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Lenient({"type": "string", "description": "tabletop, functional, full_scale."}) = None
    level: Lenient({"type": "string", "description": "company (default) or workshop."}) = None
    plan: Lenient({**_ID, "description": "One of the enterprise's current plans."}) = None
    risk_unit: Lenient({**_ID, "description": "A risk unit of the enterprise."}) = None
    scenario: Lenient({**_TEXT, "description": "Required."}) = None
    planned_for: Lenient({"type": "string", "format": "date-time"}) = None


class DrillOrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enterprise: Lenient({**_ID, "description": "An enterprise in your scope (required)."}) = None
    scenario: Lenient({**_TEXT, "description": "Required."}) = None
    kind: Lenient({"type": "string", "description": "Default functional."}) = None
    plan: Lenient({**_ID, "description": "One of the enterprise's current plans."}) = None


class EmptyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DrillFinishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    participants: Lenient({"type": "integer", "minimum": 1, "description": "Required."}) = None
    workers: Lenient(
        {
            "type": "array",
            "items": {"type": "integer"},
            "description": "Registered workers of the enterprise who took part (safety points).",
        }
    ) = None


class FindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Lenient({**_TEXT, "description": "Required."}) = None
    outcome: Lenient(
        {"type": "string", "enum": list(FindingOutcome.values), "description": "Default note."}
    ) = None
    location: Lenient({"type": "string", "maxLength": 255}) = None


class DrillEvaluateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    evaluation: Lenient({**_TEXT, "description": "Required."}) = None
    findings: list[FindingIn] = Field(default_factory=list, max_length=services.MAX_FINDINGS)


class DrillCancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Lenient({**_TEXT, "description": "Required."}) = None


# --- helpers --------------------------------------------------------------------------------


def _ref(obj: Any, name: str | None = None) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": name if name is not None else str(obj)}


def _out(drill: Drill) -> dict[str, Any]:
    t = services.times(drill)
    return {
        "id": drill.pk,
        "enterprise": _ref(drill.enterprise, drill.enterprise.name),
        "plan": _ref(drill.plan, drill.plan.title if drill.plan else None),
        "plan_kind": drill.plan.kind if drill.plan else None,
        "risk_unit": _ref(drill.risk_unit, drill.risk_unit.name if drill.risk_unit else None),
        "kind": drill.kind,
        "kind_label": drill.get_kind_display(),
        "level": drill.level,
        "scenario": drill.scenario,
        "planned_for": drill.planned_for,
        "state": drill.state,
        "state_label": str(drill.get_state_display()),
        "unannounced": drill.unannounced,
        "ordered_at": drill.ordered_at,
        "acknowledged_at": drill.acknowledged_at,
        "started_at": drill.started_at,
        "ended_at": drill.ended_at,
        "participants": drill.participants,
        "response_times": (
            {"to_acknowledge": t.to_acknowledge, "to_start": t.to_start, "total": t.total}
            if drill.unannounced
            else None
        ),
    }


def _scoped(request: HttpRequest) -> Any:
    return services.visible_drills(caller(request)).select_related(
        "enterprise", "plan", "risk_unit"
    )


def _detail(request: HttpRequest, drill_id: int) -> dict[str, Any]:
    if not valid_id(drill_id):
        raise NotFound(_("No such drill in your scope."))
    drill = _scoped(request).filter(pk=drill_id).first()
    if drill is None:
        raise NotFound(_("No such drill in your scope."))
    return {
        **_out(drill),
        "evaluation": drill.evaluation,
        "evaluated_at": drill.evaluated_at,
        "findings": [
            {
                "id": x.pk,
                "text": x.text,
                "outcome": x.outcome,
                "hazard": x.hazard_id,
                "trigger": x.trigger_id,
            }
            for x in drill.findings.order_by("pk")
        ],
        "events": [
            {
                "action": e.action,
                "actor": e.actor.get_username() if e.actor else "",
                "at": e.at,
                "data": e.data,
            }
            for e in drill.events.select_related("actor").order_by("pk")
        ],
        "actions": services.available(caller(request), drill),
    }


def _compliance_out(enterprise: Any, c: rules.Compliance) -> dict[str, Any]:
    labels = services.obligation_labels()
    return {
        "enterprise": {"id": enterprise.pk, "name": enterprise.name},
        "status": c.status,
        "high_risk": c.high_risk,
        "overdue_since": c.overdue_since,
        "due_by": c.due_by,
        "obligations": [
            {
                "code": o.code,
                "label": labels[o.code],
                "period": o.period,
                "period_start": o.period_start,
                "period_end": o.period_end,
                "status": o.status,
                "due_by": o.due_by,
                "overdue_since": o.overdue_since,
                "last_drill": o.last_drill,
                "plan_series": o.plan_key,
                "plan_title": o.plan_title,
            }
            for o in c.obligations
        ],
    }


_STEP_RESPONSES = {
    200: DrillDetail,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}


def _step(request: HttpRequest, drill_id: int, service: Any, **fields: Any) -> dict[str, Any]:
    if not valid_id(drill_id):
        raise NotFound(_("No such drill in your scope."))
    service(actor=actor(request), drill_id=drill_id, **fields)
    return _detail(request, drill_id)


# --- endpoints ------------------------------------------------------------------------------


@router.get(
    "/emergency/drills",
    response={200: DrillPage, 422: ValidationErrorOut},
    summary="Emergency drills in your scope, newest first",
)
def drill_list(request: HttpRequest, filters: Query[DrillFilters]) -> dict[str, Any]:
    qs = _scoped(request).order_by("-pk")
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.enterprise:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.unannounced is not None:
        qs = qs.filter(unannounced=filters.unannounced)
    result = page(qs, filters.limit, filters.offset)
    return {"count": result["count"], "items": [_out(d) for d in result["items"]]}


@router.get(
    "/emergency/drills/compliance",
    response={200: CompliancePage, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Drill-frequency obligations of one enterprise or every one in scope, overdue first",
)
def drill_compliance(request: HttpRequest, filters: Query[ComplianceFilters]) -> dict[str, Any]:
    user = caller(request)
    today = timezone.localdate()
    profile = filters.profile or services.default_profile()
    if filters.enterprise is not None:
        enterprise = (
            scoping.visible_enterprises(user)
            .select_related("industry__parent")
            .filter(pk=filters.enterprise)
            .first()
        )
        if enterprise is None:
            raise NotFound(_("No such enterprise in your jurisdiction."))
        c = services.enterprise_compliance(enterprise, as_of=today, profile=profile)
        items = [_compliance_out(enterprise, c)]
        count = 1
    else:
        rows = services.jurisdiction_compliance(user, as_of=today, profile=profile)
        count = len(rows)
        chosen = rows[filters.offset : filters.offset + filters.limit]
        items = [_compliance_out(r.enterprise, r.compliance) for r in chosen]
    return {"profile": profile, "as_of": today, "count": count, "items": items}


@router.post(
    "/emergency/drills/order",
    response={201: DrillDetail, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Order an unannounced drill (不打招呼) at an enterprise in your scope",
)
def drill_order(request: HttpRequest, payload: DrillOrderIn) -> Any:
    drill = services.drill_order(
        actor=actor(request),
        enterprise_id=payload.enterprise,
        scenario=payload.scenario,
        kind=payload.kind,
        plan_id=payload.plan,
    )
    return Status(201, _detail(request, drill.pk))


@router.get(
    "/emergency/drills/{drill_id}",
    response={200: DrillDetail, 404: ErrorOut},
    summary="One drill with its response times, findings and history",
)
def drill_detail(request: HttpRequest, drill_id: int) -> dict[str, Any]:
    return _detail(request, drill_id)


@router.post(
    "/emergency/drills",
    response={201: DrillDetail, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Plan a drill (the enterprise's principal or safety officer)",
)
def drill_plan(request: HttpRequest, payload: DrillPlanIn) -> Any:
    drill = services.drill_plan(
        actor=actor(request),
        kind=payload.kind,
        level=payload.level,
        plan_id=payload.plan,
        risk_unit_id=payload.risk_unit,
        scenario=payload.scenario,
        planned_for=payload.planned_for,
    )
    return Status(201, _detail(request, drill.pk))


@router.post(
    "/emergency/drills/{drill_id}/acknowledge",
    response=_STEP_RESPONSES,
    summary="Acknowledge an unannounced drill's order (the enterprise)",
)
def drill_acknowledge(request: HttpRequest, drill_id: int, payload: EmptyIn) -> dict[str, Any]:
    return _step(request, drill_id, services.drill_acknowledge)


@router.post(
    "/emergency/drills/{drill_id}/start",
    response=_STEP_RESPONSES,
    summary="Start the drill (the enterprise)",
)
def drill_start(request: HttpRequest, drill_id: int, payload: EmptyIn) -> dict[str, Any]:
    return _step(request, drill_id, services.drill_start)


@router.post(
    "/emergency/drills/{drill_id}/finish",
    response=_STEP_RESPONSES,
    summary="Finish the drill, with the number of participants",
)
def drill_finish(request: HttpRequest, drill_id: int, payload: DrillFinishIn) -> dict[str, Any]:
    return _step(
        request,
        drill_id,
        services.drill_finish,
        participants=payload.participants,
        workers=payload.workers,
    )


@router.post(
    "/emergency/drills/{drill_id}/evaluate",
    response=_STEP_RESPONSES,
    summary="Evaluate the drill; findings become notes, hazards or plan revision triggers",
)
def drill_evaluate(request: HttpRequest, drill_id: int, payload: DrillEvaluateIn) -> dict[str, Any]:
    return _step(
        request,
        drill_id,
        services.drill_evaluate,
        evaluation=payload.evaluation,
        findings=[
            {k: v for k, v in item.model_dump().items() if v is not None}
            for item in payload.findings
        ],
    )


@router.post(
    "/emergency/drills/{drill_id}/cancel",
    response=_STEP_RESPONSES,
    summary="Cancel a planned drill (the enterprise) or an ordered one (the regulator)",
)
def drill_cancel(request: HttpRequest, drill_id: int, payload: DrillCancelIn) -> dict[str, Any]:
    return _step(request, drill_id, services.drill_cancel, reason=payload.reason)

"""Emergency supplies allocation over HTTP (issue 14 item 5), scoped by
anjian.core.scoping.visible (runs are placed by a division: regulators see their subtree;
an id outside your scope answers 404 like an unknown one).

* POST /emergency/allocations: compute and keep a plan (anjian.emergency.
  allocation_services.allocation_compute): active incidents in scope or places, demands
  per supply kind code, the objective; the coordinator and department officers only;
* GET /emergency/allocations: the runs, newest first, paged;
* GET /emergency/allocations/{id}: one run: shipments, lines, what cannot be met, totals;
* POST /emergency/allocations/solve: the stateless solver for scripts: the whole problem
  (points, stocks, demands, optional routes) in, the plan out; nothing read or stored.

Refusals: 422 with field messages, 403, 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict

from anjian.core import scoping
from anjian.core.errors import Forbidden
from anjian.emergency import allocation_services as svc
from anjian.emergency.models import AllocationRun

from .common import actor, caller, page
from .schemas import MAX_PAGE_SIZE, ErrorOut, Lenient, Offset, ValidationErrorOut

router = Router(tags=["emergency"])


# --- outputs --------------------------------------------------------------------------------


class AllocationShipmentOut(Schema):
    warehouse: str = Field(description='"w<id>" (a warehouse) in a run; the id sent to /solve.')
    incident: str = Field(description='"i<id>" (an incident) or "p<n>" (a place) in a run.')
    kind: str = Field(description="Supply kind code.")
    quantity: int
    km: float = Field(description="Road distance: great-circle × detour, or the route's.")
    minutes: int = Field(description="Estimated arrival: readiness plus travel.")
    unit_cost: int = Field(description="Metres (objective distance) or seconds (time).")
    cost: float = Field(description="quantity × unit cost, in km or minutes (cost_unit).")


class AllocationLineOut(Schema):
    incident: str
    kind: str
    demanded: int
    allocated: int
    short: int


class AllocationTotalsOut(Schema):
    demanded: int
    allocated: int
    short: int
    cost: float
    shipments: int


class AllocationSolutionOut(Schema):
    objective: str
    cost_unit: str = Field(description="km or minutes.")
    shipments: list[AllocationShipmentOut]
    lines: list[AllocationLineOut] = Field(
        description="Each incident's demand per kind and its cover."
    )
    unmet: list[AllocationLineOut] = Field(description="The lines that cannot be met in full.")
    arrival_minutes: dict[str, int | None] = Field(
        description="Per incident, when its last shipment arrives; null: nothing shipped."
    )
    totals: AllocationTotalsOut


class AllocationPointOut(Schema):
    id: str
    name: str
    incident: int | None = Field(None, description="The incident record, if any.")
    lat: float
    lon: float
    priority: int = 1
    demands: dict[str, int]


class AllocationWarehouseOut(Schema):
    id: str
    name: str
    lat: float
    lon: float
    stocks: dict[str, int]


class AllocationRunOut(Schema):
    id: int
    title: str
    objective: str
    division: int
    created_by: str
    created_at: dt.datetime
    totals: AllocationTotalsOut


class AllocationRunPage(Schema):
    count: int
    items: list[AllocationRunOut]


class AllocationRunDetail(AllocationRunOut):
    incidents: list[AllocationPointOut]
    warehouses: list[AllocationWarehouseOut] = Field(description="The usable stocks as computed.")
    result: AllocationSolutionOut


# --- inputs ---------------------------------------------------------------------------------

_QTYS = {
    "type": "object",
    "additionalProperties": {"type": "integer", "minimum": 0},
}


class AllocationIncidentIn(BaseModel):
    """An active incident in your scope ({"incident": id}) or a place (name, lat, lon)."""

    model_config = ConfigDict(extra="forbid")

    incident: Lenient({"type": "integer", "minimum": 1}) = None
    name: Lenient({"type": "string", "maxLength": 120}) = None
    lat: Lenient({"type": ["number", "string"], "minimum": -90, "maximum": 90}) = None
    lon: Lenient({"type": ["number", "string"], "minimum": -180, "maximum": 180}) = None
    priority: Lenient(
        {"type": "integer", "minimum": 1, "maximum": 10, "description": "Higher: first."}
    ) = 1
    demands: Lenient({**_QTYS, "description": "{supply kind code: quantity}."}) = None


class AllocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Lenient({"type": "string", "maxLength": 200}) = None
    objective: Lenient({"type": "string", "enum": ["distance", "time"]}) = "distance"
    division: Lenient(
        {"type": "integer", "minimum": 1, "description": "Default: your own division."}
    ) = None
    incidents: list[AllocationIncidentIn] = Field(default_factory=list)
    warehouses: Lenient(
        {
            "type": "array",
            "items": {"type": "integer"},
            "description": "Warehouse ids to draw from; default: all in the division.",
        }
    ) = None


class AllocationSolveIncidentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Lenient({"type": ["string", "integer"]}) = None
    name: Lenient({"type": "string"}) = None
    lat: Lenient({"type": "number", "minimum": -90, "maximum": 90}) = None
    lon: Lenient({"type": "number", "minimum": -180, "maximum": 180}) = None
    priority: Lenient({"type": "integer", "minimum": 1, "maximum": 10}) = 1
    demands: Lenient(_QTYS) = None


class AllocationSolveWarehouseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Lenient({"type": ["string", "integer"]}) = None
    name: Lenient({"type": "string"}) = None
    lat: Lenient({"type": "number", "minimum": -90, "maximum": 90}) = None
    lon: Lenient({"type": "number", "minimum": -180, "maximum": 180}) = None
    readiness_minutes: Lenient({"type": "number", "minimum": 0}) = 0
    stocks: Lenient(_QTYS) = None


class AllocationSolveRouteIn(BaseModel):
    """A road-network provider's answer for one pair, or {"reachable": false}."""

    model_config = ConfigDict(extra="forbid")

    warehouse: Lenient({"type": ["string", "integer"]}) = None
    incident: Lenient({"type": ["string", "integer"]}) = None
    km: Lenient({"type": "number", "minimum": 0}) = None
    minutes: Lenient({"type": "integer", "minimum": 0}) = None
    reachable: Lenient({"type": "boolean"}) = True


class AllocationSolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    objective: Lenient({"type": "string", "enum": ["distance", "time"]}) = "distance"
    detour: Lenient(
        {"type": "number", "minimum": 1, "maximum": 5, "description": "Default 1.3."}
    ) = 1.3
    speed_kmh: Lenient({"type": "number", "minimum": 1, "maximum": 200}) = 40
    max_km: Lenient({"type": "number", "minimum": 0}) = None
    incidents: list[AllocationSolveIncidentIn] = Field(default_factory=list)
    warehouses: list[AllocationSolveWarehouseIn] = Field(default_factory=list)
    routes: list[AllocationSolveRouteIn] = Field(default_factory=list)


class AllocationRunFilters(Schema):
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


# --- helpers --------------------------------------------------------------------------------


def _totals(run: AllocationRun) -> dict[str, Any]:
    t = (run.result or {}).get("totals", {})
    return {k: t.get(k, 0) for k in ("demanded", "allocated", "short", "cost", "shipments")}


def _run_out(run: AllocationRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "title": run.title,
        "objective": run.objective,
        "division": run.division_id,
        "created_by": run.created_by.get_username(),
        "created_at": run.created_at,
        "totals": _totals(run),
    }


def _require_reader(request: HttpRequest) -> Any:
    user = caller(request)
    if not (scoping.is_active_user(user) and (user.is_regulator or user.role == "platform_admin")):
        raise Forbidden(_("Your role does not use this page."))
    return user


# --- endpoints ------------------------------------------------------------------------------


@router.post(
    "/emergency/allocations/solve",
    response={200: AllocationSolutionOut, 422: ValidationErrorOut},
    summary="Solve an allocation problem given whole (points, stocks, demands); nothing stored",
)
def allocation_solve(request: HttpRequest, payload: AllocationSolveIn) -> dict[str, Any]:
    return svc.solve_problem(payload.model_dump(exclude_none=True))


@router.get(
    "/emergency/allocations",
    response={200: AllocationRunPage, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Allocation plans of your jurisdiction, newest first",
)
def allocation_list(request: HttpRequest, filters: Query[AllocationRunFilters]) -> dict[str, Any]:
    user = _require_reader(request)
    qs = svc.visible_runs(user).select_related("created_by").order_by("-created_at", "-pk")
    result = page(qs, filters.limit, filters.offset)
    return {"count": result["count"], "items": [_run_out(r) for r in result["items"]]}


def _detail(request: HttpRequest, run_id: Any) -> dict[str, Any]:
    run = svc.run_for(_require_reader(request), run_id)
    problem = run.problem or {}
    return {
        **_run_out(run),
        "incidents": problem.get("incidents", []),
        "warehouses": problem.get("warehouses", []),
        "result": run.result or {},
    }


@router.get(
    "/emergency/allocations/{run_id}",
    response={200: AllocationRunDetail, 403: ErrorOut, 404: ErrorOut},
    summary="One allocation plan: shipments, what cannot be met, totals",
)
def allocation_detail(request: HttpRequest, run_id: int) -> dict[str, Any]:
    return _detail(request, run_id)


@router.post(
    "/emergency/allocations",
    response={201: AllocationRunDetail, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Compute and keep an allocation plan from the usable stocks of your jurisdiction",
)
def allocation_create(request: HttpRequest, payload: AllocationIn) -> Any:
    run = svc.allocation_compute(
        actor=actor(request),
        title=payload.title,
        objective=payload.objective,
        division_id=payload.division,
        incidents=[
            {k: v for k, v in item.model_dump().items() if v is not None}
            for item in payload.incidents
        ],
        warehouses=payload.warehouses,
    )
    return Status(201, _detail(request, run.pk))

"""Emergency resources over HTTP (issue 14 items 3 and 7), scoped by
anjian.core.scoping.visible (regulators: resources placed in their division subtree;
enterprise staff: their enterprise's own; anyone else nothing; an id outside your scope
answers 404 like an unknown one).

* GET/POST /emergency/teams, /emergency/warehouses, /emergency/experts,
  /emergency/shelters; GET/PATCH /emergency/<kind>/{id}; POST
  /emergency/<kind>/{id}/retire (out of service, never deleted);
* GET/POST /emergency/supplies (POST names its warehouse), GET/PATCH
  /emergency/supplies/{id}, POST /emergency/supplies/{id}/retire (scrapped);
* GET /emergency/supply-warnings: expired, expiring (within `days`, default 30: a local
  default), short and damaged supply records;
* GET /emergency/supply-kinds: the catalogue.

Writes go through anjian.emergency.resource_services (the enterprise's principal or
safety officer for the enterprise's own; a coordinator or department officer for the
government's in their subtree). Refusals: 422 with field messages (unknown fields too),
403, 404, 409 (retired, or changed by somebody else since `updated_at`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db.models import Count, Prefetch
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict

from anjian.core import scoping
from anjian.core.errors import NotFound
from anjian.emergency import resource_rules as rules
from anjian.emergency import resource_services as services
from anjian.emergency.models import (
    Expert,
    RescueTeam,
    Shelter,
    Supply,
    SupplyKind,
    SupplyState,
    TeamMember,
    Warehouse,
)

from .checks import valid_id
from .common import actor, caller, page
from .schemas import MAX_PAGE_SIZE, ErrorOut, Id, Lenient, Offset, ValidationErrorOut

router = Router(tags=["emergency"])

ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


# --- outputs --------------------------------------------------------------------------------


class ResourceRef(Schema):
    id: int
    name: str


class ResourcePlacedOut(Schema):
    id: int
    name: str
    division: ResourceRef
    enterprise: ResourceRef | None = Field(
        description="The keeping enterprise; null: the government's."
    )
    address: str
    latitude: str | None
    longitude: str | None
    active: bool
    updated_at: dt.datetime = Field(description="Send it back on PATCH to detect a stale edit.")
    may_change: bool


class RescueTeamMemberOut(Schema):
    name: str
    speciality: str
    phone: str


class RescueTeamOut(ResourcePlacedOut):
    kind: str
    specialities: list[str]
    members: int
    leader: str
    duty_phone: str
    equipment: str
    readiness_minutes: int


class RescueTeamDetail(RescueTeamOut):
    roster: list[RescueTeamMemberOut]


class SupplyWarehouseOut(ResourcePlacedOut):
    keeper: str
    phone: str
    supplies: int = Field(description="Supply records not scrapped.")


class EmergencyExpertOut(ResourcePlacedOut):
    specialities: list[str]
    title: str
    employer: str
    phone: str


class EmergencyShelterOut(ResourcePlacedOut):
    capacity: int
    phone: str


class SupplyKindOut(Schema):
    id: int
    code: str
    name: str
    unit: str
    category: str
    accident_types: list[str] = Field(description="GB 6441-86 codes the kind serves.")


class SupplyWarningOut(Schema):
    kind: Literal[rules.KINDS]  # type: ignore[valid-type]
    label: str
    days_left: int | None
    missing: int | None


class SupplyRecordOut(Schema):
    id: int
    warehouse: ResourceRef
    kind: SupplyKindOut
    quantity: int
    minimum: int
    expires_on: dt.date | None
    state: str
    batch: str
    updated_at: dt.datetime
    warnings: list[SupplyWarningOut]


def _pages(schema: type[Schema]) -> type[Schema]:
    return type(
        f"{schema.__name__.removesuffix('Out')}Page",
        (Schema,),
        {"__annotations__": {"count": int, "items": list[schema]}},
    )


RescueTeamPage = _pages(RescueTeamOut)
SupplyWarehousePage = _pages(SupplyWarehouseOut)
EmergencyExpertPage = _pages(EmergencyExpertOut)
EmergencyShelterPage = _pages(EmergencyShelterOut)
SupplyRecordPage = _pages(SupplyRecordOut)
SupplyKindPage = _pages(SupplyKindOut)


# --- inputs ---------------------------------------------------------------------------------

_S = {"type": "string"}
_COORD_LAT = Lenient({"type": ["number", "string"], "minimum": -90, "maximum": 90})
_COORD_LON = Lenient({"type": ["number", "string"], "minimum": -180, "maximum": 180})
_COUNT = Lenient({"type": ["integer", "string"], "minimum": 0})
_SPECIALITIES = Lenient(
    {"type": "array", "items": {"type": "string"}, "description": "Speciality codes."}
)
_STAMP = Lenient(
    {
        "type": "string",
        "format": "date-time",
        "description": "PATCH: the updated_at you saw; a later change answers 409.",
    }
)


class _ResourceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResourcePlacedIn(_ResourceBody):
    name: Lenient({**_S, "maxLength": 120, "description": "Required on create."}) = None
    address: Lenient({**_S, "maxLength": 255}) = None
    latitude: _COORD_LAT = None
    longitude: _COORD_LON = None
    division: Lenient(
        {
            "type": "integer",
            "description": "Create, regulators: a division of your subtree (default: yours). "
            "Enterprise staff's resources sit at their enterprise.",
        }
    ) = None
    updated_at: _STAMP = None


class RescueTeamIn(ResourcePlacedIn):
    kind: Lenient({**_S, "description": "professional, fire, enterprise or social."}) = None
    specialities: _SPECIALITIES = None
    members: _COUNT = None
    leader: Lenient({**_S, "maxLength": 64}) = None
    duty_phone: Lenient({**_S, "maxLength": 32, "description": "Required on create."}) = None
    equipment: Lenient({**_S, "maxLength": 4000}) = None
    readiness_minutes: Lenient({"type": ["integer", "string"], "minimum": 0, "maximum": 1440}) = (
        None
    )
    roster: Lenient(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": _S, "speciality": _S, "phone": _S},
            },
            "description": "The members; on PATCH replaces the roster.",
        }
    ) = None


class SupplyWarehouseIn(ResourcePlacedIn):
    keeper: Lenient({**_S, "maxLength": 64}) = None
    phone: Lenient({**_S, "maxLength": 32}) = None


class EmergencyExpertIn(ResourcePlacedIn):
    specialities: _SPECIALITIES = None
    title: Lenient({**_S, "maxLength": 64}) = None
    employer: Lenient({**_S, "maxLength": 120}) = None
    phone: Lenient({**_S, "maxLength": 32, "description": "Required on create."}) = None


class EmergencyShelterIn(ResourcePlacedIn):
    capacity: _COUNT = None
    phone: Lenient({**_S, "maxLength": 32}) = None


class SupplyRecordIn(_ResourceBody):
    warehouse: Lenient({"type": "integer", "description": "Create: the warehouse (required)."}) = (
        None
    )
    kind: Lenient(
        {"type": ["integer", "string"], "description": "A supply kind: id, code or name."}
    ) = None
    quantity: _COUNT = None
    minimum: _COUNT = None
    expires_on: Lenient({"type": "string", "format": "date"}) = None
    state: Lenient({**_S, "description": "good, maintenance (scrap with /retire)."}) = None
    batch: Lenient({**_S, "maxLength": 64}) = None
    updated_at: _STAMP = None


class ResourceRetireIn(_ResourceBody):
    reason: Lenient({**_S, "maxLength": 1000}) = None


class EmergencyResourceFilters(Schema):
    active: bool | None = Field(True, description="In service (default), retired, or null: all.")
    division: Id | None = Field(None, description="Placed in this division's subtree.")
    enterprise: Id | None = Field(None, description="Kept by this enterprise.")
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class SupplyRecordFilters(Schema):
    warehouse: Id | None = None
    kind: Id | None = None
    scrapped: bool = Field(False, description="Include scrapped records.")
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class SupplyWarningFilters(Schema):
    kind: Literal[rules.KINDS] | None = None  # type: ignore[valid-type]
    days: int | None = Field(
        None, ge=0, le=rules.MAX_NOTICE_DAYS, description="Expiry notice (default 30)."
    )
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


# --- helpers --------------------------------------------------------------------------------


def _ref(row: Any) -> dict[str, Any] | None:
    return None if row is None else {"id": row.pk, "name": row.name}


def _coord(value: Any) -> str | None:
    return None if value is None else format(value, "f")


def _placed(user: Any, row: Any, subtree: set[int] | None) -> dict[str, Any]:
    if row.enterprise_id:
        mine = services.is_enterprise_keeper(user) and user.enterprise_id == row.enterprise_id
    else:
        mine = subtree is not None and row.division_id in subtree
    return {
        "id": row.pk,
        "name": row.name,
        "division": _ref(row.division),
        "enterprise": _ref(row.enterprise),
        "address": row.address,
        "latitude": _coord(row.latitude),
        "longitude": _coord(row.longitude),
        "active": row.active,
        "updated_at": row.updated_at,
        "may_change": mine,
    }


def _subtree(user: Any) -> set[int] | None:
    return set(scoping.subtree_ids(user.division)) if services.is_government_keeper(user) else None


FIELDS = {
    "team": (
        "kind",
        "specialities",
        "members",
        "leader",
        "duty_phone",
        "equipment",
        "readiness_minutes",
    ),
    "warehouse": ("keeper", "phone"),
    "expert": ("specialities", "title", "employer", "phone"),
    "shelter": ("capacity", "phone"),
}


def _out(user: Any, kind: str, row: Any, subtree: set[int] | None) -> dict[str, Any]:
    out = _placed(user, row, subtree)
    for name in FIELDS[kind]:
        out[name] = getattr(row, name)
    if kind == "warehouse":
        out["supplies"] = getattr(row, "n_supplies", 0)
    if kind == "team" and hasattr(row, "_prefetched_objects_cache"):
        out["roster"] = [
            {"name": m.name, "speciality": m.speciality, "phone": m.phone} for m in row.roster.all()
        ]
    return out


def _scoped(user: Any, kind: str):
    qs = services.visible_resources(user, kind).select_related("division", "enterprise")
    if kind == "warehouse":
        qs = qs.annotate(n_supplies=Count("supplies", filter=~_scrapped()))
    if kind == "team":
        qs = qs.prefetch_related(Prefetch("roster", queryset=TeamMember.objects.order_by("pk")))
    return qs


def _scrapped():
    from django.db.models import Q

    return Q(supplies__state=SupplyState.SCRAPPED)


def _list(request: HttpRequest, kind: str, filters: EmergencyResourceFilters) -> dict[str, Any]:
    user = caller(request)
    qs = _scoped(user, kind)
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    if filters.division:
        qs = qs.filter(division_id__in=scoping.subtree_ids(_division(filters.division)))
    if filters.enterprise:
        qs = qs.filter(enterprise_id=filters.enterprise)
    result = page(qs.order_by("name", "pk"), filters.limit, filters.offset)
    subtree = _subtree(user)
    return {
        "count": result["count"],
        "items": [_out(user, kind, r, subtree) for r in result["items"]],
    }


def _division(pk: int):
    from anjian.registry.models import Division

    return Division.objects.filter(pk=pk).first()


def _one(request: HttpRequest, kind: str, pk: int) -> dict[str, Any]:
    user = caller(request)
    row = _scoped(user, kind).filter(pk=pk).first() if valid_id(pk) else None
    if row is None:
        raise NotFound(_("No such resource in your scope."))
    return _out(user, kind, row, _subtree(user))


def _data(payload: BaseModel) -> tuple[dict[str, Any], Any]:
    data = payload.model_dump(exclude_unset=True)
    stamp = data.pop("updated_at", None)
    return data, stamp


def _create(request: HttpRequest, kind: str, payload: ResourcePlacedIn) -> Any:
    data, _stamp = _data(payload)
    row = services.resource_create(actor=actor(request), kind=kind, data=data)
    return Status(201, _one(request, kind, row.pk))


def _patch(request: HttpRequest, kind: str, pk: int, payload: ResourcePlacedIn) -> dict[str, Any]:
    data, stamp = _data(payload)
    services.resource_update(
        actor=actor(request), kind=kind, pk=pk, data=data, expected_updated_at=stamp
    )
    return _one(request, kind, pk)


def _retire(
    request: HttpRequest, kind: str, pk: int, payload: ResourceRetireIn | None
) -> dict[str, Any]:
    reason = payload.reason if payload is not None else ""
    services.resource_retire(actor=actor(request), kind=kind, pk=pk, reason=reason or "")
    return _one(request, kind, pk)


# --- endpoints: teams, warehouses, experts, shelters ----------------------------------------


@router.get(
    "/emergency/teams", response={200: RescueTeamPage}, summary="Rescue teams in your scope"
)
def team_list(request: HttpRequest, filters: Query[EmergencyResourceFilters]) -> dict[str, Any]:
    return _list(request, "team", filters)


@router.post(
    "/emergency/teams", response={201: RescueTeamDetail, **ERRORS}, summary="Add a rescue team"
)
def team_create(request: HttpRequest, payload: RescueTeamIn) -> Any:
    return _create(request, "team", payload)


@router.get(
    "/emergency/teams/{team_id}",
    response={200: RescueTeamDetail, 404: ErrorOut},
    summary="One rescue team with its roster",
)
def team_detail(request: HttpRequest, team_id: int) -> dict[str, Any]:
    return _one(request, "team", team_id)


@router.patch(
    "/emergency/teams/{team_id}",
    response={200: RescueTeamDetail, **ERRORS},
    summary="Change a rescue team",
)
def team_update(request: HttpRequest, team_id: int, payload: RescueTeamIn) -> dict[str, Any]:
    return _patch(request, "team", team_id, payload)


@router.post(
    "/emergency/teams/{team_id}/retire",
    response={200: RescueTeamDetail, **ERRORS},
    summary="Retire a rescue team",
)
def team_retire(
    request: HttpRequest, team_id: int, payload: ResourceRetireIn | None = None
) -> dict[str, Any]:
    return _retire(request, "team", team_id, payload)


@router.get(
    "/emergency/warehouses",
    response={200: SupplyWarehousePage},
    summary="Supplies warehouses in your scope",
)
def warehouse_list(
    request: HttpRequest, filters: Query[EmergencyResourceFilters]
) -> dict[str, Any]:
    return _list(request, "warehouse", filters)


@router.post(
    "/emergency/warehouses", response={201: SupplyWarehouseOut, **ERRORS}, summary="Add a warehouse"
)
def warehouse_create(request: HttpRequest, payload: SupplyWarehouseIn) -> Any:
    return _create(request, "warehouse", payload)


@router.get(
    "/emergency/warehouses/{warehouse_id}",
    response={200: SupplyWarehouseOut, 404: ErrorOut},
    summary="One warehouse",
)
def warehouse_detail(request: HttpRequest, warehouse_id: int) -> dict[str, Any]:
    return _one(request, "warehouse", warehouse_id)


@router.patch(
    "/emergency/warehouses/{warehouse_id}",
    response={200: SupplyWarehouseOut, **ERRORS},
    summary="Change a warehouse",
)
def warehouse_update(
    request: HttpRequest, warehouse_id: int, payload: SupplyWarehouseIn
) -> dict[str, Any]:
    return _patch(request, "warehouse", warehouse_id, payload)


@router.post(
    "/emergency/warehouses/{warehouse_id}/retire",
    response={200: SupplyWarehouseOut, **ERRORS},
    summary="Retire a warehouse",
)
def warehouse_retire(
    request: HttpRequest, warehouse_id: int, payload: ResourceRetireIn | None = None
) -> dict[str, Any]:
    return _retire(request, "warehouse", warehouse_id, payload)


@router.get(
    "/emergency/experts",
    response={200: EmergencyExpertPage},
    summary="Emergency experts in your scope",
)
def expert_list(request: HttpRequest, filters: Query[EmergencyResourceFilters]) -> dict[str, Any]:
    return _list(request, "expert", filters)


@router.post(
    "/emergency/experts", response={201: EmergencyExpertOut, **ERRORS}, summary="Add an expert"
)
def expert_create(request: HttpRequest, payload: EmergencyExpertIn) -> Any:
    return _create(request, "expert", payload)


@router.get(
    "/emergency/experts/{expert_id}",
    response={200: EmergencyExpertOut, 404: ErrorOut},
    summary="One expert",
)
def expert_detail(request: HttpRequest, expert_id: int) -> dict[str, Any]:
    return _one(request, "expert", expert_id)


@router.patch(
    "/emergency/experts/{expert_id}",
    response={200: EmergencyExpertOut, **ERRORS},
    summary="Change an expert",
)
def expert_update(
    request: HttpRequest, expert_id: int, payload: EmergencyExpertIn
) -> dict[str, Any]:
    return _patch(request, "expert", expert_id, payload)


@router.post(
    "/emergency/experts/{expert_id}/retire",
    response={200: EmergencyExpertOut, **ERRORS},
    summary="Retire an expert",
)
def expert_retire(
    request: HttpRequest, expert_id: int, payload: ResourceRetireIn | None = None
) -> dict[str, Any]:
    return _retire(request, "expert", expert_id, payload)


@router.get(
    "/emergency/shelters", response={200: EmergencyShelterPage}, summary="Shelters in your scope"
)
def shelter_list(request: HttpRequest, filters: Query[EmergencyResourceFilters]) -> dict[str, Any]:
    return _list(request, "shelter", filters)


@router.post(
    "/emergency/shelters", response={201: EmergencyShelterOut, **ERRORS}, summary="Add a shelter"
)
def shelter_create(request: HttpRequest, payload: EmergencyShelterIn) -> Any:
    return _create(request, "shelter", payload)


@router.get(
    "/emergency/shelters/{shelter_id}",
    response={200: EmergencyShelterOut, 404: ErrorOut},
    summary="One shelter",
)
def shelter_detail(request: HttpRequest, shelter_id: int) -> dict[str, Any]:
    return _one(request, "shelter", shelter_id)


@router.patch(
    "/emergency/shelters/{shelter_id}",
    response={200: EmergencyShelterOut, **ERRORS},
    summary="Change a shelter",
)
def shelter_update(
    request: HttpRequest, shelter_id: int, payload: EmergencyShelterIn
) -> dict[str, Any]:
    return _patch(request, "shelter", shelter_id, payload)


@router.post(
    "/emergency/shelters/{shelter_id}/retire",
    response={200: EmergencyShelterOut, **ERRORS},
    summary="Retire a shelter",
)
def shelter_retire(
    request: HttpRequest, shelter_id: int, payload: ResourceRetireIn | None = None
) -> dict[str, Any]:
    return _retire(request, "shelter", shelter_id, payload)


# --- supplies -------------------------------------------------------------------------------


def _kind_out(kind: SupplyKind) -> dict[str, Any]:
    return {
        "id": kind.pk,
        "code": kind.code,
        "name": kind.name,
        "unit": kind.unit,
        "category": kind.category,
        "accident_types": list(kind.accident_types or []),
    }


def _warning_out(warnings: list[rules.Warning]) -> list[dict[str, Any]]:
    labels = services.warning_labels()
    return [
        {"kind": w.kind, "label": labels[w.kind], "days_left": w.days_left, "missing": w.missing}
        for w in warnings
    ]


def _supply_out(supply: Supply, today: dt.date, days: int, warnings=None) -> dict[str, Any]:
    if warnings is None:
        warnings = rules.supply_warnings(services.facts(supply), today=today, notice_days=days)
    return {
        "id": supply.pk,
        "warehouse": _ref(supply.warehouse),
        "kind": _kind_out(supply.kind),
        "quantity": supply.quantity,
        "minimum": supply.minimum,
        "expires_on": supply.expires_on,
        "state": supply.state,
        "batch": supply.batch,
        "updated_at": supply.updated_at,
        "warnings": _warning_out(warnings),
    }


def _supplies(user: Any):
    return scoping.visible(user, Supply).select_related("warehouse", "kind")


def _supply_one(request: HttpRequest, pk: int) -> dict[str, Any]:
    supply = _supplies(caller(request)).filter(pk=pk).first() if valid_id(pk) else None
    if supply is None:
        raise NotFound(_("No such supply record in your scope."))
    return _supply_out(supply, timezone.localdate(), services.notice_days())


@router.get(
    "/emergency/supplies", response={200: SupplyRecordPage}, summary="Supply records in your scope"
)
def supply_list(request: HttpRequest, filters: Query[SupplyRecordFilters]) -> dict[str, Any]:
    qs = _supplies(caller(request))
    if not filters.scrapped:
        qs = qs.exclude(state=SupplyState.SCRAPPED)
    if filters.warehouse:
        qs = qs.filter(warehouse_id=filters.warehouse)
    if filters.kind:
        qs = qs.filter(kind_id=filters.kind)
    result = page(qs.order_by("warehouse__name", "kind__code", "pk"), filters.limit, filters.offset)
    today, days = timezone.localdate(), services.notice_days()
    return {
        "count": result["count"],
        "items": [_supply_out(s, today, days) for s in result["items"]],
    }


@router.post(
    "/emergency/supplies",
    response={201: SupplyRecordOut, **ERRORS},
    summary="Add a supply record to a warehouse",
)
def supply_create(request: HttpRequest, payload: SupplyRecordIn) -> Any:
    data, _stamp = _data(payload)
    warehouse = data.pop("warehouse", None)
    if warehouse is None:
        from anjian.core.errors import ValidationFailed

        raise ValidationFailed({"warehouse": [_("This field is required.")]})
    supply = services.supply_create(actor=actor(request), warehouse_id=warehouse, data=data)
    return Status(201, _supply_one(request, supply.pk))


@router.get(
    "/emergency/supplies/{supply_id}",
    response={200: SupplyRecordOut, 404: ErrorOut},
    summary="One supply record",
)
def supply_detail(request: HttpRequest, supply_id: int) -> dict[str, Any]:
    return _supply_one(request, supply_id)


@router.patch(
    "/emergency/supplies/{supply_id}",
    response={200: SupplyRecordOut, **ERRORS},
    summary="Change a supply record",
)
def supply_update(request: HttpRequest, supply_id: int, payload: SupplyRecordIn) -> dict[str, Any]:
    data, stamp = _data(payload)
    if "warehouse" in data:
        from anjian.core.errors import ValidationFailed

        raise ValidationFailed(
            {"warehouse": [_("A supply record cannot move to another warehouse.")]}
        )
    services.supply_update(actor=actor(request), pk=supply_id, data=data, expected_updated_at=stamp)
    return _supply_one(request, supply_id)


@router.post(
    "/emergency/supplies/{supply_id}/retire",
    response={200: SupplyRecordOut, **ERRORS},
    summary="Scrap a supply record",
)
def supply_retire(
    request: HttpRequest, supply_id: int, payload: ResourceRetireIn | None = None
) -> dict[str, Any]:
    reason = payload.reason if payload is not None else ""
    services.supply_retire(actor=actor(request), pk=supply_id, reason=reason or "")
    return _supply_one(request, supply_id)


@router.get(
    "/emergency/supply-warnings",
    response={200: SupplyRecordPage, 422: ValidationErrorOut},
    summary="Expired, expiring, short and damaged supply records in your scope",
)
def supply_warnings(request: HttpRequest, filters: Query[SupplyWarningFilters]) -> dict[str, Any]:
    today = timezone.localdate()
    days = services.notice_days() if filters.days is None else filters.days
    rows = services.warning_rows(caller(request), kind=filters.kind or "", today=today, days=days)
    chunk = rows[filters.offset : filters.offset + filters.limit]
    return {
        "count": len(rows),
        "items": [_supply_out(r.supply, today, days, r.warnings) for r in chunk],
    }


@router.get(
    "/emergency/supply-kinds",
    response={200: SupplyKindPage},
    summary="The catalogue of supply kinds",
)
def supply_kinds(request: HttpRequest) -> dict[str, Any]:
    kinds = list(SupplyKind.objects.order_by("code"))
    return {"count": len(kinds), "items": [_kind_out(k) for k in kinds]}


__all__ = ["Expert", "RescueTeam", "Shelter", "Warehouse", "router"]

"""Supplies allocation runs (issue 14 item 5): `allocation_compute` reads the stocks a
regulator may dispatch, solves the min-cost flow (anjian.emergency.allocation) and keeps
the run (input and result, as computed) with an audit entry; `solve_problem` is the
stateless solver for scripts; the readers turn a stored run into rows for the pages, the
API and the Excel export.

Who: the regulators who dispatch supplies in their jurisdiction, the coordinator (安委办)
and the department officers (《生产安全事故应急条例》 第十三条, 第十七条: the government
and its departments organise and dispatch emergency supplies; standards.md A10).

What stocks count: Supply rows the actor sees (scoping.visible) in the run's division
subtree, in good order (not under maintenance or scrapped), not expired on the day, in an
active warehouse with coordinates.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Forbidden, NotFound, ValidationFailed
from anjian.core.inputs import clean_text
from anjian.registry.models import Division

from . import allocation as alloc
from .models import (
    AllocationRun,
    Incident,
    IncidentEvent,
    IncidentState,
    Supply,
    SupplyKind,
    SupplyState,
    Warehouse,
)

ALLOCATOR_ROLES = frozenset({Role.COORDINATOR, Role.DEPARTMENT_OFFICER})
MAX_INCIDENTS = 200
MAX_WAREHOUSES = 5000
TITLE_LIMIT = 200


def objective_labels() -> dict[str, str]:
    return {"distance": _("shortest distance"), "time": _("shortest time")}


# --- who ------------------------------------------------------------------------------------


def may_allocate(user: Any) -> bool:
    return bool(scoping.is_active_user(user) and user.role in ALLOCATOR_ROLES and user.division_id)


def visible_runs(user: Any) -> QuerySet[AllocationRun]:
    return scoping.visible(user, AllocationRun)


def run_for(user: Any, run_id: Any) -> AllocationRun:
    pk = _id(run_id)
    run = visible_runs(user).select_related("division", "created_by").filter(pk=pk).first()
    if pk is None or run is None:
        raise NotFound(_("No such allocation plan in your scope."))
    return run


def active_incidents(user: Any) -> QuerySet[Incident]:
    """The incidents a run may serve: active ones in the user's scope, with a place."""
    return (
        scoping.visible(user, Incident)
        .filter(state=IncidentState.ACTIVE)
        .select_related("division")
        .order_by("-started_at", "-pk")
    )


def supply_kinds() -> QuerySet[SupplyKind]:
    return SupplyKind.objects.order_by("code")


# --- input -----------------------------------------------------------------------------------


def _id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
        return number if 0 < number < 2**63 else None
    return None


def _messages() -> dict[str, str]:
    # The solver's error codes (anjian.emergency.allocation.ProblemError) in words.
    return {
        "not_an_object": _("Enter an object."),
        "not_a_list": _("Enter a list."),
        "required": _("This field is required."),
        "too_many": _("At most %(n)s entries."),
        "duplicate": _("The id %(id)s is given twice."),
        "unknown": _("Unknown id %(id)s."),
        "range": _("Must be between %(low)s and %(high)s."),
        "positive": _("Enter a number greater than zero."),
        "choice": _("Choose one of: %(choices)s."),
        "quantity": _("Enter a whole number from 0 to %(high)s."),
        "kind_required": _("Name the supply kind."),
        "too_many_pairs": _(
            "Too large: incidents × warehouses may be at most %(n)s; split the problem."
        ),
        "too_many_kinds": _("At most %(n)s supply kinds in one problem."),
    }


def problem_errors(exc: alloc.ProblemError) -> ValidationFailed:
    words = _messages()
    return ValidationFailed(
        {
            field: [
                words.get(code, code) % params if params else words.get(code, code)
                for code, params in found
            ]
            for field, found in exc.errors.items()
        }
    )


def solve_problem(data: Any) -> dict[str, Any]:
    """The stateless solver (API /emergency/allocations/solve): nothing read or stored."""
    try:
        problem = alloc.parse(data)
    except alloc.ProblemError as exc:
        raise problem_errors(exc) from None
    return alloc.result(problem)


def _demands(
    errors: dict[str, list[str]], path: str, raw: Any, kinds: dict[str, SupplyKind]
) -> dict[str, int]:
    out: dict[str, int] = {}
    if not isinstance(raw, Mapping) or not raw:
        errors.setdefault(path, []).append(_("Enter at least one demand."))
        return out
    for code, value in raw.items():
        field = f"{path}.{code}"
        if code not in kinds:
            errors.setdefault(field, []).append(_("Unknown supply kind."))
            continue
        q = alloc._quantity(value)
        if q is None or not 0 <= q <= alloc.MAX_QUANTITY:
            errors.setdefault(field, []).append(
                _("Enter a whole number from 0 to %(high)s.") % {"high": alloc.MAX_QUANTITY}
            )
        elif q:
            out[code] = q
    if not out and path not in errors and not any(k.startswith(path + ".") for k in errors):
        errors.setdefault(path, []).append(_("Enter at least one demand."))
    return out


def _stocks(
    user: Any, division: Division, only: list[int] | None, today: dt.date, needed: set[str]
) -> tuple[list[dict[str, Any]], dict[int, Warehouse]]:
    # Only the kinds demanded: a warehouse holding none of them plays no part.
    supplies = (
        scoping.visible(user, Supply)
        .filter(
            state=SupplyState.GOOD,
            quantity__gt=0,
            kind__code__in=sorted(needed),
            warehouse__active=True,
            warehouse__division_id__in=scoping.subtree_ids(division),
            warehouse__latitude__isnull=False,
            warehouse__longitude__isnull=False,
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    )
    if only is not None:
        supplies = supplies.filter(warehouse_id__in=only)
    stocks: dict[int, dict[str, int]] = {}
    for wid, code, q in supplies.values_list("warehouse_id", "kind__code", "quantity"):
        kinds = stocks.setdefault(wid, {})
        kinds[code] = kinds.get(code, 0) + q
    rows = Warehouse.objects.in_bulk(list(stocks))
    out = [
        {
            "id": f"w{wid}",
            "name": rows[wid].name,
            "lat": float(rows[wid].latitude),
            "lon": float(rows[wid].longitude),
            "stocks": stocks[wid],
        }
        for wid in sorted(stocks)
    ]
    return out, rows


def _build(
    user: Any,
    division: Division,
    objective: Any,
    incidents: Any,
    warehouses: Any,
    today: dt.date,
    errors: dict[str, list[str]],
) -> tuple[dict[str, Any], list[Incident]]:
    if objective not in alloc.OBJECTIVES:
        errors["objective"] = [_("Choose shortest distance or shortest time.")]
    kinds = {k.code: k for k in supply_kinds()}
    if not isinstance(incidents, list) or not incidents:
        errors["incidents"] = [_("Add at least one incident or place.")]
        incidents = []
    elif len(incidents) > MAX_INCIDENTS:
        errors["incidents"] = [_("At most %(n)s entries.") % {"n": MAX_INCIDENTS}]
        incidents = []
    in_scope = active_incidents(user).filter(division_id__in=scoping.subtree_ids(division))
    points: list[dict[str, Any]] = []
    rows: list[Incident] = []
    seen: set[int] = set()
    for n, item in enumerate(incidents):
        path = f"incidents[{n}]"
        if not isinstance(item, Mapping):
            errors[path] = [_("Enter an object.")]
            continue
        priority = alloc._quantity(item.get("priority", 1))
        if priority is None or not 1 <= priority <= alloc.MAX_PRIORITY:
            errors[f"{path}.priority"] = [
                _("Must be between %(low)s and %(high)s.") % {"low": 1, "high": alloc.MAX_PRIORITY}
            ]
            priority = 1
        demands = _demands(errors, f"{path}.demands", item.get("demands"), kinds)
        if item.get("incident") not in (None, ""):
            pk = _id(item.get("incident"))
            row = in_scope.filter(pk=pk).first() if pk else None
            if row is None:
                errors[f"{path}.incident"] = [_("No such active incident in your scope.")]
                continue
            if row.pk in seen:
                errors[f"{path}.incident"] = [_("This incident is listed twice.")]
                continue
            seen.add(row.pk)
            rows.append(row)
            points.append(
                {
                    "id": f"i{row.pk}",
                    "name": row.title,
                    "incident": row.pk,
                    "lat": float(row.latitude),
                    "lon": float(row.longitude),
                    "priority": priority,
                    "demands": demands,
                }
            )
            continue
        name = clean_text(
            errors,
            item.get("name"),
            f"{path}.name",
            required=True,
            missing=_("Name the place."),
            limit=120,
        )
        lat, lon = alloc._number(item.get("lat")), alloc._number(item.get("lon"))
        if lat is None or not -90 <= lat <= 90:
            errors[f"{path}.lat"] = [
                _("Must be between %(low)s and %(high)s.") % {"low": -90, "high": 90}
            ]
        if lon is None or not -180 <= lon <= 180:
            errors[f"{path}.lon"] = [
                _("Must be between %(low)s and %(high)s.") % {"low": -180, "high": 180}
            ]
        points.append(
            {
                "id": f"p{n + 1}",
                "name": name,
                "incident": None,
                "lat": lat,
                "lon": lon,
                "priority": priority,
                "demands": demands,
            }
        )
    only: list[int] | None = None
    if warehouses not in (None, "", []):
        if not isinstance(warehouses, list) or len(warehouses) > MAX_WAREHOUSES:
            errors["warehouses"] = [_("Enter a list of warehouse ids.")]
        else:
            only = [pk for pk in (_id(w) for w in warehouses) if pk is not None]
            visible_ids = set(
                scoping.visible(user, Warehouse)
                .filter(pk__in=only, division_id__in=scoping.subtree_ids(division))
                .values_list("pk", flat=True)
            )
            if len(only) != len(warehouses) or set(only) - visible_ids:
                errors["warehouses"] = [_("No such warehouse in your scope.")]
    if errors:
        raise ValidationFailed(errors)
    needed = {code for p in points for code in p["demands"]}
    stocks, _rows = _stocks(user, division, only, today, needed)
    if not stocks:
        raise ValidationFailed(
            {
                "warehouses": [
                    _(
                        "No warehouse in this jurisdiction holds usable stocks of the kinds demanded."
                    )
                ]
            }
        )
    problem = {
        "objective": objective,
        "incidents": points,
        "warehouses": stocks,
        "kinds": {
            code: {"name": kinds[code].name, "unit": kinds[code].unit} for code in sorted(needed)
        },
        "as_of": today.isoformat(),
    }
    return problem, rows


# --- the write ------------------------------------------------------------------------------


def allocation_compute(
    *,
    actor: Actor,
    title: Any,
    objective: Any = "distance",
    incidents: Any,
    warehouses: Any = None,
    division_id: Any = None,
) -> AllocationRun:
    """Compute and keep an allocation plan. `incidents`: a list of {"incident": id} (an
    active incident in scope) or {"name", "lat", "lon"} (a place entered on the page), each
    with "demands" {supply kind code: quantity} and an optional "priority" 1–10;
    `warehouses`: optional warehouse ids to draw from (default: every one in scope)."""
    user = actor.user
    if not may_allocate(user):
        raise Forbidden(_("Only the coordinator or a department officer may allocate supplies."))
    if division_id in (None, ""):
        division = user.division
    else:
        pk = _id(division_id)
        division = Division.objects.filter(pk=pk).first() if pk else None
        if division is None or division.pk not in scoping.subtree_ids(user.division):
            raise NotFound(_("No such division in your jurisdiction."))
    errors: dict[str, list[str]] = {}
    title = clean_text(errors, title, "title", required=True, limit=TITLE_LIMIT)
    today = timezone.localdate()
    problem, rows = _build(user, division, objective, incidents, warehouses, today, errors)
    started = time.perf_counter()
    try:
        result = alloc.solve(problem)
    except alloc.ProblemError as exc:  # the checks above make this unlikely
        raise problem_errors(exc) from None
    result["seconds"] = round(time.perf_counter() - started, 3)
    with transaction.atomic():
        run = AllocationRun.objects.create(
            division=division,
            title=title,
            objective=objective,
            problem=problem,
            result=result,
            created_by=user,
            created_at=timezone.now(),
        )
        # Each real incident's timeline records that supplies were allocated to it.
        locked = Incident.objects.select_for_update().filter(pk__in=[r.pk for r in rows])
        for incident in locked:
            mine = [s for s in result["shipments"] if s["incident"] == f"i{incident.pk}"]
            IncidentEvent.objects.create(
                incident=incident,
                action="allocation",
                actor=user,
                at=timezone.now(),
                note=title[:200],
                data={"run": run.pk, "shipments": len(mine)},
            )
        totals = result["totals"]
        audit_append(
            actor=actor,
            action="emergency_allocation_compute",
            obj=run,
            summary=f"allocation {run.pk}: {totals['allocated']}/{totals['demanded']} "
            f"by {objective}",
            changes={
                "division": division.pk,
                "incidents": [p["id"] for p in problem["incidents"]],
                "warehouses": len(problem["warehouses"]),
                "totals": totals,
            },
        )
    return run


# --- reading a run -----------------------------------------------------------------------------


def run_view(run: AllocationRun) -> dict[str, Any]:
    """A stored run with names: shipments, the lines per incident and kind, what cannot be
    met, the totals, and the map's points and lines."""
    problem, result = run.problem or {}, run.result or {}
    incidents = {p["id"]: p for p in problem.get("incidents", [])}
    warehouses = {w["id"]: w for w in problem.get("warehouses", [])}
    kinds = problem.get("kinds", {})

    def kind_name(code: str) -> str:
        return kinds.get(code, {}).get("name", code)

    def unit(code: str) -> str:
        return kinds.get(code, {}).get("unit", "")

    shipments = [
        {
            **s,
            "warehouse_name": warehouses.get(s["warehouse"], {}).get("name", s["warehouse"]),
            "incident_name": incidents.get(s["incident"], {}).get("name", s["incident"]),
            "kind_name": kind_name(s["kind"]),
            "unit": unit(s["kind"]),
        }
        for s in result.get("shipments", [])
    ]
    shipments.sort(key=lambda s: (s["incident"], s["kind"], s["minutes"], s["warehouse"]))

    def line(r: dict[str, Any]) -> dict[str, Any]:
        return {
            **r,
            "incident_name": incidents.get(r["incident"], {}).get("name", r["incident"]),
            "kind_name": kind_name(r["kind"]),
            "unit": unit(r["kind"]),
        }

    arrival = result.get("arrival_minutes", {})
    used = {s["warehouse"] for s in shipments}
    return {
        "run": run,
        "objective_label": objective_labels().get(run.objective, run.objective),
        "cost_unit": result.get("cost_unit", "km"),
        "shipments": shipments,
        "lines": [line(r) for r in result.get("lines", [])],
        "unmet": [line(r) for r in result.get("unmet", [])],
        "totals": result.get("totals", {}),
        "incidents": [
            {**p, "arrival_minutes": arrival.get(p["id"])} for p in problem.get("incidents", [])
        ],
        "map": {
            "incidents": [
                {"id": p["id"], "name": p["name"], "lat": p["lat"], "lon": p["lon"]}
                for p in problem.get("incidents", [])
            ],
            "warehouses": [
                {
                    "id": w["id"],
                    "name": w["name"],
                    "lat": w["lat"],
                    "lon": w["lon"],
                    "used": w["id"] in used,
                }
                for w in problem.get("warehouses", [])
            ],
            "shipments": [
                {
                    "from": s["warehouse"],
                    "to": s["incident"],
                    "quantity": s["quantity"],
                    "label": f"{s['kind_name']} {s['quantity']}{s['unit']}",
                }
                for s in shipments
            ],
        },
        "seconds": result.get("seconds"),
    }

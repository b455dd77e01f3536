"""Writes and reads of emergency resources (issue 14 item 3): rescue teams with their
roster, warehouses and their supplies, experts and shelters.

Who keeps what (issue 14 item 7, the enterprise keeps its own):
* the enterprise's principal or safety officer keeps the resources of their enterprise
  (the enterprise set, the division the enterprise's own);
* a regulator (the coordinator of the 安委办 or a department officer) keeps the
  government's resources (no enterprise) placed in a division of their subtree.
Anyone else may only read what anjian.core.scoping.visible shows them.

Each write, in one transaction: the row in the actor's scope (else NotFound) and locked,
a retired row is a Conflict, a wrong keeper Forbidden; then the change and an audit entry
(resources have no event table of their own: the audit chain is their history).
Nothing is ever deleted: a resource is retired (`active=False`), a supply scrapped.

The catalogue of supply kinds is loaded from data/supply_kinds.json by a data migration
and by `ensure_supply_kinds()` (idempotent).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.inputs import clean_text
from anjian.core.numbers import is_decimal_text, is_int_text
from anjian.registry.models import Division

from . import resource_rules as rules
from .models import (
    Expert,
    RescueTeam,
    Shelter,
    Speciality,
    Supply,
    SupplyKind,
    SupplyState,
    TeamKind,
    TeamMember,
    Warehouse,
)

KINDS_FILE = Path(__file__).resolve().parent / "data" / "supply_kinds.json"
ENTERPRISE_KEEPERS = frozenset({Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER})
GOVERNMENT_KEEPERS = frozenset({Role.COORDINATOR, Role.DEPARTMENT_OFFICER})
MAX_COUNT = 1_000_000_000
MAX_ROSTER = 500


# --- the catalogue -------------------------------------------------------------------------


def supply_kind_rows() -> list[dict[str, Any]]:
    return json.loads(KINDS_FILE.read_text(encoding="utf-8"))["kinds"]


def ensure_supply_kinds(kind_model: Any = SupplyKind) -> int:
    """Create the catalogue's kinds that are missing and bring the others in line with
    the data file (name, unit, category, accident types); returns how many rows changed.
    Kinds added by hand (codes not in the file) are left alone."""
    changed = 0
    existing = {k.code: k for k in kind_model.objects.all()}
    for row in supply_kind_rows():
        values = {
            "name": row["name"],
            "unit": row["unit"],
            "category": row.get("category", "")[:32],
            "accident_types": list(row.get("accident_types", [])),
        }
        kind = existing.get(row["code"])
        if kind is None:
            kind_model.objects.create(code=row["code"], **values)
            changed += 1
        elif any(getattr(kind, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(kind, k, v)
            kind.save(update_fields=list(values))
            changed += 1
    return changed


# --- who may -------------------------------------------------------------------------------


def is_enterprise_keeper(user: Any) -> bool:
    return bool(
        scoping.is_active_user(user) and user.role in ENTERPRISE_KEEPERS and user.enterprise_id
    )


def is_government_keeper(user: Any) -> bool:
    return bool(
        scoping.is_active_user(user) and user.role in GOVERNMENT_KEEPERS and user.division_id
    )


def may_add(user: Any) -> bool:
    return is_enterprise_keeper(user) or is_government_keeper(user)


def may_change(user: Any, row: Any) -> bool:
    """`row` a team, warehouse, expert or shelter (a supply: its warehouse)."""
    if row.enterprise_id:
        return is_enterprise_keeper(user) and user.enterprise_id == row.enterprise_id
    return is_government_keeper(user) and row.division_id in scoping.subtree_ids(user.division)


# --- cleaning ------------------------------------------------------------------------------


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str) and value.strip() and is_decimal_text(value):
        try:
            return Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the pattern admits only literals
            return None
    return None


def clean_coordinate(
    errors: dict[str, list[str]], value: Any, name: str, limit: int
) -> Decimal | None:
    """A latitude (limit 90) or longitude (limit 180) to 6 decimals, or None when empty."""
    if value is None or value == "":
        return None
    number = _number(value)
    if number is None:
        errors.setdefault(name, []).append(_("Enter a number."))
        return None
    if rules.coordinate_problem(float(number), limit=limit):
        errors.setdefault(name, []).append(
            _("Must be between %(low)s and %(high)s.") % {"low": -limit, "high": limit}
        )
        return None
    return number.quantize(Decimal("0.000001"))


def clean_count(
    errors: dict[str, list[str]], value: Any, name: str, *, default: int = 0, limit: int = MAX_COUNT
) -> int:
    if value is None or value == "":
        return default
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and is_int_text(value):
        number = int(value.strip())
    if number is None:
        errors.setdefault(name, []).append(_("Enter a whole number."))
        return default
    if number < 0:
        errors.setdefault(name, []).append(_("Must be at least %(n)s.") % {"n": 0})
        return default
    if number > limit:
        errors.setdefault(name, []).append(_("Must be at most %(n)s.") % {"n": limit})
        return default
    return number


def clean_date(errors: dict[str, list[str]], value: Any, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.setdefault(name, []).append(_("Enter a date (YYYY-MM-DD)."))
    return None


def clean_choice(
    errors: dict[str, list[str]], value: Any, name: str, choices: Any, *, required: bool
) -> str:
    if value is None or value == "":
        if required:
            errors.setdefault(name, []).append(_("This field is required."))
        return ""
    if not isinstance(value, str) or value not in choices.values:
        errors.setdefault(name, []).append(
            _("Choose one of: %(values)s.") % {"values": ", ".join(choices.values)}
        )
        return ""
    return value


def clean_specialities(errors: dict[str, list[str]], value: Any, name: str) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.setdefault(name, []).append(_("Enter a list of specialities."))
        return []
    out: list[str] = []
    for item in (v.strip() for v in value):
        if item not in Speciality.values:
            errors.setdefault(name, []).append(
                _("Unknown speciality %(value)s; choose from: %(values)s.")
                % {"value": item, "values": ", ".join(Speciality.values)}
            )
        elif item not in out:
            out.append(item)
    return out


def clean_roster(errors: dict[str, list[str]], value: Any, name: str = "roster") -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ROSTER:
        errors.setdefault(name, []).append(
            _("Enter a list of at most %(n)s members.") % {"n": MAX_ROSTER}
        )
        return []
    out = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            errors.setdefault(f"{name}.{index}", []).append(_("Enter name, speciality and phone."))
            continue
        unknown = set(item) - {"name", "speciality", "phone"}
        if unknown:
            errors.setdefault(f"{name}.{index}", []).append(
                _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
            )
        out.append(
            {
                "name": clean_text(
                    errors, item.get("name"), f"{name}.{index}.name", required=True, limit=64
                ),
                "speciality": clean_text(
                    errors, item.get("speciality"), f"{name}.{index}.speciality", limit=64
                ),
                "phone": clean_text(errors, item.get("phone"), f"{name}.{index}.phone", limit=32),
            }
        )
    return out


# --- what each kind of resource holds ------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    model: type[models.Model]
    label: str  # audit object word
    # name -> cleaner(errors, value, name) -> value; the name is the model field
    fields: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()


def _text(limit: int, required: bool = False) -> Any:
    def clean(errors: dict[str, list[str]], value: Any, name: str) -> str:
        return clean_text(errors, value, name, required=required, limit=limit)

    return clean


def _choice(choices: Any, required: bool = False) -> Any:
    def clean(errors: dict[str, list[str]], value: Any, name: str) -> str:
        return clean_choice(errors, value, name, choices, required=required)

    return clean


def _count(limit: int = MAX_COUNT, default: int = 0) -> Any:
    def clean(errors: dict[str, list[str]], value: Any, name: str) -> int:
        return clean_count(errors, value, name, limit=limit, default=default)

    return clean


PLACED_FIELDS: dict[str, Any] = {
    "name": _text(120, required=True),
    "address": _text(255),
    "latitude": lambda e, v, n: clean_coordinate(e, v, n, 90),
    "longitude": lambda e, v, n: clean_coordinate(e, v, n, 180),
}

SPECS: dict[str, Spec] = {
    "team": Spec(
        RescueTeam,
        "rescue team",
        {
            **PLACED_FIELDS,
            "kind": _choice(TeamKind, required=True),
            "specialities": clean_specialities,
            "members": _count(100_000),
            "leader": _text(64),
            "duty_phone": _text(32, required=True),
            "equipment": _text(4000),
            "readiness_minutes": _count(1440, default=5),
        },
    ),
    "warehouse": Spec(
        Warehouse,
        "warehouse",
        {**PLACED_FIELDS, "keeper": _text(64), "phone": _text(32)},
    ),
    "expert": Spec(
        Expert,
        "expert",
        {
            **PLACED_FIELDS,
            "specialities": clean_specialities,
            "title": _text(64),
            "employer": _text(120),
            "phone": _text(32, required=True),
        },
    ),
    "shelter": Spec(
        Shelter,
        "shelter",
        {**PLACED_FIELDS, "capacity": _count(10_000_000), "phone": _text(32)},
    ),
}


def _id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
        return number if 0 < number < 2**63 else None
    return None


def _unknown(data: Mapping[str, Any], allowed: set[str]) -> dict[str, list[str]]:
    extra = set(data) - allowed
    return {name: [_("Unknown field.")] for name in sorted(extra)}


def _placement(actor: Actor, division_value: Any, errors: dict[str, list[str]]):
    """(division, enterprise) where the actor's new resource goes: enterprise staff put
    it at their enterprise's division; a regulator in a division of their subtree (their
    own when none is given)."""
    user = actor.user
    if is_enterprise_keeper(user):
        enterprise = user.enterprise
        return enterprise.division, enterprise
    if not is_government_keeper(user):
        raise Forbidden(
            _(
                "Only the enterprise's principal or safety officer, or a regulator, may keep "
                "emergency resources."
            )
        )
    if division_value in (None, ""):
        return user.division, None
    pk = _id(division_value)
    division = Division.objects.filter(pk=pk).first() if pk else None
    if division is None or division.pk not in scoping.subtree_ids(user.division):
        errors.setdefault("division", []).append(_("Choose a division of your jurisdiction."))
        return user.division, None
    return division, None


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _clean(spec: Spec, data: Mapping[str, Any], *, partial: bool) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, cleaner in spec.fields.items():
        if partial and name not in data:
            continue
        values[name] = cleaner(errors, data.get(name), name)
    return values, errors


def field_errors(kind: str, data: Mapping[str, Any]) -> dict[str, list[str]]:
    """The field problems of a new `kind` ("team", …, or "supply") without writing (the
    importer lists every problem of a row that is refused anyway)."""
    if kind == "supply":
        return _clean_supply(data, partial=False)[1]
    errors = _clean(SPECS[kind], data, partial=False)[1]
    if kind == "team":
        clean_roster(errors, data.get("roster"))
    return errors


def resource_create(*, actor: Actor, kind: str, data: Mapping[str, Any]) -> Any:
    """A new team (with `roster`), warehouse, expert or shelter, placed for the actor."""
    spec = SPECS[kind]
    allowed = set(spec.fields) | {"division"} | ({"roster"} if kind == "team" else set())
    errors = _unknown(data, allowed)
    with transaction.atomic():
        division, enterprise = _placement(actor, data.get("division"), errors)
        values, more = _clean(spec, data, partial=False)
        errors.update(more)
        roster = clean_roster(errors, data.get("roster")) if kind == "team" else []
        if errors:
            raise ValidationFailed(errors)
        if kind == "team" and roster and not data.get("members"):
            values["members"] = len(roster)
        row = spec.model.objects.create(
            division=division, enterprise=enterprise, updated_at=timezone.now(), **values
        )
        if roster:
            TeamMember.objects.bulk_create(TeamMember(team=row, **m) for m in roster)
        audit_append(
            actor=actor,
            action="create",
            obj=row,
            summary=f"{spec.label}: {row.name}"[:255],
            changes=_jsonable(
                {
                    **values,
                    "division": division.pk,
                    "enterprise": enterprise.pk if enterprise else None,
                    **({"roster": roster} if roster else {}),
                }
            ),
        )
    return row


def _lock(actor: Actor, kind: str, pk: Any) -> Any:
    spec = SPECS[kind]
    number = _id(pk)
    if number is None or not scoping.visible(actor.user, spec.model).filter(pk=number).exists():
        raise NotFound(_("No such resource in your scope."))
    row = spec.model.objects.select_for_update(of=("self",)).get(pk=number)
    if not may_change(actor.user, row):
        raise Forbidden(_("You may see this resource but not change it: its keeper does."))
    return row


def _stale(row: Any, expected: Any) -> None:
    """`expected` the updated_at the editor saw (ISO text or datetime); None skips."""
    if expected in (None, ""):
        return
    if isinstance(expected, str):
        try:
            expected = dt.datetime.fromisoformat(expected.strip())
        except ValueError:
            raise ValidationFailed({"updated_at": [_("Enter a date and time.")]}) from None
    if not isinstance(expected, dt.datetime):
        raise ValidationFailed({"updated_at": [_("Enter a date and time.")]})
    if timezone.is_naive(expected):
        expected = timezone.make_aware(expected)
    if abs((expected - row.updated_at).total_seconds()) >= 0.001:
        raise Conflict(_("Somebody else changed this record first; reload and try again."))


def resource_update(
    *,
    actor: Actor,
    kind: str,
    pk: Any,
    data: Mapping[str, Any],
    expected_updated_at: Any = None,
) -> Any:
    """Change the given fields (only those given); a team's `roster`, when given,
    replaces the roster. A retired resource is a Conflict."""
    spec = SPECS[kind]
    allowed = set(spec.fields) | ({"roster"} if kind == "team" else set())
    if "division" in data:
        # Moving a resource between divisions changes who keeps it: retire and add anew.
        errors = {"division": [_("A resource cannot move to another division.")]}
    else:
        errors = {}
    errors.update(_unknown(data, allowed | {"division"}))
    with transaction.atomic():
        row = _lock(actor, kind, pk)
        if not row.active:
            raise Conflict(_("This resource is retired."))
        _stale(row, expected_updated_at)
        values, more = _clean(spec, data, partial=True)
        errors.update(more)
        roster = None
        if kind == "team" and "roster" in data:
            roster = clean_roster(errors, data.get("roster"))
        if errors:
            raise ValidationFailed(errors)
        changes = {
            name: [getattr(row, name), value]
            for name, value in values.items()
            if getattr(row, name) != value
        }
        for name, value in values.items():
            setattr(row, name, value)
        if roster is not None:
            old = list(row.roster.values("name", "speciality", "phone"))
            if old != roster:
                changes["roster"] = [old, roster]
                row.roster.all().delete()  # the roster is a list, replaced whole (audited)
                TeamMember.objects.bulk_create(TeamMember(team=row, **m) for m in roster)
                if "members" not in data:
                    row.members = len(roster)
        if not changes:
            return row
        row.updated_at = timezone.now()
        row.save()
        audit_append(
            actor=actor,
            action="update",
            obj=row,
            summary=f"{spec.label}: {row.name}"[:255],
            changes=_jsonable(changes),
        )
    return row


def resource_retire(*, actor: Actor, kind: str, pk: Any, reason: Any = "") -> Any:
    """Out of service (never deleted: a response or allocation may name it)."""
    spec = SPECS[kind]
    errors: dict[str, list[str]] = {}
    note = clean_text(errors, reason, "reason", limit=1000)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        row = _lock(actor, kind, pk)
        if not row.active:
            raise Conflict(_("This resource is retired already."))
        row.active = False
        row.updated_at = timezone.now()
        row.save(update_fields=["active", "updated_at"])
        audit_append(
            actor=actor,
            action="retire",
            obj=row,
            summary=f"{spec.label}: {row.name}"[:255],
            changes={"active": [True, False], "reason": note},
        )
    return row


# Named entry points, as the house style has them (`<thing>_<verb>`).


def team_create(*, actor: Actor, data: Mapping[str, Any]) -> RescueTeam:
    return resource_create(actor=actor, kind="team", data=data)


def team_update(*, actor: Actor, pk: Any, data: Mapping[str, Any], expected_updated_at=None):
    return resource_update(
        actor=actor, kind="team", pk=pk, data=data, expected_updated_at=expected_updated_at
    )


def team_retire(*, actor: Actor, pk: Any, reason: Any = "") -> RescueTeam:
    return resource_retire(actor=actor, kind="team", pk=pk, reason=reason)


def warehouse_create(*, actor: Actor, data: Mapping[str, Any]) -> Warehouse:
    return resource_create(actor=actor, kind="warehouse", data=data)


def warehouse_update(*, actor: Actor, pk: Any, data: Mapping[str, Any], expected_updated_at=None):
    return resource_update(
        actor=actor, kind="warehouse", pk=pk, data=data, expected_updated_at=expected_updated_at
    )


def warehouse_retire(*, actor: Actor, pk: Any, reason: Any = "") -> Warehouse:
    return resource_retire(actor=actor, kind="warehouse", pk=pk, reason=reason)


def expert_create(*, actor: Actor, data: Mapping[str, Any]) -> Expert:
    return resource_create(actor=actor, kind="expert", data=data)


def expert_update(*, actor: Actor, pk: Any, data: Mapping[str, Any], expected_updated_at=None):
    return resource_update(
        actor=actor, kind="expert", pk=pk, data=data, expected_updated_at=expected_updated_at
    )


def expert_retire(*, actor: Actor, pk: Any, reason: Any = "") -> Expert:
    return resource_retire(actor=actor, kind="expert", pk=pk, reason=reason)


def shelter_create(*, actor: Actor, data: Mapping[str, Any]) -> Shelter:
    return resource_create(actor=actor, kind="shelter", data=data)


def shelter_update(*, actor: Actor, pk: Any, data: Mapping[str, Any], expected_updated_at=None):
    return resource_update(
        actor=actor, kind="shelter", pk=pk, data=data, expected_updated_at=expected_updated_at
    )


def shelter_retire(*, actor: Actor, pk: Any, reason: Any = "") -> Shelter:
    return resource_retire(actor=actor, kind="shelter", pk=pk, reason=reason)


# --- supplies ------------------------------------------------------------------------------

SUPPLY_FIELDS = {"kind", "quantity", "minimum", "expires_on", "state", "batch"}


def _supply_kind(errors: dict[str, list[str]], value: Any) -> SupplyKind | None:
    """A kind by id or by its code or name in the catalogue."""
    if value is None or value == "":
        errors.setdefault("kind", []).append(_("This field is required."))
        return None
    found = None
    pk = _id(value)
    if pk is not None and not isinstance(value, str):
        found = SupplyKind.objects.filter(pk=pk).first()
    elif isinstance(value, str):
        text = value.strip()
        found = SupplyKind.objects.filter(Q(code=text) | Q(name=text)).order_by("code").first()
        if found is None and pk is not None:
            found = SupplyKind.objects.filter(pk=pk).first()
    if found is None:
        errors.setdefault("kind", []).append(_("No such supply kind in the catalogue."))
    return found


def _clean_supply(data: Mapping[str, Any], *, partial: bool) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if not partial or "kind" in data:
        values["kind"] = _supply_kind(errors, data.get("kind"))
    if not partial or "quantity" in data:
        values["quantity"] = clean_count(errors, data.get("quantity"), "quantity")
    if not partial or "minimum" in data:
        values["minimum"] = clean_count(errors, data.get("minimum"), "minimum")
    if not partial or "expires_on" in data:
        values["expires_on"] = clean_date(errors, data.get("expires_on"), "expires_on")
    if not partial or "state" in data:
        state = clean_choice(errors, data.get("state"), "state", SupplyState, required=False)
        values["state"] = state or SupplyState.GOOD
    if not partial or "batch" in data:
        values["batch"] = clean_text(errors, data.get("batch"), "batch", limit=64)
    return values, errors


def supply_create(*, actor: Actor, warehouse_id: Any, data: Mapping[str, Any]) -> Supply:
    """A supply record in a warehouse the actor keeps."""
    errors = _unknown(data, SUPPLY_FIELDS)
    with transaction.atomic():
        warehouse = _lock(actor, "warehouse", warehouse_id)
        if not warehouse.active:
            raise Conflict(_("This warehouse is retired."))
        values, more = _clean_supply(data, partial=False)
        errors.update(more)
        if errors:
            raise ValidationFailed(errors)
        supply = Supply.objects.create(warehouse=warehouse, updated_at=timezone.now(), **values)
        audit_append(
            actor=actor,
            action="create",
            obj=supply,
            summary=f"supply: {supply.kind.name} × {supply.quantity} @ {warehouse.name}"[:255],
            changes=_jsonable({**values, "kind": supply.kind.code, "warehouse": warehouse.pk}),
        )
    return supply


def _lock_supply(actor: Actor, pk: Any) -> Supply:
    number = _id(pk)
    if number is None or not scoping.visible(actor.user, Supply).filter(pk=number).exists():
        raise NotFound(_("No such supply record in your scope."))
    supply = (
        Supply.objects.select_for_update(of=("self",)).select_related("warehouse").get(pk=number)
    )
    if not may_change(actor.user, supply.warehouse):
        raise Forbidden(_("You may see this resource but not change it: its keeper does."))
    return supply


def supply_update(
    *, actor: Actor, pk: Any, data: Mapping[str, Any], expected_updated_at: Any = None
) -> Supply:
    """Change the given fields; a scrapped record is final (Conflict)."""
    errors = _unknown(data, SUPPLY_FIELDS)
    with transaction.atomic():
        supply = _lock_supply(actor, pk)
        if supply.state == SupplyState.SCRAPPED:
            raise Conflict(_("This supply record is scrapped."))
        _stale(supply, expected_updated_at)
        values, more = _clean_supply(data, partial=True)
        errors.update(more)
        if errors:
            raise ValidationFailed(errors)
        changes = {
            name: [getattr(supply, name), value]
            for name, value in values.items()
            if getattr(supply, name) != value
        }
        if "kind" in changes:
            changes["kind"] = [changes["kind"][0].code, changes["kind"][1].code]
        if not changes:
            return supply
        for name, value in values.items():
            setattr(supply, name, value)
        supply.updated_at = timezone.now()
        supply.save()
        audit_append(
            actor=actor,
            action="update",
            obj=supply,
            summary=f"supply: {supply.kind.name} @ {supply.warehouse.name}"[:255],
            changes=_jsonable(changes),
        )
    return supply


def supply_retire(*, actor: Actor, pk: Any, reason: Any = "") -> Supply:
    """Scrapped (报废): out of the stock, kept on record; final."""
    errors: dict[str, list[str]] = {}
    note = clean_text(errors, reason, "reason", limit=1000)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        supply = _lock_supply(actor, pk)
        if supply.state == SupplyState.SCRAPPED:
            raise Conflict(_("This supply record is scrapped."))
        old = supply.state
        supply.state = SupplyState.SCRAPPED
        supply.updated_at = timezone.now()
        supply.save(update_fields=["state", "updated_at"])
        audit_append(
            actor=actor,
            action="update",
            obj=supply,
            summary=f"supply scrapped: {supply.pk}",
            changes={"state": [old, SupplyState.SCRAPPED], "reason": note},
        )
    return supply


# --- reading -------------------------------------------------------------------------------


def notice_days() -> int:
    days = getattr(settings, "ANJIAN_SUPPLY_EXPIRY_DAYS", rules.EXPIRY_NOTICE_DAYS)
    return days if isinstance(days, int) and 0 <= days <= rules.MAX_NOTICE_DAYS else 30


def visible_resources(user: Any, kind: str) -> QuerySet:
    return scoping.visible(user, SPECS[kind].model)


def warned_supplies(user: Any | None, *, today: dt.date, days: int) -> QuerySet[Supply]:
    """Supply records that may warn (one condition of resource_rules holds), in the user's
    scope (None: all, for the job), of warehouses in service."""
    qs = Supply.objects.all() if user is None else scoping.visible(user, Supply)
    return (
        qs.filter(warehouse__active=True)
        .exclude(state=SupplyState.SCRAPPED)
        .filter(
            Q(expires_on__lte=rules.expiry_cutoff(today, days))
            | Q(quantity__lt=F("minimum"))
            | ~Q(state=SupplyState.GOOD)
        )
    )


def facts(supply: Supply) -> rules.SupplyFacts:
    return rules.SupplyFacts(
        quantity=supply.quantity,
        minimum=supply.minimum,
        expires_on=supply.expires_on,
        state=supply.state,
    )


@dataclass(frozen=True)
class WarningRow:
    supply: Supply
    warnings: list[rules.Warning]


def warning_rows(
    user: Any, *, kind: str = "", today: dt.date | None = None, days: int | None = None
) -> list[WarningRow]:
    """The supplies with warnings the user sees (optionally of one kind), soonest expiry
    first; one query."""
    today = today or timezone.localdate()
    days = notice_days() if days is None else days
    qs = warned_supplies(user, today=today, days=days).select_related(
        "kind", "warehouse", "warehouse__division", "warehouse__enterprise"
    )
    out = []
    for supply in qs.order_by(F("expires_on").asc(nulls_last=True), "pk"):
        found = rules.supply_warnings(facts(supply), today=today, notice_days=days)
        if kind:
            found = [w for w in found if w.kind == kind]
        if found:
            out.append(WarningRow(supply, found))
    return out


def warning_labels() -> dict[str, str]:
    return {
        rules.EXPIRED: _("expired"),
        rules.EXPIRING: _("expiring soon"),
        rules.SHORT: _("below minimum stock"),
        rules.STATE: _("not in good order"),
    }

"""Writes to the registry. Each service runs in one transaction, locks what it changes,
checks scope, and appends to the audit chain; views and the API only call these."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from anjian.core import hooks, scoping
from anjian.core.audit import Actor, audit_append, diff
from anjian.core.choices import choose_one_of
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.numbers import is_int_text, parse_decimal, parse_int

from . import divisions as division_rules
from . import uscc as uscc_rules
from .duties import Resolution, RuleRow, resolve
from .models import (
    Department,
    DisputeKind,
    DisputeStatus,
    Division,
    DivisionLevel,
    DutyAssignment,
    DutyDispute,
    DutyRole,
    DutyRule,
    DutySource,
    Enterprise,
    EnterpriseScale,
    EnterpriseStatus,
    Industry,
)
from .tally import enterprise_tally_refresh

ENTERPRISE_FIELDS = (
    "name",
    "uscc",
    "division_id",
    "address",
    "longitude",
    "latitude",
    "industry_id",
    "scale",
    "employees",
    "legal_representative",
    "principal",
    "principal_phone",
    "safety_officer",
    "safety_officer_phone",
    "status",
    "has_major_hazard",
    "has_key_process",
    "has_key_chemical",
)
REQUIRED_TEXT = ("name", "address", "legal_representative", "principal")
MAX_LENGTHS = {
    "name": 128,
    "address": 255,
    "legal_representative": 64,
    "principal": 64,
    "principal_phone": 32,
    "safety_officer": 64,
    "safety_officer_phone": 32,
}
ENTERPRISE_LEVELS = (DivisionLevel.TOWNSHIP, DivisionLevel.GRID)


# --- duty resolution --------------------------------------------------------------------


@dataclass
class DutyContext:
    """Everything duty resolution needs, loaded once (a handful of queries) and reused
    for many enterprises: rules, departments, and the two parent maps."""

    rules: list[RuleRow]
    departments: dict[tuple[int, str], int]
    industry_parent: dict[int, int | None]
    division_parent: dict[int, int | None]
    _cache: dict[tuple[int, int], Resolution] = field(default_factory=dict)

    @classmethod
    def load(cls) -> DutyContext:
        return cls(
            rules=[
                RuleRow(r.industry_id, r.department_kind, r.role, r.division_id)
                for r in DutyRule.objects.all()
            ],
            departments={
                (d.division_id, d.kind): d.pk
                for d in Department.objects.only("id", "division_id", "kind")
            },
            industry_parent=dict(Industry.objects.values_list("id", "parent_id")),
            division_parent=dict(Division.objects.values_list("id", "parent_id")),
        )

    def _chain(self, parents: Mapping[int, int | None], start: int) -> list[int]:
        chain: list[int] = []
        node: int | None = start
        while node is not None and node not in chain:
            chain.append(node)
            node = parents.get(node)
        return chain

    def resolve(self, *, industry_id: int, division_id: int) -> Resolution:
        key = (industry_id, division_id)
        if key not in self._cache:
            self._cache[key] = resolve(
                industry_chain=self._chain(self.industry_parent, industry_id),
                division_chain=self._chain(self.division_parent, division_id),
                rules=self.rules,
                departments=self.departments,
            )
        return self._cache[key]


def duty_rows_for(enterprise_id: int, resolution: Resolution) -> list[DutyAssignment]:
    rows = []
    if resolution.lead_department_id:
        rows.append(
            DutyAssignment(
                enterprise_id=enterprise_id,
                department_id=resolution.lead_department_id,
                role=DutyRole.LEAD,
                source=DutySource.RULE,
            )
        )
    rows.extend(
        DutyAssignment(
            enterprise_id=enterprise_id,
            department_id=dep,
            role=DutyRole.COOPERATING,
            source=DutySource.RULE,
        )
        for dep in resolution.cooperating_department_ids
    )
    return rows


def _rederive_duties(enterprise: Enterprise, context: DutyContext | None = None) -> bool:
    """Replace rule-derived duties; an enterprise with a manual override or a decision
    keeps its duties. Returns whether anything was rederived."""
    if enterprise.duties.exclude(source=DutySource.RULE).exists():
        return False
    context = context or DutyContext.load()
    enterprise.duties.all().delete()
    resolution = context.resolve(
        industry_id=enterprise.industry_id, division_id=enterprise.division_id
    )
    DutyAssignment.objects.bulk_create(duty_rows_for(enterprise.pk, resolution))
    return True


# --- enterprise validation --------------------------------------------------------------


def _lock_scoped(scoped, model, pk: int, message: str):
    """Lock one row the actor may see. Scoped querysets may use DISTINCT, which
    PostgreSQL refuses FOR UPDATE on, so check visibility first, then lock by id."""
    if not scoped.filter(pk=pk).exists():
        raise NotFound(message)
    return model.objects.select_for_update(no_key=True).get(pk=pk)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


MAX_ID = 2**63 - 1
MAX_EMPLOYEES = 2_000_000  # PositiveIntegerField fits 2^31 on PostgreSQL; no firm is bigger


def _parse_text(value: Any) -> str | None:
    """Text from a form or JSON: a string or a plain number, never a list, an object or a
    boolean (those are typing mistakes); NUL and other control characters are refused
    because PostgreSQL rejects them and they have no business in a name."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    if any(ord(ch) < 32 and ch not in "\t" for ch in text):
        return None
    return text


def _parse_int(value: Any) -> int | None:
    """A whole number from an int or a string of digits; 3.7, true and "3.0" are refused
    instead of silently becoming 3, 1 and 3."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and is_int_text(value):
        return parse_int(value)
    return None


def clean_enterprise_data(
    data: Mapping[str, Any], *, actor: Actor, instance: Enterprise | None = None
) -> dict[str, Any]:
    """Check a whole record (create) or a partial one (update); collect every problem
    before refusing, so the user sees them all at once."""
    partial = instance is not None
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    unknown = sorted(set(data) - set(ENTERPRISE_FIELDS))
    for name in unknown:
        add(name, _("Unknown field."))

    def present(name: str) -> bool:
        return name in data

    for name in ENTERPRISE_FIELDS:
        if not present(name):
            if not partial and name in (
                *REQUIRED_TEXT,
                "uscc",
                "division_id",
                "industry_id",
                "scale",
            ):
                add(name, _("This field is required."))
            continue
        value = data[name]
        if name in MAX_LENGTHS:
            text = _parse_text(value)
            if text is None:
                add(name, _("Enter text (no control characters)."))
            elif name in REQUIRED_TEXT and not text:
                add(name, _("This field is required."))
            elif len(text) > MAX_LENGTHS[name]:
                add(name, _("At most %(n)d characters.") % {"n": MAX_LENGTHS[name]})
            else:
                out[name] = text
        elif name == "uscc":
            text = _parse_text(value)
            result = uscc_rules.validate(text or "")
            if text is None:
                add(name, _("Enter text (no control characters)."))
            elif not result.valid:
                add(name, result.reason(get_language() or "zh-hans"))
            else:
                out[name] = result.code
        elif name in ("division_id", "industry_id", "employees"):
            number = _parse_int(value)
            if number is None:
                add(name, _("Enter a whole number."))
                continue
            if number < 0:
                add(name, _("Must not be negative."))
                continue
            limit = MAX_EMPLOYEES if name == "employees" else MAX_ID
            if number > limit:
                add(name, _("At most %(n)s.") % {"n": limit})
                continue
            out[name] = number
        elif name in ("longitude", "latitude"):
            if value in (None, ""):
                out[name] = None
                continue
            try:
                if isinstance(value, bool) or not isinstance(value, str | int | float):
                    raise ValueError(value)
                number = (
                    parse_decimal(value) if isinstance(value, str) else decimal.Decimal(str(value))
                )
                if not number.is_finite():  # NaN and Infinity would break the range test
                    raise ValueError(value)
                number = number.quantize(decimal.Decimal("0.000001"))
            except (decimal.InvalidOperation, ValueError):
                add(name, _("Enter a number."))
                continue
            # China's extent, loosely: a typo in a coordinate lands outside it.
            low, high = (73, 136) if name == "longitude" else (3, 54)
            if not (low <= number <= high):
                add(name, _("Must be between %(low)s and %(high)s.") % {"low": low, "high": high})
                continue
            out[name] = number
        elif name == "scale":
            if value not in EnterpriseScale.values:
                add(name, choose_one_of(EnterpriseScale))
            else:
                out[name] = value
        elif name == "status":
            if value not in EnterpriseStatus.values:
                add(name, choose_one_of(EnterpriseStatus))
            else:
                out[name] = value
        else:  # the three flags
            if not isinstance(value, bool):
                add(name, _("Must be true or false."))
            else:
                out[name] = value

    if "division_id" in out:
        division = Division.objects.filter(pk=out["division_id"]).first()
        if (
            division is None
            or not scoping.visible_divisions(actor.user).filter(pk=division.pk).exists()
        ):
            add("division_id", _("Unknown division, or outside your jurisdiction."))
        elif division.level not in ENTERPRISE_LEVELS:
            add(
                "division_id",
                _("An enterprise must sit in a township/street or a grid, not in a %(level)s.")
                % {"level": division.get_level_display()},
            )
        elif not scoping.can_create_enterprise_in(actor.user, division):
            add("division_id", _("Unknown division, or outside your jurisdiction."))
    if "industry_id" in out and not Industry.objects.filter(pk=out["industry_id"]).exists():
        add("industry_id", _("Unknown industry."))
    if "uscc" in out:
        clash = Enterprise.objects.filter(uscc=out["uscc"])
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            add("uscc", _("An enterprise with this credit code is already registered."))
    if partial and not out and not errors:
        add("__all__", _("Nothing to change."))
    if errors:
        raise ValidationFailed(errors)
    return out


def _snapshot(enterprise: Enterprise) -> dict[str, Any]:
    data = model_to_dict(enterprise, fields=[f.removesuffix("_id") for f in ENTERPRISE_FIELDS])
    return {(f"{k}_id" if k in ("division", "industry") else k): v for k, v in data.items()}


# --- enterprise services ----------------------------------------------------------------


def enterprise_create(*, actor: Actor, data: Mapping[str, Any]) -> Enterprise:
    if actor.user is None or actor.user.role not in scoping.ENTERPRISE_EDITORS:
        raise Forbidden(_("Your role may not register enterprises."))
    with transaction.atomic():
        cleaned = clean_enterprise_data(data, actor=actor)
        try:
            with transaction.atomic():
                enterprise = Enterprise.objects.create(**cleaned)
        except IntegrityError as exc:
            # Two people registering the same code at once: the loser gets a field error.
            raise ValidationFailed(
                {"uscc": [_("An enterprise with this credit code is already registered.")]}
            ) from exc
        _rederive_duties(enterprise)
        enterprise_tally_refresh(enterprise_ids=[enterprise.pk])
        audit_append(
            actor=actor,
            action="create",
            obj=enterprise,
            summary=enterprise.name,
            changes=_snapshot(enterprise),
        )
    return enterprise


def enterprise_update(
    *,
    actor: Actor,
    enterprise_id: int,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> Enterprise:
    with transaction.atomic():
        enterprise = _lock_scoped(
            scoping.visible_enterprises(actor.user),
            Enterprise,
            enterprise_id,
            _("No such enterprise in your jurisdiction."),
        )
        if not scoping.can_change_enterprise(actor.user, enterprise):
            raise Forbidden(_("You may view this enterprise but not change it."))
        if expected_version is not None and expected_version != enterprise.version:
            raise Conflict(_("Somebody else changed this enterprise first; reload and try again."))
        cleaned = clean_enterprise_data(data, actor=actor, instance=enterprise)
        before = _snapshot(enterprise)
        if not diff(before, {**before, **cleaned}):
            return enterprise  # nothing changed: no new version, no empty audit entry
        for name, value in cleaned.items():
            setattr(enterprise, name, value)
        enterprise.version += 1
        try:
            with transaction.atomic():
                enterprise.save()
        except IntegrityError as exc:
            raise ValidationFailed(
                {"uscc": [_("An enterprise with this credit code is already registered.")]}
            ) from exc
        changes = diff(before, _snapshot(enterprise))
        if {"industry_id", "division_id"} & set(changes):
            _rederive_duties(enterprise)
            hooks.enterprises_regrouped([enterprise.pk])
        enterprise_tally_refresh(enterprise_ids=[enterprise.pk])
        audit_append(
            actor=actor, action="change", obj=enterprise, summary=enterprise.name, changes=changes
        )
    return enterprise


def duty_override(
    *,
    actor: Actor,
    enterprise_id: int,
    lead_department_id: int | None,
    cooperating_department_ids: Iterable[int] = (),
    reason: str,
    source: str = DutySource.OVERRIDE,
) -> Enterprise:
    """Set an enterprise's duties by hand (or by a 安委办 decision), with a reason."""
    if source == DutySource.OVERRIDE and not scoping.can_override_duty(actor.user):
        raise Forbidden(_("Only the safety committee office may override duties."))
    reason = _text(reason)
    if not reason:
        raise ValidationFailed({"reason": [_("Give the reason for the override.")]})
    with transaction.atomic():
        enterprise = _lock_scoped(
            scoping.visible_enterprises(actor.user),
            Enterprise,
            enterprise_id,
            _("No such enterprise in your jurisdiction."),
        )
        cooperating = [
            d for d in dict.fromkeys(cooperating_department_ids) if d != lead_department_id
        ]
        wanted = [d for d in [lead_department_id, *cooperating] if d is not None]
        allowed = set(
            scoping.visible_departments(actor.user)
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        )
        missing = [d for d in wanted if d not in allowed]
        if missing:
            raise ValidationFailed(
                {"lead_department_id": [_("Unknown department, or outside your jurisdiction.")]}
            )
        before = sorted(enterprise.duties.values_list("department_id", "role"))
        enterprise.duties.all().delete()
        now = timezone.now()
        rows = []
        if lead_department_id:
            rows.append(
                DutyAssignment(
                    enterprise=enterprise,
                    department_id=lead_department_id,
                    role=DutyRole.LEAD,
                    source=source,
                    reason=reason,
                    assigned_at=now,
                )
            )
        rows += [
            DutyAssignment(
                enterprise=enterprise,
                department_id=d,
                role=DutyRole.COOPERATING,
                source=source,
                reason=reason,
                assigned_at=now,
            )
            for d in cooperating
        ]
        DutyAssignment.objects.bulk_create(rows)
        hooks.enterprises_regrouped([enterprise.pk])
        enterprise_tally_refresh(enterprise_ids=[enterprise.pk])
        audit_append(
            actor=actor,
            action="duty_override" if source == DutySource.OVERRIDE else "duty_decision",
            obj=enterprise,
            summary=reason[:200],
            changes={"before": before, "after": sorted((r.department_id, r.role) for r in rows)},
        )
    return enterprise


def duties_rederive_all(
    *, actor: Actor, division: Division | None = None, industry_ids: Iterable[int] | None = None
) -> int:
    """Re-apply the rule table to every enterprise without a manual override (after the
    rules change). Returns how many enterprises were rederived."""
    context = DutyContext.load()
    qs = Enterprise.objects.all()
    if division is not None:
        qs = qs.filter(division_id__in=scoping.subtree_ids(division))
    if industry_ids is not None:
        qs = qs.filter(industry_id__in=list(industry_ids))
    count = 0
    with transaction.atomic():
        manual = set(
            DutyAssignment.objects.exclude(source=DutySource.RULE).values_list(
                "enterprise_id", flat=True
            )
        )
        ids = [pk for (pk,) in qs.values_list("pk") if pk not in manual]
        for start in range(0, len(ids), 2000):
            chunk = ids[start : start + 2000]
            DutyAssignment.objects.filter(enterprise_id__in=chunk).delete()
            rows: list[DutyAssignment] = []
            for pk, industry_id, division_id in Enterprise.objects.filter(pk__in=chunk).values_list(
                "pk", "industry_id", "division_id"
            ):
                rows += duty_rows_for(
                    pk, context.resolve(industry_id=industry_id, division_id=division_id)
                )
            DutyAssignment.objects.bulk_create(rows, batch_size=2000)
            count += len(chunk)
        hooks.enterprises_regrouped(ids)
        enterprise_tally_refresh(enterprise_ids=ids)
        audit_append(
            actor=actor,
            action="duties_rederive",
            object_type="registry.dutyassignment",
            object_id="*",
            summary=f"{count}",
            changes={"enterprises": count},
        )
    return count


# --- divisions and departments ----------------------------------------------------------


def division_create(
    *, actor: Actor, parent_id: int | None, code: str, name: str, level: str
) -> Division:
    code, name = _text(code), _text(name)
    errors: dict[str, list[str]] = {}
    parent = None
    if parent_id is not None:
        parent = Division.objects.filter(pk=parent_id).first()
        if parent is None:
            errors["parent_id"] = [_("Unknown division.")]
    if not name:
        errors["name"] = [_("This field is required.")]
    if parent is not None and division_rules.PARENT_LEVEL.get(level) != parent.level:
        errors.setdefault("level", []).append(_("This level cannot sit under that parent."))
    problem = division_rules.code_problem(level, code, parent.code if parent else None)
    if problem:
        errors.setdefault("code", []).append(problem)
    if Division.objects.filter(code=code).exists():
        errors.setdefault("code", []).append(_("This code is already used."))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        division = Division.objects.create(parent=parent, code=code, name=name, level=level)
        audit_append(
            actor=actor,
            action="create",
            obj=division,
            summary=name,
            changes={"code": code, "level": level, "parent_id": parent_id},
        )
    return division


# --- duty disputes ----------------------------------------------------------------------

# The dispute workflow: (state, action) → (new state, who may).
DISPUTE_TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (DisputeStatus.OPEN, "decide"): (DisputeStatus.DECIDED, "coordinator"),
    (DisputeStatus.OPEN, "withdraw"): (DisputeStatus.WITHDRAWN, "raiser"),
}


def dispute_raise(
    *,
    actor: Actor,
    kind: str,
    reason: str,
    enterprise_id: int | None = None,
    industry_id: int | None = None,
    proposed_department_id: int | None = None,
) -> DutyDispute:
    user = actor.user
    if not scoping.can_raise_dispute(user):
        raise Forbidden(
            _("Only department officers and the safety committee office raise duty disputes.")
        )
    errors: dict[str, list[str]] = {}
    if kind not in DisputeKind.values:
        errors["kind"] = [choose_one_of(DisputeKind)]
    if not _text(reason):
        errors["reason"] = [_("This field is required.")]
    enterprise = industry = proposed = None
    if enterprise_id is None and industry_id is None:
        errors["enterprise_id"] = [_("Name the enterprise or the business type in dispute.")]
    if enterprise_id is not None:
        enterprise = scoping.visible_enterprises(user).filter(pk=enterprise_id).first()
        if enterprise is None and user.role == "department_officer":
            # An officer may dispute an enterprise wrongly NOT assigned to them too, as
            # long as it is in their jurisdiction.
            enterprise = Enterprise.objects.filter(
                pk=enterprise_id, division_id__in=scoping.subtree_ids(user.division)
            ).first()
        if enterprise is None:
            errors["enterprise_id"] = [_("No such enterprise in your jurisdiction.")]
    if industry_id is not None:
        industry = Industry.objects.filter(pk=industry_id).first()
        if industry is None:
            errors["industry_id"] = [_("Unknown industry.")]
    if proposed_department_id is not None:
        proposed = scoping.visible_departments(user).filter(pk=proposed_department_id).first()
        if proposed is None:
            errors["proposed_department_id"] = [
                _("Unknown department, or outside your jurisdiction.")
            ]
    if errors:
        raise ValidationFailed(errors)
    jurisdiction = user.department.division if user.department_id else user.division
    with transaction.atomic():
        dispute = DutyDispute.objects.create(
            jurisdiction=jurisdiction,
            enterprise=enterprise,
            industry=industry if enterprise is None else (industry or None),
            kind=kind,
            raised_by_department_id=user.department_id,
            proposed_department=proposed,
            reason=_text(reason),
            created_by=user,
        )
        audit_append(
            actor=actor,
            action="create",
            obj=dispute,
            summary=_text(reason)[:200],
            changes={
                "kind": kind,
                "enterprise_id": enterprise_id,
                "industry_id": industry_id,
                "proposed_department_id": proposed_department_id,
            },
        )
    return dispute


def _dispute_guard(dispute: DutyDispute, action: str, actor: Actor) -> str:
    step = DISPUTE_TRANSITIONS.get((dispute.status, action))
    if step is None:
        raise Conflict(
            _("A dispute that is %(status)s cannot be %(action)s.")
            % {"status": dispute.get_status_display(), "action": action}
        )
    new_state, who = step
    user = actor.user
    if who == "coordinator" and not scoping.can_decide_dispute(user):
        raise Forbidden(_("Only the safety committee office decides duty disputes."))
    if who == "raiser" and not (user is not None and user.pk == dispute.created_by_id):
        raise Forbidden(_("Only whoever raised the dispute may withdraw it."))
    return new_state


def dispute_decide(
    *,
    actor: Actor,
    dispute_id: int,
    decided_lead_id: int | None,
    decision: str,
    cooperating_ids: Iterable[int] = (),
    decided_on: dt.date | None = None,
) -> DutyDispute:
    """The 安委办 decides: the decision and its date are kept; an enterprise dispute
    overrides that enterprise's duties; a business-type dispute adds a local rule for the
    jurisdiction and rederives its enterprises."""
    with transaction.atomic():
        dispute = _lock_scoped(
            scoping.visible_disputes(actor.user),
            DutyDispute,
            dispute_id,
            _("No such dispute in your jurisdiction."),
        )
        new_state = _dispute_guard(dispute, "decide", actor)
        errors: dict[str, list[str]] = {}
        if not _text(decision):
            errors["decision"] = [_("Write the decision.")]
        lead = None
        if decided_lead_id is None:
            errors["decided_lead_id"] = [_("Choose the department that will lead.")]
        else:
            lead = scoping.visible_departments(actor.user).filter(pk=decided_lead_id).first()
            if lead is None:
                errors["decided_lead_id"] = [_("Unknown department, or outside your jurisdiction.")]
        if errors:
            raise ValidationFailed(errors)
        dispute.status = new_state
        dispute.decided_lead = lead
        dispute.decision = _text(decision)
        dispute.decided_by = actor.user
        dispute.decided_on = decided_on or timezone.localdate()
        dispute.save()
        audit_append(
            actor=actor,
            action="decide",
            obj=dispute,
            summary=dispute.decision[:200],
            changes={"decided_lead_id": lead.pk, "decided_on": dispute.decided_on},
        )
        if dispute.enterprise_id:
            duty_override(
                actor=actor,
                enterprise_id=dispute.enterprise_id,
                lead_department_id=lead.pk,
                cooperating_department_ids=cooperating_ids,
                reason=_("Safety committee decision on dispute #%(id)s: %(text)s")
                % {"id": dispute.pk, "text": dispute.decision},
                source=DutySource.DECISION,
            )
        elif dispute.industry_id:
            DutyRule.objects.filter(
                industry_id=dispute.industry_id, division=dispute.jurisdiction, role=DutyRole.LEAD
            ).delete()
            DutyRule.objects.update_or_create(
                industry_id=dispute.industry_id,
                department_kind=lead.kind,
                division=dispute.jurisdiction,
                defaults={
                    "role": DutyRole.LEAD,
                    "basis": _("Decision on dispute #%(id)s") % {"id": dispute.pk},
                },
            )
            industry_ids = [
                dispute.industry_id,
                *Industry.objects.filter(parent_id=dispute.industry_id).values_list(
                    "pk", flat=True
                ),
            ]
            duties_rederive_all(
                actor=actor, division=dispute.jurisdiction, industry_ids=industry_ids
            )
    return dispute


def dispute_withdraw(*, actor: Actor, dispute_id: int) -> DutyDispute:
    with transaction.atomic():
        dispute = _lock_scoped(
            scoping.visible_disputes(actor.user),
            DutyDispute,
            dispute_id,
            _("No such dispute in your jurisdiction."),
        )
        dispute.status = _dispute_guard(dispute, "withdraw", actor)
        dispute.save(update_fields=["status"])
        audit_append(actor=actor, action="withdraw", obj=dispute)
    return dispute

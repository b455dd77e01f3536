"""Writes and reads of emergency drills (issue 14 item 2): the enterprise plans its own
drills (`drill_plan`), a regulator orders unannounced ones (`drill_order`, 不打招呼), the
enterprise acknowledges, starts and finishes them (`drill_acknowledge`, `drill_start`,
`drill_finish`), evaluates them with findings that become notes, hazards or plan
revision triggers (`drill_evaluate`), or cancels (`drill_cancel`). The table of steps is
drill_workflow.py; the frequency rules and response times are drill_rules.py.

Each step, in one transaction: the drill must be in the actor's scope (else NotFound), it
is locked, a wrong state is a Conflict, a wrong party Forbidden; then the change, a
DrillEvent (never edited) and an audit entry.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from anjian.accounts.models import Role, User
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.inputs import clean_text
from anjian.core.models import NotificationKind
from anjian.core.notify import notify
from anjian.registry.models import Enterprise

from . import drill_rules as rules
from . import drill_workflow as wf
from .models import (
    Drill,
    DrillEvent,
    DrillFinding,
    DrillKind,
    DrillLevel,
    FindingOutcome,
    Plan,
    PlanState,
    RevisionReason,
)

TEXT_LIMIT = 4000
MAX_FINDINGS = 50
MAX_PARTICIPANTS = 100_000
# The enterprise's side of a drill: its principal and safety officers (employees see it).
UNIT_ROLES = frozenset({Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER})
# Who may order an unannounced drill: the government's coordinator (安委办) and the
# departments' officers, for enterprises in their scope.
AUTHORITY_ROLES = frozenset({Role.COORDINATOR, Role.DEPARTMENT_OFFICER})
# Plans a drill can be of (a draft is not yet a plan; a superseded version has a successor).
CURRENT_PLAN_STATES = (PlanState.ISSUED, PlanState.SUBMITTED, PlanState.RETURNED, PlanState.FILED)
DONE_STATES = (wf.DONE, wf.EVALUATED)
# A device clock a little ahead of the server's is not an error.
CLOCK_SLACK = dt.timedelta(minutes=5)


# --- labels ------------------------------------------------------------------------------


def action_labels() -> dict[str, str]:
    return {
        wf.PLAN: _("drill planned"),
        wf.ORDER: _("unannounced drill ordered"),
        wf.ACKNOWLEDGE: _("acknowledge the order"),
        wf.START: _("start the drill"),
        wf.FINISH: _("finish the drill"),
        wf.EVALUATE: _("evaluate the drill"),
        wf.CANCEL: _("cancel the drill"),
    }


def obligation_labels() -> dict[str, str]:
    return {
        rules.ANNUAL_PLAN: _("comprehensive or special plan drill, once a year"),
        rules.HALF_ONSITE: _("on-site disposal plan drill, every half year"),
        rules.HALF_HIGH_RISK: _("high-risk unit: a drill every half year"),
    }


def status_labels() -> dict[str, str]:
    return {
        rules.SATISFIED: pgettext("drill obligation", "met"),
        rules.DUE: pgettext("drill obligation", "due"),
        rules.OVERDUE: pgettext("drill obligation", "overdue"),
    }


def profile_labels() -> dict[str, str]:
    return {
        rules.NATIONAL: _("national minimum (any on-site plan each half year)"),
        rules.EACH_ONSITE: _("each on-site plan each half year (Jiangsu reading)"),
    }


def default_profile() -> str:
    """The deployment's reading of 第三十三条 (settings.ANJIAN_DRILL_PROFILE)."""
    value = getattr(settings, "ANJIAN_DRILL_PROFILE", rules.NATIONAL)
    return value if value in rules.PROFILES else rules.NATIONAL


# --- reading -----------------------------------------------------------------------------


def visible_drills(user: Any) -> QuerySet[Drill]:
    return scoping.visible(user, Drill)


def is_unit_user(user: Any) -> bool:
    return bool(scoping.is_active_user(user) and user.role in UNIT_ROLES and user.enterprise_id)


def is_authority(user: Any) -> bool:
    return bool(scoping.is_active_user(user) and user.role in AUTHORITY_ROLES and user.division_id)


def may_plan(user: Any) -> bool:
    return is_unit_user(user)


def may_order(user: Any) -> bool:
    return is_authority(user)


def orderable_enterprises(user: Any) -> QuerySet[Enterprise]:
    if not is_authority(user):
        return Enterprise.objects.none()
    return scoping.visible_enterprises(user)


def parties(user: Any, drill: Drill) -> frozenset[str]:
    if not scoping.is_active_user(user):
        return frozenset()
    out: set[str] = set()
    if user.role in UNIT_ROLES and user.enterprise_id == drill.enterprise_id:
        out.add(wf.UNIT)
    if (
        is_authority(user)
        and scoping.visible_enterprises(user).filter(pk=drill.enterprise_id).exists()
    ):
        out.add(wf.AUTHORITY)
        if drill.unannounced:
            out.add(wf.ORDERER)
    return frozenset(out)


def facts(drill: Drill) -> wf.Facts:
    return wf.Facts(acknowledged=drill.acknowledged_at is not None)


def available(user: Any, drill: Drill) -> list[str]:
    return wf.available(drill.state, facts(drill), parties(user, drill))


def times(drill: Drill) -> rules.ResponseTimes:
    return rules.response_times(
        drill.ordered_at, drill.acknowledged_at, drill.started_at, drill.ended_at
    )


# --- compliance --------------------------------------------------------------------------


def _industry_codes(enterprise: Enterprise) -> list[str]:
    industry = enterprise.industry
    codes = [industry.code]
    if industry.parent_id:
        codes.append(industry.parent.code)
    return codes


def high_risk(enterprise: Enterprise) -> bool:
    """708号令 第八条 (article number UNCONFIRMED): by industry or a major hazard."""
    return rules.is_high_risk(
        _industry_codes(enterprise), has_major_hazard=enterprise.has_major_hazard
    )


def _inputs(
    enterprise_ids: Sequence[int],
) -> tuple[dict[int, list[rules.PlanIn]], dict[int, list[rules.DrillIn]], dict[int, Drill]]:
    plans: dict[int, list[rules.PlanIn]] = defaultdict(list)
    for p in Plan.objects.filter(
        enterprise_id__in=enterprise_ids, state__in=CURRENT_PLAN_STATES
    ).only("pk", "series", "kind", "title", "issued_on", "enterprise_id"):
        plans[p.enterprise_id].append(
            rules.PlanIn(key=p.series or p.pk, kind=p.kind, title=p.title, since=p.issued_on)
        )
    drills: dict[int, list[rules.DrillIn]] = defaultdict(list)
    last: dict[int, Drill] = {}
    for d in (
        Drill.objects.filter(enterprise_id__in=enterprise_ids, state__in=DONE_STATES)
        .exclude(ended_at=None)
        .select_related("plan")
        .order_by("ended_at", "pk")
    ):
        plan = d.plan
        drills[d.enterprise_id].append(
            rules.DrillIn(
                on=timezone.localdate(d.ended_at),
                plan_kind=plan.kind if plan else None,
                plan_key=(plan.series or plan.pk) if plan else None,
            )
        )
        last[d.enterprise_id] = d
    return plans, drills, last


def enterprise_compliance(
    enterprise: Enterprise, *, as_of: dt.date | None = None, profile: str | None = None
) -> rules.Compliance:
    """The enterprise's drill obligations (drill_rules.compliance) as of a day."""
    plans, drills, _last = _inputs([enterprise.pk])
    return rules.compliance(
        plans=plans[enterprise.pk],
        drills=drills[enterprise.pk],
        high_risk=high_risk(enterprise),
        as_of=as_of or timezone.localdate(),
        profile=profile or default_profile(),
    )


@dataclass(frozen=True)
class ComplianceRow:
    enterprise: Enterprise
    compliance: rules.Compliance
    last_drill: Drill | None


def jurisdiction_compliance(
    user: Any, *, as_of: dt.date | None = None, profile: str | None = None
) -> list[ComplianceRow]:
    """Every enterprise in the user's scope with its obligations, overdue first."""
    day = as_of or timezone.localdate()
    chosen = profile or default_profile()
    enterprises = list(
        scoping.visible_enterprises(user).select_related("industry__parent", "division")
    )
    plans, drills, last = _inputs([e.pk for e in enterprises])
    rows = [
        ComplianceRow(
            enterprise=e,
            compliance=rules.compliance(
                plans=plans[e.pk],
                drills=drills[e.pk],
                high_risk=high_risk(e),
                as_of=day,
                profile=chosen,
            ),
            last_drill=last.get(e.pk),
        )
        for e in enterprises
    ]
    rows.sort(key=lambda r: (rules.sort_key(r.compliance), r.enterprise.name, r.enterprise.pk))
    return rows


# --- helpers -----------------------------------------------------------------------------


def _id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
        return number if 0 < number < 2**63 else None
    return None


def _choice(errors: dict[str, list[str]], value: Any, name: str, choices: Any) -> str:
    if not isinstance(value, str) or value not in choices.values:
        errors.setdefault(name, []).append(_("Choose one of the listed values."))
        return ""
    return value


def _datetime(errors: dict[str, list[str]], value: Any, name: str) -> dt.datetime | None:
    if value is None or value == "":
        return None
    parsed = value if isinstance(value, dt.datetime) else None
    if parsed is None and isinstance(value, str):
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        errors.setdefault(name, []).append(_("Enter a date and time."))
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(dict(data), default=str))


def _plan(errors: dict[str, list[str]], value: Any, enterprise: Enterprise) -> Plan | None:
    if value in (None, ""):
        return None
    pk = _id(value)
    plan = (
        Plan.objects.filter(pk=pk, enterprise=enterprise, state__in=CURRENT_PLAN_STATES).first()
        if pk
        else None
    )
    if plan is None:
        errors.setdefault("plan", []).append(_("No such current plan of this enterprise."))
    return plan


def _risk_unit(errors: dict[str, list[str]], value: Any, enterprise: Enterprise) -> Any:
    from anjian.risks.models import RiskUnit

    if value in (None, ""):
        return None
    pk = _id(value)
    unit = RiskUnit.objects.filter(pk=pk, enterprise=enterprise).first() if pk else None
    if unit is None:
        errors.setdefault("risk_unit", []).append(_("Unknown risk unit of this enterprise."))
    return unit


def _event(
    actor: Actor,
    drill: Drill,
    action: str,
    *,
    note: str = "",
    data: Mapping[str, Any] | None = None,
) -> DrillEvent:
    return DrillEvent.objects.create(
        drill=drill,
        action=action,
        actor=actor.user,
        at=timezone.now(),
        note=note,
        data=_jsonable(data or {}),
    )


def _lock(actor: Actor, drill_id: Any) -> Drill:
    pk = _id(drill_id)
    if pk is None or not visible_drills(actor.user).filter(pk=pk).exists():
        raise NotFound(_("No such drill in your scope."))
    return Drill.objects.select_for_update(of=("self",)).get(pk=pk)


def _step(actor: Actor, drill: Drill, action: str) -> wf.Transition:
    """Check the step against the table: state, party and guard."""
    found = wf.step(drill.state, action)
    if found is None:
        raise Conflict(
            _("Cannot %(action)s: the drill is %(state)s.")
            % {"action": action_labels()[action], "state": drill.get_state_display()}
        )
    if not found.parties & parties(actor.user, drill):
        raise Forbidden(
            _("Only the regulator who ordered this drill may do this.")
            if found.parties == frozenset({wf.ORDERER})
            else _("Only the enterprise's principal or safety officer may do this.")
        )
    if not wf.GUARDS[found.guard](facts(drill)):
        raise Conflict(_("The order was acknowledged already."))
    return found


def _save(actor: Actor, drill: Drill, found: wf.Transition, *, data: Mapping[str, Any]) -> None:
    from_state = drill.state
    drill.state = found.target
    drill.save()
    _event(actor, drill, found.action, data={"from": from_state, "to": drill.state, **data})
    audit_append(
        actor=actor,
        action=f"drill_{found.action}",
        obj=drill,
        summary=f"drill {drill.pk} {found.action}: {from_state}→{drill.state}",
        changes=_jsonable({"from": from_state, "to": drill.state, **data}),
    )


def _unit_people(enterprise_id: int) -> list[User]:
    return list(
        User.objects.filter(enterprise_id=enterprise_id, role__in=UNIT_ROLES, is_active=True)
    )


# --- creating ----------------------------------------------------------------------------


def drill_plan(
    *,
    actor: Actor,
    kind: Any,
    scenario: Any,
    level: Any = DrillLevel.COMPANY,
    plan_id: Any = None,
    risk_unit_id: Any = None,
    planned_for: Any = None,
    enterprise_id: Any = None,
) -> Drill:
    """The enterprise's principal or safety officer plans a drill of its own (第三十三条):
    tabletop, functional or full-scale, company or workshop level, of one of its current
    plans, optionally at a risk unit."""
    user = actor.user
    if not is_unit_user(user):
        raise Forbidden(_("Only the enterprise's principal or safety officer may plan drills."))
    assert user is not None
    enterprise = Enterprise.objects.get(pk=user.enterprise_id)
    errors: dict[str, list[str]] = {}
    if enterprise_id not in (None, "") and _id(enterprise_id) != enterprise.pk:
        errors["enterprise"] = [_("You plan drills for your own enterprise only.")]
    kind_value = _choice(errors, kind, "kind", DrillKind)
    level_value = _choice(errors, level or DrillLevel.COMPANY, "level", DrillLevel)
    scenario_text = clean_text(errors, scenario, "scenario", required=True, limit=TEXT_LIMIT)
    plan = _plan(errors, plan_id, enterprise)
    unit = _risk_unit(errors, risk_unit_id, enterprise)
    when = _datetime(errors, planned_for, "planned_for")
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        drill = Drill.objects.create(
            enterprise=enterprise,
            plan=plan,
            risk_unit=unit,
            kind=kind_value,
            level=level_value,
            scenario=scenario_text,
            planned_for=when,
            state=wf.PLANNED,
            created_by=user,
        )
        data = {
            "kind": kind_value,
            "level": level_value,
            "plan": plan.pk if plan else None,
            "risk_unit": unit.pk if unit else None,
            "planned_for": when,
        }
        _event(actor, drill, wf.PLAN, data=data)
        audit_append(
            actor=actor,
            action="drill_plan",
            obj=drill,
            summary=f"drill {drill.pk} planned at enterprise {enterprise.pk}",
            changes=_jsonable(data),
        )
    return drill


def drill_order(
    *,
    actor: Actor,
    enterprise_id: Any,
    scenario: Any,
    kind: Any = DrillKind.FUNCTIONAL,
    plan_id: Any = None,
) -> Drill:
    """A regulator orders an unannounced drill (不打招呼) at an enterprise in its scope:
    the clock starts now; the enterprise's principal and safety officers are notified."""
    user = actor.user
    if not is_authority(user):
        raise Forbidden(
            _("Only the safety committee office or a department officer may order drills.")
        )
    pk = _id(enterprise_id)
    enterprise = orderable_enterprises(user).filter(pk=pk).first() if pk else None
    errors: dict[str, list[str]] = {}
    if enterprise is None:
        errors["enterprise"] = [_("No such enterprise in your jurisdiction.")]
    kind_value = _choice(errors, kind or DrillKind.FUNCTIONAL, "kind", DrillKind)
    scenario_text = clean_text(errors, scenario, "scenario", required=True, limit=TEXT_LIMIT)
    plan = _plan(errors, plan_id, enterprise) if enterprise else None
    if errors:
        raise ValidationFailed(errors)
    assert enterprise is not None and user is not None
    now = timezone.now()
    with transaction.atomic():
        drill = Drill.objects.create(
            enterprise=enterprise,
            plan=plan,
            kind=kind_value,
            scenario=scenario_text,
            state=wf.ORDERED,
            unannounced=True,
            ordered_by=user,
            ordered_at=now,
            created_by=user,
        )
        data = {"kind": kind_value, "plan": plan.pk if plan else None, "enterprise": enterprise.pk}
        _event(actor, drill, wf.ORDER, data=data)
        audit_append(
            actor=actor,
            action="drill_order",
            obj=drill,
            summary=f"unannounced drill {drill.pk} ordered at enterprise {enterprise.pk}",
            changes=_jsonable(data),
        )
        notify(
            recipients=_unit_people(enterprise.pk),
            kind=NotificationKind.ASSIGNMENT,
            title=_("Unannounced emergency drill ordered: acknowledge and start it now"),
            body=scenario_text[:500],
            link=reverse("emergency:drill", args=[drill.pk]),
            object_label=enterprise.name,
        )
    return drill


# --- the steps ---------------------------------------------------------------------------


def drill_acknowledge(*, actor: Actor, drill_id: Any) -> Drill:
    """The enterprise confirms it has the unannounced drill's order (once)."""
    with transaction.atomic():
        drill = _lock(actor, drill_id)
        found = _step(actor, drill, wf.ACKNOWLEDGE)
        drill.acknowledged_at = timezone.now()
        _save(actor, drill, found, data={"acknowledged_at": drill.acknowledged_at})
    return drill


def drill_start(*, actor: Actor, drill_id: Any) -> Drill:
    """The drill begins. Starting an ordered drill that was not acknowledged answers the
    order too (the acknowledgement time is the start's)."""
    with transaction.atomic():
        drill = _lock(actor, drill_id)
        found = _step(actor, drill, wf.START)
        now = timezone.now()
        drill.started_at = now
        data: dict[str, Any] = {"started_at": now}
        if drill.unannounced and drill.acknowledged_at is None:
            drill.acknowledged_at = now
            data["acknowledged_at"] = now
        _save(actor, drill, found, data=data)
    return drill


def _drill_workers(errors: dict[str, list[str]], value: Any, enterprise_id: int) -> list[int]:
    """The registered workers (anjian.people) who took part: ids of the enterprise's
    employed workers; they earn the drill's safety points."""
    if value in (None, "", [], ()):
        return []
    if not isinstance(value, list | tuple) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        errors["workers"] = [_("Give a list of worker ids.")]
        return []
    from anjian.people.models import Worker

    ids = sorted(set(value))
    found = set(
        Worker.objects.filter(pk__in=ids, enterprise_id=enterprise_id, active=True).values_list(
            "pk", flat=True
        )
    )
    if len(found) != len(ids):
        errors["workers"] = [_("Only employed workers of the drilling enterprise can be named.")]
        return []
    return ids


def drill_finish(*, actor: Actor, drill_id: Any, participants: Any, workers: Any = None) -> Drill:
    """The drill ends, with the number of people who took part and, optionally, which of
    the enterprise's registered workers they were (each earns the drill's safety points)."""
    errors: dict[str, list[str]] = {}
    number = None
    if isinstance(participants, int) and not isinstance(participants, bool):
        number = participants
    elif isinstance(participants, str) and participants.strip().isascii():
        number = int(participants.strip()) if participants.strip().isdigit() else None
    if number is None:
        errors["participants"] = [_("Enter a whole number.")]
    elif not 1 <= number <= MAX_PARTICIPANTS:
        errors["participants"] = [
            _("Must be between %(low)s and %(high)s.") % {"low": 1, "high": MAX_PARTICIPANTS}
        ]
    with transaction.atomic():
        drill = _lock(actor, drill_id)
        found = _step(actor, drill, wf.FINISH)
        named = _drill_workers(errors, workers, drill.enterprise_id)
        if number is not None and len(named) > number and "participants" not in errors:
            errors["participants"] = [
                _("Fewer participants than the workers named (%(n)s).") % {"n": len(named)}
            ]
        if errors:
            raise ValidationFailed(errors)
        assert number is not None
        drill.ended_at = timezone.now()
        drill.participants = number
        data: dict[str, Any] = {"ended_at": drill.ended_at, "participants": number}
        if named:
            data["workers"] = named
        _save(actor, drill, found, data=data)
        if named:
            from anjian.people.points_services import points_for_drill

            points_for_drill(named, drill.pk)
    return drill


@dataclass(frozen=True)
class FindingIn:
    text: str
    outcome: str
    location: str = ""


def _findings(errors: dict[str, list[str]], value: Any) -> list[FindingIn]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        errors.setdefault("findings", []).append(_("Give a list of findings."))
        return []
    if len(value) > MAX_FINDINGS:
        errors.setdefault("findings", []).append(_("At most %(n)s findings.") % {"n": MAX_FINDINGS})
        return []
    out: list[FindingIn] = []
    for i, item in enumerate(value):
        name = f"findings.{i}"
        if not isinstance(item, Mapping):
            errors.setdefault(name, []).append(_("Give the finding's text and outcome."))
            continue
        unknown = set(item) - {"text", "outcome", "location"}
        if unknown:
            errors.setdefault(name, []).append(_("Unknown field."))
        text = clean_text(errors, item.get("text"), f"{name}.text", required=True)
        outcome = _choice(
            errors, item.get("outcome") or FindingOutcome.NOTE, f"{name}.outcome", FindingOutcome
        )
        location = clean_text(errors, item.get("location"), f"{name}.location", limit=255)
        out.append(FindingIn(text=text, outcome=outcome, location=location))
    return out


def _hazard_from(actor: Actor, drill: Drill, finding: FindingIn) -> Any:
    """A finding entered as a hazard in the ledger (anjian.hazards), like a self-check's."""
    from anjian.hazards import services as hazard_services
    from anjian.hazards.models import CheckKind, Source

    data: dict[str, Any] = {
        "source": Source.SELF_CHECK if wf.UNIT in parties(actor.user, drill) else Source.OTHER,
        "check_kind": CheckKind.OTHER,
        "hazard_type": "other",
        "category": "management",
        "handling": "deadline",
        "description": finding.text[: hazard_services.TEXT_LIMIT],
        "location": (
            finding.location
            or (drill.risk_unit.name if drill.risk_unit_id else "")
            or drill.enterprise.address
            or drill.enterprise.name
        )[:255],
        "note": _("Found in emergency drill %(id)s: %(scenario)s")
        % {"id": drill.pk, "scenario": drill.scenario[:200]},
    }
    if drill.risk_unit_id:
        data["risk_unit_id"] = drill.risk_unit_id
    return hazard_services.hazard_report(
        actor=actor,
        enterprise_id=drill.enterprise_id,
        data=data,
        links={"drill": {"id": drill.pk}},
    )


def _trigger_from(actor: Actor, drill: Drill, finding: FindingIn) -> Any:
    """A finding that asks for the drilled plan's revision (第三十六条: a drill revealed
    major problems; the article number UNCONFIRMED)."""
    from . import plan_services

    return plan_services.revision_trigger_raise(
        actor=actor,
        plan_id=drill.plan_id,
        reason=RevisionReason.DRILL,
        note=finding.text,
        drill_id=drill.pk,
    )


def drill_evaluate(*, actor: Actor, drill_id: Any, evaluation: Any, findings: Any = None) -> Drill:
    """The drill's evaluation (演练评估) and its findings: each is kept as a note, entered
    as a hazard (anjian.hazards.services.hazard_report) or raised as a revision trigger of
    the drilled plan (plan_services.revision_trigger_raise)."""
    errors: dict[str, list[str]] = {}
    text = clean_text(errors, evaluation, "evaluation", required=True, limit=TEXT_LIMIT)
    found_items = _findings(errors, findings)
    with transaction.atomic():
        drill = _lock(actor, drill_id)
        found = _step(actor, drill, wf.EVALUATE)
        if not drill.plan_id:
            for i, item in enumerate(found_items):
                if item.outcome == FindingOutcome.REVISION:
                    errors.setdefault(f"findings.{i}.outcome", []).append(
                        _("This drill names no plan to revise.")
                    )
        if errors:
            raise ValidationFailed(errors)
        now = timezone.now()
        summary: list[dict[str, Any]] = []
        for item in found_items:
            hazard = _hazard_from(actor, drill, item) if item.outcome == "hazard" else None
            trigger = _trigger_from(actor, drill, item) if item.outcome == "revision" else None
            row = DrillFinding.objects.create(
                drill=drill,
                text=item.text,
                outcome=item.outcome,
                hazard=hazard,
                trigger=trigger,
                created_at=now,
            )
            summary.append(
                {
                    "finding": row.pk,
                    "outcome": item.outcome,
                    "hazard": hazard.pk if hazard else None,
                    "trigger": trigger.pk if trigger else None,
                }
            )
        drill.evaluation = text
        drill.evaluated_by = actor.user
        drill.evaluated_at = now
        _save(actor, drill, found, data={"findings": summary})
    return drill


def drill_cancel(*, actor: Actor, drill_id: Any, reason: Any) -> Drill:
    """Cancel a planned drill (the enterprise) or an ordered one (the regulator)."""
    errors: dict[str, list[str]] = {}
    text = clean_text(errors, reason, "reason", required=True, limit=TEXT_LIMIT)
    with transaction.atomic():
        drill = _lock(actor, drill_id)
        found = _step(actor, drill, wf.CANCEL)
        if errors:
            raise ValidationFailed(errors)
        _save(actor, drill, found, data={"reason": text})
        if drill.unannounced:
            notify(
                recipients=_unit_people(drill.enterprise_id),
                kind=NotificationKind.OTHER,
                title=_("Unannounced emergency drill cancelled"),
                body=text[:500],
                link=reverse("emergency:drill", args=[drill.pk]),
                object_label=str(drill.enterprise),
            )
    return drill


__all__ = [
    "ComplianceRow",
    "available",
    "drill_acknowledge",
    "drill_cancel",
    "drill_evaluate",
    "drill_finish",
    "drill_order",
    "drill_plan",
    "drill_start",
    "enterprise_compliance",
    "jurisdiction_compliance",
    "parties",
    "times",
    "visible_drills",
]

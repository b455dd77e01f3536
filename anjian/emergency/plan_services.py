"""Writes and reads of emergency plans (issue 14 item 1; standards.md A10,
《生产安全事故应急预案管理办法》): drafting (`plan_create`, `plan_update`), signing
(`plan_sign`, 第二十四条), filing (`plan_submit`, `plan_file`, `plan_return`, 第二十六条),
deemed filing when the regulator does not answer in time (`plans_deem_filed`, the job),
revision (`plan_revise`, `revision_trigger_raise`, 第三十六条) and the 3-year
evaluation (`plan_evaluate`, 第三十五条). The table of steps is plan_workflow.py; the
deadlines are plan_rules.py's.

Each step, in one transaction: the plan must be in the actor's scope (else NotFound), it
is locked, a wrong state is a Conflict, a wrong party Forbidden; then the change, an
event row (PlanEvent, never edited), an audit entry and the notifications.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import REGULATOR_ROLES, Role, User
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.inputs import clean_text
from anjian.core.models import NotificationKind
from anjian.core.notify import notify
from anjian.registry.models import Department, DepartmentKind, Division, DivisionLevel
from anjian.risks.models import MajorHazardInstallation, RiskUnit

from . import plan_rules as rules
from . import plan_workflow as wf
from .models import (
    GB6441_TYPES,
    Plan,
    PlanEvent,
    PlanKind,
    PlanState,
    RevisionReason,
    RevisionTrigger,
)

TITLE_LIMIT = 200
POST_LIMIT = 100
SUMMARY_LIMIT = 20000
NOTE_LIMIT = 4000
FILING_NUMBER_LIMIT = 64
MAX_ROWS = 50  # response levels, roles: a plan lists a few, never hundreds
MAX_LINKS = 200  # risk units, installations
ACCIDENT_TYPE_CODES = frozenset(code for code, _name in GB6441_TYPES)
UNIT_ROLES = frozenset({Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER})
# 第二十六条: filing with the 县级以上 departments.
FILING_LEVELS = frozenset({DivisionLevel.PROVINCE, DivisionLevel.CITY, DivisionLevel.COUNTY})


# --- labels ------------------------------------------------------------------------------


def action_labels() -> dict[str, str]:
    return {
        wf.CREATE: _("plan drafted"),
        wf.EDIT: _("edit the draft"),
        wf.SIGN: _("sign and issue"),
        wf.SUBMIT: _("submit for filing"),
        wf.FILE: _("file the plan"),
        wf.RETURN: _("return for missing materials"),
        wf.REVISE: _("start a revision"),
        wf.EVALUATE: _("record the evaluation"),
        wf.TRIGGER: _("raise a revision trigger"),
        wf.DEEM_FILED: _("counts as filed (no answer in time)"),
        wf.SUPERSEDE: _("superseded by the new version"),
        "remind": _("reminder sent"),
    }


# --- reading -----------------------------------------------------------------------------


def visible_plans(user: Any) -> QuerySet[Plan]:
    return scoping.visible(user, Plan)


def is_regulator(user: Any) -> bool:
    return bool(scoping.is_active_user(user) and user.role in REGULATOR_ROLES)


def may_draft(user: Any) -> bool:
    return bool(scoping.is_active_user(user) and user.role in UNIT_ROLES and user.enterprise_id)


def is_filer(user: Any, plan: Plan) -> bool:
    """The filing department's officer, or a coordinator over the filing division."""
    if not scoping.is_active_user(user) or not plan.filing_division_id:
        return False
    if user.role == Role.DEPARTMENT_OFFICER:
        return bool(user.department_id and user.department_id == plan.filing_department_id)
    if user.role == Role.COORDINATOR and user.division_id:
        return plan.filing_division_id in _subtree(user)
    return False


def _subtree(user: Any) -> frozenset[int]:
    # Once per user object (a request): the filing desk asks for every plan it lists.
    cached = getattr(user, "_emergency_plans_subtree", None)
    if cached is None:
        cached = frozenset(scoping.subtree_ids(user.division))
        user._emergency_plans_subtree = cached
    return cached


def parties(user: Any, plan: Plan) -> frozenset[str]:
    """Who `user` is for this plan (plan_workflow.PRINCIPAL, UNIT, FILER, REGULATOR)."""
    if not scoping.is_active_user(user):
        return frozenset()
    out = set()
    if user.role in UNIT_ROLES and user.enterprise_id == plan.enterprise_id:
        out.add(wf.UNIT)
        if user.role == Role.ENTERPRISE_PRINCIPAL:
            out.add(wf.PRINCIPAL)
    if user.role in REGULATOR_ROLES:
        out.add(wf.REGULATOR)
    if is_filer(user, plan):
        out.add(wf.FILER)
    return frozenset(out)


def is_revised(plan: Plan) -> bool:
    return Plan.objects.filter(previous_id=plan.pk).exists()


def available(user: Any, plan: Plan) -> list[str]:
    return wf.available(plan.state, parties(user, plan), revised=is_revised(plan))


@dataclass(frozen=True)
class Deadlines:
    today: dt.date
    filing_due: dt.date | None
    filing_days_left: int | None  # working days; negative: late by
    filing_overdue: bool
    check_due: dt.date | None
    check_days_left: int | None
    check_overdue: bool  # submitted, no answer in time: counts as filed (the job)
    evaluation_due: dt.date | None
    evaluation_overdue: bool
    submitted_late: bool


def deadlines(plan: Plan, today: dt.date | None = None) -> Deadlines:
    today = today or timezone.localdate()
    filing_open = plan.state in (wf.ISSUED, wf.RETURNED)
    checking = plan.state == wf.SUBMITTED
    return Deadlines(
        today=today,
        filing_due=plan.filing_due,
        filing_days_left=rules.working_days_left(plan.filing_due, today) if filing_open else None,
        filing_overdue=rules.filing_overdue(
            state=plan.state, filing_due=plan.filing_due, today=today
        ),
        check_due=plan.check_due,
        check_days_left=rules.working_days_left(plan.check_due, today) if checking else None,
        check_overdue=rules.deemed_filed(state=plan.state, check_due=plan.check_due, today=today),
        evaluation_due=plan.evaluation_due,
        evaluation_overdue=rules.evaluation_overdue(
            state=plan.state, evaluation_due=plan.evaluation_due, today=today
        ),
        submitted_late=bool(
            plan.submitted_on and plan.filing_due and plan.submitted_on > plan.filing_due
        ),
    )


def review_kind(plan: Plan) -> str:
    """ "review" (评审) or "demonstration" (论证) for the plan's enterprise (第二十一条)."""
    industry = plan.enterprise.industry
    return rules.review_kind(
        industry_code=industry.code if industry else "", scale=plan.enterprise.scale or ""
    )


def versions(plan: Plan) -> list[Plan]:
    """Every version of the plan's series, newest first."""
    return list(Plan.objects.filter(series=plan.series).order_by("-version"))


def open_triggers(plan: Plan) -> QuerySet[RevisionTrigger]:
    """Triggers raised on any version of the series and not yet answered by a version."""
    return RevisionTrigger.objects.filter(plan__series=plan.series, resolved_by__isnull=True)


def _filter_plans(qs: QuerySet[Plan], params: Mapping[str, Any], today: dt.date) -> QuerySet:
    """The list filters (pages and API): state, kind, enterprise, overdue."""
    state = params.get("state") or ""
    if state in PlanState.values:
        qs = qs.filter(state=state)
    kind = params.get("kind") or ""
    if kind in PlanKind.values:
        qs = qs.filter(kind=kind)
    enterprise = _id(params.get("enterprise"))
    if enterprise is not None:
        qs = qs.filter(enterprise_id=enterprise)
    overdue = params.get("overdue") or ""
    if overdue == "filing":
        qs = qs.filter(filing_overdue_q(today))
    elif overdue == "evaluation":
        qs = qs.filter(evaluation_overdue_q(today))
    elif overdue == "check":
        qs = qs.filter(state=wf.SUBMITTED, check_due__lt=today)
    elif overdue in ("1", "true", "any", True):
        qs = qs.filter(filing_overdue_q(today) | evaluation_overdue_q(today))
    return qs


def filing_overdue_q(today: dt.date) -> Q:
    # The same rule as plan_rules.filing_overdue, as a query.
    return Q(state__in=(wf.ISSUED, wf.RETURNED), filing_due__lt=today)


def evaluation_overdue_q(today: dt.date) -> Q:
    return Q(state__in=tuple(wf.IN_FORCE), evaluation_due__lt=today)


def search_plans(user: Any, params: Mapping[str, Any], today: dt.date | None = None):
    today = today or timezone.localdate()
    qs = visible_plans(user).select_related("enterprise", "filing_department")
    return _filter_plans(qs, params, today)


@dataclass(frozen=True)
class FilingDesk:
    awaiting: list[Plan]  # submitted, waiting for the check (theirs to answer first)
    filing_overdue: list[Plan]
    evaluation_overdue: list[Plan]
    with_triggers: list[Plan]
    today: dt.date


DESK_LIMIT = 200


def filing_desk(user: Any, today: dt.date | None = None) -> FilingDesk:
    """The regulator's desk: the plans submitted to them awaiting their check, and who is
    overdue in their jurisdiction (filing, evaluation, open revision triggers)."""
    if not is_regulator(user):
        raise Forbidden(_("Only regulators keep the filing desk."))
    today = today or timezone.localdate()
    qs = visible_plans(user).select_related("enterprise", "filing_department", "filing_division")
    awaiting = list(qs.filter(state=wf.SUBMITTED).order_by("check_due", "pk")[:DESK_LIMIT])
    late_filing = list(qs.filter(filing_overdue_q(today)).order_by("filing_due", "pk")[:DESK_LIMIT])
    late_evaluation = list(
        qs.filter(evaluation_overdue_q(today)).order_by("evaluation_due", "pk")[:DESK_LIMIT]
    )
    open_q = RevisionTrigger.objects.filter(
        plan__series=OuterRef("series"), resolved_by__isnull=True
    )
    triggered = list(
        qs.filter(Exists(open_q), state__in=tuple(wf.IN_FORCE)).order_by("pk")[:DESK_LIMIT]
    )
    return FilingDesk(awaiting, late_filing, late_evaluation, triggered, today)


# --- helpers -----------------------------------------------------------------------------


def _id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
        return number if 0 < number < 2**63 else None
    return None


def _jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(dict(data), default=str, ensure_ascii=False))


def _event(
    actor: Actor, plan: Plan, action: str, *, note: str = "", data: Mapping[str, Any] | None = None
) -> PlanEvent:
    return PlanEvent.objects.create(
        plan=plan,
        action=action,
        actor=actor.user,
        at=timezone.now(),
        note=note,
        data=_jsonable({"state": plan.state, **dict(data or {})}),
    )


def _audit(actor: Actor, action: str, plan: Plan, summary: str, changes: Mapping[str, Any]):
    audit_append(
        actor=actor,
        action=f"emergency_plan_{action}",
        obj=plan,
        summary=summary,
        changes=dict(changes),
    )


def _lock(actor: Actor, plan_id: Any) -> Plan:
    pk = _id(plan_id)
    if pk is None or not visible_plans(actor.user).filter(pk=pk).exists():
        raise NotFound(_("No such plan in your scope."))
    return Plan.objects.select_for_update(of=("self",)).get(pk=pk)


def _step(actor: Actor, plan: Plan, action: str) -> wf.Transition:
    found = wf.step(plan.state, action)
    if found is None:
        raise Conflict(
            _("Cannot %(action)s: the plan is %(state)s.")
            % {"action": action_labels()[action], "state": plan.get_state_display()}
        )
    if not found.parties & parties(actor.user, plan):
        raise Forbidden(
            {
                wf.SIGN: _("Only the enterprise's principal signs and issues its plans."),
                wf.FILE: _("Only the department the plan was submitted to may file it."),
                wf.RETURN: _("Only the department the plan was submitted to may return it."),
            }.get(action, _("You may not do this for this plan."))
        )
    return found


def _today(value: Any, errors: dict[str, list[str]], name: str) -> dt.date:
    """A date from a form or the API (ISO text or a date), default today; not in the
    future (a record of something done)."""
    today = timezone.localdate()
    if value is None or value == "":
        return today
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        errors.setdefault(name, []).append(_("Enter a date (YYYY-MM-DD)."))
        return today
    if day > today:
        errors.setdefault(name, []).append(_("The date may not be in the future."))
    elif day.year < 2000:
        errors.setdefault(name, []).append(_("Enter a date after 2000."))
    return day


def _unit_people(enterprise_id: int) -> Iterable[User]:
    """The enterprise's principal and safety officers: they hear of filing decisions."""
    return User.objects.filter(enterprise_id=enterprise_id, role__in=tuple(UNIT_ROLES))


def _link(plan: Plan) -> str:
    return reverse("emergency:plan", args=[plan.pk])


# --- content (drafts) --------------------------------------------------------------------


def _rows(
    errors: dict[str, list[str]],
    value: Any,
    name: str,
    fields: tuple[str, ...],
    required: tuple[str, ...],
    limits: Mapping[str, int],
) -> list[dict[str, str]]:
    """A list of small records ({field: text}); unknown keys are refused."""
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        errors.setdefault(name, []).append(_("Enter a list."))
        return []
    if len(value) > MAX_ROWS:
        errors.setdefault(name, []).append(_("At most %(n)d rows.") % {"n": MAX_ROWS})
        return []
    out = []
    for i, row in enumerate(value, start=1):
        if not isinstance(row, Mapping) or set(row) - set(fields):
            errors.setdefault(name, []).append(
                _("Row %(i)d: only these fields: %(fields)s.")
                % {"i": i, "fields": ", ".join(fields)}
            )
            continue
        clean: dict[str, str] = {}
        for field in fields:
            item = row.get(field, "")
            if item is None:
                item = ""
            if not isinstance(item, str):
                errors.setdefault(name, []).append(_("Row %(i)d: enter text.") % {"i": i})
                break
            item = item.strip()
            if field in required and not item:
                errors.setdefault(name, []).append(
                    _("Row %(i)d: %(field)s is required.") % {"i": i, "field": field}
                )
            elif len(item) > limits.get(field, 500):
                errors.setdefault(name, []).append(
                    _("Row %(i)d: %(field)s is too long.") % {"i": i, "field": field}
                )
            clean[field] = item
        out.append(clean)
    return out


def _codes(errors: dict[str, list[str]], value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.setdefault("accident_types", []).append(_("Enter a list of GB 6441 codes."))
        return []
    unknown = [v for v in value if v not in ACCIDENT_TYPE_CODES]
    if unknown:
        errors.setdefault("accident_types", []).append(
            _("Unknown accident types: %(codes)s.") % {"codes": ", ".join(unknown[:5])}
        )
    return sorted({v for v in value if v in ACCIDENT_TYPE_CODES})


def _ids(errors: dict[str, list[str]], value: Any, name: str) -> list[int]:
    if value is None or value == "":
        return []
    if not isinstance(value, list | tuple):
        errors.setdefault(name, []).append(_("Enter a list of ids."))
        return []
    ids = [_id(v) for v in value]
    if any(i is None for i in ids):
        errors.setdefault(name, []).append(_("Enter a list of ids."))
        return []
    if len(ids) > MAX_LINKS:
        errors.setdefault(name, []).append(_("At most %(n)d.") % {"n": MAX_LINKS})
        return []
    return sorted({i for i in ids if i is not None})


CONTENT_FIELDS = (
    "kind",
    "title",
    "post",
    "summary",
    "accident_types",
    "response_levels",
    "roles",
    "risk_unit_ids",
    "installation_ids",
)


@dataclass
class Content:
    kind: str
    title: str
    post: str
    summary: str
    accident_types: list[str]
    response_levels: list[dict[str, str]]
    roles: list[dict[str, str]]
    risk_unit_ids: list[int]
    installation_ids: list[int]


def _content(enterprise_id: int, values: Mapping[str, Any]) -> Content:
    """Check a draft's content; every problem at once (ValidationFailed)."""
    errors: dict[str, list[str]] = {}
    unknown = set(values) - set(CONTENT_FIELDS)
    if unknown:
        errors["__all__"] = [_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))}]
    kind = values.get("kind")
    if kind not in PlanKind.values:
        errors["kind"] = [_("Choose a plan type.")]
    title = clean_text(errors, values.get("title"), "title", required=True, limit=TITLE_LIMIT)
    post = clean_text(errors, values.get("post"), "post", limit=POST_LIMIT)
    # 第十九条: a disposal card is made for a key post; the other kinds name none.
    if kind == PlanKind.CARD and not post and "post" not in errors:
        errors["post"] = [_("A disposal card names its post.")]
    elif kind in PlanKind.values and kind != PlanKind.CARD and post:
        errors["post"] = [_("Only a disposal card names a post.")]
    summary = clean_text(errors, values.get("summary"), "summary", limit=SUMMARY_LIMIT)
    types = _codes(errors, values.get("accident_types"))
    levels = _rows(
        errors,
        values.get("response_levels"),
        "response_levels",
        ("level", "condition", "actions"),
        ("level",),
        {"level": 16, "condition": 500, "actions": 2000},
    )
    roles = _rows(
        errors,
        values.get("roles"),
        "roles",
        ("role", "name", "phone"),
        ("role", "name"),
        {"role": 64, "name": 64, "phone": 32},
    )
    unit_ids = _ids(errors, values.get("risk_unit_ids"), "risk_unit_ids")
    inst_ids = _ids(errors, values.get("installation_ids"), "installation_ids")
    # Only the plan's own enterprise's units and installations.
    if unit_ids and RiskUnit.objects.filter(
        pk__in=unit_ids, enterprise_id=enterprise_id
    ).count() != len(unit_ids):
        errors.setdefault("risk_unit_ids", []).append(
            _("Choose risk units of the plan's own enterprise.")
        )
    if inst_ids and MajorHazardInstallation.objects.filter(
        pk__in=inst_ids, enterprise_id=enterprise_id
    ).count() != len(inst_ids):
        errors.setdefault("installation_ids", []).append(
            _("Choose installations of the plan's own enterprise.")
        )
    if errors:
        raise ValidationFailed(errors)
    return Content(kind, title, post, summary, types, levels, roles, unit_ids, inst_ids)


def _apply(plan: Plan, content: Content) -> None:
    plan.kind = content.kind
    plan.title = content.title
    plan.post = content.post
    plan.summary = content.summary
    plan.accident_types = content.accident_types
    plan.response_levels = content.response_levels
    plan.roles = content.roles


def _link_rows(plan: Plan, content: Content) -> None:
    plan.risk_units.set(content.risk_unit_ids)
    plan.installations.set(content.installation_ids)


def plan_create(*, actor: Actor, values: Mapping[str, Any]) -> Plan:
    """A new plan (version 1, draft) of the actor's own enterprise."""
    user = actor.user
    if not may_draft(user):
        raise Forbidden(_("Only an enterprise's principal or safety officer drafts its plans."))
    assert user is not None
    content = _content(user.enterprise_id, values)
    with transaction.atomic():
        plan = Plan(enterprise_id=user.enterprise_id, created_by=user, created_at=timezone.now())
        _apply(plan, content)
        plan.save()
        # The series is the first version's id.
        plan.series = plan.pk
        plan.save(update_fields=["series"])
        _link_rows(plan, content)
        _event(actor, plan, wf.CREATE, data={"kind": plan.kind, "title": plan.title})
        _audit(actor, "create", plan, f"plan {plan.pk} drafted", {"title": plan.title})
    return plan


def plan_update(*, actor: Actor, plan_id: Any, values: Mapping[str, Any]) -> Plan:
    """Change a draft's content (a signed version is changed by a revision only)."""
    with transaction.atomic():
        plan = _lock(actor, plan_id)
        _step(actor, plan, wf.EDIT)
        content = _content(plan.enterprise_id, values)
        _apply(plan, content)
        plan.save()
        _link_rows(plan, content)
        _event(actor, plan, wf.EDIT)
        _audit(actor, "edit", plan, f"plan {plan.pk} draft edited", {"title": plan.title})
    return plan


# --- the steps ---------------------------------------------------------------------------


def plan_sign(*, actor: Actor, plan_id: Any, issued_on: Any = None) -> Plan:
    """The principal signs and issues (第二十四条); filing is due 20 working days later
    (第二十六条), the evaluation 3 years later (第三十五条). Signing a revision supersedes
    the version it revises and answers the series' open revision triggers."""
    errors: dict[str, list[str]] = {}
    day = _today(issued_on, errors, "issued_on")
    with transaction.atomic():
        plan = _lock(actor, plan_id)
        _step(actor, plan, wf.SIGN)
        if errors:
            raise ValidationFailed(errors)
        previous = None
        if plan.previous_id:
            previous = Plan.objects.select_for_update(of=("self",)).get(pk=plan.previous_id)
            if previous.issued_on and day < previous.issued_on:
                raise ValidationFailed(
                    {"issued_on": [_("Not before the version it revises was issued.")]}
                )
        plan.state = wf.ISSUED
        plan.signed_by = actor.user
        plan.issued_on = day
        plan.filing_due = rules.filing_due(day)
        plan.evaluation_due = rules.evaluation_due(day)
        plan.save()
        resolved = list(
            RevisionTrigger.objects.filter(
                plan__series=plan.series, resolved_by__isnull=True
            ).values_list("pk", flat=True)
        )
        RevisionTrigger.objects.filter(pk__in=resolved).update(resolved_by=plan)
        data = {"issued_on": day, "filing_due": plan.filing_due, "triggers_resolved": resolved}
        _event(actor, plan, wf.SIGN, data=data)
        if previous is not None and previous.state in wf.IN_FORCE:
            old_state = previous.state
            previous.state = wf.SUPERSEDED
            previous.save(update_fields=["state"])
            _event(actor, previous, wf.SUPERSEDE, data={"from": old_state, "by": plan.pk})
        _audit(actor, "sign", plan, f"plan {plan.pk} signed, filing due {plan.filing_due}", data)
    return plan


def default_filing_authority(plan: Plan) -> tuple[Division | None, Department | None]:
    """The enterprise's county-level division and its emergency management department
    (第二十六条: 县级以上 应急管理部门, by level and territory)."""
    ancestors = scoping.ancestor_ids(plan.enterprise.division)
    county = (
        Division.objects.filter(pk__in=ancestors, level=DivisionLevel.COUNTY).first()
        if ancestors
        else None
    )
    if county is None:
        return None, None
    department = Department.objects.filter(division=county, kind=DepartmentKind.EMERGENCY).first()
    return county, department


def filing_authorities(plan: Plan) -> list[Department]:
    """The departments a plan may be filed with: those of the enterprise's county and
    above (县级以上), emergency management first."""
    ancestors = scoping.ancestor_ids(plan.enterprise.division)
    qs = Department.objects.filter(
        division_id__in=ancestors, division__level__in=tuple(FILING_LEVELS)
    ).select_related("division")
    rows = list(qs)
    rows.sort(key=lambda d: (d.kind != DepartmentKind.EMERGENCY, -len(d.division.code), d.name))
    return rows


def plan_submit(*, actor: Actor, plan_id: Any, department_id: Any = None) -> Plan:
    """Submit for filing (备案, 第二十六条) with a department of the county or above
    (default: the county's emergency management department; a resubmitted plan keeps
    the department it went to); the department checks it within 5 working days."""
    with transaction.atomic():
        plan = _lock(actor, plan_id)
        found = _step(actor, plan, wf.SUBMIT)
        department: Department | None
        if department_id not in (None, ""):
            pk = _id(department_id)
            department = next((d for d in filing_authorities(plan) if d.pk == pk), None)
            if department is None:
                raise ValidationFailed(
                    {"department_id": [_("Choose a department of the county or above.")]}
                )
        elif plan.filing_department_id:
            department = plan.filing_department
        else:
            department = default_filing_authority(plan)[1]
            if department is None:
                raise ValidationFailed(
                    {
                        "department_id": [
                            _(
                                "No emergency management department is registered "
                                "for the county; choose a department."
                            )
                        ]
                    }
                )
        assert department is not None
        from_state = plan.state
        today = timezone.localdate()
        plan.state = found.target
        plan.filing_department = department
        plan.filing_division_id = department.division_id
        plan.submitted_on = today
        plan.check_due = rules.check_due(today)
        plan.returned_reason = ""
        plan.save()
        data = {
            "from": from_state,
            "department": department.pk,
            "division": department.division_id,
            "submitted_on": today,
            "check_due": plan.check_due,
            "late": bool(plan.filing_due and today > plan.filing_due),
        }
        _event(actor, plan, wf.SUBMIT, data=data)
        _audit(actor, "submit", plan, f"plan {plan.pk} submitted to {department.name}", data)
        notify(
            recipients=User.objects.filter(
                role=Role.DEPARTMENT_OFFICER, department_id=department.pk
            ),
            kind=NotificationKind.ASSIGNMENT,
            title=_("Emergency plan submitted for filing: %(title)s") % {"title": plan.title},
            body=_("%(enterprise)s; check by %(due)s.")
            % {"enterprise": plan.enterprise.name, "due": plan.check_due},
            link=_link(plan),
            object_label=str(plan),
        )
    return plan


def plan_file(*, actor: Actor, plan_id: Any, filing_number: Any) -> Plan:
    """The department files the plan and gives its filing number (备案编号)."""
    errors: dict[str, list[str]] = {}
    number = clean_text(
        errors, filing_number, "filing_number", required=True, limit=FILING_NUMBER_LIMIT
    )
    with transaction.atomic():
        plan = _lock(actor, plan_id)
        _step(actor, plan, wf.FILE)
        if errors:
            raise ValidationFailed(errors)
        plan.state = wf.FILED
        plan.filed_on = timezone.localdate()
        plan.filed_by = actor.user
        plan.filing_number = number
        plan.deemed_filed = False
        plan.save()
        data = {"filing_number": number, "filed_on": plan.filed_on}
        _event(actor, plan, wf.FILE, data=data)
        _audit(actor, "file", plan, f"plan {plan.pk} filed as {number}", data)
        notify(
            recipients=_unit_people(plan.enterprise_id),
            kind=NotificationKind.DECISION,
            title=_("Emergency plan filed: %(title)s") % {"title": plan.title},
            body=_("Filing number %(number)s.") % {"number": number},
            link=_link(plan),
            object_label=str(plan),
        )
    return plan


def plan_return(*, actor: Actor, plan_id: Any, missing: Any) -> Plan:
    """The department returns the plan, stating every missing material at once
    (一次性告知); the unit completes them and submits again."""
    errors: dict[str, list[str]] = {}
    reason = clean_text(errors, missing, "missing", required=True, limit=NOTE_LIMIT)
    with transaction.atomic():
        plan = _lock(actor, plan_id)
        _step(actor, plan, wf.RETURN)
        if errors:
            raise ValidationFailed(errors)
        plan.state = wf.RETURNED
        plan.returned_reason = reason
        plan.save()
        _event(actor, plan, wf.RETURN, note=reason)
        _audit(actor, "return", plan, f"plan {plan.pk} returned", {"missing": reason})
        notify(
            recipients=_unit_people(plan.enterprise_id),
            kind=NotificationKind.DECISION,
            title=_("Emergency plan returned for missing materials: %(title)s")
            % {"title": plan.title},
            body=reason,
            link=_link(plan),
            object_label=str(plan),
        )
    return plan


def plan_revise(*, actor: Actor, plan_id: Any) -> Plan:
    """Start the next version (第三十六条): a draft with the content of this one, in the
    same series; this version stays in force until the new one is signed."""
    with transaction.atomic():
        old = _lock(actor, plan_id)
        _step(actor, old, wf.REVISE)
        if is_revised(old):
            raise Conflict(_("This version is being revised already; open the newer version."))
        new = Plan.objects.create(
            enterprise_id=old.enterprise_id,
            kind=old.kind,
            title=old.title,
            series=old.series,
            version=old.version + 1,
            previous=old,
            post=old.post,
            summary=old.summary,
            accident_types=list(old.accident_types),
            response_levels=list(old.response_levels),
            roles=list(old.roles),
            state=wf.DRAFT,
            created_by=actor.user,
            created_at=timezone.now(),
        )
        new.risk_units.set(old.risk_units.all())
        new.installations.set(old.installations.all())
        _event(actor, new, wf.CREATE, data={"revises": old.pk, "version": new.version})
        _event(actor, old, wf.REVISE, data={"new_version": new.pk})
        _audit(actor, "revise", new, f"plan {old.pk} revised as {new.pk}", {"revises": old.pk})
    return new


def plan_evaluate(
    *,
    actor: Actor,
    plan_id: Any,
    evaluated_on: Any = None,
    conclusion: Any = "",
    needs_revision: bool = False,
) -> Plan:
    """Record the periodic evaluation (第三十五条): the next is due 3 years later; when
    it asks for a revision, a revision trigger is raised (reason "evaluation")."""
    errors: dict[str, list[str]] = {}
    day = _today(evaluated_on, errors, "evaluated_on")
    note = clean_text(errors, conclusion, "conclusion", limit=NOTE_LIMIT)
    if not isinstance(needs_revision, bool):
        errors["needs_revision"] = [_("Yes or no.")]
    with transaction.atomic():
        plan = _lock(actor, plan_id)
        _step(actor, plan, wf.EVALUATE)
        if plan.issued_on and day < plan.issued_on and "evaluated_on" not in errors:
            errors["evaluated_on"] = [_("Not before the plan was issued.")]
        if errors:
            raise ValidationFailed(errors)
        plan.evaluated_on = day
        plan.evaluation_due = rules.evaluation_due(day)
        plan.save()
        data = {
            "evaluated_on": day,
            "evaluation_due": plan.evaluation_due,
            "needs_revision": needs_revision,
        }
        _event(actor, plan, wf.EVALUATE, note=note, data=data)
        _audit(actor, "evaluate", plan, f"plan {plan.pk} evaluated", data)
        if needs_revision:
            _raise_trigger(actor, plan, RevisionReason.EVALUATION, note, None, None)
    return plan


def _raise_trigger(
    actor: Actor,
    plan: Plan,
    reason: str,
    note: str,
    drill_id: int | None,
    accident_id: int | None,
) -> RevisionTrigger:
    trigger = RevisionTrigger.objects.create(
        plan=plan,
        reason=reason,
        note=note,
        raised_by=actor.user,
        raised_at=timezone.now(),
        drill_id=drill_id,
        accident_id=accident_id,
    )
    data = {"trigger": trigger.pk, "reason": reason, "drill": drill_id, "accident": accident_id}
    _event(actor, plan, wf.TRIGGER, note=note, data=data)
    _audit(actor, "trigger", plan, f"plan {plan.pk} revision trigger: {reason}", data)
    return trigger


def revision_trigger_raise(
    *,
    actor: Actor,
    plan_id: int,
    reason: str,
    note: str = "",
    drill_id: int | None = None,
    accident_id: int | None = None,
) -> RevisionTrigger:
    """Raise a reason to revise the plan (第三十六条): a law, organisation, risk or
    resources change, a drill's or a real response's lessons, the evaluation, or the
    unit's own decision. By the unit (principal, safety officer) or a regulator who sees
    the plan; a drill or an accident named must be of the plan's enterprise. Answered
    when the next version of the plan is signed."""
    errors: dict[str, list[str]] = {}
    if reason not in RevisionReason.values:
        errors["reason"] = [_("Choose a reason.")]
    text = clean_text(errors, note, "note", limit=NOTE_LIMIT)
    drill_pk = _id(drill_id) if drill_id is not None else None
    if drill_id is not None and drill_pk is None:
        errors["drill_id"] = [_("Enter an id.")]
    accident_pk = _id(accident_id) if accident_id is not None else None
    if accident_id is not None and accident_pk is None:
        errors["accident_id"] = [_("Enter an id.")]
    if actor.user is None:
        raise Forbidden(_("A revision trigger is raised by a person."))
    with transaction.atomic():
        plan = _lock(actor, plan_id)
        _step(actor, plan, wf.TRIGGER)
        if errors:
            raise ValidationFailed(errors)
        if drill_pk is not None:
            from .models import Drill

            if not Drill.objects.filter(pk=drill_pk, enterprise_id=plan.enterprise_id).exists():
                raise ValidationFailed({"drill_id": [_("A drill of the plan's enterprise.")]})
        if accident_pk is not None:
            from anjian.accidents.models import Accident

            if not scoping.visible(actor.user, Accident).filter(pk=accident_pk).exists():
                raise ValidationFailed({"accident_id": [_("No such accident in your scope.")]})
        return _raise_trigger(actor, plan, reason, text, drill_pk, accident_pk)


# --- the job -----------------------------------------------------------------------------


def plans_deem_filed(today: dt.date | None = None) -> int:
    """Submitted plans whose check deadline passed without an answer count as filed
    (备案 review, standards.md A10). Idempotent: each plan moves by a conditional update,
    so a second run (or two at once) changes nothing more. Returns how many moved."""
    today = today or timezone.localdate()
    actor = Actor.system("job", "plans_deem_filed")
    moved = 0
    candidates = list(
        Plan.objects.filter(state=wf.SUBMITTED, check_due__lt=today).values_list("pk", flat=True)
    )
    for pk in candidates:
        with transaction.atomic():
            changed = Plan.objects.filter(pk=pk, state=wf.SUBMITTED, check_due__lt=today).update(
                state=wf.FILED, deemed_filed=True, filed_on=today
            )
            if not changed:
                continue
            plan = Plan.objects.select_related("enterprise").get(pk=pk)
            data = {"check_due": plan.check_due, "filed_on": today}
            _event(actor, plan, wf.DEEM_FILED, data=data)
            _audit(actor, "deem_filed", plan, f"plan {pk} counts as filed", data)
            notify(
                recipients=_unit_people(plan.enterprise_id),
                kind=NotificationKind.DECISION,
                title=_("Emergency plan counts as filed: %(title)s") % {"title": plan.title},
                body=_("The department did not answer by %(due)s.") % {"due": plan.check_due},
                link=_link(plan),
                object_label=str(plan),
            )
            moved += 1
    return moved

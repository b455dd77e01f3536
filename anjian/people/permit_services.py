"""Writes and reads of special-work permits (issue 15 item 6; standards.md A14,
GB 30871-2022): `permit_apply`, `permit_issue` (which ends in `refused` when an operator
has no valid 特种作业操作证 of the kind's category or the gas analysis does not pass),
`permit_start`, `permit_close`, `permit_cancel` and `gas_analysis_add`. The table of
steps is permit_workflow.py; the numbers are permit_rules.py's.

Each step, in one transaction: the permit must be in the actor's scope (else NotFound), it
is locked, a wrong state is a Conflict, a wrong party Forbidden; then the change, an event
row (PermitEvent, never edited), an audit entry and the notifications (on commit).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import ENTERPRISE_ROLES, REGULATOR_ROLES, Role, User
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.inputs import clean_text
from anjian.core.models import NotificationKind
from anjian.core.notify import notify
from anjian.risks.models import RiskUnit

from . import permit_rules as rules
from . import permit_workflow as wf
from .models import (
    Certificate,
    CertificateKind,
    GasAnalysis,
    Permit,
    PermitEvent,
    PermitKind,
    PermitState,
    Worker,
)
from .training_rules import certificate_status

UNIT_ROLES = frozenset({Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER})
PLACE_LIMIT = 255
CONTENT_LIMIT = 4000
NOTE_LIMIT = 2000
MAX_OPERATORS = 50
MAX_TOXIC = 20
NUMBER_PREFIX = {
    rules.HOT_WORK: "DH",
    rules.CONFINED_SPACE: "SX",
    rules.BLIND_PLATE: "MB",
    rules.HEIGHT: "GC",
    rules.LIFTING: "DZ",
    rules.TEMPORARY_POWER: "LD",
    rules.EARTHWORK: "DT",
    rules.ROAD_CLOSURE: "DL",
}
# Certificate states usable for work (training_rules: review_due is still in force).
USABLE = frozenset({"valid", "review_due"})


# --- labels ------------------------------------------------------------------------------


def action_labels() -> dict[str, str]:
    return {
        wf.APPLY: _("permit applied for"),
        wf.ISSUE: _("issue the permit"),
        wf.REFUSE: _("permit refused"),
        wf.START: _("start the work"),
        wf.CLOSE: _("close: work done, site checked"),
        wf.CANCEL: _("cancel the permit"),
        wf.ANALYSE: _("gas analysis recorded"),
    }


def licence_labels() -> dict[str, str]:
    return {
        "valid": _("licence: valid"),
        "review_due": _("licence: review due"),
        "expired": _("licence: expired"),
        "revoked": _("licence: revoked"),
        "missing": _("licence: none"),
        "wrong_category": _("licence: wrong category"),
    }


def grade_label(kind: str, grade: str) -> str:
    return rules.GRADE_NAMES.get((kind, grade), "")


def finding_text(f: Mapping[str, Any]) -> str:
    """One gas finding in words (the numbers are the data's)."""
    code = f.get("code")
    if code == "combustible":
        return _("combustible gas %(value)s %% (limit %(limit)s %%, LEL %(lel)s %%)") % f
    if code == "oxygen":
        return _("oxygen %(value)s %% (allowed %(min)s–%(max)s %%)") % f
    if code == "toxic":
        return _("%(name)s %(value)s (limit %(limit)s %(unit)s)") % f
    if code == "timing":
        return _("sampled %(minutes_before)s minutes before the work (at most 30)") % f
    return {
        "combustible_missing": _("combustible gas not measured"),
        "lel_missing": _("the gas's lower explosive limit not given"),
        "oxygen_missing": _("oxygen not measured"),
        "toxic_incomplete": _("a toxic gas without its value or limit"),
        "continuous_monitoring": _("special-grade hot work: monitor the gas continuously"),
    }.get(str(code), str(code))


# --- reading -----------------------------------------------------------------------------


def visible_permits(user: Any) -> QuerySet[Permit]:
    return scoping.visible(user, Permit)


def is_regulator(user: Any) -> bool:
    return bool(scoping.is_active_user(user) and user.role in REGULATOR_ROLES)


def may_apply(user: Any) -> bool:
    return bool(
        scoping.is_active_user(user) and user.role in ENTERPRISE_ROLES and user.enterprise_id
    )


def parties(user: Any, permit: Permit) -> frozenset[str]:
    if not scoping.is_active_user(user) or user.enterprise_id != permit.enterprise_id:
        return frozenset()
    if user.role in UNIT_ROLES:
        return frozenset({wf.UNIT, wf.STAFF})
    if user.role in ENTERPRISE_ROLES:
        return frozenset({wf.STAFF})
    return frozenset()


def available(user: Any, permit: Permit) -> list[str]:
    return wf.available(permit.state, parties(user, permit))


def get_permit(user: Any, permit_id: Any) -> Permit:
    pk = _id(permit_id)
    permit = (
        visible_permits(user).select_related("enterprise", "guardian", "risk_unit").filter(pk=pk)
        if pk
        else None
    )
    found = permit.first() if permit is not None else None
    if found is None:
        raise NotFound(_("No such permit in your scope."))
    return found


def search_permits(user: Any, params: Mapping[str, Any], now: dt.datetime | None = None):
    """Permits in scope, today's and open ones first, then the newest."""
    now = now or timezone.now()
    qs = visible_permits(user).select_related("enterprise", "guardian")
    state = params.get("state") or ""
    if state in PermitState.values:
        qs = qs.filter(state=state)
    kind = params.get("kind") or ""
    if kind in PermitKind.values:
        qs = qs.filter(kind=kind)
    enterprise = _id(params.get("enterprise"))
    if enterprise is not None:
        qs = qs.filter(enterprise_id=enterprise)
    start, end = _day_window(timezone.localdate(now))
    today_q = Q(planned_start__lt=end, planned_end__gte=start)
    return qs.annotate(
        _first=Case(
            When(today_q & Q(state__in=tuple(wf.OPEN)), then=Value(0)),
            When(state__in=tuple(wf.OPEN), then=Value(1)),
            When(today_q, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    ).order_by("_first", "planned_start", "-pk")


@dataclass(frozen=True)
class EnterpriseRow:
    enterprise_id: int
    name: str
    open: int
    today: int
    refused: int
    refused_unlicensed: int


def regulator_overview(user: Any, now: dt.datetime | None = None) -> list[EnterpriseRow]:
    """Per enterprise in the regulator's scope: open permits, today's, refusals and
    refusals for unlicensed operators (unlicensed special work caught)."""
    if not is_regulator(user) and not (
        scoping.is_active_user(user) and user.role == Role.PLATFORM_ADMIN
    ):
        raise Forbidden(_("Only regulators see the permits across enterprises."))
    now = now or timezone.now()
    start, end = _day_window(timezone.localdate(now))
    rows = (
        visible_permits(user)
        .values("enterprise_id", "enterprise__name")
        .annotate(
            # distinct: the events join of the last count repeats each permit's row.
            open=Count("pk", filter=Q(state__in=tuple(wf.OPEN)), distinct=True),
            today=Count(
                "pk", filter=Q(planned_start__lt=end, planned_end__gte=start), distinct=True
            ),
            refused=Count("pk", filter=Q(state=wf.REFUSED), distinct=True),
            refused_unlicensed=Count(
                "pk",
                filter=Q(state=wf.REFUSED, events__action=wf.REFUSE, events__data__unlicensed=True),
                distinct=True,
            ),
        )
        .order_by("-refused_unlicensed", "enterprise__name")
    )
    return [
        EnterpriseRow(
            r["enterprise_id"],
            r["enterprise__name"],
            r["open"],
            r["today"],
            r["refused"],
            r["refused_unlicensed"],
        )
        for r in rows
    ]


def _day_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def permit_counts(enterprise_id: int, day: dt.date) -> dict[str, int]:
    """The day's special work as the daily commitment notice (风险研判与承诺公告,
    anjian.commitments DailyCommitment) counts it, keyed by its field names: the permits
    issued, under way or closed whose planned time touches the day (refused, cancelled
    and never-issued drafts are no work)."""
    return permit_counts_many([enterprise_id], day)[enterprise_id]


def _zero_counts() -> dict[str, int]:
    out = dict.fromkeys(COUNT_FIELDS.values(), 0)
    out.update(hot_work_special=0, hot_work_first=0, hot_work_second=0)
    return out


def permit_counts_many(enterprise_ids: Iterable[int], day: dt.date) -> dict[int, dict[str, int]]:
    """permit_counts for many enterprises in one grouped query (a board of notices)."""
    ids = sorted(set(enterprise_ids))
    out = {eid: _zero_counts() for eid in ids}
    if not ids:
        return out
    start, end = _day_window(day)
    rows = (
        Permit.objects.filter(
            enterprise_id__in=ids,
            state__in=(wf.ISSUED, wf.WORKING, wf.CLOSED),
            planned_start__lt=end,
            planned_end__gte=start,
        )
        .values("enterprise_id", "kind", "grade")
        .annotate(n=Count("pk"))
    )
    hot = {
        rules.SPECIAL: "hot_work_special",
        rules.FIRST: "hot_work_first",
        rules.SECOND: "hot_work_second",
    }
    for r in rows:
        counts = out[r["enterprise_id"]]
        if r["kind"] == rules.HOT_WORK:
            key = hot.get(r["grade"])
            if key:
                counts[key] += r["n"]
        elif r["kind"] in COUNT_FIELDS:
            counts[COUNT_FIELDS[r["kind"]]] += r["n"]
    return out


# Permit kind → DailyCommitment field (hot work goes by grade).
COUNT_FIELDS = {
    rules.CONFINED_SPACE: "confined_space",
    rules.BLIND_PLATE: "blind_plate",
    rules.HEIGHT: "work_at_height",
    rules.LIFTING: "lifting",
    rules.TEMPORARY_POWER: "temporary_power",
    rules.EARTHWORK: "excavation",
    rules.ROAD_CLOSURE: "road_closure",
}


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
    actor: Actor,
    permit: Permit,
    action: str,
    *,
    note: str = "",
    data: Mapping[str, Any] | None = None,
) -> PermitEvent:
    return PermitEvent.objects.create(
        permit=permit,
        action=action,
        actor=actor.user,
        at=timezone.now(),
        note=note,
        data=_jsonable({"state": permit.state, **dict(data or {})}),
    )


def _audit(actor: Actor, action: str, permit: Permit, summary: str, changes: Mapping[str, Any]):
    audit_append(
        actor=actor,
        action=f"people_permit_{action}",
        obj=permit,
        summary=summary,
        changes=_jsonable(changes),
    )


def _lock(actor: Actor, permit_id: Any) -> Permit:
    pk = _id(permit_id)
    if pk is None or not visible_permits(actor.user).filter(pk=pk).exists():
        raise NotFound(_("No such permit in your scope."))
    return Permit.objects.select_for_update(of=("self",)).get(pk=pk)


def _step(actor: Actor, permit: Permit, action: str) -> wf.Transition:
    found = wf.step(permit.state, action)
    if found is None:
        raise Conflict(
            _("Cannot %(action)s: the permit is %(state)s.")
            % {"action": action_labels()[action], "state": permit.get_state_display()}
        )
    if not found.parties & parties(actor.user, permit):
        raise Forbidden(
            _("Only the enterprise's principal or safety officer may do this.")
            if found.parties == frozenset({wf.UNIT})
            else _("Only the enterprise's own staff may do this.")
        )
    return found


def _datetime(errors: dict[str, list[str]], value: Any, name: str) -> dt.datetime | None:
    moment: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        errors.setdefault(name, []).append(_("Enter a date and time (YYYY-MM-DD HH:MM)."))
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment.year < 2000 or moment.year > 2100:
        errors.setdefault(name, []).append(_("Enter a date between 2000 and 2100."))
        return None
    return moment


def _unit_people(enterprise_id: int) -> QuerySet[User]:
    return User.objects.filter(enterprise_id=enterprise_id, role__in=tuple(UNIT_ROLES))


def _link(permit: Permit) -> str:
    return reverse("people:permit", args=[permit.pk])


def _tell(recipients: list[User | None], title: str, permit: Permit) -> None:
    # The label names the work, not the permit number (a Latin-lettered code in the
    # notification text; the permit page shows the number as a code).
    link, label = _link(permit), f"{permit.get_kind_display()} #{permit.pk}"
    transaction.on_commit(
        lambda: notify(
            recipients=recipients,
            kind=NotificationKind.DECISION,
            title=title,
            link=link,
            object_label=label,
        )
    )


# --- apply ---------------------------------------------------------------------------------

APPLY_FIELDS = (
    "kind",
    "grade",
    "height_m",
    "load_t",
    "place",
    "content",
    "risk_unit",
    "planned_start",
    "planned_end",
    "workers",
    "guardian",
)


def _grade(errors: dict[str, list[str]], kind: str, values: Mapping[str, Any]) -> str:
    grade = values.get("grade") or ""
    if not isinstance(grade, str):
        errors["grade"] = [_("Choose a grade.")]
        return ""
    derived = ""
    for name, fn in (("height_m", rules.height_grade), ("load_t", rules.lifting_grade)):
        raw = values.get(name)
        if raw in (None, ""):
            continue
        if (name == "height_m") != (kind == rules.HEIGHT) or kind not in (
            rules.HEIGHT,
            rules.LIFTING,
        ):
            errors[name] = [_("Only for this kind of work's grade.")]
            continue
        number = rules.decimal(raw)
        if number is None:
            errors[name] = [_("Enter a number.")]
            continue
        try:
            derived = fn(number)
        except rules.RuleError as e:
            errors[name] = [
                _("Below 2 m is not work at height.")
                if e.code == "below_2m"
                else _("Enter a load above 0 t.")
            ]
    if not rules.needs_grade(kind):
        if grade:
            errors["grade"] = [_("This kind of work has no grade.")]
        return ""
    if derived and grade and grade != derived:
        errors["grade"] = [_("The grade does not match the height or load given.")]
    grade = grade or derived
    if grade not in rules.GRADES[kind] and "grade" not in errors:
        errors.setdefault("grade", []).append(
            _("Choose a grade (or give the height or load to derive it).")
        )
    return grade


def _worker_ids(errors: dict[str, list[str]], value: Any) -> list[int]:
    if isinstance(value, int | str) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list | tuple) or not value:
        errors["workers"] = [_("Name at least one operator.")]
        return []
    ids = [_id(v) for v in value]
    if any(i is None for i in ids) or len(ids) > MAX_OPERATORS:
        errors["workers"] = [_("Enter a list of worker ids.")]
        return []
    return sorted({i for i in ids if i is not None})


@transaction.atomic
def permit_apply(*, actor: Actor, values: Mapping[str, Any]) -> Permit:
    """A new permit (draft) of the actor's enterprise; every problem at once."""
    user = actor.user
    if not may_apply(user):
        raise Forbidden(_("Only an enterprise's staff apply for its special-work permits."))
    enterprise_id = user.enterprise_id
    errors: dict[str, list[str]] = {}
    unknown = set(values) - set(APPLY_FIELDS)
    if unknown:
        errors["__all__"] = [_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))}]
    kind = values.get("kind")
    if kind not in PermitKind.values:
        errors["kind"] = [_("Choose a kind of special work.")]
        kind = ""
    grade = _grade(errors, kind, values) if kind else ""
    place = clean_text(errors, values.get("place"), "place", required=True, limit=PLACE_LIMIT)
    content = clean_text(
        errors, values.get("content"), "content", required=True, limit=CONTENT_LIMIT
    )
    risk_unit = None
    if values.get("risk_unit") not in (None, ""):
        ru = _id(values.get("risk_unit"))
        risk_unit = (
            RiskUnit.objects.filter(pk=ru, enterprise_id=enterprise_id).first() if ru else None
        )
        if risk_unit is None:
            errors["risk_unit"] = [_("Choose a risk unit of your enterprise.")]
    start = _datetime(errors, values.get("planned_start"), "planned_start")
    end = _datetime(errors, values.get("planned_end"), "planned_end")
    if start and end:
        limit = rules.validity_limit(kind, grade)
        if end <= start:
            errors["planned_end"] = [_("The end must be after the start.")]
        elif limit is not None and end - start > limit:
            # GB 30871-2022 动火: 特级/一级 ≤ 8 h, 二级 ≤ 72 h (permit_rules).
            errors["planned_end"] = [
                _("This permit may run at most %(h)d hours.")
                % {"h": int(limit.total_seconds() // 3600)}
            ]
    ids = _worker_ids(errors, values.get("workers"))
    workers = list(Worker.objects.filter(pk__in=ids, enterprise_id=enterprise_id, active=True))
    if ids and len(workers) != len(ids):
        errors["workers"] = [_("Choose employed workers of your enterprise.")]
    guardian = None
    gid = _id(values.get("guardian"))
    if gid is None:
        errors["guardian"] = [_("Name the guardian (监护人).")]
    else:
        guardian = Worker.objects.filter(pk=gid, enterprise_id=enterprise_id, active=True).first()
        if guardian is None:
            errors["guardian"] = [_("Choose an employed worker of your enterprise.")]
        elif gid in ids:
            # The guardian watches the work and does not do it.
            errors["guardian"] = [_("The guardian may not be one of the operators.")]
    if errors:
        raise ValidationFailed(errors)
    permit = Permit.objects.create(
        enterprise_id=enterprise_id,
        kind=kind,
        grade=grade,
        place=place,
        content=content,
        risk_unit=risk_unit,
        guardian=guardian,
        planned_start=start,
        planned_end=end,
        applied_by=user,
        applied_at=timezone.now(),
    )
    permit.workers.set(workers)
    permit.number = f"{NUMBER_PREFIX[kind]}{start:%Y%m%d}-{permit.pk:04d}"
    permit.save(update_fields=["number"])
    data = {
        "kind": kind,
        "grade": grade,
        "height_m": values.get("height_m") or None,
        "load_t": values.get("load_t") or None,
        "workers": [w.pk for w in workers],
        "guardian": guardian.pk if guardian else None,
    }
    _event(actor, permit, wf.APPLY, data=data)
    _audit(actor, "apply", permit, f"permit {permit.number} applied", data)
    return permit


# --- issue (or refuse) ---------------------------------------------------------------------


@dataclass(frozen=True)
class LicenceCheck:
    worker_id: int
    worker_name: str
    status: str  # valid / review_due / expired / revoked / missing / wrong_category
    certificate: str


def licence_checks(permit: Permit) -> list[LicenceCheck]:
    """Each operator's 特种作业操作证 of the kind's category on the planned days; empty
    when the kind needs none (permit_rules.CERTIFICATE_CATEGORY)."""
    category = rules.certificate_category(permit.kind)
    if not category:
        return []
    days = (timezone.localdate(permit.planned_start), timezone.localdate(permit.planned_end))
    out = []
    for worker in permit.workers.order_by("pk"):
        certs = list(
            Certificate.objects.filter(worker=worker, kind=CertificateKind.SPECIAL_WORK).order_by(
                "-expires_on", "pk"
            )
        )
        right = [c for c in certs if c.category == category]
        if not certs:
            out.append(LicenceCheck(worker.pk, worker.name, "missing", ""))
            continue
        if not right:
            out.append(LicenceCheck(worker.pk, worker.name, "wrong_category", certs[0].number))
            continue
        best: tuple[str, str] | None = None
        for c in right:
            states = [certificate_status(c.expires_on, c.review_due, c.state, d) for d in days]
            # The worse of the two days decides (a certificate must hold the whole work).
            worst = next((s for s in ("revoked", "expired") if s in states), states[-1])
            if worst in USABLE:
                best = (worst, c.number)
                break
            best = best or (worst, c.number)
        assert best is not None
        out.append(LicenceCheck(worker.pk, worker.name, best[0], best[1]))
    return out


def latest_analysis(permit: Permit) -> GasAnalysis | None:
    return permit.analyses.order_by("-sampled_at", "-pk").first()


@transaction.atomic
def permit_issue(*, actor: Actor, permit_id: Any) -> Permit:
    """Issue the permit, or refuse it (state `refused`, reasons listed) when an operator
    has no valid certificate of the right category or the gas analysis does not pass."""
    permit = _lock(actor, permit_id)
    _step(actor, permit, wf.ISSUE)
    reasons: list[str] = []
    unlicensed = [c for c in licence_checks(permit) if c.status not in USABLE]
    status_words = {
        "missing": _("no special-work certificate"),
        "wrong_category": _("no certificate of the category %(c)s")
        % {"c": rules.certificate_category(permit.kind)},
        "expired": _("certificate expired or review overdue"),
        "revoked": _("certificate revoked"),
    }
    for c in unlicensed:
        reasons.append(
            _("Unlicensed special work: %(name)s — %(why)s.")
            % {"name": c.worker_name, "why": status_words.get(c.status, c.status)}
        )
    gas_problem = ""
    if rules.needs_gas(permit.kind):
        last = latest_analysis(permit)
        if last is None:
            gas_problem = "missing"
            reasons.append(_("No gas analysis recorded."))
        elif not last.passed:
            gas_problem = "failed"
            reasons.append(_("The latest gas analysis is outside the limits."))
    now = timezone.now()
    if reasons:
        wf.step(permit.state, wf.REFUSE)
        permit.state = wf.REFUSED
        permit.refusal = "\n".join(reasons)
        permit.issued_by = actor.user
        permit.issued_at = now
        permit.save(update_fields=["state", "refusal", "issued_by", "issued_at"])
        data = {
            "unlicensed": bool(unlicensed),
            "operators": [
                {"worker": c.worker_id, "status": c.status, "certificate": c.certificate}
                for c in unlicensed
            ],
            "gas": gas_problem,
        }
        _event(actor, permit, wf.REFUSE, note=permit.refusal, data=data)
        _audit(actor, "refuse", permit, f"permit {permit.number} refused", data)
        _tell([permit.applied_by], _("Special-work permit refused"), permit)
        return permit
    permit.state = wf.ISSUED
    permit.issued_by = actor.user
    permit.issued_at = now
    permit.save(update_fields=["state", "issued_by", "issued_at"])
    _event(actor, permit, wf.ISSUE)
    _audit(actor, "issue", permit, f"permit {permit.number} issued", {"state": wf.ISSUED})
    _tell([permit.applied_by], _("Special-work permit issued"), permit)
    return permit


# --- start, close, cancel --------------------------------------------------------------------


@transaction.atomic
def permit_start(*, actor: Actor, permit_id: Any, now: dt.datetime | None = None) -> Permit:
    """The work begins: within the planned time and, where gas is required, on an
    analysis sampled in the last 30 minutes that passes (else record a fresh one)."""
    permit = _lock(actor, permit_id)
    _step(actor, permit, wf.START)
    now = now or timezone.now()
    if now > permit.planned_end:
        raise Conflict(_("The permit's time is over: apply for a new permit."))
    if now < permit.planned_start - rules.GAS_WINDOW:
        raise ValidationFailed({"__all__": [_("The planned start has not come yet.")]})
    data: dict[str, Any] = {}
    if rules.needs_gas(permit.kind):
        last = latest_analysis(permit)
        if last is None or not rules.fresh(last.sampled_at, now):
            raise ValidationFailed(
                {"analysis": [_("Record a gas analysis sampled in the last 30 minutes.")]}
            )
        verdict = rules.gas_verdict(permit.kind, permit.grade, _analysis_of(last), now)
        if not verdict.passed:
            raise ValidationFailed({"analysis": [_("The gas analysis is outside the limits.")]})
        data = {"analysis": last.pk, "findings": verdict.findings}
    permit.state = wf.WORKING
    permit.started_at = now
    permit.save(update_fields=["state", "started_at"])
    _event(actor, permit, wf.START, data=data)
    _audit(actor, "start", permit, f"permit {permit.number} work started", data)
    return permit


@transaction.atomic
def permit_close(
    *, actor: Actor, permit_id: Any, site_checked: Any = False, note: Any = ""
) -> Permit:
    """The work done and the site checked (完工验收)."""
    permit = _lock(actor, permit_id)
    _step(actor, permit, wf.CLOSE)
    errors: dict[str, list[str]] = {}
    text = clean_text(errors, note, "note", limit=NOTE_LIMIT)
    if site_checked is not True:
        errors["site_checked"] = [_("Check the site before closing the permit.")]
    if errors:
        raise ValidationFailed(errors)
    permit.state = wf.CLOSED
    permit.closed_at = timezone.now()
    permit.closed_by = actor.user
    permit.save(update_fields=["state", "closed_at", "closed_by"])
    _event(actor, permit, wf.CLOSE, note=text, data={"site_checked": True})
    _audit(actor, "close", permit, f"permit {permit.number} closed", {"note": text})
    return permit


@transaction.atomic
def permit_cancel(*, actor: Actor, permit_id: Any, reason: Any = "") -> Permit:
    permit = _lock(actor, permit_id)
    _step(actor, permit, wf.CANCEL)
    errors: dict[str, list[str]] = {}
    text = clean_text(
        errors,
        reason,
        "reason",
        required=True,
        missing=_("Say why the permit is cancelled."),
        limit=NOTE_LIMIT,
    )
    if errors:
        raise ValidationFailed(errors)
    permit.state = wf.CANCELLED
    permit.closed_at = timezone.now()
    permit.closed_by = actor.user
    permit.save(update_fields=["state", "closed_at", "closed_by"])
    _event(actor, permit, wf.CANCEL, note=text)
    _audit(actor, "cancel", permit, f"permit {permit.number} cancelled", {"reason": text})
    if permit.applied_by_id != getattr(actor.user, "pk", None):
        _tell([permit.applied_by], _("Special-work permit cancelled"), permit)
    return permit


# --- gas analyses ---------------------------------------------------------------------------

ANALYSIS_FIELDS = (
    "sampled_at",
    "point",
    "oxygen_pct",
    "combustible_pct",
    "combustible_lel_pct",
    "toxic",
    "analyst",
    "enriched_air",
)


def _analysis_of(row: GasAnalysis) -> rules.Analysis:
    enriched = any(f.get("code") == "oxygen" and f.get("enriched_air") for f in row.findings)
    return rules.Analysis(
        sampled_at=row.sampled_at,
        oxygen_pct=row.oxygen_pct,
        combustible_pct=row.combustible_pct,
        combustible_lel_pct=row.combustible_lel_pct,
        toxic=row.toxic,
        enriched_air=enriched,
    )


def _pct(errors: dict[str, list[str]], value: Any, name: str, places: int):
    if value is None or value == "":
        return None
    number = rules.decimal(value)
    if number is None or number < 0 or number > 100:
        errors[name] = [_("Enter a percentage between 0 and 100.")]
        return None
    if number != number.quantize(rules.Decimal(1).scaleb(-places)):
        errors[name] = [_("At most %(n)d decimal places.") % {"n": places}]
        return None
    return number


def _toxic(errors: dict[str, list[str]], value: Any) -> list[dict[str, str]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > MAX_TOXIC:
        errors["toxic"] = [_("Enter a list of toxic gases.")]
        return []
    out = []
    for row in value:
        if not isinstance(row, Mapping) or set(row) - {"name", "value", "limit", "unit"}:
            errors["toxic"] = [_("Each toxic gas: name, value, limit, unit.")]
            return []
        name = str(row.get("name") or "").strip()[:64]
        v, lim = rules.decimal(row.get("value")), rules.decimal(row.get("limit"))
        if not name or v is None or lim is None or v < 0 or lim <= 0:
            # GBZ 2.1 limits are the analyst's to enter: none is assumed.
            errors["toxic"] = [_("Each toxic gas needs its name, value and limit.")]
            return []
        out.append(
            {"name": name, "value": str(v), "limit": str(lim), "unit": str(row.get("unit") or "")}
        )
    return out


@transaction.atomic
def gas_analysis_add(
    *, actor: Actor, permit_id: Any, values: Mapping[str, Any], now: dt.datetime | None = None
) -> GasAnalysis:
    """Append a gas analysis; its verdict is computed (permit_rules.gas_verdict), never
    typed. The stored verdict is on the content; the 30-minute rule is checked at start."""
    permit = _lock(actor, permit_id)
    _step(actor, permit, wf.ANALYSE)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    unknown = set(values) - set(ANALYSIS_FIELDS)
    if unknown:
        errors["__all__"] = [_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))}]
    sampled = (
        now
        if values.get("sampled_at") in (None, "")
        else _datetime(errors, values.get("sampled_at"), "sampled_at")
    )
    if sampled and sampled > now + dt.timedelta(minutes=1):
        errors["sampled_at"] = [_("The sampling time may not be in the future.")]
    point = clean_text(errors, values.get("point"), "point", limit=120)
    analyst = clean_text(errors, values.get("analyst"), "analyst", required=True, limit=64)
    oxygen = _pct(errors, values.get("oxygen_pct"), "oxygen_pct", 2)
    combustible = _pct(errors, values.get("combustible_pct"), "combustible_pct", 3)
    lel = _pct(errors, values.get("combustible_lel_pct"), "combustible_lel_pct", 2)
    toxic = _toxic(errors, values.get("toxic"))
    enriched = values.get("enriched_air") in (True, "on", "1", "true")
    if oxygen is None and combustible is None and not toxic and not errors:
        errors["__all__"] = [_("Enter at least one measurement.")]
    if errors:
        raise ValidationFailed(errors)
    assert sampled is not None
    verdict = rules.gas_verdict(
        permit.kind,
        permit.grade,
        rules.Analysis(sampled, oxygen, combustible, lel, toxic, enriched),
        None,
    )
    row = GasAnalysis.objects.create(
        permit=permit,
        sampled_at=sampled,
        point=point,
        oxygen_pct=oxygen,
        combustible_pct=combustible,
        combustible_lel_pct=lel,
        toxic=toxic,
        analyst=analyst,
        passed=verdict.passed,
        findings=_jsonable({"f": verdict.findings})["f"],
        recorded_by=actor.user,
    )
    data = {"analysis": row.pk, "passed": verdict.passed}
    _event(actor, permit, wf.ANALYSE, data=data)
    _audit(actor, "analyse", permit, f"permit {permit.number} gas analysis", data)
    if not verdict.passed and permit.state == wf.WORKING:
        # Gas out of limits during the work: the unit must stop it.
        _tell(
            list(_unit_people(permit.enterprise_id)), _("Gas out of limits: stop the work"), permit
        )
    return row

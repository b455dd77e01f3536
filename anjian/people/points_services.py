"""The safety-points ledger (安全积分, issue 15 item 4): awards and deductions by the
rules of points_rules (a local policy, data/points_rules.json), reversals, balances and
the enterprise's ranking (the "points bank").

The ledger (PointEntry, AppendOnly) is never edited: a mistake is undone by
`points_reverse`, a new entry with the opposite points that `reverses` it, once (the
OneToOne refuses a second; two at once: one wins, the other gets Conflict). Awards from
a source (a training record, a drill, a report) are idempotent: one per worker, rule,
source and id (the unique constraint), so a hook may be called twice.

Hooks for other apps (call them inside your own transaction, with your actor):
`points_for_training(record)`, `points_for_drill(worker_ids, drill_id)`,
`points_for_report(worker_id, report_id)`, `points_for_self_check(worker_id, check_id)`,
`points_for_violation(worker_id, severity, source, source_id)`,
`points_for_hazard(hazard)` (anjian.hazards calls it when a hazard closes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

from . import points_rules as pr
from .models import PointEntry, Worker

UNIT_ROLES = frozenset({Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER})
NOTE_LIMIT = 255
SOURCE_LIMIT = 24
TRAINING = "training"
DRILL = "drill"
REPORT = "report"
SELF_CHECK = "self_check"
HAZARD = "hazard"


def rule_labels() -> dict[str, str]:
    return {
        pr.HAZARD_REPORT: _("valid hazard report"),
        pr.SELF_CHECK_FINDING: _("self-check found a real hazard"),
        pr.TRAINING_HOURS: _("training hours"),
        pr.DRILL: _("took part in a drill"),
        pr.VIOLATION: _("violation"),
        pr.MANUAL: _("manual award or deduction"),
        pr.REVERSAL: _("reversal"),
    }


def policy() -> pr.Policy:
    return pr.load_policy()


# --- reading -----------------------------------------------------------------------------


def _own_only(user: Any) -> bool:
    # An employee sees their own ledger only, not their colleagues'.
    return bool(scoping.is_active_user(user) and user.role == Role.ENTERPRISE_EMPLOYEE)


def visible_workers(user: Any) -> QuerySet[Worker]:
    qs = scoping.visible(user, Worker)
    return qs.filter(user=user) if _own_only(user) else qs


def visible_entries(user: Any) -> QuerySet[PointEntry]:
    qs = scoping.visible(user, PointEntry)
    return qs.filter(worker__user=user) if _own_only(user) else qs


def may_manage(user: Any, enterprise_id: int | None = None) -> bool:
    """The principal or a safety officer of the enterprise (of any, without one)."""
    if not (scoping.is_active_user(user) and user.role in UNIT_ROLES and user.enterprise_id):
        return False
    return enterprise_id is None or user.enterprise_id == enterprise_id


def _year_q(year: int | None) -> Q:
    return Q(points__at__year=year) if year else Q()


def balances(
    user: Any, *, year: int | None = None, enterprise_id: int | None = None
) -> QuerySet[Worker]:
    """Workers in scope with `balance` (all time, or the year's), highest first."""
    qs = visible_workers(user).select_related("enterprise")
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    return qs.annotate(balance=Coalesce(Sum("points__points", filter=_year_q(year)), 0)).order_by(
        "-balance", "enterprise_id", "name", "pk"
    )


def ranking(
    user: Any, *, enterprise_id: int | None = None, year: int | None = None, limit: int = 100
) -> list[tuple[pr.Ranked, Worker]]:
    """The points bank: ranks within each enterprise (equal balances share a rank)."""
    rows = list(balances(user, year=year, enterprise_id=enterprise_id).filter(active=True)[:limit])
    by_enterprise: dict[int, list[Worker]] = {}
    for w in rows:
        by_enterprise.setdefault(w.enterprise_id, []).append(w)
    out = []
    for workers in by_enterprise.values():
        for r in pr.ranking((w, w.balance) for w in workers):
            out.append((r, r.key))
    return out


@dataclass(frozen=True)
class Ledger:
    worker: Worker
    entries: list[PointEntry]
    balance: int
    year: int
    year_balance: int


def ledger(user: Any, worker_id: Any, *, year: int | None = None, limit: int = 500) -> Ledger:
    pk = _id(worker_id)
    worker = (
        visible_workers(user).select_related("enterprise").filter(pk=pk).first() if pk else None
    )
    if worker is None:
        raise NotFound(_("No such worker in your scope."))
    year = year or timezone.localdate().year
    entries = PointEntry.objects.filter(worker=worker).select_related("created_by", "reverses")
    totals = entries.aggregate(
        all=Coalesce(Sum("points"), 0), year=Coalesce(Sum("points", filter=Q(at__year=year)), 0)
    )
    rows = list(entries.order_by("-at", "-pk")[:limit])
    reversed_ids = set(
        PointEntry.objects.filter(reverses__in=[e.pk for e in rows]).values_list(
            "reverses_id", flat=True
        )
    )
    for e in rows:
        e.is_reversed = e.pk in reversed_ids
    return Ledger(worker, rows, totals["all"], year, totals["year"])


def recent(user: Any, limit: int = 20) -> list[PointEntry]:
    return list(visible_entries(user).select_related("worker").order_by("-at", "-pk")[:limit])


# --- writing -----------------------------------------------------------------------------


def _id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
        return number if 0 < number < 2**63 else None
    return None


def _lock_worker(actor: Actor, worker_id: Any) -> Worker:
    pk = _id(worker_id)
    # A user may only touch workers they can see.
    if actor.user is not None and (
        pk is None or not visible_workers(actor.user).filter(pk=pk).exists()
    ):
        raise NotFound(_("No such worker in your scope."))
    worker = Worker.objects.select_for_update().filter(pk=pk).first() if pk else None
    if worker is None:
        raise NotFound(_("No such worker in your scope."))
    return worker


def _points(
    rule: str,
    *,
    points: Any,
    severity: Any,
    hours: Any,
    worker: Worker,
    at: dt.datetime,
    errors: dict[str, list[str]],
) -> int:
    pol = policy()
    try:
        if rule in pr.FIXED:
            return pr.fixed_points(pol, rule)
        if rule == pr.VIOLATION:
            return pr.violation_points(pol, severity if isinstance(severity, str) else "")
        if rule == pr.MANUAL:
            if isinstance(points, str) and points.strip().isascii():
                points = int(points.strip())  # a form's text; ValueError below
            return pr.manual_points(pol, points)
        if rule == pr.TRAINING_HOURS:
            earned = PointEntry.objects.filter(
                worker=worker, rule=pr.TRAINING_HOURS, at__year=at.year
            ).aggregate(s=Coalesce(Sum("points"), 0))["s"]
            return pr.training_points(pol, hours if hours is not None else 0, earned)
    except (pr.RuleError, ArithmeticError, ValueError):
        if rule == pr.VIOLATION:
            errors.setdefault("severity", []).append(
                _("Choose the severity: minor, ordinary or serious.")
            )
        elif rule == pr.TRAINING_HOURS:
            errors.setdefault("hours", []).append(_("Enter the hours (not negative)."))
        else:
            errors.setdefault("points", []).append(
                _("Enter non-zero whole points from %(low)d to %(high)d.")
                % {"low": pol.manual_min, "high": pol.manual_max}
            )
        return 0
    errors.setdefault("rule", []).append(_("Unknown rule."))
    return 0


def points_award(
    *,
    actor: Actor,
    worker_id: Any,
    rule: Any,
    source: Any = None,
    source_id: Any = None,
    note: Any = "",
    points: Any = None,
    severity: Any = None,
    hours: Any = None,
) -> PointEntry:
    """Add a line to a worker's ledger. By a user: the principal or a safety officer of
    the worker's enterprise; by the system (actor.user None): the hooks. With a source id
    the award is idempotent: the existing line is returned. A manual line needs a reason
    and no source. Returns the entry (`created` False when it already existed)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(rule, str) or rule not in pr.RULES:
        raise ValidationFailed({"rule": [_("Unknown rule.")]})
    note = note.strip() if isinstance(note, str) else None
    if note is None:
        errors.setdefault("note", []).append(_("Enter text."))
        note = ""
    elif len(note) > NOTE_LIMIT:
        errors.setdefault("note", []).append(_("At most %(n)d characters.") % {"n": NOTE_LIMIT})
    source = source.strip() if isinstance(source, str) else ("" if source is None else None)
    if source is None or len(source) > SOURCE_LIMIT:
        errors.setdefault("source", []).append(_("Enter a short source name."))
        source = ""
    sid = None
    if source_id is not None and source_id != "":
        sid = _id(source_id)
        if sid is None:
            errors.setdefault("source_id", []).append(_("Enter a positive whole number."))
    if (sid is None) != (not source):
        errors.setdefault("source_id", []).append(_("Give both the source and its id, or none."))
    if rule == pr.MANUAL:
        if not note:
            errors.setdefault("note", []).append(_("Give the reason."))
        if source:
            errors.setdefault("source", []).append(_("A manual line has no source."))
    with transaction.atomic():
        worker = _lock_worker(actor, worker_id)
        if actor.user is not None and not may_manage(actor.user, worker.enterprise_id):
            raise Forbidden(
                _("Only the enterprise's principal or safety officer awards or deducts points.")
            )
        if sid is not None and not errors:
            existing = PointEntry.objects.filter(
                worker=worker, rule=rule, source=source, source_id=sid, reverses__isnull=True
            ).first()
            if existing is not None:
                existing.created = False
                return existing
        at = timezone.now()
        value = _points(
            rule,
            points=points,
            severity=severity,
            hours=hours,
            worker=worker,
            at=at,
            errors=errors,
        )
        if errors:
            raise ValidationFailed(errors)
        data = {"severity": severity} if rule == pr.VIOLATION else {}
        try:
            with transaction.atomic():
                entry = PointEntry.objects.create(
                    worker=worker,
                    points=value,
                    rule=rule,
                    note=note or (f"{severity}" if data else ""),
                    source=source,
                    source_id=sid,
                    created_by=actor.user,
                    at=at,
                )
        except IntegrityError as exc:  # a concurrent award of the same source won
            raise Conflict(_("This award was already recorded.")) from exc
        audit_append(
            actor=actor,
            action="points_award",
            obj=entry,
            summary=f"{worker.pk} {value:+d} {rule}",
            changes={
                "worker": worker.pk,
                "points": value,
                "rule": rule,
                "source": source,
                "source_id": sid,
                **data,
            },
        )
    entry.created = True
    return entry


def points_reverse(*, actor: Actor, entry_id: Any, reason: Any) -> PointEntry:
    """Undo a line with a new one of the opposite points; once per line, never a
    reversal of a reversal."""
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationFailed({"reason": [_("Give the reason.")]})
    if len(reason) > NOTE_LIMIT:
        raise ValidationFailed({"reason": [_("At most %(n)d characters.") % {"n": NOTE_LIMIT}]})
    pk = _id(entry_id)
    user = actor.user
    with transaction.atomic():
        if pk is None or (user is not None and not visible_entries(user).filter(pk=pk).exists()):
            raise NotFound(_("No such points entry in your scope."))
        entry = PointEntry.objects.select_for_update().filter(pk=pk).first()
        if entry is None:
            raise NotFound(_("No such points entry in your scope."))
        worker = Worker.objects.get(pk=entry.worker_id)
        if user is not None and not may_manage(user, worker.enterprise_id):
            raise Forbidden(_("Only the enterprise's principal or safety officer reverses points."))
        if entry.reverses_id is not None:
            raise Conflict(_("A reversal is not reversed again."))
        if PointEntry.objects.filter(reverses=entry).exists():
            raise Conflict(_("This entry was already reversed."))
        try:
            with transaction.atomic():
                back = PointEntry.objects.create(
                    worker_id=entry.worker_id,
                    points=pr.reversal_points(entry.points),
                    rule=pr.REVERSAL,
                    note=reason,
                    source=entry.source,
                    source_id=entry.source_id,
                    reverses=entry,
                    created_by=user,
                )
        except IntegrityError as exc:  # the other reversal won
            raise Conflict(_("This entry was already reversed.")) from exc
        audit_append(
            actor=actor,
            action="points_reverse",
            obj=back,
            summary=f"{entry.worker_id} {back.points:+d} reverses {entry.pk}",
            changes={"reverses": entry.pk, "points": back.points, "reason": reason},
        )
    return back


# --- hooks for other apps --------------------------------------------------------------------


def _system(actor: Actor | None) -> Actor:
    # The hooks run inside another app's step: the points follow from it, not from a
    # decision of the person who took the step, so they are recorded as the system's.
    return actor if actor is not None and actor.user is None else Actor.system("job", "points")


def points_for_training(record: Any, actor: Actor | None = None) -> PointEntry | None:
    """A passed training record: whole hours, capped per year (idempotent)."""
    if not getattr(record, "passed", False):
        return None
    entry = points_award(
        actor=_system(actor),
        worker_id=record.worker_id,
        rule=pr.TRAINING_HOURS,
        source=TRAINING,
        source_id=record.pk,
        hours=record.hours,
        note=str(record.title)[:NOTE_LIMIT],
    )
    return entry


def points_for_drill(
    worker_ids: Iterable[int], drill_id: int, actor: Actor | None = None
) -> list[PointEntry]:
    return [
        points_award(
            actor=_system(actor), worker_id=w, rule=pr.DRILL, source=DRILL, source_id=drill_id
        )
        for w in sorted(set(worker_ids))
    ]


def points_for_report(worker_id: int, report_id: int, actor: Actor | None = None) -> PointEntry:
    return points_award(
        actor=_system(actor),
        worker_id=worker_id,
        rule=pr.HAZARD_REPORT,
        source=REPORT,
        source_id=report_id,
    )


def points_for_self_check(worker_id: int, check_id: int, actor: Actor | None = None) -> PointEntry:
    return points_award(
        actor=_system(actor),
        worker_id=worker_id,
        rule=pr.SELF_CHECK_FINDING,
        source=SELF_CHECK,
        source_id=check_id,
    )


def points_for_violation(
    worker_id: int, severity: str, source: str, source_id: int, actor: Actor | None = None
) -> PointEntry:
    return points_award(
        actor=_system(actor),
        worker_id=worker_id,
        rule=pr.VIOLATION,
        severity=severity,
        source=source,
        source_id=source_id,
    )


def points_for_hazard(hazard: Any, actor: Actor | None = None) -> PointEntry | None:
    """A hazard closed (rectified and accepted: it was real) earns its reporter points
    when the reporter is a registered, employed worker of the hazard's enterprise: a
    finding of the enterprise's own self-check earns `self_check_finding`, any other
    report by a worker (an inspection, a report to the safety office) `hazard_report`.
    Regulators, the public and sensors earn nothing here. Idempotent per hazard."""
    if not hazard.reported_by_id:
        return None
    worker_id = (
        Worker.objects.filter(
            user_id=hazard.reported_by_id, enterprise_id=hazard.enterprise_id, active=True
        )
        .values_list("pk", flat=True)
        .first()
    )
    if worker_id is None:
        return None
    rule = pr.SELF_CHECK_FINDING if hazard.source == "self_check" else pr.HAZARD_REPORT
    return points_award(
        actor=_system(actor),
        worker_id=worker_id,
        rule=rule,
        source=HAZARD,
        source_id=hazard.pk,
        note=str(hazard.number)[:NOTE_LIMIT],
    )

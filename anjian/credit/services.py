"""Credit figures from the hazard ledger, the evaluation job and who sees what.

Figures are computed per batch of enterprises in three grouped queries (hazards,
rejection events, relapsed re-checks): no query per enterprise. The rules are data
(anjian.credit.rules, data/list_rules.json, local policy).

Scoping: an enterprise's credit file follows the normal scope (visible_enterprises).
The watch list (重点关注) is a deliberate exception: every regulator role
(coordinator, department officer, grid officer, expert) in any division and the platform
administrator see every entry — listing is for joint punishment across departments
(安全生产法 第七十八条) — while enterprise staff see only their own enterprise's entries
and anyone else sees nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import ENTERPRISE_ROLES, REGULATOR_ROLES, Role
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import NotFound
from anjian.hazards import workflow as wf
from anjian.hazards.models import Hazard, HazardEvent, Recheck, RecheckResult
from anjian.registry.models import Enterprise

from . import rules as credit_rules
from .models import CreditFile, CreditListEntry

JOB_ACTOR = Actor.system("job", "credit_evaluate")
REJECTION_ACTIONS = (wf.REJECT, wf.REVIEW_FAIL)
LIST_READERS = frozenset(REGULATOR_ROLES | {Role.PLATFORM_ADMIN})


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def compute_figures(
    enterprise_ids: Sequence[int], *, today: dt.date, start: dt.date
) -> dict[int, credit_rules.Figures]:
    """The figures of each enterprise for the period [start, today], in three queries."""
    ids = list(enterprise_ids)
    since, until = _day_start(start), _day_start(today + dt.timedelta(days=1))
    is_open = ~Q(state=wf.CLOSED)
    closed_in = Q(state=wf.CLOSED, closed_at__gte=since, closed_at__lt=until, due__isnull=False)
    hazards = (
        Hazard.objects.filter(enterprise_id__in=ids)
        .filter(is_open | Q(closed_at__gte=since, closed_at__lt=until))
        # A major hazard's deadline before its five fixes are set is the supervision one.
        .annotate(due=Coalesce("deadline", "listing_deadline"))
        .values("enterprise_id")
        .annotate(
            closed_in=Count("pk", filter=closed_in),
            on_time=Count("pk", filter=closed_in & Q(closed_at__date__lte=F("due"))),
            overdue=Count("pk", filter=is_open & Q(due__lt=today)),
            oldest_major_due=Min("due", filter=is_open & Q(level=wf.MAJOR, due__lt=today)),
            open_major=Count("pk", filter=is_open & Q(level=wf.MAJOR)),
        )
    )
    rows: dict[int, dict[str, Any]] = {i: {} for i in ids}
    for r in hazards:
        oldest = r["oldest_major_due"]
        rows[r["enterprise_id"]].update(
            with_deadline=r["closed_in"] + r["overdue"],
            on_time=r["on_time"],
            overdue=r["overdue"],
            major_overdue_days=(today - oldest).days if oldest else 0,
            open_major=r["open_major"],
        )
    for r in (
        HazardEvent.objects.filter(
            hazard__enterprise_id__in=ids,
            action__in=REJECTION_ACTIONS,
            at__gte=since,
            at__lt=until,
        )
        .values("hazard__enterprise_id")
        .annotate(n=Count("pk"))
    ):
        rows[r["hazard__enterprise_id"]]["rejections"] = r["n"]
    for r in (
        Recheck.objects.filter(
            hazard__enterprise_id__in=ids,
            result=RecheckResult.RELAPSED,
            done_at__gte=since,
            done_at__lt=until,
        )
        .values("hazard__enterprise_id")
        .annotate(n=Count("pk"))
    ):
        rows[r["hazard__enterprise_id"]]["relapses"] = r["n"]
    return {i: credit_rules.figures_from(row) for i, row in rows.items()}


# --- the job --------------------------------------------------------------------------------


def _tell_enterprise(enterprise_id: int, title: str, body: str) -> None:
    """The enterprise's principal and safety officers learn of a listing or a removal
    (inbox, kind "decision"), when the notification module is installed."""
    try:
        from anjian.core.notify import notify
    except ImportError:  # pragma: no cover - the inbox is optional
        return
    from django.urls import NoReverseMatch, reverse

    from anjian.accounts.models import User

    try:
        link = reverse("credit:file", args=[enterprise_id])
    except NoReverseMatch:  # pragma: no cover
        link = ""
    notify(
        recipients=User.objects.filter(
            enterprise_id=enterprise_id,
            role__in=[Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER],
            is_active=True,
        ),
        kind="decision",
        title=title,
        body=body,
        link=link,
    )


def _list(enterprise_id: int, decision: credit_rules.Decision, figures, today) -> bool:
    rule = decision.list_rule
    try:
        with transaction.atomic():
            entry = CreditListEntry.objects.create(
                enterprise_id=enterprise_id,
                rule_id=rule.id,
                rule_text=rule.text[:255],
                fired=list(decision.fired),
                figures=figures.as_dict(),
                listed_on=today,
            )
            audit_append(
                actor=JOB_ACTOR,
                action="credit_list",
                obj=entry,
                summary=f"{enterprise_id} {rule.id}",
                changes={"rule": rule.id, "fired": list(decision.fired), **figures.as_dict()},
            )
            _tell_enterprise(
                enterprise_id,
                _("Your enterprise was put on the watch list"),
                rule.text,
            )
    except IntegrityError:
        return False  # listed meanwhile by another evaluation
    return True


def _unlist(entry: CreditListEntry, figures, today: dt.date, clean_months: int) -> bool:
    reason = _("No listing rule fired for %(n)d months.") % {"n": clean_months}
    with transaction.atomic():
        won = CreditListEntry.objects.filter(pk=entry.pk, removed_on__isnull=True).update(
            removed_on=today, removal_reason=reason[:255]
        )
        if won:
            audit_append(
                actor=JOB_ACTOR,
                action="credit_unlist",
                obj=entry,
                summary=f"{entry.enterprise_id} {entry.rule_id}",
                changes={"removed_on": today.isoformat(), "figures": figures.as_dict()},
            )
            _tell_enterprise(
                entry.enterprise_id,
                _("Your enterprise was taken off the watch list"),
                reason,
            )
    return bool(won)


def _batches(ids: Iterable[int], size: int):
    batch: list[int] = []
    for i in ids:
        batch.append(i)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def credit_evaluate(
    *, today: dt.date | None = None, batch_size: int = 500, rules: Any = None
) -> dict[str, int]:
    """Compute every enterprise's figures, list those a rule fires for and take off those
    clean for long enough. Idempotent: a second run the same day changes nothing."""
    today = today or timezone.localdate()
    ruleset = rules or credit_rules.load_rules()
    start = credit_rules.period_start(today, ruleset.period_months)
    stats = {"enterprises": 0, "listed": 0, "removed": 0, "on_list": 0}
    # Ids first (a few hundred kB for 100,000 enterprises): no cursor held open while writing.
    all_ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    for ids in _batches(all_ids, batch_size):
        figures = compute_figures(ids, today=today, start=start)
        last_fired = dict(
            CreditFile.objects.filter(enterprise_id__in=ids).values_list(
                "enterprise_id", "last_fired_on"
            )
        )
        open_entries = {
            e.enterprise_id: e
            for e in CreditListEntry.objects.filter(enterprise_id__in=ids, removed_on__isnull=True)
        }
        files = []
        for eid in ids:
            f = figures[eid]
            entry = open_entries.get(eid)
            decision = credit_rules.decide(
                f,
                ruleset,
                today=today,
                listed=entry is not None,
                last_fired_on=last_fired.get(eid),
                listed_on=entry.listed_on if entry else None,
            )
            on_list = entry is not None
            if decision.list_rule is not None and _list(eid, decision, f, today):
                stats["listed"] += 1
                on_list = True
            elif (
                decision.remove
                and entry is not None
                and _unlist(entry, f, today, ruleset.clean_months)
            ):
                stats["removed"] += 1
                on_list = False
            stats["on_list"] += on_list
            files.append(
                CreditFile(
                    enterprise_id=eid,
                    evaluated_on=today,
                    period_start=start,
                    figures=f.as_dict(),
                    fired=list(decision.fired),
                    last_fired_on=today if decision.fired else last_fired.get(eid),
                )
            )
        CreditFile.objects.bulk_create(
            files,
            update_conflicts=True,
            unique_fields=["enterprise"],
            update_fields=["evaluated_on", "period_start", "figures", "fired", "last_fired_on"],
        )
        stats["enterprises"] += len(ids)
    return stats


# --- reads ------------------------------------------------------------------------------------


def visible_entries(user: Any) -> QuerySet[CreditListEntry]:
    """The watch list (重点关注) as `user` may see it (see the module note)."""
    qs = CreditListEntry.objects.all()
    if not scoping.is_active_user(user):
        return qs.none()
    if user.role in LIST_READERS:
        return qs
    if user.role in ENTERPRISE_ROLES and user.enterprise_id:
        return qs.filter(enterprise_id=user.enterprise_id)
    return qs.none()


@dataclass
class CreditFileView:
    enterprise: Enterprise
    period_start: dt.date
    today: dt.date
    figures: credit_rules.Figures
    fired: list[credit_rules.Rule]
    entries: list[CreditListEntry]
    rejections: list[HazardEvent]
    relapses: list[Recheck]
    evaluated: CreditFile | None

    @property
    def on_time_percent(self) -> int | None:
        rate = self.figures.on_time_rate
        return None if rate is None else round(rate * 100)


def credit_file(*, user: Any, enterprise_id: int, today: dt.date | None = None) -> CreditFileView:
    """An enterprise's credit file, figures computed now. Scoped like the enterprise."""
    enterprise = scoping.visible_enterprises(user).filter(pk=enterprise_id).first()
    if enterprise is None:
        raise NotFound(_("No such enterprise in your jurisdiction."))
    today = today or timezone.localdate()
    ruleset = credit_rules.load_rules()
    start = credit_rules.period_start(today, ruleset.period_months)
    figures = compute_figures([enterprise.pk], today=today, start=start)[enterprise.pk]
    since = _day_start(start)
    return CreditFileView(
        enterprise=enterprise,
        period_start=start,
        today=today,
        figures=figures,
        fired=ruleset.fired(figures),
        entries=list(CreditListEntry.objects.filter(enterprise=enterprise)),
        rejections=list(
            HazardEvent.objects.filter(
                hazard__enterprise=enterprise, action__in=REJECTION_ACTIONS, at__gte=since
            )
            .select_related("hazard")
            .order_by("-at")[:20]
        ),
        relapses=list(
            Recheck.objects.filter(
                hazard__enterprise=enterprise, result=RecheckResult.RELAPSED, done_at__gte=since
            )
            .select_related("hazard", "relapse_hazard")
            .order_by("-done_at")[:20]
        ),
        evaluated=CreditFile.objects.filter(enterprise=enterprise).first(),
    )

"""The daily deadline job: reminders before the deadline, overdue marking, escalation
(enterprise principal → grid officer → county lead department and safety committee
office). Rules and numbers: anjian.hazards.deadlines and data/deadline_policy.json.

Idempotent, and safe with several workers: every change is a conditional UPDATE whose
row count says whether this worker won (last_reminded_on before the reminder window;
overdue_since still empty; escalation_level still one below), each hazard in its own
short transaction with its event, audit entry and notifications. Running it twice on a
day changes nothing the second time; two workers at once do each thing once. The
conditions also repeat the deadline values the decision was computed from, so a
deadline extended meanwhile is never marked with stale dates.

What it writes, by the system actor ("job", "deadline job"):
* reminder  — Hazard.last_reminded_on, a notification (kind deadline) to the enterprise's
  principal and safety officer; no event (a reminder changes nothing of the hazard);
* overdue   — Hazard.overdue_since (the first overdue day), event "mark_overdue", audit,
  a notification to the enterprise's managers;
* escalate  — Hazard.escalation_level, one event "escalate" per level naming the level
  and the people told, audit, notifications (kind escalation). A job that did not run
  for a while catches up level by level, each level once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.audit import Actor, audit_append
from anjian.core.models import NotificationKind

from . import deadlines as dl
from . import notify as hazard_notify
from . import workflow as wf
from .models import Hazard, Level
from .services import _check_keys_now, _event

logger = logging.getLogger(__name__)

JOB_ACTOR = Actor.system("job", "deadline job")
CHUNK = 2000

# Who is told at each escalation level (audiences of anjian.hazards.notify).
LEVEL_AUDIENCES: dict[int, tuple[str, ...]] = {
    dl.LEVEL_PRINCIPAL: (hazard_notify.PRINCIPALS,),
    dl.LEVEL_GRID: (hazard_notify.GRID,),
    dl.LEVEL_COUNTY: (hazard_notify.LEAD_OFFICERS, hazard_notify.COORDINATORS),
}


def deadline_policy() -> dl.Policy:
    """The policy file named by ANJIAN_HAZARD_DEADLINE_POLICY, else the shipped one."""
    return dl.load_policy(getattr(settings, "ANJIAN_HAZARD_DEADLINE_POLICY", None))


def level_labels() -> dict[int, str]:
    return {
        dl.LEVEL_NONE: _("not escalated"),
        dl.LEVEL_PRINCIPAL: _("the enterprise's principal"),
        dl.LEVEL_GRID: _("the grid officer"),
        dl.LEVEL_COUNTY: _("the county department and safety committee office"),
    }


def hazard_standing(hazard: Hazard, today: dt.date, policy: dl.Policy) -> dl.Standing:
    return dl.hazard_standing(
        state=hazard.state,
        level=hazard.level,
        deadline=hazard.deadline,
        listing_deadline=hazard.listing_deadline,
        reported_on=timezone.localdate(hazard.reported_at),
        today=today,
        policy=policy,
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def candidates(today: dt.date, policy: dl.Policy):
    """Open hazards that may need something today: a deadline within the reminder
    horizon (or past), or a general hazard left unhandled; minus those already at the
    top level (nothing more can happen to them)."""
    horizon = dl.add_days(today, policy.horizon, working=policy.working_days)
    near = Q(deadline__lte=horizon) | Q(level=Level.MAJOR, listing_deadline__lte=horizon)
    if policy.unhandled_days is not None:
        # Reported at least unhandled_days − horizon days ago (calendar days bound it from
        # below even with working days, which are never fewer than calendar days apart).
        cutoff = today - dt.timedelta(days=max(policy.unhandled_days - policy.horizon, 0))
        near |= Q(
            state=wf.REPORTED,
            level=Level.GENERAL,
            deadline__isnull=True,
            reported_at__lt=_day_start(cutoff + dt.timedelta(days=1)),
        )
    return (
        Hazard.objects.filter(state__in=dl.HELD_STATES)
        .filter(near)
        .exclude(overdue_since__isnull=False, escalation_level__gte=dl.MAX_LEVEL)
        .select_related("enterprise__division")
        .order_by("pk")
    )


def _same_dates(hazard: Hazard) -> Q:
    """The row still holds the dates the decision was computed from."""
    return Q(
        pk=hazard.pk,
        state=hazard.state,
        level=hazard.level,
        deadline=hazard.deadline,
        listing_deadline=hazard.listing_deadline,
    )


def _remind(hazard: Hazard, s: dl.Standing, today: dt.date) -> bool:
    with transaction.atomic():
        won = (
            Hazard.objects.filter(_same_dates(hazard))
            .filter(Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lt=s.reminder_window))
            .update(last_reminded_on=today)
        )
        if not won:
            return False
        hazard_notify.tell(
            hazard,
            hazard_notify.audience(hazard_notify.MANAGERS, hazard),
            NotificationKind.DEADLINE,
            _("Hazard %(number)s is due on %(date)s")
            % {"number": hazard.number, "date": s.deadline.isoformat()},
            _("%(n)d days left to rectify: %(description)s")
            % {"n": s.days_left, "description": hazard.description[:200]},
        )
    return True


def _mark_overdue(hazard: Hazard, s: dl.Standing, today: dt.date) -> bool:
    since = dl.add_days(s.deadline, 1, working=False)
    with transaction.atomic():
        _check_keys_now()
        won = (
            Hazard.objects.filter(_same_dates(hazard))
            .filter(overdue_since__isnull=True)
            .update(overdue_since=since)
        )
        if not won:
            return False
        now = timezone.now()
        data = {
            "deadline": s.deadline.isoformat(),
            "basis": s.basis,
            "overdue_since": since.isoformat(),
            "days_overdue": s.days_overdue,
            "noticed_on": today.isoformat(),
        }
        event = _event(hazard, JOB_ACTOR, "mark_overdue", hazard.state, hazard.state, now, "", data)
        audit_append(
            actor=JOB_ACTOR,
            action="mark_overdue",
            obj=hazard,
            summary=f"{hazard.number} overdue since {since}",
            changes={**data, "event_id": event.pk},
        )
        hazard_notify.tell(
            hazard,
            hazard_notify.audience(hazard_notify.MANAGERS, hazard),
            NotificationKind.DEADLINE,
            _("Hazard %(number)s is overdue") % {"number": hazard.number},
            _("The deadline was %(date)s: %(description)s")
            % {"date": s.deadline.isoformat(), "description": hazard.description[:200]},
        )
    return True


def _escalate(hazard: Hazard, s: dl.Standing, level: int, today: dt.date) -> bool:
    with transaction.atomic():
        _check_keys_now()
        won = (
            Hazard.objects.filter(_same_dates(hazard))
            .filter(overdue_since__isnull=False, escalation_level=level - 1)
            .update(escalation_level=level)
        )
        if not won:
            return False
        people: list[Any] = []
        for name in LEVEL_AUDIENCES[level]:
            people += hazard_notify.audience(name, hazard)
        unique = list({p.pk: p for p in people}.values())
        now = timezone.now()
        data = {
            "level": level,
            "level_label": level_labels()[level],
            "deadline": s.deadline.isoformat(),
            "days_overdue": s.days_overdue,
            "notified": [{"id": p.pk, "name": str(p), "role": p.role} for p in unique],
            "noticed_on": today.isoformat(),
        }
        note = _("Overdue by %(n)d days: escalated to %(who)s.") % {
            "n": s.days_overdue,
            "who": level_labels()[level],
        }
        event = _event(hazard, JOB_ACTOR, "escalate", hazard.state, hazard.state, now, note, data)
        audit_append(
            actor=JOB_ACTOR,
            action="escalate",
            obj=hazard,
            summary=f"{hazard.number} escalation level {level}",
            changes={**data, "event_id": event.pk},
        )
        if not unique:
            logger.warning("hazard %s escalated to level %d but nobody holds it", hazard, level)
        hazard_notify.tell(
            hazard,
            unique,
            NotificationKind.ESCALATION,
            _("Hazard %(number)s of %(enterprise)s is overdue by %(n)d days")
            % {
                "number": hazard.number,
                "enterprise": hazard.enterprise.name,
                "n": s.days_overdue,
            },
            _("Deadline %(date)s; escalation level %(level)d (%(who)s): %(description)s")
            % {
                "date": s.deadline.isoformat(),
                "level": level,
                "who": level_labels()[level],
                "description": hazard.description[:200],
            },
        )
    return True


def _handle(hazard: Hazard, s: dl.Standing, today: dt.date, counts: dict[str, int]) -> None:
    if s.status == dl.DUE_SOON and dl.reminder_due(s.reminder_window, hazard.last_reminded_on):
        counts["reminded"] += _remind(hazard, s, today)
    elif s.overdue:
        if hazard.overdue_since is None:
            counts["overdue"] += _mark_overdue(hazard, s, today)
        for level in range(hazard.escalation_level + 1, s.level + 1):
            if not _escalate(hazard, s, level, today):
                break  # another worker (or an extension) got there first
            counts["escalated"] += 1
            counts[f"escalated_{level}"] += 1


def hazard_deadlines_run(
    *,
    today: dt.date | None = None,
    policy: dl.Policy | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Run the deadline rules over every open hazard that may need something today.
    Returns counts: looked_at, reminded, overdue, escalated (per-level events),
    escalated_1..3, and errors (hazards whose handling failed: logged, the rest go on)."""
    today = today or timezone.localdate()
    policy = policy or deadline_policy()
    counts = {
        "looked_at": 0,
        "reminded": 0,
        "overdue": 0,
        "escalated": 0,
        "errors": 0,
        **{f"escalated_{n}": 0 for n in range(1, dl.MAX_LEVEL + 1)},
    }
    for hazard in candidates(today, policy).iterator(chunk_size=CHUNK):
        counts["looked_at"] += 1
        s = hazard_standing(hazard, today, policy)
        try:
            _handle(hazard, s, today, counts)
        except Exception:
            # Each change commits on its own, so what was done stays done; the next run
            # retries the rest.
            logger.exception("deadline job failed on hazard %s", hazard.pk)
            counts["errors"] += 1
        if progress is not None and counts["looked_at"] % CHUNK == 0:
            progress(counts["looked_at"])
    counts.update(review_clock_run(today=today, policy=policy))
    return counts


# --- the 10-day clock of the on-site review (16号令 第二十三条) ---------------------------------
# An application to resume production starts it (services._do_apply_resume sets
# review_due_on). The reviewing body is reminded before the day, like a deadline; the day
# after, the review is marked overdue once (event "review_overdue") and the county is
# told: the lead department's officers and the safety committee office. Conditional
# updates make each of these happen once, whichever worker runs.


def _same_review(hazard: Hazard) -> Q:
    return Q(pk=hazard.pk, state=wf.RESUME_APPLIED, review_due_on=hazard.review_due_on)


def _review_remind(hazard: Hazard, window: dt.date, today: dt.date, days_left: int) -> bool:
    with transaction.atomic():
        won = (
            Hazard.objects.filter(_same_review(hazard))
            .filter(Q(review_reminded_on__isnull=True) | Q(review_reminded_on__lt=window))
            .update(review_reminded_on=today)
        )
        if not won:
            return False
        hazard_notify.tell(
            hazard,
            hazard_notify.audience(hazard_notify.ACCEPTORS, hazard),
            NotificationKind.DEADLINE,
            _("On-site review of hazard %(number)s due on %(date)s")
            % {"number": hazard.number, "date": hazard.review_due_on.isoformat()},
            _(
                "%(n)d days left for the on-site review of the application to resume "
                "production (16号令 第二十三条): %(description)s"
            )
            % {"n": days_left, "description": hazard.description[:200]},
        )
    return True


def _review_overdue(hazard: Hazard, today: dt.date) -> bool:
    since = hazard.review_due_on + dt.timedelta(days=1)
    with transaction.atomic():
        _check_keys_now()
        won = (
            Hazard.objects.filter(_same_review(hazard))
            .filter(review_overdue_since__isnull=True)
            .update(review_overdue_since=since)
        )
        if not won:
            return False
        people: list[Any] = []
        for name in (
            hazard_notify.ACCEPTORS,
            hazard_notify.LEAD_OFFICERS,
            hazard_notify.COORDINATORS,
        ):
            people += hazard_notify.audience(name, hazard)
        unique = list({p.pk: p for p in people}.values())
        data = {
            "review_due_on": hazard.review_due_on.isoformat(),
            "overdue_since": since.isoformat(),
            "notified": [{"id": p.pk, "name": str(p), "role": p.role} for p in unique],
            "noticed_on": today.isoformat(),
        }
        note = _("The on-site review was due on %(date)s: escalated to the county.") % {
            "date": hazard.review_due_on.isoformat()
        }
        event = _event(
            hazard,
            JOB_ACTOR,
            "review_overdue",
            hazard.state,
            hazard.state,
            timezone.now(),
            note,
            data,
        )
        audit_append(
            actor=JOB_ACTOR,
            action="review_overdue",
            obj=hazard,
            summary=f"{hazard.number} on-site review overdue since {since}",
            changes={**data, "event_id": event.pk},
        )
        hazard_notify.tell(
            hazard,
            unique,
            NotificationKind.ESCALATION,
            _("On-site review of hazard %(number)s of %(enterprise)s is overdue")
            % {"number": hazard.number, "enterprise": hazard.enterprise.name},
            _(
                "The application to resume production waits since %(applied)s; the review "
                "was due on %(date)s (16号令 第二十三条)."
            )
            % {
                "applied": timezone.localdate(hazard.resume_applied_at).isoformat()
                if hazard.resume_applied_at
                else "",
                "date": hazard.review_due_on.isoformat(),
            },
        )
    return True


def review_clock_run(*, today: dt.date | None = None, policy: dl.Policy | None = None) -> dict:
    """Remind and escalate the on-site reviews of applications to resume."""
    today = today or timezone.localdate()
    policy = policy or deadline_policy()
    counts = {"review_reminded": 0, "review_overdue": 0}
    # 第二十三条 counts 10 calendar days: the policy's reminder days, never working days.
    calendar = dataclasses.replace(policy, working_days=False)
    rows = (
        Hazard.objects.filter(state=wf.RESUME_APPLIED, review_due_on__isnull=False)
        .exclude(review_overdue_since__isnull=False)
        .select_related("enterprise__division")
        .order_by("pk")
    )
    for hazard in rows.iterator(chunk_size=CHUNK):
        days_left = (hazard.review_due_on - today).days  # calendar days: 10日
        try:
            if days_left < 0:
                counts["review_overdue"] += _review_overdue(hazard, today)
                continue
            window = dl.reminder_window(hazard.review_due_on, today, calendar)
            if dl.reminder_due(window, hazard.review_reminded_on):
                counts["review_reminded"] += _review_remind(hazard, window, today, days_left)
        except Exception:
            logger.exception("review clock failed on hazard %s", hazard.pk)
    return counts

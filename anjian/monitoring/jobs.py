"""The monitoring jobs (run every minute by the worker: anjian.monitoring.tasks):

* offline   — `offline_run`: a point with no reading for offline_periods ×
  sampling_seconds raises an "offline" alarm, timed at its last reading plus that span
  (so every run, on any worker, names the same alarm: idempotent by the alarm's
  identity). The last reading's time is the newest of the point's hot latest value
  (LatestValue, kept by the ingestion) and the engine's checkpoint (EngineState); a
  point that never reported counts from when it was set up. Clearing: the pipeline's
  `evaluate` clears the alarm on the first reading after the gap; this job also clears
  an open offline alarm whose point has reported since (a listener that checkpoints
  late must not leave one open).
* escalate  — `escalation_run`: an alarm nobody acknowledged climbs one step after
  the minutes of each step (setting ANJIAN_MONITORING_ESCALATION_MINUTES, minutes after
  the raise for the first step and after the previous step for the others): 1 the
  enterprise's safety officers (the duty person), 2 its principal, 3 the grid officer,
  4 the lead department's officers and the safety committee office — through the inbox
  and the senders (anjian.core.notify). A job that did not run for a while catches up
  step by step, each step once (a conditional UPDATE on the step decides the winner).
* hazards   — `hazard_run`: an alarm still present after
  ANJIAN_MONITORING_HAZARD_AFTER_MINUTES, or a point and condition that raised
  ANJIAN_MONITORING_HAZARD_REPEATS alarms within ANJIAN_MONITORING_HAZARD_REPEAT_HOURS,
  opens a hazard (source "sensor_alarm") through anjian.hazards.services.hazard_report,
  reported on the enterprise's behalf by its safety officer (else its principal) via
  "job"; the alarm rows point at the hazard and the hazard's report event names the
  alarms. An alarm opens at most one hazard.

Every change commits on its own with its event and audit entry; a failure on one alarm
is logged and the rest go on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role, User
from anjian.core.audit import Actor, audit_append
from anjian.core.models import NotificationKind
from anjian.core.notify import notify

from . import engine
from .alarms import record
from .models import Alarm, AlarmEvent, AlarmState, EngineState, Point, PointRule
from .rules import DEFAULT_RULE, build, utc_offset_minutes
from .services import condition_label

logger = logging.getLogger(__name__)

JOB_ACTOR = Actor.system("job", "monitoring job")

DEFAULT_ESCALATION_MINUTES = (0, 10, 20, 30)
DEFAULT_HAZARD_AFTER_MINUTES = 120
DEFAULT_HAZARD_REPEATS = 5
DEFAULT_HAZARD_REPEAT_HOURS = 24

STEP_SAFETY, STEP_PRINCIPAL, STEP_GRID, STEP_DEPARTMENT = 1, 2, 3, 4
MAX_STEP = STEP_DEPARTMENT


def escalation_minutes() -> tuple[int, ...]:
    value = getattr(settings, "ANJIAN_MONITORING_ESCALATION_MINUTES", DEFAULT_ESCALATION_MINUTES)
    minutes = tuple(int(m) for m in value)
    if len(minutes) != MAX_STEP or any(m < 0 for m in minutes):
        raise ValueError("ANJIAN_MONITORING_ESCALATION_MINUTES: four minutes, none negative")
    return minutes


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def step_labels() -> dict[int, str]:
    return {
        0: _("not escalated"),
        STEP_SAFETY: _("the enterprise's safety officer on duty"),
        STEP_PRINCIPAL: _("the enterprise's principal"),
        STEP_GRID: _("the grid officer"),
        STEP_DEPARTMENT: _("the lead department and the safety committee office"),
    }


def _job_event(alarm: Alarm, action: str, at: dt.datetime, note: str, data: dict) -> AlarmEvent:
    return AlarmEvent.objects.create(
        alarm=alarm,
        action=action,
        from_state=alarm.state,
        to_state=alarm.state,
        actor_label=JOB_ACTOR.label,
        via=JOB_ACTOR.via,
        at=at,
        note=note,
        data=data,
    )


# --- offline --------------------------------------------------------------------------------


def _latest_times(point_ids: list[int]) -> dict[int, dt.datetime]:
    """The newest reading time per point, from the hot latest values (when the ingestion's
    model is installed) and the engine's checkpoints."""
    out: dict[int, dt.datetime] = {}
    sources: list[Any] = [EngineState.objects.filter(last_ts__isnull=False)]
    try:
        latest = apps.get_model("monitoring", "LatestValue")
        sources.append(latest.objects.all())
    except LookupError:
        pass
    for qs in sources:
        field = "last_ts" if qs.model is EngineState else "ts"
        for pk, ts in qs.filter(point_id__in=point_ids).values_list("point_id", field):
            if pk not in out or ts > out[pk]:
                out[pk] = ts
    return out


CHUNK = 2000


def _active_points() -> Iterable[list[Point]]:
    qs = Point.objects.filter(is_active=True).only(
        "pk", "kind", "sampling_seconds", "offline_periods", "created_at"
    )
    chunk: list[Point] = []
    for point in qs.order_by("pk").iterator(chunk_size=CHUNK):
        chunk.append(point)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def offline_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Raise offline alarms for silent points, clear those whose point reports again."""
    now = now or timezone.now()
    offset = utc_offset_minutes()
    counts = {"looked_at": 0, "raised": 0, "cleared": 0}
    for points in _active_points():
        ids = [p.pk for p in points]
        last = _latest_times(ids)
        levels = dict(PointRule.objects.filter(point_id__in=ids).values_list("pk", "offline_level"))
        open_offline = {
            a.point_id: a
            for a in Alarm.objects.filter(
                point_id__in=ids, condition=engine.OFFLINE, cleared_at__isnull=True
            ).only("pk", "point_id", "raised_at", "level")
        }
        transitions: list[engine.Transition] = []
        for point in points:
            counts["looked_at"] += 1
            seen = last.get(point.pk)
            rule = PointRule(offline_level=levels.get(point.pk, DEFAULT_RULE.offline_level))
            rules = build(point, (), rule, (), offset)
            alarm = open_offline.get(point.pk)
            if alarm is not None:
                # Open: clear it when the point reported after the reading it was timed from.
                if seen is not None and seen > alarm.raised_at - dt.timedelta(
                    seconds=rules.offline_after
                ):
                    at = max(seen, alarm.raised_at)
                    transitions.append(
                        engine.Transition(
                            point.pk, engine.OFFLINE, alarm.level, engine.CLEAR, at, None
                        )
                    )
                    counts["cleared"] += 1
                continue
            state = engine.PointState(last_ts=(seen or point.created_at).timestamp())
            transitions += engine.offline(rules, state, now)
        with transaction.atomic():
            counts["raised"] += record(transitions)
    return counts


# --- escalation -----------------------------------------------------------------------------


def _due_step(alarm: Alarm, now: dt.datetime, minutes: tuple[int, ...]) -> int:
    """The highest step whose time has come for this unacknowledged alarm."""
    at, step = alarm.raised_at, 0
    for n, m in enumerate(minutes, start=1):
        at += dt.timedelta(minutes=m)
        if now < at:
            break
        step = n
    return step


def _people(alarm: Alarm, step: int) -> list[User]:
    from anjian.hazards import notify as hn

    enterprise = alarm.enterprise
    if step == STEP_SAFETY:
        people = list(
            User.objects.filter(
                is_active=True,
                enterprise_id=enterprise.pk,
                role=Role.ENTERPRISE_SAFETY_OFFICER,
            )
        )
        return people or hn.enterprise_principals(enterprise)
    if step == STEP_PRINCIPAL:
        return hn.enterprise_principals(enterprise)
    if step == STEP_GRID:
        return hn.grid_officers(enterprise)
    return hn.lead_officers(enterprise) + hn.nearest_coordinators(enterprise.division)


def _escalate(alarm: Alarm, step: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        won = Alarm.objects.filter(
            pk=alarm.pk, state=AlarmState.RAISED, escalation_step=step - 1
        ).update(escalation_step=step, escalated_at=now)
        if not won:
            return False
        alarm.escalation_step, alarm.escalated_at = step, now
        people = list({p.pk: p for p in _people(alarm, step)}.values())
        label = step_labels()[step]
        data = {
            "step": step,
            "notified": [{"id": p.pk, "name": str(p), "role": p.role} for p in people],
        }
        note = _("Not acknowledged: escalated to %(who)s.") % {"who": label}
        event = _job_event(alarm, "escalate", now, note, data)
        audit_append(
            actor=JOB_ACTOR,
            action="alarm_escalate",
            obj=alarm,
            summary=f"alarm {alarm.pk} escalation step {step}",
            changes={**data, "event_id": event.pk},
        )
        if not people:
            logger.warning("alarm %s escalated to step %d but nobody holds it", alarm.pk, step)
        point = alarm.point
        notify(
            recipients=people,
            kind=NotificationKind.ESCALATION,
            title=_("Unacknowledged %(level)s alarm at %(enterprise)s")
            % {"level": alarm.get_level_display(), "enterprise": alarm.enterprise.name},
            body=_(
                "%(point)s (%(code)s): %(condition)s, value %(value)s, raised at %(at)s; "
                "escalation step %(step)d (%(who)s)."
            )
            % {
                "point": point.name,
                "code": point.code,
                "condition": condition_label(alarm.condition, alarm.setpoint),
                "value": "" if alarm.value is None else f"{alarm.value:g}",
                "at": timezone.localtime(alarm.raised_at).strftime("%Y-%m-%d %H:%M:%S"),
                "step": step,
                "who": label,
            },
            object_label=f"{point.code} {condition_label(alarm.condition, alarm.setpoint)}"[:128],
        )
    return True


def escalation_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Escalate every unacknowledged alarm whose next step has come."""
    now = now or timezone.now()
    minutes = escalation_minutes()
    first = now - dt.timedelta(minutes=minutes[0])
    counts = {"looked_at": 0, "escalated": 0, "errors": 0}
    counts.update({f"step_{n}": 0 for n in range(1, MAX_STEP + 1)})
    qs = (
        Alarm.objects.filter(
            state=AlarmState.RAISED, escalation_step__lt=MAX_STEP, raised_at__lte=first
        )
        .select_related("enterprise__division", "point")
        .order_by("pk")
    )
    for alarm in qs.iterator(chunk_size=CHUNK):
        counts["looked_at"] += 1
        try:
            for step in range(alarm.escalation_step + 1, _due_step(alarm, now, minutes) + 1):
                if not _escalate(alarm, step, now):
                    break  # acknowledged meanwhile, or another worker got there first
                counts["escalated"] += 1
                counts[f"step_{step}"] += 1
        except Exception:
            logger.exception("escalation failed on alarm %s", alarm.pk)
            counts["errors"] += 1
    return counts


# --- alarm → hazard -----------------------------------------------------------------------


def _reporter(enterprise_id: int) -> User | None:
    for role in (Role.ENTERPRISE_SAFETY_OFFICER, Role.ENTERPRISE_PRINCIPAL):
        user = (
            User.objects.filter(is_active=True, enterprise_id=enterprise_id, role=role)
            .order_by("pk")
            .first()
        )
        if user is not None:
            return user
    return None


def _hazard_data(alarm: Alarm, why: str, count: int) -> dict[str, Any]:
    point = alarm.point
    where = [point.name, point.code]
    if point.installation_id:
        where.insert(0, str(point.installation))
    elif point.risk_unit_id:
        where.insert(0, str(point.risk_unit))
    instrument = alarm.condition in (engine.OFFLINE, engine.STUCK)
    if why == "duration":
        description = _(
            "Monitoring alarm %(condition)s (%(level)s) at %(point)s has lasted since %(at)s "
            "(value %(value)s)."
        )
    else:
        description = _(
            "Monitoring alarm %(condition)s (%(level)s) at %(point)s repeated %(n)d times; "
            "the latest at %(at)s (value %(value)s)."
        )
    description = description % {
        "condition": condition_label(alarm.condition, alarm.setpoint),
        "level": alarm.get_level_display(),
        "point": f"{point.name} ({point.code})",
        "at": timezone.localtime(alarm.raised_at).strftime("%Y-%m-%d %H:%M"),
        "value": "" if alarm.value is None else f"{alarm.value:g}",
        "n": count,
    }
    data: dict[str, Any] = {
        "source": "sensor_alarm",
        "hazard_type": "instrument" if instrument else "safety",
        "category": "things",
        "handling": "deadline",
        "description": description,
        "location": " ".join(where)[:255],
    }
    if point.risk_unit_id:
        data["risk_unit_id"] = point.risk_unit_id
    return data


def _open_hazard(alarms: list[Alarm], why: str, now: dt.datetime) -> bool:
    """Report one hazard for these alarms (the newest leads) and link them both ways."""
    from anjian.hazards import services as hazard_services

    lead = alarms[-1]
    user = _reporter(lead.enterprise_id)
    if user is None:
        logger.warning(
            "alarm %s should open a hazard but its enterprise has no active principal or "
            "safety officer to report it",
            lead.pk,
        )
        return False
    actor = Actor(user=user, via="job", label=f"monitoring job for {user.get_username()}"[:128])
    ids = [a.pk for a in alarms]
    with transaction.atomic():
        locked = list(
            Alarm.objects.select_for_update()
            .filter(pk__in=ids, hazard__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if len(locked) != len(ids):
            return False  # another worker linked them first
        links = {
            "monitoring_alarms": [
                {
                    "id": a.pk,
                    "point": a.point.code,
                    "condition": a.condition,
                    "level": a.level,
                    "raised_at": a.raised_at.isoformat(),
                }
                for a in alarms
            ],
            "monitoring_rule": why,
        }
        hazard = hazard_services.hazard_report(
            actor=actor,
            enterprise_id=lead.enterprise_id,
            data=_hazard_data(lead, why, len(alarms)),
            links=links,
        )
        Alarm.objects.filter(pk__in=ids).update(hazard=hazard)
        for alarm in alarms:
            data = {"hazard_id": hazard.pk, "number": hazard.number, "rule": why}
            event = _job_event(alarm, "hazard", now, hazard.number, data)
            audit_append(
                actor=JOB_ACTOR,
                action="alarm_hazard",
                obj=alarm,
                summary=f"alarm {alarm.pk} → hazard {hazard.number}",
                changes={**data, "event_id": event.pk},
            )
    return True


def hazard_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Open hazards for alarms that last or repeat past the limits."""
    now = now or timezone.now()
    after = dt.timedelta(minutes=_setting("ANJIAN_MONITORING_HAZARD_AFTER_MINUTES", 120))
    repeats = _setting("ANJIAN_MONITORING_HAZARD_REPEATS", DEFAULT_HAZARD_REPEATS)
    window = dt.timedelta(
        hours=_setting("ANJIAN_MONITORING_HAZARD_REPEAT_HOURS", DEFAULT_HAZARD_REPEAT_HOURS)
    )
    counts = {"by_duration": 0, "by_repeats": 0, "errors": 0}
    unlinked = Alarm.objects.filter(hazard__isnull=True).select_related(
        "point__installation", "point__risk_unit", "enterprise"
    )
    lasting = unlinked.filter(cleared_at__isnull=True, raised_at__lte=now - after).exclude(
        state=AlarmState.CLOSED
    )
    for alarm in lasting.order_by("pk").iterator(chunk_size=CHUNK):
        try:
            counts["by_duration"] += _open_hazard([alarm], "duration", now)
        except Exception:
            logger.exception("alarm %s: opening its hazard failed", alarm.pk)
            counts["errors"] += 1
    recent = unlinked.filter(raised_at__gt=now - window, raised_at__lte=now)
    groups = (
        recent.values("point_id", "condition")
        .annotate(n=Count("pk"), newest=Max("raised_at"))
        .filter(n__gte=repeats)
        .order_by("point_id", "condition")
    )
    for group in groups:
        alarms = list(
            recent.filter(point_id=group["point_id"], condition=group["condition"]).order_by(
                "raised_at", "pk"
            )
        )
        try:
            counts["by_repeats"] += _open_hazard(alarms, "repeats", now)
        except Exception:
            logger.exception("alarms of point %s: opening their hazard failed", group["point_id"])
            counts["errors"] += 1
    return counts


def monitoring_jobs_run(*, now: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    """All three, in order (the worker's minute task)."""
    now = now or timezone.now()
    return {
        "offline": offline_run(now=now),
        "escalation": escalation_run(now=now),
        "hazards": hazard_run(now=now),
    }


__all__ = [
    "escalation_minutes",
    "escalation_run",
    "hazard_run",
    "monitoring_jobs_run",
    "offline_run",
    "step_labels",
]

"""People's steps on an alarm: `alarm_acknowledge`, `alarm_handle`, `alarm_close`
(the table is anjian.monitoring.workflow).

Each step, in one transaction: checks the alarm is in the actor's scope (else 404),
locks the row, checks the version the actor read (a stale one is a Conflict, so of two
people acting at once exactly one wins), the state (Conflict), the party (Forbidden),
the guard (Conflict) and the data (ValidationFailed); then writes the new state, appends
an AlarmEvent and an audit entry.
"""

from __future__ import annotations

from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.accounts.models import User
from anjian.core import scoping, uploads
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

from . import workflow as wf
from .models import Alarm, AlarmEvent, SetPoint

HANDLING_LIMIT = 4000
PHOTO_POLICY = uploads.UploadPolicy(
    types=("PNG", "JPEG", "WEBP"),
    max_bytes=10 * 1024 * 1024,
    reencode=True,
    too_big=gettext_lazy("A photo must be at most 10 MB."),
    wrong_type=gettext_lazy("Upload a PNG, JPEG or WebP image."),
)


def action_labels() -> dict[str, str]:
    return {
        wf.ACKNOWLEDGE: _("acknowledge"),
        wf.HANDLE: _("handle"),
        wf.CLOSE: _("close"),
    }


def state_labels() -> dict[str, str]:
    return {
        wf.RAISED: _("raised"),
        wf.ACKNOWLEDGED: _("acknowledged"),
        wf.HANDLED: _("handled"),
        wf.CLOSED: _("closed"),
    }


def condition_label(condition: str, setpoint: str = "") -> str:
    """An alarm's condition in words ("threshold:high" → set-point high)."""
    kind, _sep, detail = condition.partition(":")
    if kind == "threshold":
        names = {value: str(label) for value, label in SetPoint._meta.get_field("name").choices}
        name = names.get(setpoint or detail, setpoint or detail)
        return _("set-point %(name)s") % {"name": name}
    labels = {
        "rate": _("rate of change"),
        "stuck": _("stuck value"),
        "seal": _("seal opened outside its window"),
        "offline": _("point offline"),
    }
    return labels.get(kind, condition)


def parties(user: Any, alarm: Alarm) -> frozenset[str]:
    """Who the user is for this alarm (the alarm is already known to be in scope)."""
    if not scoping.is_active_user(user):
        return frozenset()
    same = bool(user.enterprise_id) and user.enterprise_id == alarm.enterprise_id
    return wf.parties_of(user.role, same_enterprise=same, in_scope=user.is_regulator)


def available_actions(user: Any, alarm: Alarm) -> list[str]:
    if not scoping.visible(user, Alarm).filter(pk=alarm.pk).exists():
        return []
    facts = wf.Facts(cleared=alarm.cleared_at is not None)
    return wf.available(alarm.state, facts, parties(user, alarm))


def visible_alarms(user: User):
    return scoping.visible(user, Alarm)


def _lock(actor: Actor, alarm_id: int) -> Alarm:
    if not scoping.visible(actor.user, Alarm).filter(pk=alarm_id).exists():
        raise NotFound(_("No such alarm in your scope."))
    return Alarm.objects.select_for_update(of=("self",)).get(pk=alarm_id)


# What each step writes besides its new state: who took it and when. Which state it leaves
# and reaches, who may take it and on what condition is the workflow's table.
_STAMPS: dict[str, tuple[str, str]] = {
    wf.ACKNOWLEDGE: ("acknowledged_by", "acknowledged_at"),
    wf.HANDLE: ("handled_by", "handled_at"),
    wf.CLOSE: ("closed_by", "closed_at"),
}


def _not_a_party() -> dict[str, str]:
    """Why someone who is not among a step's parties is refused it."""
    return {
        wf.ACKNOWLEDGE: _(
            "Only the enterprise's staff or a regulator in charge may acknowledge this alarm."
        ),
        wf.HANDLE: _("Only the enterprise's staff may handle this alarm."),
        wf.CLOSE: _("Only the enterprise's principal or safety officer may close this alarm."),
    }


def _check(alarm: Alarm, action: str, user: Any) -> wf.Transition:
    step = wf.step(alarm.state, action)
    if step is None:
        raise Conflict(
            _("Cannot %(action)s an alarm that is %(state)s.")
            % {"action": action_labels()[action], "state": state_labels()[alarm.state]}
        )
    if not step.parties & parties(user, alarm):
        raise Forbidden(_not_a_party()[action])
    if not wf.GUARDS[step.guard](wf.Facts(cleared=alarm.cleared_at is not None)):
        raise Conflict(
            _("The alarm's condition is still present: it can be closed once it has cleared.")
        )
    return step


def _event(
    alarm: Alarm,
    actor: Actor,
    action: str,
    from_state: str,
    to_state: str,
    at: Any,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> AlarmEvent:
    user = actor.user
    return AlarmEvent.objects.create(
        alarm=alarm,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=user,
        actor_label=actor.label[:128],
        actor_role=(user.role if user is not None else "")[:32],
        via=actor.via[:16],
        at=at,
        note=note,
        data=data or {},
    )


def _text(value: Any, name: str, *, required: bool, missing: str) -> tuple[str, dict]:
    if value is None:
        value = ""
    if not isinstance(value, str):
        return "", {name: [_("Enter text.")]}
    value = value.strip()
    if required and not value:
        return "", {name: [missing]}
    if len(value) > HANDLING_LIMIT:
        return "", {name: [_("At most %(n)d characters.") % {"n": HANDLING_LIMIT}]}
    return value, {}


def _apply(
    *,
    actor: Actor,
    alarm_id: int,
    action: str,
    expected_version: int | None,
    note: str = "",
    fields: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    photo: uploads.CheckedUpload | None = None,
) -> Alarm:
    """Take one step of the workflow's table on the locked alarm: the checks, the new
    state with who and when (`_STAMPS`) and the step's own `fields`, the event and the
    audit entry (`data` goes into both)."""
    data = dict(data or {})
    with transaction.atomic():
        alarm = _lock(actor, alarm_id)
        if expected_version is not None and expected_version != alarm.version:
            raise Conflict(_("Somebody else moved this alarm first; reload and try again."))
        step = _check(alarm, action, actor.user)
        now = timezone.now()
        from_state = alarm.state
        by, when = _STAMPS[action]
        setattr(alarm, by, actor.user)
        setattr(alarm, when, now)
        for name, value in (fields or {}).items():
            setattr(alarm, name, value)
        if photo is not None:
            uploads.store(alarm.photo, photo)
            alarm.photo_sha256 = photo.sha256
            data["photo"] = {"sha256": photo.sha256, "name": photo.name}
        alarm.state = step.target
        alarm.version += 1  # the row is locked: no lost update
        alarm.save()
        event = _event(alarm, actor, action, from_state, step.target, now, note, data)
        audit_append(
            actor=actor,
            action=f"alarm_{action}",
            obj=alarm,
            summary=f"alarm {alarm.pk} {alarm.condition} {from_state}→{step.target}",
            changes={"from": from_state, "to": step.target, "event_id": event.pk, **data},
        )
    return alarm


def _note(note: Any) -> str:
    text, errors = _text(note, "note", required=False, missing="")
    if errors:
        raise ValidationFailed(errors)
    return text


def alarm_acknowledge(
    *, actor: Actor, alarm_id: int, expected_version: int | None = None, note: Any = ""
) -> Alarm:
    """Someone has seen the alarm and takes it on (who, when)."""
    return _apply(
        actor=actor,
        alarm_id=alarm_id,
        action=wf.ACKNOWLEDGE,
        expected_version=expected_version,
        note=_note(note),
    )


def inspect_photo(upload: File) -> uploads.CheckedUpload:
    return uploads.inspect_upload(upload, PHOTO_POLICY)


def alarm_handle(
    *,
    actor: Actor,
    alarm_id: int,
    handling: Any,
    photo: File | None = None,
    expected_version: int | None = None,
) -> Alarm:
    """What was done about the alarm (required), with an optional evidence photo."""
    text, errors = _text(
        handling, "handling", required=True, missing=_("Say what was done about the alarm.")
    )
    checked = inspect_photo(photo) if photo is not None else None
    if checked is not None and checked.error:
        errors["photo"] = [checked.error]
    if errors:
        raise ValidationFailed(errors)
    return _apply(
        actor=actor,
        alarm_id=alarm_id,
        action=wf.HANDLE,
        expected_version=expected_version,
        note=text,
        fields={"handling": text},
        data={"handling": text},
        photo=checked,
    )


def alarm_close(
    *, actor: Actor, alarm_id: int, expected_version: int | None = None, note: Any = ""
) -> Alarm:
    """Close a handled alarm whose condition has cleared."""
    return _apply(
        actor=actor,
        alarm_id=alarm_id,
        action=wf.CLOSE,
        expected_version=expected_version,
        note=_note(note),
    )


__all__ = [
    "PHOTO_POLICY",
    "action_labels",
    "alarm_acknowledge",
    "alarm_close",
    "alarm_handle",
    "available_actions",
    "parties",
    "state_labels",
    "visible_alarms",
]

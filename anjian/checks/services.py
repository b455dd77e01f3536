"""Writes of the self-checks (隐患排查). Same contract as the other services: keyword
arguments, scope checked first (anjian.core.scoping), one transaction with the rows
locked, an audit entry with every change.

* `check_start`  — an enterprise's staff member opens a task's check for its current
  period (or a missed one, or as a correction of a submitted record): the server's start
  time, the device and its clock. The page's client token makes a repeated start return
  the same record.
* `check_submit` — every item answered (normal / hazard found / not checked / other),
  with a note, a photo and the position; each "hazard found" opens a hazard through
  anjian.hazards.services.hazard_report (source self_check) in the same transaction: all
  or nothing. A resubmission with the same token returns the submitted record; a
  submitted record is never edited.
* `check_mark_missed` — the job's step for one task: each period that ended without a
  submitted record is marked missed, and the task's next_due moves on.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import ENTERPRISE_ROLES
from anjian.core import scoping, uploads
from anjian.core.audit import Actor, audit_append
from anjian.core.choices import choose_one_of
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.times import utc_instant
from anjian.hazards import services as hazard_services
from anjian.hazards.models import CheckKind, Source
from anjian.risks.models import CheckTask

from . import periods
from .models import AnswerStatus, CheckAnswer, CheckRecord, RecordState, Timing
from .phash import dhash_bytes

TZ: str = settings.TIME_ZONE
JOB_ACTOR = Actor.system("job", "self-check missed job")
NOTE_LIMIT = 2000
DEVICE_LIMIT = 64
MAX_ACCURACY_M = 100_000.0
# An hourly task whose job did not run for six weeks catches up over several runs.
MAX_CATCH_UP = 1000
# Answers that are not "normal" say why or what: a hazard's description, the reason an
# item was not checked, what "other" means.
NOTE_REQUIRED = frozenset({AnswerStatus.HAZARD_FOUND, AnswerStatus.NOT_CHECKED, AnswerStatus.OTHER})

Errors = dict[str, list[str]]


# --- reading helpers (pages use them too) -------------------------------------------------


@dataclass(frozen=True)
class Item:
    """An item to answer: its position on the record, its text, its row (None for a
    task's own content)."""

    position: int
    content: str
    item_id: int | None = None
    basis: str = ""


def task_items(task: CheckTask) -> list[Item]:
    """A task's items: its TaskItem rows when it has some (prefetch `items` for lists),
    else one item, the task's own check content."""
    rows = [row for row in task.items.all() if row.active]
    if rows:
        return [Item(r.position, r.content, r.pk, r.basis) for r in rows]
    return [Item(1, task.content)]


def period_of(task: CheckTask, at: dt.datetime) -> periods.Period:
    return periods.period_containing(at, task.cycle, task.cycle_unit, TZ)


def place_of(task: CheckTask) -> str:
    """Where the item is checked: the risk unit of the measure, or the installation."""
    if task.installation_id:
        return str(task.installation)
    if task.measure_id:
        return str(task.measure.event.unit)
    if task.from_checklist:
        adoption = getattr(task, "adoption", None)
        if adoption is not None and adoption.unit_id:
            return str(adoption.unit)
    return ""


def is_staff_of(user: Any, enterprise_id: int) -> bool:
    return (
        scoping.is_active_user(user)
        and user.role in ENTERPRISE_ROLES
        and user.enterprise_id == enterprise_id
    )


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _token(errors: Errors, value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        _add(errors, "client_token", _("The page's token is missing or malformed; reload it."))
        return None


def _text(errors: Errors, name: str, value: Any, limit: int, *, multiline: bool = True) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        _add(errors, name, _("Enter text."))
        return ""
    text = value.strip()
    allowed = "\n\r\t" if multiline else ""
    if any(ord(ch) < 32 and ch not in allowed for ch in text):
        _add(errors, name, _("Enter text (no control characters)."))
        return ""
    if len(text) > limit:
        _add(errors, name, _("At most %(n)d characters.") % {"n": limit})
        return ""
    return text


def _instant(errors: Errors, name: str, value: Any) -> dt.datetime | None:
    """A device's clock reading: ISO 8601 with its UTC offset, or nothing."""
    if value in (None, ""):
        return None
    parsed = None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            parsed = None
    instant = utc_instant(parsed) if parsed is not None else None
    if instant is None:
        _add(errors, name, _("Enter a time in ISO 8601 with its UTC offset."))
    return instant


def _number(errors: Errors, name: str, value: Any, low: float, high: float) -> float | None:
    if value in (None, ""):
        return None
    try:
        if isinstance(value, bool):
            raise ValueError(value)
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or not low <= number <= high:
        _add(
            errors, name, _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
        )
        return None
    return number


def _position(errors: Errors, data: Mapping[str, Any]) -> dict[str, float | None]:
    lat = _number(errors, "lat", data.get("lat"), -90, 90)
    lon = _number(errors, "lon", data.get("lon"), -180, 180)
    accuracy = _number(errors, "accuracy", data.get("accuracy"), 0, MAX_ACCURACY_M)
    if (lat is None) != (lon is None) and "lat" not in errors and "lon" not in errors:
        _add(errors, "lat", _("Give both latitude and longitude, or neither."))
    return {"lat": lat, "lon": lon, "accuracy": accuracy if lat is not None else None}


def _staff_task(actor: Actor, task_id: int, *, lock: bool = False) -> CheckTask:
    """The task, if the actor sees it and is its enterprise's staff (regulators see the
    records but do not do an enterprise's self-checks)."""
    user = actor.user
    qs = scoping.visible(user, CheckTask).filter(pk=task_id)
    if lock:
        qs = qs.select_for_update()
    task = qs.first()
    if task is None:
        raise NotFound(_("No such check task in your scope."))
    if not is_staff_of(user, task.enterprise_id):
        raise Forbidden(_("Only the enterprise's own staff do its self-checks."))
    return task


# --- start ---------------------------------------------------------------------------------


def check_start(
    *,
    actor: Actor,
    task_id: int,
    client_token: Any,
    device_id: str = "",
    device_time: Any = None,
    period_start: Any = None,
    corrects_id: int | None = None,
    now: dt.datetime | None = None,
) -> CheckRecord:
    """Open the check of a task: its current period, or `period_start` (a period that was
    missed or is not yet filled), or a correction of the submitted record `corrects_id`.
    Returns the open record; a repeated start (same token, or the same checker again)
    returns the same record."""
    now = now or timezone.now()
    user = actor.user
    errors: Errors = {}
    token = _token(errors, client_token)
    device = _text(errors, "device_id", device_id, DEVICE_LIMIT, multiline=False)
    device_at = _instant(errors, "device_time", device_time)
    wanted = _instant(errors, "period_start", period_start)
    if errors:
        raise ValidationFailed(errors)
    _staff_task(actor, task_id)  # scope before any lock
    with transaction.atomic():
        task = _staff_task(actor, task_id, lock=True)  # one start of a task at a time
        same = CheckRecord.objects.filter(client_token=token).first()
        if same is not None:
            if same.task_id != task.pk or same.checker_id != user.pk:
                raise Conflict(_("This page's token belongs to another check; reload the page."))
            return same
        if not task.active:
            raise Conflict(_("This check task is no longer active."))
        original = None
        if corrects_id is not None:
            original = (
                CheckRecord.objects.select_for_update()
                .filter(task=task, pk=corrects_id, state=RecordState.SUBMITTED)
                .first()
            )
            if original is None:
                raise NotFound(_("No such submitted record of this task."))
            period = periods.Period(original.period_start, original.period_end)
            record = CheckRecord.objects.filter(corrects=original).first()
        else:
            period = period_of(task, wanted or now)
            if wanted is not None and period.start != wanted:
                raise ValidationFailed({"period_start": [_("Not a period of this task.")]})
            if period.start > now:
                raise ValidationFailed({"period_start": [_("This period has not begun.")]})
            record = (
                CheckRecord.objects.select_for_update()
                .filter(task=task, period_start=period.start, corrects__isnull=True)
                .first()
            )
        if record is not None:
            if record.state == RecordState.SUBMITTED:
                raise Conflict(
                    _("This period's check was submitted; a change is made as a correction.")
                )
            if record.checker_id not in (None, user.pk):
                raise Conflict(
                    _("%(name)s started this check at %(at)s.")
                    % {
                        "name": record.checker,
                        "at": timezone.localtime(record.started_at).strftime("%H:%M"),
                    }
                )
            if record.checker_id == user.pk and record.client_token:
                return record  # the same checker again, from a new page: resume
            fields = {
                "checker": user,
                "client_token": token,
                "started_at": record.started_at or now,
                "device_id": device,
                "device_started_at": device_at,
            }
            for name, value in fields.items():
                setattr(record, name, value)
            record.save(update_fields=list(fields))
        else:
            record = CheckRecord.objects.create(
                task=task,
                enterprise_id=task.enterprise_id,
                period_start=period.start,
                period_end=period.end,
                state=RecordState.OPEN,
                checker=user,
                client_token=token,
                started_at=now,
                device_id=device,
                device_started_at=device_at,
                corrects=original,
            )
        audit_append(
            actor=actor,
            action="check_start",
            obj=record,
            summary=f"{task.content} {timezone.localtime(record.period_start):%Y-%m-%d %H:%M}"[
                :200
            ],
            changes={
                "task_id": task.pk,
                "period_start": record.period_start,
                "period_end": record.period_end,
                "state": record.state,
                "device_id": device,
                "device_started_at": device_at,
                "corrects_id": original.pk if original else None,
            },
        )
    return record


# --- submit --------------------------------------------------------------------------------


@dataclass
class _Answer:
    item: Item
    status: str
    note: str
    photo: uploads.CheckedUpload | None


def _clean_answers(
    errors: Errors, items: list[Item], answers: Any, photos: Mapping[str, File]
) -> list[_Answer]:
    if not isinstance(answers, Mapping):
        _add(errors, "answers", _("Answer every item."))
        return []
    known = {str(item.position) for item in items}
    for key in sorted(set(map(str, answers)) - known):
        _add(errors, f"answers.{key}", _("Unknown item."))
    for key in sorted(set(map(str, photos)) - known):
        _add(errors, f"answers.{key}.photo", _("Unknown item."))
    out: list[_Answer] = []
    for item in items:
        key = str(item.position)
        given = answers.get(key, answers.get(item.position))
        given = given if isinstance(given, Mapping) else {}
        status = given.get("status")
        if status not in AnswerStatus.values:
            _add(errors, f"answers.{key}.status", choose_one_of(AnswerStatus))
            status = ""
        note = _text(errors, f"answers.{key}.note", given.get("note"), NOTE_LIMIT)
        if status in NOTE_REQUIRED and not note and f"answers.{key}.note" not in errors:
            message = {
                AnswerStatus.HAZARD_FOUND: _("Describe the hazard."),
                AnswerStatus.NOT_CHECKED: _("Say why the item was not checked."),
                AnswerStatus.OTHER: _("Say what you found."),
            }[status]
            _add(errors, f"answers.{key}.note", message)
        checked = None
        upload = photos.get(key)
        if upload is not None:
            checked = hazard_services.inspect_photo(upload)
            if checked.error:
                _add(errors, f"answers.{key}.photo", checked.error)
                checked = None
        out.append(_Answer(item, status, note, checked))
    return out


def _hazard_data(task: CheckTask, answer: _Answer) -> dict[str, Any]:
    """The hazard a "hazard found" answer opens: the item's context (task, unit or
    installation, measure) and the checker's note."""
    place = place_of(task)
    description = f"{answer.item.content.rstrip('。；;. ')}：{answer.note}"
    data: dict[str, Any] = {
        "source": Source.SELF_CHECK,
        # A measure's check item that fails is the measure failing (DANGER_SRC 9); the
        # installations' guarantor checks are the daily checks.
        "check_kind": CheckKind.MEASURE_FAILURE if task.measure_id else CheckKind.DAILY,
        "hazard_type": "other",
        "category": "things",
        "handling": "deadline",
        "description": description[: hazard_services.TEXT_LIMIT],
        "location": (place or str(task.enterprise))[:255],
        "note": _("Found in the self-check of task %(task)s.") % {"task": task.content},
    }
    if answer.item.basis:
        # A check-list item restates a clause (often a determination standard's item): the
        # hazard names it, so whoever reviews it can judge whether it is a major one.
        data["note"] += " " + _("Item basis: %(basis)s") % {"basis": answer.item.basis}
    if task.measure_id:
        data["control_measure_id"] = task.measure_id
    return data


def check_submit(
    *,
    actor: Actor,
    record_id: int,
    client_token: Any,
    data: Mapping[str, Any],
    photos: Mapping[str, File] | None = None,
    now: dt.datetime | None = None,
) -> CheckRecord:
    """Submit an open (or missed) record: `data` holds "answers" ({position: {"status",
    "note"}}), "lat", "lon", "accuracy", "device_id", "device_started_at",
    "device_submitted_at", "note"; `photos` one photo per position. Every field is
    checked before anything is written (ValidationFailed with every error); then the
    record, its answers and one hazard per "hazard found" answer in one transaction."""
    now = now or timezone.now()
    user = actor.user
    photos = photos or {}
    record = (
        scoping.visible(user, CheckRecord)
        .select_related(
            "task__enterprise", "task__installation", "task__measure__event__unit", "checker"
        )
        .filter(pk=record_id)
        .first()
    )
    if record is None:
        raise NotFound(_("No such check record in your scope."))
    errors: Errors = {}
    token = _token(errors, client_token)
    if token is not None and record.state == RecordState.SUBMITTED:
        if record.client_token == token:
            return record  # the same submission again (a dropped connection's retry)
        raise Conflict(_("A submitted record is never edited; make a correction instead."))
    if not is_staff_of(user, record.enterprise_id):
        raise Forbidden(_("Only the enterprise's own staff do its self-checks."))
    if token is not None and record.client_token != token:
        raise Conflict(_("This check was started on another page; open it again."))
    if record.checker_id != user.pk:
        raise Forbidden(_("Only the checker who started this check submits it."))
    task = record.task
    items = task_items(task)
    answers = _clean_answers(errors, items, data.get("answers"), photos)
    position = _position(errors, data)
    device = _text(errors, "device_id", data.get("device_id"), DEVICE_LIMIT, multiline=False)
    device_started = _instant(errors, "device_started_at", data.get("device_started_at"))
    device_submitted = _instant(errors, "device_submitted_at", data.get("device_submitted_at"))
    note = _text(errors, "note", data.get("note"), NOTE_LIMIT)
    if errors:
        raise ValidationFailed(errors)

    with transaction.atomic():
        # The task before the record: the order check_start and the missed job lock them
        # in, so concurrent writers queue instead of deadlocking.
        CheckTask.objects.select_for_update().filter(pk=task.pk).values("pk").first()
        locked = CheckRecord.objects.select_for_update().get(pk=record.pk)
        if locked.state == RecordState.SUBMITTED:
            if locked.client_token == token:
                return locked  # the other request of a double submit won
            raise Conflict(_("A submitted record is never edited; make a correction instead."))
        was_missed = locked.state == RecordState.MISSED
        period = periods.Period(locked.period_start, locked.period_end)
        timing = Timing.LATE if was_missed else periods.timing(now, period)
        fields: dict[str, Any] = {
            "state": RecordState.SUBMITTED,
            "timing": timing,
            "submitted_at": now,
            "device_id": device or locked.device_id,
            "device_started_at": device_started or locked.device_started_at,
            "device_submitted_at": device_submitted,
            "note": note,
            **position,
        }
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(fields))
        summary: list[dict[str, Any]] = []
        for answer in answers:
            hazard = None
            if answer.status == AnswerStatus.HAZARD_FOUND:
                photo_files = (
                    [ContentFile(answer.photo.content, name=answer.photo.name or "photo")]
                    if answer.photo
                    else []
                )
                hazard = hazard_services.hazard_report(
                    actor=actor,
                    enterprise_id=locked.enterprise_id,
                    data=_hazard_data(task, answer),
                    photos=photo_files,
                    links={
                        "check_record": {
                            "id": locked.pk,
                            "task_id": task.pk,
                            "position": answer.item.position,
                            "period_start": locked.period_start.isoformat(),
                        }
                    },
                )
            row = CheckAnswer(
                record=locked,
                position=answer.item.position,
                item_id=answer.item.item_id,
                content=answer.item.content,
                status=answer.status,
                note=answer.note,
                hazard=hazard,
            )
            if answer.photo is not None:
                row.photo_name = answer.photo.name[:255]
                row.photo_format = answer.photo.image_format
                row.photo_size = answer.photo.size
                row.photo_sha256 = answer.photo.sha256
                row.photo_dhash = dhash_bytes(answer.photo.content)
                uploads.store(row.photo, answer.photo)
            row.save()
            summary.append(
                {
                    "position": row.position,
                    "status": row.status,
                    "hazard": hazard.number if hazard else None,
                    "photo_sha256": row.photo_sha256 or None,
                    "photo_dhash": row.photo_dhash or None,
                }
            )
        # next_due is the end of the oldest period not yet settled (done or marked
        # missed): when that is this one, it moves to the next period's end. An older
        # unsettled period keeps it where it is, for the missed job to mark.
        following = periods.next_period(period, task.cycle, task.cycle_unit, TZ)
        CheckTask.objects.filter(
            pk=task.pk, next_due__gt=period.start, next_due__lte=period.end
        ).update(next_due=following.end)
        audit_append(
            actor=actor,
            action="check_submit",
            obj=locked,
            summary=f"{task.content} {timing}"[:200],
            changes={
                "task_id": task.pk,
                "period_start": locked.period_start,
                "timing": timing,
                "was_missed": was_missed,
                "answers": summary,
                **{
                    k: v for k, v in fields.items() if k.startswith(("device", "lat", "lon", "acc"))
                },
            },
        )
    return locked


# --- missed --------------------------------------------------------------------------------


def check_mark_missed(
    *, task_id: int, now: dt.datetime | None = None, actor: Actor = JOB_ACTOR
) -> list[int]:
    """Mark each period of the task that ended (from the one holding next_due) without a
    submitted record as missed, and move next_due to the end of the first period not
    yet over. Idempotent: the move is a conditional update on next_due, so a second run
    (or a second worker) finds nothing to do. Returns the ids of the records marked."""
    now = now or timezone.now()
    task = CheckTask.objects.filter(pk=task_id, active=True).first()
    if task is None or (task.next_due is not None and task.next_due > now):
        return []
    cursor_at = (task.next_due or now) - dt.timedelta(microseconds=1)
    ended = list(
        periods.ended_periods(cursor_at, now, task.cycle, task.cycle_unit, TZ, limit=MAX_CATCH_UP)
    )
    if ended:
        following = periods.next_period(ended[-1], task.cycle, task.cycle_unit, TZ)
    else:
        following = period_of(task, cursor_at)
    marked: list[int] = []
    with transaction.atomic():
        won = CheckTask.objects.filter(pk=task.pk, next_due=task.next_due).update(
            next_due=following.end
        )
        if not won:
            return []  # another run moved it first
        if not ended:
            return []
        starts = [p.start for p in ended]
        existing = {
            r.period_start: r
            for r in CheckRecord.objects.select_for_update().filter(
                task=task, period_start__in=starts, corrects__isnull=True
            )
        }
        open_ids = [r.pk for r in existing.values() if r.state == RecordState.OPEN]
        if open_ids:
            CheckRecord.objects.filter(pk__in=open_ids, state=RecordState.OPEN).update(
                state=RecordState.MISSED, timing=Timing.MISSED, missed_at=now
            )
            marked += open_ids
        new = [
            CheckRecord(
                task=task,
                enterprise_id=task.enterprise_id,
                period_start=p.start,
                period_end=p.end,
                state=RecordState.MISSED,
                timing=Timing.MISSED,
                missed_at=now,
            )
            for p in ended
            if p.start not in existing
        ]
        if new:
            CheckRecord.objects.bulk_create(new)
            marked += list(
                CheckRecord.objects.filter(
                    task=task,
                    period_start__in=[r.period_start for r in new],
                    corrects__isnull=True,
                ).values_list("pk", flat=True)
            )
        if marked:
            audit_append(
                actor=actor,
                action="check_missed",
                obj=task,
                summary=f"{task.content}: {len(marked)}"[:200],
                changes={
                    "record_ids": sorted(marked),
                    "periods": [p.start for p in ended if p.start not in existing]
                    + [existing[s].period_start for s in existing if existing[s].pk in open_ids],
                    "next_due": following.end,
                },
            )
    return sorted(marked)

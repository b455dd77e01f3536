"""Writes to the hazard ledger. Same contract as the registry and risk services: keyword
arguments, one transaction, scope checked before the row is locked, an audit entry with
every change, side effects (re-assessment proposals, the safety code) in the same
transaction or on commit.

Every step of a hazard goes through `hazard_act`, which applies one row of the table in
anjian.hazards.workflow; `hazard_report` creates a hazard (the table's "report" row).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.accounts.models import ENTERPRISE_ROLES, REGULATOR_ROLES, Role, User
from anjian.core import scoping, uploads
from anjian.core.audit import Actor, audit_append
from anjian.core.choices import choice_values, choose_one_of
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.numbers import is_int_text, parse_decimal, parse_int
from anjian.core.policy import recurrence_days
from anjian.people import points_services
from anjian.registry.models import Division, DivisionLevel, DutyAssignment, DutyRole, Enterprise
from anjian.reports import tally_services
from anjian.risks.models import ControlMeasure, RiskUnit
from anjian.risks.services import _after_commit_recompute, reassessment_propose

from . import deadlines as dl
from . import documents, reference, similarity
from . import notify as step_notify
from . import workflow as wf
from .models import (
    ACTION_LABELS,
    MAX_PHOTO_BYTES,
    PHOTO_FORMATS,
    AccountabilityReview,
    Category,
    CheckKind,
    EvaluatorKind,
    Handling,
    Hazard,
    HazardCounter,
    HazardEvent,
    HazardPhoto,
    HazardType,
    Level,
    MajorBasis,
    OccurrenceLink,
    PhotoKind,
    Source,
    State,
    SuspensionScope,
    WorkersBody,
)

TEXT_LIMIT = 2000
MAX_PHOTOS_PER_STEP = 20
MAX_FUNDS = decimal.Decimal("999999999999.99")  # fits max_digits=14, decimal_places=2
MAX_SIMILAR_CANDIDATES = 500


# --- who may: parties ---------------------------------------------------------------------


def party_labels() -> dict[str, str]:
    return {
        wf.ENTERPRISE_MANAGER: _("the enterprise's principal or safety officer"),
        wf.ENTERPRISE_PRINCIPAL: _("the enterprise's principal"),
        wf.ENTERPRISE_ACCEPTOR: _(
            "the enterprise's acceptor (a hazard the enterprise found and accepts itself)"
        ),
        wf.ENTERPRISE_STAFF: _("the enterprise's staff"),
        wf.INSPECTOR: _("regulators supervising the enterprise"),
        wf.COORDINATOR: _("the safety committee office"),
        wf.LEAD_OFFICER: _("officers of the lead department"),
        wf.GRID_OFFICER: _("the grid officer"),
        wf.EXPERT: _("experts of the jurisdiction"),
        wf.REVIEW_AUTHORITY: _(
            "the authority that reviews the hazard (found, ordered, stopped or listed it)"
        ),
    }


def enterprise_parties(user: Any, enterprise_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """Who `user` is in relation to each of these enterprises, in at most two queries
    (for list pages: no query per row)."""
    ids = set(enterprise_ids)
    none: frozenset[str] = frozenset()
    if not ids or not scoping.is_active_user(user):
        return dict.fromkeys(ids, none)
    role = user.role
    if role in ENTERPRISE_ROLES:
        staff = frozenset(
            p
            for p in (wf.ENTERPRISE_STAFF, wf.ENTERPRISE_MANAGER, wf.ENTERPRISE_PRINCIPAL)
            if role in wf.PARTY_ROLES[p]
        )
        return {pk: staff if pk == user.enterprise_id else none for pk in ids}
    if role not in REGULATOR_ROLES:
        return dict.fromkeys(ids, none)
    seen = set(scoping.visible_enterprises(user).filter(pk__in=ids).values_list("pk", flat=True))
    base = {wf.INSPECTOR} | {
        p for p in (wf.COORDINATOR, wf.GRID_OFFICER, wf.EXPERT) if role in wf.PARTY_ROLES[p]
    }
    led: set[int] = set()
    if role == Role.DEPARTMENT_OFFICER and user.department_id and seen:
        led = set(
            DutyAssignment.objects.filter(
                enterprise_id__in=seen, department_id=user.department_id, role=DutyRole.LEAD
            ).values_list("enterprise_id", flat=True)
        )
    return {
        pk: frozenset(base | ({wf.LEAD_OFFICER} if pk in led else set())) if pk in seen else none
        for pk in ids
    }


def is_review_authority(user: Any, hazard: Hazard) -> bool:
    """The user belongs to the body that reviews this hazard: an officer of the reviewing
    department, or (no department) a coordinator or grid officer of the reviewing
    division."""
    if hazard.review_department_id:
        return (
            user.role == Role.DEPARTMENT_OFFICER
            and user.department_id == hazard.review_department_id
        )
    if hazard.review_division_id:
        return (
            user.role in (Role.COORDINATOR, Role.GRID_OFFICER)
            and user.division_id == hazard.review_division_id
        )
    return False


def hazard_parties(
    user: Any, hazard: Hazard, of_enterprise: frozenset[str], *, acceptor: bool = True
) -> frozenset[str]:
    """The enterprise's parties plus the ones a hazard adds: the body that reviews it
    (a regulator in scope) or, where none does, the enterprise's own acceptor (its
    managers; for a major hazard its principal)."""
    if not of_enterprise:
        return of_enterprise
    if wf.INSPECTOR in of_enterprise:
        if is_review_authority(user, hazard):
            return of_enterprise | {wf.REVIEW_AUTHORITY}
        return of_enterprise
    if acceptor and hazard.enterprise_accepts:
        needed = wf.ENTERPRISE_PRINCIPAL if hazard.level == Level.MAJOR else wf.ENTERPRISE_MANAGER
        if needed in of_enterprise and not _fixer_with_other_acceptor(user, hazard):
            return of_enterprise | {wf.ENTERPRISE_ACCEPTOR}
    return of_enterprise


def _fixer_with_other_acceptor(user: Any, hazard: Hazard) -> bool:
    """The enterprise's acceptor is not the person who did the fix (who handed it in,
    or the person responsible named in the five fixes) where the enterprise has another
    acceptor (a manager; for a major hazard a principal): acceptance is a second pair of
    eyes. Only asked of a hazard waiting for acceptance."""
    if hazard.state != wf.SUBMITTED:
        return False
    names = {n for n in (user.get_full_name().strip(), user.username, str(user)) if n}
    fixer = hazard.liable_person.strip() in names or (
        HazardEvent.objects.filter(hazard=hazard, action=wf.SUBMIT, actor=user).exists()
    )
    if not fixer:
        return False
    roles = (
        [Role.ENTERPRISE_PRINCIPAL]
        if hazard.level == Level.MAJOR
        else [Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER]
    )
    return (
        User.objects.filter(is_active=True, enterprise_id=hazard.enterprise_id, role__in=roles)
        .exclude(pk=user.pk)
        .exists()
    )


def parties(user: Any, enterprise: Enterprise, hazard: Hazard | None = None) -> frozenset[str]:
    """Who `user` is in relation to this enterprise (and hazard): the workflow table
    names parties, not bare roles, because "officer" means the *lead* department's
    officer and "review" means the *listing* authority."""
    mine = enterprise_parties(user, [enterprise.pk])[enterprise.pk]
    if hazard is not None and not mine and _reviews_outside_duty(user, hazard):
        # The reviewing department of a hazard it found outside its duty (a joint
        # inspection's participating department): it reviews what it found, nothing else.
        return frozenset({wf.REVIEW_AUTHORITY})
    return hazard_parties(user, hazard, mine) if hazard is not None else mine


def _reviews_outside_duty(user: Any, hazard: Hazard) -> bool:
    return (
        scoping.is_active_user(user)
        and hazard.review_department_id is not None
        and is_review_authority(user, hazard)
    )


def _facts(hazard: Hazard) -> wf.Facts:
    reviewed = (
        hazard.state == wf.CLOSED
        and hazard.level == Level.MAJOR
        and AccountabilityReview.objects.filter(hazard_id=hazard.pk).exists()
    )
    return wf.Facts(
        level=hazard.level,
        handling=hazard.handling,
        reviewed=reviewed,
        confirmed=hazard.confirmed_at is not None,
        listed=hazard.listed_at is not None,
        planned=bool(hazard.remediation_plan),
        has_authority=not hazard.enterprise_accepts,
        stop_ordered=bool((hazard.suspension or {}).get("ordered")),
    )


def available_actions(hazard: Hazard, user: Any) -> list[str]:
    """What this user can do to this hazard now, in table order (for the pages' buttons).
    Data checks (five fixes, evidence) still apply when the step is taken."""
    if not scoping.visible(user, Hazard).filter(pk=hazard.pk).exists():
        return []
    mine = parties(user, hazard.enterprise, hazard)
    return [t.action for t in wf.available(hazard.state, _facts(hazard), mine)]


def may_report(user: Any, enterprise: Enterprise) -> bool:
    step = wf.TABLE[(wf.START, wf.REPORT)]
    return bool(step.parties & parties(user, enterprise))


def _action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _state_label(state: str) -> str:
    return str(State(state).label) if state in State.values else state


def _who_may(step: wf.Transition) -> str:
    labels = party_labels()
    return _(" or ").join(labels[p] for p in sorted(step.parties))


def _guard_message(guard: str, hazard: Hazard, action: str) -> str:
    label = _action_label(action)
    major = hazard.level == Level.MAJOR
    if guard in ("general", "general_on_spot") and major:
        if action == wf.SET_FIVE_FIXES:
            return _(
                "Cannot %(action)s of a major hazard on their own: the principal sets the "
                "remediation plan with the five fixes (16号令 第十五条)."
            ) % {"action": label}
        return _("Cannot %(action)s a major hazard: this step is for general hazards.") % {
            "action": label
        }
    if guard == "general_on_spot":
        return _(
            "Cannot %(action)s: only a general hazard fixed on the spot may be closed "
            "directly; this one is fixed by a deadline and needs the five fixes."
        ) % {"action": label}
    messages = {
        "major_not_reviewed": _(
            "Cannot %(action)s: this hazard already has its accountability review."
        )
        if major
        else _("Cannot %(action)s: only closed major hazards get an accountability review."),
        "major_unconfirmed": _("Cannot %(action)s: an expert has already confirmed it."),
        "major_not_listed": _("Cannot %(action)s: the hazard is listed for supervision."),
        "major_without_plan": _("Cannot %(action)s: the remediation plan is already set."),
        "no_authority": _(
            "Cannot %(action)s: a regulator already reviews this hazard (it found, ordered "
            "or listed it)."
        ),
        "self_stopped_planned": _(
            "Cannot %(action)s: set the remediation plan first; a stop ordered by a "
            "regulator, or of a listed hazard, ends only after the regulator's on-site "
            "review of a written application (16号令 第十八条、第二十三条)."
        ),
        "stop_ordered_planned": _(
            "Cannot %(action)s: set the remediation plan first; a stop the enterprise "
            "decided itself ends when it resumes."
        ),
        "ordered_unlisted_planned": _(
            "Cannot %(action)s: set the remediation plan first; a listed hazard needs the "
            "evaluation of its remedy before the application (16号令 第十八条); a stop "
            "the enterprise decided itself ends when it resumes."
        ),
        "stop_ordered": _(
            "Cannot %(action)s: the enterprise decided this stop itself and ends it by resuming."
        ),
    }
    if guard == "major" or (not major and guard.startswith("major")):
        return _("Cannot %(action)s a general hazard: this step is for major hazards only.") % {
            "action": label
        }
    return messages.get(guard, _("Cannot %(action)s now.")) % {"action": label}


def _check_step(hazard: Hazard, action: str, user: Any) -> wf.Transition:
    """Refuse with the reason: wrong state (Conflict), wrong party (Forbidden), or the
    guard (Conflict). Nothing has been written yet."""
    step = wf.transition(hazard.state, action)
    if step is None:
        raise Conflict(
            _("Cannot %(action)s while the hazard is %(state)s.")
            % {"action": _action_label(action), "state": _state_label(hazard.state)}
        )
    if not step.parties & parties(user, hazard.enterprise, hazard):
        if wf.ENTERPRISE_ACCEPTOR in step.parties and _fixer_with_other_acceptor(user, hazard):
            raise Forbidden(
                _(
                    "You did this fix (or are the person responsible for it): another "
                    "acceptor of the enterprise accepts it."
                )
            )
        raise Forbidden(
            _("Only %(who)s may %(action)s this hazard.")
            % {"who": _who_may(step), "action": _action_label(action)}
        )
    if not wf.guard_passes(step.guard, _facts(hazard)):
        raise Conflict(_guard_message(step.guard, hazard, action))
    return step


# --- cleaning -----------------------------------------------------------------------------

Errors = dict[str, list[str]]


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _unknown(errors: Errors, data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    for name in sorted(set(data) - set(allowed)):
        _add(errors, name, _("Unknown field."))


def _text(
    errors: Errors,
    data: Mapping[str, Any],
    name: str,
    *,
    limit: int = TEXT_LIMIT,
    required: bool = False,
    missing: str = "",
    multiline: bool = True,
) -> str:
    """Text from a form or JSON; line breaks only where the field is multi-line; NUL and
    other control characters refused (PostgreSQL rejects NUL)."""
    value = data.get(name)
    if value is None:
        text = ""
    elif isinstance(value, bool) or not isinstance(value, str | int):
        _add(errors, name, _("Enter text."))
        return ""
    else:
        text = str(value).strip()
    allowed = "\n\r\t" if multiline else "\t"
    if any(ord(ch) < 32 and ch not in allowed for ch in text):
        _add(errors, name, _("Enter text (no control characters)."))
        return ""
    if len(text) > limit:
        _add(errors, name, _("At most %(n)d characters.") % {"n": limit})
        return ""
    if required and not text:
        _add(errors, name, missing or _("This field is required."))
    return text


def _choice(errors: Errors, data: Mapping[str, Any], name: str, choices: Any) -> str:
    """`choices` is a Choices class (the message names its labels) or plain codes."""
    value = data.get(name)
    if value not in choice_values(choices):
        _add(errors, name, choose_one_of(choices))
        return ""
    return value


# No record of this platform predates the Work Safety Law era; a year such as 0001 is a typo.
EARLIEST_DATE = dt.date(1990, 1, 1)


def _date(errors: Errors, data: Mapping[str, Any], name: str, *, missing: str) -> dt.date | None:
    value = data.get(name)
    if value in (None, ""):
        _add(errors, name, missing)
        return None
    if isinstance(value, dt.datetime):
        _add(errors, name, _("Enter a date (YYYY-MM-DD)."))
        return None
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = dt.date.fromisoformat(value.strip())
    if isinstance(value, dt.date):
        if value < EARLIEST_DATE:
            _add(
                errors,
                name,
                _("Enter a date from %(date)s on.") % {"date": EARLIEST_DATE.isoformat()},
            )
            return None
        return value
    _add(errors, name, _("Enter a date (YYYY-MM-DD)."))
    return None


def latest_deadline(today: dt.date | None = None) -> dt.date:
    """The latest deadline the local policy allows (max_deadline_days after today)."""
    policy = dl.load_policy(getattr(settings, "ANJIAN_HAZARD_DEADLINE_POLICY", None))
    return policy.latest_deadline(today or timezone.localdate())


def check_deadline(errors: Errors, name: str, value: dt.date) -> bool:
    """A deadline must be today or later and no later than the policy allows: a hazard
    given the year 9999 would never be overdue."""
    today = timezone.localdate()
    if value < today:
        _add(errors, name, _("The date must not be in the past."))
        return False
    latest = latest_deadline(today)
    if value > latest:
        _add(
            errors,
            name,
            _("The date must not be later than %(date)s (the longest deadline allowed).")
            % {"date": latest.isoformat()},
        )
        return False
    return True


def _future_date(
    errors: Errors, data: Mapping[str, Any], name: str, *, missing: str
) -> dt.date | None:
    value = _date(errors, data, name, missing=missing)
    if value is not None and not check_deadline(errors, name, value):
        return None
    return value


def _funds(
    errors: Errors, data: Mapping[str, Any], name: str, *, missing: str
) -> decimal.Decimal | None:
    value = data.get(name)
    if value in (None, ""):
        _add(errors, name, missing)
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, str | int | float | decimal.Decimal):
            raise ValueError(value)
        amount = parse_decimal(value) if isinstance(value, str) else decimal.Decimal(str(value))
        if not amount.is_finite():
            raise ValueError(value)
    except (decimal.InvalidOperation, ValueError):
        _add(errors, name, _("Enter an amount in yuan."))
        return None
    if amount < 0:
        _add(errors, name, _("Must not be negative."))
        return None
    if amount != amount.quantize(decimal.Decimal("0.01")):
        _add(errors, name, _("At most two decimal places."))
        return None
    if amount > MAX_FUNDS:
        _add(errors, name, _("At most %(n)s.") % {"n": MAX_FUNDS})
        return None
    return amount.quantize(decimal.Decimal("0.01"))


def _int_id(errors: Errors, data: Mapping[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        _add(errors, name, _("Enter a whole number."))
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and is_int_text(value):
        return parse_int(value)
    _add(errors, name, _("Enter a whole number."))
    return None


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


# --- photos -------------------------------------------------------------------------------


# Hazard photos are evidence: the bytes are kept as uploaded (not re-encoded, so EXIF time
# and place survive and the checksum matches the reporter's copy). What makes them safe is
# how they are stored and served (anjian.core.uploads): the type from the content, a random
# name with that type's extension, and a response that can only ever show an image.
PHOTO_POLICY = uploads.UploadPolicy(
    types=tuple(PHOTO_FORMATS),
    max_bytes=MAX_PHOTO_BYTES,
    reencode=False,
    too_big=gettext_lazy("A photo must be at most 10 MB."),
    wrong_type=gettext_lazy("Upload a PNG, JPEG or WebP image."),
)
CheckedPhoto = uploads.CheckedUpload


def inspect_photo(upload: File) -> CheckedPhoto:
    """Read an upload and check it is a PNG, JPEG or WebP of at most 10 MB and within the
    pixel cap, by its content (a renamed PDF fails), not by its name."""
    return uploads.inspect_upload(upload, PHOTO_POLICY)


PHOTO_KIND = {
    wf.REPORT: PhotoKind.BEFORE,
    wf.SUBMIT: PhotoKind.AFTER,
    wf.FIX_ON_SPOT: PhotoKind.AFTER,
}


def _photo_errors(errors: Errors, action: str, checked: Sequence[CheckedPhoto]) -> None:
    if checked and action not in PHOTO_KIND:
        _add(errors, "photos", _("This step takes no photos."))
        return
    if len(checked) > MAX_PHOTOS_PER_STEP:
        _add(errors, "photos", _("At most %(n)d photos per step.") % {"n": MAX_PHOTOS_PER_STEP})
    for message in uploads.errors_of(checked):
        _add(errors, "photos", message)


def _photo_data(kind: str, checked: Sequence[CheckedPhoto]) -> list[dict[str, Any]]:
    """What the event and the audit entry record of each photo: the checksum ties the
    stored file to the history."""
    return [{"kind": kind, "sha256": p.sha256, "name": p.name, "size": p.size} for p in checked]


def _store_photos(
    hazard: Hazard, event: HazardEvent, kind: str, checked: Sequence[CheckedPhoto], user: Any
) -> None:
    """Keep the checked bytes under a random name with the detected type's extension (the
    uploaded name is kept as data, never used as a path)."""
    for photo in checked:
        row = HazardPhoto(
            hazard=hazard,
            event=event,
            kind=kind,
            original_name=photo.name,
            image_format=photo.image_format,
            size=photo.size,
            width=photo.width,
            height=photo.height,
            sha256=photo.sha256,
            uploaded_by=user,
            uploaded_at=event.at,
        )
        uploads.store(row.image, photo)
        row.save()


# --- numbering ----------------------------------------------------------------------------


def _numbering_division(enterprise: Enterprise) -> Division:
    """Numbers run per county (the 6-digit GB/T 2260 code), the level that keeps the
    ledger; an enterprise registered above a county numbers in its own division."""
    county = (
        Division.objects.ancestors(enterprise.division, include_self=True)
        .filter(level=DivisionLevel.COUNTY)
        .first()
    )
    return county or enterprise.division


def _check_keys_now() -> None:
    """Django creates PostgreSQL foreign keys DEFERRABLE INITIALLY DEFERRED, so their
    checks, which take KEY SHARE locks on the referenced enterprise and risk unit, would
    run at COMMIT, while this transaction holds the audit head. A concurrent writer that
    holds the enterprise or unit FOR UPDATE and then waits for the audit head (the
    safety-code recompute, an enterprise edit, a risk-unit step) would deadlock with us.
    Checked as rows are written, the keys are locked before the audit head, in the same
    order those writers use."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def allocate_number(division: Division, year: int) -> str:
    """The next number of (division, year). The counter row is locked until the
    reporting transaction ends, so two reports never share a number."""
    counter = HazardCounter.objects.select_for_update().filter(division=division, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter = HazardCounter.objects.create(division=division, year=year, last=0)
        except IntegrityError:
            # Another report created the counter first; wait for it and take the next.
            counter = HazardCounter.objects.select_for_update().get(division=division, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{division.code}-{year}-{counter.last:05d}"


# --- report ---------------------------------------------------------------------------------

REPORT_FIELDS = (
    "name",
    "check_kind",
    "occurrence_link",
    "harm_analysis",
    "source",
    "hazard_type",
    "category",
    "handling",
    "description",
    "cause",
    "location",
    "risk_unit_id",
    "control_measure_id",
    "major_item",
    "major_reason",
    "note",
)


def _clean_report(
    data: Mapping[str, Any],
    enterprise: Enterprise,
    mine: frozenset[str],
    errors: Errors,
) -> dict[str, Any]:
    _unknown(errors, data, REPORT_FIELDS)
    out: dict[str, Any] = {
        "name": _text(errors, data, "name", limit=100, multiline=False),
        "check_kind": (
            _choice(errors, data, "check_kind", CheckKind)
            if data.get("check_kind") not in (None, "")
            else CheckKind.OTHER
        ),
        "occurrence_link": (
            _choice(errors, data, "occurrence_link", OccurrenceLink)
            if data.get("occurrence_link") not in (None, "")
            else ""
        ),
        "harm_analysis": _text(errors, data, "harm_analysis"),
        "source": _choice(errors, data, "source", Source),
        "hazard_type": _choice(errors, data, "hazard_type", HazardType),
        "category": _choice(errors, data, "category", Category),
        "handling": _choice(errors, data, "handling", Handling),
        "description": _text(
            errors, data, "description", required=True, missing=_("Describe the hazard.")
        ),
        "cause": _text(errors, data, "cause"),
        "location": _text(
            errors,
            data,
            "location",
            limit=255,
            required=True,
            missing=_("Say where the hazard is."),
            multiline=False,
        ),
        "note": _text(errors, data, "note"),
    }
    unit_id = _int_id(errors, data, "risk_unit_id")
    measure_id = _int_id(errors, data, "control_measure_id")
    unit = measure = None
    if unit_id is not None:
        unit = RiskUnit.objects.filter(pk=unit_id, enterprise=enterprise).first()
        if unit is None:
            _add(errors, "risk_unit_id", _("Unknown risk unit of this enterprise."))
    if measure_id is not None:
        measure = (
            ControlMeasure.objects.select_related("event")
            .filter(pk=measure_id, event__unit__enterprise=enterprise)
            .first()
        )
        if measure is None:
            _add(errors, "control_measure_id", _("Unknown control measure of this enterprise."))
        elif unit_id is not None and measure.event.unit_id != unit_id:
            _add(errors, "control_measure_id", _("This control measure belongs to another unit."))
        elif unit is None and unit_id is None:
            unit = RiskUnit.objects.get(pk=measure.event.unit_id)  # the measure names its unit
    out["risk_unit"], out["control_measure"] = unit, measure

    out["level"], out["major_basis"], out["major_item"], out["major_reason"] = (
        Level.GENERAL,
        "",
        {},
        "",
    )
    item_id = data.get("major_item")
    reason = _text(errors, data, "major_reason")
    if item_id not in (None, ""):
        item = reference.item(item_id) if isinstance(item_id, str) else None
        if item is None:
            _add(errors, "major_item", _("Unknown item of the determination lists."))
        else:
            out.update(
                level=Level.MAJOR, major_basis=MajorBasis.LIST_ITEM, major_item=item.citation()
            )
    if reason:
        if not mine & {wf.LEAD_OFFICER, wf.COORDINATOR}:
            _add(
                errors,
                "major_reason",
                _(
                    "Only the lead department's officers or the safety committee office may "
                    "determine a hazard major by decision; choose an item of the "
                    "determination lists instead."
                ),
            )
        else:
            out["level"], out["major_reason"] = Level.MAJOR, reason
            out["major_basis"] = out["major_basis"] or MajorBasis.DECISION
    if out["level"] == Level.MAJOR and out["handling"] == Handling.ON_SPOT:
        _add(
            errors,
            "handling",
            _("A major hazard cannot be fixed on the spot; choose fixed by a deadline."),
        )
    if out["level"] == Level.MAJOR and wf.ENTERPRISE_STAFF in mine:
        # The enterprise's report of a major hazard to its supervising department states
        # its state and causes and the analysis of its harm and difficulty (16号令 第十四条
        # 第二款 (一)(二)); the plan (三) follows from the principal at once.
        if not out["cause"]:
            _add(errors, "cause", _("A major hazard's report states its causes."))
        if not out["harm_analysis"]:
            _add(
                errors,
                "harm_analysis",
                _("A major hazard's report analyses its harm and how hard it is to remedy."),
            )
    if not out["name"] and out["description"]:
        out["name"] = out["description"].splitlines()[0][:40]
    return out


def authority_of(user: Any, enterprise: Enterprise) -> tuple[int | None, int | None]:
    """(department id, division id) of the body a regulator acts for: an officer's
    department; a coordinator's or grid officer's division; an expert works for the
    enterprise's lead department (else the county's safety committee office)."""
    if user.role == Role.DEPARTMENT_OFFICER and user.department_id:
        return user.department_id, user.department.division_id
    if user.role in (Role.COORDINATOR, Role.GRID_OFFICER) and user.division_id:
        return None, user.division_id
    lead = (
        DutyAssignment.objects.filter(enterprise=enterprise, role=DutyRole.LEAD)
        .select_related("department")
        .order_by("pk")
        .first()
    )
    if lead is not None:
        return lead.department_id, lead.department.division_id
    return None, _numbering_division(enterprise).pk


@dataclass(frozen=True)
class FoundOnInspection:
    """A finding of an enforcement inspection, reported by one of its inspectors for
    their department (anjian.inspections.services.finding_record, which has checked
    both; never built from a form or the API). A joint inspection's participating
    department may have no duty for the enterprise: its inspector reports all the same,
    and the department reviews the rectification (谁检查谁复查)."""

    inspection_id: int
    department_id: int


def hazard_report(
    *,
    actor: Actor,
    enterprise_id: int,
    data: Mapping[str, Any],
    photos: Sequence[File] = (),
    links: Mapping[str, Any] | None = None,
    found_on: FoundOnInspection | None = None,
) -> Hazard:
    """Enter a hazard in the ledger (the table's "report" row). Choosing an item of a
    determination list makes it major; a major hazard or a recurrence in a risk unit
    proposes the unit for re-assessment. `links` (set by other services, never by a
    form: e.g. the re-check a relapse comes from) is kept in the report event's data.
    `found_on` (set by the inspection service only) reports for an inspection: the
    enterprise is the inspection's, whatever the inspector's own scope, and the
    inspector's department reviews it."""
    user = actor.user
    if found_on is not None:
        if not (
            scoping.is_active_user(user)
            and user.role == Role.DEPARTMENT_OFFICER
            and user.department_id == found_on.department_id
        ):
            raise Forbidden(_("Only an inspector of the inspecting department reports this."))
        enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
        mine = frozenset({wf.INSPECTOR})
    else:
        enterprise = scoping.visible_enterprises(user).filter(pk=enterprise_id).first()
    if enterprise is None:
        raise NotFound(_("No such enterprise in your jurisdiction."))
    step = wf.TABLE[(wf.START, wf.REPORT)]
    if found_on is None:
        mine = parties(user, enterprise)
    if not step.parties & mine:
        raise Forbidden(
            _("Only %(who)s may report hazards of this enterprise.") % {"who": _who_may(step)}
        )
    checked = [inspect_photo(p) for p in photos]
    errors: Errors = {}
    _photo_errors(errors, wf.REPORT, checked)
    cleaned = _clean_report(data, enterprise, mine, errors)
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    with transaction.atomic():
        _check_keys_now()
        if cleaned["risk_unit"] is not None:
            # The unit before the enterprise (the hazard's keys lock the enterprise): the
            # order risks.services._locked_unit locks them in, so we queue, not deadlock.
            RiskUnit.objects.select_for_update(no_key=True).filter(
                pk=cleaned["risk_unit"].pk
            ).values("pk").first()
        number = allocate_number(_numbering_division(enterprise), timezone.localdate(now).year)
        note = cleaned.pop("note")
        authority: dict[str, Any] = {}
        if found_on is not None:
            # Found on an inspection: the inspector's department reviews (谁检查谁复查).
            authority = {
                "review_department_id": found_on.department_id,
                "review_division_id": user.department.division_id,
                "review_basis": "found",
            }
        elif wf.INSPECTOR in mine:
            # Found by a regulator (or an expert for one): that body reviews the
            # rectification (安全生产法 第六十五条), not the enterprise.
            dept, division = authority_of(user, enterprise)
            authority = {
                "review_department_id": dept,
                "review_division_id": division,
                "review_basis": "found",
            }
        hazard = Hazard.objects.create(
            number=number,
            enterprise=enterprise,
            state=wf.REPORTED,
            reported_by=user,
            reported_at=now,
            registered_by=user,
            registered_at=now,
            **authority,
            major_decided_by=user if cleaned["major_basis"] == MajorBasis.DECISION else None,
            **cleaned,
        )
        tally_services.hazard_tally_apply(
            enterprise_id=enterprise.pk, old=None, new=tally_services.fact_of(hazard)
        )
        hooks = _risk_hooks(hazard, now, newly_major=hazard.level == Level.MAJOR, recurrence=True)
        similar = _similar(
            enterprise.pk,
            hazard.description,
            unit_id=hazard.risk_unit_id,
            hazard_type=hazard.hazard_type,
            exclude_id=hazard.pk,
            now=now,
            limit=3,
        )
        snapshot = {
            **{k: v for k, v in cleaned.items() if k not in ("risk_unit", "control_measure")},
            "risk_unit_id": hazard.risk_unit_id,
            "control_measure_id": hazard.control_measure_id,
            **authority,
        }
        if hazard.level == Level.MAJOR:
            # The report reaches the supervising departments at once (on commit, by the
            # notification rule "report, major"): who, recorded with the report.
            snapshot["reported_to"] = [
                str(u) for u in step_notify.audience(step_notify.REGULATORS, hazard)
            ]
        event_data = {
            **snapshot,
            "number": number,
            "similar": [{"id": h.pk, "number": h.number, "score": m.score} for h, m in similar],
            **hooks,
            **({"inspection_id": found_on.inspection_id} if found_on is not None else {}),
            **dict(links or {}),
        }
        if checked:
            event_data["photos"] = _photo_data(PhotoKind.BEFORE, checked)
        event = _event(hazard, actor, wf.REPORT, "", wf.REPORTED, now, note, event_data)
        _store_photos(hazard, event, PhotoKind.BEFORE, checked, user)
        audit_append(
            actor=actor,
            action=wf.REPORT,
            obj=hazard,
            summary=f"{number} {hazard.description}"[:200],
            changes={**event_data, "event_id": event.pk},
        )
        _after_commit_recompute(enterprise.pk, "hazard_report")
        step_notify.after_step(hazard, wf.REPORT, actor)  # on commit
    return hazard


def _event(
    hazard: Hazard,
    actor: Actor,
    action: str,
    from_state: str,
    to_state: str,
    at: dt.datetime,
    note: str,
    data: Mapping[str, Any],
) -> HazardEvent:
    user = actor.user
    return HazardEvent.objects.create(
        hazard=hazard,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=user,
        actor_label=actor.label[:128],
        actor_role=(user.role if user is not None else "")[:32],
        via=actor.via,
        at=at,
        note=note,
        data=_jsonable(data),
    )


def _risk_hooks(
    hazard: Hazard, now: dt.datetime, *, newly_major: bool, recurrence: bool
) -> dict[str, Any]:
    """A major hazard in a unit, or a hazard recurring there (same type within the
    window), means the unit's grading missed something: propose it for re-assessment
    (idempotent: one open proposal per unit)."""
    if hazard.risk_unit_id is None:
        return {}
    unit = hazard.risk_unit
    out: dict[str, Any] = {}
    days = recurrence_days()
    earlier: list[str] = []
    if recurrence:
        earlier = list(
            Hazard.objects.filter(
                enterprise_id=hazard.enterprise_id,
                risk_unit_id=hazard.risk_unit_id,
                hazard_type=hazard.hazard_type,
                reported_at__gte=now - dt.timedelta(days=days),
            )
            .exclude(pk=hazard.pk)
            .order_by("-reported_at")
            .values_list("number", flat=True)[:5]
        )
    if earlier:
        out["recurrence_of"] = earlier
    reasons = []
    if newly_major:
        reasons.append(_("Major hazard %(number)s found in this unit.") % {"number": hazard.number})
    if earlier:
        reasons.append(
            _("Hazard %(number)s recurs here: %(earlier)s within %(days)d days.")
            % {"number": hazard.number, "earlier": ", ".join(earlier), "days": days}
        )
    if reasons:
        proposal = reassessment_propose(unit=unit, reason=" ".join(reasons))
        out["reassessment_proposal_id"] = proposal.pk if proposal else None
    return out


# --- the steps ------------------------------------------------------------------------------


@dataclass
class StepContext:
    actor: Actor
    hazard: Hazard
    step: wf.Transition
    data: Mapping[str, Any]
    photos: Sequence[CheckedPhoto]
    errors: Errors
    now: dt.datetime
    # What the event records beyond the note; filled by the handler.
    event_data: dict[str, Any] = field(default_factory=dict)
    # Runs once the event exists (records that point at it).
    after_event: Callable[[HazardEvent], None] | None = None
    newly_major: bool = False


FIVE_FIXES = ("owner", "measures", "funds", "deadline", "contingency_plan")
PLAN_PARTS = (
    "targets",
    "methods",
    "funds_materials",
    "organisation",
    "time_limit",
    "safety_measures",
)


def plan_part_labels() -> dict[str, str]:
    """The six parts of a major hazard's remediation plan (治理方案), 16号令 第十五条
    (standards.md A7.1)."""
    return {
        "targets": _("targets and tasks"),
        "methods": _("methods and measures"),
        "funds_materials": _("funds and materials"),
        "organisation": _("responsible organisation and people"),
        "time_limit": _("time limit and requirements"),
        "safety_measures": _("safety measures and emergency plan"),
    }


def _do_set_five_fixes(ctx: StepContext) -> str:
    data, errors, hazard = ctx.data, ctx.errors, ctx.hazard
    major = hazard.level == Level.MAJOR
    _unknown(errors, data, (*FIVE_FIXES, "plan", "note") if major else (*FIVE_FIXES, "note"))
    owner = _text(
        errors,
        data,
        "owner",
        limit=64,
        required=True,
        missing=_("Name the person responsible (owner)."),
        multiline=False,
    )
    measures = _text(
        errors, data, "measures", required=True, missing=_("Describe the rectification measures.")
    )
    funds = _funds(errors, data, "funds", missing=_("Give the funds (0 if none are needed)."))
    deadline = _future_date(errors, data, "deadline", missing=_("Set the deadline."))
    plan_text = _text(
        errors,
        data,
        "contingency_plan",
        required=True,
        missing=_("Give the contingency plan for the time until it is fixed."),
    )
    if deadline and hazard.ordered_deadline and deadline > hazard.ordered_deadline:
        _add(
            errors,
            "deadline",
            _(
                "The deadline must not be later than the one ordered by rectification order "
                "%(number)s (%(date)s)."
            )
            % {"number": hazard.ordered_by_document, "date": hazard.ordered_deadline.isoformat()},
        )
    if deadline and hazard.listing_deadline and deadline > hazard.listing_deadline:
        _add(
            errors,
            "deadline",
            _("The deadline must not be later than the supervision deadline (%(date)s).")
            % {"date": hazard.listing_deadline.isoformat()},
        )
    plan: dict[str, str] = {}
    if major:
        raw_plan = data.get("plan")
        if raw_plan is not None and not isinstance(raw_plan, Mapping):
            _add(errors, "plan", _("Give the remediation plan as its six parts."))
            raw_plan = {}
        raw_plan = raw_plan or {}
        _unknown(
            errors, {f"plan.{k}": v for k, v in raw_plan.items()}, [f"plan.{p}" for p in PLAN_PARTS]
        )
        labels = plan_part_labels()
        for part in PLAN_PARTS:
            plan[part] = _text(
                errors,
                {f"plan.{part}": raw_plan.get(part)},
                f"plan.{part}",
                required=True,
                missing=_("The remediation plan needs its %(part)s.") % {"part": labels[part]},
            )
    note = _text(errors, data, "note")
    if errors:
        return note
    hazard.liable_person, hazard.measures, hazard.funds = owner, measures, funds
    hazard.deadline, hazard.contingency_plan = deadline, plan_text
    hazard.remediation_plan = plan
    ctx.event_data = {
        "owner": owner,
        "measures": measures,
        "funds": str(funds),
        "deadline": deadline.isoformat() if deadline else None,
        "contingency_plan": plan_text,
        **({"plan": plan} if major else {}),
    }
    return note


def _after_photos(ctx: StepContext) -> int:
    return len(ctx.photos) + ctx.hazard.photos.filter(kind=PhotoKind.AFTER).count()


def _do_submit(ctx: StepContext) -> str:
    _unknown(ctx.errors, ctx.data, ("note", "no_photo_reason"))
    note = _text(
        ctx.errors,
        ctx.data,
        "note",
        required=True,
        missing=_("Describe what was done (the evidence for acceptance)."),
    )
    no_photo = _text(ctx.errors, ctx.data, "no_photo_reason")
    if not _after_photos(ctx) and not no_photo:
        _add(
            ctx.errors,
            "photos",
            _("Attach at least one 'after' photo, or say why there is none."),
        )
    if no_photo:
        ctx.event_data["no_photo_reason"] = no_photo
    return note


def _do_fix_on_spot(ctx: StepContext) -> str:
    _unknown(ctx.errors, ctx.data, ("note",))
    note = _text(ctx.errors, ctx.data, "note")
    if not _after_photos(ctx):
        _add(ctx.errors, "photos", _("Attach at least one 'after' photo of the fixed hazard."))
    if not ctx.errors:
        _close(ctx, note)
    return note


def _close(ctx: StepContext, note: str) -> None:
    hazard = ctx.hazard
    hazard.accepted_by = ctx.actor.user
    hazard.accepted_at = ctx.now
    hazard.accept_comment = note
    hazard.closed_at = ctx.now
    ctx.event_data["accepted_as"] = (
        "review_authority" if is_review_authority(ctx.actor.user, hazard) else "enterprise"
    )


def _note_only(required: bool, missing: str = "") -> Callable[[StepContext], str]:
    def handler(ctx: StepContext) -> str:
        _unknown(ctx.errors, ctx.data, ("note",))
        return _text(ctx.errors, ctx.data, "note", required=required, missing=missing)

    return handler


def _do_accept(ctx: StepContext) -> str:
    note = _note_only(False)(ctx)
    if not ctx.errors:
        _close(ctx, note)
    return note


def _review_date(ctx: StepContext) -> dt.date:
    """The day of the on-site review: given (not in the future, not before the
    application) or today."""
    day = timezone.localdate(ctx.now)
    if ctx.data.get("reviewed_on") not in (None, ""):
        given = _date(ctx.errors, ctx.data, "reviewed_on", missing="")
        if given is not None:
            applied = ctx.hazard.resume_applied_at
            if given > day:
                _add(ctx.errors, "reviewed_on", _("The date must not be in the future."))
            elif applied is not None and given < timezone.localdate(applied):
                _add(
                    ctx.errors,
                    "reviewed_on",
                    _("The review cannot be before the application (%(date)s).")
                    % {"date": timezone.localdate(applied).isoformat()},
                )
            else:
                day = given
    return day


def _on_site_review(ctx: StepContext, missing: str) -> tuple[str, dt.date | None, dict]:
    """What both outcomes of the on-site review record (16号令 第二十三条): the findings,
    the day, the due day of the 10-day clock and whether it was kept. The clock stops."""
    _unknown(ctx.errors, ctx.data, ("note", "reviewed_on"))
    note = _text(ctx.errors, ctx.data, "note", required=True, missing=missing)
    day = _review_date(ctx)
    if ctx.errors:
        return note, None, {}
    hazard = ctx.hazard
    due = hazard.review_due_on
    data = {
        "reviewed_on": day.isoformat(),
        "review_due_on": due.isoformat() if due else None,
        "within_time": due is None or day <= due,
    }
    hazard.review_due_on = hazard.review_reminded_on = None
    return note, day, data


def _do_review_pass(ctx: StepContext) -> str:
    note, day, data = _on_site_review(ctx, _("Record the findings of the on-site review."))
    if day is not None:
        _close(ctx, note)
        ctx.hazard.resumed_at = ctx.now
        ctx.event_data.update(data, written_off=True)
    return note


def _do_review_fail(ctx: StepContext) -> str:
    note, day, data = _on_site_review(ctx, _("Give the reasons why the review failed."))
    if day is not None:
        ctx.event_data = data
        ctx.hazard.review_overdue_since = None  # a new application starts a new clock
    return note


def _take_review(ctx: StepContext, basis: str) -> None:
    """The acting regulator's body reviews this hazard from now on (it ordered, stopped
    or reopened it), unless another body already does."""
    hazard = ctx.hazard
    if not hazard.enterprise_accepts:
        return
    dept, division = authority_of(ctx.actor.user, hazard.enterprise)
    hazard.review_department_id, hazard.review_division_id = dept, division
    hazard.review_basis = basis
    ctx.event_data["review_department_id"] = dept
    ctx.event_data["review_division_id"] = division
    ctx.event_data["review_basis"] = basis


# Steps that issue a numbered document: it is numbered and dated on the day of the step.
DOCUMENT_STEPS = frozenset({wf.ORDER, wf.LIST})


def _do_order(ctx: StepContext) -> str:
    _unknown(ctx.errors, ctx.data, ("note", "document_number"))
    note = _text(
        ctx.errors,
        ctx.data,
        "note",
        required=True,
        missing=_("Write what the order requires."),
    )
    number = _text(ctx.errors, ctx.data, "document_number", limit=64, multiline=False)
    if not ctx.errors:
        ctx.event_data["document_number"] = number
        _take_review(ctx, "ordered")
    return note


def _do_report_to_workers(ctx: StepContext) -> str:
    errors, data = ctx.errors, ctx.data
    _unknown(errors, data, ("body", "reported_on", "note"))
    body = _choice(errors, data, "body", WorkersBody)
    day = _date(errors, data, "reported_on", missing=_("Give the date of the report."))
    if day is not None and day > timezone.localdate(ctx.now):
        _add(errors, "reported_on", _("The date must not be in the future."))
    note = _text(errors, data, "note", required=True, missing=_("Say what was reported."))
    if errors:
        return note
    hazard = ctx.hazard
    if hazard.workers_reported_on is None or day < hazard.workers_reported_on:
        hazard.workers_reported_on = day
    ctx.event_data = {"body": body, "reported_on": day.isoformat()}
    return note


def _do_suspend(ctx: StepContext) -> str:
    errors, data = ctx.errors, ctx.data
    _unknown(errors, data, ("scope", "part", "withdrawal", "note"))
    scope = _choice(errors, data, "scope", SuspensionScope)
    part = _text(errors, data, "part", limit=255, multiline=False)
    if scope in (SuspensionScope.PART, SuspensionScope.EQUIPMENT) and not part:
        _add(errors, "part", _("Name the part, facilities or equipment that stop."))
    withdrawal = _text(
        errors,
        data,
        "withdrawal",
        required=True,
        missing=_(
            "Say how people were withdrawn from the danger area, who else was moved away "
            "and which warnings were set (16号令 第十六条)."
        ),
    )
    note = _text(errors, data, "note")
    if errors:
        return note
    hazard, user = ctx.hazard, ctx.actor.user
    ordered = user.role in REGULATOR_ROLES
    hazard.suspended_at, hazard.resumed_at = ctx.now, None
    hazard.suspension = {
        "scope": scope,
        "part": part,
        "withdrawal": withdrawal,
        "ordered": ordered,
        "by": str(user),
        "at": ctx.now.isoformat(),
    }
    ctx.event_data = dict(hazard.suspension)
    if ordered:
        _take_review(ctx, "stopped")
    return note


def _do_resume(ctx: StepContext) -> str:
    note = _note_only(True, _("Say why safety is ensured now."))(ctx)
    if not ctx.errors:
        ctx.hazard.resumed_at = ctx.now
    return note


def _do_evaluate(ctx: StepContext) -> str:
    errors, data = ctx.errors, ctx.data
    _unknown(errors, data, ("evaluator_kind", "evaluator", "evaluated_on", "conclusion", "note"))
    kind = _choice(errors, data, "evaluator_kind", EvaluatorKind)
    evaluator = _text(
        errors,
        data,
        "evaluator",
        limit=255,
        required=True,
        missing=_("Name the experts or the evaluation body."),
        multiline=False,
    )
    day = _date(errors, data, "evaluated_on", missing=_("Give the date of the evaluation."))
    if day is not None and day > timezone.localdate(ctx.now):
        _add(errors, "evaluated_on", _("The date must not be in the future."))
    conclusion = _text(
        errors, data, "conclusion", required=True, missing=_("Give the evaluation's conclusion.")
    )
    note = _text(errors, data, "note")
    if errors:
        return note
    ctx.hazard.evaluation = {
        "evaluator_kind": kind,
        "evaluator": evaluator,
        "evaluated_on": day.isoformat(),
        "conclusion": conclusion,
        "by": str(ctx.actor.user),
    }
    ctx.event_data = dict(ctx.hazard.evaluation)
    return note


REVIEW_DAYS = 10  # 16号令 第二十三条: the on-site review within 10 days of the application


def _do_apply_resume(ctx: StepContext) -> str:
    errors, data = ctx.errors, ctx.data
    _unknown(errors, data, ("application", "note"))
    application = _text(
        errors,
        data,
        "application",
        required=True,
        missing=_(
            "Write the application: what was done under the remediation plan and the "
            "evaluation's result (16号令 第十八条)."
        ),
    )
    note = _text(errors, data, "note")
    if errors:
        return note
    hazard = ctx.hazard
    hazard.resume_applied_at = ctx.now
    hazard.review_due_on = timezone.localdate(ctx.now) + dt.timedelta(days=REVIEW_DAYS)
    hazard.review_reminded_on = hazard.review_overdue_since = None
    ctx.event_data = {
        "application": application,
        "plan": hazard.remediation_plan,
        "evaluation": hazard.evaluation,
        "review_due_on": hazard.review_due_on.isoformat(),
    }
    return note


def _do_reopen(ctx: StepContext) -> str:
    errors, data = ctx.errors, ctx.data
    _unknown(errors, data, ("note", "deadline"))
    note = _text(errors, data, "note", required=True, missing=_("Give the reason for reopening."))
    deadline = _future_date(errors, data, "deadline", missing=_("Set the new deadline."))
    if errors:
        return note
    hazard = ctx.hazard
    ctx.event_data = {
        "was_closed_at": hazard.closed_at.isoformat() if hazard.closed_at else None,
        "was_accepted_by": str(hazard.accepted_by) if hazard.accepted_by_id else "",
        "deadline": deadline.isoformat() if deadline else None,
    }
    hazard.closed_at = hazard.accepted_at = None
    hazard.accepted_by, hazard.accept_comment = None, ""
    hazard.deadline = deadline
    hazard.overdue_since, hazard.escalation_level, hazard.last_reminded_on = None, 0, None
    _take_review(ctx, "reopened")
    return note


def _do_make_major(ctx: StepContext) -> str:
    _unknown(ctx.errors, ctx.data, ("note", "major_item"))
    note = _text(
        ctx.errors,
        ctx.data,
        "note",
        required=True,
        missing=_("Give the reason for determining this hazard major."),
    )
    citation: dict[str, Any] = {}
    item_id = ctx.data.get("major_item")
    if item_id not in (None, ""):
        item = reference.item(item_id) if isinstance(item_id, str) else None
        if item is None:
            _add(ctx.errors, "major_item", _("Unknown item of the determination lists."))
        else:
            citation = item.citation()
    if ctx.errors:
        return note
    hazard = ctx.hazard
    hazard.level, hazard.handling = Level.MAJOR, Handling.BY_DEADLINE
    hazard.major_basis = MajorBasis.LIST_ITEM if citation else MajorBasis.DECISION
    hazard.major_item, hazard.major_reason = citation, note
    hazard.major_decided_by = ctx.actor.user
    hazard.confirmed_by = hazard.confirmed_at = None
    ctx.event_data = {"major_item": citation, "major_basis": hazard.major_basis}
    ctx.newly_major = True
    return note


def _do_confirm_major(ctx: StepContext) -> str:
    note = _note_only(True, _("Give the expert opinion."))(ctx)
    if not ctx.errors:
        ctx.hazard.confirmed_by, ctx.hazard.confirmed_at = ctx.actor.user, ctx.now
    return note


def _do_dismiss_major(ctx: StepContext) -> str:
    note = _note_only(True, _("Give the reason why this hazard is not major."))(ctx)
    if not ctx.errors:
        hazard = ctx.hazard
        ctx.event_data = {
            "was": {
                "major_basis": hazard.major_basis,
                "major_item": hazard.major_item,
                "major_reason": hazard.major_reason,
            }
        }
        hazard.level, hazard.major_basis = Level.GENERAL, ""
        hazard.major_item, hazard.major_reason, hazard.major_decided_by = {}, "", None
    return note


def _do_list(ctx: StepContext) -> str:
    errors, data = ctx.errors, ctx.data
    _unknown(errors, data, ("deadline", "notice", "note"))
    deadline = _future_date(
        errors, data, "deadline", missing=_("Set the deadline of the supervision.")
    )
    notice = _text(
        errors, data, "notice", required=True, missing=_("Write the public notice text.")
    )
    note = _text(errors, data, "note")
    if errors:
        return note
    hazard, user = ctx.hazard, ctx.actor.user
    hazard.listed_by, hazard.listed_at = user, ctx.now
    if user.role == Role.DEPARTMENT_OFFICER:
        hazard.listing_department = user.department
        hazard.listing_division_id = user.department.division_id
    else:
        hazard.listing_department, hazard.listing_division_id = None, user.division_id
    hazard.listing_deadline, hazard.listing_notice = deadline, notice
    ctx.event_data = {
        "deadline": deadline.isoformat() if deadline else None,
        "notice": notice,
        "listing_department_id": hazard.listing_department_id,
        "listing_division_id": hazard.listing_division_id,
    }
    # The listing body reviews the hazard from now on (16号令 第二十三条).
    hazard.review_department_id = hazard.listing_department_id
    hazard.review_division_id = None if hazard.listing_department_id else hazard.listing_division_id
    hazard.review_basis = "listed"
    return note


def _clean_persons(errors: Errors, value: Any) -> list[dict[str, str]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        _add(errors, "persons_accountable", _("Give a list of persons."))
        return []
    out = []
    for n, person in enumerate(value, 1):
        if not isinstance(person, Mapping):
            _add(
                errors,
                "persons_accountable",
                _("Person %(n)d: give name, position and measure.") % {"n": n},
            )
            continue
        row: dict[str, str] = {}
        sub: Errors = {}
        for key, limit in (("name", 64), ("position", 64), ("measure", 255)):
            row[key] = _text(
                sub,
                person,
                key,
                limit=limit,
                required=key == "name",
                multiline=False,
            )
        for messages in sub.values():
            for message in messages:
                _add(
                    errors,
                    "persons_accountable",
                    _("Person %(n)d: %(problem)s") % {"n": n, "problem": message},
                )
        out.append(row)
    return out


def _do_accountability_review(ctx: StepContext) -> str:
    errors, data = ctx.errors, ctx.data
    _unknown(errors, data, ("findings", "persons_accountable", "reviewed_on", "note"))
    findings = _text(
        errors, data, "findings", required=True, missing=_("Record the findings of the review.")
    )
    persons = _clean_persons(errors, data.get("persons_accountable"))
    reviewed_on = timezone.localdate()
    if data.get("reviewed_on") not in (None, ""):
        reviewed_on = _date(errors, data, "reviewed_on", missing="") or reviewed_on
        if reviewed_on > timezone.localdate():
            _add(errors, "reviewed_on", _("The date must not be in the future."))
    note = _text(errors, data, "note")
    if errors:
        return note
    ctx.event_data = {
        "findings": findings,
        "persons_accountable": persons,
        "reviewed_on": reviewed_on.isoformat(),
    }

    def record(event: HazardEvent) -> None:
        AccountabilityReview.objects.create(
            hazard=ctx.hazard,
            event=event,
            reviewed_by=ctx.actor.user,
            findings=findings,
            persons_accountable=persons,
            reviewed_on=reviewed_on,
        )

    ctx.after_event = record
    return note


HANDLERS: dict[str, Callable[[StepContext], str]] = {
    wf.FIX_ON_SPOT: _do_fix_on_spot,
    wf.MAKE_MAJOR: _do_make_major,
    wf.CONFIRM_MAJOR: _do_confirm_major,
    wf.DISMISS_MAJOR: _do_dismiss_major,
    wf.ORDER: _do_order,
    wf.LIST: _do_list,
    wf.REPORT_TO_WORKERS: _do_report_to_workers,
    wf.SET_FIVE_FIXES: _do_set_five_fixes,
    wf.SET_PLAN: _do_set_five_fixes,
    wf.SUSPEND: _do_suspend,
    wf.START_RECTIFICATION: _note_only(False),
    wf.SUBMIT: _do_submit,
    wf.ACCEPT: _do_accept,
    wf.REJECT: _note_only(True, _("Give the reasons for rejecting.")),
    wf.RESUME: _do_resume,
    wf.EVALUATE: _do_evaluate,
    wf.APPLY_RESUME: _do_apply_resume,
    wf.REVIEW_PASS: _do_review_pass,
    wf.REVIEW_FAIL: _do_review_fail,
    wf.REOPEN: _do_reopen,
    wf.ACCOUNTABILITY_REVIEW: _do_accountability_review,
}


def _lock_hazard(actor: Actor, hazard_id: int) -> Hazard:
    """Check visibility on the scoped queryset, then lock by id (a scoped queryset may
    not be lockable on PostgreSQL), locking only the hazard row."""
    if not scoping.visible(actor.user, Hazard).filter(pk=hazard_id).exists():
        raise NotFound(_("No such hazard in your scope."))
    return (
        Hazard.objects.select_for_update(of=("self",))
        .select_related("enterprise")
        .get(pk=hazard_id)
    )


def hazard_act(
    *,
    actor: Actor,
    hazard_id: int,
    action: str,
    data: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
    photos: Sequence[File] = (),
) -> Hazard:
    """Apply one step of the workflow: check (state, party, guard, data), write the new
    state, append an event and an audit entry, in one transaction with the hazard row
    locked, so of two people acting at once exactly one succeeds."""
    if action not in HANDLERS:
        raise ValidationFailed(
            {"action": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(HANDLERS)}]}
        )
    data = data or {}
    if not isinstance(data, Mapping):
        raise ValidationFailed({"__all__": [_("Give the step's data as an object.")]})
    checked = [inspect_photo(p) for p in photos]  # pure work, before the row is locked
    with transaction.atomic():
        _check_keys_now()
        hazard = _lock_hazard(actor, hazard_id)
        if expected_version is not None and expected_version != hazard.version:
            raise Conflict(_("Somebody else moved this hazard first; reload and try again."))
        step = _check_step(hazard, action, actor.user)
        counted = tally_services.fact_of(hazard)
        now = timezone.now()
        errors: Errors = {}
        _photo_errors(errors, action, checked)
        ctx = StepContext(actor, hazard, step, data, checked, errors, now)
        note = HANDLERS[action](ctx)
        if errors:
            raise ValidationFailed(errors)
        from_state = hazard.state
        hazard.state = step.target
        hazard.version += 1  # the row is locked: no lost update
        hazard.save()
        tally_services.hazard_tally_apply(
            enterprise_id=hazard.enterprise_id, old=counted, new=tally_services.fact_of(hazard)
        )
        hooks = (
            _risk_hooks(hazard, now, newly_major=True, recurrence=False) if ctx.newly_major else {}
        )
        if step.target == wf.CLOSED and from_state != wf.CLOSED:
            # A closed hazard was real: the worker who reported it earns safety points.
            earned = points_services.points_for_hazard(hazard)
            if earned is not None:
                hooks["points_entry"] = earned.pk
        event_data = {**ctx.event_data, **hooks}
        if checked:
            event_data["photos"] = _photo_data(PHOTO_KIND[action], checked)
        event = _event(hazard, actor, action, from_state, step.target, now, note, event_data)
        if checked:
            _store_photos(hazard, event, PHOTO_KIND[action], checked, actor.user)
        if ctx.after_event is not None:
            ctx.after_event(event)
        if action in DOCUMENT_STEPS:
            documents.issue_for_step(
                hazard=hazard, action=action, user=actor.user, today=timezone.localdate(now)
            )
        audit_append(
            actor=actor,
            action=action,
            obj=hazard,
            summary=f"{hazard.number} {from_state}→{step.target}",
            changes={
                "from": from_state,
                "to": step.target,
                "event_id": event.pk,
                "note": note,
                "data": event_data,
            },
        )
        _after_commit_recompute(hazard.enterprise_id, f"hazard_{action}")
        step_notify.after_step(hazard, action, actor)  # on commit
    return hazard


# --- duplicates ---------------------------------------------------------------------------


def _similar(
    enterprise_id: int,
    description: str,
    *,
    unit_id: int | None,
    hazard_type: str,
    exclude_id: int | None,
    now: dt.datetime,
    limit: int,
    window_days: int | None = None,
) -> list[tuple[Hazard, similarity.Match]]:
    since = now - dt.timedelta(days=window_days if window_days is not None else recurrence_days())
    qs = (
        Hazard.objects.filter(enterprise_id=enterprise_id)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=since))
        .order_by(F("closed_at").desc(nulls_first=True), "-reported_at")
    )
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    candidates = [
        similarity.Candidate(pk, text, unit, kind)
        for pk, text, unit, kind in qs.values_list(
            "pk", "description", "risk_unit_id", "hazard_type"
        )[:MAX_SIMILAR_CANDIDATES]
    ]
    matches = similarity.rank(
        description, candidates, unit_id=unit_id, hazard_type=hazard_type, limit=limit
    )
    found = Hazard.objects.in_bulk([m.id for m in matches])
    return [(found[m.id], m) for m in matches]


def similar_hazards(
    *,
    actor: Actor,
    enterprise_id: int,
    description: str,
    unit_id: int | None = None,
    hazard_type: str = "",
    exclude_id: int | None = None,
    window_days: int | None = None,
    limit: int = similarity.DEFAULT_LIMIT,
) -> list[tuple[Hazard, similarity.Match]]:
    """Likely duplicates of a hazard being entered: the enterprise's open hazards and
    those closed within the window, best first, at most the 500 newest looked at."""
    if not scoping.visible_enterprises(actor.user).filter(pk=enterprise_id).exists():
        raise NotFound(_("No such enterprise in your jurisdiction."))
    return _similar(
        enterprise_id,
        description,
        unit_id=unit_id,
        hazard_type=hazard_type,
        exclude_id=exclude_id,
        now=timezone.now(),
        limit=max(1, min(limit, 50)),
        window_days=window_days,
    )


__all__ = [
    "FIVE_FIXES",
    "HANDLERS",
    "PLAN_PARTS",
    "allocate_number",
    "available_actions",
    "hazard_act",
    "hazard_report",
    "inspect_photo",
    "may_report",
    "parties",
    "recurrence_days",
    "similar_hazards",
]


# --- a rectification order's deadline ------------------------------------------------------


def hazard_order_deadline(
    *, actor: Actor, hazard_ids: Sequence[int], deadline: dt.date, document_number: str
) -> list[Hazard]:
    """A 责令限期整改指令书 orders these hazards fixed by `deadline`: each open one is held
    to it (its own deadline becomes the order's when it had none or a later one; an
    earlier one stays) and its five fixes may not set a later one. Closed hazards are left
    as they are. Called by the order's issue, inside its transaction; returns the hazards
    changed."""
    changed: list[Hazard] = []
    now = timezone.now()
    today = timezone.localdate(now)
    for hazard in Hazard.objects.select_for_update().filter(pk__in=list(hazard_ids)).order_by("pk"):
        if hazard.state not in wf.OPEN_STATES:
            continue
        counted = tally_services.fact_of(hazard)
        data: dict[str, Any] = {
            "document": document_number,
            "ordered_deadline": deadline.isoformat(),
            "old_deadline": hazard.deadline.isoformat() if hazard.deadline else None,
        }
        hazard.ordered_deadline, hazard.ordered_by_document = deadline, document_number
        if hazard.deadline is None or hazard.deadline > deadline:
            hazard.deadline = deadline
            hazard.last_reminded_on = None
            if deadline >= today and hazard.overdue_since is not None:
                data["cleared_overdue_since"] = hazard.overdue_since.isoformat()
                hazard.overdue_since, hazard.escalation_level = None, 0
        data["deadline"] = hazard.deadline.isoformat()
        hazard.version += 1
        hazard.save()
        tally_services.hazard_tally_apply(
            enterprise_id=hazard.enterprise_id, old=counted, new=tally_services.fact_of(hazard)
        )
        event = _event(
            hazard,
            actor,
            "order_deadline",
            hazard.state,
            hazard.state,
            now,
            _("Ordered by rectification order %(number)s to be fixed by %(date)s.")
            % {"number": document_number, "date": deadline.isoformat()},
            data,
        )
        audit_append(
            actor=actor,
            action="order_deadline",
            obj=hazard,
            summary=f"{hazard.number} {document_number} {deadline.isoformat()}",
            changes={**data, "event_id": event.pk},
        )
        changed.append(hazard)
    return changed

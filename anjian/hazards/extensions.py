"""Deadline extensions: the enterprise asks, with a reason; the body that decides on the
hazard approves or refuses. Only an approved extension moves the deadline, and the
request, the decision and the move all stay in the history.

* Who asks: the enterprise's principal or safety officer, while the five fixes are set,
  rectification runs or production is stopped for remediation (fixes_set, rectifying,
  suspended), for a date later than the current deadline and not in the past; one
  pending request per hazard at a time.
* Who decides: the body that reviews the hazard (it found, ordered, stopped or listed
  it); else the lead department's officers or the safety committee office over the
  enterprise (`deciding_parties`).
* Approval moves `hazard.deadline` (and a major hazard's supervision deadline when the
  new date is later than it: the listing authority decides both), counts the extension,
  writes a HazardEvent "extend_deadline" with the old and new dates and an audit entry,
  bumps the hazard's version, and, when the new date is not past, clears the overdue
  mark and the escalation (the mark_overdue / escalate events keep the history).

The hazard row is locked first, then the request row; the decision is written by a
conditional UPDATE … WHERE state = 'requested', so of two deciders exactly one wins.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import NotificationKind
from anjian.reports import tally_services

from . import notify as hazard_notify
from . import services
from . import workflow as wf
from .models import DeadlineExtension, ExtensionState, Hazard, Level
from .services import Errors, _add, _check_keys_now, _date, _event, _text, parties

REQUEST_STATES = frozenset({wf.FIXES_SET, wf.RECTIFYING, wf.SUSPENDED})
REASON_LIMIT = 2000


def deciding_parties(hazard: Hazard) -> frozenset[str]:
    """The workflow parties that decide on this hazard's extensions: the body that
    reviews it (it found, ordered, stopped or listed it); else the lead department's
    officers or the safety committee office, who keep watch over the deadlines of the
    hazards an enterprise handles itself (local policy: 16号令 names no approver of an
    enterprise's own deadline; an extension is a regulator's decision here so that a
    deadline cannot be moved without anybody outside the enterprise seeing it)."""
    if not hazard.enterprise_accepts:
        return frozenset({wf.REVIEW_AUTHORITY})
    return frozenset({wf.LEAD_OFFICER, wf.COORDINATOR})


def may_request(user: Any, hazard: Hazard) -> bool:
    return (
        hazard.state in REQUEST_STATES
        and hazard.deadline is not None
        and wf.ENTERPRISE_MANAGER in parties(user, hazard.enterprise, hazard)
    )


def may_decide(user: Any, hazard: Hazard) -> bool:
    return bool(deciding_parties(hazard) & parties(user, hazard.enterprise, hazard))


def may_decide_many(user: Any, hazards: list[Hazard]) -> dict[int, bool]:
    """may_decide for a page of hazards, in at most two queries."""
    of = services.enterprise_parties(user, {h.enterprise_id for h in hazards})
    return {
        # Deciders are never the enterprise's acceptor: skip that per-hazard look-up.
        h.pk: bool(
            deciding_parties(h)
            & services.hazard_parties(user, h, of[h.enterprise_id], acceptor=False)
        )
        for h in hazards
    }


def pending_extension(hazard: Hazard) -> DeadlineExtension | None:
    return hazard.extensions.filter(state=ExtensionState.REQUESTED).first()


def _lock(actor: Actor, hazard_id: int) -> Hazard:
    if not scoping.visible(actor.user, Hazard).filter(pk=hazard_id).exists():
        raise NotFound(_("No such hazard in your scope."))
    return (
        Hazard.objects.select_for_update(of=("self",))
        .select_related("enterprise__division")
        .get(pk=hazard_id)
    )


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def deadline_extension_request(
    *, actor: Actor, hazard_id: int, new_deadline: Any, reason: Any
) -> DeadlineExtension:
    """Ask to move the deadline of a hazard in rectification to a later date."""
    errors: Errors = {}
    data = {"new_deadline": new_deadline, "reason": reason}
    wanted = _date(errors, data, "new_deadline", missing=_("Give the new deadline."))
    why = _text(
        errors,
        data,
        "reason",
        limit=REASON_LIMIT,
        required=True,
        missing=_("Give the reason for the extension."),
    )
    with transaction.atomic():
        _check_keys_now()
        hazard = _lock(actor, hazard_id)
        if wf.ENTERPRISE_MANAGER not in parties(actor.user, hazard.enterprise, hazard):
            raise Forbidden(
                _("Only the enterprise's principal or safety officer may ask for an extension.")
            )
        if hazard.state not in REQUEST_STATES or hazard.deadline is None:
            raise Conflict(
                _(
                    "An extension can be asked for only while the five fixes are set or "
                    "rectification runs."
                )
            )
        if pending_extension(hazard) is not None:
            raise Conflict(_("An extension request for this hazard is already waiting."))
        if wanted is not None and wanted <= hazard.deadline:
            _add(
                errors,
                "new_deadline",
                _("The new deadline must be later than the current one (%(date)s).")
                % {"date": hazard.deadline.isoformat()},
            )
        elif wanted is not None:
            services.check_deadline(errors, "new_deadline", wanted)
        if errors:
            raise ValidationFailed(errors)
        now = timezone.now()
        try:
            with transaction.atomic():
                extension = DeadlineExtension.objects.create(
                    hazard=hazard,
                    requested_by=actor.user,
                    requested_at=now,
                    reason=why,
                    old_deadline=hazard.deadline,
                    new_deadline=wanted,
                )
        except IntegrityError as exc:  # pragma: no cover - the hazard lock prevents it
            raise Conflict(_("An extension request for this hazard is already waiting.")) from exc
        data = {
            "extension_id": extension.pk,
            "old_deadline": _iso(hazard.deadline),
            "new_deadline": _iso(wanted),
        }
        event = _event(
            hazard, actor, "request_extension", hazard.state, hazard.state, now, why, data
        )
        audit_append(
            actor=actor,
            action="request_extension",
            obj=extension,
            summary=f"{hazard.number} {hazard.deadline}→{wanted}",
            changes={**data, "reason": why, "event_id": event.pk},
        )
        hazard_notify.tell(
            hazard,
            hazard_notify.audience(hazard_notify.DECIDERS, hazard),
            NotificationKind.ASSIGNMENT,
            _("Hazard %(number)s: deadline extension requested") % {"number": hazard.number},
            _("%(enterprise)s asks to move the deadline from %(old)s to %(new)s: %(reason)s")
            % {
                "enterprise": hazard.enterprise.name,
                "old": hazard.deadline.isoformat(),
                "new": wanted.isoformat(),
                "reason": why,
            },
        )
    return extension


def deadline_extension_decide(
    *, actor: Actor, extension_id: int, approve: bool, note: Any = ""
) -> DeadlineExtension:
    """Approve or refuse a waiting extension request (once: a decided one is final)."""
    if not isinstance(approve, bool):
        raise ValidationFailed({"approve": [_("Must be true or false.")]})
    errors: Errors = {}
    text = _text(
        errors,
        {"note": note},
        "note",
        limit=REASON_LIMIT,
        required=not approve,
        missing=_("Give the reason for refusing."),
    )
    row = (
        scoping.visible(actor.user, DeadlineExtension)
        .filter(pk=extension_id)
        .values_list("hazard_id", flat=True)
        .first()
    )
    if row is None:
        raise NotFound(_("No such extension request in your scope."))
    with transaction.atomic():
        _check_keys_now()
        hazard = _lock(actor, row)
        if not may_decide(actor.user, hazard):
            who = _(" or ").join(
                services.party_labels()[p] for p in sorted(deciding_parties(hazard))
            )
            raise Forbidden(_("Only %(who)s may decide on this extension.") % {"who": who})
        extension = DeadlineExtension.objects.select_for_update().get(pk=extension_id)
        if extension.state != ExtensionState.REQUESTED:
            raise Conflict(_("This extension request has already been decided."))
        if approve and hazard.state == wf.CLOSED:
            raise Conflict(_("The hazard is closed; there is no deadline to extend."))
        if approve and hazard.deadline is not None and extension.new_deadline <= hazard.deadline:
            raise Conflict(
                _("The deadline is already %(date)s; refuse this request instead.")
                % {"date": hazard.deadline.isoformat()}
            )
        if errors:
            raise ValidationFailed(errors)
        now = timezone.now()
        state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
        won = DeadlineExtension.objects.filter(
            pk=extension.pk, state=ExtensionState.REQUESTED
        ).update(state=state, decided_by=actor.user, decided_at=now, decision_note=text)
        if not won:  # pragma: no cover - the hazard lock serialises deciders
            raise Conflict(_("This extension request has already been decided."))
        extension.refresh_from_db()
        data: dict[str, Any] = {
            "extension_id": extension.pk,
            "old_deadline": _iso(hazard.deadline),
            "new_deadline": _iso(extension.new_deadline),
            "reason": extension.reason,
        }
        if approve:
            action = "extend_deadline"
            counted = tally_services.fact_of(hazard)
            old_listing = hazard.listing_deadline
            hazard.deadline = extension.new_deadline
            if (
                hazard.level == Level.MAJOR
                and hazard.listing_deadline is not None
                and extension.new_deadline > hazard.listing_deadline
            ):
                hazard.listing_deadline = extension.new_deadline
                data["old_listing_deadline"] = _iso(old_listing)
                data["new_listing_deadline"] = _iso(hazard.listing_deadline)
            if (
                hazard.ordered_deadline is not None
                and extension.new_deadline > hazard.ordered_deadline
            ):
                # The reviewing department extends its own order (延期整改).
                data["old_ordered_deadline"] = _iso(hazard.ordered_deadline)
                hazard.ordered_deadline = extension.new_deadline
            hazard.deadline_extensions += 1
            if extension.new_deadline >= timezone.localdate():
                data["cleared"] = {
                    "overdue_since": _iso(hazard.overdue_since),
                    "escalation_level": hazard.escalation_level,
                }
                hazard.overdue_since = None
                hazard.escalation_level = 0
            hazard.last_reminded_on = None  # remind again before the new deadline
            hazard.version += 1
            hazard.save()
            tally_services.hazard_tally_apply(
                enterprise_id=hazard.enterprise_id, old=counted, new=tally_services.fact_of(hazard)
            )
        else:
            action = "refuse_extension"
        event = _event(hazard, actor, action, hazard.state, hazard.state, now, text, data)
        audit_append(
            actor=actor,
            action=action,
            obj=hazard,
            summary=f"{hazard.number} {data['old_deadline']}→{data['new_deadline']} {state}",
            changes={**data, "note": text, "event_id": event.pk, "state": state},
        )
        title = (
            _("Hazard %(number)s: deadline extended to %(date)s")
            if approve
            else _("Hazard %(number)s: deadline extension to %(date)s refused")
        ) % {"number": hazard.number, "date": extension.new_deadline.isoformat()}
        told = hazard_notify.audience(hazard_notify.MANAGERS, hazard)
        hazard_notify.tell(
            hazard,
            [extension.requested_by, *told],
            NotificationKind.DECISION,
            title,
            text,
        )
    return extension

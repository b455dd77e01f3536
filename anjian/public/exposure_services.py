"""The exposure board (曝光台, issue 15 item 3): reads and writes. The steps are
exposure_workflow.py's table.

* `exposure_propose`: a department officer or a coordinator proposes an entry about an
  enterprise on one ground, linked to the record that grounds it and that the proposer
  sees (anjian.core.scoping.visible): a decided penalty (serious violation), a major
  hazard past its deadline, an accident, or a penalty whose subject is published on the
  list of seriously untrustworthy subjects. The enterprise is the linked record's.
* `exposure_approve` / `exposure_reject` / `exposure_publish` / `exposure_withdraw`: a
  coordinator of the enterprise's jurisdiction; approval and rejection never by the
  proposer; rejection and withdrawal with a reason.
* `public_exposures`: what anyone, signed in or not, may see (published only).

Personal data never reaches the board: the public page shows the enterprise's name and
credit code (its registry fields), the ground, the summary and dates. The title and
summary are checked on proposal: a text holding an ID number (GB 11643, 18 characters with
a birth date), a mobile number (11 digits from 1[3-9]) or the name of the enterprise's
legal representative or principal, or the penalty's responsible person, is refused. Each
step, in one transaction: scope (else NotFound), the row locked, state (else Conflict),
party (else Forbidden), then the change, an ExposureEvent and an audit entry.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accidents.models import Accident
from anjian.accounts.models import REGULATOR_ROLES, Role, User
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.inputs import clean_text
from anjian.core.notify import notify
from anjian.hazards.models import Hazard
from anjian.penalties.models import PUBLIC_STATES as LISTING_PUBLIC_STATES
from anjian.penalties.models import Listing, Penalty
from anjian.registry.models import Enterprise

from . import exposure_workflow as wf
from .models import Exposure, ExposureEvent, ExposureGround

TITLE_LIMIT = 200
SUMMARY_LIMIT = 2000
PROPOSER_ROLES = frozenset({Role.COORDINATOR, Role.DEPARTMENT_OFFICER})
# Which link grounds which ground.
LINK_OF_GROUND = {
    ExposureGround.SERIOUS_VIOLATION: "penalty",
    ExposureGround.MAJOR_HAZARD_OVERDUE: "hazard",
    ExposureGround.ACCIDENT: "accident",
    ExposureGround.UNTRUSTWORTHY: "penalty",
}
PENALTY_DECIDED = ("decided", "executed")
HAZARD_CLOSED = "closed"
HAZARD_MAJOR = "major"
ACCIDENT_WITHDRAWN = "withdrawn"

# --- personal data ---------------------------------------------------------------------------

# 18-character resident ID (GB 11643-1999): 6-digit area, birth date YYYYMMDD, 3-digit
# order, a check digit or X. Requiring a plausible date keeps an all-digit credit code
# (GB 32100) from looking like one.
_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    r"(?![0-9A-Za-z])"
)
# A mainland mobile number, 11 digits starting 13–19 (with +86 or 0086 before it or not).
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# Separators people put inside numbers ("138 1234 5678", "138-1234-5678").
_DIGIT_GAP = re.compile(r"(?<=\d)[\s\-–—.·]+(?=\d)")


def _normalised(text: str) -> str:
    # Full-width digits (１３８…) count as digits: NFKC folds them to ASCII.
    return _DIGIT_GAP.sub("", unicodedata.normalize("NFKC", text))


def personal_data_in(text: str, names: tuple[str, ...] = ()) -> list[str]:
    """What in `text` is a person's data: "id_number", "mobile", "name". Pure."""
    found: list[str] = []
    flat = _normalised(text)
    if _ID_NUMBER.search(flat):
        found.append("id_number")
    if _MOBILE.search(flat):
        found.append("mobile")
    if any(name and len(name) >= 2 and name in text for name in names):
        found.append("name")
    return found


def _check_personal(
    errors: dict[str, list[str]], text: str, field: str, names: tuple[str, ...]
) -> None:
    messages = {
        "id_number": _("Remove the ID number: the exposure board never shows personal data."),
        "mobile": _("Remove the phone number: the exposure board never shows personal data."),
        "name": _("Remove the person's name: the exposure board names the enterprise only."),
    }
    for kind in personal_data_in(text, names):
        errors.setdefault(field, []).append(messages[kind])


# --- labels and parties ------------------------------------------------------------------------


def action_labels() -> dict[str, str]:
    return {
        wf.PROPOSE: _("propose for the exposure board"),
        wf.APPROVE: _("approve"),
        wf.REJECT: _("reject"),
        wf.PUBLISH: _("publish"),
        wf.WITHDRAW: _("withdraw"),
    }


def visible_exposures(user: Any) -> QuerySet[Exposure]:
    return scoping.visible(user, Exposure)


def public_exposures() -> QuerySet[Exposure]:
    """Published entries, for the pages and the API without sign-in."""
    return Exposure.objects.filter(state__in=wf.PUBLIC_STATES)


def may_propose(user: Any) -> bool:
    return bool(scoping.is_active_user(user) and user.role in PROPOSER_ROLES and user.division_id)


def is_board_regulator(user: Any) -> bool:
    """May use the regulators' pages of the board (list, candidates, detail)."""
    return bool(
        scoping.is_active_user(user)
        and (user.role in REGULATOR_ROLES or user.role == Role.PLATFORM_ADMIN)
    )


def _jurisdiction(user: Any, enterprise: Enterprise) -> bool:
    return bool(
        scoping.is_active_user(user)
        and user.role == Role.COORDINATOR
        and user.division_id
        and enterprise.division_id in scoping.subtree_ids(user.division)
    )


def parties(user: Any, exposure: Exposure) -> frozenset[str]:
    out: set[str] = set()
    if not scoping.is_active_user(user):
        return frozenset()
    if exposure.proposed_by_id == user.pk:
        out.add(wf.PROPOSER)
    if _jurisdiction(user, exposure.enterprise):
        out.add(wf.JURISDICTION)
    return frozenset(out)


def available(user: Any, exposure: Exposure) -> list[str]:
    return wf.available(exposure.state, parties(user, exposure))


# --- grounds and candidates ----------------------------------------------------------------------


def _overdue_major_hazards(user: Any, today: dt.date) -> QuerySet[Hazard]:
    return (
        scoping.visible(user, Hazard)
        .filter(level=HAZARD_MAJOR)
        .exclude(state=HAZARD_CLOSED)
        .filter(Q(overdue_since__isnull=False) | Q(deadline__lt=today))
    )


def _decided_penalties(user: Any) -> QuerySet[Penalty]:
    return scoping.visible(user, Penalty).filter(
        state__in=PENALTY_DECIDED, enterprise__isnull=False
    )


def _listed_penalties(user: Any) -> QuerySet[Penalty]:
    listed = Listing.objects.filter(penalty=OuterRef("pk"), state__in=LISTING_PUBLIC_STATES)
    return _decided_penalties(user).filter(Exists(listed))


def _accidents(user: Any) -> QuerySet[Accident]:
    return (
        scoping.visible(user, Accident)
        .filter(enterprise__isnull=False)
        .exclude(state=ACCIDENT_WITHDRAWN)
    )


def _live(link: str, ground: str | None = None) -> QuerySet[Exposure]:
    qs = Exposure.objects.filter(**{f"{link}": OuterRef("pk")}, state__in=wf.LIVE_STATES)
    return qs.filter(ground=ground) if ground else qs


@dataclass(frozen=True)
class Candidate:
    ground: str
    link: str  # hazard, penalty or accident
    link_id: int
    enterprise: Enterprise
    label: str
    on: dt.date | None


def candidates(user: Any, *, limit: int = 50) -> list[Candidate]:
    """Records in the user's scope that could ground an entry and have no standing entry
    on that ground yet: major hazards overdue, decided penalties (listed subjects as
    untrustworthy), accidents. Newest first, at most `limit` of each ground."""
    if not may_propose(user):
        return []
    today = timezone.localdate()
    out: list[Candidate] = []
    hazards = (
        _overdue_major_hazards(user, today)
        .exclude(Exists(_live("hazard")))
        .select_related("enterprise")
        .order_by("deadline", "-pk")[:limit]
    )
    for h in hazards:
        out.append(
            Candidate(
                ExposureGround.MAJOR_HAZARD_OVERDUE,
                "hazard",
                h.pk,
                h.enterprise,
                f"{h.number} {h.display_name}",
                h.deadline,
            )
        )
    listed = (
        _listed_penalties(user)
        .exclude(Exists(_live("penalty", ExposureGround.UNTRUSTWORTHY)))
        .select_related("enterprise")
        .order_by("-decided_on", "-pk")[:limit]
    )
    for p in listed:
        out.append(
            Candidate(
                ExposureGround.UNTRUSTWORTHY,
                "penalty",
                p.pk,
                p.enterprise,
                p.number or str(p.pk),
                p.decided_on,
            )
        )
    penalties = (
        _decided_penalties(user)
        .exclude(Exists(_live("penalty", ExposureGround.SERIOUS_VIOLATION)))
        .select_related("enterprise")
        .order_by("-decided_on", "-pk")[:limit]
    )
    for p in penalties:
        out.append(
            Candidate(
                ExposureGround.SERIOUS_VIOLATION,
                "penalty",
                p.pk,
                p.enterprise,
                p.number or str(p.pk),
                p.decided_on,
            )
        )
    accidents = (
        _accidents(user)
        .exclude(Exists(_live("accident")))
        .select_related("enterprise")
        .order_by("-occurred_at", "-pk")[:limit]
    )
    for a in accidents:
        out.append(
            Candidate(
                ExposureGround.ACCIDENT,
                "accident",
                a.pk,
                a.enterprise,
                a.get_grade_display(),
                timezone.localtime(a.occurred_at).date(),
            )
        )
    return out


def _id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
        return number if 0 < number < 2**63 else None
    return None


def _grounding_record(
    errors: dict[str, list[str]], user: Any, ground: str, link_id: Any
) -> Hazard | Penalty | Accident | None:
    """The record the entry rests on, in the user's scope and of the ground's kind."""
    link = LINK_OF_GROUND[ground]
    pk = _id(link_id)
    if pk is None:
        errors.setdefault(link, []).append(_("Choose the record that grounds the entry."))
        return None
    source: QuerySet[Any] = {
        ExposureGround.SERIOUS_VIOLATION: _decided_penalties(user),
        ExposureGround.UNTRUSTWORTHY: _listed_penalties(user),
        ExposureGround.MAJOR_HAZARD_OVERDUE: _overdue_major_hazards(user, timezone.localdate()),
        ExposureGround.ACCIDENT: _accidents(user),
    }[ground]
    found = source.select_related("enterprise").filter(pk=pk).first()
    if found is None:
        errors.setdefault(link, []).append(
            {
                ExposureGround.SERIOUS_VIOLATION: _(
                    "No decided penalty on an enterprise with this id in your scope."
                ),
                ExposureGround.UNTRUSTWORTHY: _(
                    "No penalty with a published untrustworthy listing with this id in your scope."
                ),
                ExposureGround.MAJOR_HAZARD_OVERDUE: _(
                    "No open major hazard past its deadline with this id in your scope."
                ),
                ExposureGround.ACCIDENT: _(
                    "No accident of an enterprise with this id in your scope."
                ),
            }[ground]
        )
    return found


# --- writes ------------------------------------------------------------------------------------


def _jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(dict(data), default=str))


def _event(
    actor: Actor, exposure: Exposure, action: str, *, note: str = "", data: Mapping[str, Any]
) -> ExposureEvent:
    return ExposureEvent.objects.create(
        exposure=exposure,
        action=action,
        actor=actor.user,
        at=timezone.now(),
        note=note,
        data=_jsonable(data),
    )


def _coordinators_of(enterprise: Enterprise) -> QuerySet[User]:
    """Coordinators whose division subtree holds the enterprise."""
    from anjian.registry.models import Division

    ancestors = scoping.ancestor_ids(Division.objects.get(pk=enterprise.division_id))
    return User.objects.filter(role=Role.COORDINATOR, is_active=True, division_id__in=ancestors)


def _link(exposure: Exposure) -> str:
    return reverse("public:exposure-manage", args=[exposure.pk])


def exposure_propose(
    *,
    actor: Actor,
    ground: Any,
    link_id: Any,
    summary: Any,
    title: Any = "",
) -> Exposure:
    """Propose an entry. `link_id` is the id of the penalty (serious_violation,
    untrustworthy), hazard (major_hazard_overdue) or accident (accident)."""
    user = actor.user
    if not may_propose(user):
        raise Forbidden(_("Only a department officer or a coordinator may propose an entry."))
    errors: dict[str, list[str]] = {}
    if not isinstance(ground, str) or ground not in ExposureGround.values:
        errors["ground"] = [_("Choose a ground.")]
        record = None
    else:
        record = _grounding_record(errors, user, ground, link_id)
    text = clean_text(errors, summary, "summary", required=True, limit=SUMMARY_LIMIT)
    heading = clean_text(errors, title, "title", limit=TITLE_LIMIT)
    if record is not None:
        enterprise = record.enterprise
        names: tuple[str, ...] = (enterprise.legal_representative, enterprise.principal)
        if isinstance(record, Penalty):
            names += (record.responsible_person,)
        if isinstance(record, Accident):
            names += tuple(record.accountable_persons.values_list("name", flat=True))
        _check_personal(errors, text, "summary", names)
        _check_personal(errors, heading, "title", names)
    if errors:
        raise ValidationFailed(errors)
    assert record is not None
    link = LINK_OF_GROUND[ground]
    with transaction.atomic():
        # Lock the grounding record: two proposals on it at once are serialised.
        type(record).objects.select_for_update().filter(pk=record.pk).first()
        if Exposure.objects.filter(
            **{link: record}, ground=ground, state__in=wf.LIVE_STATES
        ).exists():
            raise Conflict(_("An entry on this ground is proposed or published already."))
        enterprise = record.enterprise
        exposure = Exposure.objects.create(
            enterprise=enterprise,
            ground=ground,
            title=heading or enterprise.name[:TITLE_LIMIT],
            summary=text,
            state=wf.PROPOSED,
            proposed_by=user,
            proposed_at=timezone.now(),
            **{link: record},
        )
        _event(
            actor,
            exposure,
            wf.PROPOSE,
            data={"to": wf.PROPOSED, "ground": ground, link: record.pk},
        )
        audit_append(
            actor=actor,
            action="exposure_propose",
            obj=exposure,
            summary=f"exposure {exposure.pk} proposed ({ground})",
            changes={"enterprise": enterprise.pk, "ground": ground, link: record.pk},
        )
        recipients = list(_coordinators_of(enterprise).exclude(pk=user.pk))
        title_text = _("Exposure board: an entry awaits approval")
        url = _link(exposure)
        transaction.on_commit(
            lambda: notify(
                recipients=recipients,
                kind="decision",
                title=title_text,
                link=url,
                object_label=enterprise.name,
            )
        )
    return exposure


def _lock(actor: Actor, exposure_id: Any) -> Exposure:
    pk = _id(exposure_id)
    if pk is None or not visible_exposures(actor.user).filter(pk=pk).exists():
        raise NotFound(_("No such exposure board entry in your scope."))
    return Exposure.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=pk)


def _transition(actor: Actor, exposure_id: Any, action: str, reason: Any = None) -> Exposure:
    errors: dict[str, list[str]] = {}
    why = clean_text(errors, reason, "reason", required=action in wf.NEEDS_REASON)
    with transaction.atomic():
        exposure = _lock(actor, exposure_id)
        found = wf.step(exposure.state, action)
        if found is None:
            raise Conflict(
                _("Cannot %(action)s: the entry is %(state)s.")
                % {"action": action_labels()[action], "state": exposure.get_state_display()}
            )
        who = parties(actor.user, exposure)
        if not wf.allowed(found, who):
            if found.not_proposer and wf.PROPOSER in who:
                raise Forbidden(_("The proposer may not approve or reject their own proposal."))
            raise Forbidden(_("Only a coordinator of the enterprise's jurisdiction may do this."))
        if errors:
            raise ValidationFailed(errors)
        from_state = exposure.state
        now = timezone.now()
        exposure.state = found.target
        fields = ["state"]
        if action == wf.APPROVE:
            exposure.approved_by = actor.user
            fields.append("approved_by")
        elif action == wf.PUBLISH:
            exposure.published_at = now
            fields.append("published_at")
        elif action == wf.WITHDRAW:
            exposure.withdrawn_at = now
            exposure.withdraw_reason = why
            fields += ["withdrawn_at", "withdraw_reason"]
        exposure.save(update_fields=fields)
        _event(actor, exposure, action, note=why, data={"from": from_state, "to": found.target})
        audit_append(
            actor=actor,
            action=f"exposure_{action}",
            obj=exposure,
            summary=f"exposure {exposure.pk} {from_state} → {found.target}",
            changes={"state": [from_state, found.target], **({"reason": why} if why else {})},
        )
        if action in (wf.APPROVE, wf.REJECT):
            proposer = exposure.proposed_by
            title_text = (
                _("Exposure board: your proposal was approved")
                if action == wf.APPROVE
                else _("Exposure board: your proposal was rejected")
            )
            url = _link(exposure)
            label = exposure.enterprise.name
            transaction.on_commit(
                lambda: notify(
                    recipients=[proposer],
                    kind="decision",
                    title=title_text,
                    body=why,
                    link=url,
                    object_label=label,
                )
            )
    return exposure


def exposure_approve(*, actor: Actor, exposure_id: Any) -> Exposure:
    return _transition(actor, exposure_id, wf.APPROVE)


def exposure_reject(*, actor: Actor, exposure_id: Any, reason: Any) -> Exposure:
    return _transition(actor, exposure_id, wf.REJECT, reason)


def exposure_publish(*, actor: Actor, exposure_id: Any) -> Exposure:
    return _transition(actor, exposure_id, wf.PUBLISH)


def exposure_withdraw(*, actor: Actor, exposure_id: Any, reason: Any) -> Exposure:
    return _transition(actor, exposure_id, wf.WITHDRAW, reason)


STEP_SERVICES = {
    wf.APPROVE: exposure_approve,
    wf.PUBLISH: exposure_publish,
}
REASONED_SERVICES = {
    wf.REJECT: exposure_reject,
    wf.WITHDRAW: exposure_withdraw,
}


def exposure_step(*, actor: Actor, exposure_id: Any, action: str, reason: Any = None) -> Exposure:
    """One of approve, reject, publish, withdraw by name (the views' and the API's door)."""
    if action in STEP_SERVICES:
        return STEP_SERVICES[action](actor=actor, exposure_id=exposure_id)
    if action in REASONED_SERVICES:
        return REASONED_SERVICES[action](actor=actor, exposure_id=exposure_id, reason=reason)
    raise NotFound(_("No such step."))

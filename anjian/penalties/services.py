"""Writes of administrative penalties: the decision's workflow (`penalty_draft`,
`penalty_notify`, `penalty_decide`, `penalty_execute`, `penalty_revoke`; table in
workflow.py), the suspension order's (`suspension_apply`) and the untrustworthy listing's
(`listing_propose`, `listing_apply`; the table is anjian.inspections.untrustworthy).

Each step, in one transaction: the row must be in the actor's scope (else NotFound), it is
locked, a stale version or a wrong state is a Conflict, a wrong party Forbidden; then the
new state, an event row (never edited) and an audit entry.

No double fine (行政处罚法 第二十九条): `penalty_decide` of a fine locks the subject's
SubjectLock row, reads every fine in force on the subject decided within the window
(settings.ANJIAN_DOUBLE_PENALTY_WINDOW_DAYS) by any department, and refuses when
anjian.inspections.penalties.find_double_penalty finds the same act, naming the first fine.
The lock makes two departments deciding at once take turns: the second sees the first.

Documents: a penalty on an enterprise issues its 行政处罚告知书 when notified and its
行政处罚决定书 when decided (after the check, in the same transaction), through
anjian.inspections.document_services.penalty_document_issue; the decision number is the
document's. The inspection's document form no longer issues either kind.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from anjian.accounts.models import ENTERPRISE_ROLES, Role, User
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.inputs import clean_text
from anjian.inspections import document_services as ds
from anjian.inspections import documents as pure
from anjian.inspections import penalties as rules
from anjian.inspections import untrustworthy as ut
from anjian.inspections.document_models import EnforcementDocument
from anjian.inspections.services import visible_inspections
from anjian.registry.models import Enterprise

from . import workflow as wf
from .models import (
    PUBLIC_STATES,
    Listing,
    ListingEvent,
    Penalty,
    PenaltyEvent,
    SubjectLock,
    Suspension,
    SuspensionEvent,
)

TEXT_LIMIT = 4000
# What an application for early removal asserts (untrustworthy.RepairFacts).
REPAIR_FIELDS = ("penalty_fulfilled", "violation_corrected", "effects_removed", "commitment_made")
MAX_CLAUSES = 20
# 行政处罚法 第三十六条: an act undiscovered for two years is not penalised any more, so two
# decisions on one act lie at most about two years apart; the docs leave the window to the
# deployment (docs/penalties-and-untrustworthy-list.md), this is its default.
DEFAULT_WINDOW_DAYS = 730


def window_days() -> int:
    return int(getattr(settings, "ANJIAN_DOUBLE_PENALTY_WINDOW_DAYS", DEFAULT_WINDOW_DAYS))


# --- labels ------------------------------------------------------------------------------


def penalty_action_labels() -> dict[str, str]:
    return {
        wf.NOTIFY: _("notify the party"),
        wf.DECIDE: _("decide"),
        wf.EXECUTE: _("mark executed"),
        wf.REVOKE: _("revoke"),
    }


def suspension_action_labels() -> dict[str, str]:
    return {
        wf.RECTIFY: _("start rectification"),
        wf.REQUEST_REVIEW: _("request the resume review"),
        wf.RESUME: _("approve resuming production"),
        wf.EXTEND: _("extend the suspension"),
    }


def listing_action_labels() -> dict[str, str]:
    return {
        ut.NOTIFY: _("notify the party"),
        ut.DECIDE: _("decide to list"),
        ut.WITHDRAW: _("withdraw"),
        ut.PUBLISH: _("publish"),
        ut.EXPIRE: _("remove: period over"),
        ut.APPLY_REPAIR: _("apply for early removal"),
        ut.APPROVE_REPAIR: _("approve early removal"),
        ut.REJECT_REPAIR: _("reject early removal"),
        ut.RESTORE: _("restore: removal obtained by fraud"),
        ut.REVOKE: _("revoke: penalty set aside"),
    }


def listing_reason_messages() -> dict[str, str]:
    """The pure module's reason codes as sentences."""
    return {
        "unknown_situation": _("Choose one of the situations the order names."),
        "no_penalty_decision": _(
            "A subject is listed only on an administrative penalty decision in force."
        ),
        "not_penalising_department": _(
            "Only the department that imposed the penalty decides the listing."
        ),
        "situation_text_unverified": _(
            "The text of this situation is not verified; confirm that you accept it."
        ),
        "statement_period_running": _(
            "The party's time to state its case is not over, or its statement is not reviewed."
        ),
        "listing_period_not_over": _("The listing period is not over."),
        "repair_conditions_not_met": _("The conditions for early removal are not met."),
        "no_fraud_found": _("Restoring needs a finding of concealment or fraud."),
        "penalty_not_set_aside": _("The penalty this listing rests on is not set aside."),
        "listed_under_12_months": _("Listed for less than 12 full months."),
        "new_situation_during_listing": _("A new listing situation arose during the listing."),
        "penalty_not_fulfilled": _("The penalty is not fulfilled."),
        "violation_not_corrected": _("The violation is not corrected."),
        "effects_not_removed": _("Its effects are not removed."),
        "no_credit_commitment": _("No credit commitment was made."),
    }


# --- reading -----------------------------------------------------------------------------


def _department_officer(user: Any) -> bool:
    return bool(
        scoping.is_active_user(user) and user.role == Role.DEPARTMENT_OFFICER and user.department_id
    )


def _with_own_department(user: Any, qs: QuerySet, model: type) -> QuerySet:
    # A department officer also sees its own department's rows: a fine on a truck plate
    # or on a person has no enterprise, and a department may fine outside its duties.
    if _department_officer(user):
        own = model.objects.filter(department_id=user.department_id).values("pk")
        return model.objects.filter(Q(pk__in=qs.values("pk")) | Q(pk__in=own))
    return qs


def visible_penalties(user: Any) -> QuerySet[Penalty]:
    return _with_own_department(user, scoping.visible(user, Penalty), Penalty)


def visible_listings(user: Any) -> QuerySet[Listing]:
    return _with_own_department(user, scoping.visible(user, Listing), Listing)


def visible_suspensions(user: Any) -> QuerySet[Suspension]:
    qs = scoping.visible(user, Suspension)
    if _department_officer(user):
        own = Suspension.objects.filter(penalty__department_id=user.department_id).values("pk")
        return Suspension.objects.filter(Q(pk__in=qs.values("pk")) | Q(pk__in=own))
    return qs


def public_listings() -> QuerySet[Listing]:
    """Published listings, for the page without sign-in."""
    return Listing.objects.filter(state__in=PUBLIC_STATES)


def _is_subject(user: Any, enterprise_id: int | None) -> bool:
    return bool(
        scoping.is_active_user(user)
        and user.role in ENTERPRISE_ROLES
        and enterprise_id
        and user.enterprise_id == enterprise_id
    )


def penalty_parties(user: Any, penalty: Penalty) -> frozenset[str]:
    if _department_officer(user) and user.department_id == penalty.department_id:
        return frozenset({wf.DEPARTMENT})
    return frozenset()


def suspension_parties(user: Any, suspension: Suspension) -> frozenset[str]:
    out = set()
    if _department_officer(user) and user.department_id == suspension.penalty.department_id:
        out.add(wf.DEPARTMENT)
    if _is_subject(user, suspension.enterprise_id):
        out.add(wf.SUBJECT)
    return frozenset(out)


def listing_party(actor: Actor, listing: Listing) -> str:
    user = actor.user
    if user is None:  # the expiry job acts for the deciding department
        return ut.PENALISING_DEPARTMENT
    if _department_officer(user) and user.department_id == listing.department_id:
        return ut.PENALISING_DEPARTMENT
    if _is_subject(user, listing.enterprise_id):
        return ut.SUBJECT
    return ut.OTHER_DEPARTMENT


# --- helpers -----------------------------------------------------------------------------


_text = clean_text  # anjian.core.inputs


def _date(errors: dict[str, list[str]], value: Any, name: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parsed = parse_date(value) if isinstance(value, str) and value.strip() else None
    if parsed is None:
        errors.setdefault(name, []).append(_("Enter a date."))
    return parsed


def _datetime(errors: dict[str, list[str]], value: Any, name: str) -> dt.datetime | None:
    parsed = value if isinstance(value, dt.datetime) else None
    if parsed is None and isinstance(value, str) and value.strip():
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        errors.setdefault(name, []).append(_("Enter a date and time."))
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _clauses(errors: dict[str, list[str]], value: Any) -> list[dict[str, Any]]:
    lines: Iterable[Any]
    if isinstance(value, str):
        lines = value.splitlines()
    elif isinstance(value, list | tuple):
        lines = value
    else:
        lines = []
    out: list[dict[str, Any]] = []
    for line in lines:
        text = str(line).strip()
        if not text:
            continue
        try:
            key = rules.parse_clause(text)
        except ValueError:
            errors.setdefault("clauses", []).append(
                _("Not a legal clause: %(text)s (write e.g. 《安全生产法》第一百零一条第（二）项)")
                % {"text": text[:80]}
            )
            continue
        out.append(
            {
                "text": text[:200],
                "law": key.law,
                "article": key.article,
                "paragraph": key.paragraph,
                "item": key.item,
                "label": key.label(),
            }
        )
    if not out and "clauses" not in errors:
        errors["clauses"] = [_("Name the violated clause (at least one).")]
    if len(out) > MAX_CLAUSES:
        errors.setdefault("clauses", []).append(_("Too many clauses."))
    return out


def clause_keys(penalty: Penalty) -> tuple[rules.ClauseKey, ...]:
    return tuple(
        rules.ClauseKey(c["law"], c["article"], c.get("paragraph"), c.get("item"))
        for c in penalty.clauses
    )


def to_rule(penalty: Penalty, *, decided_on: dt.date | None = None) -> rules.Penalty:
    """The row as the pure module's Penalty (the candidate gets its decision date)."""
    return rules.Penalty(
        id=str(penalty.pk),
        department=str(penalty.department_id),
        subject=rules.SubjectKey(penalty.subject_kind, penalty.subject_value),
        kind=penalty.kind,
        clauses=clause_keys(penalty),
        facts=rules.Facts(
            start=penalty.facts_start,
            end=penalty.facts_end,
            location_code=penalty.location_code,
            place=penalty.place,
            description=penalty.description,
            act_ref=penalty.act_ref,
        ),
        decided_on=decided_on or penalty.decided_on or timezone.localdate(),
        amount=penalty.amount,
        revoked=penalty.state == wf.REVOKED,
    )


def _officer(actor: Actor) -> User:
    user = actor.user
    if not _department_officer(user):
        raise Forbidden(_("Only a department officer decides penalties."))
    return user


def _event(
    model: type, actor: Actor, *, data: Mapping[str, Any] | None = None, **fields: Any
) -> Any:
    return model.objects.create(
        # Dates and decimals as text: the row stores what the audit entry hashes.
        data=json.loads(json.dumps(dict(data or {}), default=str)),
        actor=actor.user,
        actor_label=actor.label[:128],
        via=actor.via[:16],
        at=timezone.now(),
        **fields,
    )


def _stale(row: Any, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != row.version:
        raise Conflict(_("Somebody else changed this record first; reload and try again."))


def subject_lock(kind: str, value: str) -> SubjectLock:
    """The subject's lock row, locked until the transaction ends. Created on first use; a
    concurrent creator loses on the unique constraint and then waits on the row."""
    lock = SubjectLock.objects.select_for_update().filter(kind=kind, value=value).first()
    if lock is not None:
        return lock
    try:
        with transaction.atomic():
            SubjectLock.objects.create(kind=kind, value=value)
    except IntegrityError:
        pass
    return SubjectLock.objects.select_for_update().get(kind=kind, value=value)


# --- penalties ---------------------------------------------------------------------------


def penalty_draft(
    *,
    actor: Actor,
    subject_kind: Any,
    subject_value: Any,
    subject_name: Any,
    kind: Any,
    clauses: Any,
    facts_start: Any,
    facts_end: Any,
    description: Any,
    amount: Any = None,
    responsible_person: Any = "",
    place: Any = "",
    location_code: Any = "",
    act_ref: Any = "",
    enterprise_id: Any = None,
    inspection_id: Any = None,
) -> Penalty:
    """A draft decision of the actor's department. The subject is its key (USCC, plate or
    ID number, validated and normalised); a USCC of a registered enterprise links it, so
    the enterprise sees its penalties."""
    user = _officer(actor)
    errors: dict[str, list[str]] = {}
    key: rules.SubjectKey | None = None
    if subject_kind not in (rules.USCC, rules.PLATE, rules.PERSON):
        errors["subject_kind"] = [_("Choose the kind of subject key.")]
    else:
        try:
            key = rules.subject_key(str(subject_value or ""), subject_kind)
        except rules.SubjectKeyError:
            errors["subject_value"] = [
                {
                    rules.USCC: _("Not a valid unified social credit code."),
                    rules.PLATE: _("Not a valid vehicle plate."),
                    rules.PERSON: _("Not a valid ID number."),
                }[subject_kind]
            ]
    name = _text(errors, subject_name, "subject_name", required=True, limit=200)
    if kind not in rules.KINDS:
        errors["kind"] = [_("Choose the kind of penalty.")]
    elif kind == rules.PERSON_FINE and subject_kind != rules.PERSON:
        errors["subject_kind"] = [_("A fine on a responsible person is keyed by the ID number.")]
    person = _text(errors, responsible_person, "responsible_person", limit=64)
    value: Decimal | None = None
    if kind in rules.FINE_KINDS:
        try:
            value = Decimal(str(amount).strip().replace(",", ""))
            if not value.is_finite() or value <= 0 or value >= Decimal("1e12"):
                raise InvalidOperation
            value = value.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors["amount"] = [_("Enter the fine's amount in yuan.")]
    parsed_clauses = _clauses(errors, clauses)
    start = _datetime(errors, facts_start, "facts_start")
    end = _datetime(errors, facts_end, "facts_end")
    if start and end and end < start:
        errors.setdefault("facts_end", []).append(_("The act cannot end before it starts."))
    text = _text(errors, description, "description", required=True)
    place_text = _text(errors, place, "place", limit=255)
    code = _text(errors, location_code, "location_code", limit=64)
    ref = _text(errors, act_ref, "act_ref", limit=64)
    if not place_text and not code:
        errors.setdefault("place", []).append(_("Give the place or its location code."))
    enterprise = None
    if key is not None and key.kind == rules.USCC:
        enterprise = Enterprise.objects.filter(uscc=key.value).first()
    elif enterprise_id not in (None, ""):
        enterprise = scoping.visible_enterprises(user).filter(pk=enterprise_id).first()
        if enterprise is None:
            errors["enterprise"] = [_("No such enterprise in your scope.")]
    inspection = None
    if inspection_id not in (None, ""):
        inspection = visible_inspections(user).filter(pk=inspection_id).first()
        if inspection is None:
            errors["inspection"] = [_("No such inspection in your scope.")]
    if kind in (rules.SUSPENSION, rules.CLOSURE) and enterprise is None:
        errors.setdefault("subject_value", []).append(
            _("An order to suspend or close is on a registered enterprise (its credit code).")
        )
    if errors:
        raise ValidationFailed(errors)
    assert key is not None and start is not None and end is not None
    with transaction.atomic():
        penalty = Penalty.objects.create(
            department_id=user.department_id,
            enterprise=enterprise,
            subject_kind=key.kind,
            subject_value=key.value,
            subject_name=name,
            responsible_person=person,
            kind=kind,
            amount=value,
            clauses=parsed_clauses,
            facts_start=start,
            facts_end=end,
            place=place_text,
            location_code=code,
            description=text,
            act_ref=ref,
            inspection=inspection,
            created_by=user,
        )
        _event(PenaltyEvent, actor, penalty=penalty, action="draft", to_state=wf.DRAFT)
        audit_append(
            actor=actor,
            action="penalty_draft",
            obj=penalty,
            summary=f"penalty {penalty.pk} draft {kind} {key.kind}",
            changes={"kind": kind, "amount": value, "subject_kind": key.kind},
        )
    return penalty


def _lock_penalty(actor: Actor, penalty_id: int) -> Penalty:
    if not visible_penalties(actor.user).filter(pk=penalty_id).exists():
        raise NotFound(_("No such penalty in your scope."))
    return Penalty.objects.select_for_update(of=("self",)).get(pk=penalty_id)


def _penalty_step(
    actor: Actor, penalty: Penalty, action: str, expected_version: int | None
) -> wf.Transition:
    _stale(penalty, expected_version)
    found = wf.step(wf.PENALTY_TABLE, penalty.state, action)
    if found is None:
        raise Conflict(
            _("Cannot %(action)s a penalty that is %(state)s.")
            % {
                "action": penalty_action_labels()[action],
                "state": penalty.get_state_display(),
            }
        )
    if not found.parties & penalty_parties(actor.user, penalty):
        raise Forbidden(_("Only an officer of the deciding department may do this."))
    return found


def _penalty_apply(
    actor: Actor,
    penalty: Penalty,
    found: wf.Transition,
    *,
    note: str = "",
    data: Mapping[str, Any] | None = None,
) -> Penalty:
    from_state = penalty.state
    penalty.state = found.target
    penalty.version += 1
    penalty.save()
    _event(
        PenaltyEvent,
        actor,
        penalty=penalty,
        action=found.action,
        from_state=from_state,
        to_state=found.target,
        note=note,
        data=dict(data or {}),
    )
    audit_append(
        actor=actor,
        action=f"penalty_{found.action}",
        obj=penalty,
        summary=f"penalty {penalty.pk} {from_state}→{found.target}",
        changes={"from": from_state, "to": found.target, **dict(data or {})},
    )
    return penalty


def penalty_notify(
    *,
    actor: Actor,
    penalty_id: int,
    noticed_on: Any = None,
    document: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Penalty:
    """行政处罚告知: the party is told the facts, the basis and its rights. A penalty on an
    enterprise issues its 行政处罚告知书 in the same transaction (dated the notice day):
    ``document`` holds what the document needs besides the penalty's own facts —
    ``certificates`` {user id: 执法证号} of its officers (document_services.penalty_handlers),
    ``evidence``, ``penalty_basis``, optionally ``proposed`` and ``hearing``."""
    with transaction.atomic():
        penalty = _lock_penalty(actor, penalty_id)
        found = _penalty_step(actor, penalty, wf.NOTIFY, expected_version)
        errors: dict[str, list[str]] = {}
        day = _date(errors, noticed_on, "noticed_on") if noticed_on else timezone.localdate()
        if errors:
            raise ValidationFailed(errors)
        assert day is not None
        data: dict[str, Any] = {"noticed_on": day}
        if penalty.enterprise_id is not None:
            notice = ds.penalty_document_issue(
                actor=actor,
                penalty=penalty,
                kind=pure.PENALTY_NOTICE,
                data=document or {},
                issued_on=day,
            )
            data["notice"] = notice.number
        penalty.noticed_on = day
        return _penalty_apply(actor, penalty, found, data=data)


class DoublePenalty(ValidationFailed):
    """The fine is refused: the same act was fined already (`first` is the earliest)."""

    def __init__(self, errors: dict[str, list[str]], first: Penalty, evidence: rules.Evidence):
        super().__init__(errors)
        self.first = first
        self.evidence = evidence


def double_fine_message(first: Penalty) -> str:
    return _(
        "No second fine for one act (Administrative Penalty Law, Article 29): %(department)s "
        "already fined it by decision %(number)s of %(date)s, %(amount)s yuan. Other "
        "measures remain possible."
    ) % {
        "department": first.department.name,
        "number": first.number or f"#{first.pk}",
        "date": first.decided_on.isoformat() if first.decided_on else "",
        "amount": first.amount,
    }


DOUBLE_REFUSED = "penalty_double_refused"


def _record_double_refusal(decide):
    """A refused second fine leaves an audit entry (after its transaction rolled back), so
    reports can count the double penalties avoided (anjian.reports.indicators)."""

    def wrapper(*, actor: Actor, penalty_id: int, **kwargs: Any) -> Penalty:
        try:
            return decide(actor=actor, penalty_id=penalty_id, **kwargs)
        except DoublePenalty as refused:
            audit_append(
                actor=actor,
                action=DOUBLE_REFUSED,
                object_type="penalties.penalty",
                object_id=str(penalty_id),
                summary=f"second fine refused; first fine #{refused.first.pk}",
                changes={"first_id": refused.first.pk, "rule": refused.evidence.rule},
            )
            raise

    wrapper.__doc__ = decide.__doc__
    return wrapper


@_record_double_refusal
def penalty_decide(
    *,
    actor: Actor,
    penalty_id: int,
    number: Any = None,
    decided_on: Any = None,
    rectify_by: Any = None,
    document: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Penalty:
    """The decision (行政处罚决定书). A fine is first checked against every fine in force
    on the same subject, of any department, within the window: the same act fined already
    refuses it with the first fine named (field `kind`, where another measure is chosen).
    Then a penalty on an enterprise issues its 行政处罚决定书 (dated the decision day,
    naming the notice; ``document`` as for penalty_notify, plus optional ``penalty``,
    ``statement``, ``payment``), whose number is the decision number; a penalty without an
    enterprise (a plate, a person) gets no document and takes the number typed. One
    transaction: a refusal issues nothing and uses no serial number.
    A suspension order starts its resume-review workflow."""
    errors: dict[str, list[str]] = {}
    num = _text(errors, number, "number", limit=64)
    day = _date(errors, decided_on, "decided_on") if decided_on else timezone.localdate()
    until = _date(errors, rectify_by, "rectify_by") if rectify_by else None
    if errors:
        raise ValidationFailed(errors)
    assert day is not None
    with transaction.atomic():
        penalty = _lock_penalty(actor, penalty_id)
        found = _penalty_step(actor, penalty, wf.DECIDE, expected_version)
        if penalty.noticed_on and day < penalty.noticed_on:
            raise ValidationFailed(
                {"decided_on": [_("A decision cannot be dated before the notice.")]}
            )
        with_document = penalty.enterprise_id is not None
        if with_document and num:
            raise ValidationFailed(
                {
                    "number": [
                        _(
                            "The decision number is the number of the decision document; "
                            "leave it empty."
                        )
                    ]
                }
            )
        if not with_document and not num:
            raise ValidationFailed({"number": [_("This field is required.")]})
        if num and (
            Penalty.objects.filter(department_id=penalty.department_id, number=num)
            .exclude(pk=penalty.pk)
            .exists()
            or EnforcementDocument.objects.filter(
                department_id=penalty.department_id, number=num
            ).exists()
        ):
            raise ValidationFailed({"number": [_("This decision number is already used.")]})
        if penalty.is_fine:
            # Taken after the penalty's own row; every decider takes them in this order.
            subject_lock(penalty.subject_kind, penalty.subject_value)
            days = window_days()
            priors = (
                Penalty.objects.select_related("department")
                .filter(
                    subject_kind=penalty.subject_kind,
                    subject_value=penalty.subject_value,
                    kind__in=rules.FINE_KINDS,
                    state__in=wf.IN_FORCE,
                    decided_on__gte=day - dt.timedelta(days=days),
                    decided_on__lte=day + dt.timedelta(days=days),
                )
                .exclude(pk=penalty.pk)
            )
            by_id = {str(p.pk): p for p in priors}
            check = rules.find_double_penalty(
                to_rule(penalty, decided_on=day), [to_rule(p) for p in by_id.values()], days
            )
            if check.blocked:
                first = by_id[check.evidence[0].prior_id]
                raise DoublePenalty(
                    {"kind": [double_fine_message(first)]}, first, check.evidence[0]
                )
        if with_document:
            decision = ds.penalty_document_issue(
                actor=actor,
                penalty=penalty,
                kind=pure.PENALTY_DECISION,
                data=document or {},
                issued_on=day,
            )
            num = decision.number
        penalty.number = num
        penalty.decided_on = day
        _penalty_apply(actor, penalty, found, data={"number": num, "decided_on": day})
        if penalty.kind == rules.SUSPENSION:
            suspension = Suspension.objects.create(
                penalty=penalty,
                enterprise_id=penalty.enterprise_id,
                ordered_on=day,
                rectify_by=until,
            )
            _event(
                SuspensionEvent, actor, suspension=suspension, action="order", to_state=wf.ORDERED
            )
    return penalty


def penalty_execute(
    *, actor: Actor, penalty_id: int, note: Any = "", expected_version: int | None = None
) -> Penalty:
    errors: dict[str, list[str]] = {}
    text = _text(errors, note, "note")
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        penalty = _lock_penalty(actor, penalty_id)
        found = _penalty_step(actor, penalty, wf.EXECUTE, expected_version)
        return _penalty_apply(actor, penalty, found, note=text)


def penalty_revoke(
    *, actor: Actor, penalty_id: int, reason: Any, expected_version: int | None = None
) -> Penalty:
    """撤销 / 确认无效: the decision no longer counts (nor blocks another fine); a listing
    resting on it may then be revoked."""
    errors: dict[str, list[str]] = {}
    text = _text(errors, reason, "reason", required=True)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        penalty = _lock_penalty(actor, penalty_id)
        found = _penalty_step(actor, penalty, wf.REVOKE, expected_version)
        return _penalty_apply(actor, penalty, found, note=text, data={"reason": text})


# --- suspension orders -------------------------------------------------------------------


def suspension_apply(
    *,
    actor: Actor,
    suspension_id: int,
    action: str,
    note: Any = "",
    rectify_by: Any = None,
    expected_version: int | None = None,
) -> Suspension:
    """One step of the suspension order; `extend` may set a new rectify-by date."""
    errors: dict[str, list[str]] = {}
    text = _text(errors, note, "note")
    until = _date(errors, rectify_by, "rectify_by") if rectify_by else None
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        if not visible_suspensions(actor.user).filter(pk=suspension_id).exists():
            raise NotFound(_("No such suspension order in your scope."))
        suspension = (
            Suspension.objects.select_for_update(of=("self",))
            .select_related("penalty")
            .get(pk=suspension_id)
        )
        _stale(suspension, expected_version)
        found = wf.step(wf.SUSPENSION_TABLE, suspension.state, action)
        if found is None:
            raise Conflict(
                _("Cannot %(action)s a suspension order that is %(state)s.")
                % {
                    "action": suspension_action_labels().get(action, action),
                    "state": suspension.get_state_display(),
                }
            )
        if not found.parties & suspension_parties(actor.user, suspension):
            raise Forbidden(_("You may not take this step of the suspension order."))
        from_state = suspension.state
        suspension.state = found.target
        if found.target == wf.RESUMED:
            suspension.resumed_on = timezone.localdate()
        if until is not None and action == wf.EXTEND:
            suspension.rectify_by = until
        suspension.version += 1
        suspension.save()
        _event(
            SuspensionEvent,
            actor,
            suspension=suspension,
            action=action,
            from_state=from_state,
            to_state=found.target,
            note=text,
            data={"rectify_by": until} if until else {},
        )
        audit_append(
            actor=actor,
            action=f"suspension_{action}",
            obj=suspension,
            summary=f"suspension {suspension.pk} {from_state}→{found.target}",
            changes={"from": from_state, "to": found.target},
        )
    return suspension


# --- untrustworthy listings --------------------------------------------------------------


def listing_propose(
    *,
    actor: Actor,
    penalty_id: Any,
    situation: Any,
    reasons: Any = "",
    accept_unverified_text: bool = False,
) -> Listing:
    """拟列入: only on a penalty decision in force, in a situation of the order, by the
    department that imposed the penalty (anjian.inspections.untrustworthy.may_list)."""
    user = _officer(actor)
    errors: dict[str, list[str]] = {}
    text = _text(errors, reasons, "reasons")
    if penalty_id in (None, ""):
        errors["penalty"] = [listing_reason_messages()["no_penalty_decision"]]
        raise ValidationFailed(errors)
    penalty = visible_penalties(user).select_related("department").filter(pk=penalty_id).first()
    if penalty is None:
        errors["penalty"] = [_("No such penalty in your scope.")]
        raise ValidationFailed(errors)
    decision = ut.may_list(
        str(situation or ""),
        penalty.state in wf.IN_FORCE,
        penalising_department=str(penalty.department_id),
        deciding_department=str(user.department_id),
        accept_unverified_text=bool(accept_unverified_text),
    )
    if not decision.allowed:
        field = "situation" if "situation" in decision.reason else "penalty"
        errors.setdefault(field, []).append(listing_reason_messages()[decision.reason])
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        listing = Listing.objects.create(
            penalty=penalty,
            department_id=penalty.department_id,
            enterprise_id=penalty.enterprise_id,
            subject_kind=penalty.subject_kind,
            subject_value=penalty.subject_value,
            subject_name=penalty.subject_name,
            situation=str(situation),
            reasons=text,
            created_by=user,
        )
        _event(
            ListingEvent,
            actor,
            listing=listing,
            action="propose",
            to_state=ut.PROPOSED,
            data={"accept_unverified_text": bool(accept_unverified_text)},
        )
        audit_append(
            actor=actor,
            action="listing_propose",
            obj=listing,
            summary=f"listing {listing.pk} proposed on penalty {penalty.pk} ({situation})",
            changes={"penalty": penalty.pk, "situation": situation},
        )
    return listing


def _new_situation(listing: Listing) -> bool:
    """Another listing of the same subject decided after this one (a new situation)."""
    return (
        Listing.objects.filter(
            subject_kind=listing.subject_kind,
            subject_value=listing.subject_value,
            decided_on__gt=listing.decided_on,
        )
        .exclude(pk=listing.pk)
        .exists()
    )


def _listing_facts(listing: Listing, today: dt.date, *, reviewed: bool, fraud: bool) -> ut.Facts:
    penalty = listing.penalty
    may = ut.may_list(
        listing.situation,
        penalty.state in wf.IN_FORCE,
        penalising_department=str(penalty.department_id),
        deciding_department=str(listing.department_id),
        # The proposer accepted an unverified text explicitly (recorded on its event).
        accept_unverified_text=True,
    )
    repair = ut.Decision(False, "no_application")
    if listing.repair and listing.decided_on:
        r = listing.repair
        repair = ut.may_repair_early(
            ut.RepairFacts(
                listed_on=listing.decided_on,
                applied_on=dt.date.fromisoformat(r["applied_on"]),
                penalty_fulfilled=bool(r.get("penalty_fulfilled")),
                violation_corrected=bool(r.get("violation_corrected")),
                effects_removed=bool(r.get("effects_removed")),
                commitment_made=bool(r.get("commitment_made")),
                new_listing_situation=_new_situation(listing),
            )
        )
    return ut.Facts(
        today=today,
        listing=may,
        notified_on=listing.notified_on,
        statement_received=bool(listing.statement),
        statement_reviewed=listing.statement_reviewed or reviewed,
        decided_on=listing.decided_on,
        repair=repair,
        repair_fraud_found=fraud,
        penalty_set_aside=penalty.state == wf.REVOKED,
    )


def listing_apply(
    *,
    actor: Actor,
    listing_id: int,
    action: str,
    today: dt.date | None = None,
    note: Any = "",
    statement_reviewed: bool = False,
    fraud_found: bool = False,
    repair: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Listing:
    """One step of the listing by the table of anjian.inspections.untrustworthy: refused as
    an illegal transition (Conflict), a party that may not act (Forbidden: only the
    penalising department, the subject only to apply for repair) or a failed guard
    (Conflict, saying why)."""
    errors: dict[str, list[str]] = {}
    text = _text(errors, note, "note")
    if action in (ut.WITHDRAW, ut.REJECT_REPAIR, ut.RESTORE, ut.REVOKE) and not text:
        errors["note"] = [_("Say why.")]
    if errors:
        raise ValidationFailed(errors)
    today = today or timezone.localdate()
    with transaction.atomic():
        if (
            actor.user is not None
            and not visible_listings(actor.user).filter(pk=listing_id).exists()
        ):
            raise NotFound(_("No such listing in your scope."))
        listing = (
            Listing.objects.select_for_update(of=("self",))
            .select_related("penalty")
            .get(pk=listing_id)
        )
        _stale(listing, expected_version)
        if action == ut.APPLY_REPAIR:
            listing.repair = {
                "applied_on": today.isoformat(),
                **{k: bool((repair or {}).get(k)) for k in REPAIR_FIELDS},
            }
        facts = _listing_facts(listing, today, reviewed=statement_reviewed, fraud=fraud_found)
        outcome = ut.transition(listing.state, action, listing_party(actor, listing), facts)
        if not outcome.ok:
            if outcome.reason == "illegal_transition":
                raise Conflict(
                    _("Cannot %(action)s a listing that is %(state)s.")
                    % {
                        "action": listing_action_labels().get(action, action),
                        "state": listing.get_state_display(),
                    }
                )
            if outcome.reason == "not_allowed_party":
                raise Forbidden(
                    listing_reason_messages()["not_penalising_department"]
                    if action != ut.APPLY_REPAIR
                    else _("Only the listed subject applies for early removal.")
                )
            reason = outcome.reason
            if action == ut.APPROVE_REPAIR and facts.repair.reason:
                reason = facts.repair.reason  # say which condition failed
            raise Conflict(listing_reason_messages().get(reason, reason))
        from_state = listing.state
        if action == ut.NOTIFY:
            listing.notified_on = today
            listing.statement_deadline = ut.statement_deadline(today)
        elif action == ut.DECIDE:
            listing.decided_on = today
            listing.ends_on = ut.listing_end(today)
            listing.statement_reviewed = listing.statement_reviewed or statement_reviewed
        elif action == ut.PUBLISH:
            listing.published_on = today
        elif outcome.target in (ut.REMOVED_EXPIRED, ut.REMOVED_REPAIRED, ut.REVOKED):
            listing.removed_on = today
        elif action == ut.RESTORE:
            listing.removed_on = None
        listing.state = outcome.target
        listing.version += 1
        listing.save()
        _event(
            ListingEvent,
            actor,
            listing=listing,
            action=action,
            from_state=from_state,
            to_state=outcome.target,
            note=text,
            data={"today": today.isoformat()},
        )
        audit_append(
            actor=actor,
            action=f"listing_{action}",
            obj=listing,
            summary=f"listing {listing.pk} {from_state}→{outcome.target}",
            changes={"from": from_state, "to": outcome.target},
        )
    return listing


def listing_state_statement(
    *, actor: Actor, listing_id: int, statement: Any, today: dt.date | None = None
) -> Listing:
    """陈述申辩: the subject states its case while notified (before the deadline)."""
    errors: dict[str, list[str]] = {}
    text = _text(errors, statement, "statement", required=True)
    if errors:
        raise ValidationFailed(errors)
    today = today or timezone.localdate()
    with transaction.atomic():
        if not visible_listings(actor.user).filter(pk=listing_id).exists():
            raise NotFound(_("No such listing in your scope."))
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        if listing_party(actor, listing) != ut.SUBJECT:
            raise Forbidden(_("Only the listed subject states its case."))
        if listing.state != ut.NOTIFIED or (
            listing.statement_deadline and today > listing.statement_deadline
        ):
            raise Conflict(_("The time to state the case is over."))
        listing.statement = text
        listing.statement_reviewed = False
        listing.version += 1
        listing.save()
        _event(ListingEvent, actor, listing=listing, action="statement", note=text)
        audit_append(
            actor=actor,
            action="listing_statement",
            obj=listing,
            summary=f"listing {listing.pk} statement",
        )
    return listing


__all__ = [
    "DoublePenalty",
    "listing_apply",
    "listing_propose",
    "listing_state_statement",
    "penalty_decide",
    "penalty_draft",
    "penalty_execute",
    "penalty_notify",
    "penalty_revoke",
    "public_listings",
    "suspension_apply",
    "visible_listings",
    "visible_penalties",
    "visible_suspensions",
]

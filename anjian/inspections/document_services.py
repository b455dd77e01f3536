"""Issuing enforcement documents from inspections (issue 12 item 8): `document_issue`,
`document_correct`, and `document_content` for downloads; `penalty_document_issue` for the
two documents of an administrative penalty (行政处罚告知书, 行政处罚决定书), which only the
penalty's own workflow calls (anjian.penalties.services: notify, and decide after its
no-double-fine check) — the inspection's form refuses them.

Issue, in one transaction: the inspection must be in the actor's scope (else NotFound)
and is locked; the actor must be one of its inspectors or an officer of one of its
departments (else Forbidden); the kind must be allowed in the inspection's state and
with what it has (``RULES``, else Conflict); the facts are gathered from the inspection
(enterprise, inspectors with their 执法证号 typed on the form — the user model has no such
field —, findings with their hazards' numbers and deadlines, earlier documents) plus the
form's input, built with documents.py, numbered under the issuing department's locked
DocumentCounter, and stored with the bytes' SHA-256 and size; then an audit entry.

The issuing department is the actor's own when it takes part in the inspection (in a
joint inspection each department documents and punishes under its own name), else the
lead department. A 责令限期整改指令书 takes its serial from the same counter as the hazard
ledger's orders (anjian.hazards.documents, kind "order"): both print 安澜应急责改〔2026〕N号,
so one department never gives one 文号 twice.

A download re-hashes the stored bytes first: a mismatch (or a missing file) is an
`IntegrityFailed` with an audit entry, never the altered bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.hazards import services as hazard_services
from anjian.hazards import workflow as hazard_wf
from anjian.hazards.documents import ORDER as HAZARD_ORDER
from anjian.hazards.documents import department_issuer
from anjian.hazards.models import DocumentCounter
from anjian.inspections import penalties as penalty_rules
from anjian.registry.models import Department

from . import documents as pure
from . import services
from . import workflow as wf
from .document_models import EnforcementDocument
from .models import Finding, Inspection, SignerKind

if TYPE_CHECKING:
    from anjian.penalties.models import Penalty

TEXT_LIMIT = 4000
LINE_LIMIT = 50
CERTIFICATE_LIMIT = 32
# The serial of a 责改 is the hazard ledger's order counter (see the module docstring);
# every other kind counts under its own name (at most 16 characters: DocumentCounter.kind).
COUNTER_KIND = {pure.RECTIFICATION_ORDER: HAZARD_ORDER}
# What empowers an order or on-site measures when the form names nothing else: 安全生产法
# (2021) 第六十五条 (as anjian.hazards.documents cites it; item numbers UNVERIFIED).
SAFETY_LAW = "中华人民共和国安全生产法"
DEFAULT_BASIS = (pure.Clause(SAFETY_LAW, "第六十五条"),)


class IntegrityFailed(Exception):
    """The stored bytes no longer have the hash recorded at issue (or are gone)."""


# --- which document when -----------------------------------------------------------------


@dataclass(frozen=True)
class Situation:
    """What the rules look at, read from the inspection and its documents."""

    state: str
    findings: int
    issued: frozenset[str]  # kinds already issued for this inspection
    order_due: bool  # an order was issued and its deadline reached, or every hazard is
    # reported fixed (submitted or closed) before it


@dataclass(frozen=True)
class Rule:
    states: frozenset[str]
    guard: str
    inputs: tuple[str, ...] = ()  # form inputs the kind needs besides the certificates


GUARDS: dict[str, Callable[[Situation], bool]] = {
    "always": lambda s: True,
    "findings": lambda s: s.findings > 0,
    "order_due": lambda s: s.order_due,
}

_ON_SITE = frozenset({wf.IN_PROGRESS, wf.CONCLUDED})
_AFTER = frozenset({wf.CONCLUDED})
RULES: dict[str, Rule] = {
    # The record of what was done on site: once the inspection is concluded and signed.
    pure.CHECK_RECORD: Rule(_AFTER, "always"),
    # An order to correct what was found by a deadline.
    pure.RECTIFICATION_ORDER: Rule(_ON_SITE, "findings", ("deadline",)),
    # Measures decided on the spot (evacuate, suspend, stop equipment).
    pure.ON_SITE_DECISION: Rule(_ON_SITE, "findings", ("measures",)),
    # The review of an order: after its deadline, or once the hazards are reported fixed.
    pure.REVIEW_OPINION: Rule(_AFTER, "order_due"),
}
# Issued by the penalty's workflow only (penalty_document_issue), never from the form: a
# decision with a fine must pass the no-double-fine check (行政处罚法 第二十九条) first.
PENALTY_KINDS = frozenset({pure.PENALTY_NOTICE, pure.PENALTY_DECISION})


def penalty_kind_refusal() -> str:
    return _(
        "A notice or decision of administrative penalty is issued from the penalty, after "
        "its no-double-fine check: open a penalty case for this inspection."
    )


def allowed(kind: str, situation: Situation) -> bool:
    if kind in PENALTY_KINDS:
        return False
    rule = RULES[kind]
    return situation.state in rule.states and GUARDS[rule.guard](situation)


def refusal(kind: str, situation: Situation) -> str:
    """Why the kind may not be issued now ("" when it may)."""
    if kind in PENALTY_KINDS:
        return penalty_kind_refusal()
    rule = RULES[kind]
    if situation.state not in rule.states:
        return _("This document cannot be issued while the inspection is %(state)s.") % {
            "state": services.state_labels()[situation.state]
        }
    if not GUARDS[rule.guard](situation):
        return {
            "findings": _("This document needs findings, and the inspection has none."),
            "order_due": _(
                "A review opinion follows an order to rectify, after its deadline or once "
                "the hazards are reported fixed."
            ),
        }[rule.guard]
    return ""


# --- reading -----------------------------------------------------------------------------


def visible_documents(user: Any) -> QuerySet[EnforcementDocument]:
    """Documents in the user's scope (by the enterprise; enterprise staff not before an
    unannounced inspection starts), plus those of the inspections a department officer
    sees through their department (services.visible_inspections)."""
    qs = scoping.visible(user, EnforcementDocument)
    if not scoping.is_active_user(user):
        return qs
    if user.role == Role.DEPARTMENT_OFFICER and user.department_id:
        own = services.visible_inspections(user).values("pk")
        return EnforcementDocument.objects.filter(
            Q(pk__in=qs.values("pk")) | Q(inspection__in=own) | Q(department_id=user.department_id)
        )
    return qs


def may_issue(user: Any, inspection: Inspection) -> bool:
    return bool(
        services.parties(user, inspection) & frozenset({wf.INSPECTOR, wf.DEPARTMENT_OFFICER})
    )


def _latest(inspection: Inspection, kind: str) -> EnforcementDocument | None:
    """The newest document of a kind for the inspection (a correction supersedes)."""
    return (
        EnforcementDocument.objects.filter(inspection=inspection, kind=kind)
        .order_by("-issued_at", "-pk")
        .first()
    )


def _findings(inspection: Inspection) -> list[Finding]:
    return list(
        Finding.objects.filter(inspection=inspection)
        .select_related("hazard")
        .order_by("recorded_at", "pk")
    )


def situation(inspection: Inspection, today: dt.date | None = None) -> Situation:
    today = today or timezone.localdate()
    findings = _findings(inspection)
    issued = frozenset(
        EnforcementDocument.objects.filter(inspection=inspection).values_list("kind", flat=True)
    )
    order = _latest(inspection, pure.RECTIFICATION_ORDER) if findings else None
    order_due = False
    if order is not None:
        deadline = _date_or_none(order.facts.get("deadline"))
        reported = all(f.hazard.state in (hazard_wf.SUBMITTED, hazard_wf.CLOSED) for f in findings)
        order_due = reported or (deadline is not None and today >= deadline)
    return Situation(
        state=inspection.state, findings=len(findings), issued=issued, order_due=order_due
    )


def kinds_for(user: Any, inspection: Inspection) -> list[dict[str, Any]]:
    """Every kind the form issues with whether the user may issue it now and, if not, why
    (the penalty kinds are not the form's: the page offers to open a penalty instead)."""
    mine = may_issue(user, inspection)
    now = situation(inspection)
    out = []
    for kind in RULES:
        why = "" if mine else _("Only the inspection's inspectors or its departments' officers.")
        why = why or refusal(kind, now)
        out.append({"kind": kind, "title": pure.TITLES[kind], "allowed": not why, "why": why})
    return out


# --- form input --------------------------------------------------------------------------


def _text(errors: dict[str, list[str]], data: Mapping[str, Any], name: str, *, required=False):
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.setdefault(name, []).append(_("Enter text."))
        return ""
    value = value.strip()
    if required and not value:
        errors.setdefault(name, []).append(_("This field is required."))
    elif len(value) > TEXT_LIMIT:
        errors.setdefault(name, []).append(_("At most %(n)d characters.") % {"n": TEXT_LIMIT})
    return value


def _lines(errors: dict[str, list[str]], data: Mapping[str, Any], name: str, *, required=False):
    value = data.get(name)
    if isinstance(value, (list, tuple)):
        value = "\n".join(str(v) for v in value)
    text = _text(errors, {name: value}, name, required=required)
    lines = tuple(line.strip() for line in text.splitlines() if line.strip())
    if len(lines) > LINE_LIMIT:
        errors.setdefault(name, []).append(_("At most %(n)d lines.") % {"n": LINE_LIMIT})
    return lines


_CLAUSE = re.compile(r"^《(?P<law>[^》]+)》\s*(?P<article>\S.*)$")


def _clauses(
    errors: dict[str, list[str]], data: Mapping[str, Any], name: str, *, required=False
) -> tuple[pure.Clause, ...]:
    """One provision a line, written 《law》article: 《中华人民共和国安全生产法》第九十九条."""
    out = []
    for line in _lines(errors, data, name, required=required):
        match = _CLAUSE.match(line)
        if match is None:
            errors.setdefault(name, []).append(
                _("Write each provision on its own line as 《law》article.")
            )
            break
        out.append(pure.Clause(match["law"].strip(), match["article"].strip()))
    return tuple(out)


def _date_or_none(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _date(errors: dict[str, list[str]], data: Mapping[str, Any], name: str, *, required=False):
    value = data.get(name)
    if value in (None, ""):
        if required:
            errors.setdefault(name, []).append(_("This field is required."))
        return None
    day = _date_or_none(value)
    if day is None:
        errors.setdefault(name, []).append(_("Enter a valid date."))
    return day


def _flag(data: Mapping[str, Any], name: str) -> bool:
    return str(data.get(name) or "").lower() in ("1", "true", "on", "yes")


def _certificates(
    errors: dict[str, list[str]], data: Mapping[str, Any], people: Any
) -> tuple[pure.Inspector, ...]:
    """Each inspector's name with the 执法证号 typed for them (``certificates`` maps a user
    id to a number): a document names every inspector with their certificate. ``people``
    is an inspection (its inspectors) or the users themselves."""
    if isinstance(people, Inspection):
        people = people.inspectors.all()
    given = data.get("certificates") or {}
    if not isinstance(given, Mapping):
        errors.setdefault("certificates", []).append(_("Enter text."))
        return ()
    out = []
    for user in sorted(people, key=lambda u: u.pk):
        number = given.get(user.pk, given.get(str(user.pk), ""))
        number = number.strip() if isinstance(number, str) else ""
        if not number or len(number) > CERTIFICATE_LIMIT:
            errors.setdefault(f"certificate_{user.pk}", []).append(
                _("Enter the enforcement certificate number of %(name)s.") % {"name": user}
            )
            continue
        out.append(pure.Inspector(name=str(user), certificate=number))
    return tuple(out)


# --- facts -------------------------------------------------------------------------------


def _authority(department: Department) -> tuple[pure.Authority, Any]:
    issuer = department_issuer(department)
    return pure.Authority(name=issuer.name, short=issuer.short, appeal_to=issuer.appeal_to), issuer


def _party(inspection: Inspection) -> pure.Party:
    ent = inspection.enterprise
    return pure.Party(
        name=ent.name,
        uscc=ent.uscc,
        address=ent.address,
        representative=ent.legal_representative,
        phone=ent.principal_phone,
    )


def _finding_facts(findings: list[Finding]) -> tuple[pure.Finding, ...]:
    return tuple(
        pure.Finding(description=f.description, location=f.location, hazard_number=f.hazard.number)
        for f in findings
    )


def _kind_facts(
    kind: str,
    inspection: Inspection,
    data: Mapping[str, Any],
    errors: dict[str, list[str]],
    today: dt.date,
) -> dict[str, Any]:
    """The kind's own fields of its documents.py dataclass, from the inspection and form."""
    findings = _findings(inspection)
    record = _latest(inspection, pure.CHECK_RECORD)
    record_number = record.number if record else ""
    if kind == pure.CHECK_RECORD:
        representative = next(
            (s.name for s in inspection.signatures.all() if s.kind == SignerKind.REPRESENTATIVE),
            "",
        )
        started = inspection.started_at or timezone.now()
        return {
            "place": inspection.enterprise.address or inspection.enterprise.name,
            "started_at": timezone.localtime(started),
            "ended_at": timezone.localtime(inspection.concluded_at or started),
            "items": tuple(str(i.get("text", "")) for i in inspection.items if i.get("text")),
            "findings": _finding_facts(findings),
            "representative": representative,
            "note": _text(errors, data, "note") or inspection.conclusion,
        }
    if kind == pure.RECTIFICATION_ORDER:
        # The latest hazard deadline when the form leaves it out: the order covers them all.
        deadlines = [f.hazard.deadline for f in findings if f.hazard.deadline]
        deadline = _date(errors, data, "deadline") or (max(deadlines) if deadlines else None)
        if deadline is None:
            errors.setdefault("deadline", []).append(_("This field is required."))
        elif deadline < today:
            errors.setdefault("deadline", []).append(_("The deadline cannot be in the past."))
        return {
            "findings": _finding_facts(findings),
            "deadline": deadline,
            "basis": _clauses(errors, data, "basis") or DEFAULT_BASIS,
            "record_number": record_number,
            "requirement": _text(errors, data, "requirement"),
        }
    if kind == pure.ON_SITE_DECISION:
        return {
            "findings": _finding_facts(findings),
            "measures": _lines(errors, data, "measures", required=True),
            "basis": _clauses(errors, data, "basis") or DEFAULT_BASIS,
            "record_number": record_number,
            "lift_condition": _text(errors, data, "lift_condition"),
        }
    if kind == pure.REVIEW_OPINION:
        order = _latest(inspection, pure.RECTIFICATION_ORDER)
        fixed = data.get("fixed")
        fixed_ids = (
            {int(i) for i in fixed if str(i).isdigit()}
            if isinstance(fixed, (list, tuple, set))
            # Unsaid: what the hazard loop says (closed after the department's review).
            else {f.pk for f in findings if f.hazard.state == hazard_wf.CLOSED}
        )
        return {
            "order_number": order.number if order else "",
            "order_date": order.issued_on if order else today,
            "reviewed_on": _date(errors, data, "reviewed_on") or today,
            "results": tuple(
                pure.ReviewItem(finding=f.description, fixed=f.pk in fixed_ids) for f in findings
            ),
            "opinion": _text(errors, data, "opinion"),
        }
    raise ValueError(f"{kind} is not issued from an inspection's form")


FACT_TYPES: dict[str, type[pure.DocumentFacts]] = {
    pure.CHECK_RECORD: pure.CheckRecord,
    pure.RECTIFICATION_ORDER: pure.RectificationOrder,
    pure.ON_SITE_DECISION: pure.OnSiteDecision,
    pure.REVIEW_OPINION: pure.ReviewOpinion,
    pure.PENALTY_NOTICE: pure.PenaltyNotice,
    pure.PENALTY_DECISION: pure.PenaltyDecision,
}


def _as_json(facts: pure.DocumentFacts) -> dict[str, Any]:
    return json.loads(json.dumps(dataclasses.asdict(facts), ensure_ascii=False, default=str))


# --- numbering and storing ---------------------------------------------------------------


def _take_serial(department: Department, kind: str, year: int) -> int:
    """The next serial of the department's counter for the kind and year, locked until the
    transaction ends (as anjian.hazards.documents takes its numbers)."""
    key = {
        "issuer_kind": "department",
        "issuer_id": department.pk,
        "year": year,
        "kind": COUNTER_KIND.get(kind, kind),
    }
    counter = DocumentCounter.objects.select_for_update().filter(**key).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter = DocumentCounter.objects.create(**key, last=0)
        except IntegrityError:
            # Another issue created the counter first; wait for it.
            counter = DocumentCounter.objects.select_for_update().get(**key)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _issuing_department(user: Any, inspection: Inspection) -> Department:
    if user.role == Role.DEPARTMENT_OFFICER and user.department_id in services.department_ids(
        inspection
    ):
        return Department.objects.select_related("division").get(pk=user.department_id)
    return Department.objects.select_related("division").get(pk=inspection.lead_department_id)


def _load(actor: Actor, inspection_id: int) -> Inspection:
    if not services.visible_inspections(actor.user).filter(pk=inspection_id).exists():
        raise NotFound(_("No such inspection in your scope."))
    # Locked: two issues of one inspection queue, so the rules see each other's documents.
    Inspection.objects.select_for_update(of=("self",)).filter(pk=inspection_id).first()
    return (
        Inspection.objects.select_related("enterprise", "lead_department")
        .prefetch_related("inspectors", "participating_departments", "signatures")
        .get(pk=inspection_id)
    )


def _store(
    *,
    actor: Actor,
    kind: str,
    department: Department,
    enterprise_id: int,
    party: pure.Party,
    inspectors: tuple[pure.Inspector, ...],
    specific: Mapping[str, Any],
    issued_on: dt.date,
    inspection: Inspection | None = None,
    penalty: Penalty | None = None,
    corrects: EnforcementDocument | None = None,
    reason: str = "",
) -> EnforcementDocument:
    """Number (the department's locked counter for the kind and the issue year), build,
    store with the bytes' hash, and audit — inside the caller's transaction."""
    authority, _issuer = _authority(department)
    serial = _take_serial(department, kind, issued_on.year)
    number = pure.document_number(authority.short, kind, issued_on.year, serial)
    facts = FACT_TYPES[kind](
        authority=authority,
        party=party,
        issued_on=issued_on,
        number=number,
        inspectors=inspectors,
        corrects=pure.Correction(corrects.number, reason) if corrects else None,
        **specific,
    )
    built = pure.build(facts)
    document = EnforcementDocument(
        inspection=inspection,
        enterprise_id=enterprise_id,
        penalty=penalty,
        kind=kind,
        department=department,
        year=issued_on.year,
        serial=serial,
        number=number,
        issued_on=issued_on,
        issued_at=timezone.now(),
        issued_by=actor.user,
        sha256=built.sha256,
        size=len(built.content),
        facts=_as_json(facts),
        corrects=corrects,
        correction_reason=reason,
    )
    document.file.save("document.docx", ContentFile(built.content), save=False)
    document.save()
    audit_append(
        actor=actor,
        action="enforcement_document_correct" if corrects else "enforcement_document_issue",
        obj=document,
        summary=f"{built.title} {number}",
        changes={
            "inspection_id": inspection.pk if inspection else None,
            **({"penalty_id": penalty.pk} if penalty else {}),
            "kind": kind,
            "number": number,
            "sha256": built.sha256,
            "size": len(built.content),
            **({"corrects": corrects.number, "reason": reason} if corrects else {}),
        },
    )
    return document


def _issue(
    *,
    actor: Actor,
    inspection: Inspection,
    kind: str,
    data: Mapping[str, Any],
    corrects: EnforcementDocument | None = None,
    reason: str = "",
) -> EnforcementDocument:
    """An inspection's document: facts from the inspection and the form."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    inspectors = _certificates(errors, data, inspection)
    specific = _kind_facts(kind, inspection, data, errors, today)
    if errors:
        raise ValidationFailed(errors)
    document = _store(
        actor=actor,
        kind=kind,
        department=_issuing_department(actor.user, inspection),
        enterprise_id=inspection.enterprise_id,
        party=_party(inspection),
        inspectors=inspectors,
        specific=specific,
        issued_on=today,
        inspection=inspection,
        corrects=corrects,
        reason=reason,
    )
    if kind == pure.RECTIFICATION_ORDER:
        # The order's deadline binds the hazards it names (a correction's, its new one).
        hazard_services.hazard_order_deadline(
            actor=actor,
            hazard_ids=[f.hazard_id for f in _findings(inspection)],
            deadline=specific["deadline"],
            document_number=document.number,
        )
    return document


# --- the documents of an administrative penalty --------------------------------------------


def penalty_handlers(penalty: Penalty, user: Any) -> list[Any]:
    """Whom the penalty's documents name as its enforcement officers (执法人员): the
    inspectors of its inspection who serve in the deciding department, else the officer
    acting."""
    if penalty.inspection_id:
        people = [
            u
            for u in penalty.inspection.inspectors.all()
            if u.department_id == penalty.department_id
        ]
        if people:
            return sorted(people, key=lambda u: u.pk)
    return [user]


def _penalty_party(penalty: Penalty) -> pure.Party:
    ent = penalty.enterprise
    if penalty.subject_kind == penalty_rules.PERSON:
        # A fine on a responsible person: the person is the party, at their enterprise.
        return pure.Party(
            name=penalty.subject_name,
            address=ent.address,
            representative=ent.name,
            representative_title="所在单位",
        )
    return pure.Party(
        name=ent.name if penalty.subject_kind == penalty_rules.USCC else penalty.subject_name,
        uscc=ent.uscc,
        address=ent.address,
        representative=ent.legal_representative,
        phone=ent.principal_phone,
    )


def _violated(penalty: Penalty) -> tuple[pure.Clause, ...]:
    """The penalty's violated clauses (parsed keys) as the documents cite them."""
    out = []
    for clause in penalty.clauses:
        label = str(clause.get("label") or clause.get("text") or "")
        match = _CLAUSE.match(label)
        if match is not None:
            out.append(pure.Clause(match["law"].strip(), match["article"].strip()))
        else:
            out.append(pure.Clause(str(clause.get("law", "")), label))
    return tuple(out)


def proposed_text(penalty: Penalty) -> str:
    """The penalty in words, as the documents state it: the legal name of its kind; a fine's
    amount is added by the builder (罚款人民币贰万元整（¥20,000.00）)."""
    if penalty.kind in penalty_rules.FINE_KINDS:
        return ""
    return penalty_rules.LEGAL_NAMES.get(penalty.kind, "")


def latest_penalty_notice(penalty: Penalty) -> EnforcementDocument | None:
    return (
        EnforcementDocument.objects.filter(penalty=penalty, kind=pure.PENALTY_NOTICE)
        .order_by("-issued_at", "-pk")
        .first()
    )


def _clause_facts(raw: Any) -> tuple[pure.Clause, ...]:
    return tuple(
        pure.Clause(str(c.get("law", "")), str(c.get("article", "")), str(c.get("text", "")))
        for c in raw or ()
        if isinstance(c, Mapping)
    )


def penalty_document_issue(
    *,
    actor: Actor,
    penalty: Penalty,
    kind: str,
    data: Mapping[str, Any],
    issued_on: dt.date | None = None,
) -> EnforcementDocument:
    """The 行政处罚告知书 (kind PENALTY_NOTICE) or 行政处罚决定书 (PENALTY_DECISION) of a
    penalty on an enterprise, inside the caller's transaction (the penalty's step, its row
    locked): issued by the penalty's department, numbered, stored and audited like every
    enforcement document, and recorded with ``penalty``.

    Facts from the penalty: its description, violated clauses, kind and amount. From
    ``data``: ``certificates`` {user id: 执法证号} of penalty_handlers, ``evidence`` (lines),
    ``penalty_basis`` (one 《law》article a line), and optionally ``proposed`` / ``penalty``
    (the measure in words; default from the kind and amount), ``hearing``, ``statement``,
    ``payment``. A decision takes the latest notice's number and date, and its evidence,
    basis and officers when ``data`` leaves them out."""
    if kind not in PENALTY_KINDS:
        raise ValueError(f"{kind} is not a penalty document")
    if penalty.enterprise_id is None:
        raise ValueError("a penalty without an enterprise gets no document")
    errors: dict[str, list[str]] = {}
    notice = latest_penalty_notice(penalty) if kind == pure.PENALTY_DECISION else None
    prior = notice.facts if notice is not None else {}
    if prior.get("inspectors") and not data.get("certificates"):
        inspectors = tuple(
            pure.Inspector(name=str(i.get("name", "")), certificate=str(i.get("certificate", "")))
            for i in prior["inspectors"]
        )
    else:
        inspectors = _certificates(errors, data, penalty_handlers(penalty, actor.user))
    evidence = _lines(errors, data, "evidence", required=not prior.get("evidence"))
    basis = _clauses(errors, data, "penalty_basis", required=not prior.get("penalty_basis"))
    common: dict[str, Any] = {
        "facts": penalty.description,
        "evidence": evidence or tuple(prior.get("evidence") or ()),
        "violates": _violated(penalty),
        "penalty_basis": basis or _clause_facts(prior.get("penalty_basis")),
        "fine": penalty.amount if penalty.kind in penalty_rules.FINE_KINDS else None,
    }
    if kind == pure.PENALTY_NOTICE:
        specific = {
            **common,
            "proposed": _text(errors, data, "proposed") or proposed_text(penalty),
            "hearing": _flag(data, "hearing"),
        }
    else:
        specific = {
            **common,
            "penalty": _text(errors, data, "penalty") or proposed_text(penalty),
            "notice_number": notice.number if notice else "",
            "notice_date": notice.issued_on if notice else None,
            "statement": _text(errors, data, "statement"),
            "payment": _text(errors, data, "payment"),
        }
    if errors:
        raise ValidationFailed(errors)
    return _store(
        actor=actor,
        kind=kind,
        department=Department.objects.select_related("division").get(pk=penalty.department_id),
        enterprise_id=penalty.enterprise_id,
        party=_penalty_party(penalty),
        inspectors=inspectors,
        specific=specific,
        issued_on=issued_on or timezone.localdate(),
        inspection=penalty.inspection,
        penalty=penalty,
    )


# --- writes ------------------------------------------------------------------------------


def document_issue(
    *, actor: Actor, inspection_id: int, kind: str, data: Mapping[str, Any]
) -> EnforcementDocument:
    """Issue a document of ``kind`` for the inspection: ``data`` holds the form's input
    (``certificates`` {user id: 执法证号} and the kind's fields, RULES[kind].inputs).
    The two penalty kinds are refused (Conflict): the penalty issues them."""
    if kind not in RULES and kind not in PENALTY_KINDS:
        raise ValidationFailed({"kind": [_("Unknown document kind.")]})
    with transaction.atomic():
        inspection = _load(actor, inspection_id)
        if not may_issue(actor.user, inspection):
            raise Forbidden(
                _("Only the inspection's inspectors or its departments' officers issue documents.")
            )
        if kind in PENALTY_KINDS:
            raise Conflict(penalty_kind_refusal())
        why = refusal(kind, situation(inspection))
        if why:
            raise Conflict(why)
        return _issue(actor=actor, inspection=inspection, kind=kind, data=data)


def document_correct(
    *, actor: Actor, document_id: int, reason: Any, data: Mapping[str, Any]
) -> EnforcementDocument:
    """Issue a correction: a new document of the same kind and inspection, numbered anew,
    that names the old one and why; the old one is left exactly as issued. Only the newest
    of a chain is corrected (a second correction corrects the first one)."""
    errors: dict[str, list[str]] = {}
    reason = _text(errors, {"reason": reason}, "reason", required=True)
    with transaction.atomic():
        old = visible_documents(actor.user).filter(pk=document_id).first()
        if old is None or old.inspection_id is None:
            raise NotFound(_("No such document in your scope."))
        inspection = _load(actor, old.inspection_id)
        if not may_issue(actor.user, inspection):
            raise Forbidden(
                _("Only the inspection's inspectors or its departments' officers issue documents.")
            )
        if old.kind in PENALTY_KINDS or old.penalty_id is not None:
            raise Conflict(
                _("A document of an administrative penalty is not corrected from this form.")
            )
        if EnforcementDocument.objects.filter(corrects_id=old.pk).exists():
            raise Conflict(_("This document has already been corrected; correct the newest one."))
        if errors:
            raise ValidationFailed(errors)
        return _issue(
            actor=actor,
            inspection=inspection,
            kind=old.kind,
            data=data,
            corrects=old,
            reason=reason,
        )


def document_content(*, actor: Actor, document: EnforcementDocument) -> bytes:
    """The stored bytes of a document already known to be in scope, after checking them
    against the hash recorded at issue. A mismatch or a missing file is recorded in the
    audit trail and raised as IntegrityFailed; the bytes are never handed out then."""
    try:
        with document.file.open("rb") as handle:
            content = handle.read()
    except (FileNotFoundError, OSError, ValueError):
        content = None
    digest = hashlib.sha256(content).hexdigest() if content is not None else ""
    if digest != document.sha256 or (content is not None and len(content) != document.size):
        audit_append(
            actor=actor,
            action="enforcement_document_integrity",
            obj=document,
            summary=f"{document.number}: stored bytes do not match the hash recorded at issue",
            changes={"expected": document.sha256, "found": digest or None},
        )
        raise IntegrityFailed(document.number)
    audit_append(
        actor=actor,
        action="enforcement_document_download",
        obj=document,
        summary=document.number,
        changes={"sha256": digest},
    )
    return content


__all__ = [
    "GUARDS",
    "PENALTY_KINDS",
    "RULES",
    "IntegrityFailed",
    "Rule",
    "Situation",
    "allowed",
    "document_content",
    "document_correct",
    "document_issue",
    "kinds_for",
    "latest_penalty_notice",
    "may_issue",
    "penalty_document_issue",
    "penalty_handlers",
    "penalty_kind_refusal",
    "proposed_text",
    "refusal",
    "situation",
    "visible_documents",
]

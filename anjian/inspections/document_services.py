"""Issuing enforcement documents from inspections (issue 12 item 8): `document_issue`,
`document_correct`, and `document_content` for downloads.

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
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.hazards import workflow as hazard_wf
from anjian.hazards.documents import ORDER as HAZARD_ORDER
from anjian.hazards.documents import department_issuer
from anjian.hazards.models import DocumentCounter
from anjian.registry.models import Department

from . import documents as pure
from . import services
from . import workflow as wf
from .document_models import EnforcementDocument
from .models import Finding, Inspection, SignerKind

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
    "notice_issued": lambda s: pure.PENALTY_NOTICE in s.issued,
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
    # Penalty facts come from the form until the penalties app calls this service.
    pure.PENALTY_NOTICE: Rule(
        _AFTER, "findings", ("facts", "evidence", "violates", "penalty_basis", "proposed")
    ),
    pure.PENALTY_DECISION: Rule(
        _AFTER, "notice_issued", ("facts", "evidence", "violates", "penalty_basis", "penalty")
    ),
}


def allowed(kind: str, situation: Situation) -> bool:
    rule = RULES[kind]
    return situation.state in rule.states and GUARDS[rule.guard](situation)


def refusal(kind: str, situation: Situation) -> str:
    """Why the kind may not be issued now ("" when it may)."""
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
            "notice_issued": _(
                "A penalty decision follows a notice of administrative penalty to the party."
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
    """Every kind with whether the user may issue it now and, if not, why."""
    mine = may_issue(user, inspection)
    now = situation(inspection)
    out = []
    for kind in pure.KINDS:
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


def _fine(errors: dict[str, list[str]], data: Mapping[str, Any]) -> Decimal | None:
    value = data.get("fine")
    if value in (None, ""):
        return None
    try:
        fine = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors.setdefault("fine", []).append(_("Enter a number."))
        return None
    if not fine.is_finite() or fine < 0 or fine >= Decimal("1e12"):
        errors.setdefault("fine", []).append(_("Out of range."))
        return None
    return fine


def _flag(data: Mapping[str, Any], name: str) -> bool:
    return str(data.get(name) or "").lower() in ("1", "true", "on", "yes")


def _certificates(
    errors: dict[str, list[str]], data: Mapping[str, Any], inspection: Inspection
) -> tuple[pure.Inspector, ...]:
    """Each inspector's name with the 执法证号 typed for them (``certificates`` maps a user
    id to a number): a document names every inspector with their certificate."""
    given = data.get("certificates") or {}
    if not isinstance(given, Mapping):
        errors.setdefault("certificates", []).append(_("Enter text."))
        return ()
    out = []
    for user in sorted(inspection.inspectors.all(), key=lambda u: u.pk):
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
    common = {
        "facts": _text(errors, data, "facts", required=True),
        "evidence": _lines(errors, data, "evidence", required=True),
        "violates": _clauses(errors, data, "violates", required=True),
        "penalty_basis": _clauses(errors, data, "penalty_basis", required=True),
        "fine": _fine(errors, data),
    }
    if kind == pure.PENALTY_NOTICE:
        return {
            **common,
            "proposed": _text(errors, data, "proposed", required=True),
            "hearing": _flag(data, "hearing"),
        }
    notice = _latest(inspection, pure.PENALTY_NOTICE)
    return {
        **common,
        "penalty": _text(errors, data, "penalty", required=True),
        "notice_number": notice.number if notice else "",
        "notice_date": notice.issued_on if notice else None,
        "statement": _text(errors, data, "statement"),
        "payment": _text(errors, data, "payment"),
    }


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


def _issue(
    *,
    actor: Actor,
    inspection: Inspection,
    kind: str,
    data: Mapping[str, Any],
    corrects: EnforcementDocument | None = None,
    reason: str = "",
) -> EnforcementDocument:
    """Build, number and store (inside the caller's transaction)."""
    user = actor.user
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    inspectors = _certificates(errors, data, inspection)
    specific = _kind_facts(kind, inspection, data, errors, today)
    if errors:
        raise ValidationFailed(errors)
    department = _issuing_department(user, inspection)
    authority, _issuer = _authority(department)
    serial = _take_serial(department, kind, today.year)
    number = pure.document_number(authority.short, kind, today.year, serial)
    facts = FACT_TYPES[kind](
        authority=authority,
        party=_party(inspection),
        issued_on=today,
        number=number,
        inspectors=inspectors,
        corrects=pure.Correction(corrects.number, reason) if corrects else None,
        **specific,
    )
    built = pure.build(facts)
    document = EnforcementDocument(
        inspection=inspection,
        enterprise_id=inspection.enterprise_id,
        kind=kind,
        department=department,
        year=today.year,
        serial=serial,
        number=number,
        issued_on=today,
        issued_at=timezone.now(),
        issued_by=user,
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
            "inspection_id": inspection.pk,
            "kind": kind,
            "number": number,
            "sha256": built.sha256,
            "size": len(built.content),
            **({"corrects": corrects.number, "reason": reason} if corrects else {}),
        },
    )
    return document


# --- writes ------------------------------------------------------------------------------


def document_issue(
    *, actor: Actor, inspection_id: int, kind: str, data: Mapping[str, Any]
) -> EnforcementDocument:
    """Issue a document of ``kind`` for the inspection: ``data`` holds the form's input
    (``certificates`` {user id: 执法证号} and the kind's fields, RULES[kind].inputs)."""
    if kind not in RULES:
        raise ValidationFailed({"kind": [_("Unknown document kind.")]})
    with transaction.atomic():
        inspection = _load(actor, inspection_id)
        if not may_issue(actor.user, inspection):
            raise Forbidden(
                _("Only the inspection's inspectors or its departments' officers issue documents.")
            )
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
    "RULES",
    "IntegrityFailed",
    "Rule",
    "Situation",
    "allowed",
    "document_content",
    "document_correct",
    "document_issue",
    "kinds_for",
    "may_issue",
    "refusal",
    "situation",
    "visible_documents",
]

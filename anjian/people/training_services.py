"""Training records and certificates (issue 15 item 5): writes, the compliance table and
the certificate warnings.

Rules are pure in anjian.people.training_rules (hours of 第3号令, certificate dates and
status of 第30号令) and anjian.people.idcard (the number check). Training and
certificates are kept by the enterprise's principal and safety officers; regulators read
(anjian.core.scoping.visible).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.registry.models import Enterprise

from . import idcard
from . import training_rules as rules
from .models import (
    Certificate,
    CertificateKind,
    CertificateState,
    TrainingKind,
    TrainingRecord,
    Worker,
)
from .worker_services import id_problem_messages, may_keep, visible_workers

CATALOGUE = Path(__file__).resolve().parent / "data" / "special_work_categories.json"
NOTICE_DAYS = 30  # warnings 30 days ahead (the brief's figure; local policy)


@cache
def catalogue() -> dict[str, list[str]]:
    """特种作业目录: category name → item names, in the 目录's order."""
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return {c["name"]: [i["name"] for i in c["items"]] for c in data["categories"]}


def qualification_years() -> int:
    """Validity of the principal's / safety manager's 考核合格 proof: UNCONFIRMED default."""
    return int(
        getattr(settings, "ANJIAN_QUALIFICATION_VALID_YEARS", rules.QUALIFICATION_VALID_YEARS)
    )


def notice_days() -> int:
    return int(getattr(settings, "ANJIAN_CERTIFICATE_NOTICE_DAYS", NOTICE_DAYS))


# --- small parsing helpers -------------------------------------------------------------------


def _text(data: Mapping[str, Any], name: str, limit: int, errors: dict, required=False) -> str:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        errors[name] = [_("Enter text.")]
        return ""
    text = (value or "").strip()
    if required and not text:
        errors[name] = [_("This field is required.")]
    elif len(text) > limit:
        errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
    return text


def _date(data: Mapping[str, Any], name: str, errors: dict, required=False) -> dt.date | None:
    value = data.get(name)
    if value in (None, ""):
        if required:
            errors[name] = [_("This field is required.")]
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[name] = [_("Enter a date as YYYY-MM-DD.")]
        return None


def _bool(data: Mapping[str, Any], name: str, default: bool, errors: dict) -> bool:
    value = data.get(name, default)
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        return value
    if str(value).strip().lower() in ("1", "true", "on", "yes", "是"):
        return True
    if str(value).strip().lower() in ("0", "false", "off", "no", "否"):
        return False
    errors[name] = [_("Enter yes or no.")]
    return default


def _unknown(data: Mapping[str, Any], allowed: set[str], errors: dict) -> None:
    for name in sorted(set(data) - allowed):
        errors[name] = [_("Unknown field.")]


def _worker_for_write(actor: Actor, worker_id: Any) -> Worker:
    try:
        pk = int(worker_id)
    except (TypeError, ValueError):
        pk = 0
    worker = visible_workers(actor.user).filter(pk=pk).first() if pk > 0 else None
    if worker is None:
        raise NotFound(_("No such worker in your scope."))
    if not may_keep(actor.user, worker.enterprise_id):
        raise Forbidden(_("Only the enterprise's principal or safety officer keeps its records."))
    # Lock the worker: two imports or forms at once see each other's rows.
    return Worker.objects.select_for_update().get(pk=worker.pk)


# --- training ----------------------------------------------------------------------------------

TRAINING_FIELDS = {"worker", "kind", "title", "hours", "held_on", "provider", "passed"}


def training_clean(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    _unknown(data, TRAINING_FIELDS, errors)
    values: dict[str, Any] = {}
    kind = data.get("kind")
    if kind not in TrainingKind.values:
        errors["kind"] = [_("Choose a training type.")]
    values["kind"] = kind
    values["title"] = _text(data, "title", 200, errors, required=True)
    values["provider"] = _text(data, "provider", 120, errors)
    raw = data.get("hours")
    try:
        hours = (
            Decimal(str(raw).strip())
            if raw not in (None, "") and not isinstance(raw, bool)
            else None
        )
    except InvalidOperation:
        hours = None
    if hours is None or not hours.is_finite():
        errors["hours"] = [_("Enter the hours as a number.")]
    elif hours <= 0 or hours > 1000 or hours != hours.quantize(Decimal("0.1")):
        errors["hours"] = [_("Hours between 0.1 and 1000, one decimal at most.")]
    values["hours"] = hours
    held = _date(data, "held_on", errors, required=True)
    if held and held > timezone.localdate():
        errors["held_on"] = [_("The date is in the future.")]
    values["held_on"] = held
    values["passed"] = _bool(data, "passed", True, errors)
    return values, errors


def training_create(*, actor: Actor, worker_id: Any, data: Mapping[str, Any]) -> TrainingRecord:
    """Record one course a worker attended."""
    with transaction.atomic():
        worker = _worker_for_write(actor, worker_id)
        values, errors = training_clean({k: v for k, v in data.items() if k != "worker"})
        if errors:
            raise ValidationFailed(errors)
        record = TrainingRecord.objects.create(worker=worker, created_by=actor.user, **values)
        audit_append(
            actor=actor,
            action="create",
            obj=record,
            summary=_("Training of %(name)s: %(title)s")
            % {"name": worker.name, "title": record.title},
            changes={
                "worker": worker.pk,
                **{k: str(v) if not isinstance(v, bool) else v for k, v in values.items()},
            },
        )
        # A passed course earns safety points (anjian.people.points_rules), in the same
        # transaction, once per record.
        from .points_services import points_for_training

        points_for_training(record)
    return record


# --- certificates ------------------------------------------------------------------------------

CERTIFICATE_FIELDS = {
    "worker",
    "kind",
    "category",
    "item",
    "number",
    "issuer",
    "issued_on",
    "expires_on",
    "review_due",
    "reviewed_on",
    "extended_review",
}


def certificate_clean(
    data: Mapping[str, Any], worker: Worker | None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The certificate's values and every problem. Dates left blank are computed: a
    特种作业操作证 is valid 6 years, reviewed every 3 (`extended_review`: the 6-year review
    with the issuer's consent, 第二十一条); a 考核合格 proof `qualification_years()`."""
    errors: dict[str, list[str]] = {}
    _unknown(data, CERTIFICATE_FIELDS, errors)
    values: dict[str, Any] = {}
    kind = data.get("kind")
    if kind not in CertificateKind.values:
        errors["kind"] = [_("Choose a certificate type.")]
    values["kind"] = kind
    category = _text(data, "category", 64, errors)
    item = _text(data, "item", 64, errors)
    number = _text(data, "number", 32, errors, required=True)
    values["issuer"] = _text(data, "issuer", 120, errors)
    issued = _date(data, "issued_on", errors, required=True)
    expires = _date(data, "expires_on", errors)
    review = _date(data, "review_due", errors)
    values["reviewed_on"] = _date(data, "reviewed_on", errors)
    extended = _bool(data, "extended_review", False, errors)
    today = timezone.localdate()
    if issued and issued > today:
        errors["issued_on"] = [_("The date is in the future.")]
    if kind == CertificateKind.SPECIAL_WORK:
        items = catalogue()
        if category not in items:
            errors["category"] = [_("Choose a category of the special work catalogue.")]
        elif items[category] and item not in items[category]:
            errors["item"] = [_("Choose an item of this category.")]
        elif not items[category] and not item:
            errors["item"] = [_("This field is required.")]
        number = idcard.normalise(number)
        if number:
            codes = rules.special_work_number_problems(
                number, worker.id_number if worker else "", idcard.problems
            )
            if codes:
                errors["number"] = id_problem_messages(codes)
        if issued:
            default_expiry, default_review = rules.special_work_dates(
                issued, extended_review=extended
            )
            expires = expires or default_expiry
            if review is None and not extended:
                review = default_review
    elif kind in CertificateKind.values:
        category, item = "", ""
        if issued and expires is None:
            expires = rules.qualification_expiry(issued, qualification_years())
    if issued and expires and expires < issued:
        errors["expires_on"] = [_("The end of validity is before the issue date.")]
    if review and expires and review > expires:
        errors["review_due"] = [_("The review date is after the end of validity.")]
    if review and issued and review < issued:
        errors["review_due"] = [_("The review date is before the issue date.")]
    values.update(
        category=category,
        item=item,
        number=number,
        issued_on=issued,
        expires_on=expires,
        review_due=review,
    )
    return values, errors


def _duplicate(values: Mapping[str, Any]) -> bool:
    return Certificate.objects.filter(
        kind=values["kind"],
        category=values["category"],
        item=values["item"],
        number=values["number"],
    ).exists()


def certificate_create(*, actor: Actor, worker_id: Any, data: Mapping[str, Any]) -> Certificate:
    """Record a certificate a worker holds."""
    try:
        with transaction.atomic():
            worker = _worker_for_write(actor, worker_id)
            values, errors = certificate_clean(
                {k: v for k, v in data.items() if k != "worker"}, worker
            )
            if not errors and _duplicate(values):
                errors["number"] = [_("This certificate is recorded already.")]
            if errors:
                raise ValidationFailed(errors)
            cert = Certificate.objects.create(worker=worker, **values)
            audit_append(
                actor=actor,
                action="create",
                obj=cert,
                summary=_("Certificate of %(name)s") % {"name": worker.name},
                changes={
                    "worker": worker.pk,
                    **{
                        k: (idcard.mask(v) if k == "number" else v)
                        for k, v in values.items()
                        if v not in (None, "")
                    },
                },
            )
    except IntegrityError as exc:
        raise ValidationFailed({"number": [_("This certificate is recorded already.")]}) from exc
    return cert


def _certificate_for_write(actor: Actor, certificate_id: Any) -> Certificate:
    try:
        pk = int(certificate_id)
    except (TypeError, ValueError):
        pk = 0
    found = scoping.visible(actor.user, Certificate).filter(pk=pk).first() if pk > 0 else None
    if found is None:
        raise NotFound(_("No such certificate in your scope."))
    cert = Certificate.objects.select_for_update().select_related("worker").get(pk=pk)
    if not may_keep(actor.user, cert.worker.enterprise_id):
        raise Forbidden(_("Only the enterprise's principal or safety officer keeps its records."))
    return cert


def certificate_revoke(*, actor: Actor, certificate_id: Any, reason: str) -> Certificate:
    """Mark a certificate revoked (撤销/注销); kept, never deleted."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("This field is required.")]})
    with transaction.atomic():
        cert = _certificate_for_write(actor, certificate_id)
        if cert.state == CertificateState.REVOKED:
            raise Conflict(_("The certificate is revoked already."))
        cert.state = CertificateState.REVOKED
        cert.save(update_fields=["state"])
        audit_append(
            actor=actor,
            action="revoke",
            obj=cert,
            summary=_("Certificate of %(name)s revoked") % {"name": cert.worker.name},
            changes={"state": [CertificateState.VALID, CertificateState.REVOKED], "reason": reason},
        )
    return cert


def _review_messages() -> dict[str, tuple[str, str]]:
    return {
        "revoked": ("reviewed_on", _("The certificate is revoked: there is nothing to review.")),
        "none_due": (
            "reviewed_on",
            _("No review is due on this certificate: renew it before it expires."),
        ),
        "future": ("reviewed_on", _("The review date cannot be in the future.")),
        "lapsed": (
            "reviewed_on",
            _(
                "The review fell due before this date: a certificate not reviewed in time is "
                "invalid (SAWS Decree 30, article 26); record a new certificate instead."
            ),
        ),
        "too_early": (
            "reviewed_on",
            _("A review is applied for within the 60 days before it falls due."),
        ),
    }


REVIEW_FIELDS = {"reviewed_on", "passed", "note"}


def certificate_review(
    *, actor: Actor, certificate_id: Any, data: Mapping[str, Any]
) -> Certificate:
    """Record a special-work certificate's review (复审, 第30号令 第二十一条 to 第二十六条):
    passed, the next review falls 3 years on (none when the certificate expires first);
    failed, the certificate is invalid from then on (kept, marked revoked, with why)."""
    errors: dict[str, list[str]] = {}
    _unknown(data, REVIEW_FIELDS, errors)
    reviewed_on = _date(data, "reviewed_on", errors, required=True)
    if data.get("passed") in (None, ""):
        errors["passed"] = [_("This field is required.")]
    passed = _bool(data, "passed", True, errors)
    note = _text(data, "note", 200, errors)
    if not passed and not note:
        errors.setdefault("note", []).append(_("Say why the review was not passed."))
    with transaction.atomic():
        cert = _certificate_for_write(actor, certificate_id)
        if reviewed_on is not None:
            for code in rules.review_problems(
                cert.review_due, cert.expires_on, cert.state, reviewed_on, timezone.localdate()
            ):
                field, message = _review_messages()[code]
                errors.setdefault(field, []).append(message)
        if errors:
            raise ValidationFailed(errors)
        assert reviewed_on is not None and cert.review_due is not None
        before = {"review_due": cert.review_due.isoformat(), "state": cert.state}
        cert.reviewed_on = reviewed_on
        if passed:
            cert.review_due = rules.next_review_due(cert.review_due, cert.expires_on)
            summary = _("Certificate of %(name)s reviewed") % {"name": cert.worker.name}
        else:
            cert.state = CertificateState.REVOKED
            summary = _("Certificate of %(name)s failed its review") % {"name": cert.worker.name}
        cert.save(update_fields=["reviewed_on", "review_due", "state"])
        audit_append(
            actor=actor,
            action="review",
            obj=cert,
            summary=summary,
            changes={
                "reviewed_on": reviewed_on.isoformat(),
                "passed": passed,
                "review_due": [
                    before["review_due"],
                    cert.review_due.isoformat() if cert.review_due else None,
                ],
                "state": [before["state"], cert.state],
                **({"note": note} if note else {}),
            },
        )
    return cert


def status_of(cert: Certificate, today: dt.date | None = None) -> str:
    return rules.certificate_status(
        cert.expires_on, cert.review_due, cert.state, today or timezone.localdate()
    )


def visible_certificates(user: Any) -> QuerySet[Certificate]:
    return scoping.visible(user, Certificate)


def with_next_date(qs: QuerySet[Certificate]) -> QuerySet[Certificate]:
    """`next_date`: the earlier of the review date and the end of validity; the lists put
    the nearest (expired, then expiring) first and the revoked last."""
    return qs.annotate(
        next_date=Case(
            When(review_due__isnull=False, review_due__lt=F("expires_on"), then=F("review_due")),
            default=F("expires_on"),
        ),
        revoked_last=Case(When(state=CertificateState.REVOKED, then=1), default=0),
    ).order_by("revoked_last", "next_date", "pk")


def status_filter(qs: QuerySet[Certificate], status: str, today: dt.date) -> QuerySet[Certificate]:
    """The rows whose certificate_status is `status` (the same rule in SQL)."""
    revoked = Q(state=CertificateState.REVOKED)
    expired = ~revoked & (Q(expires_on__lt=today) | Q(review_due__lt=today))
    window = today + dt.timedelta(days=rules.REVIEW_WINDOW_DAYS)
    review = ~revoked & ~expired & Q(review_due__isnull=False, review_due__lte=window)
    if status == rules.REVOKED:
        return qs.filter(revoked)
    if status == rules.EXPIRED:
        return qs.filter(expired)
    if status == rules.REVIEW_DUE:
        return qs.filter(review)
    if status == rules.VALID:
        return qs.exclude(revoked).exclude(expired).exclude(review)
    return qs


def expiring_filter(qs: QuerySet[Certificate], today: dt.date, days: int) -> QuerySet[Certificate]:
    """Certificates not revoked whose end of validity or review falls within `days` (or
    has passed): what the warnings list shows."""
    horizon = today + dt.timedelta(days=days)
    return qs.exclude(state=CertificateState.REVOKED).filter(
        Q(expires_on__lte=horizon) | Q(review_due__lte=horizon), worker__active=True
    )


# --- compliance --------------------------------------------------------------------------------


def manager_role(worker: Worker) -> str:
    """principal / safety_manager when the worker is the enterprise's principal or a
    safety officer (by the linked account's role), else ""."""
    user = worker.user
    if user is None:
        return ""
    if user.role == Role.ENTERPRISE_PRINCIPAL:
        return "principal"
    if user.role == Role.ENTERPRISE_SAFETY_OFFICER:
        return "safety_manager"
    return ""


@dataclass(frozen=True)
class WorkerCompliance:
    worker: Worker
    result: rules.Compliance


def worker_compliance(
    workers: list[Worker], *, industry_code: str | None, year: int
) -> list[WorkerCompliance]:
    """`workers` with their trainings prefetched (`trainings`) and `user` selected."""
    out = []
    for w in workers:
        courses = [rules.Course(t.kind, t.hours, t.held_on, t.passed) for t in w.trainings.all()]
        out.append(
            WorkerCompliance(
                w,
                rules.training_compliance(
                    courses, industry_code=industry_code, year=year, manager_role=manager_role(w)
                ),
            )
        )
    return out


def enterprise_compliance(user: Any, enterprise_id: int, year: int) -> list[WorkerCompliance]:
    """The compliance table of one enterprise in the user's scope (NotFound outside)."""
    enterprise = (
        scoping.visible_enterprises(user)
        .select_related("industry")
        .filter(pk=enterprise_id)
        .first()
    )
    if enterprise is None:
        raise NotFound(_("No such enterprise in your scope."))
    workers = list(
        visible_workers(user)
        .filter(enterprise_id=enterprise_id, active=True)
        .select_related("user")
        .prefetch_related("trainings")
        .order_by("name", "pk")
    )
    code = enterprise.industry.code if enterprise.industry_id else None
    return worker_compliance(workers, industry_code=code, year=year)


@dataclass(frozen=True)
class EnterpriseSummary:
    enterprise: Enterprise
    workers: int
    compliant: int
    induction_incomplete: int
    annual_short: int


def scope_compliance(user: Any, year: int) -> list[EnterpriseSummary]:
    """Per enterprise in scope with workers: how many comply (for regulators)."""
    workers = list(
        visible_workers(user)
        .filter(active=True)
        .select_related("user", "enterprise", "enterprise__industry")
        .prefetch_related("trainings")
        .order_by("enterprise__name", "enterprise_id", "pk")
    )
    by_enterprise: dict[int, list[Worker]] = {}
    for w in workers:
        by_enterprise.setdefault(w.enterprise_id, []).append(w)
    out = []
    for rows in by_enterprise.values():
        enterprise = rows[0].enterprise
        code = enterprise.industry.code if enterprise.industry_id else None
        results = worker_compliance(rows, industry_code=code, year=year)
        out.append(
            EnterpriseSummary(
                enterprise,
                len(results),
                sum(r.result.compliant for r in results),
                sum("induction" in r.result.problems for r in results),
                sum("annual" in r.result.problems for r in results),
            )
        )
    return out

"""Writes and reads of whistleblower reports (issue 15 item 1; standards.md A9).

The public side has no account: `report_submit` (rate limits and spam checks per sender,
a keyed hash of the address, never the address), `report_track` (tracking code and secret),
`report_answer` and `report_identify`. The handler side (`report_triage`,
`report_mark_duplicate`, `report_verify`, `report_conclude`, `report_reward`, `report_pay`,
`report_extend`, `report_message`) follows report_workflow's table; `identity_reveal` is the
only way to read an identity and records every attempt.

Each handler step, in one transaction: the report must be in the actor's scope (else
NotFound), it is locked, a wrong state is a Conflict, a wrong party Forbidden; then the
change, a ReportEvent (never edited) and an audit entry — none of which ever carries the
reporter's identity (A9: staff may not disclose it; the national verbatim is UNCONFIRMED).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role, User
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from anjian.core.inputs import clean_text
from anjian.core.notify import notify
from anjian.core.uploads import UploadPolicy, errors_of, inspect_upload, store
from anjian.registry.models import Department, Division, Enterprise

from . import crypto
from . import report_rules as rules
from . import report_workflow as wf
from .models import (
    Conclusion,
    IdentityAccess,
    Matter,
    Report,
    ReportEvent,
    ReportMessage,
    ReportPhoto,
)

TEXT_LIMIT = 4000
MAX_PHOTOS = 6
PHOTO_POLICY = UploadPolicy(
    types=("JPEG", "PNG", "WEBP"), max_bytes=10 * 1024 * 1024, reencode=True
)
TRACK_FAILURES_PER_HOUR = 10
PERMISSION = "public.read_reporter_identity"
IDENTITY_LIMITS = {"name": 50, "phone": 30, "id_number": 30, "address": 200}
HANDLER_ROLES = frozenset({Role.COORDINATOR, Role.DEPARTMENT_OFFICER})


class RateLimited(ServiceError):
    """Too many requests from one sender: answered 429."""


# --- labels --------------------------------------------------------------------------------


def action_labels() -> dict[str, str]:
    return {
        wf.SUBMIT: _("report received"),
        wf.TRIAGE: _("assign the handling department"),
        wf.MARK_DUPLICATE: _("mark as duplicate"),
        wf.VERIFY: _("verify (link a hazard, inspection or accident)"),
        wf.CONCLUDE: _("conclude"),
        wf.REWARD: _("decide the reward"),
        wf.PAY: _("record the payment"),
        wf.EXTEND: _("extend the deadline"),
        wf.MESSAGE: _("ask the reporter"),
        wf.ANSWER: _("reporter answered"),
        wf.IDENTIFY: _("reporter gave a name"),
        wf.REVEAL: _("identity read"),
        wf.REMIND: _("deadline reminder"),
        wf.OVERDUE: _("overdue"),
    }


def public_state_text(report: Report) -> str:
    """The state in plain words for the reporter."""
    return {
        wf.RECEIVED: _("Your report has been received and is waiting to be assigned."),
        wf.TRIAGED: _("Your report has been assigned to a department for handling."),
        wf.DUPLICATE: _("The same matter was reported earlier and is handled under that report."),
        wf.VERIFYING: _("The department is verifying what you reported."),
        wf.CONCLUDED: _("The handling is concluded."),
        wf.REWARD_DECIDED: _("The handling is concluded and a reward has been decided."),
        wf.PAID: _("The handling is concluded and the reward has been paid."),
    }.get(report.state, "")


# --- helpers -------------------------------------------------------------------------------


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _public_actor() -> Actor:
    return Actor.system("web", "public-portal")


def sender_hash(address: str | None) -> str:
    return rules.source_hash(address, f"{settings.SECRET_KEY}:report-source")


def townships() -> QuerySet[Division]:
    """Where a report may be placed: the townships of the jurisdiction."""
    return Division.objects.filter(level="township").order_by("code")


def _ancestor_ids(division: Division) -> list[int]:
    out, node, seen = [], division, set()
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        out.append(node.pk)
        node = node.parent
    return out


def handlers_of(report: Report) -> list[User]:
    """Who is told about the report: the handling department's officers, else the
    coordinators above the report's division."""
    if report.department_id:
        return list(
            User.objects.filter(
                role=Role.DEPARTMENT_OFFICER, department_id=report.department_id, is_active=True
            )
        )
    return list(
        User.objects.filter(
            role=Role.COORDINATOR, division_id__in=_ancestor_ids(report.division), is_active=True
        )
    )


def _link(report: Report) -> str:
    return reverse("public:report-detail", args=[report.pk])


def _notify_later(report: Report, kind: str, title: str) -> None:
    recipients = handlers_of(report)
    # Regulators' notifications name the report by its number: the tracking code is the
    # reporter's (and a run of Latin letters the Chinese UI would show as such).
    label = _("report no. %(n)s") % {"n": report.pk}
    link = _link(report)
    transaction.on_commit(
        lambda: notify(recipients=recipients, kind=kind, title=title, link=link, object_label=label)
    )


def _event(actor: Actor, report: Report, action: str, note: str = "", **data: Any) -> None:
    ReportEvent.objects.create(report=report, action=action, actor=actor.user, note=note, data=data)


def _audit(
    actor: Actor, report: Report, action: str, changes: dict[str, Any] | None = None
) -> None:
    audit_append(
        actor=actor,
        action=f"report_{action}",
        obj=report,
        summary=f"report {report.pk} {action}",
        changes=changes or {},
    )


# --- reading -------------------------------------------------------------------------------


def visible_reports(user: Any) -> QuerySet[Report]:
    return scoping.visible(user, Report)


def may_handle(user: Any, report: Report) -> bool:
    """Coordinators in scope; department officers in scope — once a department is
    assigned, only its officers."""
    if not (scoping.is_active_user(user) and user.role in HANDLER_ROLES and user.division_id):
        return False
    if report.division_id not in scoping.subtree_ids(user.division):
        return False
    if user.role == Role.DEPARTMENT_OFFICER and report.department_id:
        return user.department_id == report.department_id
    return True


def facts(report: Report) -> wf.Facts:
    return wf.Facts(
        extended=report.extended,
        substantiated=report.conclusion == Conclusion.SUBSTANTIATED,
        rewardable_matter=report.matter in wf.REWARDED_MATTERS,
    )


def available(user: Any, report: Report) -> list[str]:
    return wf.available(report.state, facts(report)) if may_handle(user, report) else []


def may_reveal(user: Any) -> bool:
    return bool(scoping.is_active_user(user) and user.has_perm(PERMISSION))


def is_overdue(report: Report, today: dt.date | None = None) -> bool:
    return rules.is_overdue(
        report.due_on, today or timezone.localdate(), report.state in wf.OPEN_STATES
    )


def likely_duplicates(user: Any, report: Report, limit: int = 5) -> list[Report]:
    """Earlier reports in scope about the same unit (or, without one, the same division)
    whose content is alike (rapidfuzz)."""
    place = (
        Q(enterprise_id=report.enterprise_id)
        if report.enterprise_id
        else Q(division_id=report.division_id)
    )
    candidates = (
        visible_reports(user)
        .filter(place, received_at__lte=report.received_at)
        .exclude(pk=report.pk)
        .order_by("-received_at")[:500]
    )
    scored = [
        (rules.likeness(report.content, c.content), c)
        for c in candidates
        if rules.is_likely_duplicate(report.content, c.content, same_place=True)
    ]
    scored.sort(key=lambda pair: -pair[0])
    return [c for _s, c in scored[:limit]]


# --- the public side -----------------------------------------------------------------------


def _check_rate(source: str, now: dt.datetime) -> None:
    hour = Report.objects.filter(source_hash=source, received_at__gte=now - dt.timedelta(hours=1))
    day = Report.objects.filter(source_hash=source, received_at__gte=now - dt.timedelta(days=1))
    if (
        hour.count() >= settings.ANJIAN_REPORT_LIMIT_HOUR
        or day.count() >= settings.ANJIAN_REPORT_LIMIT_DAY
    ):
        raise RateLimited(_("Too many reports from this connection. Please try again later."))


def _clean_identity(errors: dict[str, list[str]], data: dict[str, Any]) -> dict[str, str]:
    out = {}
    for name, limit in IDENTITY_LIMITS.items():
        out[name] = clean_text(errors, data.get(name), name, limit=limit)
    if not out["name"]:
        _add(errors, "name", _("Give your name, or choose to report anonymously."))
    if not out["phone"]:
        _add(errors, "phone", _("Give a phone number we can reach you at."))
    return out


def _match_enterprise(text: str) -> Enterprise | None:
    if not text:
        return None
    return Enterprise.objects.filter(Q(name=text) | Q(uscc=text.upper())).order_by("pk").first()


def _coordinate(errors: dict[str, list[str]], value: Any, name: str, bound: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except Exception:
        number = None
    if number is None or not number.is_finite() or abs(number) > bound:
        _add(errors, name, _("Enter a valid coordinate."))
        return None
    return number.quantize(Decimal("0.000001"))


def report_submit(
    *, data: dict[str, Any], photos: list[Any] = (), address: str | None = None
) -> tuple[Report, str]:
    """A report from the public: (the report, the secret shown once)."""
    actor = _public_actor()
    source = sender_hash(address)
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if str(data.get("website") or "").strip():  # the honeypot: people never see the field
        raise ValidationFailed({"__all__": [_("The report could not be accepted.")]})
    _check_rate(source, now)
    matter = data.get("matter")
    if matter not in Matter.values:
        _add(errors, "matter", _("Choose what you are reporting."))
    division = None
    div_id = _id(data.get("division"))
    if div_id is not None:
        division = townships().filter(pk=div_id).first()
    if division is None:
        _add(errors, "division", _("Choose the township where it is."))
    content = clean_text(
        errors,
        data.get("content"),
        "content",
        required=True,
        limit=TEXT_LIMIT,
        missing=_("Describe what you are reporting."),
    )
    if content and len(content) < rules.MIN_CONTENT:
        _add(
            errors,
            "content",
            _("Describe it in at least %(n)d characters.") % {"n": rules.MIN_CONTENT},
        )
    unit = clean_text(errors, data.get("enterprise_name"), "enterprise_name", limit=200)
    place = clean_text(errors, data.get("place"), "place", limit=255)
    lat = _coordinate(errors, data.get("latitude"), "latitude", 90)
    lon = _coordinate(errors, data.get("longitude"), "longitude", 180)
    anonymous = str(data.get("anonymous", "1")).lower() not in ("0", "false", "no", "")
    if data.get("anonymous") is False:
        anonymous = False
    identity = None if anonymous else _clean_identity(errors, data)
    insider = (
        str(data.get("insider", "")).lower() in ("1", "true", "on", "yes")
        or data.get("insider") is True
    )
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        _add(errors, "photos", _("At most %(n)d photos.") % {"n": MAX_PHOTOS})
    checked = [inspect_upload(p, PHOTO_POLICY) for p in photos[:MAX_PHOTOS]]
    for message in errors_of(checked):
        _add(errors, "photos", message)
    if errors:
        raise ValidationFailed(errors)
    if Report.objects.filter(
        source_hash=source, content=content, received_at__gte=now - dt.timedelta(days=1)
    ).exists():
        raise ValidationFailed({"content": [_("You already sent this report today.")]})
    secret = rules.new_secret()
    with transaction.atomic():
        code = rules.new_code()
        while Report.objects.filter(tracking_code=code).exists():
            code = rules.new_code()
        report = Report(
            tracking_code=code,
            secret_hash=make_password(secret),
            division=division,
            enterprise=_match_enterprise(unit),
            enterprise_name=unit,
            place=place,
            latitude=lat,
            longitude=lon,
            matter=matter,
            content=content,
            anonymous=anonymous,
            insider=insider,
            received_at=now,
            due_on=rules.due_on(timezone.localdate(now)),
            source_hash=source,
        )
        if identity is not None:
            report.identity_cipher, report.identity_key = crypto.seal(identity, tracking_code=code)
        report.save()
        for item in checked:
            photo = ReportPhoto(report=report, sha256=item.sha256)
            store(photo.image, item)
            photo.save()
        _event(actor, report, wf.SUBMIT, photos=len(checked))
        _audit(actor, report, "submit", {"matter": matter, "anonymous": anonymous})
        _notify_later(
            report, "assignment", _("New whistleblower report %(code)s") % {"code": f"#{report.pk}"}
        )
    return report, secret


def _fail_key(address: str | None) -> str:
    return f"report-track-fail:{sender_hash(address)}"


def report_track(*, code: Any, secret: Any, address: str | None = None) -> Report:
    """The report for its code and secret; one generic refusal for any mismatch, and too
    many mismatches from one sender are refused for an hour."""
    key = _fail_key(address)
    if (cache.get(key) or 0) >= TRACK_FAILURES_PER_HOUR:
        raise RateLimited(_("Too many attempts. Please try again later."))
    report = Report.objects.filter(tracking_code=rules.normalise_code(str(code or ""))).first()
    ok = report is not None and check_password(
        str(secret or "").strip().upper(), report.secret_hash
    )
    if not ok:
        cache.add(key, 0, 3600)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, 3600)
        raise NotFound(_("No report matches this tracking code and secret."))
    return report


def report_answer(
    *, code: Any, secret: Any, text: Any, address: str | None = None
) -> ReportMessage:
    errors: dict[str, list[str]] = {}
    body = clean_text(errors, text, "text", required=True, limit=TEXT_LIMIT)
    found = report_track(code=code, secret=secret, address=address)
    if errors:
        raise ValidationFailed(errors)
    actor = _public_actor()
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=found.pk)
        if report.state not in (*wf.OPEN_STATES, wf.CONCLUDED):
            raise Conflict(_("This report is closed."))
        message = ReportMessage.objects.create(report=report, from_reporter=True, text=body)
        _event(actor, report, wf.ANSWER)
        _audit(actor, report, "answer")
        _notify_later(
            report, "other", _("The reporter answered on %(code)s") % {"code": f"#{report.pk}"}
        )
    return message


def report_identify(
    *, code: Any, secret: Any, data: dict[str, Any], address: str | None = None
) -> Report:
    """An anonymous reporter gives a name (to be rewarded): sealed like a real-name one."""
    found = report_track(code=code, secret=secret, address=address)
    errors: dict[str, list[str]] = {}
    identity = _clean_identity(errors, data)
    if errors:
        raise ValidationFailed(errors)
    actor = _public_actor()
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=found.pk)
        if not report.anonymous:
            raise Conflict(_("This report already carries a name."))
        if report.state in (wf.DUPLICATE, wf.PAID):
            raise Conflict(_("This report is closed."))
        report.identity_cipher, report.identity_key = crypto.seal(
            identity, tracking_code=report.tracking_code
        )
        report.anonymous = False
        report.save(update_fields=["identity_cipher", "identity_key", "anonymous"])
        _event(actor, report, wf.IDENTIFY)
        _audit(actor, report, "identify")
    return report


# --- the handler side ----------------------------------------------------------------------


def _lock(actor: Actor, report_id: Any, action: str) -> Report:
    pk = _id(report_id)
    if pk is None or not visible_reports(actor.user).filter(pk=pk).exists():
        raise NotFound(_("No such report in your scope."))
    report = Report.objects.select_for_update().get(pk=pk)
    if not may_handle(actor.user, report):
        raise Forbidden(_("Only the report's handlers do this."))
    if not wf.step(report.state, action):
        raise Conflict(_("This step is not possible in the report's present state."))
    t = wf.step(report.state, action)
    if not wf.GUARDS[t.guard](facts(report)):
        raise Conflict(_("This step is not possible for this report."))
    return report


def _move(
    actor: Actor, report: Report, action: str, note: str, changes: dict[str, Any], **data: Any
) -> Report:
    source = report.state
    report.state = wf.TABLE[(source, action)].target
    report.save()
    _event(actor, report, action, note, from_state=source, **data)
    _audit(actor, report, action, {"state": [source, report.state], **changes})
    return report


def report_triage(*, actor: Actor, report_id: Any, department_id: Any, note: Any = "") -> Report:
    errors: dict[str, list[str]] = {}
    why = clean_text(errors, note, "note")
    with transaction.atomic():
        report = _lock(actor, report_id, wf.TRIAGE)
        dept = None
        dept_pk = _id(department_id)
        if dept_pk is not None:
            dept = Department.objects.filter(
                pk=dept_pk, division_id__in=_ancestor_ids(report.division)
            ).first()
        if dept is None:
            _add(errors, "department_id", _("Choose a department where the matter is."))
        if errors:
            raise ValidationFailed(errors)
        report.department = dept
        report.handler = actor.user if actor.user and actor.user.department_id == dept.pk else None
        _move(actor, report, wf.TRIAGE, why, {"department_id": dept.pk}, department_id=dept.pk)
        _notify_later(
            report,
            "assignment",
            _("Whistleblower report %(code)s assigned to you") % {"code": f"#{report.pk}"},
        )
    return report


def report_mark_duplicate(
    *, actor: Actor, report_id: Any, duplicate_of: Any, note: Any = ""
) -> Report:
    errors: dict[str, list[str]] = {}
    why = clean_text(errors, note, "note")
    with transaction.atomic():
        report = _lock(actor, report_id, wf.MARK_DUPLICATE)
        other_pk = _id(duplicate_of)
        other = None
        if other_pk is not None and other_pk != report.pk:
            other = visible_reports(actor.user).filter(pk=other_pk).first()
        if other is None:
            _add(errors, "duplicate_of", _("Choose an earlier report in your scope."))
        elif other.received_at > report.received_at or (
            other.received_at == report.received_at and other.pk > report.pk
        ):
            _add(errors, "duplicate_of", _("A duplicate links to an earlier report."))
        if errors:
            raise ValidationFailed(errors)
        # Link to the original, not to another duplicate.
        while other.duplicate_of_id:
            other = other.duplicate_of
        report.duplicate_of = other
        _move(
            actor, report, wf.MARK_DUPLICATE, why, {"duplicate_of": other.pk}, duplicate_of=other.pk
        )
    return report


def report_verify(
    *,
    actor: Actor,
    report_id: Any,
    hazard_id: Any = None,
    inspection_id: Any = None,
    accident_id: Any = None,
    hazard: dict[str, Any] | None = None,
    note: Any = "",
) -> Report:
    """Link what verifies the report: an existing hazard, inspection or accident in scope,
    or a new hazard of the named enterprise (anjian.hazards.services.hazard_report)."""
    from anjian.accidents.models import Accident
    from anjian.hazards.models import Hazard
    from anjian.hazards.services import hazard_report
    from anjian.inspections.models import Inspection

    errors: dict[str, list[str]] = {}
    why = clean_text(errors, note, "note")
    with transaction.atomic():
        report = _lock(actor, report_id, wf.VERIFY)
        links: dict[str, int] = {}
        for name, model, value in (
            ("hazard", Hazard, hazard_id),
            ("inspection", Inspection, inspection_id),
            ("accident", Accident, accident_id),
        ):
            if value in (None, ""):
                continue
            pk = _id(value)
            row = scoping.visible(actor.user, model).filter(pk=pk).first() if pk else None
            if row is None:
                _add(errors, f"{name}_id", _("No such record in your scope."))
            else:
                setattr(report, name, row)
                links[f"{name}_id"] = row.pk
        if hazard and "hazard_id" not in links:
            if report.enterprise_id is None:
                _add(errors, "hazard", _("The report names no registered enterprise."))
            else:
                try:
                    created = hazard_report(
                        actor=actor,
                        enterprise_id=report.enterprise_id,
                        data={"source": "public_report", **hazard},
                        links={"public_report": report.pk},
                    )
                except ValidationFailed as exc:
                    # Named after the body's "hazard" object, so a form or a client can
                    # put each message beside the field it concerns.
                    for name, messages in exc.errors.items():
                        for message in messages:
                            _add(errors, f"hazard.{name}", message)
                else:
                    report.hazard = created
                    links["hazard_id"] = created.pk
        if not links and not errors:
            _add(errors, "__all__", _("Link a hazard, an inspection or an accident."))
        if errors:
            raise ValidationFailed(errors)
        _move(actor, report, wf.VERIFY, why, links, **links)
    return report


def report_conclude(
    *,
    actor: Actor,
    report_id: Any,
    conclusion: Any,
    reason: Any,
    accident_id: Any = None,
    mark_concealed: bool = False,
) -> Report:
    from anjian.accidents.models import Accident
    from anjian.accidents.services import accident_mark_concealed

    errors: dict[str, list[str]] = {}
    why = clean_text(errors, reason, "reason", required=True, missing=_("Give the reasons."))
    if conclusion not in Conclusion.values:
        _add(errors, "conclusion", _("Choose substantiated or not."))
    with transaction.atomic():
        report = _lock(actor, report_id, wf.CONCLUDE)
        accident = None
        if accident_id not in (None, ""):
            pk = _id(accident_id)
            accident = scoping.visible(actor.user, Accident).filter(pk=pk).first() if pk else None
            if accident is None:
                _add(errors, "accident_id", _("No such record in your scope."))
        if mark_concealed and (
            conclusion != Conclusion.SUBSTANTIATED or report.matter != Matter.CONCEALED_ACCIDENT
        ):
            _add(
                errors,
                "mark_concealed",
                _("Only a substantiated concealed-accident report flags one."),
            )
        if mark_concealed and accident is None and report.accident_id is None:
            _add(errors, "accident_id", _("Choose the accident."))
        if errors:
            raise ValidationFailed(errors)
        if accident is not None:
            report.accident = accident
        report.conclusion = conclusion
        report.conclusion_reason = why
        report.concluded_at = timezone.now()
        if mark_concealed:
            target = accident or report.accident
            if not target.concealed:
                accident_mark_concealed(
                    actor=actor,
                    accident_id=target.pk,
                    note=_("Found by whistleblower report %(code)s") % {"code": f"#{report.pk}"},
                )
        _move(actor, report, wf.CONCLUDE, why, {"conclusion": conclusion}, conclusion=conclusion)
    return report


def report_reward(
    *,
    actor: Actor,
    report_id: Any,
    fine_yuan: Any = None,
    grade: Any = None,
    deaths: Any = None,
    note: Any = "",
) -> Report:
    """The reward (anjian.public.rewards): only the first valid real-name reporter of the
    matter (standards.md A9: confirmed for the 2012 text, the 2018 verbatim UNCONFIRMED)."""
    from .rewards import RewardInputError, reward_for

    errors: dict[str, list[str]] = {}
    why = clean_text(errors, note, "note")
    with transaction.atomic():
        report = _lock(actor, report_id, wf.REWARD)
        if report.anonymous:
            raise Conflict(
                _(
                    "An anonymous report is rewarded only once the reporter gives a name on the tracking page."
                )
            )
        same = Q()
        for name in ("hazard_id", "inspection_id", "accident_id"):
            if getattr(report, name):
                same |= Q(**{name: getattr(report, name)})
        if (
            same
            and Report.objects.filter(same, reward_yuan__isnull=False)
            .exclude(pk=report.pk)
            .exists()
        ):
            raise Conflict(_("An earlier report of the same matter is already rewarded."))
        kind = (
            "concealed_accident"
            if report.matter == Matter.CONCEALED_ACCIDENT
            else "hazard_or_violation"
        )
        try:
            reward = reward_for(
                kind,
                fine_yuan=fine_yuan if kind == "hazard_or_violation" else None,
                grade=grade if kind == "concealed_accident" else None,
                deaths=deaths if kind == "concealed_accident" else None,
            )
        except RewardInputError as exc:
            _add(
                errors,
                exc.field if exc.field in ("fine_yuan", "grade", "deaths") else "__all__",
                exc.zh,
            )
            reward = None
        if errors:
            raise ValidationFailed(errors)
        if kind == "hazard_or_violation":
            report.fine_yuan = Decimal(str(fine_yuan).strip())
        report.reward_yuan = reward.amount
        report.reward_basis = reward.basis
        _move(
            actor,
            report,
            wf.REWARD,
            why,
            {"reward_yuan": str(reward.amount)},
            reward_yuan=str(reward.amount),
        )
    return report


def report_pay(*, actor: Actor, report_id: Any, payment_ref: Any, note: Any = "") -> Report:
    errors: dict[str, list[str]] = {}
    ref = clean_text(errors, payment_ref, "payment_ref", required=True, limit=64)
    why = clean_text(errors, note, "note")
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        report = _lock(actor, report_id, wf.PAY)
        report.payment_ref = ref
        report.paid_at = timezone.now()
        _move(actor, report, wf.PAY, why, {"payment_ref": ref})
    return report


def report_extend(*, actor: Actor, report_id: Any, days: Any, reason: Any) -> Report:
    """Once, by up to 30 days, with reasons (the 2012 text; the 2018 text UNCONFIRMED)."""
    errors: dict[str, list[str]] = {}
    why = clean_text(errors, reason, "reason", required=True, missing=_("Give the reasons."))
    n = _id(days)
    if n is None or not 1 <= n <= rules.MAX_EXTENSION_DAYS:
        _add(errors, "days", _("An extension is 1 to 30 days."))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        report = _lock(actor, report_id, wf.EXTEND)
        before = report.due_on
        report.due_on = rules.extended_due(
            before or rules.due_on(timezone.localdate(report.received_at)), n
        )
        report.extended = True
        _move(actor, report, wf.EXTEND, why, {"due_on": [str(before), str(report.due_on)]}, days=n)
    return report


def report_message(*, actor: Actor, report_id: Any, text: Any) -> ReportMessage:
    errors: dict[str, list[str]] = {}
    body = clean_text(errors, text, "text", required=True, limit=TEXT_LIMIT)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        report = _lock(actor, report_id, wf.MESSAGE)
        message = ReportMessage.objects.create(report=report, author=actor.user, text=body)
        _move(actor, report, wf.MESSAGE, "", {})
    return message


# --- the identity --------------------------------------------------------------------------


def identity_reveal(*, actor: Actor, report_id: Any, reason: Any) -> dict[str, str]:
    """The reporter's identity, for a holder of public.read_reporter_identity who sees the
    report and gives a reason. Every attempt on an existing report, allowed or refused, is
    an IdentityAccess row and an audit entry; neither ever holds the identity."""
    user = actor.user
    pk = _id(report_id)
    report = Report.objects.filter(pk=pk).first() if pk is not None else None
    why = str(reason or "").strip()[:TEXT_LIMIT] if isinstance(reason, str) else ""
    in_scope = report is not None and visible_reports(user).filter(pk=report.pk).exists()
    refusal: ServiceError | None = None
    if report is None or not in_scope:
        refusal = NotFound(_("No such report in your scope."))
    elif not may_reveal(user):
        refusal = Forbidden(_("You may not read a reporter's identity."))
    elif not why:
        refusal = ValidationFailed({"reason": [_("Give the reason for reading the identity.")]})
    elif report.anonymous or not report.identity_cipher:
        refusal = Conflict(_("This report is anonymous."))
    identity: dict[str, str] = {}
    if refusal is None:
        identity = crypto.unseal(
            bytes(report.identity_cipher),
            key_id=report.identity_key,
            tracking_code=report.tracking_code,
        )
    with transaction.atomic():
        if report is not None and user is not None:
            IdentityAccess.objects.create(
                report=report, user=user, reason=why, allowed=refusal is None
            )
            if refusal is None:
                _event(actor, report, wf.REVEAL, why)
        audit_append(
            actor=actor,
            action="report_identity_reveal" if refusal is None else "report_identity_refused",
            object_type="public.report",
            object_id=str(pk or ""),
            summary=f"identity of report {pk} {'read' if refusal is None else 'refused'}",
            changes={"reason": why, "allowed": refusal is None},
        )
    if refusal is not None:
        raise refusal
    return {k: str(identity.get(k, "")) for k in crypto.IDENTITY_FIELDS}

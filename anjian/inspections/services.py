"""Writes of enforcement inspections: the double-random draw (`draw_run`, `draw_publish`,
`draw_verify`), planning (`inspection_plan`), the workflow's steps (`inspection_start`,
`inspection_conclude`, `inspection_cancel`; the table is workflow.py) and on-site
findings (`finding_record`, each a hazard through anjian.hazards.services).

Each step, in one transaction: the inspection must be in the actor's scope (else
NotFound), its row is locked, a stale version is a Conflict, a wrong state a Conflict, a
wrong party Forbidden, a failed guard (fewer than two inspectors) a Conflict; then the new
state, an InspectionEvent (never edited) and an audit entry. A finding and a conclusion
carry the client's token: the same token again returns what the first one wrote.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import math
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.accounts.models import Role, User
from anjian.core import scoping, uploads
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.inputs import clean_text
from anjian.hazards import services as hazard_services
from anjian.hazards.models import Category, Handling, HazardType, Source
from anjian.registry.models import Department, Enterprise, EnterpriseStatus
from anjian.risks import supervision

from . import draw as pure
from . import workflow as wf
from .models import (
    ConflictOfInterest,
    Draw,
    Finding,
    FirstInspection,
    Inspection,
    InspectionEvent,
    Kind,
    Signature,
    SignerKind,
)

TEXT_LIMIT = 4000
TOKEN_LIMIT = 64
MAX_ITEMS = 200
ITEM_RESULTS = ("normal", "problem", "not_checked", "other")
SIGNATURE_POLICY = uploads.UploadPolicy(
    types=("PNG",),
    max_bytes=512 * 1024,
    reencode=True,
    too_big=gettext_lazy("A signature must be at most 512 KB."),
    wrong_type=gettext_lazy("A signature must be a PNG image."),
)


# --- labels ------------------------------------------------------------------------------


def action_labels() -> dict[str, str]:
    return {
        wf.PLAN: _("plan"),
        wf.START: _("start"),
        wf.FINDING: _("record finding"),
        wf.CONCLUDE: _("conclude"),
        wf.CANCEL: _("cancel"),
    }


def state_labels() -> dict[str, str]:
    return {
        wf.PLANNED: _("planned"),
        wf.IN_PROGRESS: _("in progress"),
        wf.CONCLUDED: _("concluded"),
        wf.CANCELLED: _("cancelled"),
    }


# --- reading -----------------------------------------------------------------------------


def visible_inspections(user: Any) -> QuerySet[Inspection]:
    """Inspections in the user's scope (anjian.core.scoping, by the enterprise), plus a
    department officer's own department's (lead or participating: a joint inspection of an
    enterprise outside its duty). Enterprise staff do not see an unannounced inspection
    before it starts (四不两直: Inspection.SCOPE_ENTERPRISE_HIDDEN, applied by scoping)."""
    qs = scoping.visible(user, Inspection)
    if not scoping.is_active_user(user):
        return qs
    if user.role == Role.DEPARTMENT_OFFICER and user.department_id:
        d = user.department_id
        own = Inspection.objects.filter(
            Q(lead_department_id=d) | Q(participating_departments__id=d)
        ).values("pk")
        return Inspection.objects.filter(Q(pk__in=qs.values("pk")) | Q(pk__in=own))
    return qs


def department_ids(inspection: Inspection) -> set[int]:
    return {inspection.lead_department_id} | {
        d.pk for d in inspection.participating_departments.all()
    }


def parties(user: Any, inspection: Inspection) -> frozenset[str]:
    """Who the user is for this inspection (already known to be in scope)."""
    if not scoping.is_active_user(user):
        return frozenset()
    out = set()
    if any(u.pk == user.pk for u in inspection.inspectors.all()):
        out.add(wf.INSPECTOR)
    if user.role == Role.DEPARTMENT_OFFICER and user.department_id in department_ids(inspection):
        out.add(wf.DEPARTMENT_OFFICER)
    return frozenset(out)


def available_actions(user: Any, inspection: Inspection) -> list[str]:
    facts = wf.Facts(inspectors=len(inspection.inspectors.all()))
    return wf.available(inspection.state, facts, parties(user, inspection))


def first_lead(enterprise_id: int, matter: str) -> FirstInspection | None:
    """首查负责制: the department that first started an inspection of this enterprise for
    this matter, if any."""
    return (
        FirstInspection.objects.select_related("department", "inspection")
        .filter(enterprise_id=enterprise_id, matter=matter)
        .first()
    )


def roster(department_id: int) -> QuerySet[User]:
    """The department's inspectors: its active officers."""
    return User.objects.filter(
        is_active=True, role=Role.DEPARTMENT_OFFICER, department_id=department_id
    ).order_by("pk")


# --- helpers -----------------------------------------------------------------------------


_text = clean_text  # anjian.core.inputs


def _coordinate(errors: dict[str, list[str]], value: Any, name: str, bound: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append(_("Enter a number."))
        return None
    if not number.is_finite() or abs(number) > bound:
        errors.setdefault(name, []).append(_("Out of range."))
        return None
    return number


def _token(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > TOKEN_LIMIT:
        raise ValidationFailed({"client_token": [_("The form lacks its submission token.")]})
    return value.strip()


def _event(
    inspection: Inspection,
    actor: Actor,
    action: str,
    from_state: str,
    to_state: str,
    at: dt.datetime,
    note: str = "",
    data: Mapping[str, Any] | None = None,
) -> InspectionEvent:
    user = actor.user
    return InspectionEvent.objects.create(
        inspection=inspection,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=user,
        actor_label=actor.label[:128],
        actor_role=(user.role if user is not None else "")[:32],
        via=actor.via[:16],
        at=at,
        note=note,
        data=json.loads(json.dumps(dict(data or {}), default=str)),
    )


def _lock(actor: Actor, inspection_id: int) -> Inspection:
    if not visible_inspections(actor.user).filter(pk=inspection_id).exists():
        raise NotFound(_("No such inspection in your scope."))
    return Inspection.objects.select_for_update(of=("self",)).get(pk=inspection_id)


def _not_a_party() -> dict[str, str]:
    return {
        wf.START: _("Only the inspection's inspectors may start it."),
        wf.CONCLUDE: _("Only the inspection's inspectors may conclude it."),
        wf.CANCEL: _(
            "Only the inspection's inspectors or an officer of its department may cancel it."
        ),
    }


def _check(inspection: Inspection, action: str, user: Any) -> wf.Transition:
    step = wf.step(inspection.state, action)
    if step is None:
        raise Conflict(
            _("Cannot %(action)s an inspection that is %(state)s.")
            % {"action": action_labels()[action], "state": state_labels()[inspection.state]}
        )
    if not step.parties & parties(user, inspection):
        raise Forbidden(_not_a_party()[action])
    if not wf.GUARDS[step.guard](wf.Facts(inspectors=inspection.inspectors.count())):
        raise Conflict(_two_inspectors())
    return step


def _two_inspectors() -> str:
    # 行政处罚法 第四十二条 (number UNCONFIRMED; the two-person rule itself was found).
    return _(
        "An on-site inspection needs at least %(n)d inspectors (Administrative Penalty Law, "
        "the two-person rule)."
    ) % {"n": wf.MIN_INSPECTORS}


def _apply(
    *,
    actor: Actor,
    inspection_id: int,
    action: str,
    expected_version: int | None,
    note: str = "",
    fields: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    locked: Inspection | None = None,
) -> tuple[Inspection, InspectionEvent]:
    """One step of the table on the locked inspection (call inside a transaction)."""
    inspection = locked or _lock(actor, inspection_id)
    if expected_version is not None and expected_version != inspection.version:
        raise Conflict(_("Somebody else changed this inspection first; reload and try again."))
    step = _check(inspection, action, actor.user)
    now = timezone.now()
    from_state = inspection.state
    for name, value in (fields or {}).items():
        setattr(inspection, name, value)
    inspection.state = step.target
    inspection.version += 1
    inspection.save()
    event = _event(inspection, actor, action, from_state, step.target, now, note, data)
    audit_append(
        actor=actor,
        action=f"inspection_{action}",
        obj=inspection,
        summary=f"inspection {inspection.pk} {from_state}→{step.target}",
        changes={"from": from_state, "to": step.target, "event_id": event.pk, **dict(data or {})},
    )
    return inspection, event


# --- planning ----------------------------------------------------------------------------


def _officer(actor: Actor) -> User:
    user = actor.user
    if not (
        scoping.is_active_user(user) and user.role == Role.DEPARTMENT_OFFICER and user.department_id
    ):
        raise Forbidden(_("Only a department officer plans inspections."))
    return user


def _inspectors(
    errors: dict[str, list[str]], inspector_ids: Iterable[Any], departments: set[int]
) -> list[User]:
    try:
        ids = sorted({int(i) for i in inspector_ids})
    except (TypeError, ValueError):
        errors.setdefault("inspectors", []).append(_("Unknown inspector."))
        return []
    found = list(
        User.objects.filter(
            pk__in=ids,
            is_active=True,
            role=Role.DEPARTMENT_OFFICER,
            department_id__in=departments,
        )
    )
    if len(found) != len(ids):
        errors.setdefault("inspectors", []).append(
            _("Every inspector must be an active officer of a department of the inspection.")
        )
    elif len(found) < wf.MIN_INSPECTORS:
        errors.setdefault("inspectors", []).append(_two_inspectors())
    return found


def inspection_plan(
    *,
    actor: Actor,
    enterprise_id: int,
    kind: Any,
    planned_on: dt.date | None,
    inspector_ids: Iterable[Any],
    matter: Any = "",
    participating_department_ids: Iterable[Any] = (),
) -> Inspection:
    """Plan an inspection of an enterprise by the actor's department (a double-random one
    comes from `draw_run` only). A joint one names the departments that join; its
    inspectors come from any of them."""
    user = _officer(actor)
    enterprise = (
        scoping.visible_enterprises(user)
        .select_related("industry")
        .filter(pk=enterprise_id)
        .first()
    )
    if enterprise is None:
        raise NotFound(_("No such enterprise in your jurisdiction."))
    errors: dict[str, list[str]] = {}
    if kind not in (Kind.ROUTINE, Kind.UNANNOUNCED, Kind.JOINT):
        errors["kind"] = [_("Choose routine, unannounced or joint.")]
    if planned_on is None:
        errors["planned_on"] = [_("Give the planned date.")]
    try:
        others = {int(d) for d in participating_department_ids} - {user.department_id}
    except (TypeError, ValueError):
        others = set()
        errors["participating_departments"] = [_("Unknown department.")]
    if others and Department.objects.filter(pk__in=others).count() != len(others):
        errors["participating_departments"] = [_("Unknown department.")]
    if kind == Kind.JOINT and not others:
        errors["participating_departments"] = [
            _("A joint inspection needs at least one other department.")
        ]
    if kind != Kind.JOINT and others:
        errors["participating_departments"] = [_("Only a joint inspection has other departments.")]
    matter_code = _text(errors, matter, "matter", limit=32) or (
        enterprise.industry.code if enterprise.industry_id else "general"
    )
    inspectors = _inspectors(errors, inspector_ids, {user.department_id, *others})
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            enterprise=enterprise,
            kind=kind,
            lead_department_id=user.department_id,
            matter=matter_code,
            planned_on=planned_on,
            created_by=user,
        )
        inspection.inspectors.set(inspectors)
        if others:
            inspection.participating_departments.set(sorted(others))
        lead = first_lead(enterprise.pk, matter_code)
        data = {
            "kind": kind,
            "matter": matter_code,
            "inspectors": [u.pk for u in inspectors],
            "participating_departments": sorted(others),
            "planned_on": planned_on,
            # What the planner was shown (首查负责制): kept with the plan.
            "first_lead_department": lead.department_id if lead else None,
        }
        event = _event(inspection, actor, wf.PLAN, "", wf.PLANNED, timezone.now(), "", data)
        audit_append(
            actor=actor,
            action="inspection_plan",
            obj=inspection,
            summary=f"inspection {inspection.pk} of {enterprise.uscc} planned",
            changes={**data, "event_id": event.pk},
        )
    return inspection


# --- steps -------------------------------------------------------------------------------


def inspection_start(
    *,
    actor: Actor,
    inspection_id: int,
    latitude: Any = None,
    longitude: Any = None,
    expected_version: int | None = None,
) -> Inspection:
    """On site: the inspection starts (time and position); from now on an unannounced one
    is shown to the enterprise, and the first start for an enterprise and matter makes
    its department the lead (首查负责制)."""
    errors: dict[str, list[str]] = {}
    lat = _coordinate(errors, latitude, "latitude", 90)
    lon = _coordinate(errors, longitude, "longitude", 180)
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    with transaction.atomic():
        inspection, _event_row = _apply(
            actor=actor,
            inspection_id=inspection_id,
            action=wf.START,
            expected_version=expected_version,
            fields={"started_at": now, "start_latitude": lat, "start_longitude": lon},
            data={"latitude": lat, "longitude": lon},
        )
        if not FirstInspection.objects.filter(
            enterprise_id=inspection.enterprise_id, matter=inspection.matter
        ).exists():
            try:
                with transaction.atomic():  # another department's start may win the race
                    FirstInspection.objects.create(
                        enterprise_id=inspection.enterprise_id,
                        matter=inspection.matter,
                        department_id=inspection.lead_department_id,
                        inspection=inspection,
                        at=now,
                    )
            except IntegrityError:
                pass
    return inspection


def inspection_cancel(
    *, actor: Actor, inspection_id: int, reason: Any, expected_version: int | None = None
) -> Inspection:
    errors: dict[str, list[str]] = {}
    text = _text(errors, reason, "reason", required=True, missing=_("Say why it is cancelled."))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        inspection, _event_row = _apply(
            actor=actor,
            inspection_id=inspection_id,
            action=wf.CANCEL,
            expected_version=expected_version,
            note=text,
            data={"reason": text},
        )
    return inspection


FINDING_FIELDS = (
    "item",
    "description",
    "location",
    "latitude",
    "longitude",
    "hazard_type",
    "category",
    "handling",
)


def finding_record(
    *,
    actor: Actor,
    inspection_id: int,
    client_token: Any,
    data: Mapping[str, Any],
    photos: Sequence[File] = (),
) -> Finding:
    """A problem found on site becomes a hazard of the enterprise with source "government
    inspection" (so its close-out is the inspecting department's review, 整改复查), and
    the finding links it; the hazard's report event names the inspection and finding.
    The same client token again returns the first finding (a resubmission after a
    dropped connection)."""
    token = _token(client_token)
    user = actor.user
    errors: dict[str, list[str]] = {}
    unknown = set(data) - set(FINDING_FIELDS)
    if unknown:
        errors["__all__"] = [_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))}]
    item = _text(errors, data.get("item"), "item", limit=200)
    description = _text(
        errors,
        data.get("description"),
        "description",
        required=True,
        missing=_("Describe the problem found."),
    )
    location = _text(
        errors,
        data.get("location"),
        "location",
        required=True,
        missing=_("Say where it was found."),
        limit=255,
    )
    lat = _coordinate(errors, data.get("latitude"), "latitude", 90)
    lon = _coordinate(errors, data.get("longitude"), "longitude", 180)
    with transaction.atomic():
        inspection = _lock(actor, inspection_id)
        earlier = Finding.objects.filter(inspection=inspection, client_token=token).first()
        if earlier is not None:
            return earlier
        if inspection.state != wf.IN_PROGRESS:
            raise Conflict(
                _("Findings are recorded while the inspection is in progress; it is %(state)s.")
                % {"state": state_labels()[inspection.state]}
            )
        if wf.INSPECTOR not in parties(user, inspection):
            raise Forbidden(_("Only the inspection's inspectors record its findings."))
        if user.department_id not in department_ids(inspection):
            raise Forbidden(_("Your department takes no part in this inspection."))
        if errors:
            raise ValidationFailed(errors)
        report = {
            "source": Source.GOVERNMENT_INSPECTION,
            "hazard_type": data.get("hazard_type") or HazardType.SAFETY,
            "category": data.get("category") or Category.THINGS,
            "handling": data.get("handling") or Handling.BY_DEADLINE,
            "description": description,
            "location": location,
            "note": item,
        }
        hazard = hazard_services.hazard_report(
            actor=actor,
            enterprise_id=inspection.enterprise_id,
            data=report,
            photos=photos,
            links={"inspection_id": inspection.pk, "finding_token": token},
            # A joint inspection's participating department may have no duty for the
            # enterprise: reported for the inspection, reviewed by the inspector's
            # department (谁检查谁复查).
            found_on=hazard_services.FoundOnInspection(
                inspection_id=inspection.pk, department_id=user.department_id
            ),
        )
        finding = Finding.objects.create(
            inspection=inspection,
            hazard=hazard,
            item=item,
            description=description,
            location=location,
            latitude=lat,
            longitude=lon,
            client_token=token,
            recorded_by=user,
        )
        event = _event(
            inspection,
            actor,
            wf.FINDING,
            inspection.state,
            inspection.state,
            finding.recorded_at,
            description,
            {"finding_id": finding.pk, "hazard_id": hazard.pk, "hazard_number": hazard.number},
        )
        audit_append(
            actor=actor,
            action="inspection_finding",
            obj=finding,
            summary=f"inspection {inspection.pk} finding → hazard {hazard.number}",
            changes={
                "hazard_id": hazard.pk,
                "event_id": event.pk,
                "latitude": lat,
                "longitude": lon,
            },
        )
    return finding


def _png(value: Any) -> bytes | None:
    """A drawn signature: PNG bytes, or the canvas's data URL."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str) and value.startswith("data:image/png;base64,"):
        try:
            return base64.b64decode(value.split(",", 1)[1], validate=True)
        except (binascii.Error, ValueError):
            return None
    return None


@dataclass(frozen=True)
class _Sig:
    kind: str
    user: User | None
    name: str
    checked: uploads.CheckedUpload


def _clean_signatures(
    errors: dict[str, list[str]], inspection: Inspection, signatures: Sequence[Mapping[str, Any]]
) -> list[_Sig]:
    inspectors = {u.pk: u for u in inspection.inspectors.all()}
    out: list[_Sig] = []
    signed: set[int] = set()
    representative = False
    for raw in signatures:
        png = _png(raw.get("image"))
        if not png:
            continue  # an empty canvas: not a signature
        checked = uploads.inspect_bytes("signature.png", png, SIGNATURE_POLICY)
        if checked.error:
            errors.setdefault("signatures", []).append(checked.error)
            continue
        if raw.get("kind") == SignerKind.INSPECTOR:
            try:
                uid = int(raw.get("user_id"))
            except (TypeError, ValueError):
                uid = -1
            if uid not in inspectors or uid in signed:
                errors.setdefault("signatures", []).append(_("Unknown inspector."))
                continue
            signed.add(uid)
            out.append(_Sig(SignerKind.INSPECTOR, inspectors[uid], str(inspectors[uid]), checked))
        elif raw.get("kind") == SignerKind.REPRESENTATIVE and not representative:
            name = _text(
                errors,
                raw.get("name"),
                "representative_name",
                required=True,
                missing=_("Give the representative's name."),
                limit=64,
            )
            representative = True
            out.append(_Sig(SignerKind.REPRESENTATIVE, None, name, checked))
    missing = [str(u) for pk, u in inspectors.items() if pk not in signed]
    if missing:
        errors.setdefault("signatures", []).append(
            _("Missing signatures of inspectors: %(names)s") % {"names": ", ".join(missing)}
        )
    if not representative:
        errors.setdefault("signatures", []).append(
            _("The enterprise's representative has not signed.")
        )
    return out


def _clean_items(errors: dict[str, list[str]], items: Any) -> list[dict[str, str]]:
    if items in (None, ""):
        return []
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        errors["items"] = [_("At most %(n)d check items.") % {"n": MAX_ITEMS}]
        return []
    out = []
    for raw in items:
        if not isinstance(raw, Mapping):
            errors["items"] = [_("Unreadable check item.")]
            return []
        text = _text(errors, raw.get("text"), "items", limit=200)
        result = raw.get("result") or "normal"
        if result not in ITEM_RESULTS:
            errors["items"] = [_("Unknown result of a check item.")]
            return []
        note = _text(errors, raw.get("note"), "items", limit=1000)
        if text:
            out.append({"text": text, "result": result, "note": note})
    return out


def inspection_conclude(
    *,
    actor: Actor,
    inspection_id: int,
    client_token: Any,
    conclusion: Any,
    items: Any = (),
    signatures: Sequence[Mapping[str, Any]] = (),
    latitude: Any = None,
    longitude: Any = None,
    expected_version: int | None = None,
) -> Inspection:
    """Conclude on site: the check items, the conclusion, the signatures of every
    inspector and of the enterprise's representative (PNG, stored with its SHA-256),
    position and time. The same client token again returns the concluded inspection."""
    token = _token(client_token)
    errors: dict[str, list[str]] = {}
    text = _text(
        errors, conclusion, "conclusion", required=True, missing=_("Write the conclusion.")
    )
    cleaned_items = _clean_items(errors, list(items) if isinstance(items, tuple) else items)
    lat = _coordinate(errors, latitude, "latitude", 90)
    lon = _coordinate(errors, longitude, "longitude", 180)
    with transaction.atomic():
        inspection = _lock(actor, inspection_id)
        if inspection.state == wf.CONCLUDED and inspection.conclusion_token == token:
            return inspection
        _check(inspection, wf.CONCLUDE, actor.user)
        sigs = _clean_signatures(errors, inspection, signatures)
        if errors:
            raise ValidationFailed(errors)
        now = timezone.now()
        inspection, _event_row = _apply(
            actor=actor,
            inspection_id=inspection_id,
            action=wf.CONCLUDE,
            expected_version=expected_version,
            note=text,
            fields={
                "concluded_at": now,
                "conclusion": text,
                "items": cleaned_items,
                "conclusion_token": token,
            },
            data={
                "items": len(cleaned_items),
                "latitude": lat,
                "longitude": lon,
                "signatures": [
                    {"kind": s.kind, "name": s.name, "sha256": s.checked.sha256} for s in sigs
                ],
            },
            locked=inspection,
        )
        for sig in sigs:
            row = Signature(
                inspection=inspection,
                kind=sig.kind,
                user=sig.user,
                name=sig.name,
                sha256=sig.checked.sha256,
                signed_at=now,
                latitude=lat,
                longitude=lon,
            )
            uploads.store(row.image, sig.checked)
            row.save()
    return inspection


# --- the draw ----------------------------------------------------------------------------


def inspector_code(user_id: int) -> str:
    """An inspector's id in the published record (the page shows the name beside it)."""
    return f"U{user_id}"


def _classes(enterprises: QuerySet[Enterprise]) -> dict[int, str]:
    # The same rule in SQL as the risk pages' supervision list (risks.views).
    from anjian.risks.views import supervision_class

    return dict(enterprises.annotate(sclass=supervision_class()).values_list("pk", "sclass"))


def _overdue(
    enterprises: QuerySet[Enterprise], enterprise_classes: Mapping[int, str], now: dt.datetime
) -> set[int]:
    """Enterprises whose last concluded inspection (any department) is older than their
    class's interval (365 days / inspections per year, supervision policy's default
    profile). An enterprise with no inspection on record is not counted: this app has no
    history before it, and counting them would force every enterprise in."""
    last = dict(
        Inspection.objects.filter(state=wf.CONCLUDED, enterprise_id__in=enterprises.values("pk"))
        .values("enterprise_id")
        .annotate(last=Max("concluded_at"))
        .values_list("enterprise_id", "last")
    )
    out = set()
    for pk, when in last.items():
        per_year = supervision.requirement(enterprise_classes[pk], "").inspections_per_year
        if per_year and when < now - dt.timedelta(days=math.ceil(365 / per_year)):
            out.add(pk)
    return out


def _last_inspectors(department_id: int, enterprises: QuerySet[Enterprise]) -> dict[int, list[int]]:
    """The inspectors of each enterprise's latest concluded inspection by the department."""
    rows = (
        Inspection.objects.filter(
            lead_department_id=department_id,
            state=wf.CONCLUDED,
            enterprise_id__in=enterprises.values("pk"),
        )
        .order_by("enterprise_id", "-concluded_at", "-pk")
        .prefetch_related("inspectors")
    )
    out: dict[int, list[int]] = {}
    for row in rows:
        if row.enterprise_id not in out:
            out[row.enterprise_id] = [u.pk for u in row.inspectors.all()]
    return out


FORCED_RULE = "red class; last inspection older than the class's interval"


def draw_enterprises(user: User) -> QuerySet[Enterprise]:
    """The enterprises a department officer's draw chooses from: their department's duty
    in their jurisdiction (scoping), closed ones left out."""
    return scoping.visible_enterprises(user).exclude(status=EnterpriseStatus.CLOSED)


def draw_conflicts(
    department_id: int, enterprises: QuerySet[Enterprise]
) -> QuerySet[ConflictOfInterest]:
    """The standing declared conflicts of interest of the department's roster for these
    enterprises: the draw never sends such an inspector to such an enterprise."""
    return ConflictOfInterest.objects.filter(
        withdrawn_at__isnull=True,
        inspector__in=roster(department_id).values("pk"),
        enterprise__in=enterprises.values("pk"),
    )


def draw_run(
    *,
    actor: Actor,
    department_id: int,
    seed: str | None = None,
    sample_size: int | None = None,
    rates: Mapping[str, str] | None = None,
    inspectors_per_inspection: int = wf.MIN_INSPECTORS,
    planned_on: dt.date | None = None,
    publish: bool = True,
) -> Draw:
    """Draw from the department's enterprises (its duty in the officer's jurisdiction,
    through scoping; closed ones left out) and its roster, with the red class and the
    overdue ones forced in and the standing declared conflicts of interest respected
    (they are in the published record, so a re-run respects them too); store the published record and plan one double-random
    inspection per selection with the drawn inspectors. Every run is stored and, by
    default, published at once: a department cannot quietly draw again until it likes
    the result."""
    user = _officer(actor)
    if user.department_id != department_id:
        raise Forbidden(_("Only an officer of the department draws for it."))
    department = Department.objects.get(pk=department_id)
    seed = seed.strip() if isinstance(seed, str) and seed.strip() else None
    if seed is None:
        seed = f"{timezone.localdate().isoformat()} {secrets.token_hex(8)}"
    if len(seed) > 200:
        raise ValidationFailed({"seed": [_("At most %(n)d characters.") % {"n": 200}]})
    now = timezone.now()
    enterprises = draw_enterprises(user)
    classes = _classes(enterprises)
    rows = list(enterprises.values_list("pk", "uscc", "industry__code", "division__code"))
    overdue = _overdue(enterprises, classes, now)
    candidates = []
    for pk, uscc, industry, division in rows:
        reasons = [
            r for r, hit in (("red", classes[pk] == "red"), ("overdue", pk in overdue)) if hit
        ]
        candidates.append(
            pure.Candidate(
                code=uscc,
                colour=classes[pk],
                industry=industry or "",
                division=division or "",
                forced=bool(reasons),
                forced_reason=",".join(reasons),
            )
        )
    users = list(roster(department_id).select_related("division"))
    inspectors = [
        pure.Inspector(
            id=inspector_code(u.pk),
            department=str(department_id),
            division=u.division.code if u.division_id else "",
        )
        for u in users
    ]
    by_enterprise = _last_inspectors(department_id, enterprises)
    uscc_of = {pk: uscc for pk, uscc, _i, _d in rows}
    last = {uscc_of[pk]: [inspector_code(i) for i in ids] for pk, ids in by_enterprise.items()}
    conflicts = [
        pure.Conflict(inspector=inspector_code(inspector_id), enterprise=uscc_of[enterprise_id])
        for inspector_id, enterprise_id in draw_conflicts(department_id, enterprises).values_list(
            "inspector_id", "enterprise_id"
        )
    ]
    parameters = pure.DrawParameters(
        seed=seed,
        sample_size=sample_size,
        rates=rates,
        inspectors_per_inspection=inspectors_per_inspection,
        department=str(department_id),
    )
    try:
        result, canonical = pure.publish(
            candidates=candidates,
            inspectors=inspectors,
            parameters=parameters,
            conflicts=conflicts,
            last_inspectors=last,
        )
    except pure.UnstaffableError as exc:
        raise ValidationFailed(
            {
                "__all__": [
                    _("The roster cannot staff these enterprises: %(list)s")
                    % {"list": ", ".join(exc.details.get("enterprises", []))}
                ]
            }
        ) from exc
    except pure.DrawError as exc:
        raise ValidationFailed({"__all__": [_draw_error(exc)]}) from exc
    ent_by_code = {uscc: pk for pk, uscc, _i, _d in rows}
    user_by_code = {inspector_code(u.pk): u for u in users}
    with transaction.atomic():
        draw = Draw.objects.create(
            department=department,
            created_by=user,
            seed=result.parameters.seed,
            parameters={
                "sample_size": sample_size,
                "rates": dict(rates) if rates else None,
                "inspectors_per_inspection": inspectors_per_inspection,
                "forced_rule": FORCED_RULE,
                "supervision_profile": supervision.default_profile(),
                "planned_on": planned_on.isoformat() if planned_on else None,
            },
            canonical=canonical.decode("utf-8"),
            digest=result.digest,
            created_at=now,
            published=publish,
            published_at=now if publish else None,
        )
        for selection in result.selections:
            inspection = Inspection.objects.create(
                enterprise_id=ent_by_code[selection.code],
                kind=Kind.DOUBLE_RANDOM,
                lead_department=department,
                matter=selection.stratum.split("|", 1)[1] or "general",
                planned_on=planned_on or timezone.localdate(now),
                created_by=user,
                draw=draw,
                created_at=now,
            )
            inspection.inspectors.set([user_by_code[i] for i in selection.inspectors])
            _event(
                inspection,
                actor,
                wf.PLAN,
                "",
                wf.PLANNED,
                now,
                "",
                {
                    "draw_id": draw.pk,
                    "reason": selection.reason,
                    "forced_reason": selection.forced_reason,
                },
            )
        audit_append(
            actor=actor,
            action="inspection_draw",
            obj=draw,
            summary=f"draw {draw.pk} of department {department_id}: "
            f"{len(result.selections)} enterprises",
            changes={
                "seed": draw.seed,
                "digest": draw.digest,
                "published": publish,
                "conflicts": len(conflicts),
            },
        )
    return draw


def _draw_error(exc: pure.DrawError) -> str:
    messages = {
        "seed_empty": _("The seed must not be empty."),
        "too_few_inspectors": _two_inspectors(),
        "size_or_rates": _("Give either a sample size or rates by colour."),
        "sample_too_large": _("The sample is larger than the enterprises that can be drawn."),
        "sample_size_invalid": _("The sample size must be a whole number, zero or more."),
        "rate_missing": _("Give a rate for every colour."),
    }
    return messages.get(exc.code, str(exc))


def draw_publish(*, actor: Actor, draw_id: int) -> Draw:
    user = _officer(actor)
    with transaction.atomic():
        draw = (
            Draw.objects.select_for_update()
            .filter(pk=draw_id, department_id=user.department_id)
            .first()
        )
        if draw is None:
            raise NotFound(_("No such draw of your department."))
        if not draw.published:
            draw.published, draw.published_at = True, timezone.now()
            draw.save(update_fields=["published", "published_at"])
            audit_append(
                actor=actor,
                action="inspection_draw_publish",
                obj=draw,
                summary=f"draw {draw.pk} published",
                changes={"digest": draw.digest},
            )
    return draw


@dataclass(frozen=True)
class DrawCheck:
    """`ok` when the stored record hashes to the published digest and re-running the draw
    from the record's inputs gives the same digest."""

    ok: bool
    digest: str  # published
    file_digest: str  # SHA-256 of the stored record
    recomputed: str  # of the re-run ("" when the record could not be re-run)
    error: str = ""


def record_inputs(record: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of draw.run_draw / verify_draw from a published record."""
    p = record["parameters"]
    return {
        "candidates": [pure.Candidate(*row) for row in record["candidates"]],
        "inspectors": [pure.Inspector(*row) for row in record["inspectors"]],
        "conflicts": [pure.Conflict(*row) for row in record["conflicts"]],
        "last_inspectors": dict(record["last_inspectors"]),
        "parameters": pure.DrawParameters(
            seed=p["seed"],
            sample_size=p["sample_size"],
            rates=p["rates"],
            inspectors_per_inspection=p["inspectors_per_inspection"],
            department=p["department"],
            match_division=p["match_division"],
        ),
    }


def draw_verify(draw: Draw) -> DrawCheck:
    """Re-run the published draw server-side from its stored record (what anyone can do
    with the downloaded file and draw.py)."""
    content = draw.canonical.encode("utf-8")
    file_digest = hashlib.sha256(content).hexdigest()
    try:
        verification = pure.verify_draw(**record_inputs(json.loads(content)), published=draw.digest)
    except (ValueError, KeyError, TypeError) as exc:  # DrawError is a ValueError
        return DrawCheck(False, draw.digest, file_digest, "", str(exc)[:200])
    return DrawCheck(
        verification.ok and file_digest == draw.digest,
        draw.digest,
        file_digest,
        verification.recomputed,
    )


def public_draws() -> QuerySet[Draw]:
    return Draw.objects.filter(published=True).select_related("department")

"""Re-checks (回头看): who sees them, and recording a result.

Scoping note — re-checks are unannounced. Regulators see the re-checks of the hazards
of enterprises in their scope (anjian.core.scoping), pending or done; enterprise staff
see only the DONE re-checks of their own enterprise, never a pending one (that would
announce the visit). That is why Recheck declares no SCOPE_ENTERPRISE_PATH: every read
starts from `visible_rechecks`, not from `scoping.visible`.

A result is written once: a conditional UPDATE … WHERE state = 'pending' decides which
of two inspectors recording at once wins; the other gets a Conflict. A relapse reports a
NEW hazard (through services.hazard_report, in the same transaction) linked to the
re-check; the old hazard stays closed and only gains a `recheck` event in its history.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import ENTERPRISE_ROLES, REGULATOR_ROLES
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

from . import services
from . import workflow as wf
from .models import (
    Hazard,
    Level,
    MajorBasis,
    PhotoKind,
    Recheck,
    RecheckResult,
    RecheckState,
    Source,
)

RECHECK = "recheck"  # the HazardEvent action on the re-checked (old) hazard
RELAPSE_PREFIX = "复发："
MAX_PHOTOS = services.MAX_PHOTOS_PER_STEP


def visible_rechecks(user: Any) -> QuerySet[Recheck]:
    """Regulators: every re-check of hazards in their scope. Enterprise staff: only the
    done ones of their own enterprise (re-checks are unannounced). Others: nothing."""
    if not scoping.is_active_user(user):
        return Recheck.objects.none()
    qs = Recheck.objects.filter(hazard__enterprise__in=scoping.visible_enterprises(user))
    if user.role in ENTERPRISE_ROLES:
        return qs.filter(state=RecheckState.DONE)
    if user.role in REGULATOR_ROLES:
        return qs
    return Recheck.objects.none()


def may_record(user: Any, recheck: Recheck) -> bool:
    """Any regulator supervising the enterprise (the workflow's inspector party:
    coordinator, department officer, grid officer, expert) may record the result."""
    return wf.INSPECTOR in services.parties(user, recheck.hazard.enterprise, recheck.hazard)


def _relapse_data(old: Hazard, actor: Actor, findings: str) -> dict[str, Any]:
    """The new hazard copies the old one's place and kind; it is major again when the old
    one was major by a list item, or by decision when the recorder may decide so."""
    description = f"{RELAPSE_PREFIX}{old.description}"[: services.TEXT_LIMIT]
    data: dict[str, Any] = {
        "source": Source.GOVERNMENT_INSPECTION,
        "hazard_type": old.hazard_type,
        "category": old.category,
        "handling": wf.BY_DEADLINE,
        "description": description,
        "cause": old.cause[: services.TEXT_LIMIT],
        "location": old.location,
        "note": (
            _("Relapse of %(number)s found by a re-check: %(findings)s")
            % {"number": old.number, "findings": findings}
        )[: services.TEXT_LIMIT],
    }
    if old.risk_unit_id:
        data["risk_unit_id"] = old.risk_unit_id
    if old.level == Level.MAJOR:
        item_id = (old.major_item or {}).get("item_id")
        if old.major_basis == MajorBasis.LIST_ITEM and item_id:
            data["major_item"] = item_id
        elif wf.LEAD_OFFICER in services.parties(
            actor.user, old.enterprise
        ) or wf.COORDINATOR in services.parties(actor.user, old.enterprise):
            data["major_reason"] = (
                _("Relapse of major hazard %(number)s.") % {"number": old.number}
                + (f" {old.major_reason}" if old.major_reason else "")
            )[: services.TEXT_LIMIT]
    return data


def recheck_record(
    *,
    actor: Actor,
    recheck_id: int,
    result: Any,
    findings: Any,
    photos: Sequence[File] = (),
) -> Recheck:
    """Record the result of a re-check, once. `relapsed` reports a new hazard linked to
    the re-check; both results add a `recheck` event to the old hazard's history."""
    user = actor.user
    recheck = (
        visible_rechecks(user).select_related("hazard", "hazard__enterprise").filter(pk=recheck_id)
    ).first()
    if recheck is None:
        raise NotFound(_("No such re-check in your scope."))
    if not may_record(user, recheck):
        raise Forbidden(_("Only regulators supervising the enterprise may record a re-check."))
    if recheck.state != RecheckState.PENDING:
        raise Conflict(_("This re-check already has its result; results are never changed."))
    errors: services.Errors = {}
    result = services._choice(errors, {"result": result}, "result", RecheckResult.values)
    findings = services._text(
        errors,
        {"findings": findings},
        "findings",
        required=True,
        missing=_("Record what the re-inspection found."),
    )
    checked = [services.inspect_photo(p) for p in photos]
    if len(checked) > MAX_PHOTOS:
        services._add(errors, "photos", _("At most %(n)d photos per step.") % {"n": MAX_PHOTOS})
    for photo in checked:
        if photo.error:
            services._add(
                errors, "photos", f"{photo.name}: {photo.error}" if photo.name else photo.error
            )
    if errors:
        raise ValidationFailed(errors)

    old = recheck.hazard
    now = timezone.now()
    with transaction.atomic():
        services._check_keys_now()
        won = Recheck.objects.filter(pk=recheck.pk, state=RecheckState.PENDING).update(
            state=RecheckState.DONE,
            result=result,
            findings=findings,
            done_by=user,
            done_at=now,
        )
        if not won:
            raise Conflict(_("Somebody else recorded this re-check first; reload to see it."))
        new: Hazard | None = None
        if result == RecheckResult.RELAPSED:
            new = services.hazard_report(
                actor=actor,
                enterprise_id=old.enterprise_id,
                data=_relapse_data(old, actor, findings),
                photos=photos,
                links={
                    "relapse_of": {"id": old.pk, "number": old.number},
                    "recheck_id": recheck.pk,
                },
            )
            Recheck.objects.filter(pk=recheck.pk).update(relapse_hazard=new)
        event_data: dict[str, Any] = {
            "recheck_id": recheck.pk,
            "result": result,
            "findings": findings,
        }
        if new is not None:
            event_data["relapse_hazard"] = {"id": new.pk, "number": new.number}
        elif checked:
            event_data["photos"] = services._photo_data(PhotoKind.AFTER, checked)
        event = services._event(
            old, actor, RECHECK, wf.CLOSED, wf.CLOSED, now, findings, event_data
        )
        if new is None and checked:
            # Still fixed: the photos show the state at the re-check, kept on the old hazard.
            services._store_photos(old, event, PhotoKind.AFTER, checked, user)
        audit_append(
            actor=actor,
            action="recheck_record",
            obj=recheck,
            summary=f"{old.number} {result}" + (f" → {new.number}" if new is not None else ""),
            changes={**event_data, "hazard_id": old.pk, "event_id": event.pk},
        )
    recheck.refresh_from_db()
    return recheck


__all__ = ["RECHECK", "may_record", "recheck_record", "visible_rechecks"]

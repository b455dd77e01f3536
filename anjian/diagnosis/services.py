"""Recording an enterprise diagnosis, and reading the diagnoses that count.

Same contract as the other services: keyword arguments, scope checked first (an
enterprise the actor cannot see is NotFound, one they see but may not diagnose is
Forbidden), every field problem collected into one ValidationFailed, then one transaction
that locks the enterprise row, appends the diagnosis, moves the enterprise's
`DiagnosisState` and writes the audit entry.

Who records (`recording_kind`):

* regulators in whose scope the enterprise lies — a coordinator (安委办), a grid officer,
  an expert in their division's subtree, a department officer whose department *leads*
  the enterprise's supervision — record an official diagnosis;
* the enterprise's principal and safety officer record a self-assessment (marked so);
* nobody else (employees, administrators, other counties, no role).

Which counts for supervision (`counting`): the latest official diagnosis; when there is
none, the latest self-assessment. A self-assessment never replaces a regulator's or an
expert's diagnosis, however recent: the guide makes the diagnosis the supervisors' work
(各地安全监管部门组织), the enterprise's own scoring is a preparation for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Forbidden, NotFound, ValidationFailed
from anjian.registry.models import Enterprise

from . import scoring
from .models import Diagnosis, DiagnosisState

OFFICIAL = "official"
SELF = "self"
SUBTREE_RECORDERS = frozenset({Role.COORDINATOR, Role.GRID_OFFICER, Role.EXPERT})
SELF_RECORDERS = frozenset({Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER})
NOTES_LIMIT = 2000


def recording_kind(user: Any, enterprise: Enterprise) -> str | None:
    """official / self / None, for a user and an enterprise they see (the caller took it
    from scoping.visible_enterprises, so a subtree role's enterprise is in its subtree and
    a department officer's is one its department supervises)."""
    if not scoping.is_active_user(user):
        return None
    if user.role in SELF_RECORDERS:
        return SELF if user.enterprise_id == enterprise.pk else None
    if user.role in SUBTREE_RECORDERS:
        return OFFICIAL
    if user.role == Role.DEPARTMENT_OFFICER and user.department_id:
        # Only the lead department diagnoses; cooperating departments read.
        leads = enterprise.duties.filter(department_id=user.department_id, role="lead")
        return OFFICIAL if leads.exists() else None
    return None


def _refusal() -> Forbidden:
    return Forbidden(
        _(
            "Only regulators and experts in whose jurisdiction the enterprise lies, or the "
            "enterprise's principal and safety officer (as a self-assessment), may record a "
            "diagnosis."
        )
    )


def _message(error: scoring.DiagnosisInputError, guide: scoring.Guide) -> str:
    item = guide.item(error.field)
    values = {
        "value": error.params.get("value", ""),
        "max": error.params.get("max", ""),
        "places": error.params.get("places", ""),
        "item": item.name if item else error.field,
    }
    texts = {
        "not_number": _("Enter a number of points, e.g. 2 or 0.5."),
        "negative": _("A deduction cannot be negative."),
        "above_max": _("At most %(max)s points can be deducted for this item.") % values,
        "too_precise": _("Use at most %(places)s decimal places.") % values,
        "unknown_item": _("Unknown assessment item: %(value)s.") % values,
        "not_scored": _("%(item)s is a bonus item and is not scored yet.") % values,
        "unknown_situation": _("Unknown direct-red situation: %(value)s.") % values,
    }
    return texts.get(error.code, error.message())


def _field(error: scoring.DiagnosisInputError) -> str:
    if error.field == "direct_red":
        return "direct_red"
    return f"deductions.{error.field}"


def _clean_date(value: Any, errors: dict[str, list[str]]) -> dt.date | None:
    if value in (None, ""):
        errors.setdefault("diagnosed_on", []).append(_("This field is required."))
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            errors.setdefault("diagnosed_on", []).append(
                _("Enter a date as YYYY-MM-DD, e.g. 2025-03-31.")
            )
            return None
    if value > timezone.localdate():
        errors.setdefault("diagnosed_on", []).append(
            _("The date of a diagnosis cannot be in the future.")
        )
        return None
    return value


def _clean_notes(value: Any, errors: dict[str, list[str]]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > NOTES_LIMIT or "\x00" in value:
        errors.setdefault("notes", []).append(
            _("Enter plain text of at most %(n)d characters (no control characters).")
            % {"n": NOTES_LIMIT}
        )
        return ""
    return value.strip()


def _situation_codes(direct_red: Any, errors: dict[str, list[str]]) -> list[str]:
    if direct_red in (None, ""):
        return []
    if not isinstance(direct_red, list | tuple):
        errors.setdefault("direct_red", []).append(
            _("Send the direct-red situations as a list of their codes.")
        )
        return []
    codes = list(direct_red)
    if not all(isinstance(c, str) for c in codes):
        errors.setdefault("direct_red", []).append(
            _("Send the direct-red situations as a list of their codes.")
        )
        return []
    return codes


def diagnosis_record(
    *,
    actor: Actor,
    enterprise: Enterprise | int,
    diagnosed_on: Any,
    deductions: Mapping[str, Any] | None,
    direct_red: Any = (),
    notes: Any = "",
    guide: str = scoring.DEFAULT_GUIDE,
) -> Diagnosis:
    """Record one diagnosis of an enterprise by the guide; returns the new row."""
    enterprise_id = enterprise.pk if isinstance(enterprise, Enterprise) else enterprise
    found = scoping.visible_enterprises(actor.user).filter(pk=enterprise_id).first()
    if found is None:
        raise NotFound(_("No such enterprise in your jurisdiction."))
    kind = recording_kind(actor.user, found)
    if kind is None:
        raise _refusal()

    rules = scoring.load_guide(guide)
    errors: dict[str, list[str]] = {}
    day = _clean_date(diagnosed_on, errors)
    text = _clean_notes(notes, errors)
    situations = _situation_codes(direct_red, errors)
    if deductions is None:
        deductions = {}
    if not isinstance(deductions, Mapping):
        errors.setdefault("deductions", []).append(
            _("Send the deductions as an object of item code → points.")
        )
        deductions = {}
    for problem in scoring.check(deductions, situations, rules):
        errors.setdefault(_field(problem), []).append(_message(problem, rules))
    if errors:
        raise ValidationFailed(errors)
    result = scoring.score(deductions, situations, rules)

    with transaction.atomic():
        # One writer per enterprise at a time: the state below is read and moved.
        locked = (
            Enterprise.objects.select_for_update(no_key=True)
            .filter(pk=found.pk)
            .values_list("pk", flat=True)
            .first()
        )
        if locked is None:  # deleted meanwhile
            raise NotFound(_("No such enterprise in your jurisdiction."))
        previous = Diagnosis.objects.filter(enterprise_id=found.pk).order_by("-id").first()
        user = actor.user
        diagnosis = Diagnosis.objects.create(
            enterprise_id=found.pk,
            diagnosed_on=day,
            assessor=user,
            assessor_role=user.role,
            assessor_name=(user.display_name or user.get_username())[:150],
            self_assessment=kind == SELF,
            deductions={d.code: scoring.number_text(d.given) for d in result.deductions},
            direct_red=list(result.direct_red),
            score=result.score,
            colour=result.colour,
            score_colour=result.score_colour,
            reason=result.reason[:1000],
            guide=result.guide,
            guide_version=result.guide_version,
            notes=text,
            supersedes=previous,
        )
        state = _move_state(found.pk)
        audit_append(
            actor=actor,
            action="diagnose",
            obj=diagnosis,
            summary=f"{result.colour} {scoring.number_text(result.score)}",
            changes={
                "enterprise_id": found.pk,
                "diagnosed_on": day.isoformat(),
                "kind": kind,
                "score": scoring.number_text(result.score),
                "colour": result.colour,
                "direct_red": list(result.direct_red),
                "deductions": diagnosis.deductions,
                "guide": f"{result.guide} {result.guide_version}",
                "supersedes": previous.pk if previous else None,
                "counts_for_supervision": state.current_id == diagnosis.pk,
                "supervision_colour": state.colour,
            },
        )
    return diagnosis


def counting(enterprise_id: int) -> Diagnosis | None:
    """The enterprise's diagnosis that counts for supervision: the latest official one,
    else the latest self-assessment (one query)."""
    return (
        Diagnosis.objects.filter(enterprise_id=enterprise_id)
        .order_by("self_assessment", "-diagnosed_on", "-id")
        .first()
    )


def _move_state(enterprise_id: int) -> DiagnosisState:
    current = counting(enterprise_id)
    state, _created = DiagnosisState.objects.select_for_update(no_key=True).get_or_create(
        enterprise_id=enterprise_id,
        defaults={"current": current, "colour": current.colour},
    )
    if state.current_id != current.pk:
        state.current = current
        state.colour = current.colour
        state.save(update_fields=["current", "colour"])
    return state


def current_diagnoses(enterprise_ids: Iterable[int]) -> dict[int, Diagnosis]:
    """{enterprise id: its diagnosis that counts} for many enterprises in ONE query
    (list pages: the supervision list reads its page's diagnoses with this)."""
    ids = list(enterprise_ids)
    if not ids:
        return {}
    states = DiagnosisState.objects.filter(enterprise_id__in=ids).select_related(
        "current", "current__assessor"
    )
    return {s.enterprise_id: s.current for s in states}

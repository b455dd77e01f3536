"""Writes of the monthly dispatch (月调度): open a month, save and submit a form, return
one for correction. Same contract as the other services: keyword arguments, one
transaction, the row locked, scope first (out of scope → NotFound), the role next
(Forbidden), then the state and version (Conflict) and the data (ValidationFailed with
field messages); an event row (append-only) and an audit entry with every change.

Transitions (from, action, to, who):
  draft     save    draft      the respondent
  returned  save    returned   the respondent
  draft     submit  submitted  the respondent
  returned  submit  submitted  the respondent
  submitted return  returned   the county's safety committee office
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role, User
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.notify import notify
from anjian.hazards.services import _text
from anjian.registry.models import Department, Division, DivisionLevel

from . import policy, scope
from .models import DispatchEvent, DispatchForm, DispatchState

NOTES_LIMIT = 2000
REASON_LIMIT = 1000
COUNT_MAX = 100_000_000
AMOUNT_MAX = Decimal("999999999999.99")

SAVE, SUBMIT, RETURN, OPEN = "save", "submit", "return", "open"
TRANSITIONS: dict[tuple[str, str], str] = {
    (DispatchState.DRAFT, SAVE): DispatchState.DRAFT,
    (DispatchState.RETURNED, SAVE): DispatchState.RETURNED,
    (DispatchState.DRAFT, SUBMIT): DispatchState.SUBMITTED,
    (DispatchState.RETURNED, SUBMIT): DispatchState.SUBMITTED,
    (DispatchState.SUBMITTED, RETURN): DispatchState.RETURNED,
}


def current_policy() -> policy.Policy:
    return policy.load_policy(getattr(settings, "ANJIAN_DISPATCH_POLICY", None))


def fillers(form: DispatchForm) -> list[User]:
    """Who fills the form (and is reminded of it)."""
    qs = User.objects.filter(is_active=True)
    if form.division_id:
        qs = qs.filter(role=Role.COORDINATOR, division_id=form.division_id)
    else:
        qs = qs.filter(role=Role.DEPARTMENT_OFFICER, department_id=form.department_id)
    return list(qs.order_by("pk"))


def _month(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return policy.month_start(value)
    try:
        return policy.parse_month(value)
    except (TypeError, ValueError):
        raise ValidationFailed({"month": [_("Enter a month such as 2026-11.")]}) from None


def _user(actor: Actor, message: str) -> Any:
    if actor.user is None or not scoping.is_active_user(actor.user):
        raise NotFound(message)
    return actor.user


# --- opening a month ---------------------------------------------------------------------------


def dispatch_open_month(
    *,
    actor: Actor,
    month: Any,
    county_id: int | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The county's safety committee office opens the month: one draft form for every
    township and every department of the county. Idempotent: forms already there are
    left as they are, respondents added since get theirs."""
    user = _user(actor, _("No such county."))
    the_month = _month(month)
    today = today or timezone.localdate()
    county_id = county_id or user.division_id
    county = (
        scoping.visible(user, Division).filter(pk=county_id, level=DivisionLevel.COUNTY).first()
    )
    if county is None:
        raise NotFound(_("No such county."))
    if not scope.may_oversee(user, county):
        raise Forbidden(_("Only the county's safety committee office opens the monthly dispatch."))
    if the_month > policy.month_start(today):
        raise ValidationFailed(
            {"month": [_("A month is opened once it has begun, not in advance.")]}
        )
    due = policy.due_on(the_month, current_policy())
    with transaction.atomic():
        # Two openings of the same county at once are serialised on the county row.
        Division.objects.select_for_update().filter(pk=county.pk).first()
        existing = DispatchForm.objects.filter(month=the_month, county=county)
        have_towns = set(existing.exclude(division=None).values_list("division_id", flat=True))
        have_depts = set(existing.exclude(department=None).values_list("department_id", flat=True))
        towns = Division.objects.filter(parent=county, level=DivisionLevel.TOWNSHIP).exclude(
            pk__in=have_towns
        )
        depts = Department.objects.filter(division=county).exclude(pk__in=have_depts)
        new = [
            DispatchForm(month=the_month, county=county, division=t, due_on=due) for t in towns
        ] + [DispatchForm(month=the_month, county=county, department=d, due_on=due) for d in depts]
        for form in new:
            form.save()
        DispatchEvent.objects.bulk_create(
            DispatchEvent(form=f, action=OPEN, to_state=DispatchState.DRAFT, actor=user)
            for f in new
        )
        total = existing.count()
        key = policy.month_key(the_month)
        if new:
            audit_append(
                actor=actor,
                action="dispatch.open",
                object_type="dispatch.dispatchform",
                object_id=f"{county.code}/{key}",
                summary=f"{county.name} {key}: {len(new)}",
                changes={
                    "county": county.pk,
                    "month": key,
                    "due_on": due.isoformat(),
                    "opened": [f.pk for f in new],
                },
            )
    return {"county": county, "month": the_month, "created": len(new), "total": total}


# --- the respondent ------------------------------------------------------------------------------


def _locked_form(user: Any, form_id: int) -> DispatchForm:
    found = scope.visible_forms(user).filter(pk=form_id).exists()
    if not found:
        raise NotFound(_("No such dispatch form."))
    return (
        DispatchForm.objects.select_for_update(of=("self",))
        .select_related("division", "department", "county")
        .get(pk=form_id)
    )


def _check(form: DispatchForm, action: str, version: Any) -> str:
    to = TRANSITIONS.get((form.state, action))
    if to is None:
        if form.state == DispatchState.SUBMITTED:
            raise Conflict(
                _("This form is submitted; it changes only if it is returned for correction.")
            )
        raise Conflict(_("Only a submitted form is returned."))
    if version is not None and str(version) != str(form.version):
        raise Conflict(_("The form was changed since you opened it; open it again."))
    return to


def _count(errors: dict[str, list[str]], name: str, value: Any) -> int | None:
    """A whole number, 0 or more (ASCII or full-width digits); blank → None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdecimal():
        number = int(value.strip())
    if number is None or number < 0:
        errors[name] = [_("Enter a whole number, 0 or more.")]
        return None
    if number > COUNT_MAX:
        errors[name] = [_("At most %(n)d.") % {"n": COUNT_MAX}]
        return None
    return number


def _amount(errors: dict[str, list[str]], name: str, value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        errors[name] = [_("Enter an amount in yuan, 0 or more, with at most two decimals.")]
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:
        errors[name] = [_("Enter an amount in yuan, 0 or more, with at most two decimals.")]
        return None
    if amount > AMOUNT_MAX:
        errors[name] = [_("The amount is too large.")]
        return None
    return amount.quantize(Decimal("0.01"))


def clean_items(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The items given in `data`, checked (missing keys are left out, blank ones empty)."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for name in policy.COUNT_ITEMS:
        if name in data:
            out[name] = _count(errors, name, data[name])
    for name in policy.AMOUNT_ITEMS:
        if name in data:
            out[name] = _amount(errors, name, data[name])
    if "notes" in data:
        out["notes"] = _text(errors, data, "notes", limit=NOTES_LIMIT)
    return out, errors


def _figures_json(form: DispatchForm) -> dict[str, Any]:
    return {
        **{k: (None if v is None else policy._plain(v)) for k, v in form.figures().items()},
        "notes": form.notes,
    }


def signed_content(form: DispatchForm, signer: str) -> dict[str, Any]:
    """What the signature covers: the month, the respondent, the figures, the notes and
    the signer's name."""
    return {
        "month": form.month_key,
        "respondent": f"division:{form.division_id}"
        if form.division_id
        else f"department:{form.department_id}",
        **form.figures(),
        "notes": form.notes,
        "signed_by": signer,
    }


def _apply(user: Any, form: DispatchForm, action: str, data: dict[str, Any] | None) -> None:
    if not scope.may_fill(user, form):
        raise Forbidden(
            _(
                "Only the township's safety committee office or the department's officers fill its form."
            )
        )
    values, errors = clean_items(data or {})
    if errors:
        raise ValidationFailed(errors)
    for name, value in values.items():
        setattr(form, name, value)


def dispatch_save(
    *, actor: Actor, form_id: int, version: Any = None, data: dict[str, Any]
) -> DispatchForm:
    """Save the respondent's draft (items may be left empty)."""
    user = _user(actor, _("No such dispatch form."))
    with transaction.atomic():
        form = _locked_form(user, form_id)
        _apply(user, form, SAVE, None)
        to = _check(form, SAVE, version)
        _apply(user, form, SAVE, data)
        form.state = to
        form.version += 1
        form.save()
        DispatchEvent.objects.create(
            form=form,
            action=SAVE,
            from_state=to,
            to_state=to,
            actor=user,
            figures=_figures_json(form),
        )
        audit_append(
            actor=actor,
            action="dispatch.save",
            obj=form,
            summary=str(form),
            changes={"version": form.version, "figures": _figures_json(form)},
        )
    return form


def dispatch_submit(
    *,
    actor: Actor,
    form_id: int,
    version: Any = None,
    data: dict[str, Any] | None = None,
) -> DispatchForm:
    """Submit the form (with `data` saved first, if given): every item is required. The
    submitter's name and the SHA-256 of the submitted content are kept with the row."""
    user = _user(actor, _("No such dispatch form."))
    with transaction.atomic():
        form = _locked_form(user, form_id)
        _apply(user, form, SUBMIT, None)
        to = _check(form, SUBMIT, version)
        _apply(user, form, SUBMIT, data)
        missing = {
            name: [_("Required to submit; enter 0 if there were none.")]
            for name in policy.ITEMS
            if getattr(form, name) is None
        }
        if missing:
            raise ValidationFailed(missing)
        from_state = form.state
        now = timezone.now()
        signer = user.display_name or user.get_username()
        form.state = to
        form.version += 1
        form.submitted_at = now
        form.first_submitted_at = form.first_submitted_at or now
        form.submitted_by = user
        form.signed_name = signer
        form.signature = policy.signature(signed_content(form, signer))
        form.return_reason = ""
        form.save()
        DispatchEvent.objects.create(
            form=form,
            action=SUBMIT,
            from_state=from_state,
            to_state=to,
            actor=user,
            at=now,
            figures=_figures_json(form),
            signature=form.signature,
        )
        audit_append(
            actor=actor,
            action="dispatch.submit",
            obj=form,
            summary=str(form),
            changes={
                "version": form.version,
                "figures": _figures_json(form),
                "signed_by": signer,
                "signature": form.signature,
                "due_on": form.due_on.isoformat(),
                "late": form.is_late,
            },
        )
    return form


def dispatch_return(
    *, actor: Actor, form_id: int, reason: Any, version: Any = None
) -> DispatchForm:
    """The county's safety committee office returns a submitted form for correction,
    with a reason; its respondents are told."""
    user = _user(actor, _("No such dispatch form."))
    with transaction.atomic():
        form = _locked_form(user, form_id)
        if not scope.may_oversee(user, form.county):
            raise Forbidden(_("Only the county's safety committee office returns a form."))
        to = _check(form, RETURN, version)
        errors: dict[str, list[str]] = {}
        text = _text(errors, {"reason": reason}, "reason", limit=REASON_LIMIT)
        if not errors and not text:
            errors["reason"] = [_("Give the reason for the return.")]
        if errors:
            raise ValidationFailed(errors)
        from_state = form.state
        form.state = to
        form.version += 1
        form.return_reason = text
        form.save()
        DispatchEvent.objects.create(
            form=form,
            action=RETURN,
            from_state=from_state,
            to_state=to,
            actor=user,
            figures=_figures_json(form),
            reason=text,
        )
        audit_append(
            actor=actor,
            action="dispatch.return",
            obj=form,
            summary=str(form),
            changes={"version": form.version, "reason": text},
        )
        notify(
            recipients=fillers(form),
            kind="decision",
            title=_("Monthly dispatch %(month)s returned for correction")
            % {"month": form.month_key},
            body=text,
            link=reverse("dispatch:form", args=[form.pk]),
            object_label=form.month_key,
        )
    return form

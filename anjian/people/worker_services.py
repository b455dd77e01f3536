"""Workers (issue 15 item 5): the enterprise's people, with or without an account.

Kept by the enterprise's principal and safety officers (主体责任); regulators read in
their jurisdiction (anjian.core.scoping.visible). A worker who leaves is marked
`active=False`, never deleted: training, certificates, permits and points hang on him.

The 居民身份证号码 is personal data: checked (GB 11643-1999, anjian.people.idcard),
shown masked everywhere except to the enterprise's keepers on the edit page, and never
written whole to the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role, User
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Forbidden, NotFound, ValidationFailed

from . import idcard
from .models import Worker

KEEPER_ROLES = frozenset({Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER})
WORKER_FIELDS = ("name", "id_number", "post", "phone", "hired_on", "user")
LIMITS = {"name": 64, "post": 64, "phone": 32}


def may_keep(user: Any, enterprise_id: int | None) -> bool:
    """The enterprise's principal and safety officers keep its workers."""
    return (
        scoping.is_active_user(user)
        and user.role in KEEPER_ROLES
        and enterprise_id is not None
        and user.enterprise_id == enterprise_id
    )


def may_add(user: Any) -> bool:
    return scoping.is_active_user(user) and user.role in KEEPER_ROLES and bool(user.enterprise_id)


def visible_workers(user: Any) -> QuerySet[Worker]:
    return scoping.visible(user, Worker)


def masked_id(worker: Worker) -> str:
    return idcard.mask(worker.id_number)


def id_problem_messages(codes: list[str]) -> list[str]:
    text = {
        "length": _("An identity card number has 18 characters."),
        "characters": _("17 digits and a digit or X as the last character."),
        "birth_date": _("The birth date in the number is not a real date."),
        "check": _("The check character is wrong (GB 11643-1999): please check the number."),
        "mismatch": _("The number differs from the holder's identity card number."),
    }
    return [text[c] for c in codes]


def _date(value: Any, errors: dict[str, list[str]], name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.setdefault(name, []).append(_("Enter a date as YYYY-MM-DD."))
        return None


def _clean(
    data: Mapping[str, Any], *, enterprise_id: int, worker: Worker | None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The values to store and every problem; `worker` None: a new one (name required)."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(WORKER_FIELDS))
    for name in unknown:
        errors[name] = [_("Unknown field.")]
    values: dict[str, Any] = {}
    for name in ("name", "post", "phone"):
        if name not in data:
            continue
        if data[name] is not None and not isinstance(data[name], str):
            errors[name] = [_("Enter text.")]
            continue
        text = (data[name] or "").strip()
        if len(text) > LIMITS[name]:
            errors[name] = [_("At most %(n)d characters.") % {"n": LIMITS[name]}]
        values[name] = text
    if (worker is None and not values.get("name")) or ("name" in values and not values["name"]):
        errors["name"] = [_("This field is required.")]
    if "id_number" in data:
        raw = data["id_number"]
        if raw is not None and not isinstance(raw, str):
            errors["id_number"] = [_("Enter text.")]
        else:
            number = idcard.normalise(raw or "")
            if number:
                codes = idcard.problems(number, today=timezone.localdate())
                if codes:
                    errors["id_number"] = id_problem_messages(codes)
                else:
                    clash = Worker.objects.filter(enterprise_id=enterprise_id, id_number=number)
                    if worker is not None:
                        clash = clash.exclude(pk=worker.pk)
                    if clash.exists():
                        errors["id_number"] = [
                            _("Another worker of this enterprise has this number.")
                        ]
            values["id_number"] = number
    if "hired_on" in data:
        values["hired_on"] = _date(data["hired_on"], errors, "hired_on")
        if values["hired_on"] and values["hired_on"] > timezone.localdate():
            errors.setdefault("hired_on", []).append(_("The date is in the future."))
    if "user" in data:
        raw = data["user"]
        if raw in (None, ""):
            values["user"] = None
        else:
            try:
                pk = int(raw)
            except (TypeError, ValueError):
                pk = 0
            account = (
                User.objects.filter(pk=pk, enterprise_id=enterprise_id).first() if pk else None
            )
            if account is None:
                errors["user"] = [_("Choose an account of this enterprise.")]
            else:
                taken = Worker.objects.filter(user=account)
                if worker is not None:
                    taken = taken.exclude(pk=worker.pk)
                if taken.exists():
                    errors["user"] = [_("This account is linked to another worker.")]
                values["user"] = account
    return values, errors


def _audit_values(values: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        if key == "id_number":
            value = idcard.mask(value)  # never the whole number in the log
        elif key == "user":
            value = value.pk if value is not None else None
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out[key] = value
    return out


def worker_create(
    *, actor: Actor, data: Mapping[str, Any], enterprise_id: int | None = None
) -> Worker:
    """A new worker of the actor's enterprise."""
    user = actor.user
    if not may_add(user):
        raise Forbidden(_("Only the enterprise's principal or safety officer keeps its workers."))
    if enterprise_id is not None and enterprise_id != user.enterprise_id:
        raise NotFound(_("No such enterprise in your scope."))
    enterprise_id = user.enterprise_id
    values, errors = _clean(data, enterprise_id=enterprise_id, worker=None)
    if errors:
        raise ValidationFailed(errors)
    try:
        with transaction.atomic():
            worker = Worker.objects.create(enterprise_id=enterprise_id, **values)
            audit_append(
                actor=actor,
                action="create",
                obj=worker,
                summary=_("Worker %(name)s") % {"name": worker.name},
                changes=_audit_values(values),
            )
    except IntegrityError as exc:  # a concurrent worker with the same number or account
        raise ValidationFailed({"id_number": [_("Another worker has this number.")]}) from exc
    return worker


def _lock(actor: Actor, worker_id: Any) -> Worker:
    try:
        pk = int(worker_id)
    except (TypeError, ValueError):
        pk = 0
    if pk < 1 or not visible_workers(actor.user).filter(pk=pk).exists():
        raise NotFound(_("No such worker in your scope."))
    worker = Worker.objects.select_for_update().get(pk=pk)
    if not may_keep(actor.user, worker.enterprise_id):
        raise Forbidden(_("Only the enterprise's principal or safety officer keeps its workers."))
    return worker


def worker_update(*, actor: Actor, worker_id: Any, data: Mapping[str, Any]) -> Worker:
    """Change some of the fields (those given)."""
    try:
        with transaction.atomic():
            worker = _lock(actor, worker_id)
            values, errors = _clean(data, enterprise_id=worker.enterprise_id, worker=worker)
            if errors:
                raise ValidationFailed(errors)
            before = {k: getattr(worker, k) for k in values}
            changed = {k: v for k, v in values.items() if before[k] != v}
            if not changed:
                return worker
            for key, value in changed.items():
                setattr(worker, key, value)
            worker.save(update_fields=list(changed))
            audit_append(
                actor=actor,
                action="update",
                obj=worker,
                summary=_("Worker %(name)s") % {"name": worker.name},
                changes={
                    k: [before_v, after_v]
                    for k, before_v, after_v in (
                        (k, _audit_values({k: before[k]})[k], _audit_values({k: v})[k])
                        for k, v in changed.items()
                    )
                },
            )
    except IntegrityError as exc:
        raise ValidationFailed({"id_number": [_("Another worker has this number.")]}) from exc
    return worker


def worker_leave(*, actor: Actor, worker_id: Any, active: bool = False) -> Worker:
    """The worker leaves (active=False) or comes back; never deleted."""
    with transaction.atomic():
        worker = _lock(actor, worker_id)
        if worker.active == active:
            return worker
        worker.active = active
        worker.save(update_fields=["active"])
        audit_append(
            actor=actor,
            action="leave" if not active else "rejoin",
            obj=worker,
            summary=_("Worker %(name)s") % {"name": worker.name},
            changes={"active": [not active, active]},
        )
    return worker


def linkable_accounts(enterprise_id: int) -> QuerySet[User]:
    return User.objects.filter(enterprise_id=enterprise_id, is_active=True).order_by("username")

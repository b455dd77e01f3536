"""Declared conflicts of interest (利害关系, 回避) for the double-random draw (issue 12
item 5): `conflict_declare` and `conflict_withdraw`, and what a user may read.

An inspector declares for themself, or an officer of the inspector's department declares
for a member of its roster (services.roster). The enterprise must be in the declarer's
scope. A declaration stands until withdrawn by the declarer's side (the inspector or an
officer of the inspector's department); it is never deleted, because a published draw
lists the declarations it respected and is re-run with them. While it stands, the draw
(services.draw_run) never sends the inspector to the enterprise.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role, User
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .models import ConflictOfInterest
from .services import roster

REASON_LIMIT = 255


def is_officer(user: Any) -> bool:
    return bool(
        scoping.is_active_user(user) and user.role == Role.DEPARTMENT_OFFICER and user.department_id
    )


def visible_conflicts(user: Any) -> QuerySet[ConflictOfInterest]:
    """The declarations of the officer's department's roster (their own among them) for
    enterprises in their scope; nobody else reads declarations (not the enterprise: a
    declaration is the department's internal matter)."""
    if not is_officer(user):
        return ConflictOfInterest.objects.none()
    return scoping.visible(user, ConflictOfInterest).filter(
        inspector__department_id=user.department_id
    )


def declarable_inspectors(user: Any) -> QuerySet[User]:
    """Whom the user may declare for: their department's roster (themself included)."""
    if not is_officer(user):
        return User.objects.none()
    return roster(user.department_id)


def _duplicate() -> ValidationFailed:
    return ValidationFailed(
        {"enterprise": [_("A declaration for this inspector and enterprise already stands.")]}
    )


def conflict_declare(
    *, actor: Actor, inspector_id: Any, enterprise_id: Any, reason: Any
) -> ConflictOfInterest:
    """Declare that the inspector has a conflict of interest with the enterprise: the
    draw leaves them apart from now on."""
    user = actor.user
    if not is_officer(user):
        raise Forbidden(_("Only a department's inspectors declare conflicts of interest."))
    errors: dict[str, list[str]] = {}
    try:
        inspector_pk = int(inspector_id)
    except (TypeError, ValueError):
        inspector_pk = None
    inspector = (
        declarable_inspectors(user).filter(pk=inspector_pk).first()
        if inspector_pk is not None
        else None
    )
    if inspector is None:
        errors["inspector"] = [_("Choose yourself or an inspector of your department.")]
    try:
        enterprise_pk = int(enterprise_id)
    except (TypeError, ValueError):
        enterprise_pk = None
    enterprise = (
        scoping.visible_enterprises(user).filter(pk=enterprise_pk).first()
        if enterprise_pk is not None
        else None
    )
    if enterprise is None:
        errors["enterprise"] = [_("No such enterprise in your jurisdiction.")]
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        errors["reason"] = [_("Say what the conflict of interest is.")]
    elif len(text) > REASON_LIMIT:
        errors["reason"] = [_("At most %(n)d characters.") % {"n": REASON_LIMIT}]
    if errors:
        raise ValidationFailed(errors)
    if ConflictOfInterest.objects.filter(
        inspector=inspector, enterprise=enterprise, withdrawn_at__isnull=True
    ).exists():
        raise _duplicate()
    try:
        with transaction.atomic():
            conflict = ConflictOfInterest.objects.create(
                inspector=inspector,
                enterprise=enterprise,
                reason=text,
                declared_by=user,
                declared_at=timezone.now(),
            )
            audit_append(
                actor=actor,
                action="inspection_conflict_declare",
                obj=conflict,
                summary=f"conflict of interest: {inspector.get_username()} / {enterprise.uscc}",
                changes={
                    "inspector_id": inspector.pk,
                    "enterprise_id": enterprise.pk,
                    "reason": text,
                },
            )
    except IntegrityError as exc:  # a declaration for the same pair won the race
        raise _duplicate() from exc
    return conflict


def conflict_withdraw(*, actor: Actor, conflict_id: Any) -> ConflictOfInterest:
    """Withdraw a standing declaration (kept, with who withdrew it and when): the next
    draw may send the inspector to the enterprise again."""
    user = actor.user
    try:
        pk = int(conflict_id)
    except (TypeError, ValueError):
        pk = None
    if pk is None or not visible_conflicts(user).filter(pk=pk).exists():
        raise NotFound(_("No such declaration of your department."))
    with transaction.atomic():
        conflict = ConflictOfInterest.objects.select_for_update().get(pk=pk)
        if conflict.withdrawn_at is not None:
            raise Conflict(_("This declaration has already been withdrawn."))
        conflict.withdrawn_at = timezone.now()
        conflict.withdrawn_by = user
        conflict.save(update_fields=["withdrawn_at", "withdrawn_by"])
        audit_append(
            actor=actor,
            action="inspection_conflict_withdraw",
            obj=conflict,
            summary=f"conflict of interest {conflict.pk} withdrawn",
            changes={
                "inspector_id": conflict.inspector_id,
                "enterprise_id": conflict.enterprise_id,
            },
        )
    return conflict

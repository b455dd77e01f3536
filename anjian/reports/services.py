"""Writes of the periodic reports: preparing and signing the enterprise's hazard statistics
table (16号令 第十四条, standards.md A7.1). Same contract as the other services: keyword
arguments, one transaction, scope checked first (out of scope → NotFound), the role next
(Forbidden), then the state (Conflict) and the data (ValidationFailed), an audit entry
with every change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.hazards.services import _text
from anjian.registry.models import Enterprise

from . import periods, queries
from .models import HazardStatement

ANALYSIS_LIMIT = 5000
REASON_LIMIT = 1000
# Who prepares the table: the enterprise's principal or safety officer; who signs it:
# the principal only (16号令 第十四条: "由生产经营单位主要负责人签字").
PREPARERS = frozenset({Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER})
SIGNER = Role.ENTERPRISE_PRINCIPAL


def may_prepare(user: Any, enterprise: Enterprise) -> bool:
    return bool(
        scoping.is_active_user(user)
        and user.role in PREPARERS
        and user.enterprise_id == enterprise.pk
    )


def may_sign(user: Any, statement: HazardStatement) -> bool:
    return bool(
        scoping.is_active_user(user)
        and user.role == SIGNER
        and user.enterprise_id == statement.enterprise_id
        and not statement.is_signed
    )


def _period(value: Any) -> periods.Period:
    try:
        return periods.parse(value)
    except periods.PeriodError:
        raise ValidationFailed(
            {"period": [_("Enter a quarter such as 2026Q1 or a year such as 2026.")]}
        ) from None


def _user(actor: Actor) -> Any:
    if actor.user is None or not scoping.is_active_user(actor.user):
        raise NotFound(_("No such enterprise."))
    return actor.user


def hazard_statement_prepare(
    *,
    actor: Actor,
    enterprise_id: int,
    period: periods.Period | str,
    analysis: Any = "",
    reason: Any = "",
    today: dt.date | None = None,
) -> HazardStatement:
    """Compute the table's figures from the ledger and keep them with the enterprise's
    written analysis. An unsigned draft is prepared again in place; once the period's
    table is signed, preparing makes a correction (a new version pointing at the signed
    one) and needs a reason."""
    user = _user(actor)
    enterprise = scoping.visible(user, Enterprise).filter(pk=enterprise_id).first()
    if enterprise is None:
        raise NotFound(_("No such enterprise."))
    if not may_prepare(user, enterprise):
        raise Forbidden(
            _("Only the enterprise's principal or safety officer prepares its statistics table.")
        )
    the_period = _period(period)
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not the_period.has_ended(today):
        errors["period"] = [
            _("%(period)s has not ended yet: its table is prepared after %(end)s.")
            % {"period": the_period.key, "end": the_period.end.isoformat()}
        ]
    data = {"analysis": analysis, "reason": reason}
    analysis_text = _text(errors, data, "analysis", limit=ANALYSIS_LIMIT)
    reason_text = _text(errors, data, "reason", limit=REASON_LIMIT)
    if errors:
        raise ValidationFailed(errors)
    try:
        with transaction.atomic():
            statement = _prepare(
                actor, user, enterprise, the_period, analysis_text, reason_text, today
            )
    except IntegrityError:
        raise Conflict(
            _("Somebody prepared this table at the same moment; open it again.")
        ) from None
    return statement


def _prepare(
    actor: Actor,
    user: Any,
    enterprise: Enterprise,
    period: periods.Period,
    analysis: str,
    reason: str,
    today: dt.date,
) -> HazardStatement:
    existing = list(
        HazardStatement.objects.select_for_update()
        .filter(enterprise=enterprise, year=period.year, quarter=period.quarter)
        .order_by("version")
    )
    draft = next((s for s in existing if not s.is_signed), None)
    signed = [s for s in existing if s.is_signed]
    latest_signed = signed[-1] if signed else None
    if latest_signed is not None and not reason:
        raise ValidationFailed(
            {
                "reason": [
                    _(
                        "The table for %(period)s is signed and is not changed; "
                        "a correction needs a reason."
                    )
                    % {"period": period.key}
                ]
            }
        )
    figures = queries.enterprise_figures(enterprise.pk, period, today)
    now = timezone.now()
    if draft is not None:
        draft.figures = figures
        draft.analysis = analysis
        draft.correction_reason = reason if latest_signed is not None else ""
        draft.prepared_by = user
        draft.prepared_at = now
        draft.revision += 1
        draft.save()
        statement = draft
        verb = "prepare_again"
    else:
        version = (
            HazardStatement.objects.filter(
                enterprise=enterprise, year=period.year, quarter=period.quarter
            ).aggregate(v=Max("version"))["v"]
            or 0
        ) + 1
        statement = HazardStatement.objects.create(
            enterprise=enterprise,
            period_kind=period.kind,
            year=period.year,
            quarter=period.quarter,
            due_on=period.due,
            version=version,
            corrects=latest_signed,
            correction_reason=reason if latest_signed is not None else "",
            figures=figures,
            analysis=analysis,
            prepared_by=user,
            prepared_at=now,
        )
        verb = "correct" if latest_signed is not None else "prepare"
    audit_append(
        actor=actor,
        action=f"hazard_statement.{verb}",
        obj=statement,
        summary=f"{enterprise.name} {period.key} v{statement.version}",
        changes={
            "period": period.key,
            "version": statement.version,
            "revision": statement.revision,
            "corrects": statement.corrects_id,
            "reason": statement.correction_reason,
            "figures": figures,
        },
    )
    return statement


def hazard_statement_sign(
    *, actor: Actor, statement_id: int, revision: int | None = None
) -> HazardStatement:
    """The principal signs the table, which submits it to the regulators. Signed once,
    never changed; `revision` (when given) must be the one the principal read."""
    if actor.user is None or not scoping.is_active_user(actor.user):
        raise NotFound(_("No such statistics table."))
    user = actor.user
    statement = (
        scoping.visible(user, HazardStatement)
        .select_related("enterprise", "signed_by")
        .filter(pk=statement_id)
        .first()
    )
    if statement is None:
        raise NotFound(_("No such statistics table."))
    if user.role != SIGNER or user.enterprise_id != statement.enterprise_id:
        raise Forbidden(
            _(
                "Only the enterprise's principal (主要负责人) signs the statistics table "
                "(16号令 第十四条)."
            )
        )
    if statement.is_signed:
        raise Conflict(
            _("This table was signed on %(date)s and is not changed; prepare a correction instead.")
            % {"date": timezone.localtime(statement.signed_at).strftime("%Y-%m-%d %H:%M")}
        )
    if revision is not None and revision != statement.revision:
        raise Conflict(
            _("The table was prepared again since you opened it; read it again and sign.")
        )
    if not statement.analysis.strip():
        raise ValidationFailed({"analysis": [_("Write the analysis before the table is signed.")]})
    now = timezone.now()
    with transaction.atomic():
        won = HazardStatement.objects.filter(
            pk=statement.pk, signed_at__isnull=True, revision=statement.revision
        ).update(signed_by=user, signed_at=now, submitted_at=now)
        if not won:
            raise Conflict(_("Somebody changed or signed this table first; open it again."))
        statement.refresh_from_db()
        audit_append(
            actor=actor,
            action="hazard_statement.sign",
            obj=statement,
            summary=f"{statement.enterprise.name} {statement.period.key} v{statement.version}",
            changes={
                "period": statement.period.key,
                "version": statement.version,
                "revision": statement.revision,
                "submitted_at": now.isoformat(),
                "due_on": statement.due_on.isoformat(),
                "late": statement.is_late,
            },
        )
    return statement

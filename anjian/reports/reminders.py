"""The scheduled job that reminds enterprises of their hazard statistics table.

Local policy (no national rule on reminders; the due dates are 16号令 第十四条): the
principal and safety officers of every enterprise (not closed) that has not signed the
last ended quarter's or year's table are told once when the due date is
ANJIAN_STATEMENT_REMIND_DAYS days away or nearer (default 5), and once more after it has
passed (within ANJIAN_STATEMENT_OVERDUE_WINDOW days of the due date, default 60: an old
year's table is not brought up again months later). Each (enterprise, period, stage) is written once to StatementReminder, so the job
is idempotent: a second run, or a second worker, reminds nobody twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import User
from anjian.core.audit import Actor, audit_append
from anjian.core.notify import notify
from anjian.registry.models import Enterprise, EnterpriseStatus

from . import periods
from .forms import period_label
from .models import HazardStatement, ReminderStage, StatementReminder
from .services import PREPARERS

DEFAULT_REMIND_DAYS = 5
DEFAULT_OVERDUE_WINDOW = 60
CHUNK = 1000


def remind_days() -> int:
    return int(getattr(settings, "ANJIAN_STATEMENT_REMIND_DAYS", DEFAULT_REMIND_DAYS))


def overdue_window() -> int:
    return int(getattr(settings, "ANJIAN_STATEMENT_OVERDUE_WINDOW", DEFAULT_OVERDUE_WINDOW))


def stage_on(
    period: periods.Period, today: dt.date, days_before: int, window: int = DEFAULT_OVERDUE_WINDOW
) -> str | None:
    """Which reminder is due today for an unsigned table of `period`, if any."""
    if today > period.due:
        if (today - period.due).days > window:
            return None
        return ReminderStage.OVERDUE
    if today >= period.due - dt.timedelta(days=days_before):
        return ReminderStage.DUE_SOON
    return None


def _owing(period: periods.Period, stage: str) -> list[int]:
    signed = HazardStatement.objects.filter(
        enterprise_id=OuterRef("pk"),
        year=period.year,
        quarter=period.quarter,
        signed_at__isnull=False,
    )
    reminded = StatementReminder.objects.filter(
        enterprise_id=OuterRef("pk"), year=period.year, quarter=period.quarter, stage=stage
    )
    return list(
        Enterprise.objects.exclude(status=EnterpriseStatus.CLOSED)
        .exclude(Exists(signed))
        .exclude(Exists(reminded))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _message(period: periods.Period, stage: str) -> tuple[str, str]:
    values = {"period": str(period_label(period)), "due": period.due.isoformat()}
    if stage == ReminderStage.OVERDUE:
        return (
            _("Hazard statistics table %(period)s is overdue") % values,
            _(
                "The table for %(period)s was due by %(due)s and has not been signed by the "
                "principal. Prepare it and have it signed now (16号令 第十四条)."
            )
            % values,
        )
    return (
        _("Hazard statistics table %(period)s is due by %(due)s") % values,
        _(
            "Prepare the table for %(period)s with your analysis; the principal signs it by "
            "%(due)s (16号令 第十四条)."
        )
        % values,
    )


def statements_remind(*, today: dt.date | None = None) -> dict[str, Any]:
    """Run once a day. Returns what it did, per period and stage."""
    today = today or timezone.localdate()
    days = remind_days()
    out: dict[str, Any] = {"today": today.isoformat(), "periods": []}
    for period in (periods.last_closed(today), periods.last_closed(today, periods.YEAR)):
        stage = stage_on(period, today, days, overdue_window())
        if stage is None:
            continue
        ids = _owing(period, stage)
        reminded = skipped = 0
        title, body = _message(period, stage)
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            try:
                with transaction.atomic():
                    StatementReminder.objects.bulk_create(
                        StatementReminder(
                            enterprise_id=pk,
                            year=period.year,
                            quarter=period.quarter,
                            stage=stage,
                        )
                        for pk in chunk
                    )
                    staff: dict[int, list[User]] = defaultdict(list)
                    for user in User.objects.filter(
                        enterprise_id__in=chunk, role__in=PREPARERS, is_active=True
                    ):
                        staff[user.enterprise_id].append(user)
                    for pk in chunk:
                        notify(
                            recipients=staff.get(pk, []),
                            kind="deadline",
                            title=title,
                            body=body,
                            link=reverse("reports:enterprise-statements", args=[pk]),
                            object_label=period.key,
                        )
            except IntegrityError:
                skipped += len(chunk)  # another worker reminded this chunk first
                continue
            reminded += len(chunk)
        out["periods"].append(
            {"period": period.key, "stage": stage, "reminded": reminded, "skipped": skipped}
        )
        if reminded:
            audit_append(
                actor=Actor.system("job", "statements_remind"),
                action="hazard_statement.remind",
                object_type="reports.statementreminder",
                object_id=period.key,
                summary=f"{period.key} {stage}: {reminded}",
                changes={"period": period.key, "stage": stage, "enterprises": reminded},
            )
    return out

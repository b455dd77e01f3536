"""The scheduled job that reminds townships and departments of their monthly dispatch
form (local policy, data/dispatch_policy.json): once when the due date is `remind_days`
away or nearer, once more after it has passed (within `overdue_window` days). Each
(form, stage) is written once to DispatchReminder, so the job is idempotent: a second
run, or a second worker, reminds nobody twice. The same notification helper as the
hazard statements (anjian.core.notify.notify, kind "deadline")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.audit import Actor, audit_append
from anjian.core.notify import notify

from . import policy
from .models import DispatchForm, DispatchReminder, DispatchState
from .services import current_policy, fillers


def _message(form: DispatchForm, stage: str) -> tuple[str, str]:
    values = {"month": form.month_key, "due": form.due_on.isoformat()}
    if stage == policy.OVERDUE:
        return (
            _("Monthly dispatch %(month)s is overdue") % values,
            _(
                "The monthly dispatch form for %(month)s was due by %(due)s. Fill it in and submit it now."
            )
            % values,
        )
    return (
        _("Monthly dispatch %(month)s is due by %(due)s") % values,
        _("Fill in the monthly dispatch form for %(month)s and submit it by %(due)s.") % values,
    )


def dispatch_remind(*, today: dt.date | None = None) -> dict[str, Any]:
    """Run once a day. Returns what it did per stage."""
    today = today or timezone.localdate()
    pol = current_policy()
    earliest = today - dt.timedelta(days=pol.overdue_window)
    latest = today + dt.timedelta(days=pol.remind_days)
    owing = (
        DispatchForm.objects.exclude(state=DispatchState.SUBMITTED)
        .filter(due_on__gte=earliest, due_on__lte=latest)
        .select_related("division", "department")
        .order_by("pk")
    )
    out: dict[str, Any] = {"today": today.isoformat(), "reminded": 0, "skipped": 0, "stages": {}}
    for form in owing:
        stage = policy.reminder_stage(form.due_on, today, pol)
        if stage is None:
            continue
        if DispatchReminder.objects.filter(form=form, stage=stage).exists():
            continue
        title, body = _message(form, stage)
        try:
            with transaction.atomic():
                DispatchReminder.objects.create(form=form, stage=stage)
                notify(
                    recipients=fillers(form),
                    kind="deadline",
                    title=title,
                    body=body,
                    link=reverse("dispatch:form", args=[form.pk]),
                    object_label=form.month_key,
                )
        except IntegrityError:
            out["skipped"] += 1  # another worker reminded this form first
            continue
        out["reminded"] += 1
        out["stages"][stage] = out["stages"].get(stage, 0) + 1
    if out["reminded"]:
        audit_append(
            actor=Actor.system("job", "dispatch_remind"),
            action="dispatch.remind",
            object_type="dispatch.dispatchreminder",
            object_id=today.isoformat(),
            summary=f"{today.isoformat()}: {out['reminded']}",
            changes={"stages": out["stages"]},
        )
    return out

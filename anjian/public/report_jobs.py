"""The daily job of whistleblower reports: remind the handler 7 days before the 60-day
deadline (standards.md A9: the 2012 text; 2018 UNCONFIRMED) and flag overdue reports.
Idempotent: each reminder and each overdue flag is an event, written once per report
(and once per deadline, so an extension gets its own reminder)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.audit import Actor

from . import report_rules as rules
from . import report_services as services
from . import report_workflow as wf
from .models import Report, ReportEvent


def reports_due(*, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    actor = Actor.system("job", "reports_due")
    out = {"reminded": 0, "overdue": 0}
    open_reports = Report.objects.filter(state__in=wf.OPEN_STATES, due_on__isnull=False)
    for report in open_reports.filter(due_on=today + dt.timedelta(days=rules.REMIND_DAYS_BEFORE)):
        out["reminded"] += _mark(
            actor, report, wf.REMIND, _("Whistleblower report %(code)s is due in 7 days")
        )
    for report in open_reports.filter(due_on__lt=today):
        out["overdue"] += _mark(
            actor, report, wf.OVERDUE, _("Whistleblower report %(code)s is overdue")
        )
    return out


def _mark(actor: Actor, report: Report, action: str, title: str) -> int:
    due = report.due_on.isoformat()
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if (
            locked.state not in wf.OPEN_STATES
            or ReportEvent.objects.filter(report=locked, action=action, data__due_on=due).exists()
        ):
            return 0
        ReportEvent.objects.create(report=locked, action=action, data={"due_on": due})
        services._audit(actor, locked, action, {"due_on": due})
        services._notify_later(locked, "deadline", title % {"code": f"#{locked.pk}"})
    return 1

"""The daily plans job (issue 14 item 1): run it from cron as
`anjian manage emergency_plans_due`, or enqueue the django-tasks task
`anjian.emergency.tasks.plans_due`.

1. Deemed filing: a submitted plan whose check deadline (5 working days) passed without
   an answer counts as filed (plan_services.plans_deem_filed; standards.md A10).
2. Reminders to the unit (its principal and safety officers): the filing deadline is
   near (within REMIND_WORKING_DAYS working days) or passed (第二十六条), the 3-year
   evaluation is overdue (第三十五条). Each reminder is told once per plan, kind and due
   date: it leaves a PlanEvent ("remind", data {"kind", "due"}) that a second run finds
   (looked for again under the plan's row lock, so two runs at once tell it once).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.audit import Actor
from anjian.core.models import NotificationKind
from anjian.core.notify import notify

from . import plan_rules as rules
from . import plan_services as ps
from . import plan_workflow as wf
from .models import Plan, PlanEvent

REMIND = "remind"
REMIND_WORKING_DAYS = 3
FILING_SOON = "filing_soon"
FILING_OVERDUE = "filing_overdue"
EVALUATION_OVERDUE = "evaluation_overdue"


def _reminder(kind: str, plan: Plan) -> tuple[str, str, str]:
    """(notification kind, title, body) of a reminder."""
    if kind == FILING_SOON:
        return (
            NotificationKind.DEADLINE,
            _("Emergency plan due for filing: %(title)s") % {"title": plan.title},
            _("Submit it for filing by %(due)s (20 working days after issue).")
            % {"due": plan.filing_due},
        )
    if kind == FILING_OVERDUE:
        return (
            NotificationKind.ESCALATION,
            _("Emergency plan not filed in time: %(title)s") % {"title": plan.title},
            _("The filing was due by %(due)s.") % {"due": plan.filing_due},
        )
    return (
        NotificationKind.DEADLINE,
        _("Emergency plan overdue for its evaluation: %(title)s") % {"title": plan.title},
        _("The 3-year evaluation was due by %(due)s.") % {"due": plan.evaluation_due},
    )


def _remind(actor: Actor, plan_id: int, kind: str, today: dt.date) -> bool:
    with transaction.atomic():
        plan = Plan.objects.select_for_update(of=("self",)).get(pk=plan_id)
        due = plan.evaluation_due if kind == EVALUATION_OVERDUE else plan.filing_due
        # Still the case under the lock (a step may have moved it since the query)?
        still = {
            FILING_SOON: plan.state in (wf.ISSUED, wf.RETURNED)
            and due is not None
            and not rules.is_overdue(due, today),
            FILING_OVERDUE: rules.filing_overdue(state=plan.state, filing_due=due, today=today),
            EVALUATION_OVERDUE: rules.evaluation_overdue(
                state=plan.state, evaluation_due=due, today=today
            ),
        }[kind]
        told = PlanEvent.objects.filter(
            plan_id=plan.pk, action=REMIND, data__kind=kind, data__due=str(due)
        ).exists()
        if not still or told:
            return False
        PlanEvent.objects.create(
            plan=plan, action=REMIND, actor=None, data={"kind": kind, "due": str(due)}
        )
        note_kind, title, body = _reminder(kind, plan)
        notify(
            recipients=ps._unit_people(plan.enterprise_id),
            kind=note_kind,
            title=title,
            body=body,
            link=ps._link(plan),
            object_label=str(plan),
        )
    return True


def plans_due_run(today: dt.date | None = None) -> dict[str, Any]:
    """The whole job; idempotent. Returns what it did, by kind."""
    today = today or timezone.localdate()
    actor = Actor.system("job", "emergency_plans_due")
    result: dict[str, Any] = {"today": str(today), "deemed_filed": ps.plans_deem_filed(today)}
    soon_until = rules.add_working_days(today, REMIND_WORKING_DAYS)
    queries = {
        FILING_SOON: Plan.objects.filter(
            state__in=(wf.ISSUED, wf.RETURNED), filing_due__gte=today, filing_due__lte=soon_until
        ),
        FILING_OVERDUE: Plan.objects.filter(ps.filing_overdue_q(today)),
        EVALUATION_OVERDUE: Plan.objects.filter(ps.evaluation_overdue_q(today)),
    }
    for kind, qs in queries.items():
        ids = list(qs.order_by("pk").values_list("pk", flat=True))
        result[kind] = sum(_remind(actor, pk, kind, today) for pk in ids)
    return result

"""The daily plans job: deemed filing, and filing and evaluation reminders told once
(a second run sends nothing new); the management command prints what it did."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from anjian.core.models import Notification
from anjian.emergency import plan_jobs
from anjian.emergency.models import Plan, PlanEvent
from tests.emergency.plan_helpers import draft, filed, issued, submitted

pytestmark = pytest.mark.django_db


def test_given_a_plan_near_its_filing_due_when_the_job_runs_twice_then_the_unit_is_told_once(world):
    plan = issued(world)
    # 26 Sep 2025 issue → due 30 Oct; on 27 Oct three working days are left.
    Plan.objects.filter(pk=plan.pk).update(
        filing_due=dt.date(2025, 10, 30), evaluation_due=dt.date(2028, 9, 26)
    )
    first = plan_jobs.plans_due_run(today=dt.date(2025, 10, 27))
    assert first[plan_jobs.FILING_SOON] == 1 and first[plan_jobs.FILING_OVERDUE] == 0
    again = plan_jobs.plans_due_run(today=dt.date(2025, 10, 28))
    assert again[plan_jobs.FILING_SOON] == 0
    told = Notification.objects.filter(kind="deadline")
    assert set(told.values_list("recipient__username", flat=True)) == {"principal_a", "safety_a"}
    assert told.count() == 2


def test_given_a_plan_past_its_filing_due_when_the_job_runs_then_an_escalation_once(world):
    plan = issued(world)
    Plan.objects.filter(pk=plan.pk).update(
        filing_due=dt.date(2025, 10, 30), evaluation_due=dt.date(2028, 9, 26)
    )
    assert plan_jobs.plans_due_run(today=dt.date(2025, 10, 31))[plan_jobs.FILING_OVERDUE] == 1
    assert plan_jobs.plans_due_run(today=dt.date(2025, 11, 3))[plan_jobs.FILING_OVERDUE] == 0
    assert Notification.objects.filter(kind="escalation").count() == 2
    assert PlanEvent.objects.filter(plan=plan, action="remind").count() == 1


def test_given_a_filed_plan_past_its_evaluation_when_the_job_runs_then_reminded_once(world):
    plan = filed(world)
    Plan.objects.filter(pk=plan.pk).update(evaluation_due=dt.date(2025, 1, 1))
    today = dt.date.today()
    assert plan_jobs.plans_due_run(today=today)[plan_jobs.EVALUATION_OVERDUE] == 1
    assert plan_jobs.plans_due_run(today=today)[plan_jobs.EVALUATION_OVERDUE] == 0


def test_given_a_submitted_plan_past_its_check_when_the_command_runs_then_it_counts_as_filed(world):
    plan = submitted(world)
    draft(world)
    Plan.objects.filter(pk=plan.pk).update(check_due=dt.date(2025, 10, 14))
    out = StringIO()
    call_command("emergency_plans_due", "--today", "2025-10-15", stdout=out)
    result = json.loads(out.getvalue())
    assert result["deemed_filed"] == 1
    plan.refresh_from_db()
    assert plan.state == "filed" and plan.deemed_filed
    out = StringIO()
    call_command("emergency_plans_due", "--today", "2025-10-15", stdout=out)
    assert json.loads(out.getvalue())["deemed_filed"] == 0


def test_given_a_bad_date_when_the_command_runs_then_an_error(world):
    with pytest.raises(CommandError):
        call_command("emergency_plans_due", "--today", "tomorrow")

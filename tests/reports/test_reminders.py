"""The reminder job: due soon, then overdue, once each per enterprise and period."""

import datetime as dt
import json
from io import StringIO

from django.core.management import call_command

from anjian.core.audit import Actor
from anjian.core.models import Notification
from anjian.reports import reminders, services
from anjian.reports.models import StatementReminder
from anjian.reports.periods import Period

Q3 = Period(2026, 3)  # due 2026-10-15


def test_given_dates_then_stage():
    assert reminders.stage_on(Q3, dt.date(2026, 10, 9), 5) is None
    assert reminders.stage_on(Q3, dt.date(2026, 10, 10), 5) == "due_soon"
    assert reminders.stage_on(Q3, dt.date(2026, 10, 15), 5) == "due_soon"
    assert reminders.stage_on(Q3, dt.date(2026, 10, 16), 5) == "overdue"
    assert reminders.stage_on(Q3, dt.date(2026, 12, 14), 5, 60) == "overdue"
    assert reminders.stage_on(Q3, dt.date(2026, 12, 15), 5, 60) is None  # 61 days late


def test_given_unsigned_tables_when_job_runs_twice_then_staff_told_once(world):
    first = reminders.statements_remind(today=dt.date(2026, 10, 12))
    assert first["periods"] == [
        {"period": "2026Q3", "stage": "due_soon", "reminded": 4, "skipped": 0}
    ]
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"principal_a", "safety_a", "principal_c"}  # not employees, not regulators
    again = reminders.statements_remind(today=dt.date(2026, 10, 13))
    assert again["periods"][0]["reminded"] == 0
    assert Notification.objects.count() == 3


def test_given_a_signed_table_then_that_enterprise_is_not_reminded(world):
    s = services.hazard_statement_prepare(
        actor=Actor.for_user(world.user("safety_a"), "web"),
        enterprise_id=world.chem_a.pk,
        period=Q3,
        analysis="已分析",
        today=dt.date(2026, 10, 2),
    )
    services.hazard_statement_sign(
        actor=Actor.for_user(world.user("principal_a"), "web"), statement_id=s.pk
    )
    out = reminders.statements_remind(today=dt.date(2026, 10, 16))
    assert out["periods"][0] == {
        "period": "2026Q3",
        "stage": "overdue",
        "reminded": 3,
        "skipped": 0,
    }
    assert not StatementReminder.objects.filter(enterprise=world.chem_a).exists()
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "principal_c"
    }


def test_given_january_then_the_year_is_reminded_too(world):
    out = reminders.statements_remind(today=dt.date(2027, 1, 28))
    stages = {(p["period"], p["stage"]) for p in out["periods"]}
    assert stages == {("2026Q4", "overdue"), ("2026", "due_soon")}


def test_given_the_command_then_json_report(world):
    buf = StringIO()
    call_command("statements_remind", "--today", "2026-10-20", stdout=buf)
    assert json.loads(buf.getvalue())["periods"][0]["stage"] == "overdue"

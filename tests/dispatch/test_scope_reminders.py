"""Who sees which form, and the reminder job."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils.translation import gettext

from anjian.core.models import Notification
from anjian.dispatch import reminders, scope, services
from anjian.dispatch.models import DispatchForm, DispatchReminder

from .conftest import actor, at, dept_form, submit, town_form

EXPECTED = {
    "coordinator_x": {
        "东镇",
        "南镇",
        "东县应急管理局",
        "东县住房和城乡建设局",
        "东县消防救援大队",
        "东县公安局",
    },
    "coordinator_city": {
        "东镇",
        "南镇",
        "东县应急管理局",
        "东县住房和城乡建设局",
        "东县消防救援大队",
        "东县公安局",
        "西镇",
        "西县应急管理局",
    },
    "town_coord_x": {"东镇"},
    "officer_emergency_x": {"东县应急管理局"},
    "officer_fire_x": {"东县消防救援大队"},
    "coordinator_y": {"西镇", "西县应急管理局"},
    "town_coord_y": {"西镇"},
    "grid_x1": set(),
    "expert_x": set(),
    "principal_a": set(),
    "safety_a": set(),
    "security_admin": set(),
    "audit_admin": set(),
    "outsider": set(),
}


@pytest.fixture
def both(opened):
    with time_machine.travel(at(5), tick=False):
        services.dispatch_open_month(actor=actor(opened, "coordinator_y"), month="2026-11")
    return opened


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_given_a_persona_then_it_sees_exactly_its_forms(both, who):
    seen = {
        f.respondent_name
        for f in scope.visible_forms(both.user(who)).select_related("division", "department")
    }
    assert seen == EXPECTED[who]


def test_given_an_inactive_coordinator_then_nothing(both):
    user = both.user("coordinator_x")
    user.is_active = False
    user.save()
    assert not scope.visible_forms(user).exists()


def test_given_the_platform_admin_then_reads_all_but_fills_none(both):
    admin = both.user("platform_admin")
    assert scope.visible_forms(admin).count() == DispatchForm.objects.count() == 8
    assert not any(scope.may_fill(admin, f) for f in DispatchForm.objects.all())


# --- reminders -------------------------------------------------------------------------------


def test_given_unsubmitted_forms_when_the_job_runs_twice_then_each_respondent_is_told_once(opened):
    submit(opened, "officer_emergency_x", dept_form(opened), day=20)
    assert reminders.dispatch_remind(today=dt.date(2026, 11, 21))["reminded"] == 0  # too early
    first = reminders.dispatch_remind(today=dt.date(2026, 11, 22))
    # 5 forms owe: 东镇, 南镇 (no office: nobody to tell), housing, fire, public security.
    assert first["reminded"] == 5 and first["stages"] == {"due_soon": 5}
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"town_coord_x", "officer_housing_x", "officer_fire_x"}
    assert Notification.objects.filter(kind="deadline").count() == 3
    again = reminders.dispatch_remind(today=dt.date(2026, 11, 23))
    assert again["reminded"] == 0 and Notification.objects.count() == 3


def test_given_the_due_date_passed_then_one_overdue_reminder_and_not_after_the_window(opened):
    submit(opened, "town_coord_x", town_form(opened), day=20)
    out = reminders.dispatch_remind(today=dt.date(2026, 11, 26))
    assert out["stages"] == {"overdue": 5}
    assert not DispatchReminder.objects.filter(form=town_form(opened)).exists()
    assert Notification.objects.filter(recipient__username="town_coord_x").count() == 0
    title = Notification.objects.filter(recipient__username="officer_fire_x").get().title
    assert title == gettext("Monthly dispatch %(month)s is overdue") % {"month": "2026-11"}
    assert reminders.dispatch_remind(today=dt.date(2026, 11, 27))["reminded"] == 0
    DispatchReminder.objects.all().delete()
    assert reminders.dispatch_remind(today=dt.date(2026, 12, 27))["reminded"] == 0  # 32 days


def test_given_a_returned_form_then_it_is_owed_again(opened):
    form = submit(opened, "town_coord_x", town_form(opened), day=20)
    services.dispatch_return(actor=actor(opened, "coordinator_x"), form_id=form.pk, reason="补正")
    reminders.dispatch_remind(today=dt.date(2026, 11, 23))
    assert DispatchReminder.objects.filter(form=form, stage="due_soon").exists()


def test_given_the_command_then_json_out(opened):
    buf = StringIO()
    call_command("dispatch_remind", "--today", "2026-11-24", stdout=buf)
    out = json.loads(buf.getvalue())
    assert out["today"] == "2026-11-24" and out["reminded"] == 6

"""The monitoring jobs: offline detection (raise, idempotent, clear), escalation of
unacknowledged alarms with a frozen clock, and alarms that last or repeat opening a
hazard through the hazard services, linked both ways."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from anjian.core.audit import audit_verify
from anjian.core.models import Notification
from anjian.hazards.models import Hazard
from anjian.monitoring import engine as e
from anjian.monitoring import services
from anjian.monitoring.alarms import record
from anjian.monitoring.jobs import escalation_run, hazard_run, monitoring_jobs_run, offline_run
from anjian.monitoring.models import Alarm, EngineState, Point, PointRule
from tests.monitoring.test_alarms import actor, make_point

T0 = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def seen(point: Point, when: dt.datetime, value: float = 1.0) -> None:
    EngineState.objects.update_or_create(
        point=point,
        defaults={"last_ts": when, "last_value": value, "state": {}, "updated_at": when},
    )


def raise_at(point: Point, when: dt.datetime, condition="threshold:high", level="orange"):
    record([e.Transition(point.pk, condition, level, "raise", when, 30.0, "high")])
    return Alarm.objects.get(point=point, condition=condition, raised_at=when)


@pytest.fixture
def point(world):
    return make_point(world.chem_a, sampling_seconds=10, offline_periods=3)


# --- offline --------------------------------------------------------------------------------


def test_given_a_point_silent_for_29s_then_not_offline_and_at_30s_offline_once(world, point):
    seen(point, at(0))
    assert offline_run(now=at(29))["raised"] == 0
    assert offline_run(now=at(30))["raised"] == 1
    assert offline_run(now=at(90))["raised"] == 0  # the same alarm, not another
    alarm = Alarm.objects.get()
    assert (alarm.condition, alarm.raised_at, alarm.level) == ("offline", at(30), "yellow")


def test_given_an_offline_level_rule_then_the_alarm_has_that_level(world, point):
    PointRule.objects.create(point=point, offline_level="red")
    seen(point, at(0))
    offline_run(now=at(60))
    assert Alarm.objects.get().level == "red"


def test_given_a_point_that_never_reported_then_offline_counts_from_its_setup(world):
    with time_machine.travel(T0, tick=False):
        make_point(world.chem_a, code="NEW-1", sampling_seconds=60, offline_periods=2)
    assert offline_run(now=at(119))["raised"] == 0
    assert offline_run(now=at(120))["raised"] == 1


def test_given_an_offline_point_when_it_reports_again_then_the_job_clears_it(world, point):
    seen(point, at(0))
    offline_run(now=at(40))
    seen(point, at(50))
    assert offline_run(now=at(55))["cleared"] == 1
    alarm = Alarm.objects.get()
    assert alarm.cleared_at == at(50)
    # and it goes on: silent again later is a new alarm
    assert offline_run(now=at(80))["raised"] == 1
    assert Alarm.objects.filter(condition="offline").count() == 2


def test_given_an_offline_alarm_when_the_pipeline_evaluates_the_next_reading_then_it_clears(
    world, point
):
    seen(point, at(0))
    offline_run(now=at(40))
    rules = e.PointRules(point.pk, sampling_seconds=10, offline_periods=3)
    state = e.PointState(last_ts=at(0).timestamp(), last_value=1.0)
    record(e.evaluate(rules, state, e.Reading(point.pk, at(45), 1.0)))
    assert Alarm.objects.get().cleared_at == at(45)


def test_given_an_inactive_point_then_never_offline(world, point):
    Point.objects.filter(pk=point.pk).update(is_active=False)
    seen(point, at(0))
    assert offline_run(now=at(3600)) == {"looked_at": 0, "raised": 0, "cleared": 0}


# --- escalation -------------------------------------------------------------------------------


def _titles(world, name):
    return Notification.objects.filter(recipient=world.user(name), kind="escalation").count()


@override_settings(ANJIAN_MONITORING_ESCALATION_MINUTES=(0, 10, 20, 30))
def test_given_an_unacknowledged_alarm_when_time_passes_then_it_climbs_step_by_step(world, point):
    alarm = raise_at(point, T0)
    with time_machine.travel(T0 + dt.timedelta(seconds=30), tick=False):
        counts = escalation_run()
    assert counts["step_1"] == 1 and counts["escalated"] == 1
    assert _titles(world, "safety_a") == 1 and _titles(world, "principal_a") == 0
    # What the person reads names the condition in words, not the engine's code.
    told = Notification.objects.get(recipient=world.user("safety_a"), kind="escalation")
    assert alarm.condition not in f"{told.title} {told.body} {told.object_label}"
    with time_machine.travel(T0 + dt.timedelta(minutes=9, seconds=59), tick=False):
        assert escalation_run()["escalated"] == 0
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        assert escalation_run()["step_2"] == 1
    assert _titles(world, "principal_a") == 1
    with time_machine.travel(T0 + dt.timedelta(minutes=30), tick=False):
        assert escalation_run()["step_3"] == 1
    assert _titles(world, "grid_x1") == 1
    with time_machine.travel(T0 + dt.timedelta(minutes=60), tick=False):
        assert escalation_run()["step_4"] == 1
        assert escalation_run()["escalated"] == 0  # top step, once
    assert _titles(world, "officer_emergency_x") == 1 and _titles(world, "coordinator_x") == 1
    alarm.refresh_from_db()
    assert alarm.escalation_step == 4 and alarm.state == "raised"
    steps = list(alarm.events.filter(action="escalate").values_list("data__step", flat=True))
    assert steps == [1, 2, 3, 4]
    assert audit_verify().ok


@override_settings(ANJIAN_MONITORING_ESCALATION_MINUTES=(0, 10, 20, 30))
def test_given_a_job_that_did_not_run_when_it_runs_late_then_it_catches_up_each_step_once(
    world, point
):
    raise_at(point, T0)
    with time_machine.travel(T0 + dt.timedelta(minutes=35), tick=False):
        counts = escalation_run()
        assert (counts["step_1"], counts["step_2"], counts["step_3"], counts["step_4"]) == (
            1,
            1,
            1,
            0,
        )
        assert escalation_run()["escalated"] == 0


@override_settings(ANJIAN_MONITORING_ESCALATION_MINUTES=(5, 10, 20, 30))
def test_given_an_acknowledged_alarm_then_it_never_escalates(world, point):
    alarm = raise_at(point, T0)
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        services.alarm_acknowledge(actor=actor(world, "employee_a"), alarm_id=alarm.pk)
    with time_machine.travel(T0 + dt.timedelta(hours=5), tick=False):
        assert escalation_run()["escalated"] == 0
    assert not Notification.objects.filter(kind="escalation").exists()


@override_settings(ANJIAN_MONITORING_ESCALATION_MINUTES=(1, 2))
def test_given_a_bad_escalation_setting_then_it_says_so(world):
    with pytest.raises(ValueError, match="four minutes"):
        escalation_run(now=T0)


# --- alarm → hazard -------------------------------------------------------------------------


@override_settings(ANJIAN_MONITORING_HAZARD_AFTER_MINUTES=60)
def test_given_an_alarm_lasting_past_the_limit_then_a_hazard_linked_both_ways(world, point):
    alarm = raise_at(point, T0)
    assert hazard_run(now=T0 + dt.timedelta(minutes=59))["by_duration"] == 0
    with time_machine.travel(T0 + dt.timedelta(minutes=61), tick=False):
        assert hazard_run()["by_duration"] == 1
        assert hazard_run()["by_duration"] == 0  # one hazard per alarm
    alarm.refresh_from_db()
    hazard = Hazard.objects.get()
    assert alarm.hazard == hazard
    assert (hazard.source, hazard.enterprise, hazard.reported_by) == (
        "sensor_alarm",
        world.chem_a,
        world.user("safety_a"),
    )
    assert point.code in hazard.location
    report = hazard.events.get(action="report")
    assert report.data["monitoring_alarms"][0]["id"] == alarm.pk
    assert report.data["monitoring_rule"] == "duration"
    assert report.via == "job"
    assert alarm.events.filter(action="hazard", data__hazard_id=hazard.pk).exists()
    assert audit_verify().ok


@override_settings(ANJIAN_MONITORING_HAZARD_AFTER_MINUTES=60)
def test_given_a_cleared_alarm_then_no_hazard_by_duration(world, point):
    raise_at(point, T0)
    record([e.Transition(point.pk, "threshold:high", "orange", "clear", at(30), 5.0)])
    assert hazard_run(now=T0 + dt.timedelta(hours=3))["by_duration"] == 0
    assert not Hazard.objects.exists()


@override_settings(
    ANJIAN_MONITORING_HAZARD_REPEATS=3,
    ANJIAN_MONITORING_HAZARD_REPEAT_HOURS=24,
    ANJIAN_MONITORING_HAZARD_AFTER_MINUTES=10_000,
)
def test_given_an_alarm_repeating_past_the_limit_then_one_hazard_naming_all(world, point):
    for hours in (0, 1):
        raise_at(point, T0 + dt.timedelta(hours=hours))
    now = T0 + dt.timedelta(hours=3)
    with time_machine.travel(now, tick=False):
        assert hazard_run()["by_repeats"] == 0
        raise_at(point, T0 + dt.timedelta(hours=2))
        raise_at(make_point(world.chem_a, code="OTHER"), T0)  # another point: not counted
        assert hazard_run()["by_repeats"] == 1
        assert hazard_run()["by_repeats"] == 0
    hazard = Hazard.objects.get()
    linked = Alarm.objects.filter(hazard=hazard)
    assert linked.count() == 3
    named = [a["id"] for a in hazard.events.get(action="report").data["monitoring_alarms"]]
    assert sorted(named) == sorted(linked.values_list("pk", flat=True))


@override_settings(ANJIAN_MONITORING_HAZARD_AFTER_MINUTES=60)
def test_given_an_enterprise_without_managers_then_no_hazard_and_the_alarm_stays_unlinked(world):
    p = make_point(world.build_b, code="B-1")
    alarm = raise_at(p, T0)
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        assert hazard_run()["by_duration"] == 0
    alarm.refresh_from_db()
    assert alarm.hazard is None and not Hazard.objects.exists()


def test_given_all_jobs_when_run_together_then_each_reports(world, point):
    seen(point, at(0))
    out = monitoring_jobs_run(now=timezone.now())
    assert set(out) == {"offline", "escalation", "hazards"}
    assert out["offline"]["raised"] == 1

"""Deadlines: the pure rules at their boundaries, and the daily job with a frozen clock
(reminders, overdue marking, escalation level by level, idempotence)."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from anjian.core import notify
from anjian.core.audit import audit_verify
from anjian.core.models import AuditEntry, Notification, SentMessage
from anjian.hazards import deadlines as dl
from anjian.hazards import workflow as wf
from anjian.hazards.jobs import candidates, deadline_policy, hazard_deadlines_run
from anjian.hazards.models import Hazard, HazardEvent

from .helpers import bring, report

TZ = ZoneInfo("Asia/Shanghai")
DAY0 = dt.date(2026, 3, 2)  # a Monday
POLICY = dl.Policy(reminder_days=(3, 1), escalation_days=(1, 5, 10), unhandled_days=7)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def d(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


# --- the pure rules ---------------------------------------------------------------------------


def test_given_shipped_policy_when_loaded_then_it_is_the_documented_local_policy():
    policy = dl.load_policy()
    assert policy == POLICY
    assert policy.working_days is False
    with open(dl.POLICY_FILE, encoding="utf-8") as fh:
        about = json.load(fh)["_about"]
    assert "LOCAL POLICY" in about and "第二十三条" in about and "16号" in about


@pytest.mark.parametrize(
    ("today", "status", "days_left", "level"),
    [
        (d(-4), dl.ON_TIME, 4, 0),  # before the first reminder window
        (d(-3), dl.DUE_SOON, 3, 0),  # the first reminder day
        (d(-1), dl.DUE_SOON, 1, 0),
        (d(0), dl.DUE_SOON, 0, 0),  # the deadline day is still on time
        (d(1), dl.OVERDUE, -1, 1),  # the day after: overdue, level 1
        (d(4), dl.OVERDUE, -4, 1),
        (d(5), dl.OVERDUE, -5, 2),  # grid officer
        (d(9), dl.OVERDUE, -9, 2),
        (d(10), dl.OVERDUE, -10, 3),  # county department
        (d(400), dl.OVERDUE, -400, 3),  # never beyond the top level
    ],
)
def test_given_deadline_when_standing_computed_then_boundaries_hold(
    today, status, days_left, level
):
    s = dl.standing(d(0), today, POLICY)
    assert (s.status, s.days_left, s.level) == (status, days_left, level)
    assert s.overdue == (status == dl.OVERDUE)
    if status == dl.OVERDUE:
        assert s.days_overdue == -days_left


def test_given_no_deadline_when_standing_computed_then_none():
    assert dl.standing(None, DAY0, POLICY).status == dl.NO_DEADLINE


@pytest.mark.parametrize(
    ("today", "window"),
    [(d(-4), None), (d(-3), d(-3)), (d(-2), d(-3)), (d(-1), d(-1)), (d(0), d(-1)), (d(1), None)],
)
def test_given_reminder_days_when_window_computed_then_each_threshold_opens_one(today, window):
    assert dl.reminder_window(d(0), today, POLICY) == window


def test_given_reminded_in_window_when_asked_again_then_not_due_until_next_window():
    assert dl.reminder_due(d(-3), None)
    assert not dl.reminder_due(d(-3), d(-3))
    assert not dl.reminder_due(d(-3), d(-2))
    assert dl.reminder_due(d(-1), d(-3))  # the next window opened
    assert not dl.reminder_due(None, None)


def test_given_states_and_levels_when_effective_deadline_then_documented_sources():
    kw = {"reported_on": d(0), "policy": POLICY}
    eff = dl.effective_deadline
    # five fixes set: their deadline
    assert eff(
        state=wf.FIXES_SET, level=wf.GENERAL, deadline=d(9), listing_deadline=None, **kw
    ) == (
        d(9),
        dl.BASIS_FIVE_FIXES,
    )
    # listed major before the five fixes: the supervision deadline
    assert eff(state=wf.REPORTED, level=wf.MAJOR, deadline=None, listing_deadline=d(30), **kw) == (
        d(30),
        dl.BASIS_LISTING,
    )
    # both: the earlier
    assert eff(
        state=wf.RECTIFYING, level=wf.MAJOR, deadline=d(20), listing_deadline=d(30), **kw
    ) == (d(20), dl.BASIS_FIVE_FIXES)
    # general, only reported: reported + unhandled_days
    assert eff(state=wf.REPORTED, level=wf.GENERAL, deadline=None, listing_deadline=None, **kw) == (
        d(7),
        dl.BASIS_UNHANDLED,
    )
    # major, only reported: nothing (the regulators' move)
    assert (
        eff(state=wf.REPORTED, level=wf.MAJOR, deadline=None, listing_deadline=None, **kw)[0]
        is None
    )
    # submitted and closed: not held
    for state in (wf.SUBMITTED, wf.CLOSED):
        assert eff(state=state, level=wf.GENERAL, deadline=d(1), listing_deadline=None, **kw) == (
            None,
            "",
        )
    off = dl.Policy(unhandled_days=None)
    assert dl.effective_deadline(
        state=wf.REPORTED,
        level=wf.GENERAL,
        deadline=None,
        listing_deadline=None,
        reported_on=d(0),
        policy=off,
    ) == (None, "")


def test_given_working_days_policy_when_counting_then_official_calendar_used():
    # 2026-10-01..07 are the National Day holidays: from Wed 30 Sep, one working day
    # later is Thursday 8 October.
    assert dl.add_days(dt.date(2026, 9, 30), 1, working=True) == dt.date(2026, 10, 8)
    assert dl.days_between(dt.date(2026, 9, 30), dt.date(2026, 10, 8), working=True) == 1
    assert dl.days_between(dt.date(2026, 10, 8), dt.date(2026, 9, 30), working=True) == -1
    assert dl.days_between(dt.date(2026, 9, 30), dt.date(2026, 10, 8)) == 8
    # a year the calendar does not know: Monday to Friday
    assert dl.add_days(dt.date(2099, 1, 2), 1, working=True) == dt.date(2099, 1, 5)


@pytest.mark.parametrize(
    "bad",
    [
        {"escalation_days": (5, 1, 10)},
        {"escalation_days": (0, 1, 2)},
        {"escalation_days": (1, 2)},
        {"reminder_days": (-1,)},
        {"unhandled_days": 0},
    ],
)
def test_given_bad_policy_when_built_then_refused(bad):
    with pytest.raises(ValueError):
        dl.Policy(**bad)


def test_given_policy_setting_when_job_loads_policy_then_that_file_is_used(settings, tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"reminder_days": [5], "escalation_days": [2, 4, 6]}))
    settings.ANJIAN_HAZARD_DEADLINE_POLICY = str(path)
    assert deadline_policy() == dl.Policy(reminder_days=(5,), escalation_days=(2, 4, 6))


# --- the job with a frozen clock ----------------------------------------------------------------


def _titles(world, name):
    return [n.title for n in notify.inbox(world.user(name)).order_by("created_at", "id")]


def _run(day):
    with time_machine.travel(at(day), tick=False):
        return hazard_deadlines_run()


ZERO = {"reminded": 0, "overdue": 0, "escalated": 0}


def _changes(counts):
    return {k: counts[k] for k in ZERO}


def test_given_frozen_clock_when_job_runs_across_deadline_then_remind_mark_and_escalate_once(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(at(DAY0), tick=False):
            hazard = bring(world, "general_rectifying")  # five fixes: deadline in 10 days
        deadline = hazard.deadline
        assert deadline == d(10)
        Notification.objects.all().delete()  # the steps' own notifications
        SentMessage.objects.all().delete()

        assert _changes(_run(deadline - dt.timedelta(days=4))) == ZERO

        # D-3: the first reminder, to the principal and the safety officer
        assert _changes(_run(deadline - dt.timedelta(days=3))) == {**ZERO, "reminded": 1}
        assert _changes(_run(deadline - dt.timedelta(days=3))) == ZERO  # same day: nothing
        assert _changes(_run(deadline - dt.timedelta(days=2))) == ZERO  # same window
        assert _changes(_run(deadline - dt.timedelta(days=1))) == {**ZERO, "reminded": 1}
        assert _changes(_run(deadline)) == ZERO
        for name in ("principal_a", "safety_a"):
            titles = _titles(world, name)
            assert len(titles) == 2 and all(
                hazard.number in t and str(deadline) in t for t in titles
            )
            assert notify.inbox(world.user(name)).filter(kind="deadline").count() == 2
        assert not notify.inbox(world.user("grid_x1")).exists()
        hazard.refresh_from_db()
        assert hazard.last_reminded_on == deadline - dt.timedelta(days=1)
        assert hazard.overdue_since is None and hazard.escalation_level == 0
        # reminders are not events
        assert not hazard.events.filter(action__in=["mark_overdue", "escalate"]).exists()

        # D+1: overdue, escalated to the principal
        assert _changes(_run(deadline + dt.timedelta(days=1))) == {
            **ZERO,
            "overdue": 1,
            "escalated": 1,
        }
        hazard.refresh_from_db()
        assert hazard.overdue_since == deadline + dt.timedelta(days=1)
        assert hazard.escalation_level == 1
        version = hazard.version
        events = list(hazard.events.filter(action__in=["mark_overdue", "escalate"]))
        assert [e.action for e in events] == ["mark_overdue", "escalate"]
        assert events[0].actor is None and events[0].actor_label == "deadline job"
        assert events[0].via == "job" and events[0].to_state == wf.RECTIFYING
        assert events[0].data["deadline"] == deadline.isoformat()
        assert events[1].data["level"] == 1
        assert [p["id"] for p in events[1].data["notified"]] == [world.user("principal_a").pk]
        assert notify.inbox(world.user("principal_a")).filter(kind="escalation").count() == 1
        assert notify.inbox(world.user("safety_a")).filter(kind="escalation").count() == 0
        assert notify.inbox(world.user("safety_a")).filter(kind="deadline").count() == 3  # overdue

        # the same day again, and the days before the next step: nothing new
        before = (
            HazardEvent.objects.count(),
            Notification.objects.count(),
            AuditEntry.objects.count(),
        )
        for n in (1, 2, 3, 4):
            assert _changes(_run(deadline + dt.timedelta(days=n))) == ZERO
        assert before == (
            HazardEvent.objects.count(),
            Notification.objects.count(),
            AuditEntry.objects.count(),
        )

        # D+5: the grid officer
        assert _changes(_run(deadline + dt.timedelta(days=5))) == {**ZERO, "escalated": 1}
        assert notify.inbox(world.user("grid_x1")).filter(kind="escalation").count() == 1
        # D+10: the lead department's officers and the county's safety committee office
        counts = _run(deadline + dt.timedelta(days=10))
        assert _changes(counts) == {**ZERO, "escalated": 1} and counts["escalated_3"] == 1
        for name in ("officer_emergency_x", "coordinator_x"):
            assert notify.inbox(world.user(name)).filter(kind="escalation").count() == 1
        for name in ("officer_housing_x", "coordinator_y", "expert_x", "principal_c", "outsider"):
            assert not notify.inbox(world.user(name)).exists()
        hazard.refresh_from_db()
        assert hazard.escalation_level == 3
        assert hazard.version == version  # the job never invalidates a user's open form
        escalations = list(hazard.events.filter(action="escalate").order_by("id"))
        assert [e.data["level"] for e in escalations] == [1, 2, 3]
        assert {p["name"] for p in escalations[2].data["notified"]} == {
            "officer_emergency_x",
            "coordinator_x",
        }
        # at the top: no longer a candidate, and later runs change nothing
        with time_machine.travel(at(deadline + dt.timedelta(days=30)), tick=False):
            assert not candidates(deadline + dt.timedelta(days=30), POLICY).filter(pk=hazard.pk)
        assert _changes(_run(deadline + dt.timedelta(days=30))) == ZERO
    # every notification went to the (logging) sender once, after its commit
    assert SentMessage.objects.filter(status="logged").count() == Notification.objects.count()
    assert audit_verify().ok


def test_given_job_missed_days_when_run_late_then_catches_up_level_by_level(
    world, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(DAY0), tick=False):
        hazard = bring(world, "general_fixes_set")
    counts = _run(hazard.deadline + dt.timedelta(days=12))
    assert _changes(counts) == {**ZERO, "overdue": 1, "escalated": 3}
    assert [e.data["level"] for e in hazard.events.filter(action="escalate").order_by("id")] == [
        1,
        2,
        3,
    ]
    assert _changes(_run(hazard.deadline + dt.timedelta(days=12))) == ZERO


def test_given_general_hazard_left_unhandled_when_days_pass_then_overdue_on_that_basis(world):
    with time_machine.travel(at(DAY0), tick=False):
        hazard = report(world, who="grid_x1")  # only reported, never handled
    assert _changes(_run(d(4))) == {**ZERO, "reminded": 1}  # 3 days before reported + 7
    assert _changes(_run(d(8))) == {**ZERO, "overdue": 1, "escalated": 1}
    event = hazard.events.get(action="mark_overdue")
    assert event.data["basis"] == dl.BASIS_UNHANDLED and event.data["deadline"] == d(7).isoformat()


def test_given_submitted_or_closed_or_major_reported_when_job_runs_then_left_alone(world):
    with time_machine.travel(at(DAY0), tick=False):
        submitted = bring(world, "general_submitted")
        closed = bring(world, "general_closed")
        major = report(world, major_item="hc2017-12")
    assert _changes(_run(d(60))) == ZERO
    for h in (submitted, closed, major):
        h.refresh_from_db()
        assert h.overdue_since is None and h.escalation_level == 0


def test_given_listed_major_before_five_fixes_when_supervision_deadline_passes_then_overdue(
    world,
):
    with time_machine.travel(at(DAY0), tick=False):
        hazard = bring(world, "major_listed")  # supervision deadline in 60 days
    assert hazard.deadline is None and hazard.listing_deadline == d(60)
    assert _changes(_run(d(61))) == {**ZERO, "overdue": 1, "escalated": 1}
    assert hazard.events.get(action="mark_overdue").data["basis"] == dl.BASIS_LISTING


def test_given_stale_row_when_job_updates_then_condition_on_dates_refuses(world):
    """A deadline moved between reading and writing: the conditional update loses."""
    from anjian.hazards import jobs

    with time_machine.travel(at(DAY0), tick=False):
        hazard = bring(world, "general_rectifying")
    stale = Hazard.objects.get(pk=hazard.pk)
    Hazard.objects.filter(pk=hazard.pk).update(deadline=d(90))
    s = dl.standing(stale.deadline, d(11), POLICY)
    with time_machine.travel(at(d(11)), tick=False):
        assert jobs._mark_overdue(stale, s, d(11)) is False
    assert not HazardEvent.objects.filter(action="mark_overdue").exists()


def test_given_command_when_run_with_date_then_prints_counts(world, capsys):
    with time_machine.travel(at(DAY0), tick=False):
        bring(world, "general_rectifying")
        call_command("hazard_deadlines", "--date", d(11).isoformat())
    out = json.loads(capsys.readouterr().out)
    assert out["overdue"] == 1 and out["escalated"] == 1


def test_given_task_when_enqueued_then_runs_the_job(world, settings):
    from anjian.hazards.tasks import hazard_deadlines

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with time_machine.travel(at(DAY0), tick=False):
        bring(world, "general_rectifying")
    with time_machine.travel(at(d(11)), tick=False):
        result = hazard_deadlines.enqueue()
    assert result.return_value["overdue"] == 1


def test_given_one_hazard_fails_when_job_runs_then_others_done_and_error_counted(
    world, monkeypatch, capsys
):
    from django.core.management.base import CommandError

    from anjian.hazards import jobs

    with time_machine.travel(at(DAY0), tick=False):
        first = bring(world, "general_rectifying")
        second = bring(world, "general_rectifying")
    real = jobs._mark_overdue

    def flaky(hazard, s, today):
        if hazard.pk == first.pk:
            raise RuntimeError("broken row")
        return real(hazard, s, today)

    monkeypatch.setattr(jobs, "_mark_overdue", flaky)
    counts = _run(d(11))
    assert counts["errors"] == 1 and counts["overdue"] == 1
    assert second.events.filter(action="mark_overdue").exists()
    assert not first.events.filter(action="mark_overdue").exists()
    with time_machine.travel(at(d(11)), tick=False), pytest.raises(CommandError):
        call_command("hazard_deadlines")

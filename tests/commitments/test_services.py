"""Submitting and correcting daily notices, who may, the history kept, the scoped board,
the missing-notice job (frozen clock) and declared states against monitoring."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from anjian.commitments import observed, rules, services
from anjian.commitments.models import DailyCommitment, DeclaredUnit, MissingNotice
from anjian.core.audit import Actor, audit_verify
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry, Notification
from anjian.registry.models import Enterprise

from .helpers import DAY, at, data, installation, key, risk_unit, submit


@pytest.fixture
def units(world):
    tank = installation(world.chem_a)
    workshop = risk_unit(world.chem_a)
    return tank, workshop


def all_running(units):
    return {key(u): rules.RUNNING for u in units}


def test_given_units_when_submitted_before_ten_then_on_time_with_units_and_audit(world, units):
    tank, workshop = units
    notice = submit(
        world,
        states={key(tank): rules.STOPPED, key(workshop): rules.RUNNING},
        now=at(9, 15),
        hot_work_first=2,
        confined_space=1,
        start_ups=1,
    )
    assert (notice.date, notice.version, notice.is_current, notice.late) == (DAY, 1, True, False)
    assert (notice.hot_work_first, notice.confined_space, notice.start_ups) == (2, 1, 1)
    assert notice.special_work_total == 3 and notice.hot_work_total == 2
    declared = {u.key: (u.name, u.state) for u in notice.units.all()}
    assert declared == {
        key(tank): ("液氯储罐区", rules.STOPPED),
        key(workshop): ("合成车间", rules.RUNNING),
    }
    entry = AuditEntry.objects.get(action="commitment_submit")
    assert entry.object_id == str(notice.pk)
    assert entry.changes["states"] == {
        f"installation:{tank.pk}": "stopped",
        f"risk_unit:{workshop.pk}": "running",
    }
    assert audit_verify().ok
    assert services.today_status(world.chem_a.pk, at(12)) == rules.ON_TIME


def test_given_a_submission_after_ten_when_submitted_then_late(world, units):
    notice = submit(world, states=all_running(units), now=at(10, 5))
    assert notice.late
    assert services.today_status(world.chem_a.pk, at(12)) == rules.LATE


def test_given_a_past_day_when_submitted_then_late_and_future_refused(world, units):
    notice = submit(world, states=all_running(units), now=at(9), day=DAY - dt.timedelta(days=1))
    assert notice.late
    with pytest.raises(ValidationFailed) as exc:
        submit(world, states=all_running(units), now=at(9), day=DAY + dt.timedelta(days=1))
    assert "date" in exc.value.errors


def test_given_a_submitted_day_when_submitted_again_then_conflict(world, units):
    submit(world, states=all_running(units), now=at(9))
    with pytest.raises(Conflict):
        submit(world, "safety_a", states=all_running(units), now=at(9, 30))
    assert DailyCommitment.objects.count() == 1


def test_given_bad_data_when_submitted_then_every_problem_named_and_nothing_written(world, units):
    tank, workshop = units
    bad = data({key(tank): "exploded"}, lifting=-1)
    bad.principal_name = " "
    bad.commitment = ""
    with pytest.raises(ValidationFailed) as exc:
        services.commitment_submit(
            actor=Actor.for_user(world.user("principal_a"), "web"),
            enterprise_id=world.chem_a.pk,
            data=bad,
            now=at(9),
        )
    errors = exc.value.errors
    assert {"principal_name", "commitment", "lifting"} <= set(errors)
    assert f"unit_installation_{tank.pk}" in errors  # bad state
    assert f"unit_risk_unit_{workshop.pk}" in errors  # not declared
    assert not DailyCommitment.objects.exists() and not DeclaredUnit.objects.exists()


def test_given_another_enterprises_unit_when_declared_then_refused(world, units):
    other = installation(world.chem_c, name="丙罐区")
    states = {**all_running(units), key(other): rules.RUNNING}
    with pytest.raises(ValidationFailed) as exc:
        submit(world, states=states, now=at(9))
    assert "units" in exc.value.errors


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("employee_a", Forbidden),
        ("coordinator_x", Forbidden),
        ("principal_c", NotFound),
        ("coordinator_y", NotFound),
        ("outsider", NotFound),
    ],
)
def test_given_a_non_submitter_when_submitting_for_chem_a_then_refused(world, units, name, error):
    with pytest.raises(error):
        services.commitment_submit(
            actor=Actor.for_user(world.user(name), "web"),
            enterprise_id=world.chem_a.pk,
            data=data(all_running(units)),
            now=at(9),
        )
    assert not DailyCommitment.objects.exists()


def test_given_a_notice_when_corrected_then_new_version_and_old_kept_unchanged(world, units):
    tank, workshop = units
    first = submit(world, states=all_running(units), now=at(9), hot_work_second=1)
    new = services.commitment_correct(
        actor=Actor.for_user(world.user("safety_a"), "web"),
        commitment_id=first.pk,
        data=data({key(tank): rules.MAINTENANCE, key(workshop): rules.RUNNING}),
        reason="罐区临时检修",
        now=at(11),
    )
    first.refresh_from_db()
    assert (new.version, new.is_current, new.supersedes_id, new.late) == (2, True, first.pk, True)
    assert (first.is_current, first.hot_work_second, first.submitted_at) == (False, 1, at(9))
    assert {u.state for u in first.units.all()} == {rules.RUNNING}
    assert new.units.get(installation=tank).state == rules.MAINTENANCE
    # The day stays on time: its first submission was before 10:00.
    assert services.today_status(world.chem_a.pk, at(12)) == rules.ON_TIME
    assert AuditEntry.objects.filter(action="commitment_correct").count() == 1
    with pytest.raises(Conflict):  # the superseded version cannot be corrected again
        services.commitment_correct(
            actor=Actor.for_user(world.user("principal_a"), "web"),
            commitment_id=first.pk,
            data=data(all_running(units)),
            reason="again",
            now=at(12),
        )
    with pytest.raises(ValidationFailed) as exc:
        services.commitment_correct(
            actor=Actor.for_user(world.user("principal_a"), "web"),
            commitment_id=new.pk,
            data=data(all_running(units)),
            reason=" ",
            now=at(12),
        )
    assert "reason" in exc.value.errors


def test_given_yesterdays_notice_when_prefilled_then_its_states_and_principal(world, units):
    tank, workshop = units
    submit(
        world,
        states={key(tank): rules.STOPPED, key(workshop): rules.MAINTENANCE},
        now=at(9),
        day=DAY - dt.timedelta(days=1),
    )
    newer = installation(world.chem_a, name="新罐区")
    got = services.prefill(world.chem_a.pk, DAY)
    assert got["states"] == {
        key(tank): rules.STOPPED,
        key(workshop): rules.MAINTENANCE,
        key(newer): rules.RUNNING,
    }
    assert got["principal_name"] == "李四"
    assert got["commitment"] == rules.DEFAULT_COMMITMENT


def test_given_enterprises_when_owing_then_major_hazard_flag_or_installation_not_closed(world):
    assert set(services.owing(Enterprise.objects.all())) == {world.chem_a}
    installation(world.chem_c)
    assert set(services.owing(Enterprise.objects.all())) == {world.chem_a, world.chem_c}
    Enterprise.objects.filter(pk=world.chem_a.pk).update(status="closed")
    assert set(services.owing(Enterprise.objects.all())) == {world.chem_c}


def test_given_scope_when_board_then_each_regulator_sees_their_enterprises(world, units):
    installation(world.chem_c)  # chem_c now owes too (county Y)
    submit(world, states=all_running(units), now=at(9))
    coordinator_x = services.day_board(world.user("coordinator_x"), DAY, now=at(12))
    assert [(r.enterprise, r.status) for r in coordinator_x] == [(world.chem_a, rules.ON_TIME)]
    coordinator_y = services.day_board(world.user("coordinator_y"), DAY, now=at(12))
    assert [(r.enterprise, r.status) for r in coordinator_y] == [(world.chem_c, rules.MISSING)]
    admin = services.day_board(world.user("platform_admin"), DAY, now=at(9, 30))
    assert services.status_counts(admin) == {"on_time": 1, "late": 0, "missing": 0, "due": 1}
    for name in ("platform_admin", "coordinator_x", "coordinator_y", "outsider"):
        for now in (at(9, 30), at(12)):
            rows = services.day_board(world.user(name), DAY, now=now)
            assert services.day_counts(world.user(name), DAY, now=now) == services.status_counts(
                rows
            )
    assert services.day_board(world.user("outsider"), DAY, now=at(12)) == []
    assert services.day_board(world.user("officer_housing_x"), DAY, now=at(12)) == []


def test_given_missing_notices_when_job_runs_with_a_frozen_clock_then_flags_once_and_tells(
    world, units
):
    installation(world.chem_c)
    with time_machine.travel(at(9, 59), tick=False):
        assert services.commitments_flag_missing()["before_deadline"] == 1
    assert not MissingNotice.objects.exists()
    with time_machine.travel(at(10, 1), tick=False):
        first = services.commitments_flag_missing()
        again = services.commitments_flag_missing()
    assert first == {"flagged": 2, "already": 0, "before_deadline": 0}
    assert again == {"flagged": 0, "already": 2, "before_deadline": 0}
    assert set(MissingNotice.objects.values_list("enterprise_id", "date")) == {
        (world.chem_a.pk, DAY),
        (world.chem_c.pk, DAY),
    }
    told = Notification.objects.filter(kind="deadline")
    assert {n.recipient.username for n in told} == {"principal_a", "safety_a", "principal_c"}
    assert AuditEntry.objects.filter(action="commitment_missing").count() == 2
    # Submitted late the same day: the day is late, the flag stays, the job skips it.
    submit(world, states=all_running(units), now=at(10, 30))
    with time_machine.travel(at(11), tick=False):
        assert services.commitments_flag_missing() == {
            "flagged": 0,
            "already": 1,
            "before_deadline": 0,
        }
    assert told.count() == 3


def test_given_the_command_when_called_for_a_day_then_flags(world, capsys):
    with time_machine.travel(at(11), tick=False):
        call_command("commitments_flag_missing", "--date", DAY.isoformat())
    assert '"flagged": 1' in capsys.readouterr().out


def test_given_the_task_when_named_then_it_is_the_job():
    from anjian.commitments.tasks import flag_missing_commitments

    assert flag_missing_commitments.name == "flag_missing_commitments"


def test_given_units_without_points_when_observed_then_nothing_to_compare(world, units):
    tank, workshop = units
    got = observed.observe([key(tank), key(workshop)], at(0), at(23))
    assert got == {key(tank): rules.Observation(points=0), key(workshop): rules.Observation()}


def test_given_observed_facts_when_differences_then_listed_in_scope(world, units, monkeypatch):
    tank, workshop = units
    submit(world, states={key(tank): rules.STOPPED, key(workshop): rules.MAINTENANCE}, now=at(9))

    def fake_observe(keys, since, until):
        assert since == at(0) and until == at(12)
        return {
            key(tank): rules.Observation(points=2, readings_seen=True, alarms_raised=0),
            key(workshop): rules.Observation(points=1, readings_seen=True, alarms_raised=3),
        }

    monkeypatch.setattr(observed, "observe", fake_observe)
    rows, compared = services.differences(world.user("coordinator_x"), DAY, now=at(12))
    assert compared == 1
    assert [(r.unit_name, r.kind, r.alarms) for r in rows] == [
        ("液氯储罐区", rules.READINGS_WHILE_STOPPED, 0),
        ("合成车间", rules.ALARMS_WHILE_MAINTENANCE, 3),
    ]
    assert services.differences(world.user("coordinator_y"), DAY, now=at(12)) == ([], 0)
    assert services.differences(world.user("outsider"), DAY, now=at(12)) == ([], 0)


def test_given_a_notice_submitted_elsewhere_when_loaded_by_the_platform_then_kept_with_its_time(
    world, units
):
    loader = Actor.system("import", "provincial-platform")
    day = DAY - dt.timedelta(days=3)
    on_time = services.commitment_load(
        actor=loader,
        enterprise_id=world.chem_a.pk,
        day=day,
        data=data(all_running(units)),
        submitted_at=at(9, 40, day),
    )
    late = services.commitment_load(
        actor=loader,
        enterprise_id=world.chem_a.pk,
        day=day + dt.timedelta(days=1),
        data=data(all_running(units)),
        submitted_at=at(11, 0, day + dt.timedelta(days=1)),
    )
    assert (on_time.late, late.late) == (False, True)
    assert on_time.submitted_by is None and on_time.submitted_by_label == "provincial-platform"
    assert AuditEntry.objects.filter(action="commitment_submit").count() == 2
    with pytest.raises(Conflict):  # a day on record is not loaded twice
        services.commitment_load(
            actor=loader,
            enterprise_id=world.chem_a.pk,
            day=day,
            data=data(all_running(units)),
            submitted_at=at(9, 50, day),
        )
    with pytest.raises(ValidationFailed):  # submitted before its day began
        services.commitment_load(
            actor=loader,
            enterprise_id=world.chem_a.pk,
            day=DAY,
            data=data(all_running(units)),
            submitted_at=at(9, 0, DAY - dt.timedelta(days=1)),
        )


def test_given_enterprise_staff_when_loading_a_notice_then_refused(world, units):
    with pytest.raises(Forbidden):
        services.commitment_load(
            actor=Actor.for_user(world.user("safety_a"), "web"),
            enterprise_id=world.chem_a.pk,
            day=DAY,
            data=data(all_running(units)),
            submitted_at=at(9),
        )
    assert not DailyCommitment.objects.exists()

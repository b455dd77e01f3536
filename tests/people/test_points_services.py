"""The safety-points ledger: awards by rule, idempotent awards from sources, the ledger
never edited, reversal once (also two at once on PostgreSQL), every refusal, the hooks,
balances, ranking and scoping (the other county, the outsider, an employee's own ledger)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings

from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.people import points_rules as pr
from anjian.people import points_services as ps
from anjian.people.models import PointEntry
from tests.people.points_helpers import act, crew
from tests.world import build_world

pytestmark = pytest.mark.django_db


def manual(world, who, worker, points=5, note="主动报告险情"):
    return ps.points_award(
        actor=act(world, who), worker_id=worker.pk, rule=pr.MANUAL, points=points, note=note
    )


# --- awards --------------------------------------------------------------------------------


def test_given_the_safety_officer_when_awarding_manually_then_a_line_and_an_audit_entry(world):
    c = crew(world)
    entry = manual(world, "safety_a", c["wang"], 8)
    assert (entry.points, entry.rule, entry.created_by) == (8, "manual", world.user("safety_a"))
    assert AuditEntry.objects.filter(action="points_award", object_id=str(entry.pk)).exists()


def test_given_a_violation_when_recorded_then_points_by_severity(world):
    c = crew(world)
    entry = ps.points_award(
        actor=act(world, "principal_a"),
        worker_id=c["zhao"].pk,
        rule=pr.VIOLATION,
        severity="serious",
        note="未佩戴安全帽",
    )
    assert entry.points == -20


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"rule": "bonus"}, "rule"),
        ({"rule": pr.MANUAL, "points": 5, "note": ""}, "note"),
        ({"rule": pr.MANUAL, "points": 0, "note": "x"}, "points"),
        ({"rule": pr.MANUAL, "points": 51, "note": "x"}, "points"),
        ({"rule": pr.MANUAL, "points": "abc", "note": "x"}, "points"),
        ({"rule": pr.MANUAL, "points": 5, "note": "x" * 256}, "note"),
        (
            {"rule": pr.MANUAL, "points": 5, "note": "x", "source": "drill", "source_id": 3},
            "source",
        ),
        ({"rule": pr.VIOLATION, "severity": "fatal"}, "severity"),
        ({"rule": pr.DRILL, "source": "drill"}, "source_id"),
        ({"rule": pr.DRILL, "source": "drill", "source_id": -1}, "source_id"),
    ],
)
def test_given_a_bad_award_when_recorded_then_field_messages(world, kwargs, field):
    c = crew(world)
    with pytest.raises(ValidationFailed) as exc:
        ps.points_award(actor=act(world, "safety_a"), worker_id=c["wang"].pk, **kwargs)
    assert field in exc.value.errors
    assert not PointEntry.objects.exists()


@pytest.mark.parametrize("who", ["employee_a", "coordinator_x", "officer_emergency_x", "grid_x1"])
def test_given_someone_who_sees_but_does_not_manage_when_awarding_then_forbidden(world, who):
    c = crew(world)
    with pytest.raises((Forbidden, NotFound)):
        manual(world, who, c["zhao"] if who != "employee_a" else c["wang"])
    assert not PointEntry.objects.exists()


@pytest.mark.parametrize("who", ["principal_c", "coordinator_y", "outsider", "audit_admin"])
def test_given_someone_outside_when_awarding_then_not_found(world, who):
    c = crew(world)
    with pytest.raises(NotFound):
        manual(world, who, c["wang"])


def test_given_the_principal_of_another_enterprise_in_the_county_when_awarding_then_not_found(
    world,
):
    c = crew(world)
    with pytest.raises(NotFound):
        manual(world, "principal_a", c["sun"])


# --- the ledger is never edited --------------------------------------------------------------


def test_given_a_line_when_saved_again_or_deleted_then_refused(world):
    c = crew(world)
    entry = manual(world, "safety_a", c["wang"])
    entry.points = 50
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    assert PointEntry.objects.get(pk=entry.pk).points == 5


# --- reversal --------------------------------------------------------------------------------


def test_given_a_line_when_reversed_then_an_opposite_line_once(world):
    c = crew(world)
    entry = manual(world, "safety_a", c["wang"], 7)
    back = ps.points_reverse(actor=act(world, "principal_a"), entry_id=entry.pk, reason="记错人")
    assert (back.points, back.reverses_id, back.rule) == (-7, entry.pk, "reversal")
    assert ps.ledger(world.user("safety_a"), c["wang"].pk).balance == 0
    with pytest.raises(Conflict):
        ps.points_reverse(actor=act(world, "safety_a"), entry_id=entry.pk, reason="again")
    with pytest.raises(Conflict):
        ps.points_reverse(actor=act(world, "safety_a"), entry_id=back.pk, reason="undo the undo")
    assert PointEntry.objects.count() == 2


def test_given_a_reversal_without_a_reason_when_asked_then_refused(world):
    c = crew(world)
    entry = manual(world, "safety_a", c["wang"])
    for reason in ("", "   ", None, 5, "x" * 256):
        with pytest.raises(ValidationFailed):
            ps.points_reverse(actor=act(world, "safety_a"), entry_id=entry.pk, reason=reason)


def test_given_people_who_may_not_when_reversing_then_refused(world):
    c = crew(world)
    entry = manual(world, "safety_a", c["wang"])
    with pytest.raises(Forbidden):
        ps.points_reverse(actor=act(world, "employee_a"), entry_id=entry.pk, reason="x")
    with pytest.raises(Forbidden):
        ps.points_reverse(actor=act(world, "coordinator_x"), entry_id=entry.pk, reason="x")
    for who in ("principal_c", "coordinator_y", "outsider"):
        with pytest.raises(NotFound):
            ps.points_reverse(actor=act(world, who), entry_id=entry.pk, reason="x")
    for bad in (999999, "abc", -1, None):
        with pytest.raises(NotFound):
            ps.points_reverse(actor=act(world, "safety_a"), entry_id=bad, reason="x")


needs_postgres = pytest.mark.skipif(
    "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
    reason="row locks need PostgreSQL; SQLite serialises writers instead",
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_given_two_reversals_at_once_when_raced_then_one_wins_one_conflict():
    world = build_world()
    c = crew(world)
    entry = manual(world, "safety_a", c["wang"], 9)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(who: str) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            ps.points_reverse(actor=act(world, who), entry_id=entry.pk, reason=f"by {who}")
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(w,)) for w in ("safety_a", "principal_a")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["conflict", "ok"]
    assert PointEntry.objects.filter(reverses=entry).count() == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_given_the_same_drill_award_twice_at_once_when_raced_then_one_line():
    world = build_world()
    c = crew(world)
    barrier = threading.Barrier(2)

    def run() -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            ps.points_for_drill([c["wang"].pk], 77)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert PointEntry.objects.filter(worker=c["wang"], source="drill", source_id=77).count() == 1


# --- hooks and idempotent awards ----------------------------------------------------------------


def test_given_a_drill_when_its_hook_runs_twice_then_each_worker_gets_points_once(world):
    c = crew(world)
    first = ps.points_for_drill([c["wang"].pk, c["zhao"].pk, c["wang"].pk], 12)
    again = ps.points_for_drill([c["wang"].pk, c["zhao"].pk], 12)
    assert [e.points for e in first] == [3, 3] and all(e.created for e in first)
    assert [e.pk for e in again] == [e.pk for e in first] and not any(e.created for e in again)
    assert PointEntry.objects.count() == 2
    assert all(e.created_by is None for e in first)


def test_given_a_reversed_source_award_when_the_hook_runs_again_then_nothing_new(world):
    c = crew(world)
    entry = ps.points_for_report(c["wang"].pk, 5)
    assert entry.points == 10
    ps.points_reverse(actor=act(world, "safety_a"), entry_id=entry.pk, reason="举报不实")
    again = ps.points_for_report(c["wang"].pk, 5)
    assert again.pk == entry.pk and not again.created
    assert ps.ledger(world.user("safety_a"), c["wang"].pk).balance == 0


def test_given_training_records_when_hooked_then_hours_up_to_the_yearly_cap(world):
    c = crew(world)
    this_year = dt.date.today().year

    def record(pk, hours, passed=True):
        return SimpleNamespace(
            pk=pk,
            worker_id=c["zhao"].pk,
            hours=Decimal(hours),
            passed=passed,
            title="年度再培训",
            held_on=dt.date(this_year, 3, 1),
        )

    assert ps.points_for_training(record(1, "24")).points == 24
    assert ps.points_for_training(record(2, "24")).points == 16  # the cap is 40
    assert ps.points_for_training(record(3, "8")).points == 0
    assert ps.points_for_training(record(4, "8", passed=False)) is None
    assert ps.points_for_training(record(1, "24")).points == 24  # the same record again
    assert PointEntry.objects.filter(rule=pr.TRAINING_HOURS).count() == 3


def test_given_a_self_check_and_a_violation_hook_then_their_points(world):
    c = crew(world)
    assert ps.points_for_self_check(c["qian"].pk, 4).points == 5
    assert ps.points_for_violation(c["qian"].pk, "minor", "inspection", 9).points == -5
    assert ps.points_for_violation(c["qian"].pk, "minor", "inspection", 9).created is False


def test_given_a_hook_called_with_a_users_actor_then_it_is_recorded_as_the_system(world):
    c = crew(world)
    entry = ps.points_for_drill(
        [c["sun"].pk], 3, actor=Actor.for_user(world.user("grid_x1"), "web")
    )
    assert entry[0].created_by is None


# --- reading and scoping ------------------------------------------------------------------------


def test_given_lines_when_balanced_then_per_worker_per_year_and_ranked_per_enterprise(world):
    c = crew(world)
    manual(world, "safety_a", c["wang"], 10)
    manual(world, "safety_a", c["zhao"], 10)
    manual(world, "safety_a", c["qian"], 20)
    old = PointEntry.objects.create(
        worker=c["qian"],
        points=-30,
        rule="manual",
        note="旧账",
        at=dt.datetime(2020, 5, 1, tzinfo=dt.UTC),
    )
    assert old.pk
    ps.points_for_drill([c["sun"].pk], 1)
    year = dt.date.today().year
    ranked = ps.ranking(world.user("coordinator_x"), year=year)
    assert [
        (r.rank, w.name, r.points) for r, w in ranked if w.enterprise_id == world.chem_a.pk
    ] == [
        (1, "钱七", 20),
        (2, "王五", 10),
        (2, "赵六", 10),
    ]
    assert [(r.rank, w.name) for r, w in ranked if w.enterprise_id == world.build_b.pk] == [
        (1, "孙八")
    ]
    led = ps.ledger(world.user("principal_a"), c["qian"].pk)
    assert (led.balance, led.year_balance) == (-10, 20)


@pytest.mark.parametrize(
    ("who", "names"),
    [
        ("principal_a", {"王五", "赵六", "钱七"}),
        ("employee_a", {"王五"}),
        ("coordinator_x", {"王五", "赵六", "钱七", "孙八"}),
        ("officer_housing_x", {"孙八"}),
        ("coordinator_y", {"周九"}),
        ("principal_c", {"周九"}),
        ("outsider", set()),
        ("audit_admin", set()),
    ],
)
def test_given_each_persona_when_listing_balances_then_only_their_scope(world, who, names):
    crew(world)
    assert {w.name for w in ps.balances(world.user(who))} == names


def test_given_an_employee_when_opening_a_colleagues_ledger_then_not_found(world):
    c = crew(world)
    manual(world, "safety_a", c["zhao"])
    assert ps.ledger(world.user("employee_a"), c["wang"].pk).worker == c["wang"]
    with pytest.raises(NotFound):
        ps.ledger(world.user("employee_a"), c["zhao"].pk)
    assert ps.recent(world.user("employee_a")) == []
    with pytest.raises(NotFound):
        ps.ledger(world.user("coordinator_y"), c["wang"].pk)

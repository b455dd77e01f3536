"""Accident services: the quick report within one hour (frozen clock), follow-ups as
versions regraded by 493号令 第三条 with the 30/7-day window, the investigation due in
60 days and extended once by at most 60, the 四不放过 close-out, and every step the
table does not allow refused."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, connections

from anjian.accidents import services
from anjian.accidents import workflow as wf
from anjian.accidents.models import Accident, AccidentEvent, AccidentReport, Investigation
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from tests.accidents.accident_helpers import CHECKLIST_ALL, actor, at, close, investigate, report

pytestmark = pytest.mark.django_db


# --- the quick report ----------------------------------------------------------------------


def test_given_staff_of_an_enterprise_when_they_report_then_the_accident_is_graded_and_kept_as_version_one(
    world,
):
    accident = report(world, deaths=2, serious_injuries=3, direct_loss_yuan="1500000")

    assert accident.state == wf.REPORTED
    assert accident.enterprise == world.chem_a
    assert accident.division == world.chem_a.division
    assert accident.industry == world.chem_a.industry
    assert accident.grade == "general"
    assert accident.decided_by == ["deaths", "serious_injuries", "direct_loss"]
    assert accident.late_quick_report is False
    assert accident.reported_at == at(3, 9, 40)
    (quick,) = accident.reports.all()
    assert (quick.number, quick.kind, quick.deaths, quick.grade) == (1, "quick", 2, "general")
    assert quick.direct_loss_yuan == Decimal("1500000.00")
    assert quick.course == "储罐检修时作业人员中毒"
    assert list(accident.events.values_list("action", flat=True)) == [wf.REPORT]
    assert AuditEntry.objects.filter(action="accident_report", object_id=str(accident.pk)).exists()


def test_given_a_report_exactly_one_hour_after_the_head_learned_when_reported_then_it_is_on_time(
    world,
):
    accident = report(world, now=at(3, 10, 10))

    assert accident.late_quick_report is False
    assert accident.reports.get().late is False


def test_given_a_report_one_second_after_the_hour_when_reported_then_it_is_flagged_late(world):
    accident = report(world, now=at(3, 10, 10) + dt.timedelta(seconds=1))

    assert accident.late_quick_report is True
    assert accident.reports.get().late is True
    assert services.deadlines(accident).quick_report_late is True
    assert services.deadlines(accident).quick_report_due == at(3, 10, 10)


def test_given_a_grid_officer_when_they_report_an_accident_outside_any_enterprise_then_it_has_only_a_division(
    world,
):
    accident = report(world, "grid_x1", division_id=world.grid_x1.pk, gb6441_type="02")

    assert accident.enterprise is None and accident.industry is None
    assert accident.division == world.grid_x1
    assert accident.reported_by == world.user("grid_x1")


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"learned_at": at(3, 8, 0)}, "learned_at"),
        ({"occurred_at": at(20, 9), "learned_at": at(20, 9)}, "occurred_at"),
        ({"gb6441_type": "21"}, "gb6441_type"),
        ({"place": "  "}, "place"),
        ({"course": ""}, "course"),
        ({"deaths": -1}, "deaths"),
        ({"deaths": "２"}, "deaths"),
        ({"serious_injuries": True}, "serious_injuries"),
        ({"direct_loss_yuan": "abc"}, "direct_loss_yuan"),
        ({"latitude": "30.1"}, "longitude"),
        ({"latitude": "91", "longitude": "120"}, "latitude"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"division_id": 999999}, "division"),
        ({"enterprise_id": 999999}, "enterprise"),
        ({"industry_id": 999999}, "industry"),
    ],
)
def test_given_a_bad_quick_report_when_reported_then_it_is_refused_by_field(world, over, field):
    with pytest.raises(ValidationFailed) as caught:
        report(world, now=at(3, 9, 30), **over)

    assert field in caught.value.errors
    assert not Accident.objects.exists()


def test_given_a_regulator_when_the_division_is_outside_their_jurisdiction_then_it_is_refused(
    world,
):
    with pytest.raises(ValidationFailed) as caught:
        report(world, "coordinator_x", division_id=world.grid_y1.pk)
    assert "division" in caught.value.errors

    with pytest.raises(ValidationFailed) as caught:
        report(world, "coordinator_x", enterprise_id=world.chem_c.pk)
    assert "enterprise" in caught.value.errors

    with pytest.raises(ValidationFailed) as caught:
        report(world, "coordinator_x")
    assert "division" in caught.value.errors


def test_given_staff_when_they_name_another_enterprise_then_it_is_refused(world):
    with pytest.raises(ValidationFailed) as caught:
        report(world, enterprise_id=world.chem_c.pk)
    assert "enterprise" in caught.value.errors


@pytest.mark.parametrize("who", ["outsider", "security_admin", "audit_admin", "platform_admin"])
def test_given_no_reporting_role_when_they_report_then_it_is_forbidden(world, who):
    with pytest.raises(Forbidden):
        report(world, who, division_id=world.grid_x1.pk)


# --- follow-up reports -----------------------------------------------------------------------


def test_given_two_deaths_when_a_follow_up_reports_three_then_the_accident_becomes_larger(world):
    accident = report(world, deaths=2)
    assert accident.grade == "general"

    with time_machine.travel(at(5), tick=False):
        services.accident_followup(
            actor=actor(world.user("safety_a")),
            accident_id=accident.pk,
            expected_version=1,
            deaths=3,
            minor_injuries=2,
            course="一名重伤人员经抢救无效死亡",
        )

    accident.refresh_from_db()
    assert (accident.grade, accident.deaths, accident.version) == ("larger", 3, 2)
    assert accident.decided_by == ["deaths"]
    first, second = accident.reports.order_by("number")
    assert (first.deaths, first.grade) == (2, "general")
    assert (second.number, second.kind, second.deaths, second.grade) == (2, "followup", 3, "larger")
    assert second.late is False
    event = accident.events.get(action=wf.FOLLOWUP)
    assert event.data["grade_from"] == "general" and event.data["grade"] == "larger"


def test_given_the_thirtieth_day_when_a_follow_up_comes_then_it_is_on_time_and_the_next_day_late(
    world,
):
    accident = report(world)  # occurred 2026-11-03: the window ends 2026-12-03
    assert services.deadlines(accident).followup_ends == dt.date(2026, 12, 3)
    who = actor(world.user("safety_a"))

    with time_machine.travel(at(3, 23, 59, month=12), tick=False):
        services.accident_followup(actor=who, accident_id=accident.pk, deaths=1, course="续报")
    with time_machine.travel(at(4, 0, 1, month=12), tick=False):
        services.accident_followup(actor=who, accident_id=accident.pk, deaths=2, course="补报")

    lates = list(accident.reports.order_by("number").values_list("late", flat=True))
    assert lates == [False, False, True]


def test_given_a_road_or_fire_accident_when_a_follow_up_comes_after_seven_days_then_it_is_late(
    world,
):
    accident = report(world, gb6441_type="08", road_or_fire=True)
    assert services.deadlines(accident).followup_ends == dt.date(2026, 11, 10)
    who = actor(world.user("safety_a"))

    with time_machine.travel(at(10, 20), tick=False):
        services.accident_followup(actor=who, accident_id=accident.pk, deaths=1, course="x")
    with time_machine.travel(at(11, 8), tick=False):
        services.accident_followup(actor=who, accident_id=accident.pk, deaths=1, course="y")

    lates = list(accident.reports.order_by("number").values_list("late", flat=True))
    assert lates == [False, False, True]


def test_given_a_stale_version_when_a_follow_up_is_sent_then_it_is_refused(world):
    accident = report(world)
    who = actor(world.user("safety_a"))
    services.accident_followup(
        actor=who, accident_id=accident.pk, expected_version=1, deaths=1, course="x"
    )

    with pytest.raises(Conflict):
        services.accident_followup(
            actor=who, accident_id=accident.pk, expected_version=1, deaths=4, course="y"
        )
    assert AccidentReport.objects.filter(accident=accident).count() == 2


def test_given_a_grade_that_rises_during_the_investigation_then_the_investigating_level_follows(
    world,
):
    accident = report(world, deaths=2)
    investigation = investigate(world, accident)
    assert investigation.level == "county"

    services.accident_followup(
        actor=actor(world.user("coordinator_x")),
        accident_id=accident.pk,
        deaths=10,
        course="搜救结束",
    )

    investigation.refresh_from_db()
    assert investigation.level == "province"
    assert Accident.objects.get(pk=accident.pk).grade == "major"


def test_given_a_report_version_when_it_is_saved_again_or_deleted_then_it_is_refused(world):
    quick = report(world).reports.get()
    quick.deaths = 0
    with pytest.raises(ValueError):
        quick.save()
    with pytest.raises(ValueError):
        quick.delete()


# --- the investigation -----------------------------------------------------------------------


def test_given_an_accident_when_the_investigation_opens_then_it_is_due_sixty_days_from_the_accident(
    world,
):
    accident = report(world)
    with time_machine.travel(at(4), tick=False):
        investigation = investigate(world, accident)

    assert investigation.due_on == dt.date(2027, 1, 2)
    assert investigation.level == "county"
    accident.refresh_from_db()
    assert accident.state == wf.INVESTIGATING
    with time_machine.travel(at(2, 12, month=1).replace(year=2027), tick=False):
        assert services.deadlines(accident, investigation).investigation_overdue is False
    with time_machine.travel(at(3, 12, month=1).replace(year=2027), tick=False):
        assert services.deadlines(accident, investigation).investigation_overdue is True


def test_given_an_investigation_when_extended_by_sixty_days_then_it_is_due_at_one_hundred_twenty(
    world,
):
    accident = report(world)
    investigate(world, accident)
    who = actor(world.user("officer_emergency_x"))

    investigation = services.investigation_extend(
        actor=who, accident_id=accident.pk, days=60, reason="技术鉴定未完成"
    )

    assert investigation.due_on == dt.date(2027, 3, 3)
    assert investigation.extension_reason == "技术鉴定未完成"
    with pytest.raises(Conflict):
        services.investigation_extend(actor=who, accident_id=accident.pk, days=1, reason="再延")


@pytest.mark.parametrize(
    ("days", "reason", "field"),
    [(61, "原因", "days"), (0, "原因", "days"), ("x", "原因", "days"), (30, "", "reason")],
)
def test_given_a_bad_extension_when_asked_then_it_is_refused_by_field(world, days, reason, field):
    accident = report(world)
    investigate(world, accident)

    with pytest.raises(ValidationFailed) as caught:
        services.investigation_extend(
            actor=actor(world.user("coordinator_x")),
            accident_id=accident.pk,
            days=days,
            reason=reason,
        )
    assert field in caught.value.errors
    assert Investigation.objects.get(accident=accident).extension_days == 0


@pytest.mark.parametrize("box", list(CHECKLIST_ALL))
def test_given_one_of_the_four_boxes_open_when_closing_then_it_is_refused_by_that_box(world, box):
    accident = report(world)
    investigate(world, accident)

    with pytest.raises(ValidationFailed) as caught:
        close(world, accident, checklist={**CHECKLIST_ALL, box: False})

    assert list(caught.value.errors) == [box]
    assert Accident.objects.get(pk=accident.pk).state == wf.INVESTIGATING


def test_given_all_four_boxes_when_closing_then_the_accident_is_closed(world):
    accident = report(world)
    investigate(world, accident)
    services.accident_accountable_add(
        actor=actor(world.user("coordinator_x")),
        accident_id=accident.pk,
        name="王五",
        position="车间主任",
        measure="撤职",
        basis="《安全生产法》第九十四条",
    )

    investigation = close(world, accident, notes={"people_educated": "全员警示教育"})

    accident.refresh_from_db()
    assert accident.state == wf.CLOSED
    assert investigation.closed_by == world.user("coordinator_x")
    assert investigation.people_educated_note == "全员警示教育"
    assert accident.accountable_persons.get().name == "王五"
    assert list(accident.events.values_list("action", flat=True)) == [
        wf.REPORT,
        wf.INVESTIGATE,
        wf.ACCOUNTABLE,
        wf.CLOSE,
    ]


# --- who may -------------------------------------------------------------------------------


def test_given_enterprise_staff_when_they_open_the_investigation_then_it_is_forbidden(world):
    accident = report(world)
    with pytest.raises(Forbidden):
        investigate(world, accident, "principal_a")


def test_given_a_grid_officer_who_did_not_report_when_they_follow_up_then_it_is_forbidden(world):
    accident = report(world)
    with pytest.raises(Forbidden):
        services.accident_followup(
            actor=actor(world.user("grid_x1")), accident_id=accident.pk, deaths=1, course="x"
        )


@pytest.mark.parametrize("who", ["coordinator_y", "principal_c", "outsider", "audit_admin"])
def test_given_someone_outside_when_they_act_on_the_accident_then_it_is_not_found(world, who):
    accident = report(world)
    with pytest.raises(NotFound):
        investigate(world, accident, who)
    with pytest.raises(NotFound):
        services.accident_followup(
            actor=actor(world.user(who)), accident_id=accident.pk, deaths=1, course="x"
        )


def test_given_a_colleague_who_did_not_report_when_they_withdraw_then_it_is_forbidden_but_the_reporter_may(
    world,
):
    accident = report(world)
    with pytest.raises(Forbidden):
        services.accident_withdraw(
            actor=actor(world.user("principal_a")), accident_id=accident.pk, reason="误报"
        )

    services.accident_withdraw(
        actor=actor(world.user("safety_a")), accident_id=accident.pk, reason="误报"
    )
    assert Accident.objects.get(pk=accident.pk).state == wf.WITHDRAWN


def test_given_an_accident_found_otherwise_when_flagged_concealed_then_once_only(world):
    accident = report(world, "coordinator_x", division_id=world.grid_x2.pk)
    who = actor(world.user("officer_housing_x"))
    services.accident_mark_concealed(actor=who, accident_id=accident.pk, note="医院通报发现")

    assert Accident.objects.get(pk=accident.pk).concealed is True
    with pytest.raises(Conflict):
        services.accident_mark_concealed(actor=who, accident_id=accident.pk, note="再次")


# --- every step the table does not allow ----------------------------------------------------


def _in_state(world, state: str) -> Accident:
    accident = report(world)
    if state == wf.WITHDRAWN:
        services.accident_withdraw(
            actor=actor(world.user("coordinator_x")), accident_id=accident.pk, reason="误报"
        )
    if state in (wf.INVESTIGATING, wf.CLOSED):
        investigate(world, accident)
    if state == wf.CLOSED:
        close(world, accident)
    accident.refresh_from_db()
    assert accident.state == state
    return accident


def _do(world, accident: Accident, action: str) -> None:
    who = actor(world.user("coordinator_x"))
    pk = accident.pk
    calls = {
        wf.FOLLOWUP: lambda: services.accident_followup(
            actor=who, accident_id=pk, deaths=1, course="x"
        ),
        wf.INVESTIGATE: lambda: services.accident_investigate(actor=who, accident_id=pk),
        wf.EXTEND: lambda: services.investigation_extend(
            actor=who, accident_id=pk, days=10, reason="r"
        ),
        wf.ACCOUNTABLE: lambda: services.accident_accountable_add(
            actor=who, accident_id=pk, name="n", position="p", measure="m"
        ),
        wf.CLOSE: lambda: services.investigation_close(
            actor=who, accident_id=pk, causes="c", checklist=dict(CHECKLIST_ALL)
        ),
        wf.WITHDRAW: lambda: services.accident_withdraw(actor=who, accident_id=pk, reason="r"),
        wf.CONCEAL: lambda: services.accident_mark_concealed(actor=who, accident_id=pk, note="n"),
    }
    calls[action]()


ILLEGAL = [
    (state, action)
    for state in wf.STATES
    for action in wf.ACTIONS
    if wf.step(state, action) is None
]


def test_the_table_has_illegal_steps_to_test():
    assert len(ILLEGAL) == len(wf.STATES) * len(wf.ACTIONS) - len(wf.TRANSITIONS) == 18


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_given_a_state_when_a_step_the_table_does_not_allow_is_asked_then_it_is_refused(
    world, state, action
):
    accident = _in_state(world, state)
    events = AccidentEvent.objects.filter(accident=accident).count()

    with pytest.raises(Conflict):
        _do(world, accident, action)

    accident.refresh_from_db()
    assert accident.state == state
    assert AccidentEvent.objects.filter(accident=accident).count() == events


@pytest.mark.parametrize(("state", "action"), [(t.source, t.action) for t in wf.TRANSITIONS])
def test_given_a_state_when_a_step_the_table_allows_is_asked_by_the_authority_then_it_is_taken(
    world, state, action
):
    accident = _in_state(world, state)

    _do(world, accident, action)

    accident.refresh_from_db()
    assert accident.state == wf.step(state, action).target
    assert accident.events.order_by("-at", "-pk").first().action == action


# --- two people at once (PostgreSQL: row locks) -------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_given_two_follow_ups_on_the_same_version_at_once_then_one_wins_and_one_conflicts():
    from tests.world import build_world

    world = build_world()
    accident = report(world)
    people = ["safety_a", "coordinator_x"]
    barrier = threading.Barrier(2)
    results: dict[int, str] = {}

    def follow_up(i: int) -> None:
        try:
            barrier.wait()
            services.accident_followup(
                actor=actor(world.user(people[i])),
                accident_id=accident.pk,
                expected_version=1,
                deaths=2 + i,
                course=f"续报{i}",
            )
            results[i] = "won"
        except Conflict:
            results[i] = "conflict"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=follow_up, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results.values()) == ["conflict", "won"]
    assert AccidentReport.objects.filter(accident=accident).count() == 2
    assert Accident.objects.get(pk=accident.pk).version == 2

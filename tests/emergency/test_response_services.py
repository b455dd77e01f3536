"""One-click response services: start (scope, prefill from an alarm or an accident,
matching plans), matching against the database (nearest, fitting first, usable supplies,
few queries), calls with notifications, answers (every illegal step a Conflict), notes
and the close-out; who may do what."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry, Notification
from anjian.emergency import response_services as rs
from anjian.emergency.models import Incident, IncidentEvent, ResponseCall
from tests.emergency.response_helpers import LAT, LON, act, north, plans, resources, start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- start ----------------------------------------------------------------------------------


def test_given_a_coordinator_when_starting_then_the_incident_its_plans_event_and_audit(world):
    p = plans(world)
    incident = start(world)
    assert incident.division == world.chem_a.division
    assert incident.state == "active"
    assert incident.latitude == LAT
    # The comprehensive plan and the special plan for 19; not the draft, fire or chem_c's.
    assert set(incident.plans.all()) == {p["comprehensive"], p["poison"]}
    assert list(
        IncidentEvent.objects.filter(incident=incident).values_list("action", flat=True)
    ) == ["start"]
    assert AuditEntry.objects.filter(action="incident_start", object_id=str(incident.pk)).exists()
    # The enterprise's head hears of it.
    assert Notification.objects.filter(recipient=world.user("principal_a")).exists()


@pytest.mark.parametrize("persona", ["principal_a", "safety_a", "officer_emergency_x"])
def test_given_the_enterprise_head_or_a_department_officer_when_starting_then_allowed(
    world, persona
):
    assert start(world, persona).enterprise == world.chem_a


@pytest.mark.parametrize(
    "persona", ["employee_a", "grid_x1", "expert_x", "outsider", "platform_admin", "audit_admin"]
)
def test_given_a_role_without_command_when_starting_then_forbidden(world, persona):
    with pytest.raises(Forbidden):
        start(world, persona)


def test_given_another_county_when_starting_for_its_enterprise_then_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        start(world, "coordinator_y")
    assert "enterprise" in exc.value.errors


def test_given_an_enterprise_head_when_naming_another_enterprise_then_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        start(world, "principal_c", enterprise=world.chem_a.pk)
    assert "enterprise" in exc.value.errors


def test_given_no_enterprise_when_a_division_outside_the_subtree_then_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        start(world, enterprise="", division=world.county_y.pk)
    assert "division" in exc.value.errors
    incident = start(world, enterprise="", division=world.town_x.pk)
    assert incident.division == world.town_x and incident.enterprise is None
    assert list(incident.plans.all()) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("latitude", "91"),
        ("longitude", "abc"),
        ("latitude", ""),
        ("accident_type", "99"),
        ("title", ""),
        ("response_level", "V"),
        ("source", "radio"),
    ],
)
def test_given_bad_input_when_starting_then_field_errors_and_nothing_written(world, field, value):
    with pytest.raises(ValidationFailed) as exc:
        start(world, **{field: value})
    assert field in exc.value.errors
    assert not Incident.objects.exists()


def test_given_an_accident_when_starting_from_it_then_its_place_type_and_coordinates(world):
    from tests.accidents.accident_helpers import report

    accident = report(world)
    accident.latitude, accident.longitude = Decimal("30.100000"), Decimal("120.200000")
    accident.save()
    incident = rs.incident_start(
        actor=act(world, "coordinator_x"), data={"source": "accident", "accident": accident.pk}
    )
    assert incident.accident == accident
    assert incident.accident_type == accident.gb6441_type
    assert (incident.latitude, incident.longitude) == (Decimal("30.100000"), Decimal("120.200000"))
    assert incident.title
    # Another county's coordinator cannot start from it.
    with pytest.raises(ValidationFailed) as exc:
        rs.incident_start(
            actor=act(world, "coordinator_y"), data={"source": "accident", "accident": accident.pk}
        )
    assert "accident" in exc.value.errors


def test_given_an_alarm_when_starting_from_it_then_the_enterprise_coordinates_and_a_type(world):
    from django.utils import timezone

    from anjian.monitoring.models import Alarm, Gateway, Point

    world.chem_a.latitude, world.chem_a.longitude = LAT, LON
    world.chem_a.save()
    gateway = Gateway(enterprise=world.chem_a, code="GW1", name="网关")
    gateway.set_token("gw_test_1")
    gateway.save()
    point = Point.objects.create(
        gateway=gateway,
        enterprise=world.chem_a,
        code="P1",
        name="罐区有毒气体探测器",
        kind="toxic_gas",
        unit="ppm",
        range_low=0,
        range_high=100,
    )
    alarm = Alarm.objects.create(
        point=point,
        enterprise=world.chem_a,
        condition="high",
        level="red",
        raised_at=timezone.now(),
    )
    incident = rs.incident_start(
        actor=act(world, "safety_a"), data={"source": "alarm", "alarm": alarm.pk}
    )
    assert incident.alarm == alarm
    assert incident.accident_type == "19"
    assert (incident.latitude, incident.longitude) == (LAT, LON)
    assert "罐区有毒气体探测器" in incident.title
    with pytest.raises(ValidationFailed):
        rs.incident_start(
            actor=act(world, "principal_c"), data={"source": "alarm", "alarm": alarm.pk}
        )


# --- matching -------------------------------------------------------------------------------


def test_given_resources_when_matching_a_poisoning_then_nearest_fitting_first(world):
    r = resources(world)
    incident = start(world)
    found = rs.incident_match(incident)
    # 19 → chemical, gas, medical: the chemical team (2 km, 3 min turn-out: 2×1.3/40 h =
    # 3.9 → 7 min) and the medical one (1 km: 1.95+2 → 4 min) fit; fire and mine follow.
    assert [(t.name, t.fits) for t in found.teams] == [
        ("东县急救站", True),
        ("甲化工专职队", True),
        ("东县消防救援站", False),
        ("西县矿山救护队", False),
    ]
    assert [t.minutes for t in found.teams] == [4, 7, 25, 83]  # 78 + 5 turn-out
    assert [t.km for t in found.teams] == [1.0, 2.0, 10.0, 40.0]
    assert found.teams[0].phone == "0571-120"
    assert [e.name for e in found.experts] == ["王专家"]
    # Only the warehouse with usable masks: w2's masks expired, its foam is scrapped and foam
    # does not serve 19 anyway.
    assert [(w.name, w.supplies) for w in found.warehouses] == [
        (
            "东县应急物资库",
            [{"kind": r["kinds"]["mask"].pk, "name": "防毒面具", "unit": "个", "quantity": 40}],
        )
    ]
    assert [s.name for s in found.shelters] == ["东镇中学避难场所"]


def test_given_a_fire_when_matching_then_the_foam_warehouse_and_fire_teams_first(world):
    resources(world)
    incident = start(world, accident_type="08")
    found = rs.incident_match(incident)
    assert [t.name for t in found.teams if t.fits] == ["甲化工专职队", "东县消防救援站"]
    assert [w.name for w in found.warehouses] == ["东县应急物资库"]


def test_given_matching_when_counted_then_a_few_queries_whatever_the_resources(world):
    resources(world)
    incident = start(world)
    with CaptureQueriesContext(connection) as few:
        rs.incident_match(incident)
    from anjian.emergency.models import RescueTeam

    RescueTeam.objects.bulk_create(
        RescueTeam(
            division=world.county_x,
            name=f"队{i}",
            kind="social",
            specialities=["fire"],
            duty_phone="1",
            latitude=north(i % 50),
            longitude=LON,
        )
        for i in range(60)
    )
    with CaptureQueriesContext(connection) as many:
        rs.incident_match(incident)
    # Growing boxes (the sparse world needs every radius) and one detail query per kind;
    # no query per resource.
    assert len(many.captured_queries) <= len(few.captured_queries)
    assert len(many.captured_queries) <= 30


def test_given_a_road_provider_when_matching_then_the_short_list_is_measured_by_it(world, settings):
    resources(world)
    settings.ANJIAN_ROUTE_PROVIDER = "tests.emergency.test_response_services.SlowRoads"
    incident = start(world)
    found = rs.incident_match(incident)
    assert all(t.by_road for t in found.teams)
    # SlowRoads: twice the straight line at 10 km/h: 1 km → 12 min + 2 min turn-out.
    assert found.teams[0].name == "东县急救站"
    assert (found.teams[0].km, found.teams[0].minutes) == (2.0, 14)


class SlowRoads:
    def route(self, origin, destination):
        from anjian.emergency import geo

        km = 2 * geo.haversine_km(*origin, *destination)
        return km, km / 10 * 60


# --- calls and answers ----------------------------------------------------------------------


def _call(world, incident, *targets, name="coordinator_x"):
    return rs.incident_call(
        actor=act(world, name),
        incident_id=incident.pk,
        targets=[{"kind": k, "id": o.pk} for k, o in targets],
    )


def test_given_a_call_when_made_then_rows_events_notifications_and_the_phone_logged(world, caplog):
    r = resources(world)
    incident = start(world)
    caplog.set_level("INFO", logger="anjian.emergency")
    calls = _call(
        world, incident, ("team", r["chem"]), ("team", r["fire"]), ("expert", r["expert"])
    )
    assert [c.target_name for c in calls] == ["甲化工专职队", "东县消防救援站", "王专家"]
    chem = calls[0]
    assert (chem.phone, chem.distance_km, chem.eta_minutes) == ("0571-1001", Decimal("2.00"), 7)
    # The enterprise team's heads are notified; the county team's coordinators.
    assert chem.user in (world.user("principal_a"), world.user("safety_a"))
    assert Notification.objects.filter(recipient=world.user("safety_a"), kind="assignment").exists()
    assert calls[1].user == world.user("coordinator_x")
    assert "0571-1001" in caplog.text
    events = IncidentEvent.objects.filter(incident=incident, action="call")
    assert sorted(e.data["phone"] for e in events) == ["0571-1001", "0571-119", "13800000001"]
    assert AuditEntry.objects.filter(action="incident_call").count() == 1


def test_given_a_target_called_when_called_again_then_conflict(world):
    r = resources(world)
    incident = start(world)
    _call(world, incident, ("team", r["fire"]))
    with pytest.raises(Conflict):
        _call(world, incident, ("team", r["fire"]))
    assert ResponseCall.objects.count() == 1


@pytest.mark.parametrize(
    "targets",
    [
        [],
        "team",
        [{"kind": "ship", "id": 1}],
        [{"kind": "team", "id": "1"}],
        [{"kind": "team", "id": 999999}],
    ],
)
def test_given_bad_targets_when_calling_then_field_errors(world, targets):
    resources(world)
    incident = start(world)
    with pytest.raises(ValidationFailed):
        rs.incident_call(
            actor=act(world, "coordinator_x"), incident_id=incident.pk, targets=targets
        )


def test_given_a_retired_team_when_called_then_refused(world):
    r = resources(world)
    incident = start(world)
    with pytest.raises(ValidationFailed):
        _call(world, incident, ("team", r["retired"]))


@pytest.mark.parametrize("persona", ["coordinator_y", "principal_c", "outsider"])
def test_given_someone_out_of_scope_when_calling_then_not_found(world, persona):
    r = resources(world)
    incident = start(world)
    with pytest.raises((NotFound, Forbidden)):
        _call(world, incident, ("team", r["fire"]), name=persona)


@pytest.mark.parametrize("persona", ["grid_x1", "employee_a", "expert_x"])
def test_given_someone_who_sees_but_does_not_command_when_calling_then_forbidden(world, persona):
    r = resources(world)
    incident = start(world)
    with pytest.raises(Forbidden):
        _call(world, incident, ("team", r["fire"]), name=persona)


def test_given_answers_when_recorded_then_the_legal_order_only(world):
    r = resources(world)
    incident = start(world)
    call = _call(world, incident, ("team", r["fire"]))[0]

    def answer(a: str, n: str = "coordinator_x"):
        return rs.call_answer(actor=act(world, n), call_id=call.pk, answer=a)

    with pytest.raises(ValidationFailed):
        answer("waiting")
    assert answer("accepted").answer == "accepted"
    with pytest.raises(Conflict):
        answer("accepted")
    done = answer("arrived")
    assert done.answer == "arrived" and done.arrived_at and done.answered_at
    for again in ("accepted", "arrived", "declined"):
        with pytest.raises(Conflict):
            answer(again)
    assert IncidentEvent.objects.filter(incident=incident, action="answer").count() == 2


def test_given_a_declined_call_when_answered_again_then_conflict(world):
    r = resources(world)
    incident = start(world)
    call = _call(world, incident, ("team", r["fire"]))[0]
    rs.call_answer(actor=act(world, "coordinator_x"), call_id=call.pk, answer="declined")
    with pytest.raises(Conflict):
        rs.call_answer(actor=act(world, "coordinator_x"), call_id=call.pk, answer="arrived")


def test_given_the_called_teams_enterprise_when_it_answers_its_own_call_then_recorded(world):
    r = resources(world)
    # An incident at build_b's site (not chem_a's): chem_a's team is called to help.
    incident = start(world, enterprise=world.build_b.pk)
    call = _call(world, incident, ("team", r["chem"]), ("team", r["fire"]))
    assert (
        rs.call_answer(actor=act(world, "employee_a"), call_id=call[0].pk, answer="accepted").answer
        == "accepted"
    )
    # … but not another team's call, which it cannot even see.
    with pytest.raises(NotFound):
        rs.call_answer(actor=act(world, "employee_a"), call_id=call[1].pk, answer="accepted")
    with pytest.raises(NotFound):
        rs.call_answer(actor=act(world, "outsider"), call_id=call[1].pk, answer="accepted")


def test_given_an_unknown_call_when_answered_then_not_found(world):
    with pytest.raises(NotFound):
        rs.call_answer(actor=act(world, "coordinator_x"), call_id=123456, answer="accepted")


# --- notes and close ------------------------------------------------------------------------


def test_given_a_closed_incident_when_calling_noting_answering_or_closing_then_conflict(world):
    r = resources(world)
    incident = start(world)
    call = _call(world, incident, ("team", r["fire"]))[0]
    rs.incident_note(actor=act(world, "coordinator_x"), incident_id=incident.pk, note="现场已警戒")
    closed = rs.incident_close(
        actor=act(world, "coordinator_x"),
        incident_id=incident.pk,
        outcome="泄漏已堵住",
        casualties="无",
        lessons="加强巡检",
    )
    assert closed.state == "closed" and closed.closed_at
    with pytest.raises(Conflict):
        _call(world, incident, ("team", r["chem"]))
    with pytest.raises(Conflict):
        rs.incident_note(actor=act(world, "coordinator_x"), incident_id=incident.pk, note="x")
    with pytest.raises(Conflict):
        rs.call_answer(actor=act(world, "coordinator_x"), call_id=call.pk, answer="arrived")
    with pytest.raises(Conflict):
        rs.incident_close(
            actor=act(world, "coordinator_x"), incident_id=incident.pk, outcome="再次"
        )
    actions = list(IncidentEvent.objects.filter(incident=incident).values_list("action", flat=True))
    assert actions == ["start", "call", "note", "close"]


def test_given_no_outcome_when_closing_then_field_error(world):
    incident = start(world)
    with pytest.raises(ValidationFailed) as exc:
        rs.incident_close(actor=act(world, "coordinator_x"), incident_id=incident.pk, outcome=" ")
    assert "outcome" in exc.value.errors
    with pytest.raises(ValidationFailed):
        rs.incident_note(actor=act(world, "coordinator_x"), incident_id=incident.pk, note="")


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("coordinator_x", True),
        ("officer_housing_x", True),
        ("grid_x1", True),
        ("principal_a", True),
        ("coordinator_y", False),
        ("principal_c", False),
        ("outsider", False),
        ("audit_admin", False),
    ],
)
def test_given_an_incident_when_personas_read_then_only_those_in_scope(world, persona, sees):
    incident = start(world)
    assert rs.visible_incidents(world.user(persona)).filter(pk=incident.pk).exists() is sees


@pytest.mark.django_db(transaction=True)
def test_given_two_answers_at_once_when_recorded_then_one_wins_and_the_other_conflicts(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    r = resources(world)
    incident = start(world)
    call = _call(world, incident, ("team", r["fire"]))[0]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def answer(name: str, value: str) -> None:
        from django.db import connections

        try:
            barrier.wait()
            rs.call_answer(actor=act(world, name), call_id=call.pk, answer=value)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=answer, args=("coordinator_x", "declined")),
        threading.Thread(target=answer, args=("principal_a", "declined")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert IncidentEvent.objects.filter(incident=incident, action="answer").count() == 1


# --- whose resources a viewer sees ------------------------------------------------------------


def test_given_another_enterprises_team_when_its_staff_or_a_regulator_match_then_only_the_regulator_sees_it(
    world,
):
    r = resources(world)
    incident = start(world, "coordinator_x", enterprise="", division=world.town_x.pk)
    regulator = world.user("coordinator_x")
    staff_c = world.user("principal_c")  # keeps nothing here; chem_a keeps 甲化工专职队
    staff_a = world.user("principal_a")
    names = lambda viewer: {t.name for t in rs.incident_match(incident, viewer=viewer).teams}  # noqa: E731
    assert "甲化工专职队" in names(regulator)
    assert "甲化工专职队" in names(staff_a)
    assert "甲化工专职队" not in names(staff_c)
    assert "东县急救站" in names(staff_c)  # the government's teams are open to all
    assert r["chem"].enterprise == world.chem_a


def test_given_enterprise_staff_when_calling_another_enterprises_team_then_refused(world):
    r = resources(world)
    world.chem_c.latitude, world.chem_c.longitude = LAT, LON
    world.chem_c.save()
    incident = start(world, "principal_c", enterprise=world.chem_c.pk, latitude=LAT, longitude=LON)
    with pytest.raises(ValidationFailed):
        rs.incident_call(
            actor=act(world, "principal_c"),
            incident_id=incident.pk,
            targets=[{"kind": "team", "id": r["chem"].pk}],
        )


# --- lessons into plan revisions ------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator_x", "principal_a"])
def test_given_lessons_when_closing_with_revise_plans_then_each_activated_plan_gets_a_trigger(
    world, persona
):
    from anjian.emergency.models import RevisionTrigger

    p = plans(world)
    incident = start(world)
    rs.incident_close(
        actor=act(world, persona),
        incident_id=incident.pk,
        outcome="泄漏已堵住",
        lessons="夜间值班人员不熟悉堵漏器材位置",
        revise_plans=True,
    )
    triggers = RevisionTrigger.objects.filter(reason="accident")
    assert {t.plan_id for t in triggers} == {p["comprehensive"].pk, p["poison"].pk}
    assert all(t.note == "夜间值班人员不熟悉堵漏器材位置" for t in triggers)
    close = IncidentEvent.objects.get(incident=incident, action="close")
    assert sorted(close.data["revision_triggers"]) == sorted(t.pk for t in triggers)


def test_given_no_lessons_when_closing_with_revise_plans_then_refused_and_nothing_changes(world):
    from anjian.emergency.models import RevisionTrigger

    plans(world)
    incident = start(world)
    with pytest.raises(ValidationFailed) as exc:
        rs.incident_close(
            actor=act(world, "coordinator_x"),
            incident_id=incident.pk,
            outcome="泄漏已堵住",
            revise_plans=True,
        )
    assert "lessons" in exc.value.errors
    incident.refresh_from_db()
    assert incident.state == "active" and not RevisionTrigger.objects.exists()


def test_given_lessons_without_revise_plans_when_closing_then_no_trigger(world):
    from anjian.emergency.models import RevisionTrigger

    plans(world)
    incident = start(world)
    rs.incident_close(
        actor=act(world, "coordinator_x"), incident_id=incident.pk, outcome="完毕", lessons="无"
    )
    assert not RevisionTrigger.objects.exists()

"""Alarms: the engine's transitions recorded (idempotent), rules from the database, and
the lifecycle raised → acknowledged → handled → closed with scope, parties, guards and
versions (every illegal step refused)."""

from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from anjian.core.audit import Actor, audit_verify
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.monitoring import engine as e
from anjian.monitoring import services
from anjian.monitoring.alarms import record
from anjian.monitoring.models import (
    Alarm,
    AlarmEvent,
    Gateway,
    Point,
    PointRule,
    SealWindow,
    SetPoint,
)
from anjian.monitoring.rules import load_rules
from tests.world import build_world

T0 = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def make_point(enterprise, code="GT-101", kind="combustible_gas", **extra) -> Point:
    gateway = Gateway.objects.filter(enterprise=enterprise).first()
    if gateway is None:
        gateway = Gateway(enterprise=enterprise, code=f"GW-{enterprise.pk}", name="网关")
        gateway.set_token(Gateway.new_token())
        gateway.save()
    return Point.objects.create(
        gateway=gateway,
        enterprise=enterprise,
        code=code,
        name=f"探测器{code}",
        kind=kind,
        unit="%LEL",
        **extra,
    )


def raise_alarm(point: Point, seconds: float = 0, condition="threshold:high") -> Alarm:
    record([e.Transition(point.pk, condition, "orange", "raise", at(seconds), 30.0, "high")])
    return Alarm.objects.get(point=point, condition=condition, raised_at=at(seconds))


def clear_alarm(alarm: Alarm, seconds: float = 60) -> None:
    record(
        [
            e.Transition(
                alarm.point_id, alarm.condition, alarm.level, "clear", at(seconds), 5.0, "high"
            )
        ]
    )


def actor(world, name: str) -> Actor:
    return Actor.for_user(world.user(name), "web")


def png(name="done.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (30, 200, 30)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


@pytest.fixture
def point(world):
    return make_point(world.chem_a)


# --- record ---------------------------------------------------------------------------------


def test_given_a_raise_when_recorded_then_one_alarm_with_its_enterprise_and_event(world, point):
    n = record([e.Transition(point.pk, "threshold:high", "orange", "raise", at(0), 30.0, "high")])
    assert n == 1
    alarm = Alarm.objects.get()
    assert (alarm.enterprise_id, alarm.state, alarm.value, alarm.peak, alarm.setpoint) == (
        world.chem_a.pk,
        "raised",
        30.0,
        30.0,
        "high",
    )
    assert list(alarm.events.values_list("action", flat=True)) == ["raise"]


def test_given_the_same_raise_twice_when_recorded_then_one_alarm(world, point):
    t = e.Transition(point.pk, "threshold:high", "orange", "raise", at(0), 30.0, "high")
    assert record([t, t]) == 1
    assert record([t]) == 0
    assert Alarm.objects.count() == 1 and AlarmEvent.objects.count() == 1


def test_given_a_clear_when_recorded_then_the_open_alarm_ends_with_its_peak(world, point):
    raise_alarm(point)
    record(
        [
            e.Transition(
                point.pk, "threshold:high", "orange", "clear", at(90), 8.0, "high", at(0), 44.0
            )
        ]
    )
    alarm = Alarm.objects.get()
    assert alarm.cleared_at == at(90) and alarm.clear_value == 8.0 and alarm.peak == 44.0
    assert alarm.state == "raised"  # clearing is the engine's; people still acknowledge it
    assert sorted(alarm.events.values_list("action", flat=True)) == ["clear", "raise"]
    # again: nothing more
    record([e.Transition(point.pk, "threshold:high", "orange", "clear", at(95), 7.0)])
    assert AlarmEvent.objects.count() == 2


def test_given_no_open_alarm_when_a_clear_arrives_then_nothing_happens(world, point):
    assert record([e.Transition(point.pk, "offline", "yellow", "clear", at(0), 1.0)]) == 0
    assert not Alarm.objects.exists() and not AlarmEvent.objects.exists()


def test_given_a_raise_and_its_clear_in_one_batch_then_the_alarm_is_raised_and_cleared(
    world, point
):
    rules = e.PointRules(point.pk, setpoints=(e.SetPoint("high", "orange", "above", 25, 24),))
    state = e.PointState()
    out = []
    for i, v in enumerate([10, 30, 35, 10]):
        out += e.evaluate(rules, state, e.Reading(point.pk, at(i * 10), v))
    assert record(out) == 1
    alarm = Alarm.objects.get()
    assert alarm.raised_at == at(10) and alarm.cleared_at == at(30) and alarm.peak == 35.0


def test_given_a_large_batch_when_recorded_then_chunked_queries_raise_and_clear_all(world):
    points = [make_point(world.chem_a, code=f"P{i}") for i in range(3)]
    raises = [
        e.Transition(p.pk, "threshold:high", "orange", "raise", at(i), 30.0, "high")
        for i in range(600)
        for p in points
    ]
    assert record(raises) == 1800
    assert record(raises) == 0
    clears = [
        e.Transition(p.pk, "threshold:high", "orange", "clear", at(i + 0.5), 1.0)
        for i in range(600)
        for p in points
    ]
    record(clears)
    assert not Alarm.objects.filter(cleared_at__isnull=True).exists()
    assert AlarmEvent.objects.count() == 3600


# --- rules from the database ----------------------------------------------------------------


def test_given_setpoints_in_the_db_when_loaded_then_the_engine_gets_exact_floats(world, point):
    SetPoint.objects.create(
        point=point, name="alarm", value=Decimal("1.0"), level="yellow", hysteresis=0
    )
    SetPoint.objects.create(
        point=point,
        name="power_off",
        value=Decimal("1.5"),
        clear_value=Decimal("1.0"),
        level="red",
        cut_equipment="采煤机电源",
        min_duration_seconds=5,
        window_start=dt.time(8),
        window_end=dt.time(18),
    )
    SetPoint.objects.create(
        point=point, name="high", value=Decimal("3"), level="red", is_active=False
    )
    PointRule.objects.create(point=point, rate_limit=Decimal("2.5"), stuck_seconds=600)
    rules = load_rules()[point.pk]
    assert [(s.name, s.value, s.clear_at) for s in rules.setpoints] == [
        ("alarm", 1.0, 1.0),
        ("power_off", 1.5, 1.0),
    ]
    assert rules.setpoints[1].min_duration == 5.0
    assert rules.setpoints[1].windows == (e.Window(480, 1080),)
    assert (rules.rate_limit, rules.stuck_seconds, rules.utc_offset_minutes) == (2.5, 600.0, 480)


def test_given_a_seal_point_when_loaded_then_boolean_with_its_windows(world):
    seal = make_point(world.chem_a, code="SEAL-1", kind="seal")
    SealWindow.objects.create(point=seal, start=dt.time(22), end=dt.time(6))
    make_point(world.chem_a, code="OFF-1", is_active=False)
    rules = load_rules()
    assert set(rules) == {seal.pk}
    assert rules[seal.pk].boolean and rules[seal.pk].true_windows == (e.Window(1320, 360),)
    assert load_rules([seal.pk]).keys() == {seal.pk}


# --- the lifecycle ------------------------------------------------------------------------


def test_given_an_alarm_when_acknowledged_handled_and_closed_then_each_step_recorded(world, point):
    alarm = raise_alarm(point)
    a = services.alarm_acknowledge(actor=actor(world, "employee_a"), alarm_id=alarm.pk)
    assert (a.state, a.acknowledged_by, a.version) == ("acknowledged", world.user("employee_a"), 2)
    assert a.acknowledged_at is not None
    a = services.alarm_handle(
        actor=actor(world, "safety_a"),
        alarm_id=alarm.pk,
        handling="关闭阀门，通风，复测正常",
        photo=png(),
        expected_version=2,
    )
    assert (a.state, a.handling, a.handled_by) == (
        "handled",
        "关闭阀门，通风，复测正常",
        world.user("safety_a"),
    )
    assert a.photo.name.startswith("monitoring/alarms/") and a.photo_sha256
    clear_alarm(alarm)
    a = services.alarm_close(actor=actor(world, "principal_a"), alarm_id=alarm.pk)
    assert (a.state, a.closed_by, a.version) == ("closed", world.user("principal_a"), 4)
    actions = list(a.events.order_by("id").values_list("action", flat=True))
    assert actions == ["raise", "acknowledge", "handle", "clear", "close"]
    audited = AuditEntry.objects.filter(object_type="monitoring.alarm", object_id=str(alarm.pk))
    assert sorted(audited.values_list("action", flat=True)) == [
        "alarm_acknowledge",
        "alarm_close",
        "alarm_handle",
    ]
    assert audit_verify().ok


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("raised", "handle"),
        ("raised", "close"),
        ("acknowledged", "acknowledge"),
        ("acknowledged", "close"),
        ("handled", "acknowledge"),
        ("handled", "handle"),
        ("closed", "acknowledge"),
        ("closed", "handle"),
        ("closed", "close"),
    ],
)
def test_given_an_alarm_in_a_state_when_an_illegal_step_is_taken_then_conflict(
    world, point, state, action
):
    alarm = raise_alarm(point)
    Alarm.objects.filter(pk=alarm.pk).update(state=state, cleared_at=at(5))
    call = {
        "acknowledge": lambda: services.alarm_acknowledge(
            actor=actor(world, "safety_a"), alarm_id=alarm.pk
        ),
        "handle": lambda: services.alarm_handle(
            actor=actor(world, "safety_a"), alarm_id=alarm.pk, handling="处置"
        ),
        "close": lambda: services.alarm_close(actor=actor(world, "safety_a"), alarm_id=alarm.pk),
    }[action]
    with pytest.raises(Conflict):
        call()
    alarm.refresh_from_db()
    assert alarm.state == state and alarm.version == 1
    assert not AlarmEvent.objects.exclude(action="raise").exists()


def test_given_a_handled_alarm_still_present_when_closed_then_conflict(world, point):
    alarm = raise_alarm(point)
    Alarm.objects.filter(pk=alarm.pk).update(state="handled")
    with pytest.raises(Conflict, match="报警条件仍然存在"):
        services.alarm_close(actor=actor(world, "principal_a"), alarm_id=alarm.pk)


def test_given_a_regulator_in_scope_then_may_acknowledge_but_not_handle_or_close(world, point):
    alarm = raise_alarm(point)
    a = services.alarm_acknowledge(actor=actor(world, "grid_x1"), alarm_id=alarm.pk)
    assert a.state == "acknowledged"
    with pytest.raises(Forbidden):
        services.alarm_handle(actor=actor(world, "grid_x1"), alarm_id=alarm.pk, handling="x")
    Alarm.objects.filter(pk=alarm.pk).update(state="handled", cleared_at=at(9))
    with pytest.raises(Forbidden):
        services.alarm_close(actor=actor(world, "officer_emergency_x"), alarm_id=alarm.pk)


def test_given_an_employee_when_closing_then_forbidden(world, point):
    alarm = raise_alarm(point)
    Alarm.objects.filter(pk=alarm.pk).update(state="handled", cleared_at=at(9))
    with pytest.raises(Forbidden):
        services.alarm_close(actor=actor(world, "employee_a"), alarm_id=alarm.pk)


@pytest.mark.parametrize(
    "who", ["principal_c", "coordinator_y", "officer_housing_x", "outsider", "platform_admin"]
)
def test_given_someone_out_of_scope_or_without_a_party_when_acknowledging_then_refused(
    world, point, who
):
    alarm = raise_alarm(point)
    # Out of scope is "not found"; the platform administrator sees the data but is no party.
    expected = Forbidden if who == "platform_admin" else NotFound
    with pytest.raises(expected):
        services.alarm_acknowledge(actor=actor(world, who), alarm_id=alarm.pk)


def test_given_a_stale_version_when_acting_then_conflict(world, point):
    alarm = raise_alarm(point)
    services.alarm_acknowledge(
        actor=actor(world, "safety_a"), alarm_id=alarm.pk, expected_version=1
    )
    with pytest.raises(Conflict, match="他人已先处理此报警"):
        services.alarm_handle(
            actor=actor(world, "principal_a"), alarm_id=alarm.pk, handling="x", expected_version=1
        )


def test_given_no_handling_text_or_a_bad_photo_when_handling_then_field_errors(world, point):
    alarm = raise_alarm(point)
    services.alarm_acknowledge(actor=actor(world, "safety_a"), alarm_id=alarm.pk)
    with pytest.raises(ValidationFailed) as err:
        services.alarm_handle(
            actor=actor(world, "safety_a"),
            alarm_id=alarm.pk,
            handling="  ",
            photo=SimpleUploadedFile("x.png", b"%PDF-1.4 not an image"),
        )
    assert set(err.value.errors) == {"handling", "photo"}
    alarm.refresh_from_db()
    assert alarm.state == "acknowledged"


def test_given_alarms_when_listed_by_scope_then_each_sees_its_own(world, point):
    raise_alarm(point)
    raise_alarm(make_point(world.chem_c, code="C-1"))
    seen = {
        name: services.visible_alarms(world.user(name)).count()
        for name in ("principal_a", "principal_c", "grid_x1", "coordinator_y", "outsider")
    }
    assert seen == {
        "principal_a": 1,
        "principal_c": 1,
        "grid_x1": 1,
        "coordinator_y": 1,
        "outsider": 0,
    }


def test_given_the_table_then_available_actions_follow_state_and_party(world, point):
    alarm = raise_alarm(point)
    assert services.available_actions(world.user("employee_a"), alarm) == ["acknowledge"]
    assert services.available_actions(world.user("grid_x1"), alarm) == ["acknowledge"]
    assert services.available_actions(world.user("principal_c"), alarm) == []
    alarm.state = "handled"
    assert services.available_actions(world.user("principal_a"), alarm) == []  # not cleared
    alarm.cleared_at = at(3)
    assert services.available_actions(world.user("principal_a"), alarm) == ["close"]


# --- two people at once (PostgreSQL row locks) ------------------------------------------------

needs_postgres = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="row locks need PostgreSQL; SQLite serialises writers instead",
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_given_two_people_acknowledging_at_once_when_raced_then_exactly_one_wins():
    assert connection.vendor == "postgresql"
    world = build_world()
    alarm = raise_alarm(make_point(world.chem_a))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    people = ["safety_a", "grid_x1"]

    def go(i):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.alarm_acknowledge(
                actor=actor(world, people[i]), alarm_id=alarm.pk, expected_version=1
            )
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "won"]
    alarm.refresh_from_db()
    assert alarm.version == 2
    assert alarm.events.filter(action="acknowledge").count() == 1


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def api(world, settings):
    from tests.api.conftest import ApiClient

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return lambda name: ApiClient(world.token(name))


def test_given_alarms_when_listed_over_the_api_then_scoped_and_filtered(world, point, api):
    raise_alarm(point, 0)
    red = raise_alarm(point, 100, condition="threshold:high_high")
    Alarm.objects.filter(pk=red.pk).update(level="red")
    raise_alarm(make_point(world.chem_c, code="C-1"))
    body = api("principal_a").get("/monitoring/alarms").json()
    assert body["count"] == 2 and body["items"][0]["id"] == red.pk
    assert body["items"][0]["point"] == point.code
    assert api("principal_a").get("/monitoring/alarms", level="red").json()["count"] == 1
    since = at(50).isoformat()
    assert api("principal_a").get("/monitoring/alarms", since=since).json()["count"] == 1
    assert api("principal_a").get("/monitoring/alarms", state="open").json()["count"] == 2
    assert api("principal_a").get("/monitoring/alarms", state="closed").json()["count"] == 0
    assert api("coordinator_y").get("/monitoring/alarms").json()["count"] == 1
    assert api("outsider").get("/monitoring/alarms").json()["count"] == 0
    bad = api("principal_a").get("/monitoring/alarms", level="purple")
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "level"
    # A time PostgreSQL cannot take (offset beyond ±15:59, year 867) is bad input, not a 500.
    for odd in ("0867-04-17T23:55:30+18:13", "2026-12-03T08:00:00", "0001-01-01T00:00:00+05:00"):
        bad = api("principal_a").get("/monitoring/alarms", since=odd)
        assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "since", odd
    far = api("principal_a").get("/monitoring/alarms", since="2026-01-01T00:00:00+18:13")
    assert far.status_code == 200


def test_given_an_alarm_when_acknowledged_handled_with_a_photo_and_closed_over_the_api(
    world, point, api
):
    alarm = raise_alarm(point)
    detail = api("employee_a").get(f"/monitoring/alarms/{alarm.pk}").json()
    assert detail["actions"] == ["acknowledge"] and detail["events"][0]["action"] == "raise"
    assert detail["events"][0]["actor"] == "engine"
    r = api("employee_a").post(
        f"/monitoring/alarms/{alarm.pk}/acknowledge", {"expected_version": 1}
    )
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"
    assert r.json()["acknowledged_by"] == "employee_a"
    # stale version: 409
    r = api("safety_a").post(
        f"/monitoring/alarms/{alarm.pk}/handle", {"handling": "x", "expected_version": 1}
    )
    assert r.status_code == 409
    # no handling text: 422 with the field
    r = api("safety_a").post(f"/monitoring/alarms/{alarm.pk}/handle", {"handling": ""})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "handling"
    client = api("safety_a")
    r = client.client.post(
        f"/api/v1/monitoring/alarms/{alarm.pk}/handle/multipart",
        {"handling": "关阀、通风", "expected_version": "2", "photo": png()},
        headers=client.headers,
    )
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "handled" and r.json()["has_photo"]
    photo = client.get(f"/monitoring/alarms/{alarm.pk}/photo")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    # still present: 409; cleared: closes
    r = api("principal_a").post(f"/monitoring/alarms/{alarm.pk}/close", {})
    assert r.status_code == 409
    clear_alarm(alarm)
    r = api("principal_a").post(f"/monitoring/alarms/{alarm.pk}/close", {"note": "复测正常"})
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert [e["action"] for e in r.json()["events"]][-1] == "close"


def test_given_api_refusals_then_404_403_and_422_never_500(world, point, api):
    alarm = raise_alarm(point)
    assert api("principal_c").get(f"/monitoring/alarms/{alarm.pk}").status_code == 404
    assert (
        api("principal_c").post(f"/monitoring/alarms/{alarm.pk}/acknowledge", {}).status_code == 404
    )
    assert api("principal_a").get("/monitoring/alarms/99999999").status_code == 404
    assert api("principal_a").get("/monitoring/alarms/0").status_code == 404
    assert (
        api("grid_x1").post(f"/monitoring/alarms/{alarm.pk}/handle", {"handling": "x"}).status_code
        == 409
    )  # not acknowledged yet: the state is checked before the party
    r = api("principal_a").post(f"/monitoring/alarms/{alarm.pk}/acknowledge", {"bogus": 1})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "bogus"
    r = api("principal_a").post(
        f"/monitoring/alarms/{alarm.pk}/acknowledge", {"expected_version": "abc"}
    )
    assert r.status_code == 422
    r = api("principal_a").post(f"/monitoring/alarms/{alarm.pk}/acknowledge", raw="{nope")
    assert r.status_code in (400, 422)
    services.alarm_acknowledge(actor=actor(world, "principal_a"), alarm_id=alarm.pk)
    r = api("grid_x1").post(f"/monitoring/alarms/{alarm.pk}/handle", {"handling": "x"})
    assert r.status_code == 403
    wf = api("principal_a").get("/monitoring/alarm-workflow").json()
    assert [t["action"] for t in wf["transitions"]] == ["acknowledge", "handle", "close"]

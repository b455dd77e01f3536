"""Monitoring pages per role: the jurisdiction board, the enterprise board and their
fragments, the alarm list with filters, an alarm's detail with its acknowledge / handle /
close forms (a stale form refused), a point's history chart data, the home tile and the
nav entry; an outsider sees nothing and objects out of scope are 404. Query counts of the
boards and the list do not grow with the rows."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from anjian.core import tiles
from anjian.monitoring import boards, storage
from anjian.monitoring import engine as e
from anjian.monitoring.alarms import record
from anjian.monitoring.models import Alarm, Gateway, Point, SetPoint
from anjian.risks.models import MajorHazardInstallation


@pytest.fixture
def client_for(world):
    def make(persona: str) -> Client:
        client = Client()
        client.force_login(world.user(persona))
        return client

    return make


def gateway_of(enterprise) -> Gateway:
    gateway = Gateway.objects.filter(enterprise=enterprise).first()
    if gateway is None:
        gateway = Gateway(enterprise=enterprise, code=f"GW-{enterprise.pk}", name="网关")
        gateway.set_token(Gateway.new_token())
        gateway.save()
    return gateway


def make_point(enterprise, code="GT-101", kind="combustible_gas", **extra) -> Point:
    return Point.objects.create(
        gateway=gateway_of(enterprise),
        enterprise=enterprise,
        code=code,
        name=f"可燃气体探测器{code}",
        kind=kind,
        unit="%LEL",
        range_low=Decimal(0),
        range_high=Decimal(100),
        **extra,
    )


def raise_alarm(point, *, level="orange", ago=60, condition="threshold:high", value=30.0):
    ts = timezone.now().replace(microsecond=0) - dt.timedelta(seconds=ago)
    record([e.Transition(point.pk, condition, level, "raise", ts, value, "high")])
    return Alarm.objects.get(point=point, condition=condition, raised_at=ts)


def clear(alarm):
    ts = alarm.raised_at + dt.timedelta(seconds=30)
    record([e.Transition(alarm.point_id, alarm.condition, alarm.level, "clear", ts, 5.0, "high")])


def png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (30, 200, 30)).save(buf, format="PNG")
    return SimpleUploadedFile("done.png", buf.getvalue(), content_type="image/png")


@pytest.fixture
def tank(world):
    return MajorHazardInstallation.objects.create(
        enterprise=world.chem_a,
        name="液氯储罐区",
        unit_kind="storage",
        is_major=True,
        grade=2,
        principal_person="王主任",
        technical_person="赵工",
        operational_person="钱班长",
    )


@pytest.fixture
def point(world, tank):
    p = make_point(world.chem_a, installation=tank)
    SetPoint.objects.create(point=p, name="high", value=Decimal(25), level="orange")
    SetPoint.objects.create(point=p, name="high_high", value=Decimal(50), level="red")
    return p


@pytest.fixture
def readings(point):
    now = timezone.now().replace(microsecond=0)
    rows = [(point.pk, now - dt.timedelta(minutes=m), 10.0 + m % 7) for m in range(50, -1, -1)]
    storage.store_readings(rows, received_at=now)
    return rows


@pytest.fixture
def alarm(point):
    return raise_alarm(point)


@pytest.fixture
def far_alarm(world):
    return raise_alarm(make_point(world.chem_c, code="WEST-1"), level="red")


# --- the jurisdiction board ----------------------------------------------------------------


def test_given_a_regulator_when_the_board_opens_then_counts_enterprises_and_map_in_scope(
    world, client_for, alarm, far_alarm
):
    world.chem_a.longitude, world.chem_a.latitude = Decimal("120.1"), Decimal("30.2")
    world.chem_a.save()
    response = client_for("coordinator_x").get(reverse("monitoring:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-live="/monitoring/board/fragment/"' in html
    assert world.chem_a.name in html and world.chem_c.name not in html
    board = response.context["board"]
    assert board["counts"] == {"red": 0, "orange": 1, "yellow": 0, "blue": 0}
    assert [row["n"] for row in board["industries"]] == [1]
    assert board["map"]["marks"][0]["level"] == "orange"
    assert 'class="mon-mark mon-mark-orange"' in html
    west = client_for("coordinator_y").get(reverse("monitoring:board")).context["board"]
    assert west["counts"]["red"] == 1 and west["counts"]["orange"] == 0


def test_given_an_offline_point_when_the_board_opens_then_listed_as_offline(
    world, client_for, point
):
    raise_alarm(point, condition="offline", level="yellow")
    html = client_for("grid_x1").get(reverse("monitoring:board")).content.decode()
    assert 'id="board-offline"' in html and point.name in html


def test_given_enterprise_staff_when_opening_monitoring_then_their_own_board(world, client_for):
    response = client_for("employee_a").get(reverse("monitoring:home"))
    assert response.status_code == 302
    assert response.url == reverse("monitoring:enterprise", args=[world.chem_a.pk])
    assert client_for("employee_a").get(reverse("monitoring:board")).status_code == 403


@pytest.mark.parametrize("persona", ["outsider", "security_admin", "audit_admin"])
def test_given_a_role_without_monitoring_when_opening_the_pages_then_refused(
    world, client_for, persona, alarm, point
):
    client = client_for(persona)
    for name, args in [
        ("monitoring:home", []),
        ("monitoring:board", []),
        ("monitoring:board-fragment", []),
        ("monitoring:alarms", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    for name, args in [
        ("monitoring:enterprise", [world.chem_a.pk]),
        ("monitoring:alarm", [alarm.pk]),
        ("monitoring:point", [point.pk]),
        ("monitoring:point-data", [point.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code in (403, 404), name
    assert Client().get(reverse("monitoring:board")).status_code == 302  # to sign in


def test_given_the_fragment_when_polled_then_the_current_board_and_no_cache(
    world, client_for, point
):
    client = client_for("coordinator_x")
    first = client.get(reverse("monitoring:board-fragment"))
    assert first.status_code == 200 and first["Cache-Control"] == "no-store"
    assert "<html" not in first.content.decode()
    assert first.context["board"]["counts"]["red"] == 0
    raise_alarm(point, level="red")
    again = client.get(reverse("monitoring:board-fragment"))
    assert again.context["board"]["counts"]["red"] == 1
    assert world.chem_a.name in again.content.decode()


def test_given_many_alarms_when_the_board_opens_then_the_queries_do_not_grow(
    world, client_for, django_assert_max_num_queries
):
    for enterprise in (world.chem_a, world.build_b, world.ess_d):
        for i in range(4):
            raise_alarm(make_point(enterprise, code=f"P{enterprise.pk}-{i}"), ago=10 + i)
    client = client_for("coordinator_x")
    client.get(reverse("monitoring:board"))  # warm the session
    with django_assert_max_num_queries(14):
        response = client.get(reverse("monitoring:board"))
    assert sum(response.context["board"]["counts"].values()) == 12
    with django_assert_max_num_queries(14):
        client.get(reverse("monitoring:board-fragment"))


# --- the enterprise board ------------------------------------------------------------------


def test_given_readings_when_the_enterprise_board_opens_then_latest_values_and_sparklines(
    world, client_for, point, readings, alarm
):
    response = client_for("principal_a").get(
        reverse("monitoring:enterprise", args=[world.chem_a.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    board = response.context["board"]
    [group] = board["groups"]
    assert group.title == "液氯储罐区" and group.kind == "installation"
    [row] = group.rows
    assert row.latest.value == readings[-1][2]
    assert row.spark.count(",") >= 40  # a point per minute of the last hour
    assert row.alarm_level == "orange"
    assert '<polyline points="' in html and f'data-alarm="{alarm.pk}"' in html
    assert reverse("monitoring:point", args=[point.pk]) in html


def test_given_an_enterprise_out_of_scope_when_its_board_opens_then_404(world, client_for, point):
    url = reverse("monitoring:enterprise", args=[world.chem_a.pk])
    fragment = reverse("monitoring:enterprise-fragment", args=[world.chem_a.pk])
    for persona in ("principal_c", "coordinator_y", "officer_housing_x"):
        assert client_for(persona).get(url).status_code == 404, persona
        assert client_for(persona).get(fragment).status_code == 404, persona
    for persona in ("coordinator_x", "officer_emergency_x", "grid_x1", "expert_x", "safety_a"):
        assert client_for(persona).get(url).status_code == 200, persona


def test_given_many_points_when_the_enterprise_board_opens_then_the_queries_do_not_grow(
    world, client_for, tank, django_assert_max_num_queries
):
    now = timezone.now().replace(microsecond=0)
    rows = []
    for i in range(12):
        p = make_point(world.chem_a, code=f"Q{i}", installation=tank if i % 2 else None)
        SetPoint.objects.create(point=p, name="high", value=Decimal(25), level="orange")
        rows += [(p.pk, now - dt.timedelta(minutes=m), float(m)) for m in range(5)]
        if i % 3 == 0:
            raise_alarm(p, ago=5 + i)
    storage.store_readings(rows, received_at=now)
    client = client_for("principal_a")
    url = reverse("monitoring:enterprise-fragment", args=[world.chem_a.pk])
    client.get(url)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.context["board"]["points_total"] == 12
    assert len(response.context["board"]["alarms"]) == 4


# --- the alarm list ------------------------------------------------------------------------


def test_given_filters_when_listing_alarms_then_only_matching_alarms_in_scope(
    world, client_for, point, far_alarm
):
    seal = make_point(world.chem_a, code="SEAL-1", kind="seal")
    red = raise_alarm(point, level="red", ago=30)
    old = raise_alarm(seal, level="blue", condition="seal", ago=3 * 86400)
    client = client_for("coordinator_x")

    def ids(**params):
        response = client.get(reverse("monitoring:alarms"), params)
        assert response.status_code == 200
        return {a.pk for a in response.context["alarms"]}

    assert ids() == {red.pk, old.pk}  # open, in scope (not chem_c's)
    assert ids(level="red") == {red.pk}
    assert ids(kind="seal") == {old.pk}
    assert ids(since=timezone.localdate().isoformat()) == {red.pk}
    assert ids(enterprise=world.chem_a.pk) == {red.pk, old.pk}
    assert ids(enterprise=world.chem_c.pk) == {red.pk, old.pk}  # not a choice: ignored
    assert ids(state="closed") == set()
    assert ids(state="", level="nonsense") == {red.pk, old.pk}  # a bad filter: the default
    assert client_for("coordinator_y").get(reverse("monitoring:alarms")).context["alarms"] == [
        far_alarm
    ]


def test_given_many_alarms_when_listing_then_paged_in_a_fixed_number_of_queries(
    world, client_for, point, django_assert_max_num_queries
):
    record(
        [
            e.Transition(
                point.pk,
                "threshold:high",
                "orange",
                "raise",
                timezone.now() - dt.timedelta(minutes=i),
                30.0,
                "high",
            )
            for i in range(60)
        ]
    )
    client = client_for("principal_a")
    client.get(reverse("monitoring:alarms"))
    with django_assert_max_num_queries(9):
        response = client.get(reverse("monitoring:alarms"))
    assert len(response.context["alarms"]) == 50
    assert response.context["page"].paginator.num_pages == 2
    second = client.get(reverse("monitoring:alarms"), {"page": 2})
    assert len(second.context["alarms"]) == 10


# --- an alarm: detail and actions ----------------------------------------------------------


def post(client, alarm, action, **data):
    body = {f"{action}-{k}": v for k, v in data.items()}
    body.setdefault(f"{action}-version", alarm.version)
    return client.post(reverse("monitoring:alarm-act", args=[alarm.pk, action]), body)


def test_given_an_alarm_when_staff_acknowledge_handle_and_close_then_it_moves_with_names(
    world, client_for, alarm
):
    principal = world.user("principal_a")
    principal.display_name = "李四"
    principal.save()
    employee = world.user("employee_a")
    employee.display_name = "王五"
    employee.save()
    client = client_for("employee_a")
    detail = client.get(reverse("monitoring:alarm", args=[alarm.pk]))
    assert [a["action"] for a in detail.context["actions"]] == ["acknowledge"]
    assert 'id="act-acknowledge"' in detail.content.decode()
    response = post(client, alarm, "acknowledge", note="到场查看")
    assert response.status_code == 302
    alarm.refresh_from_db()
    assert (alarm.state, alarm.acknowledged_by.username) == ("acknowledged", "employee_a")
    # Handle: what was done is required, by field.
    missing = post(client, alarm, "handle", handling="  ")
    assert missing.status_code == 422
    assert missing.context["actions"][0]["form"].errors["handling"]
    body = {
        "handle-version": alarm.version,
        "handle-handling": "关闭阀门，通风",
        "handle-photo": png(),
    }
    done = client.post(reverse("monitoring:alarm-act", args=[alarm.pk, "handle"]), body)
    assert done.status_code == 302
    alarm.refresh_from_db()
    assert alarm.state == "handled" and alarm.photo and alarm.photo_sha256
    photo = client.get(reverse("monitoring:alarm-photo", args=[alarm.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    # The employee cannot close; the principal can once the condition has cleared.
    assert client.get(reverse("monitoring:alarm", args=[alarm.pk])).context["actions"] == []
    boss = client_for("principal_a")
    assert boss.get(reverse("monitoring:alarm", args=[alarm.pk])).context["actions"] == []
    still = post(boss, alarm, "close")
    assert still.status_code == 409 and still.context["refusal"]
    alarm.refresh_from_db()
    assert alarm.state == "handled"
    clear(alarm)
    alarm.refresh_from_db()
    closed = post(boss, alarm, "close", note="复测正常")
    assert closed.status_code == 302
    alarm.refresh_from_db()
    assert alarm.state == "closed"
    html = boss.get(reverse("monitoring:alarm", args=[alarm.pk])).content.decode()
    assert "王五" in html and "李四" in html and "关闭阀门，通风" in html
    assert "employee_a" not in html  # names, not login names


def test_given_a_stale_form_when_posted_then_somebody_else_acted_first(world, client_for, alarm):
    stale = alarm.version
    assert post(client_for("grid_x1"), alarm, "acknowledge").status_code == 302
    response = post(client_for("safety_a"), alarm, "acknowledge", version=stale)
    assert response.status_code == 409
    assert response.context["refusal"]
    alarm.refresh_from_db()
    assert alarm.acknowledged_by.username == "grid_x1"
    # The handle form now offered carries the version as stored.
    handle = [a for a in response.context["actions"] if a["action"] == "handle"]
    assert handle and handle[0]["form"].initial["version"] == alarm.version


def test_given_a_regulator_when_viewing_an_alarm_then_may_acknowledge_but_not_handle(
    world, client_for, alarm
):
    client = client_for("officer_emergency_x")
    detail = client.get(reverse("monitoring:alarm", args=[alarm.pk]))
    assert [a["action"] for a in detail.context["actions"]] == ["acknowledge"]
    post(client, alarm, "acknowledge")
    alarm.refresh_from_db()
    response = post(client, alarm, "handle", handling="x")
    assert response.status_code == 403 and response.context["refusal"]
    alarm.refresh_from_db()
    assert alarm.state == "acknowledged"


def test_given_an_alarm_out_of_scope_when_opened_or_acted_on_then_404(world, client_for, far_alarm):
    for persona in ("principal_a", "coordinator_x", "officer_housing_x"):
        client = client_for(persona)
        assert client.get(reverse("monitoring:alarm", args=[far_alarm.pk])).status_code == 404
        assert post(client, far_alarm, "acknowledge").status_code == 404
        assert client.get(reverse("monitoring:alarm-photo", args=[far_alarm.pk])).status_code == 404
    assert post(client_for("principal_c"), far_alarm, "fly").status_code == 404
    far_alarm.refresh_from_db()
    assert far_alarm.state == "raised"


# --- a point's history chart ---------------------------------------------------------------


def test_given_readings_when_the_point_chart_loads_then_series_by_range_and_set_points(
    world, client_for, point, readings
):
    client = client_for("expert_x")
    page = client.get(reverse("monitoring:point", args=[point.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "vendor/echarts/echarts.min.js" in html and 'id="point-chart"' in html
    url = reverse("monitoring:point-data", args=[point.pk])
    hour = client.get(url, {"range": "1h"}).json()
    assert hour["source"] == "raw" and len(hour["data"]) == 51
    assert [(s["value"], s["level"]) for s in hour["setpoints"]] == [
        (25.0, "orange"),
        (50.0, "red"),
    ]
    day = client.get(url, {"range": "24h"}).json()
    assert day["source"] == "m" and len(day["data"]) == 51
    week = client.get(url, {"range": "7d"}).json()
    assert week["source"] == "h" and 1 <= len(week["data"]) <= 2
    assert sum(r[1] for r in week["data"]) > 0
    assert client.get(url, {"range": "nonsense"}).json()["range"] == "1h"
    for persona in ("principal_c", "coordinator_y"):
        assert client_for(persona).get(url).status_code == 404
        assert (
            client_for(persona).get(reverse("monitoring:point", args=[point.pk])).status_code == 404
        )


def test_sparkline_scales_a_series_into_its_box():
    assert boards.sparkline([]) == ""
    assert boards.sparkline([1.0, 3.0]) == "0.0,26.0 120.0,2.0"
    assert boards.sparkline([5.0]) == "0.0,26.0 120.0,26.0"


# --- home tile and navigation --------------------------------------------------------------


def test_given_roles_when_the_home_page_renders_then_the_alarm_tile_and_nav_entry(
    world, client_for, alarm, far_alarm
):
    shown = {t.name: t.data for t in tiles.tiles_for(world.user("coordinator_x"))}
    assert shown["monitoring.alarms"]["counts"]["orange"] == 1
    assert shown["monitoring.alarms"]["total"] == 1
    own = {t.name: t.data for t in tiles.tiles_for(world.user("principal_c"))}
    assert own["monitoring.alarms"]["own"] and own["monitoring.alarms"]["counts"]["red"] == 1
    assert "monitoring.alarms" not in {t.name for t in tiles.tiles_for(world.user("outsider"))}
    # Nothing open in the west county's scope but chem_c's alarm; nothing at all for
    # the housing officer: no tile (the nav entry stays).
    assert "monitoring.alarms" not in {
        t.name for t in tiles.tiles_for(world.user("officer_housing_x"))
    }
    html = client_for("safety_a").get(reverse("home")).content.decode()
    board = reverse("monitoring:enterprise", args=[world.chem_a.pk])
    assert 'id="home-monitoring"' in html and f'href="{board}"' in html
    regulator = client_for("officer_housing_x").get(reverse("home")).content.decode()
    assert 'id="home-monitoring"' not in regulator
    assert f'href="{reverse("monitoring:home")}"' in regulator
    admin = client_for("security_admin").get(reverse("home")).content.decode()
    assert f'href="{reverse("monitoring:home")}"' not in admin


def test_given_the_board_when_rendered_then_no_inline_script(world, client_for, alarm):
    for url in (
        reverse("monitoring:board"),
        reverse("monitoring:enterprise", args=[world.chem_a.pk]),
        reverse("monitoring:alarm", args=[alarm.pk]),
        reverse("monitoring:point", args=[alarm.point_id]),
    ):
        html = client_for("coordinator_x").get(url).content.decode()
        assert "<script>" not in html and "onclick" not in html, url


def test_queries_are_captured_on_this_connection(world):
    # The query-count tests read this connection (a guard against a silent zero).
    with CaptureQueriesContext(connection) as ctx:
        list(Alarm.objects.all())
    assert len(ctx.captured_queries) == 1


@pytest.mark.parametrize(
    "persona,shown", [("safety_a", True), ("expert_x", True), ("employee_a", False)]
)
def test_given_the_enterprise_board_then_only_who_may_import_sees_the_import_link(
    world, client_for, point, persona, shown
):
    url = reverse("monitoring:points-import", args=[world.chem_a.pk])
    html = client_for(persona).get(reverse("monitoring:enterprise", args=[world.chem_a.pk]))
    assert (url in html.content.decode()) is shown

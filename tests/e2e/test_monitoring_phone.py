"""Boards that move, in Chromium: readings fed through the monitoring pipeline raise an
alarm that appears on the enterprise board without a reload, within a second; the safety
officer acknowledges and handles it from a 390 px phone (no sideways scroll, inputs of at
least 16 px, large buttons). The desktop jurisdiction board and the phone alarm page are
saved in test-artifacts/, and with ANJIAN_SCREENSHOTS=1 also as
docs/screenshots/monitoring-board.png and alarm-phone.png (so an ordinary run leaves the
tracked images alone)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from anjian.monitoring.models import Alarm, Gateway, Point, SetPoint
from anjian.monitoring.pipeline import Pipeline
from anjian.registry.geometry import as_geojson
from anjian.risks.models import MajorHazardInstallation
from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.e2e.test_browser import DESKTOP, PHONE, sign_in
from tests.world import division, enterprise

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shot(page, artifacts, name: str) -> None:  # noqa: F811
    page.screenshot(path=str(artifacts / name), full_page=True)
    if os.environ.get("ANJIAN_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def png_file(tmp_path, name: str) -> str:
    from PIL import Image

    path = tmp_path / name
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 160, 80)).save(buf, format="PNG")
    path.write_bytes(buf.getvalue())
    return str(path)


def payload(gateway: str, readings) -> bytes:
    return json.dumps(
        {
            "gateway": gateway,
            "readings": [{"point": p, "ts": t.isoformat(), "value": v} for p, t, v in readings],
        }
    ).encode()


def site(world):
    """The chemical enterprise's tank farm with two gas detectors and a temperature
    point, an hour of quiet readings through the pipeline; a few more enterprises with
    coordinates in two township areas for the jurisdiction board."""
    for username, name in [("safety_a", "赵安全"), ("coordinator_x", "钱协调")]:
        user = world.user(username)
        user.display_name = name
        user.save()
    tank = MajorHazardInstallation.objects.create(
        enterprise=world.chem_a,
        name="液氯储罐区",
        unit_kind="storage",
        is_major=True,
        grade=2,
        principal_person="王主任",
        technical_person="赵工",
        operational_person="钱班长",
    )
    gateway = Gateway(enterprise=world.chem_a, code="GW-A1", name="储罐区网关")
    gateway.set_token(Gateway.new_token())
    gateway.save()
    specs = [
        ("LEL-101", "1号罐可燃气体", "combustible_gas", "%LEL", 25, 50),
        ("LEL-102", "2号罐可燃气体", "combustible_gas", "%LEL", 25, 50),
        ("TT-201", "1号罐温度", "temperature", "°C", 40, 55),
    ]
    points = {}
    for code, name, kind, unit, high, high_high in specs:
        p = Point.objects.create(
            gateway=gateway,
            enterprise=world.chem_a,
            installation=tank,
            code=code,
            name=name,
            kind=kind,
            unit=unit,
            range_low=Decimal(-40),
            range_high=Decimal(200),
        )
        SetPoint.objects.create(point=p, name="high", value=Decimal(high), level="orange")
        SetPoint.objects.create(point=p, name="high_high", value=Decimal(high_high), level="red")
        points[code] = p
    now = timezone.now().replace(microsecond=0)
    history = []
    for m in range(60, 0, -1):
        ts = now - dt.timedelta(minutes=m)
        history += [
            ("LEL-101", ts, 3 + (m % 9) * 0.6),
            ("LEL-102", ts, 1.5 + (m % 5) * 0.4),
            ("TT-201", ts, 24 + (m % 12) * 0.3),
        ]
    pipeline = Pipeline()
    pipeline.process([(payload("GW-A1", history), None)])
    # The jurisdiction: two townships with areas, enterprises placed inside them.
    town_2 = division("330101002", "南镇", "township", world.county_x)
    grid_2 = division("330101002001", "南镇一网格", "grid", town_2)
    world.town_x.boundary = as_geojson(
        [(120.00, 30.10), (120.30, 30.10), (120.30, 30.22), (120.00, 30.22)]
    )
    world.town_x.save()
    town_2.boundary = as_geojson(
        [(120.00, 29.98), (120.30, 29.98), (120.30, 30.10), (120.00, 30.10)]
    )
    town_2.save()
    placed = [
        (world.chem_a, 120.08, 30.17),
        (world.build_b, 120.21, 30.13),
        (world.ess_d, 120.26, 30.19),
    ]
    for serial, (name, lon, lat, industry) in enumerate(
        [
            ("南镇戊化工有限公司", 120.06, 30.05, "HR-HAZCHEM"),
            ("南镇己建筑工程有限公司", 120.17, 30.02, "HR-CONSTR"),
            ("南镇庚化工有限公司", 120.25, 30.07, "HR-HAZCHEM"),
        ],
        start=11,
    ):
        placed.append((enterprise(serial, name, grid_2, industry), lon, lat))
    for ent, lon, lat in placed:
        ent.longitude, ent.latitude = Decimal(str(lon)), Decimal(str(lat))
        ent.save()
    return pipeline, points, placed


def other_alarms(placed):
    """Alarms at two more enterprises, so the jurisdiction board has levels and
    industries to show (recorded the way the engine records them)."""
    from anjian.monitoring import engine as e
    from anjian.monitoring.alarms import record

    now = timezone.now().replace(microsecond=0)
    transitions = []
    for (ent, _lon, _lat), (level, condition) in zip(
        placed[3:5], [("red", "threshold:high_high"), ("yellow", "offline")], strict=True
    ):
        gateway = Gateway(enterprise=ent, code=f"GW-{ent.pk}", name="网关")
        gateway.set_token(Gateway.new_token())
        gateway.save()
        p = Point.objects.create(
            gateway=gateway,
            enterprise=ent,
            code=f"P-{ent.pk}",
            name="有毒气体探测器",
            kind="toxic_gas",
            unit="ppm",
        )
        transitions.append(
            e.Transition(p.pk, condition, level, "raise", now - dt.timedelta(minutes=7), 12.0, "")
        )
    record(transitions)


def test_given_a_leak_when_readings_arrive_then_the_board_shows_the_alarm_and_a_phone_handles_it(
    live_server,
    world,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
    tmp_path,
):
    pipeline, points, placed = site(world)
    base = live_server.url
    board_url = base + reverse("monitoring:enterprise", args=[world.chem_a.pk])

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2)
    page = phone.new_page()
    sign_in(page, base, "safety_a")
    assert page.locator("#home-monitoring").count() == 0  # nothing open yet
    nav = reverse("monitoring:enterprise", args=[world.chem_a.pk])
    assert page.locator(f'#site-nav a[href="{nav}"]').count() == 1
    page.goto(board_url)
    page.wait_for_selector(f'[data-point="{points["LEL-101"].pk}"] polyline')
    assert page.locator("[data-alarm]").count() == 0
    page.wait_for_selector("#mon-live[data-refreshed]", state="attached")

    # A leak: the gas detector reads 38 %LEL, over its high set-point (25).
    now = timezone.now().replace(microsecond=0)
    batch = pipeline.process([(payload("GW-A1", [("LEL-101", now, 38.0)]), None)])
    stored = time.monotonic()
    assert batch.alarms_raised == 1
    alarm = Alarm.objects.get()
    page.wait_for_selector(f'[data-alarm="{alarm.pk}"]', timeout=3000)
    seen = time.monotonic() - stored
    assert seen < 1.5, f"the alarm took {seen:.2f} s to appear"
    assert page.url == board_url  # no reload, no navigation
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    page.screenshot(path=str(artifacts / "monitoring-enterprise-390.png"), full_page=True)

    # The point's history chart with its set-points, then the 24 h range.
    page.click(f'[data-point="{points["LEL-101"].pk}"] a.mon-point-name')
    page.wait_for_selector("#point-chart[data-ready]")
    assert page.get_attribute("#point-chart", "data-setpoints") == "2"
    assert int(page.get_attribute("#point-chart", "data-ready")) >= 60
    page.click("a[data-range='24h']")
    page.wait_for_selector("#point-chart[data-range='24h'][data-ready]")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(artifacts / "monitoring-point-390.png"), full_page=True)
    page.go_back()
    page.wait_for_selector(f'[data-alarm="{alarm.pk}"]')

    # Acknowledge and handle it from the phone.
    page.click(f'[data-alarm="{alarm.pk}"] a')
    page.wait_for_selector("#act-acknowledge")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    button = page.locator("#act-acknowledge button[type=submit]").bounding_box()
    assert button["height"] >= 44 and button["width"] >= 300
    page.fill("#act-acknowledge textarea", "已到现场，疏散无关人员")
    page.click("#act-acknowledge button[type=submit]")
    page.wait_for_selector("#act-handle")
    small = page.evaluate(
        """[...document.querySelectorAll('.mon-action textarea, .mon-action input:not([type=hidden])')]
           .filter(e => parseFloat(getComputedStyle(e).fontSize) < 16).map(e => e.name)"""
    )
    assert small == []
    page.fill("#act-handle textarea", "关闭1号罐根部阀，开启强制通风，复测降至 3 %LEL")
    page.set_input_files("#act-handle input[type=file]", png_file(tmp_path, "valve.png"))
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(page, artifacts, "alarm-phone.png")
    page.click("#act-handle button[type=submit]")
    page.wait_for_selector("#alarm-history")
    page.wait_for_selector(".mon-photo")
    alarm.refresh_from_db()
    assert alarm.state == "handled" and alarm.acknowledged_by.username == "safety_a"
    assert alarm.photo_sha256
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(artifacts / "alarm-phone-handled.png"), full_page=True)
    page.goto(base + reverse("home"))
    assert page.locator("#home-monitoring").count() == 1  # now one alarm is open
    page.goto(base + reverse("monitoring:alarms"))
    page.wait_for_selector(f'[data-alarm="{alarm.pk}"]')
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(artifacts / "monitoring-alarms-390.png"), full_page=True)
    phone.close()

    # The regulator's jurisdiction board on a desktop.
    other_alarms(placed)
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    board = desk.new_page()
    sign_in(board, base, "coordinator_x")
    board.goto(base + reverse("monitoring:home"))
    board.wait_for_selector(".mon-mark-red")
    assert board.locator("#board-enterprises li").count() == 3
    board.wait_for_selector("#mon-live[data-refreshed]", state="attached")
    shot(board, artifacts, "monitoring-board.png")
    desk.close()

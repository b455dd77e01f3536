"""Issue 11, "Done when": `mosquitto_pub` of a reading above a point's high set-point
shows an alarm on the board within a second. The whole path, nothing called directly:
the mosquitto_pub command → a private Mosquitto → `anjian monitor listen` (a separate
process) → PostgreSQL → the enterprise board in Chromium, which is not reloaded.

PostgreSQL only: the listener process must open the test's database, and on SQLite the
live server shares an in-memory database no other process can see (the same path on
SQLite is covered by tests/monitoring/test_mqtt.py and test_monitoring_phone.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.e2e.test_browser import DESKTOP, sign_in
from tests.e2e.test_monitoring_phone import site
from tests.monitoring.test_mqtt import MOSQUITTO, Broker, Database, listener, stop

MOSQUITTO_PUB = shutil.which("mosquitto_pub") or "/usr/bin/mosquitto_pub"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (shutil.which("mosquitto_pub") and Path(MOSQUITTO).exists()),
        reason="needs mosquitto and mosquitto_pub",
    ),
]


def mosquitto_pub(port: int, gateway: str, point: str, value: float) -> None:
    body = json.dumps(
        {
            "gateway": gateway,
            "readings": [{"point": point, "ts": timezone.now().isoformat(), "value": value}],
        }
    )
    topic = f"anjian/v1/{gateway}/readings"
    subprocess.run(
        [MOSQUITTO_PUB, "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-t", topic, "-m", body],
        check=True,
        timeout=10,
    )


def test_given_a_listener_when_mosquitto_pub_sends_a_reading_over_the_high_setpoint_then_the_board_shows_the_alarm_within_a_second(
    live_server,
    world,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
    tmp_path,
):
    if connection.vendor != "postgresql":
        pytest.skip("the listener process needs the test database on PostgreSQL")
    _pipeline, points, _placed = site(world)
    broker = Broker(tmp_path)
    broker.start()
    db = Database(tmp_path)
    proc = listener(db, broker, tmp_path, "--client-id", "t-e2e-board")
    try:
        # Quiet readings until the listener has subscribed and stored one.
        before = db.scalar("SELECT count(*) FROM monitoring_rawreading")
        deadline = time.monotonic() + 30
        while db.scalar("SELECT count(*) FROM monitoring_rawreading") == before:
            assert proc.poll() is None, "the listener died"
            assert time.monotonic() < deadline, "the listener never stored a reading"
            mosquitto_pub(broker.port, "GW-A1", "LEL-101", 4.0)
            time.sleep(0.3)

        desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        page = desk.new_page()
        sign_in(page, live_server.url, "safety_a")
        board_url = live_server.url + reverse("monitoring:enterprise", args=[world.chem_a.pk])
        page.goto(board_url)
        page.wait_for_selector("#mon-live[data-refreshed]", state="attached")
        assert page.locator("[data-alarm]").count() == 0

        # The leak: 38 %LEL on LEL-101, whose high set-point is 25.
        sent = time.monotonic()
        mosquitto_pub(broker.port, "GW-A1", "LEL-101", 38.0)
        page.wait_for_selector("[data-alarm]", timeout=5000)
        seen = time.monotonic() - sent
        print(f"mosquitto_pub → alarm on the board: {seen * 1000:.0f} ms")
        assert seen < 1.0, f"the alarm took {seen:.2f} s to reach the board"
        assert page.url == board_url  # no reload, no navigation
        row = page.locator("[data-alarm]").first.inner_text()
        assert points["LEL-101"].name in row or "LEL-101" in row
        page.screenshot(path=str(artifacts / "monitoring-mqtt-board.png"), full_page=True)
        desk.close()
    finally:
        stop(proc)
        broker.stop()
        # The reads above ran beside Playwright's loop, on a connection of their own:
        # closed here, or the test database could not be dropped at the end.
        connection.close()

"""The MQTT path against a real, private Mosquitto (started here on a free port, with
persistence in a temporary directory) and real `anjian monitor listen` processes:
bad messages, a broker restart and `kill -9` of the listener lose no acknowledged
reading, and two listeners on a shared subscription keep one point's alarm state.

The listeners are separate processes, so they need a database they can open: on
SQLite the test database is copied to a file (VACUUM INTO) after the fixtures are
committed; on PostgreSQL they use the test database itself.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from django.db import connection

from anjian.monitoring.models import SetPoint
from anjian.monitoring.state import RedisStateStore
from tests.monitoring.ingestion_fixtures import make_gateway, payload

ROOT = Path(__file__).resolve().parents[2]
ANJIAN = str(ROOT / ".venv" / "bin" / "anjian")
MOSQUITTO = "/usr/sbin/mosquitto"

pytestmark = [
    pytest.mark.skipif(not Path(MOSQUITTO).exists(), reason="needs mosquitto"),
    pytest.mark.django_db(transaction=True),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.dir = tmp
        self.conf = tmp / "mosquitto.conf"
        self.conf.write_text(
            # user root: as root, mosquitto would otherwise drop to "mosquitto", who
            # cannot write its persistence file in this private directory.
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\nuser root\n"
            f"persistence_location {tmp}/\nautosave_interval 1\nmax_inflight_messages 100\n"
            "max_queued_messages 100000\n"
        )
        self.proc = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [MOSQUITTO, "-c", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=(self.dir / "broker.log").open("a"),
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: mosquitto saves its persistence file
            self.proc.wait(10)

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"


@pytest.fixture
def broker(tmp_path):
    b = Broker(tmp_path)
    b.start()
    yield b
    b.stop()


class Database:
    """The committed test data, where a listener process can open it."""

    def __init__(self, tmp: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.path = None
        if connection.vendor == "sqlite":
            self.path = tmp / "listener.sqlite3"
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(self.path)])
            self.env["ANJIAN_SQLITE_PATH"] = str(self.path)
        else:
            s = connection.settings_dict
            self.env["DATABASE_URL"] = (
                f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
            )

    def scalar(self, sql: str) -> object:
        if self.path:
            with sqlite3.connect(self.path, timeout=20) as db:
                return db.execute(sql).fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]

    def rows(self, sql: str) -> list:
        if self.path:
            with sqlite3.connect(self.path, timeout=20) as db:
                return db.execute(sql).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def wait_for(self, sql: str, expected, seconds: float = 30) -> object:
        deadline = time.monotonic() + seconds
        while True:
            value = self.scalar(sql)
            if value == expected or time.monotonic() > deadline:
                return value
            time.sleep(0.2)


def listener(db: Database, broker: Broker, tmp: Path, *extra: str, name: str = "l1"):
    log = (tmp / f"{name}.log").open("a")
    return subprocess.Popen(
        [ANJIAN, "monitor", "listen", "--url", broker.url, "--batch-ms", "20", *extra],
        env=db.env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )


def publisher(broker: Broker, client_id: str | None = None) -> mqtt.Client:
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id or f"pub-{uuid.uuid4().hex[:8]}",
        clean_session=False,
    )
    client.reconnect_delay_set(min_delay=0.2, max_delay=1)
    client.acked = set()
    client.on_publish = lambda c, userdata, mid, rc, props: c.acked.add(mid)
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    return client


BASE = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)


def ts(i: int) -> str:
    return (BASE + dt.timedelta(seconds=i)).isoformat()


def wait_subscribed(db, broker, pub, proc, seconds=20):
    """Publish a probe reading until the listener has stored it (it is subscribed)."""
    deadline = time.monotonic() + seconds
    probe = ts(-1000)
    while time.monotonic() < deadline:
        pub.publish("anjian/v1/GW1/readings", payload("GW1", ("LEL1", probe, 1)), qos=1)
        if db.wait_for("SELECT count(*) FROM monitoring_rawreading", 1, seconds=1) == 1:
            return
        assert proc.poll() is None, "listener died"
    raise AssertionError("listener never subscribed")


@pytest.fixture
def world_db(world, tmp_path):
    gateway = make_gateway(world)
    SetPoint.objects.create(
        point=gateway.points.get(code="LEL1"),
        name="high",
        direction="above",
        value=Decimal("50"),
        level="orange",
        hysteresis=Decimal("2"),
        min_duration_seconds=30,
    )
    return Database(tmp_path)


def stop(proc) -> str:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    return out


def test_given_bad_messages_when_listening_then_rejected_with_reasons_and_listener_goes_on(
    world_db, broker, tmp_path
):
    proc = listener(world_db, broker, tmp_path, "--client-id", "t-bad")
    pub = publisher(broker)
    try:
        wait_subscribed(world_db, broker, pub, proc)
        topic = "anjian/v1/GW1/readings"
        for body in (
            b'{"gateway": "GW1", "readings": [',  # malformed JSON
            b'{"gateway": "GW1", "readings": [' + b" " * (10 * 1024 * 1024) + b"]}",  # 10 MB
            payload("GW2", ("LEL1", ts(0), 1)),  # topic names GW1
            payload("GW1", ("LEL1", ts(1), 5), ("LEL1", ts(2), 500), ("X", ts(3), 1)),
        ):
            pub.publish(topic, body, qos=1).wait_for_publish(10)
        pub.publish(topic, payload("GW1", ("LEL1", ts(4), 6)), qos=1).wait_for_publish(10)
        assert world_db.wait_for("SELECT count(*) FROM monitoring_rawreading", 3) == 3
        assert world_db.wait_for("SELECT count(*) FROM monitoring_rejection", 5) == 5
        reasons = sorted(r for (r,) in world_db.rows("SELECT reason FROM monitoring_rejection"))
        assert reasons == [
            "malformed_json",
            "out_of_range",
            "too_large",
            "topic_mismatch",
            "unknown_point",
        ]
        assert proc.poll() is None  # still running
    finally:
        pub.loop_stop()
        totals = json.loads(stop(proc).strip().splitlines()[-1])
    assert totals["rejected"] == 5


def test_given_a_broker_restart_and_a_kill_9_when_streaming_then_no_acknowledged_reading_is_lost(
    world_db, broker, tmp_path
):
    proc = listener(world_db, broker, tmp_path, "--client-id", "t-faults")
    pub = publisher(broker, "t-faults-pub")
    acked = 1  # the probe
    try:
        wait_subscribed(world_db, broker, pub, proc)
        topic = "anjian/v1/GW1/readings"
        infos = []
        for i in range(60):
            infos.append(pub.publish(topic, payload("GW1", ("LEL1", ts(i), i % 40)), qos=1))
            if i == 20:
                broker.stop()  # mid-stream
                broker.start()
            if i == 40:
                os.kill(proc.pid, signal.SIGKILL)  # the listener dies holding unacked messages
                proc.wait()
            time.sleep(0.01)
        mids = {i.mid for i in infos}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not mids <= pub.acked:
            time.sleep(0.1)
        acked += len(mids & pub.acked)  # the broker's PUBACKs: acknowledged readings
        proc = listener(world_db, broker, tmp_path, "--client-id", "t-faults", name="l2")
        assert acked >= 50  # the ones in flight at the restart may go unacknowledged
        stored = world_db.wait_for("SELECT count(*) FROM monitoring_rawreading", 61, seconds=40)
        assert stored >= acked
    finally:
        pub.loop_stop()
        stop(proc)


def test_given_two_listeners_on_a_shared_subscription_when_a_points_readings_alternate_then_its_duration_counts_across_them(
    world_db, broker, tmp_path
):
    prefix = f"anjian:test:{uuid.uuid4().hex}:"
    common = ("--shared", "--state-url", "redis://127.0.0.1:6379/0", "--idle-exit", "4")
    env_prefix = {"ANJIAN_MONITORING_STATE_PREFIX": prefix}
    world_db.env.update(env_prefix)
    one = listener(world_db, broker, tmp_path, *common, "--client-id", "t-one", name="one")
    two = listener(world_db, broker, tmp_path, *common, "--client-id", "t-two", name="two")
    pub = publisher(broker)
    try:
        wait_subscribed(world_db, broker, pub, one)
        time.sleep(1.0)  # both members subscribed
        # One reading every 5 s of sensor time, above the 30 s set-point from the first:
        # the alarm must be raised by the reading 30 s after the first, whichever
        # listener holds either of them.
        for i in range(12):
            pub.publish(
                "anjian/v1/GW1/readings", payload("GW1", ("LEL1", ts(5 * i), 60)), qos=1
            ).wait_for_publish(10)
            time.sleep(0.05)
        assert world_db.wait_for("SELECT count(*) FROM monitoring_rawreading", 13) == 13
        alarms = world_db.rows("SELECT raised_at, value FROM monitoring_alarm")
    finally:
        pub.loop_stop()
        totals = [json.loads(stop(p).strip().splitlines()[-1]) for p in (one, two)]
        RedisStateStore(prefix=prefix).clear()
    assert all(t["messages"] > 0 for t in totals), totals  # both took part
    assert len(alarms) == 1
    raised = alarms[0][0]
    if not isinstance(raised, dt.datetime):
        raised = dt.datetime.fromisoformat(raised).replace(tzinfo=dt.UTC)  # SQLite's text
    assert raised == dt.datetime.fromisoformat(ts(30))


def test_given_the_cli_when_it_runs_listen_help_then_the_contract_is_there():
    out = subprocess.run(
        [sys.executable, "-m", "anjian.cli", "monitor", "listen", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    assert "--shared" in out and "--url" in out

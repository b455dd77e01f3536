"""A database restart under a streaming MQTT listener loses no acknowledged reading
(issue 11), and alarms that cross a set-point while the database is away are raised
once.

The restart is simulated on the test run's own PostgreSQL database only (the server is
shared): `ALTER DATABASE … WITH ALLOW_CONNECTIONS false` refuses every new connection,
superusers included (the listener connects as `postgres`), and `pg_terminate_backend`
ends the open ones but the test's own. That is what a client sees while the server
restarts: its connection dies, reconnecting fails. The ends are repeated while the
database is refused, so a connection opened in the instant before the ALTER dies too.

The broker and the listener process are test_mqtt's (a private Mosquitto with
persistence, QoS 1, a persistent session, acks only after the batch committed).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connection
from psycopg import sql

from anjian.monitoring.models import Alarm, SetPoint
from anjian.monitoring.pipeline import EngineHooks, Pipeline
from tests.monitoring.ingestion_fixtures import make_gateway, payload
from tests.monitoring.test_mqtt import (
    MOSQUITTO,
    Broker,
    Database,
    listener,
    publisher,
    stop,
    ts,
    wait_subscribed,
)

TOPIC = "anjian/v1/GW1/readings"
BEFORE, DURING, AFTER = 50, 150, 50  # messages before, during and after the outage
# 50 readings at 60 %LEL, one a second of sensor time, all published while the
# database is away: the set-point (50, for 30 s) raises at ts(90); ts(110) clears.
HIGH = range(60, 110)
RAISED, CLEARED = 90, 110


def value(i: int) -> int:
    return 60 if i in HIGH else 10


@pytest.fixture
def broker(tmp_path):
    b = Broker(tmp_path)
    b.start()
    yield b
    b.stop()


@pytest.fixture
def restart_db(world, tmp_path) -> Database:
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
    db = Database(tmp_path)
    # The listener's connections carry this name (libpq reads PGAPPNAME), so that the
    # outage ends them and no other connection of this test process — the live server's,
    # when a browser test ran before in the same worker, must outlive this test.
    db.env["PGAPPNAME"] = LISTENER_APP
    return db


LISTENER_APP = "anjian-listener-under-test"


class Outage:
    """Refuses new connections to one database (the test's) and ends the listener's
    (LISTENER_APP), never another database's or another client's.

    Works from its own autocommit connection to the maintenance database `postgres`, so
    it can allow connections again whatever happens to the test database's."""

    def __init__(self) -> None:
        s = connection.settings_dict
        self.name = s["NAME"]
        with connection.cursor() as cursor:  # the test's own connection stays alive
            cursor.execute("SELECT pg_backend_pid()")
            self.keep = cursor.fetchone()[0]
        self.admin = psycopg.connect(
            host=s["HOST"] or "127.0.0.1",
            port=s["PORT"] or 5432,
            user=s["USER"],
            password=s["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )
        self.ended = 0

    def _allow(self, allow: bool) -> None:
        self.admin.execute(
            sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}").format(
                sql.Identifier(self.name), sql.Literal(allow)
            )
        )

    def begin(self) -> None:
        self._allow(False)
        self.end_connections()

    def end_connections(self) -> int:
        n = self.admin.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> %s AND pid <> pg_backend_pid()"
            " AND application_name = %s",
            [self.name, self.keep, LISTENER_APP],
        ).fetchone()[0]
        self.ended += n
        return n

    def refused(self) -> bool:
        s = connection.settings_dict
        try:
            psycopg.connect(
                host=s["HOST"] or "127.0.0.1",
                port=s["PORT"] or 5432,
                user=s["USER"],
                password=s["PASSWORD"] or None,
                dbname=self.name,
                connect_timeout=5,
            ).close()
        except psycopg.OperationalError as e:
            return "not currently accepting connections" in str(e)
        return False

    def end(self) -> None:
        self._allow(True)

    def close(self) -> None:
        try:
            self.end()  # never leave the test database refused (teardown drops it)
        finally:
            self.admin.close()


@pytest.mark.skipif(not Path(MOSQUITTO).exists(), reason="needs mosquitto")
@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="a database restart is simulated on PostgreSQL (ALTER DATABASE, "
    "pg_terminate_backend); SQLite has no server to restart",
)
@pytest.mark.django_db(transaction=True)
def test_given_a_streaming_listener_when_the_database_restarts_then_every_reading_is_stored_once_and_the_alarm_raised_once(
    restart_db, broker, tmp_path
):
    proc = listener(restart_db, broker, tmp_path, "--client-id", "t-dbrestart")
    pub = publisher(broker, "t-dbrestart-pub")
    outage = Outage()
    infos = []
    try:
        wait_subscribed(restart_db, broker, pub, proc)

        def send(i: int) -> None:
            infos.append(pub.publish(TOPIC, payload("GW1", ("LEL1", ts(i), value(i))), qos=1))

        for i in range(BEFORE):
            send(i)
            time.sleep(0.01)
        # Down: about 3 s while publishing goes on (one message and one round of ends
        # every 20 ms).
        outage.begin()
        assert outage.ended >= 1  # the listener's connection (it stored the probe)
        assert outage.refused()
        for i in range(BEFORE, BEFORE + DURING):
            send(i)
            outage.end_connections()
            time.sleep(0.02)
        outage.end()
        for i in range(BEFORE + DURING, BEFORE + DURING + AFTER):
            send(i)
            time.sleep(0.01)

        published = BEFORE + DURING + AFTER
        mids = {info.mid for info in infos}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not mids <= pub.acked:
            time.sleep(0.05)
        assert mids <= pub.acked  # the broker took every one (QoS 1)

        # Every reading, the probe included, stored exactly once.
        stored = restart_db.wait_for(
            "SELECT count(*) FROM monitoring_rawreading", published + 1, seconds=20
        )
        assert stored == published + 1
        distinct = restart_db.scalar(
            "SELECT count(*) FROM (SELECT DISTINCT point_id, ts FROM monitoring_rawreading) d"
        )
        assert distinct == stored
        restart_db.wait_for(
            "SELECT count(*) FROM monitoring_alarm WHERE cleared_at IS NOT NULL", 1, seconds=10
        )
        alarms = list(Alarm.objects.values_list("raised_at", "cleared_at"))
        assert proc.poll() is None, "the listener died"
    finally:
        outage.close()
        pub.loop_stop()
        out = stop(proc)
    log = (tmp_path / "l1.log").read_text()
    assert "database error; retrying the batch" in log  # it really saw the outage
    assert alarms == [(ts_of(RAISED), ts_of(CLEARED))]
    totals = json.loads(out.strip().splitlines()[-1])
    # A batch whose commit reached the server just as its connection was ended counts
    # as duplicates on its retry: stored once all the same (the table says so above).
    assert totals["stored"] + totals["duplicates"] >= published + 1
    assert totals["alarms"] == 1


def ts_of(i: int) -> dt.datetime:
    return dt.datetime.fromisoformat(ts(i))


class RecordFailsOnce(EngineHooks):
    """The database goes away after the batch's readings committed, while its alarms
    are recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    def record(self, transitions: list) -> int:
        if not self.failed:
            self.failed = True
            raise OperationalError("terminating connection due to administrator command")
        return super().record(transitions)


@pytest.mark.django_db
def test_given_the_database_goes_away_while_an_alarm_is_recorded_when_the_listener_retries_the_batch_then_the_alarm_is_raised_once(
    world,
):
    gateway = make_gateway(world)
    SetPoint.objects.create(
        point=gateway.points.get(code="LEL1"),
        name="high",
        direction="above",
        value=Decimal("50"),
        level="orange",
        hysteresis=Decimal("2"),
        min_duration_seconds=0,
    )
    pipeline = Pipeline(hooks=RecordFailsOnce())
    prepared = pipeline.prepare([(payload("GW1", ("LEL1", ts(0), 60)), "GW1")])
    with pytest.raises(OperationalError):
        pipeline.commit(prepared)

    batch = pipeline.commit(prepared)  # what the listener's _handle does next

    assert batch.stored == 0 and batch.duplicates == 1  # the readings had committed
    assert list(Alarm.objects.values_list("raised_at", flat=True)) == [ts_of(0)]

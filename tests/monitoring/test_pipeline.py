"""The ingestion pipeline: storage, duplicates, rejections, aggregates, latest values,
alarms through the engine, state shared by two pipelines (Redis), checkpoints,
partitions and retention."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from anjian.monitoring import storage
from anjian.monitoring.models import (
    Alarm,
    EngineState,
    LatestValue,
    Point,
    RawReading,
    ReadingAggregate,
    Rejection,
    RejectionCount,
    SetPoint,
)
from anjian.monitoring.pipeline import Directory, EngineHooks, Pipeline
from anjian.monitoring.state import MemoryStateStore, RedisStateStore
from tests.monitoring.ingestion_fixtures import NOW, make_gateway, payload

T0 = "2026-12-03T09:50:00+08:00"


def at(seconds: int) -> str:
    return (NOW - dt.timedelta(minutes=10) + dt.timedelta(seconds=seconds)).isoformat()


def pipeline(**kw) -> Pipeline:
    return Pipeline(directory=Directory(ttl=0), hooks=EngineHooks(ttl=0), **kw)


def high_setpoint(point: Point, value: str = "50", duration: int = 0) -> SetPoint:
    return SetPoint.objects.create(
        point=point,
        name="high",
        direction="above",
        value=Decimal(value),
        level="orange",
        hysteresis=Decimal("2"),
        min_duration_seconds=duration,
    )


@pytest.fixture
def gateway(world):
    return make_gateway(world)


def test_given_a_batch_with_bad_readings_when_processed_then_good_kept_bad_listed_and_counted(
    gateway,
):
    batch = pipeline().process(
        [
            (
                payload(
                    "GW1",
                    ("LEL1", at(0), 10),
                    ("LEL1", at(10), 250),
                    ("NOPE", at(10), 1),
                    ("SEAL1", at(10), False),
                    ("LEL1", at(20), float("nan")),
                ),
                None,
            )
        ],
        now=NOW,
    )
    assert (batch.stored, batch.rejected) == (2, 3)
    assert RawReading.objects.count() == 2
    seal = RawReading.objects.get(point__code="SEAL1")
    assert seal.value == 0.0
    assert sorted(Rejection.objects.values_list("reason", flat=True)) == [
        "not_finite",
        "out_of_range",
        "unknown_point",
    ]
    assert dict(RejectionCount.objects.values_list("reason", "count")) == {
        "not_finite": 1,
        "out_of_range": 1,
        "unknown_point": 1,
    }
    assert batch.results[0].as_dict()["rejected"][0] == {
        "index": 1,
        "point": "LEL1",
        "ts": at(10),
        "value": "250",
        "reason": "out_of_range",
    }


def test_given_readings_sent_twice_when_processed_then_stored_once_and_aggregated_once(gateway):
    body = payload("GW1", ("LEL1", at(0), 10), ("LEL1", at(30), 20), ("LEL1", at(61), 3.5))
    p = pipeline()
    first = p.process([(body, None), (body, None)], now=NOW)
    again = p.process([(body, None)], now=NOW)
    assert (first.stored, first.duplicates) == (3, 3)
    assert (again.stored, again.duplicates) == (0, 3)
    assert RawReading.objects.count() == 3
    minutes = list(
        ReadingAggregate.objects.filter(period="m")
        .order_by("start")
        .values_list("count", "min", "max", "sum")
    )
    assert minutes == [(2, 10.0, 20.0, 30.0), (1, 3.5, 3.5, 3.5)]
    hour = ReadingAggregate.objects.get(period="h")
    assert (hour.count, hour.min, hour.max, hour.sum) == (3, 3.5, 20.0, 33.5)
    assert hour.start == dt.datetime(2026, 12, 3, 1, 0, tzinfo=dt.UTC)
    latest = LatestValue.objects.get(point__code="LEL1")
    assert (latest.value, latest.ts) == (3.5, dt.datetime.fromisoformat(at(61)))
    # An older reading arriving late does not move the latest value back.
    p.process([(payload("GW1", ("LEL1", at(5), 99)), None)], now=NOW)
    assert LatestValue.objects.get(point__code="LEL1").value == 3.5


def test_given_a_batch_mixing_stored_and_new_readings_when_processed_then_only_the_new_are_stored_and_aggregated(
    gateway,
):
    # PostgreSQL first tries a plain insert; the stored reading makes it fail and the
    # batch is written again skipping what is stored. Nothing of the failed try remains.
    p = pipeline()
    p.process([(payload("GW1", ("LEL1", at(0), 10)), None)], now=NOW)
    mixed = payload("GW1", ("LEL1", at(0), 10), ("LEL1", at(20), 30), ("LEL1", at(40), 2))

    batch = p.process([(mixed, None)], now=NOW)

    assert (batch.stored, batch.duplicates) == (2, 1)
    assert RawReading.objects.count() == 3
    minute = ReadingAggregate.objects.get(period="m")
    assert (minute.count, minute.min, minute.max, minute.sum) == (3, 2.0, 30.0, 42.0)
    assert ReadingAggregate.objects.get(period="h").count == 3
    assert LatestValue.objects.get(point__code="LEL1").value == 2.0


def test_given_a_setpoint_when_a_reading_crosses_it_then_an_alarm_is_stored(gateway):
    high_setpoint(gateway.points.get(code="LEL1"))
    p = pipeline()
    batch = p.process(
        [(payload("GW1", ("LEL1", at(0), 10), ("LEL1", at(10), 55), ("LEL1", at(20), 60)), None)],
        now=NOW,
    )
    assert batch.alarms_raised == 1
    alarm = Alarm.objects.get()
    assert (alarm.level, alarm.value) == ("orange", 55.0)
    # The same readings again (a redelivered message) raise nothing twice.
    p.process([(payload("GW1", ("LEL1", at(10), 55)), None)], now=NOW)
    pipeline().process([(payload("GW1", ("LEL1", at(10), 55)), None)], now=NOW)
    assert Alarm.objects.count() == 1


def test_given_a_restarted_pipeline_when_it_goes_on_then_it_recovers_the_checkpointed_state(
    gateway,
):
    high_setpoint(gateway.points.get(code="LEL1"), duration=30)
    first = pipeline()
    first.process([(payload("GW1", ("LEL1", at(0), 55)), None)], now=NOW)
    first.checkpoint()
    assert EngineState.objects.get().last_value == 55.0
    second = pipeline()  # a new process: empty memory, state from the checkpoint
    second.process([(payload("GW1", ("LEL1", at(40), 56)), None)], now=NOW)
    assert Alarm.objects.count() == 1


def test_given_a_checkpoint_that_fails_when_the_next_one_runs_then_the_states_are_written(
    gateway, monkeypatch
):
    from django.db import OperationalError

    from anjian.monitoring import storage

    high_setpoint(gateway.points.get(code="LEL1"), duration=30)
    p = pipeline()
    p.process([(payload("GW1", ("LEL1", at(0), 55)), None)], now=NOW)
    real = storage.checkpoint_states

    def away(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(storage, "checkpoint_states", away)
    with pytest.raises(OperationalError):
        p.checkpoint()
    assert not EngineState.objects.exists()
    monkeypatch.setattr(storage, "checkpoint_states", real)

    assert p.checkpoint() == 1  # kept for the next one
    assert EngineState.objects.get().last_value == 55.0


@pytest.fixture
def redis_prefix():
    prefix = f"anjian:test:{uuid.uuid4().hex}:"
    yield prefix
    RedisStateStore(prefix=prefix).clear()


def test_given_two_pipelines_sharing_redis_when_readings_alternate_then_duration_is_kept(
    gateway, redis_prefix
):
    high_setpoint(gateway.points.get(code="LEL1"), duration=30)
    one = pipeline(store=RedisStateStore(prefix=redis_prefix))
    two = pipeline(store=RedisStateStore(prefix=redis_prefix))
    assert one.process([(payload("GW1", ("LEL1", at(0), 55)), None)], now=NOW).alarms_raised == 0
    # The other pipeline gets the next reading: 31 s above the set-point, counted from
    # the first pipeline's reading.
    assert two.process([(payload("GW1", ("LEL1", at(31), 56)), None)], now=NOW).alarms_raised == 1
    # Two separate memories (no shared state) would each see one reading: no alarm.
    a = pipeline(store=MemoryStateStore(recover_from_db=False))
    b = pipeline(store=MemoryStateStore(recover_from_db=False))
    point = gateway.points.get(code="LEL1")
    SetPoint.objects.filter(point=point).update(name="high_high")
    assert a.process([(payload("GW1", ("LEL1", at(100), 55)), None)], now=NOW).alarms_raised == 0
    assert b.process([(payload("GW1", ("LEL1", at(131), 56)), None)], now=NOW).alarms_raised == 0


def test_given_old_data_when_retention_runs_then_only_expired_rows_go(gateway):
    pipeline().process([(payload("GW1", ("LEL1", at(0), 10)), None)], now=NOW)
    storage.store_rejections([], received_at=NOW)
    later = NOW + dt.timedelta(days=31)
    out = storage.apply_retention(now=later)
    assert RawReading.objects.count() == 0
    assert ReadingAggregate.objects.count() == 2  # aggregates are kept longer
    assert out["minute"] == 0
    storage.apply_retention(now=NOW + dt.timedelta(days=91))
    assert list(ReadingAggregate.objects.values_list("period", flat=True)) == ["h"]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")
def test_given_postgresql_when_readings_arrive_then_they_land_in_daily_partitions(gateway):
    today = dt.datetime.now(dt.UTC).replace(microsecond=0)
    storage.ensure_partitions(today=today.date())
    pipeline().process(
        [
            (
                payload(
                    "GW1", ("LEL1", today.isoformat(), 10), ("LEL1", "2020-01-01T00:00:00Z", 1)
                ),
                None,
            )
        ],
        now=today,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text, count(*) FROM monitoring_rawreading GROUP BY 1"
        )
        where = dict(cursor.fetchall())
    assert where == {
        storage.partition_name(today.date()): 1,
        "monitoring_rawreading_default": 1,
    }
    # A partition created for a day the DEFAULT already holds takes its rows over.
    created = storage.ensure_partitions(today=dt.date(2020, 1, 1), days_ahead=0)
    assert storage.partition_name(dt.date(2020, 1, 1)) in created
    assert RawReading.objects.count() == 2
    out = storage.apply_retention(now=today + dt.timedelta(days=40))
    assert storage.partition_name(today.date()) in out["partitions_dropped"]
    assert RawReading.objects.count() == 0

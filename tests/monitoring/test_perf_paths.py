"""The fast paths of the ingestion: a timestamp string parsed once per message, and a
batch prepared once and committed again after a database error (the listener's writer)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import OperationalError

from anjian.monitoring import storage
from anjian.monitoring.ingest import BAD_TIMESTAMP, FUTURE, NO_OFFSET, PointInfo, parse_payload
from anjian.monitoring.models import Alarm, RawReading
from tests.monitoring.ingestion_fixtures import NOW, make_gateway, payload
from tests.monitoring.test_pipeline import at, high_setpoint, pipeline

POINTS = {f"P{i}": PointInfo(id=i, boolean=False, low=0.0, high=100.0) for i in range(4)}


def test_given_one_timestamp_repeated_with_bad_ones_between_when_parsed_then_each_judged_alone():
    good_ts = "2026-12-03T09:59:00+08:00"
    future_ts = "2026-12-03T10:30:00+08:00"
    raw = json.dumps(
        {
            "gateway": "GW1",
            "readings": [
                {"point": "P0", "ts": good_ts, "value": 1},
                {"point": "P1", "ts": future_ts, "value": 1},
                {"point": "P2", "ts": future_ts, "value": 1},
                {"point": "P3", "ts": "2026-12-03T09:59:00", "value": 1},
                {"point": "P1", "ts": good_ts, "value": 2},
                {"point": "P2", "ts": "nope", "value": 2},
                {"point": "P3", "ts": good_ts, "value": 3},
            ],
        }
    )
    out = parse_payload(raw, points_of={"GW1": POINTS}.get, now=NOW)
    when = dt.datetime(2026, 12, 3, 1, 59, tzinfo=dt.UTC)
    assert out.good == [(0, 0, when, 1.0), (4, 1, when, 2.0), (6, 3, when, 3.0)]
    assert [(r.index, r.reason) for r in out.bad] == [
        (1, FUTURE),
        (2, FUTURE),
        (3, NO_OFFSET),
        (5, BAD_TIMESTAMP),
    ]


@pytest.fixture
def gateway(world):
    return make_gateway(world)


def test_given_a_prepared_batch_when_its_commit_fails_once_then_the_retry_stores_and_alarms_once(
    gateway, monkeypatch
):
    high_setpoint(gateway.points.get(code="LEL1"))
    p = pipeline()
    prepared = p.prepare(
        [(payload("GW1", ("LEL1", at(0), 10), ("LEL1", at(10), 70)), None)], now=NOW
    )
    real = storage.store_readings
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(storage, "store_readings", flaky)
    with pytest.raises(OperationalError):
        p.commit(prepared)
    assert RawReading.objects.count() == 0 and Alarm.objects.count() == 0
    batch = p.commit(prepared)
    assert (batch.stored, batch.duplicates, batch.alarms_raised) == (2, 0, 1)
    assert RawReading.objects.count() == 2 and Alarm.objects.count() == 1

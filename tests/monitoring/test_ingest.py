"""Validation of a readings payload (pure)."""

from __future__ import annotations

import datetime as dt
import json

from anjian.monitoring import ingest
from anjian.monitoring.ingest import Limits, PointInfo, parse_payload

NOW = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
POINTS = {
    "GW1": {
        "LEL1": PointInfo(id=1, boolean=False, low=0.0, high=100.0),
        "SEAL1": PointInfo(id=2, boolean=True),
    }
}


def parse(raw, **kw):
    return parse_payload(raw, points_of=POINTS.get, now=NOW, **kw)


def body(*readings, gateway="GW1"):
    return json.dumps(
        {
            "gateway": gateway,
            "readings": [{"point": p, "ts": t, "value": v} for p, t, v in readings],
        }
    )


def test_given_good_readings_when_parsed_then_all_kept_with_utc_times():
    out = parse(
        body(("LEL1", "2026-12-03T10:00:00+08:00", 12), ("SEAL1", "2026-12-03T01:59:00Z", True))
    )
    assert out.payload_reason is None and out.bad == []
    assert out.good == [
        (0, 1, dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC), 12.0),
        (1, 2, dt.datetime(2026, 12, 3, 1, 59, tzinfo=dt.UTC), True),
    ]


def test_given_a_batch_with_bad_readings_when_parsed_then_each_bad_has_its_reason():
    ts = "2026-12-03T09:59:00+08:00"
    out = parse(
        body(
            ("LEL1", ts, 5),
            ("NOPE", ts, 5),
            ("LEL1", "2026-12-03T09:58:00+08:00", True),
            ("SEAL1", ts, 1),
            ("LEL1", "2026-12-03T09:57:00+08:00", "5"),
            ("LEL1", "2026-12-03T09:56:00+08:00", 101),
            ("LEL1", "2026-12-03T09:55:00+08:00", -0.5),
            ("LEL1", "2026-12-03T09:55:00", 5),
            ("LEL1", "yesterday", 5),
            ("LEL1", "2026-12-03T10:06:00+08:00", 5),
            ("LEL1", ts, 6),
            ("LEL1", "2026-12-03T01:50:00Z", 5),
        )
    )
    assert [g[0] for g in out.good] == [0, 11]
    assert [(r.index, r.reason) for r in out.bad] == [
        (1, ingest.UNKNOWN_POINT),
        (2, ingest.WRONG_TYPE),
        (3, ingest.WRONG_TYPE),
        (4, ingest.WRONG_TYPE),
        (5, ingest.OUT_OF_RANGE),
        (6, ingest.OUT_OF_RANGE),
        (7, ingest.NO_OFFSET),
        (8, ingest.BAD_TIMESTAMP),
        (9, ingest.FUTURE),
        (10, ingest.DUPLICATE_IN_BATCH),
    ]
    assert out.bad[0].point == "NOPE" and out.bad[2].value == "1"


def test_given_nan_and_infinity_when_parsed_then_not_finite():
    raw = '{"gateway": "GW1", "readings": [{"point": "LEL1", "ts": "2026-12-03T01:00:00Z", "value": NaN}, {"point": "LEL1", "ts": "2026-12-03T01:01:00Z", "value": 1e999}, {"point": "LEL1", "ts": "2026-12-03T01:02:00Z", "value": -Infinity}]}'
    out = parse(raw)
    assert out.good == [] and {r.reason for r in out.bad} == {ingest.NOT_FINITE}
    assert len(out.bad) == 3


def test_given_whole_payload_problems_when_parsed_then_refused_whole():
    assert parse("{not json").payload_reason == ingest.MALFORMED
    assert parse(b"\xff\xfe").payload_reason == ingest.MALFORMED
    assert parse("[1, 2]").payload_reason == ingest.NOT_OBJECT
    assert parse('{"gateway": "GW1"}').payload_reason == ingest.BAD_SHAPE
    assert parse(body(gateway="GW9")).payload_reason == ingest.UNKNOWN_GATEWAY
    assert parse(body(), topic_gateway="GW2").payload_reason == ingest.TOPIC_MISMATCH
    assert parse(body(), topic_gateway="GW1").payload_reason is None


def test_given_a_10_mb_payload_when_parsed_then_refused_without_parsing():
    raw = b"{" + b" " * (10 * 1024 * 1024) + b"}"
    out = parse(raw, limits=Limits(max_bytes=1_048_576))
    assert out.payload_reason == ingest.TOO_LARGE and out.good == []


def test_given_entries_that_are_not_objects_when_parsed_then_bad_shape_and_others_kept():
    raw = json.dumps(
        {
            "gateway": "GW1",
            "readings": [7, {"point": "LEL1", "ts": "2026-12-03T01:00:00Z", "value": 1.5}],
        }
    )
    out = parse(raw)
    assert [r.reason for r in out.bad] == [ingest.BAD_SHAPE] and len(out.good) == 1

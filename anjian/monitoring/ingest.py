"""Validation of one readings payload (PURE: no Django imports).

The payload, the same over MQTT and HTTP:

    {"gateway": "<code>", "readings": [{"point": "<point code>",
      "ts": "<ISO 8601 with offset>", "value": <number or true/false>}]}

`parse_payload` returns the good readings (point id, UTC time, value) and the bad ones
with a reason code (RejectionReason in models/readings.py has the same codes). A payload
that cannot be read at all (too large, not JSON, not an object, unknown gateway, its
topic naming another gateway) is refused whole with one reason; otherwise each reading
stands or falls on its own, so the good readings of a batch are kept.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

UTC = dt.UTC

# Reason codes (the same strings as models.RejectionReason).
TOO_LARGE = "too_large"
MALFORMED = "malformed_json"
NOT_OBJECT = "not_object"
BAD_SHAPE = "bad_shape"
UNKNOWN_GATEWAY = "unknown_gateway"
TOPIC_MISMATCH = "topic_mismatch"
UNKNOWN_POINT = "unknown_point"
WRONG_TYPE = "wrong_type"
NOT_FINITE = "not_finite"
OUT_OF_RANGE = "out_of_range"
BAD_TIMESTAMP = "bad_timestamp"
NO_OFFSET = "no_offset"
FUTURE = "future"
DUPLICATE_IN_BATCH = "duplicate_in_batch"

TEXT_MAX = 64  # the rejection columns' width


@dataclass(frozen=True, slots=True)
class PointInfo:
    id: int
    boolean: bool
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = 1_048_576
    future_seconds: float = 300.0


@dataclass(slots=True)
class Rejected:
    index: int  # position in the payload's readings list (-1: the whole payload)
    point: str
    ts: str
    value: str
    reason: str

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "point": self.point,
            "ts": self.ts,
            "value": self.value,
            "reason": self.reason,
        }


@dataclass(slots=True)
class Parsed:
    gateway: str = ""
    # (index, point id, ts as an aware UTC datetime, value: float, or bool for a boolean point)
    good: list[tuple[int, int, dt.datetime, float | bool]] = field(default_factory=list)
    bad: list[Rejected] = field(default_factory=list)
    payload_reason: str | None = None  # the whole payload was refused

    @property
    def count(self) -> int:
        return len(self.good) + len(self.bad)


def _text(value: object) -> str:
    if isinstance(value, str):
        return value[:TEXT_MAX]
    try:
        return json.dumps(value)[:TEXT_MAX]
    except (TypeError, ValueError):  # pragma: no cover - json values always dump
        return repr(value)[:TEXT_MAX]


def refuse(reason: str, gateway: str = "") -> Parsed:
    return Parsed(
        gateway=gateway[:TEXT_MAX],
        bad=[Rejected(-1, "", "", "", reason)],
        payload_reason=reason,
    )


def _timestamp(text: str, horizon: dt.datetime, fromiso) -> tuple[dt.datetime | None, str | None]:
    try:
        ts = fromiso(text)
    except ValueError:
        return None, BAD_TIMESTAMP
    if ts.tzinfo is None:
        return None, NO_OFFSET
    ts = ts.astimezone(UTC)
    if ts > horizon:
        return ts, FUTURE
    return ts, None


def parse_payload(
    raw: bytes | str,
    *,
    points_of: Callable[[str], Mapping[str, PointInfo] | None],
    now: dt.datetime,
    limits: Limits = Limits(),
    topic_gateway: str | None = None,
) -> Parsed:
    """Validate one payload. `points_of(gateway code)` gives that gateway's points by
    code, or None for an unknown gateway. `topic_gateway` (MQTT) must equal the payload's
    gateway code. `now` is an aware datetime."""
    if len(raw) > limits.max_bytes:
        # Refused before parsing: a 10 MB payload costs nothing but its length.
        return refuse(TOO_LARGE, topic_gateway or "")
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return refuse(MALFORMED, topic_gateway or "")
    if not isinstance(payload, dict):
        return refuse(NOT_OBJECT, topic_gateway or "")
    gateway = payload.get("gateway")
    readings = payload.get("readings")
    if not isinstance(gateway, str) or not isinstance(readings, list):
        return refuse(BAD_SHAPE, gateway if isinstance(gateway, str) else topic_gateway or "")
    if topic_gateway is not None and topic_gateway != gateway:
        return refuse(TOPIC_MISMATCH, gateway)
    points = points_of(gateway)
    if points is None:
        return refuse(UNKNOWN_GATEWAY, gateway)

    out = Parsed(gateway=gateway)
    good = out.good
    bad = out.bad
    horizon = now + dt.timedelta(seconds=limits.future_seconds)
    seen: set[tuple[int, dt.datetime]] = set()
    fromiso = dt.datetime.fromisoformat
    isfinite = math.isfinite
    last_text: str | None = None
    last_ts: dt.datetime | None = None
    last_reason: str | None = None
    for index, item in enumerate(readings):
        if type(item) is not dict:
            bad.append(Rejected(index, "", "", _text(item), BAD_SHAPE))
            continue
        code = item.get("point")
        ts_text = item.get("ts")
        value = item.get("value")
        info = points.get(code) if type(code) is str else None
        if info is None:
            bad.append(Rejected(index, _text(code), _text(ts_text), _text(value), UNKNOWN_POINT))
            continue
        # One message usually carries one timestamp for all its readings: parse each
        # distinct string once (the aware UTC datetime, or the reason it is refused).
        if type(ts_text) is not str:
            ts, reason = None, BAD_TIMESTAMP
        elif ts_text == last_text:
            ts, reason = last_ts, last_reason
        else:
            ts, reason = _timestamp(ts_text, horizon, fromiso)
            last_text, last_ts, last_reason = ts_text, ts, reason
        if reason is None:
            kind = type(value)
            if info.boolean:
                if kind is not bool:
                    reason = WRONG_TYPE
            elif kind is float:
                if not isfinite(value):
                    reason = NOT_FINITE
            elif kind is int:
                try:
                    value = float(value)
                except OverflowError:
                    reason = NOT_FINITE
            else:
                reason = WRONG_TYPE
        if (
            reason is None
            and not info.boolean
            and (
                (info.low is not None and value < info.low)
                or (info.high is not None and value > info.high)
            )
        ):
            reason = OUT_OF_RANGE
        if reason is None:
            key = (info.id, ts)
            if key in seen:
                reason = DUPLICATE_IN_BATCH
            else:
                seen.add(key)
                good.append((index, info.id, ts, value))
                continue
        bad.append(
            Rejected(index, code[:TEXT_MAX], _text(ts_text), _text(item.get("value")), reason)
        )
    return out

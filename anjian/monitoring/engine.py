"""The alarm engine: pure rules over one point's readings (no Django import).

`evaluate(rules, state, reading)` is called for every stored reading of a point, in
timestamp order, and returns what changed as `Transition`s (raise / clear); it updates
`state` in place. `offline(rules, state, now)` is the job's check for a silent point.
The pipeline (anjian.monitoring.pipeline) keeps the state per point and hands the
transitions to anjian.monitoring.alarms.record.

Conditions, one alarm each (a point may have several open at once, e.g. high and high-high):

* ``threshold:<set-point>`` — a numeric reading at or beyond a set-point's value
  (direction "above": value >= set-point; "below": value <= set-point) raises once the
  condition has held for the set-point's minimum duration, measured on the readings'
  own timestamps (the first reading in the condition starts the clock; a reading at
  least `min_duration` seconds later, still in the condition, raises; exactly
  `min_duration` raises). A reading out of the condition before then restarts the clock.
  The alarm clears on the first reading strictly beyond the clear value: value −
  hysteresis for "above" (value + hysteresis for "below"), or the set-point's own clear
  value when it has one (a mine gas sensor's power-restore value: power-off at ≥ 1.5 %
  CH4 clears when the reading is < 1.0 %). A reading exactly at the clear value keeps the
  alarm. So no flapping: inside the band between clear value and set-point nothing
  changes. Set-points with an enabled window (local times) raise only inside it;
  outside it they still clear.
* ``rate`` — the change from the previous reading, per minute, at or beyond the limit
  (rising, falling or either); clears once every reading for RATE_CLEAR_SECONDS has been
  below it (a noisy signal near the limit would otherwise flap).
* ``stuck`` — the same value (within a tolerance) for at least `stuck_seconds`; clears
  on the first different value.
* ``seal`` (and ``event`` for video-analysis points) — a boolean point reading true
  ("open", "seen") at a local time outside every allowed window raises; false clears.
* ``offline`` — raised by the job through `offline()` when no reading came for
  `offline_periods × sampling_seconds`; its raise time is the last reading's time plus
  that span (so every job run, on any machine, names the same alarm). The next reading
  after such a gap clears it (`evaluate` emits the clear; the job also clears an open
  offline alarm of a point that reports again).

Readings at or before the state's last timestamp (out of order, or repeated) are
ignored by the engine: they change no duration, rate or stuck clock and raise nothing
(they are stored all the same). The engine moves forward in time only.

Values are compared as floats; each set-point's float is made once from its Decimal,
so a reading equal to the set-point's text compares equal.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

RED, ORANGE, YELLOW, BLUE = "red", "orange", "yellow", "blue"
LEVELS = (RED, ORANGE, YELLOW, BLUE)
ABOVE, BELOW = "above", "below"
RISE, FALL, BOTH = "rise", "fall", "both"
RAISE, CLEAR = "raise", "clear"

THRESHOLD = "threshold"
RATE = "rate"
# How long a rate of change must stay below its limit before its alarm clears. Local
# policy (no regulation sets it); the threshold rules use hysteresis instead.
RATE_CLEAR_SECONDS = 60.0
STUCK = "stuck"
SEAL = "seal"
EVENT = "event"
OFFLINE = "offline"

MINUTES_PER_DAY = 24 * 60
UTC = dt.UTC


@dataclass(frozen=True)
class Reading:
    point_id: int
    ts: dt.datetime  # aware
    value: float | bool


@dataclass(frozen=True)
class Transition:
    point_id: int
    condition: str  # "threshold:high", "rate", "stuck", "seal", "event", "offline"
    level: str  # red / orange / yellow / blue
    kind: str  # raise / clear
    ts: dt.datetime
    value: float | bool | None
    setpoint: str = ""
    # Additions beyond the shared interface (defaults keep it compatible):
    # on a clear, when the alarm it ends was raised and the extreme value seen meanwhile.
    raised_ts: dt.datetime | None = None
    peak: float | None = None


@dataclass(frozen=True)
class Window:
    """Local minutes of the day [start, end); start > end wraps past midnight; start ==
    end is the whole day."""

    start: int
    end: int

    def contains(self, minute: int) -> bool:
        if self.start == self.end:
            return True
        if self.start < self.end:
            return self.start <= minute < self.end
        return minute >= self.start or minute < self.end


def in_windows(windows: tuple[Window, ...], minute: int) -> bool:
    return any(w.contains(minute) for w in windows)


@dataclass(frozen=True)
class SetPoint:
    name: str  # low, high, high_high, alarm, power_off
    level: str
    direction: str  # above / below
    value: float
    clear_at: float  # strictly beyond this (below it for "above") clears
    min_duration: float = 0.0  # seconds
    windows: tuple[Window, ...] = ()  # empty: always enabled
    condition: str = ""

    def __post_init__(self) -> None:
        if not self.condition:
            object.__setattr__(self, "condition", f"{THRESHOLD}:{self.name}")


@dataclass
class PointRules:
    point_id: int
    boolean: bool = False
    setpoints: tuple[SetPoint, ...] = ()
    rate_limit: float | None = None  # units per minute
    rate_direction: str = BOTH
    rate_level: str = YELLOW
    stuck_seconds: float | None = None
    stuck_tolerance: float = 0.0
    stuck_level: str = BLUE
    # Boolean points: true outside every window raises (no windows: true always raises).
    true_condition: str = SEAL
    true_windows: tuple[Window, ...] = ()
    true_level: str = RED
    sampling_seconds: float = 10.0
    offline_periods: int = 3
    offline_level: str = YELLOW
    utc_offset_minutes: int = 480  # Asia/Shanghai (no daylight saving since 1991)

    @property
    def offline_after(self) -> float:
        return self.sampling_seconds * self.offline_periods


# A condition's state: [active, since (epoch s: pending start or raise time), peak].
# Lists, not objects: a state is copied to and from JSON many thousand times a second.


@dataclass
class PointState:
    last_ts: float | None = None  # epoch seconds of the last evaluated reading
    last_value: float | None = None
    conditions: dict[str, list[Any]] = field(default_factory=dict)
    stuck_since: float | None = None
    stuck_value: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "last_ts": self.last_ts,
            "last_value": self.last_value,
            "conditions": {k: list(v) for k, v in self.conditions.items()},
            "stuck_since": self.stuck_since,
            "stuck_value": self.stuck_value,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> PointState:
        if not d:
            return cls()
        return cls(
            last_ts=d.get("last_ts"),
            last_value=d.get("last_value"),
            conditions={k: list(v) for k, v in (d.get("conditions") or {}).items()},
            stuck_since=d.get("stuck_since"),
            stuck_value=d.get("stuck_value"),
        )

    def active(self, condition: str) -> bool:
        c = self.conditions.get(condition)
        return bool(c and c[0])


def _when(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, UTC)


def local_minute(epoch: float, offset_minutes: int) -> int:
    return int((epoch // 60 + offset_minutes) % MINUTES_PER_DAY)


def _raise(
    point_id: int, condition: str, level: str, epoch: float, value: Any, setpoint: str = ""
) -> Transition:
    return Transition(point_id, condition, level, RAISE, _when(epoch), value, setpoint)


def _clear(
    point_id: int,
    condition: str,
    level: str,
    epoch: float,
    value: Any,
    c: list[Any],
    setpoint: str = "",
) -> Transition:
    raised = c[1]
    return Transition(
        point_id,
        condition,
        level,
        CLEAR,
        _when(epoch),
        value,
        setpoint,
        raised_ts=_when(raised) if raised is not None else None,
        peak=c[2],
    )


def _threshold(
    sp: SetPoint, rules: PointRules, state: PointState, t: float, v: float, out: list
) -> None:
    c = state.conditions.get(sp.condition)
    above = sp.direction == ABOVE
    if c is not None and c[0]:  # active: track the peak, clear beyond the clear value
        if (v < sp.clear_at) if above else (v > sp.clear_at):
            out.append(_clear(rules.point_id, sp.condition, sp.level, t, v, c, sp.name))
            c[0], c[1], c[2] = False, None, None
        elif (v > c[2]) if above else (v < c[2]):
            c[2] = v
        return
    hit = (v >= sp.value) if above else (v <= sp.value)
    if hit and sp.windows:
        hit = in_windows(sp.windows, local_minute(t, rules.utc_offset_minutes))
    if not hit:
        if c is not None and c[1] is not None:
            c[1] = None  # the pending clock restarts
        return
    if c is None:
        c = state.conditions[sp.condition] = [False, None, None]
    if c[1] is None:
        c[1] = t
    if t - c[1] >= sp.min_duration:
        c[0], c[1], c[2] = True, t, v
        out.append(_raise(rules.point_id, sp.condition, sp.level, t, v, sp.name))


def _flag(
    rules: PointRules,
    state: PointState,
    condition: str,
    level: str,
    on: bool,
    t: float,
    v: Any,
    out: list,
) -> None:
    """A condition without duration: raise when it starts, clear when it ends."""
    c = state.conditions.get(condition)
    if on:
        if c is None or not c[0]:
            state.conditions[condition] = [True, t, v if not isinstance(v, bool) else None]
            out.append(_raise(rules.point_id, condition, level, t, v))
        elif not isinstance(v, bool) and c[2] is not None and abs(v) > abs(c[2]):
            c[2] = v
    elif c is not None and c[0]:
        out.append(_clear(rules.point_id, condition, level, t, v, c))
        c[0], c[1], c[2] = False, None, None


_UNSET = object()


def _below_since(state: PointState, condition: str, value: Any = _UNSET) -> float | None:
    """The time a condition's signal went back below its limit (the 4th slot of its
    state), read or set."""
    c = state.conditions.setdefault(condition, [False, None, None])
    while len(c) < 4:
        c.append(None)
    if value is not _UNSET:
        c[3] = value
    return c[3]


def evaluate(rules: PointRules, state: PointState, reading: Reading) -> list[Transition]:
    """What this reading changes for its point; `state` is updated in place."""
    return step(rules, state, reading.ts, reading.ts.timestamp(), reading.value)


def step(
    rules: PointRules, state: PointState, ts: dt.datetime, t: float, value: float | bool
) -> list[Transition]:
    """`evaluate` without the Reading: `ts` and its epoch seconds `t` (the pipeline
    computes each distinct timestamp's epoch once per batch), and the value."""
    last = state.last_ts
    if last is not None and t <= last:
        return []  # out of order or repeated: the engine only moves forward
    out: list[Transition] = []
    c = state.conditions.get(OFFLINE)
    if last is not None and t - last >= rules.offline_after:
        # Back after a gap the job calls offline: end that alarm (raised at last + span).
        since = last + rules.offline_after
        out.append(
            Transition(
                rules.point_id,
                OFFLINE,
                rules.offline_level,
                CLEAR,
                ts,
                value,
                raised_ts=_when(since),
            )
        )
        if c is not None:
            c[0], c[1], c[2] = False, None, None
    elif c is not None and c[0]:
        out.append(_clear(rules.point_id, OFFLINE, rules.offline_level, t, value, c))
        c[0], c[1], c[2] = False, None, None

    if rules.boolean:
        on = bool(value)
        if on and rules.true_windows:
            on = not in_windows(rules.true_windows, local_minute(t, rules.utc_offset_minutes))
        if on or state.active(rules.true_condition):
            _flag(rules, state, rules.true_condition, rules.true_level, on, t, on, out)
        state.last_ts, state.last_value = t, float(bool(value))
        return out

    v = float(value)
    if not math.isfinite(v):
        return out  # validation rejects these first; never let one poison the state
    for sp in rules.setpoints:
        _threshold(sp, rules, state, t, v, out)

    if rules.rate_limit is not None and last is not None and state.last_value is not None:
        per_minute = (v - state.last_value) * 60.0 / (t - last)
        if rules.rate_direction == RISE:
            on = per_minute >= rules.rate_limit
        elif rules.rate_direction == FALL:
            on = -per_minute >= rules.rate_limit
        else:
            on = abs(per_minute) >= rules.rate_limit
        if on:
            _flag(rules, state, RATE, rules.rate_level, True, t, per_minute, out)
            _below_since(state, RATE, None)
        elif state.active(RATE):
            # A rate is noisy: it clears only after staying below its limit for
            # RATE_CLEAR_SECONDS, or a noisy signal near the limit would flap.
            since = _below_since(state, RATE)
            if since is None:
                _below_since(state, RATE, t)
            elif t - since >= RATE_CLEAR_SECONDS:
                _flag(rules, state, RATE, rules.rate_level, False, t, per_minute, out)
                _below_since(state, RATE, None)

    if rules.stuck_seconds is not None:
        ref = state.stuck_value
        if ref is None or abs(v - ref) > rules.stuck_tolerance:
            state.stuck_value, state.stuck_since = v, t
            if state.active(STUCK):
                _flag(rules, state, STUCK, rules.stuck_level, False, t, v, out)
        elif t - state.stuck_since >= rules.stuck_seconds and not state.active(STUCK):
            _flag(rules, state, STUCK, rules.stuck_level, True, t, v, out)

    state.last_ts, state.last_value = t, v
    return out


def offline(rules: PointRules, state: PointState, now: dt.datetime) -> list[Transition]:
    """The job's check: no reading for offline_periods × sampling_seconds since the last
    one raises "offline", timed at the last reading plus that span (the same alarm on
    every run). A point that never reported has no last reading: the caller passes a
    state whose last_ts is when the point was set up."""
    if state.last_ts is None or state.active(OFFLINE):
        return []
    since = state.last_ts + rules.offline_after
    if now.timestamp() < since:
        return []
    state.conditions[OFFLINE] = [True, since, None]
    return [_raise(rules.point_id, OFFLINE, rules.offline_level, since, state.last_value)]


__all__ = [
    "ABOVE",
    "BELOW",
    "BOTH",
    "CLEAR",
    "EVENT",
    "FALL",
    "LEVELS",
    "OFFLINE",
    "RAISE",
    "RATE",
    "RISE",
    "SEAL",
    "STUCK",
    "THRESHOLD",
    "PointRules",
    "PointState",
    "Reading",
    "SetPoint",
    "Transition",
    "Window",
    "evaluate",
    "in_windows",
    "local_minute",
    "offline",
    "step",
]

"""One pipeline for MQTT and HTTP: validate → store → evaluate → record alarms.

    Pipeline().process([(payload bytes, topic gateway or None), …]) -> Batch

1. Each payload is validated (anjian.monitoring.ingest) against the gateways and points
   known to the `Directory` (a cache, refreshed every ANJIAN_MONITORING_DIRECTORY_TTL
   seconds and at once, at most every 2 s, when an unknown gateway shows up).
2. In one transaction: the good readings of the whole batch are stored in bulk
   (storage.store_readings: COPY on PostgreSQL), duplicates suppressed by (point, ts);
   aggregates and latest values follow; rejections are stored with their counters.
   Committed here: the readings are durable before anything is acknowledged.
3. Under a lease on the batch's gateways (state.py), the states of its points are read,
   the engine evaluates every reading in timestamp order per point, and in a second
   transaction `alarms.record(transitions)` writes the alarms; then the states are
   written back and the lease released. If the process dies between 2 and 3 the
   message is not acknowledged, comes again, its readings are duplicates (not stored
   twice) and are evaluated then; alarms.record is idempotent per (point, condition,
   raise time), so evaluating a reading twice raises nothing twice. If recording the
   alarms fails (the database went away), the states are put back as they were before
   the batch, so that its retry raises them.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from . import engine, storage
from .ingest import Limits, PointInfo, Rejected, parse_payload

logger = logging.getLogger(__name__)


def limits_from_settings() -> Limits:
    return Limits(
        max_bytes=int(storage.setting("MAX_PAYLOAD_BYTES", 1_048_576)),
        future_seconds=storage.setting("FUTURE_SECONDS", 300),
    )


def _ts_of(row: tuple) -> dt.datetime:
    return row[1]


def _copy_state(state: engine.PointState) -> engine.PointState:
    # By hand, not copy.deepcopy: once per point of every batch (about 0.6 µs).
    return engine.PointState(
        state.last_ts,
        state.last_value,
        {k: v[:] for k, v in state.conditions.items()},
        state.stuck_since,
        state.stuck_value,
    )


class Directory:
    """Gateways and their points by code, cached for the validation."""

    def __init__(self, ttl: float | None = None) -> None:
        self.ttl = storage.setting("DIRECTORY_TTL", 30) if ttl is None else ttl
        self._points: dict[str, dict[str, PointInfo]] = {}
        self._loaded = 0.0
        self._lock = threading.Lock()

    def load(self) -> None:
        from .models import Point

        points: dict[str, dict[str, PointInfo]] = {}
        from .models import Gateway

        for code in Gateway.objects.filter(is_active=True).values_list("code", flat=True):
            points[code] = {}
        rows = Point.objects.filter(is_active=True, gateway__is_active=True).values_list(
            "id", "gateway__code", "code", "kind", "range_low", "range_high"
        )
        from .models import BOOLEAN_KINDS

        for pid, gateway, code, kind, low, high in rows:
            points.setdefault(gateway, {})[code] = PointInfo(
                id=pid,
                boolean=kind in BOOLEAN_KINDS,
                low=float(low) if low is not None else None,
                high=float(high) if high is not None else None,
            )
        self._points = points
        self._loaded = time.monotonic()

    def points_of(self, code: str) -> dict[str, PointInfo] | None:
        age = time.monotonic() - self._loaded
        if age > self.ttl or (code not in self._points and age > 2.0):
            with self._lock:
                self.load()
        return self._points.get(code)


class EngineHooks:
    """The alarm engine's side: rules by point (cached like the directory), evaluate
    (`step`: evaluate with the epoch given), record. Tests may pass another object with
    the same methods."""

    def __init__(self, ttl: float | None = None) -> None:
        self.ttl = storage.setting("DIRECTORY_TTL", 30) if ttl is None else ttl
        self._rules: dict = {}
        self._loaded = -1e9

    def rules(self) -> dict:
        if time.monotonic() - self._loaded > self.ttl:
            from .rules import load_rules

            self._rules = load_rules()
            self._loaded = time.monotonic()
        return self._rules

    evaluate = staticmethod(engine.evaluate)
    step = staticmethod(engine.step)

    def record(self, transitions: list) -> int:
        from .alarms import record

        return record(transitions)


@dataclass
class Result:
    """One payload's outcome."""

    gateway: str
    accepted: int = 0  # valid readings (stored now, or already stored before)
    rejected: list[Rejected] = field(default_factory=list)
    payload_reason: str | None = None

    def as_dict(self) -> dict:
        return {
            "gateway": self.gateway,
            "accepted": self.accepted,
            "rejected": [r.as_dict() for r in self.rejected],
            "payload_reason": self.payload_reason,
        }


@dataclass
class Batch:
    results: list[Result]
    stored: int = 0  # rows inserted now
    duplicates: int = 0  # valid readings already stored (sent twice)
    rejected: int = 0
    evaluated: int = 0
    transitions: int = 0
    alarms_raised: int = 0


@dataclass
class Prepared:
    """A validated batch, not stored yet (Pipeline.prepare → Pipeline.commit)."""

    now: dt.datetime
    results: list[Result] = field(default_factory=list)
    rows: list[tuple[int, dt.datetime, float | bool]] = field(default_factory=list)
    gateway_of: dict[int, str] = field(default_factory=dict)
    rejected: list[tuple[str, Rejected]] = field(default_factory=list)
    duplicates: int = 0


class Pipeline:
    def __init__(self, *, store=None, directory=None, hooks=None, limits=None) -> None:
        from .state import MemoryStateStore

        self.store = store if store is not None else MemoryStateStore()
        self.directory = directory or Directory()
        self.hooks = hooks or EngineHooks()
        self.limits = limits or limits_from_settings()
        self._seen_gateways: dict[str, float] = {}
        self._dirty: dict = {}
        self._checkpointed = time.monotonic()
        self.checkpoint_seconds = storage.setting("CHECKPOINT_SECONDS", 5)

    def process(
        self, payloads: Sequence[tuple[bytes | str, str | None]], *, now: dt.datetime | None = None
    ) -> Batch:
        return self.commit(self.prepare(payloads, now=now))

    def prepare(
        self, payloads: Sequence[tuple[bytes | str, str | None]], *, now: dt.datetime | None = None
    ) -> Prepared:
        """Step 1, no database write: validate every payload (the directory may be
        reloaded) and drop the readings repeated within the batch. The listener runs
        this for batch N+1 while its writer thread commits batch N."""
        now = now or timezone.now()
        prepared = Prepared(now=now)
        results = prepared.results
        rows = prepared.rows
        gateway_of = prepared.gateway_of
        rejected = prepared.rejected
        seen: set[tuple[int, dt.datetime]] = set()
        duplicates = 0
        points_of = self.directory.points_of
        for raw, topic_gateway in payloads:
            parsed = parse_payload(
                raw, points_of=points_of, now=now, limits=self.limits, topic_gateway=topic_gateway
            )
            result = Result(parsed.gateway, len(parsed.good), parsed.bad, parsed.payload_reason)
            results.append(result)
            if parsed.bad:
                rejected.extend((parsed.gateway, r) for r in parsed.bad)
            gateway = parsed.gateway
            for _index, pid, ts, value in parsed.good:
                key = (pid, ts)
                if key in seen:  # the same reading in two messages of one batch
                    duplicates += 1
                    continue
                seen.add(key)
                rows.append((pid, ts, value))
                gateway_of[pid] = gateway
        prepared.duplicates = duplicates
        return prepared

    def commit(self, prepared: Prepared) -> Batch:
        """Steps 2 and 3: store (committed), then evaluate and record the alarms. May be
        called again with the same `prepared` after a database error."""
        now = prepared.now
        rows = prepared.rows
        gateway_of = prepared.gateway_of
        batch = Batch(results=prepared.results, rejected=len(prepared.rejected))

        with transaction.atomic():
            batch.stored = storage.store_readings(rows, received_at=now)
            storage.store_rejections(prepared.rejected, received_at=now)
            self._touch_gateways(set(gateway_of.values()), now)
        batch.duplicates = prepared.duplicates + len(rows) - batch.stored

        if rows:
            self._evaluate(rows, gateway_of, batch)
        return batch

    def _touch_gateways(self, codes: Iterable[str], now: dt.datetime) -> None:
        # last_seen_at at most once a minute per gateway: not a row lock per batch.
        stale = [c for c in codes if now.timestamp() - self._seen_gateways.get(c, 0) > 60]
        if stale:
            from .models import Gateway

            Gateway.objects.filter(code__in=stale).update(last_seen_at=now)
            for code in stale:
                self._seen_gateways[code] = now.timestamp()

    def _evaluate(self, rows, gateway_of, batch: Batch) -> None:
        rules = self.hooks.rules()
        # The readings of each point with rules, in timestamp order (a batch arrives
        # mostly in order: a point's list is sorted only when it is not).
        by_point: dict[int, list] = {}
        for row in rows:
            pid = row[0]
            if pid in rules:
                points = by_point.get(pid)
                if points is None:
                    by_point[pid] = [row]
                elif points[-1][1] < row[1]:
                    points.append(row)
                else:
                    points.append(row)
                    points.sort(key=_ts_of)
        if not by_point:
            return
        step = self.hooks.step
        epochs: dict[dt.datetime, float] = {}  # each distinct timestamp converted once
        gateways = {gateway_of[pid] for pid in by_point}
        evaluated = 0
        with self.store.lease(gateways):
            states = self.store.get_many(sorted(by_point))
            # The memory store hands out its live states, which step() moves forward in
            # place. If recording fails (the database went away after the readings
            # committed), they are put back as they were: the retry evaluates the same
            # readings again and raises the same alarms. Left moved, the engine would
            # ignore those readings (at or before last_ts) and the alarms were lost.
            before = {pid: _copy_state(state) for pid, state in states.items()}
            transitions: list = []
            try:
                extend = transitions.extend
                for pid, todo in by_point.items():
                    point_rules, state = rules[pid], states[pid]
                    evaluated += len(todo)
                    for _pid, ts, value in todo:
                        t = epochs.get(ts)
                        if t is None:
                            t = epochs[ts] = ts.timestamp()
                        out = step(point_rules, state, ts, t, value)
                        if out:
                            extend(out)
                if transitions:
                    with transaction.atomic():
                        batch.alarms_raised = self.hooks.record(transitions)
            except BaseException:
                for pid, state in before.items():
                    vars(states[pid]).update(vars(state))
                raise
            self.store.put_many(states)
        batch.evaluated = evaluated
        batch.transitions = len(transitions)
        self._dirty.update(states)
        if time.monotonic() - self._checkpointed >= self.checkpoint_seconds:
            self.checkpoint()

    def checkpoint(self) -> int:
        """Write the states evaluated since the last checkpoint to models.EngineState
        (a restarted listener recovers from it; the offline job reads last_ts there).
        A newer checkpoint of a point (another listener's) is never overwritten."""
        dirty, self._dirty = self._dirty, {}
        self._checkpointed = time.monotonic()
        if dirty:
            try:
                storage.checkpoint_states(dirty, now=timezone.now())
            except BaseException:
                # Not written (the database went away): kept for the next checkpoint,
                # behind any newer state of the same point evaluated meanwhile.
                for pid, state in dirty.items():
                    self._dirty.setdefault(pid, state)
                raise
        return len(dirty)

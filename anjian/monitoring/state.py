"""The alarm engine's state per point, between readings.

Two stores with one interface:

* `MemoryStateStore` — a dict in the process: one listener (or the HTTP workers of one
  process, serialised by a lock).
* `RedisStateStore` — several listeners behind one MQTT shared subscription, which
  hands a point's readings to whichever listener is next. Each point's state is a JSON
  value in Redis (`anjian:mon:state:<point id>`, the prefix configurable), and a batch holds a lease on every
  gateway it carries (`anjian:mon:lock:gw:<code>`, taken all-or-nothing by a Lua script,
  released by another that deletes only its own lease) while it reads the states,
  evaluates and writes them back. So two listeners never evaluate the same point at
  once, and each sees the state the other left. Readings that reach a listener after
  later ones of the same point were evaluated are stored but not evaluated (the engine
  ignores anything at or before the state's last timestamp): the state only moves
  forward. A lease expires by itself (ANJIAN_MONITORING_LEASE_MS, default 10 s) if its
  listener is killed while holding it.

The state is recoverable after a restart: Redis keeps it; a memory store starts empty
(the engine then starts afresh from the next reading of each point).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterable

from .engine import PointState

PREFIX = "anjian:mon:"

_ACQUIRE = """
for i, key in ipairs(KEYS) do
  if redis.call('exists', key) == 1 then return 0 end
end
for i, key in ipairs(KEYS) do
  redis.call('set', key, ARGV[1], 'PX', ARGV[2])
end
return 1
"""
_RELEASE = """
local n = 0
for i, key in ipairs(KEYS) do
  if redis.call('get', key) == ARGV[1] then redis.call('del', key); n = n + 1 end
end
return n
"""


def recover(point_ids: list[int]) -> dict[int, PointState]:
    """The checkpointed states (models.EngineState) of these points."""
    from .models import EngineState

    out = {}
    for start in range(0, len(point_ids), 500):
        chunk = point_ids[start : start + 500]
        for pid, state in EngineState.objects.filter(point_id__in=chunk).values_list(
            "point_id", "state"
        ):
            out[pid] = PointState.from_dict(state)
    return out


class MemoryStateStore:
    def __init__(self, *, recover_from_db: bool = True) -> None:
        self.states: dict[int, PointState] = {}
        self._lock = threading.Lock()
        self.recover_from_db = recover_from_db

    def lease(self, gateways: Iterable[str]):
        return _MemoryLease(self._lock)

    def get_many(self, point_ids: Iterable[int]) -> dict[int, PointState]:
        states = self.states
        missing = [pid for pid in point_ids if pid not in states]
        if missing:
            found = recover(missing) if self.recover_from_db else {}
            for pid in missing:
                states[pid] = found.get(pid) or PointState()
        return {pid: states[pid] for pid in point_ids}

    def put_many(self, states: dict[int, PointState]) -> None:
        self.states.update(states)  # the same objects, already mutated in place


class _MemoryLease:
    def __init__(self, lock: threading.Lock) -> None:
        self.lock = lock

    def __enter__(self):
        self.lock.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.lock.release()


class RedisStateStore:
    def __init__(
        self, url: str = "redis://127.0.0.1:6379/0", *, prefix: str = PREFIX, lease_ms: int = 10_000
    ) -> None:
        import redis

        self.redis = redis.Redis.from_url(url)
        self.state_key = prefix + "state:{}"
        self.lock_key = prefix + "lock:gw:{}"
        self.lease_ms = lease_ms
        self._acquire = self.redis.register_script(_ACQUIRE)
        self._release = self.redis.register_script(_RELEASE)
        self.waits = 0  # how often a batch waited for another listener's lease

    def lease(self, gateways: Iterable[str]):
        return _RedisLease(self, sorted(set(gateways)))

    def get_many(self, point_ids: Iterable[int]) -> dict[int, PointState]:
        ids = list(point_ids)
        if not ids:
            return {}
        values = self.redis.mget([self.state_key.format(pid) for pid in ids])
        return {
            pid: PointState.from_dict(json.loads(raw)) if raw else PointState()
            for pid, raw in zip(ids, values, strict=True)
        }

    def put_many(self, states: dict[int, PointState]) -> None:
        if states:
            self.redis.mset(
                {
                    self.state_key.format(pid): json.dumps(state.to_dict(), separators=(",", ":"))
                    for pid, state in states.items()
                }
            )

    def clear(self) -> None:
        for pattern in (self.state_key.format("*"), self.lock_key.format("*")):
            keys = list(self.redis.scan_iter(pattern, count=1000))
            if keys:
                self.redis.delete(*keys)


class _RedisLease:
    def __init__(self, store: RedisStateStore, gateways: list[str]) -> None:
        self.store = store
        self.keys = [store.lock_key.format(code) for code in gateways]
        self.token = uuid.uuid4().hex

    def __enter__(self):
        delay = 0.0005
        while not self.store._acquire(keys=self.keys, args=[self.token, self.store.lease_ms]):
            self.store.waits += 1
            time.sleep(delay)
            delay = min(delay * 2, 0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.store._release(keys=self.keys, args=[self.token])


def store_from_url(url: str | None, *, prefix: str | None = None):
    """`redis://…` → RedisStateStore (keys under ANJIAN_MONITORING_STATE_PREFIX, default
    "anjian:mon:"); empty → MemoryStateStore."""
    if url:
        import os

        prefix = prefix or os.environ.get("ANJIAN_MONITORING_STATE_PREFIX") or PREFIX
        return RedisStateStore(url, prefix=prefix)
    return MemoryStateStore()

"""`anjian monitor simulate`: realistic readings for the demo points, over MQTT or HTTP,
with faults on a schedule so that the boards show live alarms.

The generator is pure (no Django, no broker): `SimPoint`s in, payloads out.

    points = load_points()                       # from the database (the only Django part)
    events = schedule(points)                    # what goes wrong when, in a repeating cycle
    sim = Simulator(points, events, seed=7)
    sim.tick(t=12.0, ts=now)  -> [payload dict per gateway]

One payload per gateway per tick (the payload of issue 11, item 2), one reading per point
of the gateway. The schedule repeats every `CYCLE` seconds of the simulation clock:

* leak    — a combustible gas point rises past its high set-point, then high-high, and
            comes back (a triangle over 80 s);
* seal    — a seal point reads open for 15 s (its allowed window is elsewhere in the day);
* drift   — a temperature point drifts slowly up past its high set-point, stays, settles;
* stuck   — a pressure point repeats exactly the same value for 160 s (stuck alarm);
* offline — one gateway sends nothing for 110 s (the offline job raises, the next reading
            clears);
* methane — a mine methane point passes alarm and power-off, then falls below restore.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

CYCLE = 300.0  # seconds of simulation clock, then the schedule repeats
LEAK, SEAL, DRIFT, STUCK, OFFLINE, METHANE = "leak", "seal", "drift", "stuck", "offline", "methane"

# kind → (baseline, noise σ) when the point's range does not suggest better
BASELINES: dict[str, tuple[float, float]] = {
    "combustible_gas": (1.5, 0.15),
    "toxic_gas": (2.0, 0.3),
    "methane": (0.3, 0.03),
    "carbon_monoxide": (3.0, 0.8),
    "oxygen": (20.9, 0.05),
    "temperature": (24.0, 0.15),
    "pressure": (1.05, 0.004),
    "level": (6.0, 0.01),
    "flow": (40.0, 1.0),
    "line_current": (28.0, 1.2),
    "line_temperature": (36.0, 0.3),
}
BOOLEAN_KINDS = frozenset({"seal", "video_event"})


@dataclass(frozen=True)
class SimPoint:
    gateway: str
    code: str
    kind: str
    low: float | None = None
    high: float | None = None
    # set-point name → value ("high", "high_high", "alarm", "power_off", "low")
    setpoints: dict[str, float] = field(default_factory=dict)

    @property
    def boolean(self) -> bool:
        return self.kind in BOOLEAN_KINDS

    def clamp(self, value: float) -> float:
        if self.low is not None:
            value = max(self.low, value)
        if self.high is not None:
            value = min(self.high, value)
        return value


@dataclass(frozen=True)
class Event:
    kind: str
    gateway: str
    point: str  # "" for a whole gateway (offline)
    start: float  # seconds into the cycle
    end: float

    def active(self, t: float) -> bool:
        return self.start <= t % CYCLE < self.end

    def progress(self, t: float) -> float:
        return (t % CYCLE - self.start) / (self.end - self.start)


def _first(points: Iterable[SimPoint], test: Callable[[SimPoint], bool]) -> SimPoint | None:
    return next((p for p in points if test(p)), None)


def schedule(points: list[SimPoint]) -> list[Event]:
    """The faults of one cycle, on the first fitting point of each kind (points in
    gateway and code order); a fault with no fitting point is left out."""
    points = sorted(points, key=lambda p: (p.gateway, p.code))
    events: list[Event] = []
    leak = _first(points, lambda p: p.kind == "combustible_gas" and "high_high" in p.setpoints)
    if leak:
        events.append(Event(LEAK, leak.gateway, leak.code, 20, 100))
    seal = _first(points, lambda p: p.kind == "seal")
    if seal:
        events.append(Event(SEAL, seal.gateway, seal.code, 60, 75))
    drift = _first(points, lambda p: p.kind == "temperature" and "high" in p.setpoints)
    if drift:
        events.append(Event(DRIFT, drift.gateway, drift.code, 90, 270))
    stuck = _first(points, lambda p: p.kind == "pressure")
    if stuck:
        events.append(Event(STUCK, stuck.gateway, stuck.code, 100, 260))
    gateways = sorted({p.gateway for p in points})
    busy = {e.gateway for e in events}
    quiet = [g for g in gateways if g not in busy] or gateways[1:]
    if quiet:
        events.append(Event(OFFLINE, quiet[0], "", 150, 260))
    methane = _first(points, lambda p: p.kind == "methane" and "power_off" in p.setpoints)
    if methane:
        events.append(Event(METHANE, methane.gateway, methane.code, 200, 280))
    return events


def _triangle(u: float) -> float:
    """0 → 1 → 0 over u in [0, 1)."""
    return 1.0 - abs(2.0 * u - 1.0)


class Simulator:
    """Readings of every point at a given simulation time `t` (seconds since start)."""

    def __init__(self, points: list[SimPoint], events: list[Event], *, seed: int = 0) -> None:
        self.points = sorted(points, key=lambda p: (p.gateway, p.code))
        self.events = events
        self.rng = random.Random(seed)
        self.by_point = {(e.gateway, e.point): e for e in events if e.point}
        self.offline = [e for e in events if e.kind == OFFLINE]
        self.frozen: dict[tuple[str, str], float] = {}
        # each point its own phase, so the demo's curves do not move in lockstep
        self.phase = {(p.gateway, p.code): self.rng.uniform(0, 2 * math.pi) for p in self.points}

    def baseline(self, p: SimPoint, t: float) -> float:
        if p.kind in BASELINES:
            base, noise = BASELINES[p.kind]
        else:
            low = p.low if p.low is not None else 0.0
            high = p.high if p.high is not None else low + 100.0
            base, noise = low + (high - low) * 0.3, (high - low) * 0.005
        # a slow daily-like wave and noise
        wave = math.sin(t / 600.0 + self.phase[(p.gateway, p.code)]) * noise * 3
        return base + wave + self.rng.gauss(0.0, noise)

    def value(self, p: SimPoint, t: float) -> float | bool:
        event = self.by_point.get((p.gateway, p.code))
        on = event is not None and event.active(t)
        if p.boolean:
            return bool(on and event.kind == SEAL)
        key = (p.gateway, p.code)
        if not on:
            self.frozen.pop(key, None)
            return round(p.clamp(self.baseline(p, t)), 4)
        u = event.progress(t)
        if event.kind == STUCK:
            if key not in self.frozen:
                self.frozen[key] = round(p.clamp(self.baseline(p, t)), 4)
            return self.frozen[key]
        base = self.baseline(p, t)
        if event.kind in (LEAK, METHANE):
            top = p.setpoints.get("high_high") or p.setpoints.get("power_off") or base * 10
            peak = top * 1.3
            return round(p.clamp(base + (peak - base) * _triangle(u)), 4)
        if event.kind == DRIFT:
            target = p.setpoints.get("high", base + 10) + 3.0
            # up slowly for 60 % of the window, a plateau past high, back for the last 15 %
            shape = min(1.0, u / 0.6) if u < 0.85 else (1.0 - u) / 0.15
            return round(p.clamp(base + (target - base) * shape), 4)
        return round(p.clamp(base), 4)

    def silent(self, gateway: str, t: float) -> bool:
        return any(e.gateway == gateway and e.active(t) for e in self.offline)

    def tick(self, *, t: float, ts: dt.datetime) -> list[dict]:
        """One payload per gateway that is not offline at `t`, readings stamped `ts`."""
        stamp = ts.isoformat(timespec="milliseconds")
        payloads: dict[str, dict] = {}
        for p in self.points:
            value = self.value(p, t)
            if self.silent(p.gateway, t):
                continue
            payload = payloads.setdefault(p.gateway, {"gateway": p.gateway, "readings": []})
            payload["readings"].append({"point": p.code, "ts": stamp, "value": value})
        return list(payloads.values())

    def run(
        self, *, start: dt.datetime, interval: float, ticks: int, t0: float = 0.0
    ) -> Iterator[tuple[float, dt.datetime, list[dict]]]:
        """Ticks on the simulation clock only (no sleeping): for tests and back-fills."""
        for n in range(ticks):
            t = t0 + n * interval
            ts = start + dt.timedelta(seconds=t)
            yield t, ts, self.tick(t=t, ts=ts)


def interval_for(points: int, rate: float | None) -> float:
    """Seconds between ticks: one tick a second, or as many as `rate` readings/s needs."""
    if not rate or rate <= 0 or points == 0:
        return 1.0
    return points / rate


# --- the database and the wire (the thin part) -----------------------------------------------


def load_points() -> list[SimPoint]:
    """The active points of active gateways, with their active set-points."""
    from .models import Point, SetPoint

    marks: dict[int, dict[str, float]] = {}
    for point_id, name, value in SetPoint.objects.filter(is_active=True).values_list(
        "point_id", "name", "value"
    ):
        marks.setdefault(point_id, {})[name] = float(value)
    rows = Point.objects.filter(is_active=True, gateway__is_active=True).values_list(
        "pk", "gateway__code", "code", "kind", "range_low", "range_high"
    )
    return [
        SimPoint(
            gateway=gateway,
            code=code,
            kind=kind,
            low=float(low) if low is not None else None,
            high=float(high) if high is not None else None,
            setpoints=marks.get(pk, {}),
        )
        for pk, gateway, code, kind, low, high in rows
    ]


class MqttSender:
    def __init__(self, url: str, *, client_id: str = "anjian-simulator") -> None:
        from urllib.parse import urlparse

        import paho.mqtt.client as mqtt

        self.url = urlparse(url)
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311
        )
        if self.url.username:
            self.client.username_pw_set(self.url.username, self.url.password)
        if self.url.scheme == "mqtts":
            self.client.tls_set()
        port = self.url.port or (8883 if self.url.scheme == "mqtts" else 1883)
        self.client.connect(self.url.hostname or "127.0.0.1", port, keepalive=30)
        self.client.loop_start()
        self.pending: list = []

    def send(self, payload: dict) -> None:
        topic = f"anjian/v1/{payload['gateway']}/readings"
        info = self.client.publish(topic, json.dumps(payload, ensure_ascii=False), qos=1)
        self.pending.append(info)
        if len(self.pending) > 1000:
            self.flush()

    def flush(self) -> None:
        for info in self.pending:
            info.wait_for_publish(timeout=10)
        self.pending.clear()

    def close(self) -> None:
        self.flush()
        self.client.loop_stop()
        self.client.disconnect()


class HttpSender:
    """POSTs each payload with the gateway's own token (var/demo-gateways.json)."""

    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) URL: {url}")
        self.url = url.rstrip("/")
        if not self.url.endswith("/api/v1/monitoring/readings"):
            self.url += "/api/v1/monitoring/readings"
        self.tokens = tokens
        self.refused: dict[int, int] = {}

    def send(self, payload: dict) -> None:
        import urllib.error
        import urllib.request

        token = self.tokens.get(payload["gateway"])
        if token is None:
            self.refused[401] = self.refused.get(401, 0) + 1
            return
        request = urllib.request.Request(  # noqa: S310 - http(s) checked in __init__
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - our URL
                answer.read()
        except urllib.error.HTTPError as exc:
            self.refused[exc.code] = self.refused.get(exc.code, 0) + 1
            logger.warning("HTTP %s for %s", exc.code, payload["gateway"])

    def close(self) -> None:
        pass


def stream(
    sim: Simulator,
    sender,
    *,
    interval: float,
    duration: float | None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    jobs: tuple[float, Callable[[], object]] | None = None,
) -> dict[str, int]:
    """Send a tick every `interval` seconds (real time) until `duration` has passed;
    `jobs` = (every seconds, callable) also runs the monitoring jobs now and then (the
    demo has no scheduler: offline points are found by the job)."""
    started = clock()
    counts = {"ticks": 0, "messages": 0, "readings": 0}
    jobs_due = started + jobs[0] if jobs else None
    try:
        while True:
            t = clock() - started
            if duration is not None and t >= duration:
                break
            if jobs and jobs_due is not None and clock() >= jobs_due:
                jobs_due = clock() + jobs[0]
                try:
                    jobs[1]()
                except Exception:  # the stream goes on; the job is retried next time
                    logger.exception("monitoring jobs failed")
            for payload in sim.tick(t=t, ts=now()):
                sender.send(payload)
                counts["messages"] += 1
                counts["readings"] += len(payload["readings"])
            counts["ticks"] += 1
            wait = started + counts["ticks"] * interval - clock()
            if wait > 0:
                sleep(wait)
    except KeyboardInterrupt:
        pass
    finally:
        sender.close()
    return counts


__all__ = [
    "CYCLE",
    "Event",
    "HttpSender",
    "MqttSender",
    "SimPoint",
    "Simulator",
    "interval_for",
    "load_points",
    "schedule",
    "stream",
]

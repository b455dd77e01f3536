"""The simulator's generator, without a broker or a database: the payload of item 2, the
faults on their schedule (leak past high and high-high and back, drift, stuck, offline
gateway, seal opened), determinism by seed, and the streaming loop with a fake clock."""

from __future__ import annotations

import datetime as dt
import itertools
import json

from anjian.monitoring import ingest, simulator
from anjian.monitoring.simulator import SimPoint, Simulator

START = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai

POINTS = [
    SimPoint("GW001", "GT-101", "combustible_gas", 0, 100, {"high": 25, "high_high": 50}),
    SimPoint("GW001", "TT-101", "temperature", -40, 100, {"high": 38, "high_high": 45}),
    SimPoint("GW001", "PT-101", "pressure", 0, 4, {"high": 1.55}),
    SimPoint("GW001", "SL-101", "seal"),
    SimPoint("GW002", "EC-01", "line_current", 0, 200, {"high": 50}),
    SimPoint("GW002", "ET-01", "line_temperature", -20, 150, {"high": 60}),
    SimPoint("GW009", "CH4-T1", "methane", 0, 4, {"alarm": 1.0, "power_off": 1.5}),
]


def _cycle(seed: int = 7, interval: float = 1.0):
    sim = Simulator(POINTS, simulator.schedule(POINTS), seed=seed)
    ticks = int(simulator.CYCLE / interval)
    return list(sim.run(start=START, interval=interval, ticks=ticks))


def _series(ticks, gateway: str, point: str) -> list[tuple[float, object]]:
    out = []
    for t, _ts, payloads in ticks:
        for payload in payloads:
            if payload["gateway"] != gateway:
                continue
            for reading in payload["readings"]:
                if reading["point"] == point:
                    out.append((t, reading["value"]))
    return out


def test_given_the_demo_points_when_scheduled_then_every_fault_has_a_target():
    events = {e.kind: e for e in simulator.schedule(POINTS)}
    assert set(events) == {"leak", "seal", "drift", "stuck", "offline", "methane"}
    assert (events["leak"].gateway, events["leak"].point) == ("GW001", "GT-101")
    assert events["offline"].gateway == "GW002"  # a gateway with no other fault


def test_given_a_cycle_when_generated_then_one_message_per_gateway_per_tick_in_the_payload():
    ticks = _cycle()
    for _t, ts, payloads in ticks[:5]:
        assert sorted(p["gateway"] for p in payloads) == ["GW001", "GW002", "GW009"]
        for payload in payloads:
            assert set(payload) == {"gateway", "readings"}
            assert all(
                r["ts"] == ts.isoformat(timespec="milliseconds") for r in payload["readings"]
            )
    gw001 = ticks[0][2][0]
    assert [r["point"] for r in gw001["readings"]] == ["GT-101", "PT-101", "SL-101", "TT-101"]


def test_given_a_cycle_when_validated_then_every_reading_is_good():
    infos = {}
    for n, p in enumerate(POINTS):
        infos.setdefault(p.gateway, {})[p.code] = ingest.PointInfo(n, p.boolean, p.low, p.high)
    for _t, ts, payloads in _cycle(interval=5.0):
        for payload in payloads:
            parsed = ingest.parse_payload(
                json.dumps(payload), points_of=infos.get, now=ts, topic_gateway=payload["gateway"]
            )
            assert parsed.bad == [] and len(parsed.good) == len(payload["readings"])


def test_given_the_leak_when_it_runs_then_high_then_high_high_then_back_below_high():
    series = _series(_cycle(), "GW001", "GT-101")
    first_high = next(t for t, v in series if v >= 25)
    first_high_high = next(t for t, v in series if v >= 50)
    peak = max(v for _t, v in series)
    assert 20 <= first_high < first_high_high < 100 and peak <= 100
    assert all(v < 25 for t, v in series if t < 20 or t >= 100)


def test_given_the_methane_event_then_alarm_power_off_and_restore_below_alarm():
    series = _series(_cycle(), "GW009", "CH4-T1")
    assert max(v for _t, v in series) >= 1.5
    assert all(v < 1.0 for t, v in series if t >= 280 or t < 200)


def test_given_the_drift_then_the_temperature_passes_high_slowly():
    series = _series(_cycle(), "GW001", "TT-101")
    above = [t for t, v in series if v >= 38]
    assert above and min(above) > 150  # slow: well into the window
    steps = [abs(b - a) for (_t1, a), (_t2, b) in itertools.pairwise(series)]
    assert max(steps[90:230]) < 2.0  # no jump while drifting up


def test_given_the_stuck_window_then_the_same_value_repeats_exactly():
    series = dict(_series(_cycle(), "GW001", "PT-101"))
    stuck = {series[t] for t in range(100, 260)}
    assert len(stuck) == 1
    assert len({series[t] for t in range(0, 100)}) > 10  # noisy otherwise


def test_given_the_offline_window_then_the_gateway_sends_nothing_and_returns():
    ticks = _cycle()
    sent = {t for t, _ts, payloads in ticks for p in payloads if p["gateway"] == "GW002"}
    assert not any(150 <= t < 260 for t in sent)
    assert 149 in sent and 260 in sent


def test_given_the_seal_then_open_only_in_its_window():
    series = _series(_cycle(), "GW001", "SL-101")
    assert {t for t, v in series if v is True} == set(range(60, 75))
    assert all(isinstance(v, bool) for _t, v in series)


def test_given_the_same_seed_then_the_same_readings_and_another_seed_differs():
    assert _cycle(seed=3) == _cycle(seed=3)
    assert _cycle(seed=3) != _cycle(seed=4)


def test_given_a_second_cycle_then_the_schedule_repeats():
    sim = Simulator(POINTS, simulator.schedule(POINTS), seed=1)
    later = sim.value(POINTS[0], simulator.CYCLE + 60.0)
    assert later >= 25  # the leak again, one cycle later


def test_given_a_rate_then_the_tick_interval_carries_it():
    assert simulator.interval_for(20, None) == 1.0
    assert simulator.interval_for(20, 200) == 0.1
    assert simulator.interval_for(0, 200) == 1.0


def test_given_a_fake_clock_when_streamed_then_ticks_for_the_duration_and_closes():
    class Sender:
        sent: list = []
        closed = False

        def send(self, payload):
            self.sent.append(payload)

        def close(self):
            self.closed = True

    now = [0.0]
    sender = Sender()
    counts = simulator.stream(
        Simulator(POINTS, [], seed=1),
        sender,
        interval=0.5,
        duration=3.0,
        clock=lambda: now[0],
        sleep=lambda s: now.__setitem__(0, now[0] + s),
        now=lambda: START,
    )
    assert counts == {"ticks": 6, "messages": 18, "readings": 6 * len(POINTS)}
    assert sender.closed and len(sender.sent) == 18


def test_given_jobs_every_second_when_streamed_then_run_and_a_failing_job_stops_nothing():
    class Sender:
        def send(self, payload):
            pass

        def close(self):
            pass

    now = [0.0]
    runs: list[float] = []

    def job():
        runs.append(now[0])
        raise RuntimeError("database away")

    counts = simulator.stream(
        Simulator(POINTS, [], seed=1),
        Sender(),
        interval=0.5,
        duration=4.0,
        clock=lambda: now[0],
        sleep=lambda s: now.__setitem__(0, now[0] + s),
        now=lambda: START,
        jobs=(1.0, job),
    )
    assert counts["ticks"] == 8 and runs == [1.0, 2.0, 3.0]


def test_given_an_http_sender_then_only_http_urls_and_the_readings_path():
    sender = simulator.HttpSender("http://127.0.0.1:8000/", {"GW001": "gw_x"})
    assert sender.url == "http://127.0.0.1:8000/api/v1/monitoring/readings"
    try:
        simulator.HttpSender("file:///etc/passwd", {})
    except ValueError:
        pass
    else:  # pragma: no cover
        raise AssertionError("file: URL accepted")

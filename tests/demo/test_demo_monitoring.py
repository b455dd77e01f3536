"""The demo has monitoring: the demo enterprise's major hazard installation with gas
detectors at 25 / 50 %LEL (GB/T 50493-2019), tank points, electrical-fire and seal points
elsewhere, gateway tokens in a file for the simulator; and one cycle of the simulator
through the real pipeline raises the alarms the demo is meant to show."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from anjian.accounts.models import User
from anjian.demo.generator import build_demo
from anjian.demo.monitoring import build_demo_monitoring, read_gateway_tokens
from anjian.monitoring import jobs, simulator
from anjian.monitoring.models import Alarm, Gateway, Point, SealWindow, SetPoint
from anjian.monitoring.pipeline import Directory, EngineHooks, Pipeline

START = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai: seals closed


def test_given_the_demo_when_built_then_the_demo_enterprise_has_gas_detectors_and_tanks(db):
    build_demo(enterprises=60, seed=3)
    enterprise = User.objects.get(username="qiye_aqy").enterprise
    installation = enterprise.major_hazards.get()
    gas = Point.objects.filter(
        enterprise=enterprise, kind="combustible_gas", installation=installation
    )
    assert gas.count() >= 2 and all(p.unit == "%LEL" for p in gas)
    for point in gas:
        marks = dict(point.setpoints.values_list("name", "value"))
        assert marks == {"high": Decimal(25), "high_high": Decimal(50)}
    kinds = set(Point.objects.filter(enterprise=enterprise).values_list("kind", flat=True))
    assert {"toxic_gas", "temperature", "pressure", "level", "seal"} <= kinds
    assert Point.objects.filter(kind="line_current").exclude(enterprise=enterprise).exists()
    assert SealWindow.objects.exclude(point__enterprise=enterprise).exists()
    # No coal mine in a 60-enterprise county of seed 3: no methane point then.
    coal = Point.objects.filter(kind="methane")
    assert coal.exists() == coal.filter(enterprise__industry__code="HR-COAL").exists()


def test_given_demo_monitoring_when_built_then_tokens_in_the_file_match_and_repeat_by_seed(
    world, tmp_path
):
    first = tmp_path / "a.json"
    counts = build_demo_monitoring(seed=5, demo_enterprise=world.chem_a, tokens_file=first)
    assert counts["gateways"] == Gateway.objects.count() >= 2
    tokens = read_gateway_tokens(first)
    assert set(tokens) == set(Gateway.objects.values_list("code", flat=True))
    for code, token in tokens.items():
        assert Gateway.objects.get(code=code).token_hash == Gateway.hash_token(token)
    assert json.loads(first.read_text())["gateways"][0]["enterprise"] == world.chem_a.uscc
    assert first.stat().st_mode & 0o077 == 0  # the owner's only
    # Same seed, same tokens (a fresh database would get the same file).
    Point.objects.all().delete()
    Gateway.objects.all().delete()
    build_demo_monitoring(seed=5, demo_enterprise=world.chem_a, tokens_file=tmp_path / "b.json")
    assert read_gateway_tokens(tmp_path / "b.json") == tokens
    assert read_gateway_tokens(tmp_path / "missing.json") == {}


def test_given_the_demo_points_when_a_simulated_cycle_goes_through_the_pipeline_then_alarms(
    world, tmp_path
):
    build_demo_monitoring(seed=5, demo_enterprise=world.chem_a, tokens_file=tmp_path / "t.json")
    points = simulator.load_points()
    events = {e.kind: e for e in simulator.schedule(points)}
    sim = simulator.Simulator(points, list(events.values()), seed=2)
    pipeline = Pipeline(directory=Directory(ttl=0), hooks=EngineHooks(ttl=0))
    batch: list[tuple[bytes, str]] = []
    offline = None
    for t, ts, payloads in sim.run(start=START, interval=2.0, ticks=150):
        batch += [(json.dumps(p).encode(), p["gateway"]) for p in payloads]
        job_due = offline is None and t >= events["offline"].end - 4
        if len(batch) >= 60 or t >= 298 or job_due:
            result = pipeline.process(batch, now=ts)
            assert result.rejected == 0
            batch = []
        if job_due:
            # Silent for 106 s: past 3 sampling periods of every point (seals: 30 s).
            offline = jobs.offline_run(now=ts)
    raised = set(Alarm.objects.values_list("point__code", "condition"))
    leak = events["leak"].point
    assert {(leak, "threshold:high"), (leak, "threshold:high_high")} <= raised
    assert (events["stuck"].point, "stuck") in raised
    assert (events["seal"].point, "seal") in raised
    assert (events["drift"].point, "threshold:high") in raised
    assert offline and offline["raised"] >= 1 and offline["cleared"] == 0
    silent = set(
        Point.objects.filter(gateway__code=events["offline"].gateway).values_list("code", flat=True)
    )
    assert {code for code, cond in raised if cond == "offline"} == silent
    # The gateway came back: its points' offline alarms were cleared by their next readings.
    assert all(a.cleared_at for a in Alarm.objects.filter(condition="offline"))
    # The leak came back: its threshold alarms were cleared by the engine.
    leak_alarms = Alarm.objects.filter(point__code=leak, condition__startswith="threshold")
    assert all(a.cleared_at is not None for a in leak_alarms)
    assert not SetPoint.objects.filter(point__code=leak, value__gt=50).exists()


def test_given_the_default_seed_then_the_demo_gateway_is_gw001(world, tmp_path):
    build_demo_monitoring(
        seed=20261129, demo_enterprise=world.chem_a, tokens_file=tmp_path / "t.json"
    )
    assert Gateway.objects.get(code="GW001").enterprise == world.chem_a
    assert Point.objects.filter(gateway__code="GW001", code="GT-101").exists()

"""Monitoring for the demo county: gateways, points, set-points and rules, so that
`anjian monitor simulate` has something to stream and the boards something to show.

* The demo enterprise (the one the qiye_* accounts belong to) gets a gateway on its major
  hazard installation with combustible and toxic gas detectors and tank temperature,
  pressure and level points.
  Gas set-points follow GB/T 50493-2019《石油化工可燃气体和有毒气体检测报警设计标准》:
  combustible gas 一级报警 ≤ 25 %LEL, 二级报警 ≤ 50 %LEL; toxic gas 一级 ≤ 100 % OEL,
  二级 ≤ 200 % OEL (the values checked against a public copy of the standard's text; the
  clause number, 5.5.3 as usually quoted, not verified). The ammonia OEL in ppm is
  converted from GBZ 2.1 PC-STEL 30 mg/m³ (≈ 42 ppm; conversion ours, not verified).
  Tank limits are plausible demo values, not from a text.
* A handful of other enterprises get electrical-fire points (line current and line
  temperature; demo values, not from a text) and some a seal point with an allowed window.
* A coal mine, if the demo has one, gets a methane point at the coal face: alarm ≥ 1.0 %
  CH4, power-off ≥ 1.5 %, restore < 1.0 % (national-schema.md).

Its own random.Random(seed + SEED_OFFSET): the rest of the demo keeps its draws. Gateway
tokens are drawn from it too (the demo is fictional; same seed, same tokens) and written to
var/demo-gateways.json so that the simulator can use the HTTP path.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import random
import tempfile
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from anjian.core.audit import Actor, audit_append
from anjian.registry.models import Enterprise

SEED_OFFSET = 1111
GATEWAYS_FILE = "demo-gateways.json"
ELECTRICAL_ENTERPRISES = 5
ELECTRICAL_INDUSTRIES = ("HR-FIRE", "HR-IT-MCH", "HR-IT-LGT", "HR-IT-TXT", "C", "H", "NB-COLD")
SEAL_INDUSTRIES = ("HR-HAZCHEM", "HR-GAS", "HR-IT-COM", "G")

D = Decimal

# code, name, kind, unit, range, sampling s, unit name on the plan, (x, y),
# set-points [(name, direction, value, level, hysteresis, min duration s)], rule
DEMO_ENTERPRISE_POINTS = [
    ("GT-101", "储罐区可燃气体探测器1", "combustible_gas", "%LEL", (0, 100), 5, "储罐区",
     (0.62, 0.18), [("high", "above", 25, "orange", 2, 0), ("high_high", "above", 50, "red", 2, 0)],
     {"rate_limit": D(20), "rate_direction": "rise", "rate_level": "yellow"}),
    ("GT-102", "储罐区可燃气体探测器2", "combustible_gas", "%LEL", (0, 100), 5, "储罐区",
     (0.86, 0.34), [("high", "above", 25, "orange", 2, 0), ("high_high", "above", 50, "red", 2, 0)],
     None),
    ("GT-201", "合成车间可燃气体探测器", "combustible_gas", "%LEL", (0, 100), 5, "合成车间",
     (0.24, 0.25), [("high", "above", 25, "orange", 2, 0), ("high_high", "above", 50, "red", 2, 0)],
     None),
    ("AT-101", "储罐区氨气探测器", "toxic_gas", "ppm", (0, 500), 5, "储罐区",
     (0.74, 0.22), [("high", "above", 42, "orange", 3, 0), ("high_high", "above", 84, "red", 3, 0)],
     None),
    ("TT-101", "1号液氨储罐温度", "temperature", "°C", (-40, 100), 10, "储罐区",
     (0.68, 0.15), [("high", "above", 38, "yellow", 1, 30), ("high_high", "above", 45, "orange", 1, 0)],
     None),
    ("PT-101", "1号液氨储罐压力", "pressure", "MPa", (0, 4), 10, "储罐区",
     (0.68, 0.19), [("high", "above", D("1.55"), "orange", D("0.05"), 10),
                    ("high_high", "above", D("1.75"), "red", D("0.05"), 0)],
     {"stuck_seconds": 120, "stuck_tolerance": D("0.0005"), "stuck_level": "blue"}),
    ("LT-101", "1号液氨储罐液位", "level", "m", (0, 12), 10, "储罐区",
     (0.68, 0.23), [("low", "below", 1, "yellow", D("0.1"), 30), ("high", "above", D("9.5"), "yellow", D("0.1"), 30),
                    ("high_high", "above", D("10.5"), "orange", D("0.1"), 0)],
     None),
]  # fmt: skip

ELECTRICAL_POINTS = [
    ("EC-01", "配电箱进线电流", "line_current", "A", (0, 200), 10,
     [("high", "above", 50, "yellow", 2, 30), ("high_high", "above", 63, "orange", 2, 10)]),
    ("ET-01", "配电箱进线温度", "line_temperature", "°C", (-20, 150), 10,
     [("high", "above", 60, "orange", 2, 10), ("high_high", "above", 75, "red", 2, 0)]),
]  # fmt: skip

METHANE_SETPOINTS = [
    # name, direction, value, level, clear value, cut equipment
    ("alarm", "above", D("1.0"), "orange", None, ""),
    ("power_off", "above", D("1.5"), "red", D("1.0"),
     "采煤工作面及其进、回风巷内全部非本质安全型电气设备"),
]  # fmt: skip


def _token(rng: random.Random) -> str:
    return "gw_demo_" + "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(32))


@functools.cache
def _test_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="anjian-test-demo-"))


def gateways_file() -> Path:
    """var/demo-gateways.json; tests never write into ./var (a temporary directory unless
    ANJIAN_VAR_DIR names one)."""
    if getattr(settings, "TESTING", False) and "ANJIAN_VAR_DIR" not in os.environ:
        return _test_dir() / GATEWAYS_FILE
    return Path(settings.VAR_DIR) / GATEWAYS_FILE


def build_demo_monitoring(
    *, seed: int, demo_enterprise: Enterprise | None, tokens_file: Path | None = None
) -> dict[str, int]:
    """Gateways, points, set-points, rules and seal windows; returns counts. The gateways'
    tokens go to `tokens_file` (default gateways_file())."""
    from anjian.monitoring.models import (
        Gateway,
        Point,
        PointRule,
        SealWindow,
        SetPoint,
    )
    from anjian.risks.models import RiskUnit

    rng = random.Random(seed + SEED_OFFSET)
    gateways: list[tuple[Gateway, str]] = []
    points: list[Point] = []
    setpoints: list[tuple[Point, dict]] = []
    rules: list[tuple[Point, dict]] = []
    windows: list[tuple[Point, dict]] = []

    def gateway(enterprise: Enterprise, name: str) -> Gateway:
        raw = _token(rng)
        gw = Gateway(
            enterprise=enterprise, code=f"GW{len(gateways) + 1:03d}", name=name, is_active=True
        )
        gw.set_token(raw)
        gateways.append((gw, raw))
        return gw

    def point(gw: Gateway, **fields) -> Point:
        p = Point(gateway=gw, enterprise=gw.enterprise, **fields)
        points.append(p)
        return p

    if demo_enterprise is not None:
        gw = gateway(demo_enterprise, "储罐区数据采集网关")
        installation = demo_enterprise.major_hazards.order_by("pk").first()
        units = dict(RiskUnit.objects.filter(enterprise=demo_enterprise).values_list("name", "pk"))
        for code, name, kind, unit, (low, high), period, unit_name, (
            x,
            y,
        ), sps, rule in DEMO_ENTERPRISE_POINTS:
            p = point(
                gw,
                code=code,
                name=name,
                kind=kind,
                unit=unit,
                range_low=D(low),
                range_high=D(high),
                sampling_seconds=period,
                risk_unit_id=units.get(unit_name),
                installation=installation if unit_name == "储罐区" else None,
                plan_x=D(str(x)),
                plan_y=D(str(y)),
            )
            for sp_name, direction, value, level, hyst, duration in sps:
                setpoints.append(
                    (
                        p,
                        {
                            "name": sp_name,
                            "direction": direction,
                            "value": D(value),
                            "level": level,
                            "hysteresis": D(hyst),
                            "min_duration_seconds": duration,
                        },
                    )
                )
            if rule:
                rules.append((p, rule))
        seal = point(
            gw,
            code="SL-101",
            name="液氯库房门禁",
            kind="seal",
            unit="",
            sampling_seconds=30,
            plan_x=D("0.90"),
            plan_y=D("0.12"),
        )
        windows.append((seal, {"start": dt.time(8, 0), "end": dt.time(8, 30), "note": "早班巡检"}))

    others = Enterprise.objects.filter(status="operating").order_by("pk")
    if demo_enterprise is not None:
        others = others.exclude(pk=demo_enterprise.pk)
    candidates = list(
        others.filter(industry__code__in=ELECTRICAL_INDUSTRIES).values_list("pk", flat=True)
    )
    chosen = sorted(rng.sample(candidates, k=min(ELECTRICAL_ENTERPRISES, len(candidates))))
    sealed = set(others.filter(industry__code__in=SEAL_INDUSTRIES).values_list("pk", flat=True)[:2])
    by_pk = Enterprise.objects.in_bulk(chosen + sorted(sealed))
    for pk in chosen:
        gw = gateway(by_pk[pk], "电气火灾监控网关")
        for number in range(1, rng.randint(1, 2) + 1):
            for code, name, kind, unit, (low, high), period, sps in ELECTRICAL_POINTS:
                p = point(
                    gw,
                    code=code.replace("01", f"{number:02d}"),
                    name=f"{number}号{name}",
                    kind=kind,
                    unit=unit,
                    range_low=D(low),
                    range_high=D(high),
                    sampling_seconds=period,
                )
                for sp_name, direction, value, level, hyst, duration in sps:
                    setpoints.append(
                        (
                            p,
                            {
                                "name": sp_name,
                                "direction": direction,
                                "value": D(value),
                                "level": level,
                                "hysteresis": D(hyst),
                                "min_duration_seconds": duration,
                            },
                        )
                    )
    for pk in sorted(sealed):
        gw = gateway(by_pk[pk], "危险品仓库门禁网关")
        seal = point(gw, code="SL-01", name="危险品仓库封条", kind="seal", sampling_seconds=30)
        start = rng.choice((dt.time(9, 0), dt.time(14, 0)))
        end = dt.time(start.hour + 1, 0)
        windows.append((seal, {"start": start, "end": end, "note": "领料时段"}))

    mine = (
        Enterprise.objects.filter(industry__code="HR-COAL", status="operating")
        .order_by("pk")
        .first()
    )
    if mine is not None:
        gw = gateway(mine, "井下安全监控分站")
        p = point(
            gw,
            code="CH4-T1",
            name="采煤工作面甲烷传感器T1",
            kind="methane",
            unit="%CH4",
            range_low=D(0),
            range_high=D(4),
            sampling_seconds=5,
        )
        for sp_name, direction, value, level, clear, cut in METHANE_SETPOINTS:
            setpoints.append(
                (
                    p,
                    {
                        "name": sp_name,
                        "direction": direction,
                        "value": value,
                        "level": level,
                        "clear_value": clear,
                        "cut_equipment": cut,
                    },
                )
            )

    with transaction.atomic():
        Gateway.objects.bulk_create([gw for gw, _raw in gateways])
        for p in points:
            p.gateway_id = p.gateway.pk
        Point.objects.bulk_create(points)
        SetPoint.objects.bulk_create([SetPoint(point_id=p.pk, **f) for p, f in setpoints])
        PointRule.objects.bulk_create([PointRule(point_id=p.pk, **f) for p, f in rules])
        SealWindow.objects.bulk_create([SealWindow(point_id=p.pk, **f) for p, f in windows])
        counts = {
            "gateways": len(gateways),
            "points": len(points),
            "setpoints": len(setpoints),
            "rules": len(rules),
            "seal_windows": len(windows),
        }
        audit_append(
            actor=Actor.system("demo", "demo-loader"),
            action="demo_load",
            object_type="monitoring.point",
            object_id=f"{points[0].pk}-{points[-1].pk}" if points else "-",
            summary=f"{len(points)} monitoring points",
            changes={"seed": seed, **counts},
        )
    write_gateways_file(
        tokens_file or gateways_file(),
        [
            {"code": gw.code, "token": raw, "enterprise": gw.enterprise.uscc, "name": gw.name}
            for gw, raw in gateways
        ],
    )
    return counts


def write_gateways_file(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"gateways": rows}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    path.chmod(0o600)
    return path


def read_gateway_tokens(path: Path | None = None) -> dict[str, str]:
    """Gateway code → token, from the file the demo wrote ({} when there is none)."""
    path = path or gateways_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {row["code"]: row["token"] for row in data.get("gateways", [])}


__all__ = ["build_demo_monitoring", "gateways_file", "read_gateway_tokens"]

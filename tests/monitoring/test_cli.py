"""The command-line contract: anjian monitor points / alarms / stats --json."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from anjian.cli import build_parser
from anjian.monitoring.models import SetPoint
from anjian.monitoring.pipeline import Directory, EngineHooks, Pipeline
from tests.monitoring.ingestion_fixtures import NOW, make_gateway, payload


def run(*argv) -> object:
    out = io.StringIO()
    call_command(*argv, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def fed(world):
    gateway = make_gateway(world)
    SetPoint.objects.create(
        point=gateway.points.get(code="LEL1"),
        name="high",
        direction="above",
        value=Decimal("25"),
        level="yellow",
        hysteresis=Decimal("1"),
    )
    Pipeline(directory=Directory(ttl=0), hooks=EngineHooks(ttl=0)).process(
        [
            (
                payload(
                    "GW1",
                    ("LEL1", "2026-12-03T09:00:00+08:00", 10),
                    ("LEL1", "2026-12-03T09:00:10+08:00", 30),
                    ("LEL1", "2026-12-03T09:00:20+08:00", 300),
                ),
                None,
            ),
            (b"{oops", "GW1"),
        ],
        now=NOW,
    )
    return world


def test_given_points_when_listed_as_json_then_the_contract_keys_are_there(fed):
    rows = run("monitor_points", "--json")
    lel = next(r for r in rows if r["code"] == "LEL1")
    assert lel["gateway"] == "GW1"
    assert lel["enterprise"] == fed.chem_a.uscc
    assert (lel["kind"], lel["unit"]) == ("combustible_gas", "%LEL")
    assert [
        {k: s[k] for k in ("level", "alarm_level", "value", "direction")} for s in lel["setpoints"]
    ] == [{"level": "high", "alarm_level": "yellow", "value": 25.0, "direction": "above"}]
    assert next(r for r in rows if r["code"] == "SEAL1")["setpoints"] == []


def test_given_an_alarm_when_listed_as_json_then_id_point_level_state_raised_at_value(fed):
    rows = run("monitor_alarms", "--json")
    assert len(rows) == 1
    alarm = rows[0]
    assert {"id", "point", "level", "state", "raised_at", "value"} <= alarm.keys()
    assert (alarm["point"], alarm["level"], alarm["value"]) == ("LEL1", "yellow", 30.0)
    assert dt.datetime.fromisoformat(alarm["raised_at"]) == dt.datetime(
        2026, 12, 3, 1, 0, 10, tzinfo=dt.UTC
    )
    assert run("monitor_alarms", "--json", "--since", "2026-12-03T09:00:11+08:00") == []


def test_given_readings_and_rejections_when_stats_then_stored_rejected_by_reason_open_alarms(fed):
    stats = run("monitor_stats", "--json")
    assert stats["stored"] == 2
    assert stats["rejected"] == {"malformed_json": 1, "out_of_range": 1}
    assert stats["alarms_open"] == 1


def test_given_the_anjian_parser_when_monitor_commands_are_parsed_then_they_exist():
    parser = build_parser()
    for argv in (
        ["monitor", "points", "--json"],
        ["monitor", "alarms", "--json", "--since", "2026-12-03T00:00:00+08:00"],
        ["monitor", "stats", "--json"],
        ["monitor", "listen", "--shared", "--url", "mqtt://127.0.0.1:1884"],
        ["monitor", "maintain"],
    ):
        assert callable(parser.parse_args(argv).func)

"""Declared states against what monitoring saw, with the real monitoring models: readings
stored through the ingestion's bulk write (hour aggregates) and alarms as the engine
records them."""

import datetime as dt

import pytest
from django.urls import reverse

from anjian.commitments import observed, rules, services
from anjian.monitoring.models import Alarm, Gateway, Point
from anjian.monitoring.storage import store_readings

from .helpers import DAY, at, installation, key, risk_unit, submit


def point(unit=None, inst=None, code="P1", kind="pressure"):
    enterprise = (unit or inst).enterprise
    gw, _ = Gateway.objects.get_or_create(
        code=f"GW-{enterprise.pk}",
        defaults={"enterprise": enterprise, "name": "网关", "token_hash": f"h{enterprise.pk}"},
    )
    return Point.objects.create(
        gateway=gw,
        enterprise=enterprise,
        installation=inst,
        risk_unit=unit,
        code=code,
        name=code,
        kind=kind,
    )


def alarm(p, raised_at, condition="threshold:high"):
    return Alarm.objects.create(
        point=p, enterprise=p.enterprise, condition=condition, level="red", raised_at=raised_at
    )


@pytest.fixture
def site(world):
    tank = installation(world.chem_a)
    workshop = risk_unit(world.chem_a)
    quiet = installation(world.chem_a, name="停用仓库")
    return {
        "tank": tank,
        "workshop": workshop,
        "quiet": quiet,
        "tank_pressure": point(inst=tank, code="PT-1"),
        "tank_gas": point(inst=tank, code="GT-1", kind="combustible_gas"),
        "workshop_temp": point(unit=workshop, code="TT-1", kind="temperature"),
        "quiet_gas": point(inst=quiet, code="GT-2", kind="combustible_gas"),
    }


def test_given_the_committed_monitoring_schema_then_both_observations_available():
    assert observed.available() == {"readings": True, "alarms": True}


def test_given_readings_and_alarms_when_observed_then_per_unit_facts(world, site):
    utc = dt.UTC
    store_readings(
        [
            (site["tank_pressure"].pk, at(8).astimezone(utc), 0.4),
            (site["quiet_gas"].pk, at(8).astimezone(utc), 1.0),  # a gas detector only
            (site["workshop_temp"].pk, at(0, day=DAY - dt.timedelta(days=1)).astimezone(utc), 20),
        ],
        received_at=at(8),
    )
    alarm(site["tank_gas"], at(7))
    alarm(site["tank_gas"], at(8), condition="offline")  # not counted
    alarm(site["workshop_temp"], at(23, day=DAY - dt.timedelta(days=1)))  # yesterday
    keys = [key(site["tank"]), key(site["workshop"]), key(site["quiet"])]
    got = observed.observe(keys, at(0), at(12))
    assert got[key(site["tank"])] == rules.Observation(
        points=2, readings_seen=True, alarms_raised=1
    )
    assert got[key(site["workshop"])] == rules.Observation(
        points=1, readings_seen=False, alarms_raised=0
    )
    assert got[key(site["quiet"])] == rules.Observation(
        points=1, readings_seen=False, alarms_raised=0
    )


def test_given_a_stop_declared_when_monitoring_disagrees_then_regulators_see_the_difference(
    world, site, client_for
):
    submit(
        world,
        states={
            key(site["tank"]): rules.STOPPED,
            key(site["workshop"]): rules.MAINTENANCE,
            key(site["quiet"]): rules.STOPPED,
        },
        now=at(9),
    )
    store_readings([(site["tank_pressure"].pk, at(9).astimezone(dt.UTC), 0.5)], received_at=at(9))
    alarm(site["workshop_temp"], at(10))
    rows, compared = services.differences(world.user("grid_x1"), DAY, now=at(12))
    assert compared == 1
    assert [(r.unit_name, r.kind) for r in rows] == [
        ("液氯储罐区", rules.READINGS_WHILE_STOPPED),
        ("合成车间", rules.ALARMS_WHILE_MAINTENANCE),
    ]
    html = (
        client_for("coordinator_x")
        .get(reverse("commitments:differences"), {"date": DAY.isoformat()})
        .content.decode()
    )
    assert 'data-kind="readings_while_stopped"' in html
    assert 'data-kind="alarms_while_maintenance"' in html
    assert 'id="not-observed"' not in html
    assert "停用仓库" not in html
    empty = client_for("coordinator_y").get(reverse("commitments:differences"), {"date": DAY})
    assert 'data-kind="' not in empty.content.decode()

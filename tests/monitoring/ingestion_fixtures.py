"""Gateways and points for the ingestion tests (on the shared world's enterprise chem_a)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from anjian.monitoring.models import Gateway, Point

NOW = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)


def make_gateway(world, code: str = "GW1", token: str = "gw_secret_one") -> Gateway:
    gateway = Gateway(enterprise=world.chem_a, code=code, name=f"gateway {code}")
    gateway.set_token(token)
    gateway.save()
    Point.objects.create(
        gateway=gateway,
        enterprise=world.chem_a,
        code="LEL1",
        name="LEL 1",
        kind="combustible_gas",
        unit="%LEL",
        range_low=Decimal(0),
        range_high=Decimal(100),
    )
    Point.objects.create(
        gateway=gateway, enterprise=world.chem_a, code="SEAL1", name="seal 1", kind="seal"
    )
    return gateway


def payload(gateway: str, *readings: tuple) -> bytes:
    return json.dumps(
        {
            "gateway": gateway,
            "readings": [{"point": p, "ts": t, "value": v} for p, t, v in readings],
        }
    ).encode()

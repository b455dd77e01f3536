"""POST /api/v1/monitoring/readings: gateway tokens, per-reading rejections, refusals."""

from __future__ import annotations

import pytest

from anjian.api import monitoring_readings
from anjian.monitoring.models import RawReading, Rejection, RejectionCount
from tests.monitoring.ingestion_fixtures import make_gateway, payload

URL = "/api/v1/monitoring/readings"


@pytest.fixture(autouse=True)
def fresh_pipeline():
    monitoring_readings._pipeline = None  # its caches belong to one test database
    yield
    monitoring_readings._pipeline = None


@pytest.fixture
def gateways(world):
    return make_gateway(world, "GW1", "gw_token_one"), make_gateway(world, "GW2", "gw_token_two")


def post(client, body, token="gw_token_one"):
    return client.post(
        URL, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_given_a_gateway_token_when_it_posts_readings_then_they_are_stored_with_rejections(
    client, gateways
):
    body = payload(
        "GW1",
        ("LEL1", "2026-12-03T09:00:00+08:00", 12.5),
        ("LEL1", "2026-12-03T09:00:10+08:00", "high"),
        ("SEAL1", "2026-12-03T09:00:00+08:00", True),
    )
    response = post(client, body)
    assert response.status_code == 200, response.content
    out = response.json()
    assert (out["gateway"], out["accepted"], out["stored"], out["duplicates"]) == ("GW1", 2, 2, 0)
    assert [(r["index"], r["reason"]) for r in out["rejected"]] == [(1, "wrong_type")]
    assert out["rejected"][0]["message"]
    assert RawReading.objects.count() == 2  # committed before the answer
    again = post(client, body).json()
    assert (again["stored"], again["duplicates"]) == (0, 2)


def test_given_another_gateways_code_when_posted_then_403_and_nothing_stored(client, gateways):
    response = post(client, payload("GW2", ("LEL1", "2026-12-03T09:00:00+08:00", 1)))
    assert response.status_code == 403
    assert response.json()["reason"] == "topic_mismatch"
    assert RawReading.objects.count() == 0


def test_given_no_or_a_wrong_token_when_posted_then_401(client, gateways):
    body = payload("GW1", ("LEL1", "2026-12-03T09:00:00+08:00", 1))
    assert client.post(URL, data=body, content_type="application/json").status_code == 401
    assert post(client, body, token="gw_nope").status_code == 401


def test_given_malformed_json_when_posted_then_422_with_reason_and_counted(client, gateways):
    response = post(client, b'{"gateway": "GW1", "readings": [')
    assert response.status_code == 422
    assert response.json()["reason"] == "malformed_json"
    assert RejectionCount.objects.get(reason="malformed_json").count == 1
    assert Rejection.objects.get().gateway_code == "GW1"


def test_given_a_10_mb_payload_when_posted_then_413_unread(client, gateways):
    body = b'{"gateway": "GW1", "readings": [' + b" " * (10 * 1024 * 1024) + b"]}"
    response = post(client, body)
    assert response.status_code == 413
    assert response.json()["reason"] == "too_large"
    assert RejectionCount.objects.get(reason="too_large").count == 1

"""Readings from gateways over HTTP: POST /api/v1/monitoring/readings.

A gateway authenticates with its own bearer token (Gateway.hash_token; not a user's API
token) and may send only its own readings: the payload's "gateway" must be its code.
The body is the payload of the MQTT path, many readings at once:

    {"gateway": "<code>", "readings": [{"point": "<point code>",
      "ts": "<ISO 8601 with offset>", "value": <number or true/false>}]}

The answer comes after the readings are committed (durably stored) and evaluated:
200 with how many were stored, how many were already stored (sent twice), and every
rejected reading with its index and reason. A payload refused whole answers 413 (too
large, not read), 403 (another gateway's code) or 422 (not JSON, not the payload's shape),
with its reason; it is counted and listed with the other rejections.
"""

from __future__ import annotations

import threading

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import AuthenticationError
from ninja.responses import Status
from ninja.security import HttpBearer

from anjian.api.schemas import ReasonedErrorOut
from anjian.monitoring import ingest
from anjian.monitoring.models import Gateway, RejectionReason

router = Router(tags=["monitoring"])


class GatewayAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Gateway | None:
        token = token.strip()
        gateway = (
            Gateway.objects.filter(token_hash=Gateway.hash_token(token), is_active=True)
            .only("pk", "code")
            .first()
            if token
            else None
        )
        if gateway is None:
            raise AuthenticationError()
        return gateway


class RejectedOut(Schema):
    index: int
    point: str
    ts: str
    value: str
    reason: str
    message: str


class ReadingsOut(Schema):
    gateway: str
    accepted: int
    stored: int
    duplicates: int
    rejected: list[RejectedOut]


_pipeline = None
_pipeline_lock = threading.Lock()


def pipeline():
    """One pipeline per process (its caches and engine state are shared by the requests;
    ANJIAN_MONITORING_STATE_URL=redis://… shares the state with the listeners)."""
    global _pipeline
    if _pipeline is None:
        with _pipeline_lock:
            if _pipeline is None:
                import os

                from anjian.monitoring.pipeline import Pipeline
                from anjian.monitoring.state import store_from_url

                _pipeline = Pipeline(
                    store=store_from_url(os.environ.get("ANJIAN_MONITORING_STATE_URL", ""))
                )
    return _pipeline


def _message(reason: str) -> str:
    try:
        return str(RejectionReason(reason).label)
    except ValueError:  # pragma: no cover - every code is a RejectionReason
        return reason


def _refused(reason: str, status: int) -> Status:
    return Status(
        status,
        {"detail": [{"field": "__all__", "message": _message(reason)}], "reason": reason},
    )


@router.post(
    "/monitoring/readings",
    auth=GatewayAuth(),
    response={
        200: ReadingsOut,
        403: ReasonedErrorOut,
        413: ReasonedErrorOut,
        422: ReasonedErrorOut,
    },
    summary="Send a gateway's readings",
)
def post_readings(request: HttpRequest):
    gateway: Gateway = request.auth
    p = pipeline()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > p.limits.max_bytes:
        # Not read at all: refused by its declared length.
        from django.utils import timezone

        from anjian.monitoring.storage import store_rejections

        store_rejections(
            [(gateway.code, ingest.Rejected(-1, "", "", "", ingest.TOO_LARGE))],
            received_at=timezone.now(),
        )
        return _refused(ingest.TOO_LARGE, 413)
    batch = p.process([(request.body, gateway.code)])
    result = batch.results[0]
    if result.payload_reason == ingest.TOPIC_MISMATCH:
        return Status(
            403,
            {
                "detail": [
                    {"field": "gateway", "message": _("This token is for another gateway.")}
                ],
                "reason": result.payload_reason,
            },
        )
    if result.payload_reason == ingest.TOO_LARGE:
        return _refused(result.payload_reason, 413)
    if result.payload_reason:
        return _refused(result.payload_reason, 422)
    return {
        "gateway": gateway.code,
        "accepted": result.accepted,
        "stored": batch.stored,
        "duplicates": batch.duplicates,
        "rejected": [{**r.as_dict(), "message": _message(r.reason)} for r in result.rejected],
    }

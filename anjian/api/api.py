"""The versioned HTTP API, /api/v1/ (OpenAPI document at /api/v1/openapi.json)."""

from __future__ import annotations

import json
import math
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from . import enterprises, errors, openapi, reference
from .auth import BearerTokenAuth, SessionCsrfAuth
from .strict import refuse_surrogates


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 overflows to inf
        raise ValueError(f"number out of range: {text}")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class StrictJSONParser(Parser):
    """RFC 8259 JSON only: Python's json module would otherwise accept NaN and Infinity,
    values that no field here can hold and that break comparisons further down; and
    text only as Unicode can store it, so no lone surrogates, checked here once for
    every endpoint (bodies, query strings and form fields)."""

    def parse_body(self, request: HttpRequest) -> Any:
        value = json.loads(request.body, parse_constant=_no_constant, parse_float=_finite)
        refuse_surrogates(value)
        return value

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        refuse_surrogates(result)
        return result


class Utf8JSONRenderer(JSONRenderer):
    # Chinese text as itself (the response is declared utf-8), not as \u-escapes: half
    # the size and readable in a terminal.
    json_dumps_params = {"ensure_ascii": False}


api = openapi.DocumentedAPI(
    title="anjian API",
    version="1",
    description=(
        "The work-safety supervision platform's HTTP API. Authenticate with "
        "`Authorization: Bearer <token>` (machine clients) or a signed-in session (with the "
        "CSRF token on writes). Everything you read is limited to your jurisdiction; an id "
        "outside it answers 404 exactly like an unknown one."
    ),
    urls_namespace="api-v1",
    auth=[BearerTokenAuth(), SessionCsrfAuth()],
    parser=StrictJSONParser(),
    renderer=Utf8JSONRenderer(),
)
errors.install(api)
api.add_router("", enterprises.router)
api.add_router("", reference.router)
api.add_router("", "anjian.api.risks.router")
api.add_router("", "anjian.api.hazards.router")
api.add_router("", "anjian.api.inbox.router")
api.add_router("", "anjian.api.rechecks.router")
api.add_router("", "anjian.api.credit.router")
api.add_router("", "anjian.api.reports.router")
api.add_router("", "anjian.api.hazard_files.router")
api.add_router("", "anjian.api.deadlines.router")
api.add_router("", "anjian.api.diagnosis.router")
api.add_router("", "anjian.api.monitoring_alarms.router")
api.add_router("", "anjian.api.monitoring_readings.router")
api.add_router("", "anjian.api.checks.router")
api.add_router("", "anjian.api.inspections.router")
api.add_router("", "anjian.api.penalties.router")
api.add_router("", "anjian.api.accidents.router")
api.add_router("", "anjian.api.emergency_plans.router")
api.add_router("", "anjian.api.emergency_drills.router")
api.add_router("", "anjian.api.emergency_resources.router")
api.add_router("", "anjian.api.emergency_response.router")
api.add_router("", "anjian.api.emergency_allocation.router")
api.add_router("", "anjian.api.public_report.router")
api.add_router("", "anjian.api.public_exposure.router")
api.add_router("", "anjian.api.people_training.router")
api.add_router("", "anjian.api.people_permit.router")
api.add_router("", "anjian.api.people_points.router")

"""The API keeps its OpenAPI contract: generated requests to every operation, as a
regulator holding a bearer token, never get a 5xx, an undocumented status, or a body or
content type other than the document declares.

Schemathesis generates the cases from /api/v1/openapi.json and sends them through Django's
WSGI handler, so the whole middleware stack runs, inside the test's transaction (writes
are rolled back with it). The run is bounded and deterministic: a few examples per
operation, derandomized, no shrinking, no example database; a failure names the
operation and gives a curl line to reproduce it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

load_all_checks()

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Examples per operation and mode: about 60 operations, so ~400 requests in all.
EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 3}


def _run(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> None:
    @hypothesis_settings(
        max_examples=EXAMPLES[mode],
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: report the first case
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode))
    def check(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    check()


@pytest.fixture
def contract(world, settings) -> Iterator[tuple[Any, dict[str, str]]]:
    settings.ALLOWED_HOSTS = ["*"]  # the WSGI client's host is "localhost"
    headers = {"Authorization": f"Bearer {world.token('coordinator_x')}"}
    # As Django's test client does: the handler would otherwise close the connection at
    # the end of each request, and with it the test's transaction (PostgreSQL).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        app = get_wsgi_application()
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), headers
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_given_generated_requests_to_every_operation_then_no_5xx_and_the_contract_holds(
    contract,
):
    schema, headers = contract
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # a broken operation definition raises here
        operations += 1
        for mode in EXAMPLES:
            try:
                _run(operation, mode, headers)
            except Unsatisfiable:
                pass  # nothing can be invalid about it (a free-text path segment)
            except Exception as exc:  # every operation's failures, not only the first
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert operations > 50, operations
    assert not failures, "\n\n".join(failures)

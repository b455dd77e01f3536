"""The allocation endpoints keep the OpenAPI contract (the harness of
tests/api/test_schemathesis.py, run on these operations only, with more examples): no 5xx,
no undocumented status, bodies as declared."""

from __future__ import annotations

from hypothesis.errors import Unsatisfiable

from tests.api.test_schemathesis import EXAMPLES, _run, contract  # noqa: F401  (fixture)


def test_given_generated_requests_to_the_allocation_operations_then_the_contract_holds(
    contract,  # noqa: F811
):
    schema, headers = contract
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if "/emergency/allocations" not in operation.path:
            continue
        operations += 1
        for mode in EXAMPLES:
            try:
                _run(operation, mode, headers)
            except Unsatisfiable:
                pass
            except Exception as exc:
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert operations == 4, operations
    assert not failures, "\n\n".join(failures)

"""The OpenAPI document is true: one schema per name, every operation lists the errors it
can answer with the bodies actually sent, file routes answer errors as JSON and declare
their binary bodies."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pydantic import BaseModel

import anjian.api
from tests.api.conftest import ApiClient, fields

ERROR_BODIES = {
    "#/components/schemas/ErrorOut",
    "#/components/schemas/ValidationErrorOut",
    "#/components/schemas/RowErrorsOut",
    "#/components/schemas/ReasonedErrorOut",
}


@pytest.fixture
def doc(db):
    return ApiClient().get("/openapi.json").json()


def _operations(doc):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_given_the_api_modules_then_no_two_schemas_share_a_name():
    # ninja names components by class name: a second class of the same name silently
    # replaces the first in the document (the credit file was shown with the reports'
    # figures).
    seen: dict[str, str] = {}
    clashes = []
    for info in pkgutil.iter_modules(anjian.api.__path__):
        module = importlib.import_module(f"anjian.api.{info.name}")
        for name, obj in vars(module).items():
            if not (inspect.isclass(obj) and issubclass(obj, BaseModel)):
                continue
            if obj.__module__ != module.__name__:
                continue
            where = f"{obj.__module__}.{name}"
            if obj.__name__ in seen and seen[obj.__name__] != where:
                clashes.append((seen[obj.__name__], where))
            seen.setdefault(obj.__name__, where)
    assert not clashes


def test_given_the_credit_file_then_it_is_documented_with_its_own_figures(doc):
    schemas = doc["components"]["schemas"]
    file_ref = doc["paths"]["/api/v1/enterprises/{enterprise_id}/credit"]["get"]["responses"][
        "200"
    ]["content"]["application/json"]["schema"]["$ref"]
    credit_file = schemas[file_ref.rsplit("/", 1)[1]]
    figures = schemas[credit_file["properties"]["figures"]["$ref"].rsplit("/", 1)[1]]
    assert "with_deadline" in figures["properties"]
    report_ref = doc["paths"]["/api/v1/reports/hazard-figures"]["get"]["responses"]["200"][
        "content"
    ]["application/json"]["schema"]["$ref"]
    assert "groups" in schemas[report_ref.rsplit("/", 1)[1]]["properties"]


def test_given_every_operation_then_it_documents_the_errors_it_can_answer(doc):
    missing = []
    for path, method, operation in _operations(doc):
        responses = set(operation["responses"])
        params = operation.get("parameters") or []
        body = operation.get("requestBody")
        expected = set()
        if operation.get("security"):
            expected.add("401")
            if method != "get":
                expected.add("403")  # a session write without its CSRF token
        if any(p["in"] == "path" for p in params):
            expected |= {"404", "422"}
        if params or body:
            expected.add("422")
        if body and "application/json" in body["content"]:
            expected.add("400")
        if expected - responses:
            missing.append((method, path, sorted(expected - responses)))
    assert not missing


def test_given_every_error_response_then_its_body_is_the_projects_error_schema(doc):
    for path, method, operation in _operations(doc):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            schema = response["content"]["application/json"]["schema"]
            assert schema["$ref"] in ERROR_BODIES, (method, path, status)


def test_given_the_import_errors_then_row_and_column_are_optional_extras(doc):
    # A request that fails ninja's own parsing answers {"field", "message"} only; the
    # file's problems add row and column. One schema covers both.
    row_error = doc["components"]["schemas"]["RowError"]
    assert sorted(row_error["required"]) == ["field", "message"]
    for path in (
        "/api/v1/hazard-ledger/import",
        "/api/v1/enterprises/{enterprise_id}/risks/import",
    ):
        ref = doc["paths"][path]["post"]["responses"]["422"]["content"]["application/json"]
        assert ref["schema"]["$ref"] == "#/components/schemas/RowErrorsOut"


def test_given_a_refused_import_file_then_the_body_matches_the_declared_row_errors(world, api):
    client = api("safety_a")
    bad = SimpleUploadedFile("ledger.xlsx", b"not a workbook", content_type="application/zip")
    response = client.client.post(
        "/api/v1/hazard-ledger/import", {"file": bad}, headers=client.headers
    )
    assert response.status_code == 422
    for item in response.json()["detail"]:
        assert set(item) == {"row", "column", "field", "message"}
        assert isinstance(item["field"], str) and item["message"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/hazards/abc/notices/rectification.docx", 422),
        ("/hazards/-1/notices/listing.docx", 404),
        ("/hazards/0/notices/rectification.docx", 404),
        ("/hazards/99999999999999999999999/notices/rectification.docx", 404),
        ("/hazards/987654/notices/rectification.docx", 404),
        ("/no/such/route", 404),
        ("/hazards/1/notices/unknown.docx", 404),
    ],
)
def test_given_a_bad_file_route_then_the_error_is_json(world, api, path, status):
    client = api("coordinator_x")
    response = client.client.get("/api/v1" + path, headers=client.headers)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    if status == 422:
        assert set(fields(response)) == {"hazard_id"}


def test_given_the_file_routes_then_the_binary_bodies_are_declared(doc):
    binary = {"type": "string", "format": "binary"}
    for path, _method, operation in _operations(doc):
        if not path.endswith((".docx", ".xlsx")):
            continue
        content = operation["responses"]["200"]["content"]
        assert content, path
        for media_type, body in content.items():
            assert media_type.startswith("application/vnd.openxmlformats"), path
            assert body["schema"] == binary, path


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_given_a_path_no_route_matches_then_json_404_for_every_method(db, method):
    from django.test import Client

    # enforce_csrf_checks: a browser-less client without a CSRF cookie, as curl would be.
    client = Client(enforce_csrf_checks=True)
    if method == "get":
        response = client.get("/api/v1/enterprises/")
    else:
        response = getattr(client, method)(
            "/api/v1/enterprises/", data="{}", content_type="application/json"
        )
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_given_the_photo_route_then_its_body_is_declared_binary(doc):
    ok = doc["paths"]["/api/v1/hazards/{hazard_id}/photos/{photo_id}"]["get"]["responses"]["200"]
    assert all(c["schema"]["format"] == "binary" for c in ok["content"].values())

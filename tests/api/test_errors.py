"""Bad input of every kind answers 4xx with a message, never 500; the OpenAPI document."""

from __future__ import annotations

import pytest

from anjian.core.models import AuditEntry
from anjian.registry.models import Enterprise
from tests.api.conftest import ApiClient, fields
from tests.api.test_enterprise_write import new_enterprise


@pytest.fixture
def client(world, api) -> ApiClient:
    return api("coordinator_x")


@pytest.mark.parametrize(
    "raw",
    [
        "{bad json",
        '{"employees": 5,}',
        "",  # an empty body: nothing to parse
        '{"employees": NaN}',  # Python's json would take these; JSON does not
        '{"longitude": Infinity}',
        '{"employees": 1e999}',
        b"\xff\xfe\x00",  # not UTF-8
    ],
)
def test_given_a_malformed_body_when_patching_then_400_or_422_with_a_message(world, client, raw):
    response = client.patch(f"/enterprises/{world.build_b.pk}", raw=raw)
    assert response.status_code in (400, 422), response.content
    assert response.json()["detail"]
    world.build_b.refresh_from_db()
    assert world.build_b.version == 1


@pytest.mark.parametrize("raw", ["[1, 2]", '"text"', "null", "42"])
def test_given_json_that_is_not_an_object_when_posting_then_422(world, client, raw):
    response = client.post("/enterprises", raw=raw)
    assert response.status_code == 422
    assert set(fields(response)) == {"__all__"}


def test_given_a_form_encoded_body_when_posting_then_400(world, client):
    response = client.client.post("/api/v1/enterprises", {"name": "x"}, headers=client.headers)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"division_id": "abc"}, "division_id"),
        ({"industry_id": [1]}, "industry_id"),
        ({"employees": "many"}, "employees"),
        ({"employees": -3}, "employees"),
        ({"has_major_hazard": "yes"}, "has_major_hazard"),
        ({"longitude": "east"}, "longitude"),
        ({"longitude": 10}, "longitude"),
        ({"scale": 3}, "scale"),
        ({"status": None}, "status"),
        ({"name": ""}, "name"),
        ({"name": "长" * 129}, "name"),
        ({"uscc": 12345}, "uscc"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_given_a_wrong_value_when_patching_then_422_names_the_field(world, client, change, field):
    response = client.patch(f"/enterprises/{world.build_b.pk}", change)
    assert response.status_code == 422, response.content
    assert set(fields(response)) == {field}


@pytest.mark.parametrize(
    "body",
    [
        {"employees": 10**30},  # beyond any integer column
        {"employees": 10**300},
        {"longitude": "NaN"},  # a decimal NaN breaks range comparisons
    ],
)
def test_given_an_unstorable_value_when_writing_then_4xx_and_nothing_written(world, client, body):
    before = (Enterprise.objects.count(), AuditEntry.objects.count())
    response = client.patch(f"/enterprises/{world.build_b.pk}", body)
    assert 400 <= response.status_code < 500, response.content
    world.build_b.refresh_from_db()
    assert world.build_b.version == 1
    created = client.post("/enterprises", new_enterprise(world, **body))
    assert 400 <= created.status_code < 500, created.content
    assert (Enterprise.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize(
    "body", [{"employees": 2**31}, {"name": "东县\x00化工"}, {"principal": "\x00"}]
)
def test_given_a_value_postgresql_cannot_hold_when_writing_then_422_on_every_database(
    world, client, body
):
    response = client.patch(f"/enterprises/{world.build_b.pk}", body)
    assert response.status_code == 422, response.content
    world.build_b.refresh_from_db()
    assert world.build_b.version == 1


@pytest.mark.parametrize(
    "path",
    [
        "/enterprises/abc",
        "/enterprises/1.5",
        "/divisions/abc",
        "/departments/abc",
        "/enterprises?division=abc",
        "/enterprises?offset=abc",
        "/enterprises?department=99999999999999999999999",
        "/enterprises?industry=99999999999999999999999",
        "/enterprises?offset=99999999999999999999999",
        "/divisions?parent=-1",
        "/divisions?level=planet",
        "/departments?kind=army",
        "/enterprises?q=%00",
        "/enterprises?q=" + "x" * 101,
    ],
)
def test_given_a_bad_path_or_query_when_reading_then_422_with_field(world, client, path):
    response = client.client.get("/api/v1" + path, headers=client.headers)
    assert response.status_code == 422, response.content
    for error in response.json()["detail"]:
        assert error["field"] != "__all__"
        assert error["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/enterprises/99999999999999999999999",
        "/enterprises/0",
        "/enterprises/-1",
        "/divisions/99999999999999999999999",
        "/departments/99999999999999999999999",
    ],
)
def test_given_an_impossible_id_in_the_path_then_404(world, client, path):
    response = client.client.get("/api/v1" + path, headers=client.headers)
    assert response.status_code == 404
    assert response.json()["detail"]


def test_given_the_largest_offset_when_listing_then_an_empty_page(world, client):
    response = client.get("/enterprises", offset=2**63 - 1)
    assert response.json() == {"count": 3, "items": []}


def test_given_chinese_text_then_the_body_is_utf8_not_escaped(world, client):
    response = client.patch(f"/enterprises/{world.build_b.pk}", {"uscc": "9133"})
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "统一社会信用代码".encode() in response.content
    assert b"\\u" not in response.content


# --- the OpenAPI document -------------------------------------------------------------------


def test_given_anyone_when_fetching_the_openapi_document_then_it_lists_the_api(world):
    response = ApiClient().get("/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    assert set(paths["/api/v1/enterprises"]) == {"get", "post"}
    assert set(paths["/api/v1/enterprises/{enterprise_id}"]) == {"get", "patch"}
    for path in (
        "/api/v1/divisions",
        "/api/v1/divisions/{division_id}",
        "/api/v1/departments",
        "/api/v1/departments/{department_id}",
        "/api/v1/industries",
        "/api/v1/me",
    ):
        assert "get" in paths[path], path
    schemes = doc["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_given_the_openapi_document_then_the_write_body_documents_the_service_fields(world):
    doc = ApiClient().get("/openapi.json").json()
    body = doc["components"]["schemas"]["EnterpriseCreateIn"]
    assert body["properties"]["division_id"]["type"] == "integer"
    assert "uscc" in body["required"]
    assert body["additionalProperties"] is False
    patch = doc["components"]["schemas"]["EnterprisePatchIn"]
    assert "version" in patch["properties"]
    assert "required" not in patch
    params = {p["name"] for p in doc["paths"]["/api/v1/enterprises"]["get"]["parameters"]}
    assert params == {
        "q",
        "division",
        "industry",
        "department",
        "flag",
        "status",
        "limit",
        "offset",
    }


def test_given_a_browser_when_opening_the_docs_then_a_page(world):
    response = ApiClient().client.get("/api/v1/docs")
    assert response.status_code == 200

"""The hazard files over the API: notices, ledger export, import and its template; per
persona, with the refusals."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from anjian.core.models import AuditEntry
from anjian.hazards import documents, importer, ledger_excel
from anjian.hazards.models import Hazard
from tests.hazards.helpers import bring, report
from tests.hazards.test_import import everything, good_rows, row, xlsx

from .conftest import BASE


def docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    return "\n".join(p.text for p in doc.paragraphs)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("safety_a", 200), ("grid_x1", 200), ("principal_c", 404), ("coordinator_y", 404)],
)
def test_given_each_persona_when_getting_the_rectification_notice_then_scope_decides(
    world, api, persona, status
):
    hazard = report(world)
    response = api(persona).get(f"/hazards/{hazard.pk}/notices/rectification.docx")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == documents.CONTENT_TYPE
        assert "隐患整改通知单" in docx_text(response.content)  # self-found: internal
        assert AuditEntry.objects.filter(action="hazard_notice").count() == 1
    else:
        assert AuditEntry.objects.filter(action="hazard_notice").count() == 0


def test_given_a_listed_hazard_then_the_listing_notice_and_unlisted_409(world, api):
    listed = bring(world, "major_listed")
    plain = report(world)
    client = api("coordinator_x")
    ok = client.get(f"/hazards/{listed.pk}/notices/listing.docx")
    assert ok.status_code == 200
    assert "重大事故隐患挂牌督办通知书" in docx_text(ok.content)
    refused = client.get(f"/hazards/{plain.pk}/notices/listing.docx")
    assert refused.status_code == 409
    assert plain.number in refused.json()["detail"]


def test_given_no_token_then_401(world, client):
    hazard = report(world)
    response = client.get(f"{BASE}/hazards/{hazard.pk}/notices/rectification.docx")
    assert response.status_code == 401


def test_given_filters_when_exporting_then_only_matching_rows_in_scope(world, api):
    a = report(world)
    major = report(world, major_item="hc2017-12")
    report(world, enterprise=world.chem_c, who="principal_c")
    response = api("coordinator_x").get("/hazard-ledger/export.xlsx", level="major")
    assert response.status_code == 200
    assert response["Content-Type"] == ledger_excel.CONTENT_TYPE
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    numbers = [r[1].value for r in book[ledger_excel.SHEET_NAME].iter_rows(min_row=4)]
    assert numbers == [major.number]
    everything_x = api("coordinator_x").get("/hazard-ledger/export.xlsx")
    book = load_workbook(io.BytesIO(b"".join(everything_x.streaming_content)))
    numbers = {r[1].value for r in book[ledger_excel.SHEET_NAME].iter_rows(min_row=4)}
    assert numbers == {a.number, major.number}


def test_given_a_bad_filter_when_exporting_then_422_naming_it(world, api):
    response = api("coordinator_x").get("/hazard-ledger/export.xlsx", level="huge")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "level"


def test_given_too_many_rows_when_exporting_then_422(world, api, settings):
    settings.ANJIAN_HAZARD_EXPORT_MAX_ROWS = 1
    report(world)
    report(world)
    response = api("coordinator_x").get("/hazard-ledger/export.xlsx")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "__all__"
    assert not AuditEntry.objects.filter(action="hazard_ledger_export").exists()


def test_given_a_token_of_a_user_without_role_when_exporting_then_403(world, api):
    assert api("outsider").get("/hazard-ledger/export.xlsx").status_code == 403


def test_given_a_good_file_when_imported_over_the_api_then_created(world, api):
    client = api("coordinator_x")
    upload = io.BytesIO(xlsx(good_rows(world)))
    upload.name = "台账.xlsx"
    response = client.client.post(
        BASE + "/hazard-ledger/import", {"file": upload}, headers=client.headers
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["created"] == 5 and body["filename"] == "台账.xlsx"
    assert {h["legacy_number"] for h in body["hazards"]} == {
        "HD-001",
        "HD-002",
        "HD-003",
        "",
        "HD-005",
    }
    assert Hazard.objects.count() == 5


def test_given_a_bad_file_when_imported_over_the_api_then_422_with_rows_and_columns(world, api):
    client = api("coordinator_x")
    upload = io.BytesIO(xlsx([row(world), row(world, legacy_number="X", handling="改天")]))
    upload.name = "台账.xlsx"
    before = everything()
    response = client.client.post(
        BASE + "/hazard-ledger/import", {"file": upload}, headers=client.headers
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "row": 3,
            "column": "H",
            "field": "治理类型",
            "message": "第3行 H列（治理类型）：应为 立即整改/限期整改 之一，实际为“改天”",
        }
    ]
    assert everything() == before


def test_given_no_file_then_422(world, api):
    client = api("safety_a")
    response = client.client.post(BASE + "/hazard-ledger/import", {}, headers=client.headers)
    assert response.status_code == 422


@pytest.mark.parametrize("persona", ["employee_a", "platform_admin"])
def test_given_a_user_who_may_not_import_then_403(world, api, persona):
    client = api(persona)
    upload = io.BytesIO(xlsx([row(world)]))
    upload.name = "台账.xlsx"
    response = client.client.post(
        BASE + "/hazard-ledger/import", {"file": upload}, headers=client.headers
    )
    assert response.status_code == 403
    assert client.get("/hazard-ledger/import-template.xlsx").status_code == 403
    assert Hazard.objects.count() == 0


def test_given_an_importer_then_the_template(world, api):
    response = api("safety_a").get("/hazard-ledger/import-template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert tuple(c.value for c in book[importer.SHEET_NAME][1]) == importer.HEADERS

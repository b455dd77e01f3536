"""Excel import of resources: the templates read back, a good file writes every row (with
audit entries), a bad file lists every problem by row and column and writes nothing; the
upload page and the template download."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from anjian.core import sheets
from anjian.core.errors import Forbidden
from anjian.core.models import AuditEntry
from anjian.emergency import resource_importer as importer
from anjian.emergency.models import Expert, RescueTeam, Shelter, Supply, Warehouse
from tests.emergency.test_resource_support import act, government_warehouse, kind
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def xlsx(kind_name: str, rows: list[tuple]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = importer.SHEET_NAMES[kind_name]
    sheet.append([c.header for c in importer.columns(kind_name)])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


TEAM = (
    "危化救援队",
    "专业救援队伍",
    "危险化学品、消防灭火",
    20,
    "王强",
    "0571-1",
    "泡沫车",
    5,
    "",
    30.2,
    120.1,
    "",
)


@pytest.mark.parametrize("kind_name", importer.KINDS)
def test_given_each_template_when_its_example_rows_are_imported_then_they_pass(world, kind_name):
    kind()  # the catalogue
    data = importer.build_template(kind_name)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == importer.SHEET_NAMES[kind_name]
    assert [c.value for c in book.worksheets[0][1]] == [
        c.header for c in importer.columns(kind_name)
    ]
    result = importer.import_resources(
        actor=act(world, "coordinator_x"),
        kind=kind_name,
        source=xlsx(kind_name, importer.EXAMPLES[kind_name]),
    )
    assert result.created >= 1


def test_given_a_good_team_file_when_imported_by_the_enterprise_then_kept_by_it(world):
    result = importer.import_resources(
        actor=act(world, "safety_a"),
        kind="teams",
        source=xlsx(
            "teams",
            [TEAM, ("第二队", "企业救援队伍", "", "", "", "0571-2", "", "", "", "", "", "")],
        ),
    )
    assert result.created == 2
    teams = list(RescueTeam.objects.order_by("pk"))
    assert {t.enterprise_id for t in teams} == {world.chem_a.pk}
    assert teams[0].specialities == ["chemical", "fire"]
    assert (
        AuditEntry.objects.filter(object_type="emergency.rescueteam", action="create").count() == 2
    )


def test_given_a_bad_team_file_then_every_error_by_row_and_column_and_nothing_written(world):
    bad = [
        TEAM,
        ("", "军队", "飞行", -1, "", "", "", "x", "", 91, 200, ""),
        ("第三队", "专业救援队伍", "", "", "", "0571-3", "", "", "", "", "", "999999"),
    ]
    with pytest.raises(sheets.ImportRejected) as exc:
        importer.import_resources(
            actor=act(world, "coordinator_x"), kind="teams", source=xlsx("teams", bad)
        )
    found = {(e.row, e.column) for e in exc.value.errors}
    # Row 3: name, type, speciality, members, duty phone, readiness, latitude, longitude;
    # row 4: an unknown division code. Row 2 is good but is not written either.
    assert found == {
        (3, "A"),
        (3, "B"),
        (3, "C"),
        (3, "D"),
        (3, "F"),
        (3, "H"),
        (3, "J"),
        (3, "K"),
        (4, "L"),
    }
    assert all(e.message.startswith(f"第{e.row}行") for e in exc.value.errors)
    assert not RescueTeam.objects.exists()
    assert not AuditEntry.objects.filter(object_type="emergency.rescueteam").exists()


def test_given_a_division_of_another_county_then_refused_at_its_cell(world):
    row = (*TEAM[:-1], world.county_y.code)
    with pytest.raises(sheets.ImportRejected) as exc:
        importer.import_resources(
            actor=act(world, "coordinator_x"), kind="teams", source=xlsx("teams", [row])
        )
    assert [(e.row, e.column) for e in exc.value.errors] == [(2, "L")]
    assert not RescueTeam.objects.exists()


def test_given_warehouses_and_supplies_then_grouped_by_warehouse_and_an_existing_one_filled(world):
    kind()
    existing = government_warehouse(world, "老库")
    rows = [
        (
            "新库",
            "仓储路1号",
            30.2,
            120.1,
            "赵敏",
            "0571",
            "正压式空气呼吸器",
            20,
            10,
            "2028-12-31",
            "完好",
            "B1",
            "",
        ),
        ("新库", "", "", "", "", "", "E04-03", 500, 1000, "", "", "", ""),
        ("老库", "", "", "", "", "", "急救箱", 5, 2, "", "维修中", "", ""),
    ]
    result = importer.import_resources(
        actor=act(world, "coordinator_x"), kind="warehouses", source=xlsx("warehouses", rows)
    )
    assert (result.created, result.supplies) == (1, 3)
    new = Warehouse.objects.get(name="新库")
    assert new.supplies.count() == 2 and new.keeper == "赵敏"
    assert existing.supplies.get().state == "maintenance"


def test_given_bad_supply_rows_then_every_error_and_nothing_written(world):
    kind()
    rows = [
        ("新库", "", "", "", "", "", "正压式空气呼吸器", 20, "", "", "", "", ""),
        ("新库", "", "", "", "", "", "不存在的物资", 1, "", "", "", "", ""),
        ("新库", "", "", "", "", "", "沙袋", "", "", "31/12/2027", "坏了", "", ""),
    ]
    with pytest.raises(sheets.ImportRejected) as exc:
        importer.import_resources(
            actor=act(world, "coordinator_x"), kind="warehouses", source=xlsx("warehouses", rows)
        )
    found = {(e.row, e.column) for e in exc.value.errors}
    assert found == {(3, "G"), (4, "H"), (4, "J"), (4, "K")}
    assert not Warehouse.objects.exists() and not Supply.objects.exists()


def test_given_experts_and_shelters_then_imported(world):
    importer.import_resources(
        actor=act(world, "coordinator_x"),
        kind="experts",
        source=xlsx("experts", importer.EXAMPLES["experts"]),
    )
    importer.import_resources(
        actor=act(world, "coordinator_x"),
        kind="shelters",
        source=xlsx("shelters", importer.EXAMPLES["shelters"]),
    )
    assert Expert.objects.get().specialities == ["chemical"]
    assert Shelter.objects.get().capacity == 3000


def test_given_wrong_headers_or_not_xlsx_then_refused(world):
    with pytest.raises(sheets.ImportRejected):
        importer.import_resources(
            actor=act(world, "coordinator_x"), kind="teams", source=xlsx("experts", [("a",)])
        )
    with pytest.raises(sheets.ImportRejected):
        importer.import_resources(
            actor=act(world, "coordinator_x"), kind="teams", source=b"not a workbook"
        )


@pytest.mark.parametrize("persona", ["employee_a", "grid_x1", "outsider"])
def test_given_a_non_keeper_then_forbidden_before_reading(world, persona):
    with pytest.raises(Forbidden):
        importer.import_resources(actor=act(world, persona), kind="teams", source=b"")


def login(world, name):
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


def test_given_the_import_page_when_a_bad_file_is_uploaded_then_422_with_the_errors(world):
    client = login(world, "coordinator_x")
    url = reverse("emergency:resources-import")
    assert client.get(url + "?kind=experts").status_code == 200
    upload = io.BytesIO(xlsx("experts", [("", "", "", "", "", "", "", "", "")]))
    upload.name = "bad.xlsx"
    response = client.post(url, {"kind": "experts", "file": upload})
    assert response.status_code == 422
    assert b'id="import-errors"' in response.content
    upload = io.BytesIO(xlsx("experts", importer.EXAMPLES["experts"]))
    upload.name = "good.xlsx"
    response = client.post(url, {"kind": "experts", "file": upload})
    assert response.status_code == 200 and b'id="import-result"' in response.content
    assert Expert.objects.count() == 1


def test_given_the_template_link_then_an_xlsx_and_non_keepers_get_403(world):
    client = login(world, "principal_a")
    response = client.get(reverse("emergency:resources-import-template", args=["warehouses"]))
    assert response.status_code == 200
    assert response["Content-Type"] == importer.CONTENT_TYPE
    assert login(world, "employee_a").get(reverse("emergency:resources-import")).status_code == 403

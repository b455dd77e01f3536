"""Excel import of workers, trainings and certificates: a good file writes every row; a
bad file lists every problem by row and column and writes nothing; the template reads
back; only the keepers import; the upload page."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from anjian.core import sheets
from anjian.core.audit import Actor
from anjian.core.errors import Forbidden
from anjian.people import training_importer as importer
from anjian.people.models import Certificate, TrainingRecord, Worker
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

ID_A = "330101198506151231"
ID_B = "33010119850615124X"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def xlsx(kind: str, rows: list[tuple]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = importer.SHEET_NAMES[kind]
    sheet.append([c.header for c in importer.columns(kind)])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(world, kind, rows, who="safety_a"):
    return importer.import_people(
        actor=Actor.for_user(world.user(who), "test"), kind=kind, source=xlsx(kind, rows)
    )


def test_given_good_files_then_workers_trainings_and_certificates_are_written(world):
    assert (
        run(
            world, "workers", [("王五", ID_A, "电工", "", "2025-03-01"), ("李六", "", "", "", "")]
        ).created
        == 2
    )
    assert (
        run(
            world,
            "trainings",
            [
                (ID_A, "三级安全教育（公司级）", "公司级", 24, "2025-03-02", "", ""),
                ("李六", "年度再培训", "年度", 8, "2025-04-01", "", "否"),
            ],
        ).created
        == 2
    )
    assert (
        run(
            world,
            "certificates",
            [
                (
                    ID_A,
                    "特种作业操作证",
                    "电工作业",
                    "低压电工作业",
                    ID_A,
                    "东县应急管理局",
                    "2024-03-01",
                    "",
                    "",
                    "",
                    "",
                )
            ],
        ).created
        == 1
    )
    assert Worker.objects.filter(enterprise=world.chem_a).count() == 2
    assert TrainingRecord.objects.get(worker__name="李六").passed is False
    assert Certificate.objects.get().review_due.isoformat() == "2027-02-28"


def test_given_a_bad_file_then_every_problem_by_row_and_column_and_nothing_written(world):
    with pytest.raises(sheets.ImportRejected) as exc:
        run(
            world,
            "workers",
            [
                ("王五", ID_A, "", "", ""),
                ("", "330101198506151232", "", "", "2025-13-01"),
                ("赵七", ID_A, "", "", ""),
            ],
        )
    where = {(e.row, e.column) for e in exc.value.errors}
    assert {(3, "A"), (3, "B"), (3, "E"), (4, "B")} <= where
    assert Worker.objects.count() == 0
    run(world, "workers", [("王五", ID_A, "", "", "")])
    with pytest.raises(sheets.ImportRejected) as exc:
        run(
            world,
            "certificates",
            [
                (
                    ID_A,
                    "特种作业操作证",
                    "电工作业",
                    "低压电工作业",
                    ID_A,
                    "",
                    "2024-03-01",
                    "",
                    "",
                    "",
                    "",
                ),
                (
                    ID_B,
                    "特种作业操作证",
                    "电工作业",
                    "低压电工作业",
                    ID_B,
                    "",
                    "2024-03-01",
                    "",
                    "",
                    "",
                    "",
                ),
                (ID_A, "驾驶证", "", "", "X", "", "2024-03-01", "", "", "", "也许"),
            ],
        )
    where = {(e.row, e.column) for e in exc.value.errors}
    assert {(3, "A"), (4, "B"), (4, "K")} <= where
    assert Certificate.objects.count() == 0  # the good first row rolled back too


def test_given_no_keeper_then_forbidden_and_the_template_reads_back(world):
    with pytest.raises(Forbidden):
        run(world, "workers", [("王五", "", "", "", "")], who="coordinator_x")
    for kind in importer.KINDS:
        book = load_workbook(io.BytesIO(importer.build_template(kind)))
        headers = [c.value for c in book[importer.SHEET_NAMES[kind]][1]]
        assert headers == [c.header for c in importer.columns(kind)]


def test_given_the_upload_page_then_a_bad_file_is_422_and_a_good_one_imported(world):
    client = Client()
    assert client.login(username="safety_a", password=PASSWORD)
    url = reverse("people:import")
    assert client.get(url).status_code == 200
    bad = io.BytesIO(xlsx("workers", [("", "1", "", "", "")]))
    bad.name = "bad.xlsx"
    assert client.post(url, {"kind": "workers", "file": bad}).status_code == 422
    good = io.BytesIO(xlsx("workers", [("王五", ID_A, "", "", "")]))
    good.name = "good.xlsx"
    response = client.post(url, {"kind": "workers", "file": good})
    assert response.status_code == 200 and Worker.objects.filter(name="王五").exists()
    template = client.get(reverse("people:import-template", args=["certificates"]))
    assert template.status_code == 200 and template["Content-Type"] == importer.CONTENT_TYPE
    other = Client()
    assert other.login(username="coordinator_x", password=PASSWORD)
    assert other.get(url).status_code == 403


def test_given_the_api_when_files_are_posted_then_all_or_nothing_with_row_errors(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.api.conftest import ApiClient

    keeper = ApiClient(world.token("safety_a"))
    url = "/api/v1/people/import/workers"

    def post(client, rows, kind="workers"):
        upload = SimpleUploadedFile(
            "workers.xlsx", xlsx(kind, rows), content_type=importer.CONTENT_TYPE
        )
        return client.client.post(
            f"/api/v1/people/import/{kind}", {"file": upload}, headers=client.headers
        )

    missing = keeper.client.post(url, {}, headers=keeper.headers)
    assert missing.status_code == 422 and missing.json()["detail"][0]["message"]
    bad = post(keeper, [("王五", ID_A, "电工", "", "2025-03-01"), ("", "123", "", "", "x")])
    assert bad.status_code == 422
    cells = {(e["row"], e["column"]) for e in bad.json()["detail"]}
    assert {r for r, _c in cells} == {3} and len(cells) >= 3  # name, id number, date
    assert Worker.objects.count() == 0
    good = post(keeper, [("王五", ID_A, "电工", "", "2025-03-01")])
    assert good.status_code == 200 and good.json() == {"kind": "workers", "created": 1}
    assert post(ApiClient(world.token("employee_a")), [("李六", "", "", "", "")]).status_code == 403
    assert (
        keeper.client.post("/api/v1/people/import/pets", {}, headers=keeper.headers).status_code
        == 404
    )
    template = keeper.client.get(url + "/template", headers=keeper.headers)
    assert template.status_code == 200
    assert (
        load_workbook(io.BytesIO(template.content)).sheetnames[0] == importer.SHEET_NAMES["workers"]
    )

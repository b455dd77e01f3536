"""The Excel import of points and set-points: the template round trip, all rows or none
with every problem by row and column, no double import, scope and roles, the page for the
enterprise's safety officer and the command line."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from anjian.core.audit import Actor
from anjian.core.errors import Forbidden, NotFound
from anjian.core.models import AuditEntry
from anjian.monitoring import importer
from anjian.monitoring.models import Gateway, Point, SealWindow, SetPoint
from tests.world import PASSWORD

HEADERS = [c.header for c in importer.COLUMNS]


def row(**cells) -> list:
    values = dict.fromkeys((c.key for c in importer.COLUMNS), None)
    values.update(cells)
    return [values[c.key] for c in importer.COLUMNS]


def gas(code="GT-1", sp="高限", value=25, level="橙", **extra) -> list:
    base = {
        "gateway": "GW-A",
        "gateway_name": "储罐区网关",
        "code": code,
        "name": "可燃气体探测器",
        "kind": "可燃气体",
        "range_low": 0,
        "range_high": 100,
        "sampling": 5,
        "setpoint": sp,
        "value": value,
        "level": level,
        "hysteresis": 2,
    }
    base.update(extra)
    return row(**base)


GOOD = [
    gas(),
    gas(sp="高高限", value=50, level="红"),
    row(gateway="GW-A", code="SL-1", name="库房门禁", kind="门禁/封条", seal_windows="08:00-08:30、14:00-14:30"),
    row(gateway="GW-A", code="CH4-1", name="甲烷T1", kind="甲烷", range_low=0, range_high=4,
        setpoint="断电", value=1.5, level="红", clear_value=1.0, cut_equipment="工作面电气设备"),
    row(gateway="GW-A", code="LT-1", name="液位", kind="液位", unit="m", range_low=0,
        range_high=12, setpoint="低限", value=1, level="黄", duration=30, window="22:00-06:00"),
]  # fmt: skip


def xlsx(rows: list[list], headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = importer.SHEET_NAME
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def counts() -> tuple[int, ...]:
    return (
        Gateway.objects.count(),
        Point.objects.count(),
        SetPoint.objects.count(),
        SealWindow.objects.count(),
    )


def run(world, data: bytes, user: str = "safety_a"):
    return importer.points_import(
        actor=Actor.for_user(world.user(user), "web"),
        enterprise_id=world.chem_a.pk,
        source=data,
        filename="points.xlsx",
    )


def test_given_the_template_then_its_headers_are_the_importers_and_it_has_a_chinese_help_sheet():
    book = load_workbook(io.BytesIO(importer.build_template()))
    assert book.sheetnames == [importer.SHEET_NAME, importer.HELP_SHEET_NAME]
    assert [c.value for c in book[importer.SHEET_NAME][1]] == HEADERS
    help_text = " ".join(
        str(c) for r in book[importer.HELP_SHEET_NAME].iter_rows(values_only=True) for c in r if c
    )
    assert "GB/T 50493-2019" in help_text and "25%LEL" in help_text


def test_given_the_templates_example_rows_when_imported_then_they_are_accepted(world):
    book = load_workbook(io.BytesIO(importer.build_template()))
    lines = list(book[importer.HELP_SHEET_NAME].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(lines) if list(r[: len(HEADERS)]) == HEADERS) + 1
    example = [list(r[: len(HEADERS)]) for r in lines[start:] if any(r)]
    result = run(world, xlsx(example))
    assert (result.points, result.setpoints, result.seal_windows) == (3, 3, 1)
    assert {code for code, _t in result.tokens} == {"GW01", "KJ01"}


def test_given_a_good_file_when_imported_then_points_set_points_windows_and_a_new_gateway(world):
    result = run(world, xlsx(GOOD))
    assert (result.gateways, result.points, result.setpoints, result.seal_windows) == (1, 4, 4, 2)
    ((code, token),) = result.tokens
    gateway = Gateway.objects.get(code="GW-A")
    assert code == "GW-A" and gateway.enterprise == world.chem_a and gateway.name == "储罐区网关"
    assert gateway.token_hash == Gateway.hash_token(token)
    gt = Point.objects.get(code="GT-1")
    assert (gt.kind, gt.unit, gt.sampling_seconds) == ("combustible_gas", "%LEL", 5)
    assert dict(gt.setpoints.values_list("name", "level")) == {"high": "orange", "high_high": "red"}
    power_off = SetPoint.objects.get(point__code="CH4-1")
    assert (power_off.name, str(power_off.clear_value), power_off.cut_equipment) == (
        "power_off",
        "1.0000",
        "工作面电气设备",
    )
    low = SetPoint.objects.get(point__code="LT-1")
    assert (low.direction, low.min_duration_seconds, low.window_start.hour) == ("below", 30, 22)
    assert AuditEntry.objects.filter(action="import", object_id=str(world.chem_a.pk)).exists()


def test_given_bad_rows_when_imported_then_nothing_written_and_every_problem_by_row_and_column(
    world,
):
    before = counts()
    bad = [
        gas(kind="可燃气"),  # row 2: unknown kind (E)
        gas(code="GT-2", value="abc"),  # row 3: not a number (O)
        gas(code="GT-3", value=150),  # row 4: beyond the range (O)
        gas(code="GT-3", sp="高限", value=20),  # row 5: the same set-point twice (M)
        row(gateway="GW-A", code="SL-2", name="门", kind="门禁/封条", seal_windows="8点到9点"),
        gas(code="GT-4", name="另一个名字"),  # row 7
        gas(code="GT-4", name="又一个名字"),  # row 8: disagrees with row 7 (D)
        gas(code="GT-5", level="紫"),  # row 9: level (P)
        gas(code="GT-6", range_low=100, range_high=0, value=None, setpoint=None, level=None,
            hysteresis=None),  # row 10: range (H)
        row(gateway="GW A", code="X", name="x", kind="温度"),  # row 11: gateway code (A)
    ]  # fmt: skip
    with pytest.raises(importer.ImportRejected) as caught:
        run(world, xlsx(bad))
    assert counts() == before
    where = {(e.row, e.column) for e in caught.value.errors}
    assert {
        (2, "E"),
        (3, "O"),
        (4, "O"),
        (5, "M"),
        (6, "L"),
        (8, "D"),
        (9, "P"),
        (10, "H"),
    } <= where
    assert (11, "A") in where
    assert all(e.message.startswith(f"第{e.row}行 {e.column}列") for e in caught.value.errors)


def test_given_a_file_imported_once_when_imported_again_then_refused(world):
    run(world, xlsx(GOOD))
    before = counts()
    with pytest.raises(importer.ImportRejected) as caught:
        run(world, xlsx(GOOD))
    assert counts() == before
    assert {e.row for e in caught.value.errors} == {2, 4, 5, 6}
    assert "不能重复导入" in caught.value.errors[0].message


def test_given_another_enterprises_gateway_or_unknown_names_then_refused(world):
    other = Gateway(enterprise=world.chem_c, code="GW-C", name="c")
    other.set_token("gw_other")
    other.save()
    with pytest.raises(importer.ImportRejected) as caught:
        run(world, xlsx([gas(gateway="GW-C"), gas(code="GT-9", installation="无此危险源")]))
    messages = [e.message for e in caught.value.errors]
    assert any("属于其他企业" in m for m in messages)
    assert any("无此危险源" in m for m in messages)


def test_given_wrong_headers_or_not_xlsx_then_refused_with_the_file_problem(world):
    with pytest.raises(importer.ImportRejected) as caught:
        run(world, xlsx(GOOD, headers=["网关", *HEADERS[1:]]))
    assert (1, "A") in {(e.row, e.column) for e in caught.value.errors}
    with pytest.raises(importer.ImportRejected):
        run(world, b"not a workbook")


def test_given_roles_when_importing_then_only_the_enterprises_keepers_may(world):
    with pytest.raises(Forbidden):
        run(world, xlsx(GOOD), user="employee_a")
    with pytest.raises(NotFound):
        run(world, xlsx(GOOD), user="principal_c")
    assert run(world, xlsx(GOOD), user="principal_a").points == 4


def _client(world, user: str) -> Client:
    client = Client()
    assert client.login(username=user, password=PASSWORD)
    return client


def test_given_the_safety_officer_when_using_the_page_then_imports_or_lists_problems(world):
    client = _client(world, "safety_a")
    url = reverse("monitoring:points-import", kwargs={"pk": world.chem_a.pk})
    page = client.get(url)
    assert page.status_code == 200 and b'id="template-link"' in page.content
    template = client.get(reverse("monitoring:points-import-template"))
    assert template.status_code == 200 and template.content.startswith(b"PK")
    bad = client.post(url, {"file": io.BytesIO(xlsx([gas(kind="?")]))})
    assert bad.status_code == 422 and b'id="import-errors"' in bad.content
    good_file = io.BytesIO(xlsx(GOOD))
    good_file.name = "points.xlsx"
    good = client.post(url, {"file": good_file})
    assert good.status_code == 200 and b'id="gateway-tokens"' in good.content
    assert Point.objects.filter(enterprise=world.chem_a).count() == 4
    assert _client(world, "employee_a").get(url).status_code == 403
    assert _client(world, "principal_c").get(url).status_code == 404


def test_given_the_command_line_when_importing_then_json_result_or_errors(world, tmp_path, capsys):
    path = tmp_path / "points.xlsx"
    path.write_bytes(xlsx(GOOD))
    call_command("monitor_import", str(path), enterprise=world.chem_a.uscc, json=True)
    out = capsys.readouterr().out
    assert '"points": 4' in out and '"gateway": "GW-A"' in out
    with pytest.raises(CommandError):
        call_command("monitor_import", str(path), enterprise=world.chem_a.uscc, json=True)
    assert '"errors"' in capsys.readouterr().out
    template = tmp_path / "template.xlsx"
    call_command("monitor_import", template=str(template))
    assert load_workbook(template).sheetnames[0] == importer.SHEET_NAME

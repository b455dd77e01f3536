"""The ledger export: layout, values and types read back with openpyxl; bounded queries;
the page per persona and its filters."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from anjian.core.models import AuditEntry
from anjian.hazards import ledger_excel
from anjian.hazards.models import Hazard
from tests.world import PASSWORD

from .helpers import bring, report

EXPECTED_HEADERS = (
    "序号",
    "隐患编号",
    "企业名称",
    "统一社会信用代码",
    "所属区域",
    "隐患来源",
    "隐患类型",
    "隐患类别",
    "隐患等级",
    "治理类型",
    "隐患描述",
    "隐患原因",
    "隐患位置",
    "发现日期",
    "整改责任人",
    "整改措施",
    "整改资金(元)",
    "整改期限",
    "应急预案",
    "隐患状态",
    "国标状态代码",
    "验收人",
    "验收日期",
    "验收意见",
    "是否挂牌督办",
    "督办单位",
    "督办期限",
    "重大隐患判定依据",
)


def export(queryset) -> tuple[object, int]:
    stream = io.BytesIO()
    count = ledger_excel.export_ledger(queryset, stream)
    stream.seek(0)
    return load_workbook(stream), count


def rows_by_number(sheet) -> dict[str, dict[str, object]]:
    headers = [c.value for c in sheet[3]]
    out = {}
    for row in sheet.iter_rows(min_row=4):
        values = dict(zip(headers, (c.value for c in row), strict=True))
        out[values["隐患编号"]] = values
    return out


def test_given_hazards_when_exported_then_title_header_frozen_and_widths(world):
    report(world)
    book, count = export(Hazard.objects.all())
    assert count == 1
    assert book.sheetnames == ["隐患排查治理台账", "代码说明"]
    sheet = book["隐患排查治理台账"]
    assert sheet["A1"].value == "隐患排查治理台账"
    assert sheet["A2"].value.startswith("导出时间：")
    assert tuple(c.value for c in sheet[3]) == EXPECTED_HEADERS
    assert sheet.freeze_panes == "C4"
    assert sheet.column_dimensions["K"].width == 40  # 隐患描述
    assert sheet.auto_filter.ref == "A3:AB4"


def test_given_a_closed_general_hazard_then_values_and_types(world):
    hazard = bring(world, "general_closed")
    book, _ = export(Hazard.objects.all())
    row = rows_by_number(book["隐患排查治理台账"])[hazard.number]
    assert row["序号"] == 1
    assert row["企业名称"] == "东县甲化工有限公司"
    assert row["统一社会信用代码"] == world.chem_a.uscc
    assert row["所属区域"] == "东县/东镇/东镇一网格"
    assert (row["隐患来源"], row["隐患类型"], row["隐患类别"]) == (
        "企业自查",
        "设备",
        "物的不安全状态",
    )
    assert (row["隐患等级"], row["治理类型"]) == ("一般事故隐患", "限期整改")
    assert row["隐患描述"] == "1号储罐区呼吸阀堵塞"
    assert row["发现日期"] == dt.datetime.combine(timezone.localdate(hazard.reported_at), dt.time())
    assert row["整改资金(元)"] == 1500.0
    assert isinstance(row["整改资金(元)"], int | float)  # a number, not text
    assert row["整改期限"] == dt.datetime.combine(hazard.deadline, dt.time())
    assert (row["隐患状态"], row["国标状态代码"]) == ("已验收销号", "9")
    assert row["验收人"] == "principal_a"  # the enterprise accepts what it found
    assert row["验收意见"] == "现场验收合格"
    assert row["是否挂牌督办"] == "否" and row["督办单位"] is None
    sheet = book["隐患排查治理台账"]
    funds_cell = sheet.cell(row=4, column=EXPECTED_HEADERS.index("整改资金(元)") + 1)
    date_cell = sheet.cell(row=4, column=EXPECTED_HEADERS.index("发现日期") + 1)
    assert funds_cell.number_format == "#,##0.00"
    assert date_cell.is_date and date_cell.number_format == "yyyy-mm-dd"


def test_given_a_listed_major_hazard_then_listing_columns_and_basis(world):
    hazard = bring(world, "major_listed")
    book, _ = export(Hazard.objects.all())
    row = rows_by_number(book["隐患排查治理台账"])[hazard.number]
    assert row["隐患等级"] == "重大事故隐患"
    assert (row["隐患状态"], row["国标状态代码"]) == (
        "已上报",
        "0",
    )  # listing is a parallel step now
    assert row["是否挂牌督办"] == "是"
    assert row["督办单位"] == "东县安全生产委员会办公室"
    assert row["督办期限"] == dt.datetime.combine(hazard.listing_deadline, dt.time())
    assert row["重大隐患判定依据"] == "安监总管三〔2017〕121号第12项"
    assert row["整改资金(元)"] is None and row["验收日期"] is None


def test_given_the_codes_sheet_then_states_map_to_danger_state(world):
    book, count = export(Hazard.objects.none())
    assert count == 0
    cells = [tuple(c.value for c in row) for row in book["代码说明"].iter_rows() if row[0].value]
    assert ("待验收", "1", "待验收") in [c[:3] for c in cells]
    assert ("已验收销号", "9", "已验收") in [c[:3] for c in cells]
    assert ("整改中", "0", "整改中") in [c[:3] for c in cells]
    pairs = [c[:2] for c in cells]
    assert ("重大事故隐患", "1") in pairs and ("一般事故隐患", "0") in pairs
    assert ("立即整改", "0") in pairs and ("限期整改", "1") in pairs


def test_given_more_rows_than_a_sheet_holds_then_the_ledger_goes_on_in_the_next(world):
    made = [report(world) for _ in range(5)]
    stream = io.BytesIO()
    assert ledger_excel.export_ledger(Hazard.objects.all(), stream, rows_per_sheet=2) == 5
    book = load_workbook(stream)
    assert book.sheetnames == [
        "隐患排查治理台账",
        "隐患排查治理台账(2)",
        "隐患排查治理台账(3)",
        "代码说明",
    ]
    got = []
    for name in book.sheetnames[:3]:
        sheet = book[name]
        assert tuple(c.value for c in sheet[3]) == EXPECTED_HEADERS
        got += [(r[0].value, r[1].value) for r in sheet.iter_rows(min_row=4)]
    assert got == [(n, h.number) for n, h in enumerate(made, 1)]
    assert book["隐患排查治理台账(3)"].auto_filter.ref == "A3:AB4"


def test_given_many_hazards_when_exported_then_queries_do_not_grow_with_rows(world):
    for _ in range(3):
        report(world)
    with CaptureQueriesContext(connection) as few:
        export(Hazard.objects.all())
    for _ in range(12):
        report(world, enterprise=world.build_b, who="coordinator_x")
    with CaptureQueriesContext(connection) as many:
        _, count = export(Hazard.objects.all())
    assert count == 15
    assert len(many) == len(few)


# --- the page --------------------------------------------------------------------------


def signed_in(name: str) -> Client:
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


def exported_numbers(response) -> set[str]:
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return set(rows_by_number(book["隐患排查治理台账"]))


@pytest.fixture
def three(world):
    return {
        "a": report(world),
        "a_major": report(world, major_item="hc2017-12"),
        "b": report(world, enterprise=world.build_b, who="coordinator_x"),
        "c": report(world, enterprise=world.chem_c, who="principal_c"),
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("principal_a", {"a", "a_major"}),
        ("employee_a", {"a", "a_major"}),
        ("coordinator_x", {"a", "a_major", "b"}),
        ("officer_housing_x", {"b"}),
        ("coordinator_y", {"c"}),
        ("principal_c", {"c"}),
    ],
)
def test_given_each_persona_when_exporting_then_only_their_scope(world, three, persona, expected):
    response = signed_in(persona).get(reverse("hazards:ledger-export"))
    assert response.status_code == 200
    assert response["Content-Type"] == ledger_excel.CONTENT_TYPE
    assert "attachment;" in response["Content-Disposition"]
    assert exported_numbers(response) == {three[k].number for k in expected}


def test_given_an_outsider_when_exporting_then_403(world, three):
    assert signed_in("outsider").get(reverse("hazards:ledger-export")).status_code == 403


def test_given_filters_when_exporting_then_the_same_rows_as_the_ledger(world, three):
    client = signed_in("coordinator_x")
    url = reverse("hazards:ledger-export")
    assert exported_numbers(client.get(url, {"level": "major"})) == {three["a_major"].number}
    assert exported_numbers(client.get(url, {"enterprise": world.build_b.pk})) == {
        three["b"].number
    }
    assert exported_numbers(client.get(url, {"q": three["b"].number})) == {three["b"].number}
    assert exported_numbers(client.get(url, {"state": "closed"})) == set()
    # Another county's enterprise is not a way around the scope.
    assert exported_numbers(client.get(url, {"enterprise": world.chem_c.pk})) == set()


def test_given_a_bad_filter_when_exporting_then_400_and_nothing_audited(world, three):
    before = AuditEntry.objects.count()
    response = signed_in("coordinator_x").get(reverse("hazards:ledger-export"), {"level": "huge"})
    assert response.status_code == 400
    assert 'id="refused"' in response.content.decode()
    assert AuditEntry.objects.count() == before


def test_given_more_hazards_than_one_download_holds_then_refused_with_the_numbers(
    world, three, settings
):
    settings.ANJIAN_HAZARD_EXPORT_MAX_ROWS = 2
    before = AuditEntry.objects.count()
    client = signed_in("coordinator_x")
    response = client.get(reverse("hazards:ledger-export"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "3" in html and 'id="refused"' in html
    assert AuditEntry.objects.count() == before
    narrowed = client.get(reverse("hazards:ledger-export"), {"level": "major"})
    assert narrowed.status_code == 200


def test_given_an_export_then_audited_with_filters_and_count(world, three):
    response = signed_in("coordinator_x").get(reverse("hazards:ledger-export"), {"level": "major"})
    b"".join(response.streaming_content)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "hazard_ledger_export"
    assert entry.changes == {"filters": {"level": "major"}, "rows": 1}


# --- the command -----------------------------------------------------------------------


def test_given_the_command_then_the_users_scope_filtered_to_a_file_and_audited(
    world, three, tmp_path
):
    out = tmp_path / "ledger.xlsx"
    stdout = io.StringIO()
    call_command(
        "hazard_ledger_export",
        "--user",
        "coordinator_x",
        "--out",
        str(out),
        "--filter",
        "level=general",
        stdout=stdout,
    )
    assert '"rows": 2' in stdout.getvalue()
    book = load_workbook(out)
    assert set(rows_by_number(book["隐患排查治理台账"])) == {three["a"].number, three["b"].number}
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.via, entry.changes["rows"]) == ("hazard_ledger_export", "cli", 2)


@pytest.mark.parametrize(
    "args",
    [
        ["--user", "outsider"],
        ["--user", "nobody"],
        ["--user", "coordinator_x", "--filter", "level=x"],
    ],
)
def test_given_a_bad_user_or_filter_then_the_command_refuses(world, tmp_path, args):
    with pytest.raises(CommandError):
        call_command("hazard_ledger_export", "--out", str(tmp_path / "x.xlsx"), *args)

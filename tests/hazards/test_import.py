"""Excel import of an existing hazard ledger: all rows or none, every problem with its row
and column; the written hazards, events, numbers and audit entry; scope; the page."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from anjian.core.audit import audit_verify
from anjian.core.models import AuditEntry
from anjian.hazards import importer
from anjian.hazards.models import Hazard, HazardCounter, HazardEvent
from anjian.risks.models import RiskState
from tests import clock
from tests.world import PASSWORD

from .helpers import actor, report

TODAY = clock.TODAY

pytestmark = pytest.mark.usefixtures("clock_at_ten")
LAST_YEAR = TODAY.year - 1


def col(key: str) -> int:
    return [c.key for c in importer.COLUMNS].index(key)


def letter(key: str) -> str:
    return importer.BY_KEY[key].letter


def row(world, **over) -> list:
    """One good row (a closed general hazard of chem_a); keys are the column keys."""
    values = {
        "legacy_number": "HD-001",
        "uscc": world.chem_a.uscc,
        "enterprise_name": "东县甲化工有限公司",
        "source": "企业自查",
        "hazard_type": "设备",
        "category": "物的不安全状态",
        "level": "一般事故隐患",
        "handling": "限期整改",
        "description": "1号储罐区呼吸阀堵塞",
        "cause": "长期未清理",
        "location": "1号储罐区",
        "found_on": dt.date(LAST_YEAR, 3, 5),
        "major_item": "",
        "major_reason": "",
        "owner": "王工",
        "measures": "清理呼吸阀并加装阻火器",
        "funds": 1500.5,
        "deadline": dt.date(LAST_YEAR, 3, 20),
        "contingency_plan": "期间每班巡检两次",
        "state": "已验收销号",
        "acceptor": "李科长",
        "accepted_on": dt.date(LAST_YEAR, 3, 18),
        "accept_comment": "现场验收合格",
    }
    values.update(over)
    return [values[c.key] for c in importer.COLUMNS]


def xlsx(rows: list[list], headers=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = importer.SHEET_NAME
    sheet.append(list(headers if headers is not None else importer.HEADERS))
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_rows(world) -> list[list]:
    no_acceptance = {"acceptor": "", "accepted_on": None, "accept_comment": ""}
    return [
        row(world),  # 2: closed general
        row(  # 3: major, rectifying, by a list item
            world,
            legacy_number="HD-002",
            level="重大事故隐患",
            major_item="hc2017-12",
            hazard_type="仪表",
            description="液氯储罐区未设置有毒气体检测报警",
            state="整改中",
            funds="200,000元",
            deadline="2026/4/30",
            **no_acceptance,
        ),
        row(  # 4: open with the five fixes → fixes set
            world,
            legacy_number="HD-003",
            state="未整改",
            found_on=f"{LAST_YEAR - 1}年6月1日",
            **no_acceptance,
        ),
        row(  # 5: open, on the spot, nothing else → reported
            world,
            legacy_number="",
            handling="即查即改",
            state="未整改",
            owner="",
            measures="",
            funds=None,
            deadline=None,
            contingency_plan="",
            **no_acceptance,
        ),
        row(  # 6: submitted, build_b (coordinator_x's scope only)
            world,
            legacy_number="HD-005",
            uscc=world.build_b.uscc,
            enterprise_name="",
            state="已整改待验收",
            **no_acceptance,
        ),
    ]


def everything() -> tuple:
    return (
        Hazard.objects.count(),
        HazardEvent.objects.count(),
        AuditEntry.objects.count(),
        tuple(HazardCounter.objects.order_by("pk").values_list("division_id", "year", "last")),
    )


def do_import(world, content: bytes, who: str = "coordinator_x", name: str = "台账.xlsx"):
    return importer.hazards_import(actor=actor(world, who), file=content, filename=name)


def rejected(world, content: bytes, who: str = "coordinator_x") -> list[importer.RowError]:
    before = everything()
    with pytest.raises(importer.ImportRejected) as err:
        do_import(world, content, who)
    assert everything() == before  # nothing written: no hazard, event, audit, number
    return err.value.errors


# --- a good file -----------------------------------------------------------------------


def test_given_a_good_file_when_imported_then_every_row_with_its_state_event_and_number(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = do_import(world, xlsx(good_rows(world)))
    assert result.created == 5 and result.enterprises == 2
    assert result.by_state == {"已验收销号": 1, "整改中": 1, "未整改": 2, "已整改待验收": 1}
    hazards = {h.events.get().data["sheet_row"]: h for h in Hazard.objects.all()}
    assert {r: h.state for r, h in hazards.items()} == {
        2: "closed",
        3: "rectifying",
        4: "fixes_set",
        5: "reported",
        6: "submitted",
    }
    closed = hazards[2]
    assert closed.number == f"330101-{LAST_YEAR}-00001"
    assert closed.enterprise == world.chem_a
    assert (closed.source, closed.hazard_type, closed.category) == (
        "self_check",
        "equipment",
        "things",
    )
    assert (closed.level, closed.handling) == ("general", "deadline")
    assert timezone.localdate(closed.reported_at) == dt.date(LAST_YEAR, 3, 5)
    assert closed.liable_person == "王工" and closed.funds == decimal.Decimal("1500.50")
    assert closed.deadline == dt.date(LAST_YEAR, 3, 20)
    assert timezone.localdate(closed.accepted_at) == dt.date(LAST_YEAR, 3, 18)
    assert closed.closed_at == closed.accepted_at
    assert closed.accept_comment == "验收人：李科长。现场验收合格。"
    assert closed.reported_by == world.user("coordinator_x")
    major = hazards[3]
    assert (major.level, major.major_basis) == ("major", "list_item")
    assert major.major_item["item_id"] == "hc2017-12"
    assert major.funds == decimal.Decimal("200000.00") and major.deadline == dt.date(2026, 4, 30)
    assert hazards[4].number == f"330101-{LAST_YEAR - 1}-00001"  # numbered in the year it was found
    assert hazards[5].handling == "on_spot" and hazards[5].funds is None
    assert hazards[6].enterprise == world.build_b

    event = closed.events.get()
    assert (event.action, event.from_state, event.to_state) == ("import", "", "closed")
    assert event.note == "导入自 台账.xlsx"
    assert event.actor == world.user("coordinator_x")
    assert event.data["legacy_number"] == "HD-001" and event.data["sheet_row"] == 2
    assert event.data["acceptor"] == "李科长"

    entry = AuditEntry.objects.get(action="hazard_import")
    assert entry.changes["rows"] == 5
    assert sorted(h[0] for h in entry.changes["hazards"]) == sorted(h.pk for h in hazards.values())
    assert [closed.pk, closed.number, "HD-001", 2] in entry.changes["hazards"]
    assert audit_verify().ok
    # The safety codes of both enterprises were recomputed on commit.
    assert RiskState.objects.filter(enterprise=world.chem_a, code__isnull=False).exists()
    assert RiskState.objects.filter(enterprise=world.build_b, code__isnull=False).exists()


def test_given_numbers_taken_before_and_after_then_the_import_takes_one_block(world):
    this_year = dt.date(TODAY.year, 1, 1)
    first = report(world)
    rows = [
        row(world, legacy_number=f"N{n}", found_on=this_year, deadline=TODAY, accepted_on=TODAY)
        for n in range(3)
    ]
    result = do_import(world, xlsx(rows))
    after = report(world)
    prefix = f"330101-{TODAY.year}-"
    assert first.number == prefix + "00001"
    assert [number for _, number, _ in result.hazards] == [
        prefix + "00002",
        prefix + "00003",
        prefix + "00004",
    ]
    assert after.number == prefix + "00005"


def test_given_an_enterprise_principal_then_their_own_rows_import(world):
    rows = [r for r in good_rows(world) if r[col("uscc")] == world.chem_a.uscc]
    result = do_import(world, xlsx(rows), who="principal_a")
    assert result.created == 4
    assert set(Hazard.objects.values_list("enterprise_id", flat=True)) == {world.chem_a.pk}


# --- all or nothing --------------------------------------------------------------------


def test_given_good_and_bad_rows_when_imported_then_nothing_and_every_error_listed(world):
    rows = [
        *good_rows(world),
        # 7: unknown choices, negative funds, found in the future
        row(
            world,
            legacy_number="HD-010",
            source="传闻",
            category="其他",
            funds=-5,
            found_on=TODAY + dt.timedelta(days=3),
        ),
        # 8: duplicate legacy number; missing description and location; bad date text
        row(world, legacy_number="HD-002", description="", location="", deadline="明年"),
        # 9: major without item or reason, fixed on the spot; unknown state
        row(world, legacy_number="HD-011", level="重大", handling="立即整改", state="搁置"),
        # 10: rectifying without the five fixes
        row(
            world,
            legacy_number="HD-012",
            state="整改中",
            owner="",
            funds="",
            acceptor="",
            accepted_on=None,
            accept_comment="",
        ),
        # 11: closed without acceptor and date; deadline before found; 3 decimals
        row(
            world,
            legacy_number="HD-013",
            acceptor="",
            accepted_on=None,
            deadline=dt.date(LAST_YEAR, 1, 1),
            funds=1.005,
        ),
        # 12: another county's enterprise
        row(world, legacy_number="HD-014", uscc=world.chem_c.uscc),
        # 13: name not the registered one; unknown list item on a general hazard
        row(world, legacy_number="HD-015", enterprise_name="别的公司", major_item="xx-1"),
        # 14: acceptance given on an open hazard
        row(world, legacy_number="HD-016", state="已整改待验收"),
    ]
    errors = rejected(world, xlsx(rows))
    got = {(e.row, e.column) for e in errors}
    assert got == {
        (7, letter("source")),
        (7, letter("category")),
        (7, letter("found_on")),
        (7, letter("funds")),
        (8, letter("legacy_number")),
        (8, letter("description")),
        (8, letter("location")),
        (8, letter("deadline")),
        (9, letter("handling")),
        (9, letter("major_item")),
        (9, letter("state")),
        (10, letter("owner")),
        (10, letter("funds")),
        (11, letter("deadline")),
        (11, letter("funds")),
        (11, letter("acceptor")),
        (11, letter("accepted_on")),
        (12, letter("uscc")),
        (13, letter("enterprise_name")),
        (13, letter("major_item")),
        (14, letter("acceptor")),
        (14, letter("accepted_on")),
        (14, letter("accept_comment")),
    }
    messages = {e.message for e in errors}
    assert (
        "第7行 D列（隐患来源）：应为 企业自查/企业检查/政府检查/群众举报/监测报警/视频分析/其他 之一，实际为“传闻”"
        in messages
    )
    assert "第7行 Q列（整改资金(元)）：不能为负数" in messages
    assert "第7行 L列（发现日期）：发现日期不能晚于今天" in messages
    assert "第8行 A列（原隐患编号）：与第3行的原隐患编号“HD-002”重复" in messages
    assert "第8行 I列（隐患描述）：必填，不能为空" in messages
    assert "第8行 R列（整改期限）：应为日期（如 2025-03-18），实际为“明年”" in messages
    assert "第9行 H列（治理类型）：重大事故隐患不能立即整改，应为“限期整改”" in messages
    assert "第9行 M列（判定标准条目）：重大事故隐患应填写判定标准条目或判定理由" in messages
    assert "第10行 O列（整改责任人）：隐患状态为“整改中”的限期整改隐患必填（五定）" in messages
    assert "第11行 Q列（整改资金(元)）：最多两位小数" in messages
    assert "第11行 U列（验收人）：隐患状态为“已验收销号”时必填" in messages
    assert "第11行 R列（整改期限）：整改期限不能早于发现日期" in messages
    assert (
        f"第12行 B列（统一社会信用代码）：“{world.chem_c.uscc}”不是您管辖范围内的企业（或未登记）"
        in messages
    )
    assert (
        "第13行 C列（企业名称）：与统一社会信用代码登记的企业名称“东县甲化工有限公司”不一致"
        in messages
    )
    # Sorted by row, then column.
    assert [(e.row, e.column) for e in errors] == sorted(
        ((e.row, e.column) for e in errors),
        key=lambda rc: (rc[0], [c.letter for c in importer.COLUMNS].index(rc[1])),
    )


def test_given_the_same_ledger_imported_twice_then_the_second_refused_row_by_row(world):
    do_import(world, xlsx(good_rows(world)))
    again = [*good_rows(world), row(world, legacy_number="HD-002", level="特大")]
    errors = rejected(world, xlsx(again))
    assert {(e.row, e.column) for e in errors} == {
        (2, "A"),
        (3, "A"),
        (4, "A"),
        (6, "A"),
        (7, "A"),  # within the file: a duplicate of row 3
        (7, "G"),
    }
    first = Hazard.objects.get(events__data__legacy_number="HD-001")
    assert (
        f"第2行 A列（原隐患编号）：原隐患编号“HD-001”已导入过（本平台编号 {first.number}），不能重复导入"
        in {e.message for e in errors}
    )
    # The same legacy number in another enterprise is another hazard.
    other = row(world, uscc=world.build_b.uscc, enterprise_name="")
    assert do_import(world, xlsx([other])).created == 1


def test_given_an_enterprise_user_when_a_row_names_another_enterprise_then_refused(world):
    rows = [row(world), row(world, legacy_number="HD-002", uscc=world.build_b.uscc)]
    errors = rejected(world, xlsx(rows), who="safety_a")
    assert [(e.row, e.column) for e in errors] == [(3, "B")]
    assert "企业用户只能导入本企业的隐患" in errors[0].message


def test_given_an_unknown_credit_code_then_refused_like_one_out_of_scope(world):
    errors = rejected(world, xlsx([row(world, uscc="91330101MA0000000X")]))
    assert [(e.row, e.column) for e in errors] == [(2, "B")]


def test_given_an_employee_when_importing_then_every_row_refused(world):
    errors = rejected(world, xlsx([row(world)]), who="employee_a")
    assert [(e.row, e.column) for e in errors] == [(2, "B")]
    assert "无权" in errors[0].message


def test_given_wrong_headers_then_row_1_errors_and_a_file_error(world):
    headers = list(importer.HEADERS)
    headers[3] = "来源"
    errors = rejected(world, xlsx([row(world)], headers=headers))
    assert (1, "D") in {(e.row, e.column) for e in errors}
    assert any(e.row is None and "表头与导入模板不一致" in e.message for e in errors)


@pytest.mark.parametrize(
    ("content", "text"),
    [
        (b"", "空的"),
        (b"not a workbook", "不是 Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "旧版 Excel"),
    ],
)
def test_given_a_file_that_is_not_a_workbook_then_one_file_error(world, content, text):
    errors = rejected(world, content)
    assert len(errors) == 1 and errors[0].row is None and text in errors[0].message


def test_given_the_template_uploaded_unfilled_then_no_data_rows(world):
    errors = rejected(world, importer.build_template())
    assert "没有数据行" in errors[0].message


def test_given_the_template_then_headers_and_help_with_list_items(world):
    book = load_workbook(io.BytesIO(importer.build_template()))
    assert book.sheetnames == [importer.SHEET_NAME, importer.HELP_SHEET_NAME]
    assert tuple(c.value for c in book[importer.SHEET_NAME][1]) == importer.HEADERS
    help_text = "\n".join(
        str(c.value) for r in book[importer.HELP_SHEET_NAME].iter_rows() for c in r if c.value
    )
    assert "hc2017-12" in help_text and "未整改 / 整改中 / 已整改待验收 / 已验收销号" in help_text


def _help_items(book) -> dict[str, tuple]:
    sheet = book[importer.HELP_SHEET_NAME]
    rows = [tuple(c.value for c in r)[:4] for r in sheet.iter_rows()]
    start = rows.index(("编号", "文件", "条款", "内容")) + 1
    out = {}
    for row in rows[start:]:
        if not row[0]:
            break
        out[row[0]] = row
    return out


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_given_the_template_in_any_language_then_every_list_item_is_the_official_chinese(
    world, language
):
    from django.utils import translation

    from anjian.hazards import reference
    from anjian.hazards.documents import is_chinese

    with translation.override(language):
        book = load_workbook(io.BytesIO(importer.build_template()))
    items = _help_items(book)
    assert set(items) == set(reference.items())
    for item_id, (_id, document, article, text) in items.items():
        item = reference.item(item_id)
        assert text == item.text_zh and is_chinese(text), item_id
        assert is_chinese(document) and is_chinese(article), item_id
        assert item.text_en == "" or item.text_en not in text
    # A whole article is cited as the article, not as an item number of it.
    assert items["gm2023-14"][2] == "第十四条"


def test_given_the_examples_of_the_help_sheet_then_they_import(world):
    rows = [list(r) for r in importer.EXAMPLE]
    for r in rows:
        r[col("uscc")] = world.chem_a.uscc
    result = do_import(world, xlsx(rows), who="safety_a")
    assert result.created == 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-18", dt.date(2025, 3, 18)),
        ("2025/3/8", dt.date(2025, 3, 8)),
        ("2025.3.8", dt.date(2025, 3, 8)),
        ("2025年3月8日", dt.date(2025, 3, 8)),
        ("20250308", dt.date(2025, 3, 8)),
        (45734, dt.date(2025, 3, 18)),
        (dt.datetime(2025, 3, 18, 0, 0), dt.date(2025, 3, 18)),
    ],
)
def test_given_date_spellings_then_parsed(value, expected):
    assert importer.parse_date(value) == expected


@pytest.mark.parametrize("value", ["2025-13-01", "明天", "2025-02-30", True])
def test_given_bad_dates_then_refused(value):
    with pytest.raises((ValueError, TypeError)):
        importer.parse_date(value)


def test_given_5000_rows_when_imported_then_well_under_a_minute(world):
    rows = []
    for n in range(importer.MAX_ROWS):
        rows.append(row(world, legacy_number=f"L{n:05d}", description=f"隐患{n}"))
    content = xlsx(rows)
    started = time.monotonic()
    result = do_import(world, content)
    elapsed = time.monotonic() - started
    assert result.created == importer.MAX_ROWS
    assert Hazard.objects.count() == HazardEvent.objects.count() == importer.MAX_ROWS
    assert elapsed < 60, elapsed


# --- the page --------------------------------------------------------------------------


def signed_in(name: str) -> Client:
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


def upload(content: bytes, name: str = "台账.xlsx") -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


@pytest.mark.parametrize("persona", ["safety_a", "principal_a", "coordinator_x", "grid_x1"])
def test_given_an_importer_when_opening_the_page_then_form_and_template_link(world, persona):
    response = signed_in(persona).get(reverse("hazards:import"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert reverse("hazards:import-template") in html
    assert "隐患状态" in html


@pytest.mark.parametrize("persona", ["outsider", "employee_a", "platform_admin", "audit_admin"])
def test_given_a_user_who_may_not_import_when_opening_the_page_then_403(world, persona):
    client = signed_in(persona)
    assert client.get(reverse("hazards:import")).status_code == 403
    assert (
        client.post(reverse("hazards:import"), {"file": upload(xlsx([row(world)]))}).status_code
        == 403
    )
    assert client.get(reverse("hazards:import-template")).status_code == 403
    assert Hazard.objects.count() == 0


def test_given_a_good_file_when_posted_then_summary_with_links(world):
    response = signed_in("coordinator_x").post(
        reverse("hazards:import"), {"file": upload(xlsx(good_rows(world)))}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="import-result"' in html
    assert '<span class="stat-value" id="count-created">5</span>' in html
    first = Hazard.objects.order_by("pk").first()
    assert reverse("hazards:detail", args=[first.pk]) in html
    assert "HD-001" in html


def test_given_bad_rows_when_posted_then_the_error_table_and_nothing_written(world):
    rows = [*good_rows(world), row(world, legacy_number="HD-009", level="特大")]
    before = everything()
    response = signed_in("coordinator_x").post(
        reverse("hazards:import"), {"file": upload(xlsx(rows))}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="import-errors"' in html
    assert "第7行 G列（隐患等级）：应为 一般事故隐患/重大事故隐患 之一，实际为“特大”" in html
    assert everything() == before


def test_given_no_file_when_posted_then_asked_for_one(world):
    response = signed_in("safety_a").post(reverse("hazards:import"), {})
    assert response.status_code == 422
    assert 'id="import-errors"' in response.content.decode()


def test_given_the_template_link_then_an_xlsx(world):
    response = signed_in("safety_a").get(reverse("hazards:import-template"))
    assert response.status_code == 200
    assert response["Content-Type"] == importer.CONTENT_TYPE
    load_workbook(io.BytesIO(response.content))

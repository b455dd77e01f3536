"""The Excel import of a risk register: all rows or none, every problem reported with its
row and column, writes through the services (so audit entries and check tasks come with
them), the template round trip, and the import page."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import pytest
from django.test import Client
from django.urls import path
from openpyxl import Workbook, load_workbook

import anjian.urls
from anjian.core.audit import Actor, audit_verify
from anjian.core.errors import Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.risks import import_template, importer, services
from anjian.risks.import_views import risk_import
from anjian.risks.models import (
    Assessment,
    CheckTask,
    ControlMeasure,
    HazardousSubstance,
    MajorHazardInstallation,
    ReassessmentProposal,
    RiskEvent,
    RiskObject,
    RiskState,
    RiskUnit,
    SafetyCode,
)
from tests.world import PASSWORD

# The page is wired into the risks URLconf by its owner; these tests mount it themselves.
urlpatterns = [
    *anjian.urls.urlpatterns,
    path("test/enterprises/<int:pk>/risks/import/", risk_import, name="test-risk-import"),
]
pytestmark = pytest.mark.urls(__name__)

TABLES = (
    RiskObject,
    RiskUnit,
    Assessment,
    RiskEvent,
    ControlMeasure,
    CheckTask,
    ReassessmentProposal,
    SafetyCode,
    RiskState,
    MajorHazardInstallation,
    HazardousSubstance,
    AuditEntry,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def everything() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def actor(world, name: str = "safety_a") -> Actor:
    return Actor.for_user(world.user(name), "web")


def col(key: str) -> int:
    return [c.key for c in importer.COLUMNS].index(key)


def row(**overrides) -> list:
    """One good row; keys are the importer's column keys."""
    values = {
        "object": "1号储罐区",
        "object_kind": "区域场所",
        "unit": "液氨储罐",
        "department": "储运车间",
        "person": "王工",
        "control_level": "车间",
        "hazard_factors": "有毒有害气体",
        "event": "液氨泄漏中毒",
        "measure": "设置液位、压力高低限报警",
        "classification": "工程技术",
        "check_content": "检查液位、压力报警是否正常投用",
        "cycle": 1,
        "cycle_unit": "天",
        "check_person": "李班长",
        "method": "",
        "f1": "",
        "f2": "",
        "f3": "",
    }
    values.update(overrides)
    return [values[c.key] for c in importer.COLUMNS]


def xlsx(rows: list[list], headers: list | None = None, title: str = importer.SHEET_NAME) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    if headers is not False:
        sheet.append(list(headers if headers is not None else importer.HEADERS))
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_rows() -> list[list]:
    """Two objects, three units, four events, six measures; two units assessed."""
    return [
        row(method="LEC", f1=3, f2=6, f3=15),
        row(
            department="",
            person="",
            control_level="",
            hazard_factors="",
            measure="配备正压式空气呼吸器",
            classification="应急措施",
            check_content="检查应急器材",
            cycle=1,
            cycle_unit="月",
        ),
        row(
            event="储罐超压爆炸",
            measure="安全阀定期校验",
            classification="维护保养",
            check_content="检查安全阀校验有效期",
            cycle=1,
            cycle_unit="年",
            check_person="设备科张工",
        ),
        row(
            unit="装卸区",
            department="储运车间",
            person="赵工",
            control_level="班组",
            hazard_factors="易燃易爆气体、动火作业",
            event="装卸时泄漏",
            measure="装卸前检查静电接地",
            classification="操作行为",
            check_content="检查静电接地记录",
            cycle=8,
            cycle_unit="小时",
            method="ls",
            f1=2,
            f3=4,
        ),
        row(
            object="合成车间",
            object_kind="工艺作业",
            unit="合成反应釜",
            department="合成车间",
            person="孙工",
            control_level="公司",
            hazard_factors="",
            event="反应失控",
            measure="设置紧急切断",
            check_content="检查紧急切断阀",
            cycle=2,
            cycle_unit="周",
        ),
        row(
            object="合成车间",
            object_kind="",
            unit="合成反应釜",
            department="",
            person="",
            control_level="",
            hazard_factors="",
            event="反应失控",
            measure="温度联锁",
            check_content="检查温度联锁投用",
            cycle=1,
            cycle_unit="天",
        ),
    ]


def run(world, data: bytes, who: str = "safety_a", filename: str = "清单.xlsx"):
    return importer.import_risks(
        actor=actor(world, who), enterprise_id=world.chem_a.pk, source=data, filename=filename
    )


def rejected(world, data: bytes, who: str = "safety_a") -> list[dict]:
    before = everything()
    with pytest.raises(importer.ImportRejected) as caught:
        run(world, data, who)
    assert everything() == before  # nothing at all was written
    return caught.value.as_list()


# --- a good file ----------------------------------------------------------------------------


def test_given_a_good_file_when_imported_then_everything_is_written_through_the_services(world):
    before = everything()
    result = run(world, xlsx(good_rows()))
    assert result.as_dict() == {
        "objects": 2,
        "units": 3,
        "events": 4,
        "measures": 6,
        "check_tasks": 6,
        "assessments": 2,
    }
    after = everything()
    grown = {name: after[name] - before[name] for name in after}
    assert grown["RiskObject"] == 2
    assert grown["RiskUnit"] == 3
    assert grown["RiskEvent"] == 4
    assert grown["ControlMeasure"] == 6
    assert grown["CheckTask"] == 6
    assert grown["Assessment"] == 2
    # One entry per object, unit, assessment, event and measure, and one for the import.
    assert grown["AuditEntry"] == 2 + 3 + 2 + 4 + 6 + 1
    assert audit_verify().ok

    ammonia = RiskUnit.objects.get(enterprise=world.chem_a, name="液氨储罐")
    assert (ammonia.responsible_department, ammonia.responsible_person) == ("储运车间", "王工")
    assert (ammonia.control_level, ammonia.hazard_factors) == ("workshop", ["toxic_gas"])
    assert ammonia.risk_object.kind == "area"
    # 3·6·15 = 270 → class 2 of the default LEC profile → 较大 / orange.
    assessment = ammonia.assessments.get()
    assert (assessment.method, assessment.score, assessment.colour) == ("lec", "270", "orange")
    assert assessment.note == "Excel 导入：清单.xlsx"
    assert ammonia.colour == "orange"
    assert [e.name for e in ammonia.events.all()] == ["液氨泄漏中毒", "储罐超压爆炸"]
    assert ammonia.events.get(name="液氨泄漏中毒").measures.count() == 2

    loading = RiskUnit.objects.get(name="装卸区")
    assert loading.hazard_factors == ["flammable_gas", "hot_work"]
    # LS 2·4 = 8 is yellow; the 易燃气体+动火 coupling rule raises the unit to orange.
    assert loading.assessments.get().score == "8"
    assert (loading.inherent_colour, loading.colour) == ("yellow", "orange")
    assert "易燃气体+动火" in loading.coupling_note

    reactor = RiskUnit.objects.get(name="合成反应釜")
    assert reactor.risk_object.kind == "process"
    assert reactor.control_level == "company"
    assert reactor.events.count() == 1
    tasks = CheckTask.objects.filter(measure__event__unit=reactor).order_by("id")
    # 2 周 is stored as 14 天: the national table has no week.
    assert [(t.cycle, t.cycle_unit) for t in tasks] == [(14, "day"), (1, "day")]
    hourly = CheckTask.objects.get(measure__description="装卸前检查静电接地")
    assert (hourly.cycle, hourly.cycle_unit, hourly.responsible_person) == (8, "hour", "李班长")
    assert hourly.content == "检查静电接地记录"
    assert hourly.next_due is not None

    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_type, entry.object_id) == (
        "import",
        "registry.enterprise",
        str(world.chem_a.pk),
    )
    assert entry.changes["units"] == 3 and entry.changes["rows"] == 6


def test_given_an_object_that_already_exists_when_imported_then_it_is_reused(world):
    services.risk_object_create(
        actor=actor(world), enterprise_id=world.chem_a.pk, kind="area", name="1号储罐区"
    )
    result = run(world, xlsx([row()]))
    assert (result.objects, result.units) == (0, 1)
    assert RiskObject.objects.filter(enterprise=world.chem_a, name="1号储罐区").count() == 1


def test_given_a_major_hazard_object_named_like_an_installation_then_the_installation_object_is_used(
    world,
):
    installation = services.installation_save(
        actor=actor(world),
        enterprise_id=world.chem_a.pk,
        data={
            "name": "液氨罐区",
            "unit_kind": "storage",
            "people_500m": 0,
            "principal_person": "甲",
            "technical_person": "乙",
            "operational_person": "丙",
            "substances": [{"substance": "氨", "quantity": 20}],
        },
    )
    run(world, xlsx([row(object="液氨罐区", object_kind="重大危险源")]))
    unit = RiskUnit.objects.get(name="液氨储罐")
    assert unit.risk_object.installation_id == installation.pk


def test_given_the_example_of_the_help_sheet_when_imported_then_it_is_accepted(world):
    rows = [list(values) for values in import_template.EXAMPLE]
    result = run(world, xlsx(rows))
    assert (result.units, result.events, result.measures, result.assessments) == (1, 2, 3, 1)


def test_given_spreadsheet_number_cells_when_imported_then_read_as_their_text(world):
    result = run(world, xlsx([row(cycle=7.0, method="LEC", f1=0.5, f2=6.0, f3=40)]))
    assert result.assessments == 1
    assert Assessment.objects.get().inputs == {"L": "0.5", "E": "6", "C": "40"}
    assert CheckTask.objects.filter(measure__isnull=False).get().cycle == 7


def test_given_aliases_and_blank_rows_when_imported_then_accepted(world):
    rows = [row(control_level="车间级", classification="工程"), [None] * 18, row(event="火灾")]
    result = run(world, xlsx(rows))
    assert (result.units, result.events, result.measures) == (1, 2, 2)


# --- bad rows: nothing is written, every problem is reported --------------------------------------


def test_given_three_bad_rows_in_different_columns_then_nothing_is_imported_and_all_are_reported(
    world,
):
    rows = good_rows()
    rows[1][col("classification")] = "管理制度"  # J3
    rows[3][col("cycle")] = "每天"  # L5
    rows[4][col("control_level")] = "集团"  # F6
    errors = rejected(world, xlsx(rows))
    assert [(e["row"], e["column"], e["field"]) for e in errors] == [
        (3, "J", "措施分类"),
        (5, "L", "排查周期"),
        (6, "F", "管控层级"),
    ]
    assert (
        errors[2]["message"] == "第6行 F列（管控层级）：应为 公司/车间/班组/岗位 之一，实际为“集团”"
    )
    assert errors[0]["message"].startswith(
        "第3行 J列（措施分类）：应为 工程技术/维护保养/操作行为/应急措施 之一"
    )
    assert "1 至 1000 的整数" in errors[1]["message"]


@pytest.mark.parametrize(
    ("overrides", "column", "fragment"),
    [
        ({"object": ""}, "A", "必填"),
        ({"object_kind": "厂房"}, "B", "重大危险源/设备设施/区域场所/工艺作业/其他"),
        ({"unit": "   "}, "C", "必填"),
        ({"department": ""}, "D", "必填"),
        ({"person": "x" * 65}, "E", "不能超过 64 个字"),
        ({"control_level": "集团"}, "F", "公司/车间/班组/岗位"),
        ({"hazard_factors": "陨石、可燃性粉尘"}, "G", "未知的危险因素“陨石”"),
        ({"event": ""}, "H", "必填"),
        ({"measure": "m" * 256}, "I", "不能超过 255 个字"),
        ({"classification": "其他"}, "J", "工程技术/维护保养/操作行为/应急措施"),
        ({"check_content": ""}, "K", "必填"),
        ({"cycle": 0}, "L", "1 至 1000"),
        ({"cycle": 1.5}, "L", "1 至 1000"),
        ({"cycle": 200, "cycle_unit": "周"}, "L", "折算为天后超过 1000"),
        ({"cycle_unit": "季度"}, "M", "小时/天/周/月/年"),
        ({"check_person": ""}, "N", "必填"),
        ({"method": "HAZOP", "f1": 1, "f2": 1, "f3": 1}, "O", "LEC/LS/MES"),
        ({"f1": 3, "f2": 6, "f3": 7}, "O", "应选择评估方法"),
        ({"method": "LEC", "f1": 4, "f2": 6, "f3": 7}, "P", "L=4 不在 LEC 的取值表中"),
        ({"method": "LEC", "f1": 3, "f2": 6}, "R", "LEC 法需要填写 C"),
        ({"method": "LS", "f1": 3, "f2": 6, "f3": 3}, "Q", "LS 法不使用此列"),
        ({"method": "MES", "f1": 5, "f2": 6, "f3": 9}, "R", "S=9 不在 MES 的取值表中"),
    ],
)
def test_given_one_bad_cell_then_its_row_and_column_are_named(world, overrides, column, fragment):
    second = row(**{"unit": "第二单元", "event": "第二个事件", **overrides})
    errors = rejected(world, xlsx([row(), second]))
    assert [(e["row"], e["column"]) for e in errors] == [(3, column)], errors
    assert fragment in errors[0]["message"], errors[0]["message"]
    assert errors[0]["message"].startswith(f"第3行 {column}列（")


def test_given_a_control_character_in_a_cell_then_named_once():
    # openpyxl will not write one; Excel stores it as _x0007_, which reads back as \x07.
    values = tuple(row(measure="报警\x07器", person="x" * 65))
    _plan, errors = importer.plan_rows([(2, values)])
    assert [(e.row, e.column) for e in errors] == [(2, "E"), (2, "I")]
    assert "控制字符" in errors[1].message


def test_given_a_line_break_inside_a_cell_then_it_becomes_a_space(world):
    run(world, xlsx([row(measure="设置液位\n压力报警")]))
    assert ControlMeasure.objects.get().description == "设置液位 压力报警"


def test_given_a_unit_whose_rows_disagree_then_each_disagreement_is_reported(world):
    rows = [
        row(method="LEC", f1=3, f2=6, f3=15),
        row(event="火灾", control_level="班组", person="", hazard_factors="可燃性粉尘"),
        row(event="爆炸", method="LEC", f1=1, f2=6, f3=15),
        row(event="中毒", object="另一个对象"),
        row(event="泄漏", object_kind="设备设施"),
    ]
    errors = rejected(world, xlsx(rows))
    found = [(e["row"], e["column"]) for e in errors]
    assert found == [(3, "F"), (3, "G"), (4, "O"), (5, "C"), (6, "B")], errors
    assert "与第2行同一风险分析单元的管控层级“车间”不一致" in errors[0]["message"]
    assert "已在第2行归属于对象“1号储罐区”" in errors[3]["message"]


def test_given_a_unit_without_its_attributes_on_any_row_then_required_on_its_first_row(world):
    rows = [row(department="", control_level=""), row(department="", control_level="")]
    errors = rejected(world, xlsx(rows))
    assert [(e["row"], e["column"]) for e in errors] == [(2, "D"), (2, "F")]


def test_given_an_existing_unit_name_then_refused_and_a_second_import_writes_nothing(world):
    data = xlsx(good_rows())
    run(world, data)
    before = everything()
    with pytest.raises(importer.ImportRejected) as caught:
        run(world, data)
    assert everything() == before
    errors = caught.value.as_list()
    assert [(e["row"], e["column"]) for e in errors] == [(2, "C"), (5, "C"), (6, "C")]
    assert "本企业已有名为“液氨储罐”的风险分析单元" in errors[0]["message"]


def test_given_an_existing_object_of_another_kind_then_refused(world):
    services.risk_object_create(
        actor=actor(world), enterprise_id=world.chem_a.pk, kind="device", name="1号储罐区"
    )
    errors = rejected(world, xlsx([row()]))
    assert [(e["row"], e["column"]) for e in errors] == [(2, "B")]
    assert "类型为“设备设施”" in errors[0]["message"]


def test_given_a_refusal_while_writing_then_everything_before_it_is_rolled_back(world, monkeypatch):
    real = services.control_measure_create
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise ValidationFailed({"responsible_person": ["Enter text."]})
        return real(**kwargs)

    monkeypatch.setattr(services, "control_measure_create", flaky)
    errors = rejected(world, xlsx(good_rows()))
    assert [(e["row"], e["column"]) for e in errors] == [(4, "N")]


# --- bad files --------------------------------------------------------------------------------------


def _one_file_error(world, data: bytes) -> str:
    errors = rejected(world, data)
    assert len(errors) == 1 and errors[0]["row"] is None and errors[0]["field"] == "file", errors
    return errors[0]["message"]


def test_given_a_text_file_then_a_clear_message(world):
    assert "不是 Excel 工作簿（.xlsx）" in _one_file_error(world, "风险,单元\n".encode())


def test_given_an_old_xls_or_encrypted_file_then_asked_to_save_as_xlsx(world):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    assert "另存为" in _one_file_error(world, ole)


def test_given_a_zip_that_is_not_a_workbook_then_a_clear_message(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert ".xlsx" in _one_file_error(world, buffer.getvalue())


def test_given_a_truncated_workbook_then_a_clear_message(world):
    data = xlsx([row()])
    assert ".xlsx" in _one_file_error(world, data[: len(data) // 2])


def test_given_an_empty_upload_then_a_clear_message(world):
    assert "空的" in _one_file_error(world, b"")


def test_given_only_the_headers_then_no_data_rows(world):
    assert "没有数据行" in _one_file_error(world, xlsx([]))


def test_given_an_empty_sheet_then_told_so(world):
    assert "表格是空的" in _one_file_error(world, xlsx([], headers=False))


def test_given_wrong_and_missing_headers_then_each_is_named_and_nothing_else_checked(world):
    headers = list(importer.HEADERS)
    headers[2] = "单元名称"
    headers = headers[:-2]
    errors = rejected(world, xlsx([row(control_level="集团")], headers=headers))
    summary, *cells = errors
    assert summary["field"] == "file" and "表头与导入模板不一致" in summary["message"]
    assert [(e["row"], e["column"]) for e in cells] == [(1, "C"), (1, "Q"), (1, "R")]
    assert cells[0]["message"] == "第1行 C列：表头应为“风险分析单元”，实际为“单元名称”"
    assert "缺少表头“E”" in cells[1]["message"]


def test_given_an_extra_header_then_refused(world):
    errors = rejected(world, xlsx([row()], headers=[*importer.HEADERS, "备注"]))
    assert [(e["row"], e["column"]) for e in errors] == [(None, None), (1, "S")]
    assert "多余的列“备注”" in errors[1]["message"]


def test_given_another_sheet_name_then_the_first_sheet_is_read(world):
    assert run(world, xlsx([row()], title="Sheet1")).units == 1


def test_given_more_than_5000_rows_then_refused_before_anything_is_checked(world):
    rows = [row(event=f"事件{i}") for i in range(importer.MAX_ROWS + 1)]
    assert "超过 5000 行" in _one_file_error(world, xlsx(rows))


def test_given_exactly_5000_rows_then_they_are_read(world):
    rows = [row(event=f"事件{i}") for i in range(importer.MAX_ROWS)]
    assert len(importer.read_rows(xlsx(rows))) == importer.MAX_ROWS


def test_given_a_file_over_the_size_limit_then_refused(world, monkeypatch):
    monkeypatch.setattr(importer, "FORMAT", dataclasses.replace(importer.FORMAT, max_bytes=1000))
    assert "MB" in _one_file_error(world, xlsx([row()]))


# --- who may import -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["principal_a", "safety_a", "expert_x"])
def test_given_a_risk_editor_when_importing_then_accepted(world, persona):
    assert run(world, xlsx([row()]), who=persona).units == 1


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("coordinator_x", Forbidden),
        ("employee_a", Forbidden),
        ("principal_c", NotFound),
        ("outsider", NotFound),
    ],
)
def test_given_anyone_else_when_importing_then_refused_before_the_file_is_read(
    world, persona, error
):
    before = everything()
    with pytest.raises(error):
        run(world, b"not a spreadsheet at all", who=persona)
    assert everything() == before


# --- the template -----------------------------------------------------------------------------------


def test_given_the_template_when_opened_then_headers_lists_and_instructions():
    book = load_workbook(io.BytesIO(import_template.build_template()))
    assert book.sheetnames == [importer.SHEET_NAME, importer.HELP_SHEET_NAME]
    sheet = book[importer.SHEET_NAME]
    assert [c.value for c in sheet[1]] == list(importer.HEADERS)
    assert sheet.max_row == 1  # no example rows to import by mistake
    lists = {
        str(v.sqref)[0]: v.formula1
        for v in sheet.data_validations.dataValidation
        if v.type == "list"
    }
    assert lists["F"] == '"公司,车间,班组,岗位"'
    assert lists["B"] == '"重大危险源,设备设施,区域场所,工艺作业,其他"'
    assert lists["J"] == '"工程技术,维护保养,操作行为,应急措施"'
    assert lists["M"] == '"小时,天,周,月,年"'
    assert lists["O"] == '"LEC,LS,MES"'
    help_text = "\n".join(
        str(c.value) for r in book[importer.HELP_SHEET_NAME].iter_rows() for c in r if c.value
    )
    for allowed in (
        "公司/车间/班组/岗位",
        "工程技术/维护保养/操作行为/应急措施",
        "可燃性粉尘",
        "LEC/LS/MES",
    ):
        assert allowed in help_text
    assert "L：10、6、3、1、0.5、0.2、0.1" in help_text


def test_given_the_template_uploaded_unfilled_then_no_data_rows(world):
    assert "没有数据行" in _one_file_error(world, import_template.build_template())


# --- the page -------------------------------------------------------------------------------------------


def signed_in(world, name: str) -> Client:
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


def page_url(world, enterprise=None) -> str:
    return f"/test/enterprises/{(enterprise or world.chem_a).pk}/risks/import/"


def test_given_a_risk_editor_when_opening_the_page_then_the_form_and_the_template_link(world):
    response = signed_in(world, "safety_a").get(page_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "/api/v1/risks/import-template.xlsx" in html
    assert "管控层级" in html  # the column list


def test_given_a_good_file_when_posted_on_the_page_then_the_counts(world):
    upload = io.BytesIO(xlsx(good_rows()))
    upload.name = "清单.xlsx"
    response = signed_in(world, "safety_a").post(page_url(world), {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="import-result"' in html
    assert '<span class="stat-value" id="count-units">3</span>' in html
    assert '<span class="stat-value" id="count-measures">6</span>' in html
    assert RiskUnit.objects.filter(enterprise=world.chem_a).count() == 3


def test_given_bad_rows_when_posted_on_the_page_then_the_error_table_and_nothing_written(world):
    rows = good_rows()
    rows[4][col("control_level")] = "集团"
    upload = io.BytesIO(xlsx(rows))
    upload.name = "清单.xlsx"
    before = everything()
    response = signed_in(world, "safety_a").post(page_url(world), {"file": upload})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="import-errors"' in html
    assert "第6行 F列（管控层级）：应为 公司/车间/班组/岗位 之一" in html
    assert everything() == before


def test_given_no_file_when_posted_on_the_page_then_asked_for_one(world):
    response = signed_in(world, "safety_a").post(page_url(world), {})
    assert response.status_code == 422
    assert 'id="import-errors"' in response.content.decode()


@pytest.mark.parametrize(("persona", "status"), [("coordinator_x", 403), ("principal_c", 404)])
def test_given_anyone_else_when_opening_the_page_then_refused(world, persona, status):
    assert signed_in(world, persona).get(page_url(world)).status_code == status


def test_given_nobody_signed_in_when_opening_the_page_then_sent_to_sign_in(world):
    response = Client().get(page_url(world))
    assert response.status_code == 302
    assert "login" in response["Location"]

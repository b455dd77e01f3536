"""Word notices: the rectification notice and the listed-supervision notice, opened back
with python-docx; the download pages per persona; the audit record of each download."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn

from anjian.core.audit import audit_verify
from anjian.core.errors import Conflict, NotFound
from anjian.core.models import AuditEntry
from anjian.hazards import documents
from tests.world import PASSWORD

from .helpers import actor, bring, report

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def text_of(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def zh_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- rectification notice --------------------------------------------------------------


def test_given_a_hazard_with_five_fixes_when_notice_built_then_all_its_facts_are_printed(world):
    hazard = bring(world, "general_fixes_set")
    text = text_of(documents.rectification_notice(hazard))
    # Found by the enterprise itself: its safety office's internal notice to the owner.
    assert "隐患整改通知单" in text
    assert "编号：（未编号）" in text  # a draft: numbered when downloaded
    assert "王工：" in text
    assert world.chem_a.uscc in text
    assert "1号储罐区呼吸阀堵塞" in text
    assert "隐患等级 | 一般事故隐患" in text
    assert "整改责任人 | 王工" in text
    assert "整改措施 | 清理呼吸阀并加装阻火器" in text
    assert "整改资金 | 1,500.00 元" in text
    assert f"整改期限 | {zh_date(hazard.deadline)}" in text
    assert "应急预案 | 期间每班巡检两次，备用呼吸阀就位" in text
    assert f"请于{zh_date(hazard.deadline)}前完成整改" in text
    # Legal basis as standards.md gives it: 安全生产法 第四十一条, 16号令 第十五条.
    assert "《中华人民共和国安全生产法》第四十一条" in text
    assert "国家安全生产监督管理总局令第16号）第十五条" in text
    # Reported by the enterprise's safety officer: an internal notice of the enterprise.
    assert "东县甲化工有限公司安全管理部门（盖章）" in text
    assert "签收人（签字）" in text


def test_given_no_five_fixes_yet_when_notice_built_then_they_read_to_be_set(world):
    hazard = report(world)
    text = text_of(documents.rectification_notice(hazard))
    for label in ("整改责任人", "整改措施", "整改资金", "整改期限", "应急预案"):
        assert f"{label} | （待落实）" in text
    assert "请立即制定整改方案" in text


def test_given_an_on_spot_hazard_then_fix_now_and_a_closed_one_says_so(world):
    open_one = report(world, handling="on_spot")
    assert "整改期限：请立即整改。" in text_of(documents.rectification_notice(open_one))
    closed = bring(world, "general_closed")
    text = text_of(documents.rectification_notice(closed))
    assert "处理结果：本隐患已于" in text and "验收销号" in text


def test_given_a_hazard_found_by_a_department_officer_then_the_department_issues(world):
    hazard = report(world, who="officer_emergency_x", source="government_inspection")
    text = text_of(documents.rectification_notice(hazard))
    assert "东县应急管理局（盖章）" in text


def test_given_a_hazard_found_by_the_coordinator_then_the_safety_committee_office_issues(world):
    hazard = report(world, who="coordinator_x", source="government_inspection")
    assert "东县安全生产委员会办公室（盖章）" in text_of(documents.rectification_notice(hazard))


def test_given_a_notice_then_a4_with_chinese_fonts(world):
    doc = Document(io.BytesIO(documents.rectification_notice(report(world))))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋"
    title_run = doc.paragraphs[0].runs[0]
    assert title_run.text == "隐患整改通知单"
    assert title_run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
    assert title_run.bold


# --- listing notice --------------------------------------------------------------------


def test_given_a_listed_major_hazard_when_listing_notice_built_then_basis_plan_and_notice(world):
    from .helpers import do

    hazard = do(world, "principal_a", bring(world, "major_listed"), "set_plan", True)
    text = text_of(documents.listing_notice(hazard))
    assert "重大事故隐患挂牌督办通知书" in text
    assert f"编号：{hazard.number}" not in text  # the document has its own number
    assert "东县甲化工有限公司：" in text
    assert "挂牌督办单位 | 东县安全生产委员会办公室" in text
    assert f"督办期限 | {zh_date(hazard.listing_deadline)}" in text
    # The determination basis: the cited list item.
    assert "安监总管三〔2017〕121号" in text and "第12项" in text
    assert "No gas detection" not in text  # the data file's English summary is not printed
    # The six parts of the plan, 16号令 第十五条.
    assert "治理的目标和任务 | 消除可燃气体泄漏无报警的重大隐患" in text
    assert "采取的方法和措施 | 安装可燃气体检测报警系统并联锁" in text
    assert "经费和物资的落实 | 资金20万元，探头12只" in text
    assert "负责治理的机构和人员 | 设备部牵头，仪表班实施，李四负责" in text
    assert "治理的时限和要求 | 30日内完成并调试" in text
    assert "安全措施和应急预案 | 施工期间停用相关装置" in text
    assert "对东县甲化工重大事故隐患挂牌督办" in text  # the public notice text
    # 挂牌督办's article of 16号令 is unconfirmed (standards.md A7.1): no article printed.
    assert "第二十条" not in text
    assert "东县安全生产委员会办公室（盖章）" in text


def _basis_paragraphs(content: bytes) -> list[str]:
    """The paragraphs under 二、判定依据, up to the next heading."""
    paragraphs = [p.text for p in Document(io.BytesIO(content)).paragraphs]
    start = paragraphs.index("二、判定依据") + 1
    end = paragraphs.index("三、治理方案")
    return paragraphs[start:end]


def test_given_an_english_ui_when_listing_notice_built_then_the_basis_is_the_official_chinese(
    world,
):
    from django.utils import translation

    from anjian.hazards import reference

    hazard = bring(world, "major_listed")
    with translation.override("en"):
        basis = _basis_paragraphs(documents.listing_notice(hazard))
    official = reference.item("hc2017-12").text_zh
    assert f"“{official}”" in basis
    assert all(documents.is_chinese(line) for line in basis)
    assert not any("gas detection" in line for line in basis)


def test_given_an_old_citation_with_an_english_gloss_then_the_notice_prints_the_list_text(world):
    from anjian.hazards import reference
    from anjian.hazards.models import Hazard

    hazard = bring(world, "major_listed")
    # Citations stored before the Chinese texts: `text` an English gloss quoting a
    # Chinese term (it has CJK characters, so a "has any CJK" test let it through).
    old = {k: v for k, v in hazard.major_item.items() if k != "text_zh"}
    old["text"] = "External safety distance of units involving 两重点一重大 not met."
    Hazard.objects.filter(pk=hazard.pk).update(major_item=old)
    basis = _basis_paragraphs(documents.listing_notice(hazard))
    assert f"“{reference.item('hc2017-12').text_zh}”" in basis
    assert not any("External" in line for line in basis)
    assert all(documents.is_chinese(line) for line in basis)


def test_given_a_citation_of_an_unknown_item_in_english_then_only_the_citation_line(world):
    from anjian.hazards.models import Hazard

    hazard = bring(world, "major_listed")
    old = {**hazard.major_item, "item_id": "gone-1", "text": "An English summary only."}
    old.pop("text_zh")
    Hazard.objects.filter(pk=hazard.pk).update(major_item=old)
    basis = _basis_paragraphs(documents.listing_notice(hazard))
    assert basis and not any("English" in line for line in basis)
    assert "安监总管三〔2017〕121号" in basis[0]


@pytest.mark.parametrize(
    ("text", "chinese"),
    [
        ("涉及可燃气体的场所未按国家标准（GB 50493）设置检测报警装置。", True),
        ("External safety distance involving 两重点一重大 not met.", False),
        ("No gas detection.", False),
        ("", False),
    ],
)
def test_given_texts_when_is_chinese_then_only_chinese_sentences(text, chinese):
    assert documents.is_chinese(text) is chinese


def test_given_listed_by_a_department_then_the_department_is_the_listing_body(world):
    hazard = bring(world, "major_submitted_dept")
    text = text_of(documents.listing_notice(hazard))
    assert "挂牌督办单位 | 东县应急管理局" in text


def test_given_listed_but_no_plan_yet_then_plan_parts_read_to_be_set(world):
    hazard = bring(world, "major_listed")
    text = text_of(documents.listing_notice(hazard))
    assert "治理的目标和任务 | （待落实）" in text
    assert "由主要负责人组织制定上述六项内容的治理方案" in text


@pytest.mark.parametrize("combo", ["general_fixes_set", "major_reported", "major_confirmed"])
def test_given_a_hazard_not_listed_when_listing_notice_asked_then_refused(world, combo):
    hazard = bring(world, combo)
    with pytest.raises(Conflict, match="未挂牌督办"):
        documents.listing_notice(hazard)


# --- the service: scope and audit ------------------------------------------------------


def test_given_a_download_then_the_audit_records_who_took_which_notice(world):
    hazard = bring(world, "major_listed")
    before = AuditEntry.objects.count()
    _, content = documents.notice_download(
        actor=actor(world, "grid_x1"), hazard_id=hazard.pk, kind="listing"
    )
    assert content.startswith(b"PK")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.action, entry.actor_label, entry.object_id) == (
        "hazard_notice",
        "grid_x1",
        str(hazard.pk),
    )
    assert entry.changes["kind"] == "listing"
    assert audit_verify().ok


@pytest.mark.parametrize("persona", ["principal_c", "coordinator_y", "officer_housing_x"])
def test_given_a_hazard_out_of_scope_when_downloading_then_not_found_and_no_audit(world, persona):
    hazard = report(world)
    before = AuditEntry.objects.count()
    with pytest.raises(NotFound):
        documents.notice_download(
            actor=actor(world, persona), hazard_id=hazard.pk, kind="rectification"
        )
    assert AuditEntry.objects.count() == before


def test_given_a_refused_listing_notice_then_no_audit_entry(world):
    hazard = report(world)
    before = AuditEntry.objects.count()
    with pytest.raises(Conflict):
        documents.notice_download(
            actor=actor(world, "safety_a"), hazard_id=hazard.pk, kind="listing"
        )
    assert AuditEntry.objects.count() == before


# --- the pages -------------------------------------------------------------------------


def signed_in(name: str) -> Client:
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("principal_a", 200),
        ("safety_a", 200),
        ("employee_a", 200),
        ("coordinator_x", 200),
        ("officer_emergency_x", 200),
        ("grid_x1", 200),
        ("expert_x", 200),
        ("platform_admin", 200),
        ("officer_housing_x", 404),
        ("coordinator_y", 404),
        ("principal_c", 404),
        ("outsider", 404),
    ],
)
def test_given_each_persona_when_downloading_the_rectification_notice_then_scope_decides(
    world, persona, status
):
    hazard = report(world)
    response = signed_in(persona).get(reverse("hazards:notice-rectification", args=[hazard.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == documents.CONTENT_TYPE
        assert "attachment;" in response["Content-Disposition"]
        assert hazard.number in text_of(response.content)


def test_given_anonymous_when_downloading_then_sent_to_sign_in(world):
    hazard = report(world)
    response = Client().get(reverse("hazards:notice-rectification", args=[hazard.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_given_a_listed_hazard_when_the_listing_notice_page_then_docx(world):
    hazard = bring(world, "major_listed")
    response = signed_in("principal_a").get(reverse("hazards:notice-listing", args=[hazard.pk]))
    assert response.status_code == 200
    assert "重大事故隐患挂牌督办通知书" in text_of(response.content)


def test_given_an_unlisted_hazard_when_the_listing_notice_page_then_409_with_the_reason(world):
    hazard = report(world)
    response = signed_in("principal_a").get(reverse("hazards:notice-listing", args=[hazard.pk]))
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="refused"' in html and hazard.number in html


def test_given_an_unknown_hazard_when_downloading_then_404(world):
    response = signed_in("coordinator_x").get(reverse("hazards:notice-listing", args=[999999]))
    assert response.status_code == 404


# --- who issues: a regulator's order or the enterprise's internal notice (issue 10) -----


def issue(world, hazard, who: str = "safety_a", kind: str = "rectification", today=None):
    """Download a notice through the service: numbered on first issue."""
    return documents.notice_download(
        actor=actor(world, who), hazard_id=hazard.pk, kind=kind, today=today
    )[1]


def ordered(world, who: str = "officer_emergency_x", on: dt.date | None = None, **data):
    """A hazard the enterprise found, then ordered rectified by a regulator (on a given
    day: the order is numbered and dated on the day of the step)."""
    from .helpers import act

    hazard = report(world)
    if on is None:
        return act(
            world, who, hazard, "order", {"note": "责令七日内清理呼吸阀并加装阻火器", **data}
        )
    with time_machine.travel(dt.datetime.combine(on, dt.time(10, 0), tzinfo=SHANGHAI), tick=False):
        return act(
            world, who, hazard, "order", {"note": "责令七日内清理呼吸阀并加装阻火器", **data}
        )


def numbers(content: bytes) -> list[str]:
    """The document-number paragraph(s): the lines with 〔year〕."""
    return [p.text for p in Document(io.BytesIO(content)).paragraphs if "〔" in p.text]


def test_given_a_self_found_hazard_when_downloaded_then_an_internal_notice_to_the_owner(world):
    from .helpers import do

    hazard = do(world, "safety_a", report(world), "set_five_fixes", False)
    text = text_of(issue(world, hazard, today=dt.date(2026, 5, 4)))
    assert "隐患整改通知单" in text and "本单位内部使用" in text
    assert "责令限期整改指令书" not in text
    # From the safety office to the five-fixes owner, not from the enterprise to itself.
    assert "王工：" in text
    assert "东县甲化工有限公司：" not in text
    assert "东县甲化工有限公司安全管理部门（盖章）" in text
    assert "编号：隐改〔2026〕1号" in text
    assert hazard.number not in numbers(issue(world, hazard))[0]
    # No appeal rights: it is no administrative act.
    assert "行政复议" not in text and "行政诉讼" not in text


def test_given_no_owner_yet_then_the_internal_notice_is_addressed_to_the_responsible_party(world):
    text = text_of(issue(world, report(world)))
    assert "整改责任部门（责任人）：" in text


def test_given_an_ordered_hazard_then_the_department_orders_with_number_seal_and_appeal(world):
    hazard = ordered(world, on=dt.date(2026, 5, 4))
    content = issue(world, hazard, who="principal_a", today=dt.date(2026, 5, 6))
    text = text_of(content)
    assert Document(io.BytesIO(content)).paragraphs[0].text == "责令限期整改指令书"
    assert "隐患整改通知单" not in text
    assert numbers(content)[0] == "东县应急责改〔2026〕1号"
    assert "东县甲化工有限公司：" in text  # addressed to the enterprise
    assert "你单位1号储罐区存在下列一般事故隐患" in text  # the enterprise found it
    assert "本机关在你单位" not in text
    assert "责令七日内清理呼吸阀并加装阻火器" in text  # what the order requires
    assert "《中华人民共和国安全生产法》第六十五条" in text
    # The seal line: the department and the date of issue.
    paragraphs = [p.text for p in Document(io.BytesIO(content)).paragraphs]
    seal = paragraphs.index("东县应急管理局（盖章）")
    assert paragraphs[seal + 1] == "2026年5月4日"
    # 行政复议法 (2023) 第二十条: 60 days; 行政诉讼法 第四十六条: 6 months; the county
    # government reviews its department's act.
    assert "六十日内向东县人民政府申请行政复议" in text
    assert "六个月内依法向人民法院提起行政诉讼" in text


def test_given_a_hazard_found_on_a_department_inspection_then_the_department_orders(world):
    hazard = report(world, who="officer_emergency_x", source="government_inspection")
    content = issue(world, hazard, who="officer_emergency_x", today=dt.date(2026, 5, 4))
    assert numbers(content)[0] == "东县应急责改〔2026〕1号"
    assert "本机关在你单位1号储罐区发现下列一般事故隐患" in text_of(content)
    assert "申请行政复议" in text_of(content)


def test_given_an_order_with_a_typed_document_number_then_that_number_is_printed(world):
    hazard = ordered(world, document_number="东应急责改〔2026〕88号")
    content = issue(world, hazard)
    assert numbers(content)[0] == "东应急责改〔2026〕88号"
    from anjian.hazards.models import DocumentCounter

    assert not DocumentCounter.objects.exists()  # no number of ours used up


def test_given_an_internal_notice_then_an_order_then_each_document_keeps_its_own_number(world):
    from .helpers import act

    hazard = report(world)
    internal = issue(world, hazard, today=dt.date(2026, 5, 4))
    assert "编号：隐改〔2026〕1号" in text_of(internal)
    with time_machine.travel(dt.datetime(2026, 5, 6, 10, tzinfo=SHANGHAI), tick=False):
        act(world, "coordinator_x", hazard, "order", {"note": "限期整改"})
    order = issue(world, hazard, today=dt.date(2026, 5, 6))
    assert numbers(order)[0] == "东县安委办责改〔2026〕1号"
    assert "东县安全生产委员会办公室（盖章）" in text_of(order)
    from anjian.hazards.models import HazardDocument

    assert sorted(HazardDocument.objects.values_list("kind", "number")) == [
        ("internal", "隐改〔2026〕1号"),
        ("order", "东县安委办责改〔2026〕1号"),
    ]


def test_given_orders_of_one_department_then_numbers_increase_and_restart_in_a_new_year(world):
    days = (dt.date(2026, 12, 30), dt.date(2026, 12, 31), dt.date(2027, 1, 2))
    first, second, third = (ordered(world, on=day) for day in days)
    # Downloaded later, in another order: the numbers are the order steps'.
    assert numbers(issue(world, third, today=dt.date(2027, 2, 1)))[0] == "东县应急责改〔2027〕1号"
    assert numbers(issue(world, first, today=dt.date(2027, 2, 1)))[0] == "东县应急责改〔2026〕1号"
    assert numbers(issue(world, second, today=dt.date(2027, 2, 1)))[0] == "东县应急责改〔2026〕2号"


def test_given_a_notice_downloaded_twice_then_it_keeps_its_number_and_date(world):
    from anjian.hazards.models import DocumentCounter, HazardDocument

    hazard = ordered(world, on=dt.date(2026, 5, 4))
    first = issue(world, hazard, who="officer_emergency_x", today=dt.date(2026, 5, 5))
    again = issue(world, hazard, who="principal_a", today=dt.date(2026, 6, 9))
    assert numbers(first) == numbers(again) == ["东县应急责改〔2026〕1号"]
    assert "2026年5月4日" in text_of(again) and "2026年6月9日" not in text_of(again)
    assert HazardDocument.objects.count() == 1
    assert DocumentCounter.objects.get().last == 1
    # Each copy is in the audit trail with the document's number.
    entries = AuditEntry.objects.filter(action="hazard_notice").order_by("seq")
    assert [e.changes["document_number"] for e in entries] == ["东县应急责改〔2026〕1号"] * 2
    assert audit_verify().ok


def test_given_two_issuers_then_their_sequences_are_independent(world):
    from anjian.hazards.models import Hazard

    day = dt.date(2026, 3, 1)
    by_department = [ordered(world, on=day) for _ in range(2)]
    by_committee = ordered(world, who="coordinator_x", on=day)
    assert [numbers(issue(world, h, today=day))[0] for h in by_department] == [
        "东县应急责改〔2026〕1号",
        "东县应急责改〔2026〕2号",
    ]
    assert numbers(issue(world, by_committee, today=day))[0] == "东县安委办责改〔2026〕1号"
    # Enterprise internal notices count on their own too, per enterprise.
    own = report(world)
    other = report(world, who="principal_c", enterprise=world.chem_c)
    assert "编号：隐改〔2026〕1号" in text_of(issue(world, own, today=day))
    assert "编号：隐改〔2026〕1号" in text_of(issue(world, other, who="principal_c", today=day))
    assert Hazard.objects.count() == 5


def test_given_a_listed_hazard_then_the_listing_notice_has_the_listing_bodys_number(world):
    # Listed in 2026: the notice's number carries the year of the listing step.
    with time_machine.travel(dt.datetime(2026, 5, 4, 10, tzinfo=SHANGHAI), tick=False):
        hazard = bring(world, "major_listed")
    content = issue(world, hazard, kind="listing", today=dt.date(2026, 5, 4))
    assert numbers(content)[0] == "东县安委办督办〔2026〕1号"
    assert hazard.number not in numbers(content)[0]


def test_given_a_refused_listing_notice_then_no_number_is_used_up(world):
    from anjian.hazards.models import DocumentCounter, HazardDocument

    with pytest.raises(Conflict):
        issue(world, report(world), kind="listing")
    assert not DocumentCounter.objects.exists() and not HazardDocument.objects.exists()


def test_given_an_ordered_hazard_when_the_page_downloads_then_the_file_is_named_as_an_order(
    world,
):
    hazard = ordered(world)
    response = signed_in("principal_a").get(
        reverse("hazards:notice-rectification", args=[hazard.pk])
    )
    assert response.status_code == 200
    assert (
        "%E8%B4%A3%E4%BB%A4" in response["Content-Disposition"]
        or "责令" in (response["Content-Disposition"])
    )


needs_postgres = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="row locks need PostgreSQL; SQLite serialises writers instead",
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_given_two_downloads_at_once_then_one_document_one_number():
    from anjian.hazards.models import DocumentCounter, HazardDocument
    from tests.world import build_world

    world = build_world()
    hazard = ordered(world)
    barrier = threading.Barrier(2)
    got: list[list[str]] = []

    def go(who: str) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            got.append(numbers(issue(world, hazard, who=who)))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=go, args=(w,)) for w in ("principal_a", "safety_a")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    year = timezone.localdate().year
    assert got == [[f"东县应急责改〔{year}〕1号"]] * 2
    assert HazardDocument.objects.count() == 1
    assert DocumentCounter.objects.get().last == 1


def test_given_a_hazard_an_expert_found_then_the_lead_department_orders(world):
    hazard = report(world, who="expert_x", source="government_inspection")
    content = issue(world, hazard, who="expert_x", today=dt.date(2026, 5, 4))
    assert numbers(content)[0] == "东县应急责改〔2026〕1号"  # chem_a: emergency leads
    assert "东县应急管理局（盖章）" in text_of(content)


def test_given_a_county_name_then_the_number_prefix_drops_the_suffix_unless_one_character():
    from anjian.registry.models import Department, Division

    county = Division(name="安澜县")
    assert (
        documents.department_issuer(
            Department(pk=1, kind="emergency", division=county, name="安澜县应急管理局")
        ).short
        == "安澜应急"
    )
    assert documents.committee_issuer(Division(pk=2, name="东县")).short == "东县安委办"
    other = Department(pk=3, kind="unknown", division=county, name="安澜县某局")
    assert documents.department_issuer(other).short == "安澜县某局"


def test_given_a_hazard_a_grid_officer_found_then_the_township_government_orders(world):
    hazard = report(world, who="grid_x1", source="government_inspection")
    content = issue(world, hazard, who="grid_x1", today=dt.date(2026, 5, 4))
    text = text_of(content)
    # 东镇一网格 is no legal body: its township's people's government signs, and the county
    # government above reviews the township's act.
    assert "东镇人民政府（盖章）" in text and "网格（盖章）" not in text
    assert numbers(content)[0] == "东镇责改〔2026〕1号"
    assert "六十日内向东县人民政府申请行政复议" in text


def test_given_a_sub_district_then_its_office_signs():
    from anjian.registry.models import Division

    county = Division(pk=1, name="安澜区", level="county")
    street = Division(pk=2, name="城东街道", level="township", parent=county)
    grid = Division(pk=3, name="城东一网格", level="grid", parent=street)
    issuer = documents.township_issuer(grid)
    assert (issuer.name, issuer.short, issuer.appeal_to) == (
        "城东街道办事处",
        "城东",
        "安澜区人民政府",
    )


def test_given_an_order_step_then_the_order_is_numbered_that_day_before_any_download(world):
    from anjian.hazards.models import HazardDocument

    hazard = ordered(world, on=dt.date(2026, 7, 1))
    document = HazardDocument.objects.get(hazard=hazard)
    assert (document.kind, document.number, document.issued_on) == (
        documents.ORDER,
        "东县应急责改〔2026〕1号",
        dt.date(2026, 7, 1),
    )
    assert document.issued_by == world.user("officer_emergency_x")

"""A newcomer takes a major hazard from report to close-out in a real browser, through
every step and every role, and is told why a step is refused when it is. The enterprise
side works on a phone (photograph, describe, submit)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from anjian.hazards import workflow as wf
from anjian.hazards.models import Hazard, HazardEvent
from tests.e2e.test_browser import DESKTOP, PHONE, sign_in
from tests.hazards.helpers import MAJOR_ITEM, in_days

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png_file(tmp_path, name: str) -> str:
    from PIL import Image

    path = tmp_path / name
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(buf, format="PNG")
    path.write_bytes(buf.getvalue())
    return str(path)


def as_user(browser, base, username, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, username)
    return context, page


def take_step(page, base, hazard, action, fill=None, files=None):
    page.goto(base + reverse("hazards:detail", args=[hazard.pk]))
    page.click(f"a[data-step={action}]")
    page.wait_for_url(base + reverse("hazards:step", args=[hazard.pk, action]))
    for name, value in (fill or {}).items():
        page.fill(f"[name={name}]", value)
    if files:
        page.set_input_files("input[name=photos]", files)
    page.click("form.form button[type=submit]")
    page.wait_for_url(base + reverse("hazards:detail", args=[hazard.pk]))
    assert "alert-success" in page.content()


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_given_a_major_hazard_when_each_role_takes_its_step_in_the_browser_then_it_closes(
    live_server, world, browser, artifacts, tmp_path
):
    base = live_server.url

    # 1. The safety officer, on a phone, photographs and reports it, citing a list item,
    #    with its causes and the analysis of its harm (16号令 第十四条).
    ctx, page = as_user(browser, base, "safety_a", PHONE)
    page.goto(base + reverse("hazards:ledger"))
    page.click('.page-head a:has-text("上报隐患")')
    page.wait_for_url(base + reverse("hazards:report", args=[world.chem_a.pk]))
    no_sideways_scroll(page)
    page.fill("[name=description]", "液氯储罐区未设置有毒气体泄漏检测报警装置")
    page.fill("[name=location]", "液氯库")
    page.set_input_files("input[name=photos]", png_file(tmp_path, "before.png"))
    page.select_option("[name=hazard_type]", "safety")
    page.select_option("[name=category]", "things")
    # The first screen is the photo, the description and where; the rest is folded.
    assert not page.locator("[name=major_item]").is_visible()
    assert (
        page.evaluate("getComputedStyle(document.querySelector('[name=description]')).fontSize")
        == "16px"
    )  # iOS does not zoom on focus
    page.click("#report-more > summary")
    page.select_option("[name=major_item]", MAJOR_ITEM)
    page.click("form.form button[type=submit]")  # a major hazard without cause or harm
    page.wait_for_load_state("networkidle")
    assert Hazard.objects.count() == 0
    for name in ("cause", "harm_analysis"):
        assert page.locator(f".field.has-error [name={name}]").count() == 1, name
    page.fill("[name=cause]", "改造时漏装检测报警装置")
    page.fill("[name=harm_analysis]", "液氯泄漏无法及时发现，可能致人中毒；需停用液氯库加装报警")
    page.set_input_files("input[name=photos]", png_file(tmp_path, "before.png"))
    page.screenshot(path=str(artifacts / "e2e-hazard-report-390.png"), full_page=True)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("networkidle")
    hazard = Hazard.objects.get()
    assert page.url == base + reverse("hazards:detail", args=[hazard.pk])
    assert hazard.level == "major" and hazard.photos.count() == 1
    assert hazard.cause and hazard.harm_analysis
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "e2e-hazard-detail-390.png"), full_page=True)

    # The officer cannot confirm it herself, and the page says who may.
    page.click("a[href$='/steps/confirm_major/']")
    page.wait_for_load_state("networkidle")
    refused = page.locator(".hz-refused").inner_text()
    assert "专家" in refused
    ctx.close()

    # 2. The expert confirms it (a step in parallel: the state stays "reported").
    ctx, page = as_user(browser, base, "expert_x")
    take_step(page, base, hazard, wf.CONFIRM_MAJOR, {"note": "符合判定标准第12项"})
    ctx.close()
    assert Hazard.objects.get(pk=hazard.pk).state == wf.REPORTED

    # 3. The lead department lists it for supervision (挂牌督办), and so reviews it.
    ctx, page = as_user(browser, base, "officer_emergency_x")
    take_step(
        page,
        base,
        hazard,
        wf.LIST,
        {"deadline": in_days(60), "notice": "对该重大事故隐患挂牌督办，限期60日整改"},
    )
    ctx.close()

    hazard.refresh_from_db()
    assert hazard.state == wf.REPORTED and hazard.listed_at is not None
    assert hazard.review_department == world.emergency_x

    # 4. The principal sets the plan (the five fixes with the six-part plan), starts, and
    #    submits with an "after" photo, on a phone.
    ctx, page = as_user(browser, base, "principal_a", PHONE)
    page.goto(base + reverse("hazards:step", args=[hazard.pk, wf.SET_PLAN]))
    page.click("form.form button[type=submit]")  # empty: every missing part is named
    page.wait_for_load_state("networkidle")
    assert page.locator(".field-error").count() >= 10
    assert Hazard.objects.get(pk=hazard.pk).state == wf.REPORTED
    fields = {
        "owner": "李四",
        "measures": "安装有毒气体检测报警系统并与紧急切断联锁",
        "funds": "200000",
        "deadline": in_days(30),
        "contingency_plan": "整改期间每2小时巡检，配便携式检测仪",
        "plan_targets": "消除重大事故隐患",
        "plan_methods": "安装检测报警并联锁",
        "plan_funds_materials": "20万元，探头12只",
        "plan_organisation": "设备部牵头，李四负责",
        "plan_time_limit": "30日内完成",
        "plan_safety_measures": "施工期间停用相关装置，执行应急预案",
    }
    for name, value in fields.items():
        page.fill(f"[name={name}]", value)
    page.click("form.form button[type=submit]")
    page.wait_for_url(base + reverse("hazards:detail", args=[hazard.pk]))
    take_step(page, base, hazard, wf.START_RECTIFICATION)
    take_step(
        page,
        base,
        hazard,
        wf.SUBMIT,
        {"note": "检测报警系统已安装并调试，联锁测试合格"},
        files=png_file(tmp_path, "after.png"),
    )
    no_sideways_scroll(page)
    # Listed by the department: the enterprise does not accept it itself.
    assert page.locator(f"a[data-step={wf.ACCEPT}]").count() == 0
    ctx.close()

    # 5. The county coordinator did not list it: the review is not theirs.
    ctx, page = as_user(browser, base, "coordinator_x")
    page.goto(base + reverse("hazards:detail", args=[hazard.pk]))
    assert page.locator(f"a[data-step={wf.ACCEPT}]").count() == 0
    page.goto(base + reverse("hazards:step", args=[hazard.pk, wf.ACCEPT]))
    assert page.locator(".hz-refused").inner_text().strip()
    assert page.locator("form.form").count() == 0
    assert Hazard.objects.get(pk=hazard.pk).state == wf.SUBMITTED
    ctx.close()

    # 6. The listing authority reviews and accepts it, and so closes it.
    ctx, page = as_user(browser, base, "officer_emergency_x")
    take_step(page, base, hazard, wf.ACCEPT, {"note": "现场复查：报警联锁有效，同意核销"})
    ctx.close()

    # 7. The safety committee office records the accountability review.
    ctx, page = as_user(browser, base, "coordinator_x")
    take_step(
        page,
        base,
        hazard,
        wf.ACCOUNTABILITY_REVIEW,
        {"findings": "未按规范设置检测报警", "persons": "王五, 安全管理员, 通报批评"},
    )
    page.screenshot(path=str(artifacts / "e2e-hazard-closed-1280.png"), full_page=True)
    assert "责任倒查" in page.content()
    ctx.close()

    hazard.refresh_from_db()
    assert hazard.state == wf.CLOSED
    assert list(HazardEvent.objects.filter(hazard=hazard).values_list("action", flat=True)) == [
        wf.REPORT,
        wf.CONFIRM_MAJOR,
        wf.LIST,
        wf.SET_PLAN,
        wf.START_RECTIFICATION,
        wf.SUBMIT,
        wf.ACCEPT,
        wf.ACCOUNTABILITY_REVIEW,
    ]
    assert hazard.events.get(action=wf.ACCEPT).actor == world.user("officer_emergency_x")

"""A safety officer in a real browser adds a risk unit, assesses it by LEC, adds an event
and a measure, sees the check task and the safety code; anybody can then open the code's
public page without signing in and see that it is valid."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse

from anjian.risks.models import CheckTask, RiskState, RiskUnit
from tests.e2e.test_browser import DESKTOP, PHONE, sign_in

# The live server needs real transactions (see test_browser.py).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded site plans go to a temporary directory, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def png_bytes(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (236, 240, 236)).save(out, format="PNG")
    return out.getvalue()


def test_given_safety_officer_when_unit_assessed_by_lec_then_red_code_terms_and_public_page(
    live_server, world, browser, artifacts
):
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, "safety_a")
    risk_url = base + reverse("risks:enterprise", args=[world.chem_a.pk])

    # From the nav to the enterprise's risk page, then a new object and a new unit.
    page.click(f"nav a[href='{reverse('risks:enterprise', args=[world.chem_a.pk])}']")
    page.wait_for_url(risk_url)
    page.click(f"a[href='{reverse('risks:object-create', args=[world.chem_a.pk])}']")
    page.select_option("select[name=kind]", "device")
    page.fill("input[name=name]", "氯化反应釜")
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r".*/risks/units/new/\?object=\d+$"))
    page.fill("input[name=name]", "氯化工段")
    page.fill("input[name=responsible_department]", "合成车间")
    page.fill("input[name=responsible_person]", "赵工")
    page.select_option("select[name=control_level]", "workshop")
    page.check("input[name=hazard_factors][value=toxic_gas]")
    page.screenshot(path=str(artifacts / "e2e-risk-unit-form-1280.png"), full_page=True)
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r".*/risks/units/\d+/$"))
    unit = RiskUnit.objects.get(name="氯化工段")

    # Assess by LEC: L=6 (相当可能), E=6, C=15 → D = 540 → 重大风险, profile named.
    assert page.locator("select[name=lec_L] option[value='6']").inner_text() == "6 — 相当可能"
    page.select_option("select[name=method]", "lec")
    page.select_option("select[name=lec_L]", "6")
    page.select_option("select[name=lec_E]", "6")
    page.select_option("select[name=lec_C]", "15")
    assert page.locator("select[name=lec_profile]").input_value() == "lec-5class-db"
    assert "540" in page.locator(".method-fieldset[data-method=lec] .score-preview").inner_text()
    assert not page.locator(".method-fieldset[data-method=ls]").is_visible()
    page.click("form.assess-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    latest = page.locator("#latest")
    assert "LEC 540" in latest.inner_text()
    assert "重大风险" in latest.inner_text()
    assert page.locator("#latest-profile").get_attribute("data-profile") == "lec-5class-db"
    unit.refresh_from_db()
    assert unit.colour == "red"

    # An event, then a measure: its check task appears under it.
    page.fill("#event-form input[name=name]", "氯气泄漏中毒")
    page.click("#event-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    event = page.locator(".event", has_text="氯气泄漏中毒")
    event.locator("summary").click()
    prefix = event.locator("form input[name$=-description]").get_attribute("name").split("-")[0]
    event.locator(f"input[name={prefix}-description]").fill("设置有毒气体检测报警仪")
    event.locator(f"select[name={prefix}-classification]").select_option("engineering")
    event.locator(f"input[name={prefix}-check_content]").fill("检查氯气报警仪是否完好")
    event.locator(f"input[name={prefix}-cycle]").fill("1")
    event.locator(f"select[name={prefix}-cycle_unit]").select_option("day")
    event.locator(f"input[name={prefix}-responsible_person]").fill("当班班长")
    event.locator("form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "检查氯气报警仪是否完好" in page.locator(".event", has_text="氯气泄漏中毒").inner_text()
    assert CheckTask.objects.filter(measure__event__unit=unit).count() == 1
    page.screenshot(path=str(artifacts / "e2e-risk-unit-1280.png"), full_page=True)

    # A site plan, then the unit's area drawn by clicking three corners on it.
    page.goto(base + reverse("risks:siteplan-upload", args=[world.chem_a.pk]))
    page.set_input_files(
        "input[name=image]",
        files=[{"name": "plan.png", "mimeType": "image/png", "buffer": png_bytes(400, 300)}],
    )
    page.click("form.form button[type=submit]")
    page.wait_for_url(base + reverse("risks:site-map", args=[world.chem_a.pk]))
    page.goto(base + reverse("risks:unit-detail", args=[unit.pk]) + "#area")
    plan = page.locator(".plan-editor")
    box = plan.bounding_box()
    for fx, fy in ((0.1, 0.1), (0.5, 0.1), (0.5, 0.5)):
        plan.click(position={"x": box["width"] * fx, "y": box["height"] * fy})
    assert len(page.locator("#id_area").input_value().splitlines()) == 3
    page.click("#area-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    unit.refresh_from_db()
    assert len(unit.area) == 3 and abs(unit.area[1][0] - 0.5) < 0.02
    page.goto(base + reverse("risks:site-map", args=[world.chem_a.pk]))
    assert page.locator("polygon.plan-area.risk-red").count() == 1
    page.screenshot(path=str(artifacts / "e2e-risk-map-1280.png"), full_page=True)

    # The risk page: the unit in red, the task, and the safety code with every term.
    page.goto(risk_url)
    assert "氯化工段" in page.locator("#unit-table").inner_text()
    assert "检查氯气报警仪是否完好" in page.locator("#tasks").inner_text()
    code_card = page.locator("#safety-code")
    terms = page.locator("#code-terms").inner_text()
    assert "最高风险单元等级" in terms and "重大风险" in terms
    unit_row = page.locator("#unit-table").inner_text()
    assert "LEC 五级" in unit_row and "lec-5class-db" not in unit_row  # the label, not the name
    state = RiskState.objects.select_related("code").get(enterprise=world.chem_a)
    assert state.code.colour in code_card.get_attribute("class")
    public_url = page.locator(".qr-url").inner_text().strip()
    assert public_url == base + reverse("risks:code-verify", args=[state.code.token])
    assert page.locator("#safety-code svg.qr-svg").count() == 1
    page.screenshot(path=str(artifacts / "e2e-risk-page-1280.png"), full_page=True)
    context.close()

    # A fresh browser, nobody signed in: the public page says the code is valid.
    anonymous = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    public = anonymous.new_page()
    response = public.goto(public_url)
    assert response.status == 200
    assert public.locator("#code-status").inner_text() == "有效"
    text = public.locator("#code-verification").inner_text()
    assert world.chem_a.name in text and world.chem_a.uscc not in text
    assert public.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    public.screenshot(path=str(artifacts / "e2e-risk-public-code-390.png"), full_page=True)
    anonymous.close()

    # On a phone the risk and unit pages fit the screen.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in(page, base, "safety_a")
    for name, url in (
        ("page", risk_url),
        ("unit", base + reverse("risks:unit-detail", args=[unit.pk])),
    ):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
        page.screenshot(path=str(artifacts / f"e2e-risk-{name}-390.png"), full_page=True)
    phone.close()

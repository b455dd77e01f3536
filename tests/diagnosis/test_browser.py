"""An expert in a real browser scores chem_a by the guide: the live total follows the
inputs and the direct-red box, a deduction above its item's points comes back as an error
under that item, the corrected form is recorded; on a phone the form does not scroll
sideways."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.diagnosis.models import Diagnosis
from tests.e2e.conftest import browser  # noqa: F401  (the fixture)
from tests.e2e.test_browser import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def artifacts():
    from tests.e2e.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def test_given_an_expert_when_scoring_in_a_browser_then_live_total_errors_and_record(
    live_server,
    world,
    browser,  # noqa: F811
    artifacts,
):
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, "expert_x")
    page.goto(base + reverse("risks:enterprise", args=[world.chem_a.pk]))
    page.click("#diagnosis-link")
    page.click(f"a[href='{reverse('diagnosis:new', args=[world.chem_a.pk])}']")
    live = page.locator("[data-live-score]")
    assert live.inner_text() == "100"
    page.fill("input[name=d_major_hazard]", "8")
    page.fill("input[name=d_personnel]", "10")
    page.fill("input[name=d_surroundings]", "3")
    page.fill("input[name=d_substance_hazard]", "0.1")
    assert live.inner_text() == "78.9"
    assert "黄" in page.locator("[data-live-class]").inner_text()
    page.fill("input[name=d_equipment]", "9")  # above its 5 points: previewed as 5
    assert live.inner_text() == "73.9"
    page.check("input[name=r_undesigned_unit]")
    assert "红" in page.locator("[data-live-class]").inner_text()
    page.screenshot(path=str(artifacts / "e2e-diagnosis-form-1280.png"), full_page=True)
    page.click("#diagnosis-form button[type=submit]")
    error = page.locator("#item-equipment .field-error")
    assert error.inner_text() == "本项最多扣 5 分。"
    page.screenshot(path=str(artifacts / "e2e-diagnosis-form-error-1280.png"), full_page=True)
    assert not Diagnosis.objects.exists()
    page.fill("input[name=d_equipment]", "2")
    page.click("#diagnosis-form button[type=submit]")
    page.wait_for_url(f"**/enterprises/{world.chem_a.pk}/diagnosis/*/")
    diagnosis = Diagnosis.objects.get()
    assert (diagnosis.score_text, diagnosis.colour, diagnosis.score_colour) == (
        "76.9",
        "red",
        "yellow",
    )
    assert "76.9" in page.content()
    page.screenshot(path=str(artifacts / "e2e-diagnosis-detail-1280.png"), full_page=True)
    page.goto(base + reverse("risks:enterprise", args=[world.chem_a.pk]))
    assert "76.9" in page.locator("#supervision-terms").inner_text()
    page.locator("#supervision").screenshot(path=str(artifacts / "e2e-diagnosis-term-1280.png"))
    context.close()

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in(page, base, "safety_a")
    page.goto(base + reverse("diagnosis:new", args=[world.chem_a.pk]))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the form scrolls sideways on a phone"
    page.screenshot(path=str(artifacts / "e2e-diagnosis-form-390.png"), full_page=True)
    phone.close()

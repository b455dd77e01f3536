"""A plan filed in the browser (issue 14, "done when"): the enterprise's principal, on a
phone, drafts a plan, signs it and submits it for filing; the county emergency
management department's officer, on a phone, finds it on the filing desk and files it
with a number; the principal sees it filed. Phone screens (390×844) are saved in
docs/screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from anjian.emergency.models import Plan
from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.e2e.test_browser import PHONE, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"


def screenshot(page, path: Path) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True)


def phone_page(browser, base: str, username: str):  # noqa: F811
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, base, username)
    return page


def test_given_an_enterprise_when_it_files_a_plan_then_the_regulator_files_it_and_it_shows_filed(
    world,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
    live_server,
):
    base = live_server.url

    # 1. The principal drafts, signs and submits (phone).
    page = phone_page(browser, base, "principal_a")
    page.goto(base + reverse("emergency:plans"))
    page.click("#plan-new")
    page.select_option("#id_kind", "special")
    page.fill("#id_title", "储罐区液氨泄漏专项应急预案")
    page.fill("#id_summary", "适用于液氨储罐区泄漏、中毒事故的应急处置。")
    page.check("input[name=accident_types][value='19']")
    page.fill(
        "#id_response_levels",
        "Ⅰ级 | 泄漏无法控制 | 全厂撤离，请求外部救援\nⅡ级 | 少量泄漏 | 现场处置",
    )
    page.fill("#id_roles", "总指挥 | 李四 | 13800000001\n现场指挥 | 王五 | 13800000002")
    no_sideways_scroll(page)
    screenshot(page, artifacts / "emergency-plan-new.png")
    page.click("#plan-save")
    page.wait_for_selector("#plan-state[data-state=draft]")
    plan = Plan.objects.get()
    page.click("#act-sign summary")
    page.click("#do-sign")
    page.wait_for_selector("#plan-state[data-state=issued]")
    assert page.locator("#plan-filing-due").count() == 1
    page.click("#act-submit summary")
    page.select_option("#id_submit_department", str(world.emergency_x.pk))
    page.click("#do-submit")
    page.wait_for_selector("#plan-state[data-state=submitted]")
    page.context.close()

    # 2. The emergency department files it from its desk (phone).
    office = phone_page(browser, base, "officer_emergency_x")
    office.goto(base + reverse("emergency:plan-filings"))
    office.wait_for_selector(f"#desk-awaiting tr[data-plan='{plan.pk}']")
    no_sideways_scroll(office)
    screenshot(office, SHOTS / "emergency-plan-filings.png")
    office.click(f"#desk-awaiting tr[data-plan='{plan.pk}'] a")
    office.click("#act-file summary")
    office.fill("#id_file_filing_number", "东应急预备〔2026〕12号")
    office.click("#do-file")
    office.wait_for_selector("#plan-state[data-state=filed]")
    office.context.close()

    # 3. The principal sees it filed, with the number.
    page = phone_page(browser, base, "principal_a")
    page.goto(base + reverse("emergency:plan", args=[plan.pk]))
    page.wait_for_selector("#plan-state[data-state=filed]")
    assert page.inner_text("#plan-filing-number") == "东应急预备〔2026〕12号"
    no_sideways_scroll(page)
    screenshot(page, SHOTS / "emergency-plan.png")
    plan.refresh_from_db()
    assert plan.state == "filed" and plan.filed_by == world.user("officer_emergency_x")

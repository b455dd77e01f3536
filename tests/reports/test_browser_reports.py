"""In a real browser: the principal signs the statistics table on a phone; the county
coordinator sees the figures with the ECharts chart drawn, on a desktop and a phone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from anjian.core.audit import Actor
from anjian.reports import services
from anjian.reports.models import HazardStatement
from anjian.reports.periods import Period
from tests.e2e.conftest import artifacts, browser  # noqa: F401 - fixtures
from tests.e2e.test_browser import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"


def test_given_a_draft_when_principal_signs_on_a_phone_then_submitted(
    live_server,
    world,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
):
    period = Period(timezone.localdate().year - 2, 1)
    statement = services.hazard_statement_prepare(
        actor=Actor.for_user(world.user("safety_a"), "web"),
        enterprise_id=world.chem_a.pk,
        period=period,
        analysis="本季度隐患均已按期整改。",
    )
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server.url, "principal_a")
    page.goto(f"{live_server.url}/reports/statements/{statement.pk}/")
    no_sideways_scroll(page)
    page.click("form.report-sign button[type=submit]")
    page.wait_for_selector(".status-late")
    page.screenshot(path=str(artifacts / "e2e-reports-statement-390.png"), full_page=True)
    assert HazardStatement.objects.get(pk=statement.pk).is_signed
    context.close()


def test_given_coordinator_then_figures_chart_drawn_on_desktop_and_phone(
    live_server,
    world,
    dataset,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
):
    url = f"{live_server.url}/reports/figures/?period={dataset.period.key}&group_by=department"
    for name, viewport in (("1280", DESKTOP), ("390", PHONE)):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        sign_in(page, live_server.url, "coordinator_x")
        page.goto(url)
        page.wait_for_selector("#figures-chart canvas")
        assert page.locator("#figures-table tfoot td").nth(1).inner_text() == "7"
        if viewport is PHONE:
            no_sideways_scroll(page)
        page.screenshot(path=str(artifacts / f"e2e-reports-figures-{name}.png"), full_page=True)
        context.close()

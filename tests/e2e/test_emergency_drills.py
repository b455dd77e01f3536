"""An unannounced drill (不打招呼) in the browser (issue 14, "done when"): the county
coordinator orders one at chem_a on a desktop; the enterprise's principal, on a phone,
opens it from the inbox notification, acknowledges, starts and finishes it with the big
buttons; the coordinator sees the measured response times in the drills list, beside
the compliance table of the county. Phone screens are saved in docs/screenshots."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from anjian.core.models import Notification
from anjian.emergency.models import Drill
from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.e2e.test_browser import DESKTOP, PHONE, sign_in
from tests.emergency.drill_helpers import plan

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"


def screenshot(page, path: Path) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True)


def test_given_a_regulator_when_ordering_an_unannounced_drill_then_the_phone_answers_and_times_show(
    world,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
    live_server,
):
    plan(world, title="液氨泄漏现场处置方案")
    base = live_server.url

    # 1. The coordinator orders the drill (desktop).
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    office = desk.new_page()
    sign_in(office, base, "coordinator_x")
    office.goto(base + reverse("emergency:drills"))
    office.click("#drill-order")
    office.select_option("#id_enterprise", str(world.chem_a.pk))
    office.select_option("#id_kind", "full_scale")
    office.fill("#id_scenario", "不打招呼演练：装车区液氨泄漏，一人中毒")
    office.click("#drill-order-form button[type=submit]")
    office.wait_for_selector("#drill-state[data-state=ordered]")
    drill = Drill.objects.get()
    assert drill.unannounced and drill.ordered_by == world.user("coordinator_x")
    # The clock runs from the order: place it seven minutes back, as if the principal
    # took that long to pick up the phone.
    Drill.objects.filter(pk=drill.pk).update(
        ordered_at=timezone.now() - dt.timedelta(minutes=7, seconds=5)
    )
    link = Notification.objects.get(recipient=world.user("principal_a")).link

    # 2. The principal answers on a phone, from the notification's link.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in(page, base, "principal_a")
    page.goto(base + link)
    page.wait_for_selector("#act-acknowledge button")
    no_sideways_scroll(page)
    button = page.locator("#act-start button").bounding_box()
    assert button and button["height"] >= 60 and button["width"] >= 300  # a thumb's target
    screenshot(page, SHOTS / "emergency-drill.png")
    page.click("#act-acknowledge button")
    page.wait_for_selector("#time-ack")
    assert page.inner_text("#time-ack") == "7"
    page.click("#act-start button")
    page.wait_for_selector("#drill-state[data-state=running]")
    page.fill("#id_finish_participants", "24")
    page.click("#act-finish button")
    page.wait_for_selector("#drill-state[data-state=done]")
    assert page.inner_text("#time-start") == "7"
    assert page.inner_text("#time-total") == "7"
    no_sideways_scroll(page)
    screenshot(page, SHOTS / "emergency-drill-done.png")
    drill.refresh_from_db()
    assert (drill.state, drill.participants) == ("done", 24)

    # 3. The coordinator compares the response times in the list.
    office.goto(base + reverse("emergency:drills"))
    row = office.locator(f"#unannounced-table tr[data-drill='{drill.pk}']")
    assert row.locator(".dr-t-ack").inner_text() == "7"
    assert row.locator(".dr-t-start").inner_text() == "7"
    assert row.locator(".dr-t-total").inner_text() == "7"
    statuses = office.eval_on_selector_all(
        "#compliance-table tbody tr", "rows => rows.map(r => r.dataset.status)"
    )
    assert statuses[0] == "overdue"  # build_b, construction, never drilled
    office.screenshot(path=str(SHOTS / "emergency-drill-list.png"), full_page=True)

    # On the regulator's phone too, the list fits.
    small = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    glance = small.new_page()
    sign_in(glance, base, "coordinator_x")
    glance.goto(base + reverse("emergency:drills"))
    no_sideways_scroll(glance)
    screenshot(glance, artifacts / "e2e-emergency-drills-list-390.png")
    for context in (desk, phone, small):
        context.close()

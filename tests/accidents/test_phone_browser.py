"""The quick report from a phone, in Chromium at 390 px: the safety officer fills the form
(no sideways scroll, inputs of at least 16 px, big buttons), sends it and lands on the
accident with its grade and deadlines. Screens saved in test-artifacts/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.accidents.models import Accident
from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.e2e.test_browser import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_given_a_phone_when_the_safety_officer_sends_a_quick_report_then_the_accident_shows(
    world,
    live_server,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, "safety_a")
    page.goto(base + reverse("accidents:report"))

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('#id_place')).fontSize)"
    )
    assert size >= 16
    send = page.locator("#report-form button[type=submit]")
    assert send.bounding_box()["height"] >= 44
    page.fill("#id_place", "东镇一网格1号 罐区")
    page.select_option("#id_gb6441_type", "19")
    page.fill("#id_deaths", "3")
    page.fill("#id_serious_injuries", "1")
    page.fill("#id_course", "储罐检修时作业人员中毒")
    page.screenshot(path=str(artifacts / "accident-quick-report-phone.png"), full_page=True)
    send.click()
    page.wait_for_selector("#accident-grade")

    accident = Accident.objects.get()
    assert accident.grade == "larger" and accident.enterprise_id == world.chem_a.pk
    assert page.url == base + reverse("accidents:detail", args=[accident.pk])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "accident-detail-phone.png"), full_page=True)

    desk = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(desk, base, "coordinator_x")
    desk.goto(base + reverse("accidents:list"))
    assert desk.locator(f'[data-accident="{accident.pk}"]').count() == 1
    desk.screenshot(path=str(artifacts / "accident-list-desktop.png"), full_page=True)
    desk.goto(base + reverse("accidents:detail", args=[accident.pk]))
    desk.screenshot(path=str(artifacts / "accident-detail-desktop.png"), full_page=True)
    context.close()

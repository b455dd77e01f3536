"""The principal submits today's notice from a phone in Chromium: the form fits the
screen, every input is at least 16 px, and the notice is stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.commitments.models import DailyCommitment
from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.world import PASSWORD

from .helpers import installation, risk_unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_given_a_phone_when_the_principal_submits_then_it_fits_and_is_stored(
    live_server,
    world,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
):
    tank = installation(world.chem_a)
    risk_unit(world.chem_a)
    base = live_server.url
    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    page.goto(base + reverse("login"))
    page.fill("input[name=username]", "principal_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(base + reverse("home"))
    assert page.locator("#home-commitment").count() == 1
    page.goto(base + reverse("commitments:today"))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    small = page.evaluate(
        """[...document.querySelectorAll('.cm-form input:not([type=radio]):not([type=hidden]),'
            + '.cm-form select, .cm-form textarea')]
           .filter(e => parseFloat(getComputedStyle(e).fontSize) < 16).map(e => e.name)"""
    )
    assert small == []
    page.check(f"input[name=unit_installation_{tank.pk}][value=stopped]")
    page.fill("input[name=hot_work_second]", "2")
    page.screenshot(path=str(artifacts / "commitments-form-390.png"), full_page=True)
    page.click(".cm-form button[type=submit]")
    page.wait_for_selector("#notice")
    page.screenshot(path=str(artifacts / "commitments-notice-390.png"), full_page=True)
    notice = DailyCommitment.objects.get()
    assert notice.hot_work_second == 2
    assert notice.units.get(installation=tank).state == "stopped"

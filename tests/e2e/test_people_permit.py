"""A phone (390 px) opens a hot-work permit refused for an unlicensed operator: the red
refusal with the operator's name; screenshot docs/screenshots/people-permit-refused.png
(written when ANJIAN_SCREENSHOTS=1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from anjian.people import permit_services as ps
from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.e2e.test_browser import PHONE, sign_in
from tests.people.permit_helpers import actor, apply, crew, gas, worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_given_an_unlicensed_welder_when_the_permit_is_refused_then_a_phone_shows_why(
    live_server,
    world,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
):
    a, _b, g = crew(world)
    c = worker(world.chem_a, "刘无证")
    p = apply(world, [a, c], g, place="罐区T-101 出口管线", content="更换法兰，焊接")
    gas(world, p)
    p = ps.permit_issue(actor=actor(world, "principal_a"), permit_id=p.pk)
    assert p.state == "refused"

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2)
    page = phone.new_page()
    sign_in(page, live_server.url, "safety_a")
    page.goto(live_server.url + reverse("people:permit", args=[p.pk]))
    refusal = page.locator("#permit-refusal")
    assert refusal.is_visible() and "刘无证" in refusal.inner_text()
    assert page.locator(".badge.licence-missing").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "people-permit-refused.png"), full_page=True)
    if os.environ.get("ANJIAN_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "people-permit-refused.png"), full_page=True)
    page.goto(live_server.url + reverse("people:permits"))
    assert page.locator("#permits .state-refused").count() >= 1
    phone.close()

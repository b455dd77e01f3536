"""In a browser: typing a description of more than 5,000 characters on the report form
still shows the similar hazard (the lookup POSTs the text with the CSRF token)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.e2e.test_browser import PHONE
from tests.e2e.test_hazard_flow import as_user
from tests.hazards.helpers import report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_given_a_long_description_when_typed_then_the_similar_hazard_shows(
    live_server, world, browser
):
    first = report(world, "safety_a", description="1号储罐区呼吸阀堵塞")
    base = live_server.url
    ctx, page = as_user(browser, base, "safety_a", PHONE)
    page.goto(base + reverse("hazards:report", args=[world.chem_a.pk]))
    long_text = "1号储罐区呼吸阀堵塞，" + "现场检查发现阀体锈蚀严重、阻火器缺失。" * 270
    assert len(long_text) > 5000
    page.fill("[name=description]", long_text)
    page.locator("#similar-box").get_by_text(first.number).wait_for(timeout=10_000)
    ctx.close()

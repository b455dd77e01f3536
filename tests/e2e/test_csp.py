"""Under the Content-Security-Policy the pages still work in a real browser: no
violation reported on the pages with charts, maps and scripts, and an injected inline
script does not run."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.hazards.helpers import report

from .test_browser import DESKTOP, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_given_the_policy_when_pages_with_charts_and_scripts_open_then_no_violation(
    live_server, world, browser
):
    hazard = report(
        world, description='<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
    )
    base = live_server.url
    page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if "Content Security Policy" in msg.text or msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    sign_in(page, base, "coordinator_x")
    for url in (
        reverse("home"),
        reverse("risks:jurisdiction-map"),
        reverse("reports:figures"),
        "/hazards/",
        f"/hazards/{hazard.pk}/",
        reverse("enterprise-detail", args=[world.chem_a.pk]),
    ):
        response = page.goto(base + url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
        assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.evaluate("window.__pwned") is None
    assert not problems, problems

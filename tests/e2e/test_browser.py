"""A regulator signs in with a real browser, searches, opens an enterprise, and never
meets an enterprise outside their scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.world import PASSWORD

# The live server needs real transactions. The reference data that a flush removes is
# reloaded by build_world (tests/world.py), so no serialized rollback is needed (it
# clashes with content types recreated by an earlier transactional test's flush).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(base + reverse("home"))


def assert_never_shows(page, names: list[str]) -> None:
    text = page.content()
    for name in names:
        assert name not in text, name


@pytest.mark.parametrize("persona", ["officer_emergency_x", "coordinator_x"])
def test_given_regulator_in_browser_when_searching_and_opening_then_scope_holds(
    live_server, world, browser, artifacts, persona
):
    base = live_server.url
    hidden = [world.chem_c.name, world.chem_c.uscc]
    if persona == "officer_emergency_x":
        hidden += [world.build_b.name, world.ess_d.name]
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, persona)
    assert "安监" in page.title()
    assert_never_shows(page, hidden)
    page.screenshot(path=str(artifacts / f"e2e-{persona}-home-1280.png"), full_page=True)

    # Search the list by name: only the county's own chemical plant comes back.
    page.goto(base + reverse("enterprise-list"))
    assert_never_shows(page, hidden)
    page.fill("input[name=q]", "化工")
    page.click(".filters-search button[type=submit]")
    page.wait_for_load_state("networkidle")
    rows = page.locator("#enterprise-table tbody tr")
    assert rows.count() == 1
    assert world.chem_a.name in rows.first.inner_text()
    assert_never_shows(page, hidden)
    page.screenshot(path=str(artifacts / f"e2e-{persona}-list-1280.png"), full_page=True)

    # Searching for county Y's credit code finds nothing.
    page.fill("input[name=q]", world.chem_c.uscc)
    page.click(".filters-search button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#enterprise-table").count() == 0

    # Open the enterprise from the list.
    page.goto(base + reverse("enterprise-list") + "?q=化工")
    page.click(f"text={world.chem_a.name}")
    page.wait_for_url(base + reverse("enterprise-detail", args=[world.chem_a.pk]))
    assert world.emergency_x.name in page.content()
    assert_never_shows(page, hidden)
    page.screenshot(path=str(artifacts / f"e2e-{persona}-detail-1280.png"), full_page=True)

    # The other pages in the nav never show county Y's company either.
    for name in ("division-list", "department-list", "gaps", "dispute-list"):
        response = page.goto(base + reverse(name))
        assert response.status in (200, 403)
        assert_never_shows(page, hidden)

    # A direct URL to county Y's company is a 404.
    response = page.goto(base + reverse("enterprise-detail", args=[world.chem_c.pk]))
    assert response.status == 404
    assert_never_shows(page, hidden)
    context.close()

    # On a phone: the nav collapses behind the menu button and the list still holds.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in(page, base, persona)
    nav = page.locator("#site-nav")
    assert not nav.is_visible()
    page.click(".nav-toggle")
    assert nav.is_visible()
    page.screenshot(path=str(artifacts / f"e2e-{persona}-menu-390.png"), full_page=True)
    page.goto(base + reverse("enterprise-list"))
    assert_never_shows(page, hidden)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"
    page.screenshot(path=str(artifacts / f"e2e-{persona}-list-390.png"), full_page=True)
    page.goto(base + reverse("enterprise-detail", args=[world.chem_a.pk]))
    page.screenshot(path=str(artifacts / f"e2e-{persona}-detail-390.png"), full_page=True)
    phone.close()

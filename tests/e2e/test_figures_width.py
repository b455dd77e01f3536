"""In a browser at 1366 px (a common office laptop): the statistics table is not cut off:
every column is on the page (its headings wrap), and the page never scrolls sideways."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.e2e.test_browser import PHONE
from tests.e2e.test_hazard_flow import as_user
from tests.hazards.helpers import report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}


@pytest.mark.parametrize("group_by", ["division", "industry", "department"])
def test_given_a_1366_px_screen_when_the_figures_open_then_the_table_is_whole(
    live_server, world, browser, group_by
):
    report(world, "safety_a")
    base = live_server.url
    ctx, page = as_user(browser, base, "coordinator_x", LAPTOP)
    page.goto(base + reverse("reports:figures") + f"?group_by={group_by}")
    sizes = page.evaluate(
        """() => {
        const table = document.getElementById("figures-table");
        const wrap = table.parentElement;
        const cells = [...table.querySelectorAll("thead th")];
        const last = cells[cells.length - 1].getBoundingClientRect();
        return {
          page: document.documentElement.scrollWidth,
          viewport: window.innerWidth,
          wrapRight: wrap.getBoundingClientRect().right,
          lastRight: last.right, tableRight: table.getBoundingClientRect().right,
        };
      }"""
    )
    assert sizes["page"] <= sizes["viewport"], sizes
    assert sizes["wrapRight"] <= sizes["viewport"], sizes
    # The last column is on the page, not behind the table box's scroll bar.
    assert sizes["tableRight"] <= sizes["wrapRight"] + 1, sizes
    assert sizes["lastRight"] <= sizes["viewport"], sizes
    ctx.close()


def test_given_a_phone_when_the_figures_open_then_no_sideways_scroll(live_server, world, browser):
    report(world, "safety_a")
    base = live_server.url
    ctx, page = as_user(browser, base, "coordinator_x", PHONE)
    page.goto(base + reverse("reports:figures"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ctx.close()

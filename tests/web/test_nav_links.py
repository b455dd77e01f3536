"""The menu links only to pages the user may open: for every persona, each link of the
main navigation answers 200 (the platform admin is offered neither the re-checks nor the
ledger import, which it may not open)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.web.conftest import PERSONAS


def nav_links(html: str) -> list[str]:
    nav = re.search(r'<nav id="site-nav".*?</nav>', html, re.S)
    assert nav
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"#]+)"', nav.group(0))]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "outsider"])
def test_given_a_persona_when_following_each_menu_link_then_every_page_opens(
    world, client_for, persona
):
    client = client_for(persona)
    home = client.get(reverse("home"))
    assert home.status_code == 200
    links = nav_links(home.content.decode())
    assert links
    refused = {}
    for href in links:
        if href.startswith("/admin"):
            continue  # the admin site has its own permissions, tested with the admin
        status = client.get(href).status_code
        if status != 200:
            refused[href] = status
    assert refused == {}


def test_given_the_platform_admin_then_no_recheck_or_import_entry(world, client_for):
    links = nav_links(client_for("platform_admin").get(reverse("home")).content.decode())
    assert reverse("hazards:rechecks") not in links
    assert reverse("hazards:import") not in links


def test_given_a_coordinator_then_recheck_and_import_entries_stay(world, client_for):
    links = nav_links(client_for("coordinator_x").get(reverse("home")).content.decode())
    assert reverse("hazards:rechecks") in links and reverse("hazards:import") in links


def test_given_an_employee_then_no_import_entry(world, client_for):
    links = nav_links(client_for("employee_a").get(reverse("home")).content.decode())
    assert reverse("hazards:import") not in links
    assert reverse("hazards:ledger") in links

"""The home page gathers the tiles the capabilities register: each role gets its own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.core import tiles

pytestmark = pytest.mark.django_db

EXPECTED = {
    "coordinator_x": {
        "core.todo",
        "hazards.counts",
        "registry.figures",
        "risks.codes",
        "commitments.board",
    },
    "officer_emergency_x": {
        "core.todo",
        "hazards.counts",
        "registry.figures",
        "risks.codes",
        "commitments.board",
    },
    "platform_admin": {
        "core.todo",
        "hazards.counts",
        "registry.figures",
        "risks.codes",
        "registry.admin",
        "commitments.board",
    },
    "safety_a": {
        "core.todo",
        "hazards.quick",
        "hazards.counts",
        "registry.enterprise",
        "risks.own_code",
        "commitments.today",
    },
    "security_admin": {"core.todo", "accounts.admin"},
    "audit_admin": {"core.todo", "accounts.admin"},
    "outsider": {"core.todo", "accounts.no_role"},
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_given_a_role_when_the_home_page_is_built_then_it_gets_its_tiles(world, persona):
    shown = {tile.name for tile in tiles.tiles_for(world.user(persona))}
    assert shown == EXPECTED[persona]


def test_given_the_registry_then_tiles_come_in_their_order():
    orders = [tile.order for tile in tiles.registered()]
    assert orders == sorted(orders)
    assert {t.name for t in tiles.registered()} >= set().union(*EXPECTED.values())


def test_given_a_new_tile_when_registered_then_the_home_page_shows_it(world, client_for):
    @tiles.register("test.extra", order=60, template="accounts/home/no_role.html")
    def extra(user):
        return {} if user.role == "coordinator" else None

    try:
        html = client_for("coordinator_x").get(reverse("home")).content.decode()
        assert html.count("empty-state") >= 1
        assert "empty-state" not in client_for("safety_a").get(reverse("home")).content.decode()
    finally:
        tiles._TILES.pop("test.extra")


def test_given_a_coordinator_when_home_opens_then_figures_and_codes_show(world, client_for):
    html = client_for("coordinator_x").get(reverse("home")).content.decode()
    assert 'id="home-hazards"' in html and 'id="safety-code-summary"' in html
    assert world.chem_c.name not in html


def test_given_enterprise_staff_when_home_opens_then_own_card_and_code(world, client_for):
    html = client_for("safety_a").get(reverse("home")).content.decode()
    assert world.chem_a.name in html and 'id="home-own-code"' in html
    assert reverse("hazards:report", args=[world.chem_a.pk]) in html
    assert 'id="safety-code-summary"' not in html

"""Every page for every persona shows exactly the enterprises of its scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.core.sections import may_use
from tests.web.conftest import ALL_ENTERPRISES, PERSONAS, names, out_of_scope
from tests.world import EXPECTED_ENTERPRISES


@pytest.mark.parametrize("persona", PERSONAS)
def test_given_persona_when_listing_enterprises_then_sees_exactly_its_scope(
    world, client_for, persona
):
    response = client_for(persona).get(reverse("enterprise-list"))
    expected = EXPECTED_ENTERPRISES[persona]
    if not may_use(world.user(persona), "enterprises"):
        assert response.status_code == 403
        assert not expected
        return
    assert response.status_code == 200
    listed = {e.pk for e in response.context["page"].object_list}
    assert listed == {getattr(world, attr).pk for attr in expected}
    html = response.content.decode()
    for name in names(world, expected):
        assert name in html
    for name in names(world, out_of_scope(persona)):
        assert name not in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_given_persona_when_opening_each_enterprise_then_out_of_scope_is_404(
    world, client_for, persona
):
    client = client_for(persona)
    uses = may_use(world.user(persona), "enterprises")
    for attr in sorted(ALL_ENTERPRISES):
        enterprise = getattr(world, attr)
        detail = client.get(reverse("enterprise-detail", args=[enterprise.pk]))
        edit = client.get(reverse("enterprise-edit", args=[enterprise.pk]))
        if not uses:
            assert detail.status_code == 403
            assert edit.status_code == 403
        elif attr in EXPECTED_ENTERPRISES[persona]:
            assert detail.status_code == 200
            assert enterprise.name in detail.content.decode()
            assert edit.status_code in (200, 403)
        else:
            assert detail.status_code == 404, (persona, attr)
            assert edit.status_code == 404, (persona, attr)
            assert enterprise.name not in detail.content.decode()


PAGES = [
    "home",
    "enterprise-list",
    "division-list",
    "department-list",
    "gaps",
    "dispute-list",
    "dispute-create",
    "enterprise-create",
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_given_persona_when_opening_every_page_then_no_out_of_scope_enterprise_appears(
    world, client_for, persona
):
    client = client_for(persona)
    hidden = names(world, out_of_scope(persona))
    for page in PAGES:
        response = client.get(reverse(page))
        assert response.status_code in (200, 403), (persona, page, response.status_code)
        html = response.content.decode()
        for name in hidden:
            assert name not in html, (persona, page, name)
    for division in (world.province, world.county_x, world.county_y, world.grid_x1):
        response = client.get(reverse("division-detail", args=[division.pk]))
        assert response.status_code in (200, 403, 404)
        for name in hidden:
            assert name not in response.content.decode()


def test_given_outsider_when_browsing_then_sees_nothing(world, client_for):
    client = client_for("outsider")
    home = client.get(reverse("home")).content.decode()
    assert "没有角色" in home or "no role" in home.lower()
    for page in PAGES[1:]:
        assert client.get(reverse(page)).status_code == 403
    for attr in ALL_ENTERPRISES:
        assert (
            client.get(reverse("enterprise-detail", args=[getattr(world, attr).pk])).status_code
            == 403
        )


def test_given_coordinator_x_when_opening_county_y_pages_then_404(world, client_for):
    client = client_for("coordinator_x")
    assert client.get(reverse("division-detail", args=[world.county_y.pk])).status_code == 404
    assert client.get(reverse("department-detail", args=[world.emergency_y.pk])).status_code == 404
    listing = client.get(reverse("department-list")).content.decode()
    assert world.emergency_x.name in listing
    assert world.emergency_y.name not in listing


def tile_data(response, name: str) -> dict:
    """The context of one home tile, as the page rendered it."""
    return next(tile.data for tile in response.context["tiles"] if tile.name == name)


def test_given_enterprise_staff_when_home_then_sees_own_card_and_licence(world, client_for):
    html = client_for("principal_a").get(reverse("home")).content.decode()
    assert world.chem_a.name in html
    assert "浙T安经(2024)001" in html
    assert world.emergency_x.name in html  # the lead department
    assert world.chem_c.name not in html


def test_given_regulator_when_home_then_figures_count_scope(world, client_for):
    response = client_for("coordinator_x").get(reverse("home"))
    tile = tile_data(response, "registry.figures")
    figures = tile["figures"]
    assert figures["total"] == 3
    assert figures["two_key"] == 1  # chem_a has a major hazard installation
    assert figures["gaps"] == 1  # ess_d
    assert tile["open_disputes"] == 0


def test_given_admins_when_home_then_see_what_they_manage(world, client_for):
    security = client_for("security_admin").get(reverse("home"))
    assert tile_data(security, "accounts.admin")["users_count"] == len(world.users)
    audit = client_for("audit_admin").get(reverse("home"))
    assert "audit_count" in tile_data(audit, "accounts.admin")


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("coordinator_x", {"chem_a", "build_b", "ess_d"}),
        ("officer_emergency_x", {"chem_a"}),
    ],
)
def test_given_search_when_filtering_then_only_scope_matches(world, client_for, persona, expected):
    client = client_for(persona)
    response = client.get(reverse("enterprise-list"), {"q": "化工"})
    listed = {e.pk for e in response.context["page"].object_list}
    assert listed == {getattr(world, a).pk for a in expected if "化工" in getattr(world, a).name}
    response = client.get(reverse("enterprise-list"), {"q": world.chem_c.uscc})
    assert list(response.context["page"].object_list) == []

"""The home page's red / yellow / blue safety-code figures link to the list they count:
the enterprise list filtered by the current safety code's colour (not the risk map,
which colours by risk-unit level)."""

from __future__ import annotations

import re

from django.urls import reverse

from anjian.registry.tally import enterprise_tally_refresh
from anjian.risks.models import RiskState


def _colour(world, attr: str, colour: str) -> None:
    enterprise = getattr(world, attr)
    RiskState.objects.update_or_create(enterprise=enterprise, defaults={"code_colour": colour})
    # What the risk services do after a colour change: the enterprise rollup counts it.
    enterprise_tally_refresh(enterprise_ids=[enterprise.pk])


def _listed(response) -> set[int]:
    assert response.status_code == 200
    return {e.pk for e in response.context["page"].object_list}


def test_given_codes_when_home_opens_then_each_figure_links_to_the_enterprises_it_counts(
    world, client_for
):
    _colour(world, "chem_a", "red")
    _colour(world, "build_b", "red")
    _colour(world, "ess_d", "yellow")
    _colour(world, "chem_c", "red")  # county Y: outside coordinator_x's scope
    client = client_for("coordinator_x")
    html = client.get(reverse("home")).content.decode()
    summary = html[html.index('id="safety-code-summary"') :]
    links = re.findall(r'href="([^"]+\?code=(\w+))"><strong[^>]*>(\d+)</strong>', summary)
    assert {colour for _, colour, _ in links} == {"red", "yellow", "blue"}
    assert "jurisdiction-map" not in summary.split("</section>")[0].split("mini-stats")[1]
    for href, _colour_name, figure in links:
        response = client.get(href.replace("&amp;", "&"))
        assert len(_listed(response)) == int(figure)
        assert response.context["page"].paginator.count == int(figure)
    red = _listed(client.get(reverse("enterprise-list"), {"code": "red"}))
    assert red == {world.chem_a.pk, world.build_b.pk}


def test_given_a_code_filter_when_listing_then_only_that_colour_and_the_filter_shows_as_set(
    world, client_for
):
    _colour(world, "chem_a", "yellow")
    client = client_for("coordinator_x")
    response = client.get(reverse("enterprise-list"), {"code": "yellow"})
    assert _listed(response) == {world.chem_a.pk}
    assert response.context["filtered"] is True
    assert _listed(client.get(reverse("enterprise-list"), {"code": "blue"})) == set()


def test_given_an_unknown_code_filter_when_listing_then_ignored(world, client_for):
    response = client_for("coordinator_x").get(reverse("enterprise-list"), {"code": "purple"})
    assert _listed(response) == {world.chem_a.pk, world.build_b.pk, world.ess_d.pk}

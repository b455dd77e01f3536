from __future__ import annotations

from django.urls import reverse

from anjian.registry.models import Industry


def listed(response) -> set[int]:
    assert response.status_code == 200
    return {e.pk for e in response.context["page"].object_list}


def test_given_division_filter_when_grid_chosen_then_subtree_only(world, client_for):
    client = client_for("coordinator_x")
    url = reverse("enterprise-list")
    assert listed(client.get(url, {"division": world.grid_x1.pk})) == {
        world.chem_a.pk,
        world.ess_d.pk,
    }
    assert listed(client.get(url, {"division": world.town_x.pk})) == {
        world.chem_a.pk,
        world.build_b.pk,
        world.ess_d.pk,
    }


def test_given_out_of_scope_division_filter_when_listing_then_ignored_and_nothing_leaks(
    world, client_for
):
    response = client_for("coordinator_x").get(
        reverse("enterprise-list"), {"division": world.grid_y1.pk}
    )
    assert world.chem_c.pk not in listed(response)
    choices = dict(response.context["form"].fields["division"].choices)
    assert world.grid_y1.pk not in choices and world.grid_x1.pk in choices


def test_given_filters_when_listing_then_each_narrows(world, client_for):
    client = client_for("coordinator_x")
    url = reverse("enterprise-list")
    assert listed(client.get(url, {"flag": "major_hazard"})) == {world.chem_a.pk}
    assert listed(client.get(url, {"flag": "two_key_one_major"})) == {world.chem_a.pk}
    assert listed(client.get(url, {"flag": "no_lead"})) == {world.ess_d.pk}
    assert listed(client.get(url, {"department": world.housing_x.pk})) == {world.build_b.pk}
    assert listed(client.get(url, {"status": "closed"})) == set()
    hazchem = Industry.objects.get(code="HR-HAZCHEM")
    assert listed(client.get(url, {"industry": hazchem.pk})) == {world.chem_a.pk}
    assert listed(client.get(url, {"q": world.build_b.uscc})) == {world.build_b.pk}


def test_given_industry_with_children_when_filtering_by_parent_then_children_included(
    world, client_for
):
    from tests.world import enterprise

    metal = enterprise(50, "东县戊冶金有限公司", world.grid_x2, "HR-IT-MET")
    parent = Industry.objects.get(code="HR-IT")
    response = client_for("coordinator_x").get(reverse("enterprise-list"), {"industry": parent.pk})
    assert listed(response) == {metal.pk}


def test_given_department_officer_when_filter_choices_then_only_scope(world, client_for):
    response = client_for("officer_emergency_x").get(reverse("enterprise-list"))
    departments = {str(v) for v, _label in response.context["form"].fields["department"].choices}
    assert str(world.emergency_y.pk) not in departments

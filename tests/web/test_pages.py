from __future__ import annotations

from django.urls import reverse

from anjian.registry.models import Industry


def test_given_coordinator_when_gaps_then_lists_ess_d_by_business_type(world, client_for):
    response = client_for("coordinator_x").get(reverse("gaps"))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.ess_d.name in html
    assert world.chem_a.name not in html
    ess = Industry.objects.get(code="NB-ESS")
    assert [(r["industry_id"], r["n"]) for r in response.context["by_industry"]] == [(ess.pk, 1)]
    assert ess in response.context["no_lead_industries"]
    assert Industry.objects.get(code="HR-HAZCHEM") not in response.context["no_lead_industries"]
    # Sub-sectors inherit their sector's rules, so they are not gaps.
    assert Industry.objects.get(code="HR-IT-MET") not in response.context["no_lead_industries"]
    assert f"{reverse('dispute-create')}?industry={ess.pk}" in html


def test_given_coordinator_y_when_gaps_then_nothing_of_county_x(world, client_for):
    response = client_for("coordinator_y").get(reverse("gaps"))
    assert response.context["total"] == 0
    assert world.ess_d.name not in response.content.decode()


def test_given_divisions_when_tree_then_counts_roll_up(world, client_for):
    response = client_for("coordinator_x").get(reverse("division-list"))
    html = response.content.decode()
    assert world.grid_x1.name in html and world.county_y.name not in html
    province = response.context["roots"][0]
    assert province.pk == world.province.pk and province.total == 3


def test_given_division_detail_when_viewed_then_children_and_departments(world, client_for):
    response = client_for("coordinator_x").get(reverse("division-detail", args=[world.town_x.pk]))
    assert response.status_code == 200
    totals = {c.pk: c.total for c in response.context["children"]}
    assert totals == {world.grid_x1.pk: 2, world.grid_x2.pk: 1}
    assert response.context["total"] == 3
    county = client_for("coordinator_x").get(reverse("division-detail", args=[world.county_x.pk]))
    assert world.emergency_x.name in county.content.decode()


def test_given_department_detail_when_viewed_then_rules_and_enterprise_count(world, client_for):
    response = client_for("coordinator_x").get(
        reverse("department-detail", args=[world.emergency_x.pk])
    )
    assert response.status_code == 200
    led = {r.industry.code for r in response.context["lead_rules"]}
    assert "HR-HAZCHEM" in led
    assert response.context["figures"]["lead"] == 1
    assert f"{reverse('enterprise-list')}?department={world.emergency_x.pk}" in (
        response.content.decode()
    )


def test_given_department_officer_when_department_list_then_counts_own_scope(world, client_for):
    response = client_for("officer_emergency_x").get(reverse("department-list"))
    deps = {d.pk: d for d in response.context["departments"]}
    assert deps[world.emergency_x.pk].lead_count == 1
    assert world.emergency_y.pk not in deps


def test_given_regulator_nav_when_rendered_then_only_allowed_sections(world, client_for):
    grid = client_for("grid_x1").get(reverse("home")).content.decode()
    assert reverse("gaps") in grid and reverse("dispute-list") not in grid
    staff = client_for("principal_a").get(reverse("home")).content.decode()
    assert reverse("enterprise-detail", args=[world.chem_a.pk]) in staff
    assert reverse("division-list") not in staff and reverse("gaps") not in staff


def test_given_403_page_when_forbidden_then_message_is_shown(world, client_for):
    response = client_for("principal_a").get(reverse("gaps"))
    assert response.status_code == 403
    assert "403" in response.content.decode()

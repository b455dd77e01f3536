"""A joint inspection (综合查一次) led by 东县应急管理局 with 东县住房和城乡建设局 joining, of
an enterprise the housing department has no duty for: the housing inspector on the
inspection records a finding, the hazard is reviewed by the housing department (谁检查谁
复查), which sees it and accepts its rectification; a housing officer not on the
inspection still cannot report for the enterprise, and the housing department's scope is
not widened beyond the hazards it reviews."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from anjian.accounts.models import Role, User
from anjian.core import scoping
from anjian.core.errors import Conflict, Forbidden, NotFound
from anjian.hazards import services as hazard_services
from anjian.hazards import workflow as hwf
from anjian.hazards.models import Hazard, HazardEvent, HazardPhoto, Source
from anjian.inspections import services
from anjian.inspections import workflow as wf
from anjian.inspections.models import Kind
from anjian.registry.models import DutyAssignment
from tests.hazards.helpers import act, do, photo, report
from tests.inspections.helpers import actor, add_roster, conclude, token
from tests.world import PASSWORD


@pytest.fixture
def county(world):
    add_roster(world)
    world.users["housing2"] = User.objects.create_user(
        username="housing2",
        password=PASSWORD,
        role=Role.DEPARTMENT_OFFICER,
        display_name="住建检查员2",
        division=world.county_x,
        department=world.housing_x,
    )
    return world


def _joint(world):
    inspection = services.inspection_plan(
        actor=actor(world.user("officer_emergency_x")),
        enterprise_id=world.chem_a.pk,
        kind=Kind.JOINT,
        planned_on=dt.date(2026, 12, 10),
        inspector_ids=[world.user("insp1").pk, world.user("officer_housing_x").pk],
        participating_department_ids=[world.housing_x.pk],
    )
    services.inspection_start(actor=actor(world.user("insp1")), inspection_id=inspection.pk)
    return inspection


def _finding(world, inspection, by="officer_housing_x", photos=()):
    return services.finding_record(
        actor=actor(world.user(by)),
        inspection_id=inspection.pk,
        client_token=token(),
        data={"description": "脚手架连墙件缺失", "location": "3号仓库扩建工地"},
        photos=list(photos),
    )


def _client(world, persona):
    client = Client()
    client.force_login(world.user(persona))
    return client


def test_given_the_world_then_housing_has_no_duty_for_the_enterprise(county):
    # The premise of every test below.
    assert not DutyAssignment.objects.filter(
        enterprise=county.chem_a, department=county.housing_x
    ).exists()
    assert not scoping.visible_enterprises(county.user("officer_housing_x")).filter(
        pk=county.chem_a.pk
    )


def test_given_a_joint_inspection_when_the_participating_inspector_records_a_finding_then_their_department_reviews_it(
    county,
):
    inspection = _joint(county)
    finding = _finding(county, inspection, photos=[photo()])
    hazard = finding.hazard
    assert hazard.enterprise_id == county.chem_a.pk
    assert hazard.source == Source.GOVERNMENT_INSPECTION
    assert hazard.review_department_id == county.housing_x.pk
    assert hazard.review_division_id == county.county_x.pk
    assert not hazard.enterprise_accepts
    report_event = hazard.events.get(action=hwf.REPORT)
    assert report_event.data["inspection_id"] == inspection.pk
    assert report_event.data["review_department_id"] == county.housing_x.pk


def test_given_the_lead_departments_inspector_records_a_finding_then_the_lead_reviews_it(county):
    inspection = _joint(county)
    hazard = _finding(county, inspection, by="insp1").hazard
    assert hazard.review_department_id == county.emergency_x.pk


def test_given_the_finding_then_the_participating_department_sees_the_hazard_and_inspection(
    county,
):
    inspection = _joint(county)
    hazard = _finding(county, inspection, photos=[photo()]).hazard
    for persona in ("officer_housing_x", "housing2"):
        user = county.user(persona)
        assert scoping.visible(user, Hazard).filter(pk=hazard.pk).exists()
        assert scoping.visible(user, HazardEvent).filter(hazard=hazard).exists()
        assert scoping.visible(user, HazardPhoto).filter(hazard=hazard).exists()
        assert services.visible_inspections(user).filter(pk=inspection.pk).exists()
    client = _client(county, "officer_housing_x")
    page = client.get(reverse("hazards:detail", args=[hazard.pk]))
    assert page.status_code == 200
    assert "脚手架连墙件缺失" in page.content.decode()
    shot = HazardPhoto.objects.get(hazard=hazard)
    assert client.get(reverse("hazards:photo", args=[hazard.pk, shot.pk])).status_code == 200
    page = client.get(reverse("inspections:detail", args=[inspection.pk]))
    assert page.status_code == 200
    assert hazard.number in page.content.decode()
    # The enterprise and the lead department see it as before.
    for persona in ("safety_a", "officer_emergency_x"):
        assert scoping.visible(county.user(persona), Hazard).filter(pk=hazard.pk).exists()


def test_given_the_rectification_submitted_then_the_participating_department_accepts_it(county):
    inspection = _joint(county)
    hazard = _finding(county, inspection).hazard
    for action in ("set_five_fixes", "start", "submit"):
        hazard = do(county, "safety_a", hazard, action, major=False)
    assert hazard.state == hwf.SUBMITTED
    assert hwf.ACCEPT in hazard_services.available_actions(hazard, county.user("officer_housing_x"))
    # Neither the lead department (it did not find it) nor the enterprise accepts it.
    for persona in ("officer_emergency_x", "principal_a"):
        with pytest.raises(Forbidden):
            do(county, persona, hazard, "accept", major=False)
    # On the hazard's pages, as the housing officer would.
    client = _client(county, "officer_housing_x")
    step = reverse("hazards:step", args=[hazard.pk, "accept"])
    assert step in client.get(reverse("hazards:detail", args=[hazard.pk])).content.decode()
    assert client.get(step).status_code == 200
    response = client.post(step, {"note": "现场复查合格", "version": hazard.version})
    assert response.status_code == 302, response.content.decode()[:2000]
    hazard.refresh_from_db()
    assert hazard.state == hwf.CLOSED
    accepted = hazard.events.get(action=hwf.ACCEPT)
    assert accepted.actor == county.user("officer_housing_x")


def test_given_the_reviewing_department_then_it_only_reviews_and_does_not_act_as_the_lead(
    county,
):
    inspection = _joint(county)
    hazard = _finding(county, inspection).hazard
    # Ordering is the enterprise's lead department's (or the coordinator's) decision.
    with pytest.raises(Forbidden):
        do(county, "officer_housing_x", hazard, "order", major=False)
    with pytest.raises(Forbidden):
        act(county, "officer_housing_x", hazard, "set_five_fixes", {})


def test_given_a_housing_officer_not_on_the_inspection_then_they_cannot_report_for_the_enterprise(
    county,
):
    inspection = _joint(county)
    with pytest.raises(Forbidden):
        _finding(county, inspection, by="housing2")
    with pytest.raises(NotFound):
        report(county, who="housing2", source="government_inspection")
    # Nor by claiming the inspection: hazard_report checks the department itself.
    with pytest.raises(Forbidden):
        hazard_services.hazard_report(
            actor=actor(county.user("housing2")),
            enterprise_id=county.chem_a.pk,
            data={"description": "x", "location": "y", "source": "government_inspection"},
            found_on=hazard_services.FoundOnInspection(
                inspection_id=inspection.pk, department_id=county.emergency_x.pk
            ),
        )
    assert not Hazard.objects.filter(enterprise=county.chem_a).exists()


def test_given_a_finding_then_the_housing_scope_is_not_widened_to_the_enterprise(county):
    inspection = _joint(county)
    found = _finding(county, inspection).hazard
    own = report(county, who="safety_a")  # the enterprise's own find: not housing's
    housing = county.user("officer_housing_x")
    visible = set(scoping.visible(housing, Hazard).values_list("pk", flat=True))
    assert found.pk in visible and own.pk not in visible
    assert not scoping.visible_enterprises(housing).filter(pk=county.chem_a.pk).exists()
    assert hazard_services.available_actions(own, housing) == []
    client = _client(county, "officer_housing_x")
    assert client.get(reverse("hazards:detail", args=[own.pk])).status_code == 404


@pytest.mark.parametrize(
    "persona", ["outsider", "principal_c", "coordinator_y", "officer_emergency_y", "audit_admin"]
)
def test_given_an_outsider_then_they_see_neither_the_hazard_nor_the_inspection(county, persona):
    if persona == "officer_emergency_y":
        county.users[persona] = User.objects.create_user(
            username=persona,
            password=PASSWORD,
            role=Role.DEPARTMENT_OFFICER,
            division=county.county_y,
            department=county.emergency_y,
        )
    inspection = _joint(county)
    hazard = _finding(county, inspection).hazard
    user = county.user(persona)
    assert not scoping.visible(user, Hazard).filter(pk=hazard.pk).exists()
    assert not services.visible_inspections(user).filter(pk=inspection.pk).exists()


def test_given_a_concluded_joint_inspection_then_a_late_finding_is_refused(county):
    inspection = _joint(county)
    conclude(county, inspection, by="officer_housing_x")
    with pytest.raises(Conflict):
        _finding(county, inspection)
    assert inspection.findings.count() == 0
    assert type(inspection).objects.get(pk=inspection.pk).state == wf.CONCLUDED

"""Inspection pages: the public draw pages without sign-in (seed, enterprises with credit
codes, inspectors' names, the record to download, verify says match and, after tampering,
mismatch); the list and detail per role (outsiders see nothing, an unannounced
inspection hidden from the enterprise until it starts); the plan form's first-inspector
warning; the on-site page: start, a finding and a conclusion sent twice are recorded
once; query counts of the list pages do not grow with the rows."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anjian.accounts.models import Role, User
from anjian.inspections import services
from anjian.inspections import workflow as wf
from anjian.inspections.models import Draw, Finding, Inspection, Kind, Signature
from anjian.registry.models import DutyAssignment
from tests.inspections.helpers import (
    actor,
    add_chemicals,
    add_roster,
    data_url,
    plan,
    png,
)
from tests.world import PASSWORD


@pytest.fixture
def county(world):
    add_roster(world)
    add_chemicals(world)
    return world


@pytest.fixture
def client_for(county):
    def make(persona: str) -> Client:
        client = Client()
        client.force_login(county.user(persona))
        return client

    return make


def run(world, seed="2026-12 第1批", sample_size=3, publish=True) -> Draw:
    return services.draw_run(
        actor=actor(world.user("officer_emergency_x")),
        department_id=world.emergency_x.pk,
        seed=seed,
        sample_size=sample_size,
        publish=publish,
    )


def no_inline_script(html: str) -> bool:
    return "<script>" not in html and " onclick=" not in html


# --- public ------------------------------------------------------------------------------


def test_given_a_published_draw_then_anyone_sees_it_without_signing_in(county):
    draw = run(county)
    anonymous = Client()
    listing = anonymous.get(reverse("inspections:public-draws"))
    assert listing.status_code == 200
    assert draw.seed in listing.content.decode()
    page = anonymous.get(reverse("inspections:public-draw", args=[draw.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert draw.digest in html and draw.seed in html
    for inspection in Inspection.objects.filter(draw=draw).select_related("enterprise"):
        assert inspection.enterprise.name in html
        assert inspection.enterprise.uscc in html
        for inspector in inspection.inspectors.all():
            assert str(inspector) in html
    assert no_inline_script(html)


def test_given_the_record_download_then_its_sha256_is_the_digest(county):
    draw = run(county)
    response = Client().get(reverse("inspections:public-draw-json", args=[draw.pk]))
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == draw.digest


def test_given_verify_then_match_and_after_tampering_mismatch(county):
    draw = run(county)
    anonymous = Client(enforce_csrf_checks=False)
    url = reverse("inspections:public-draw", args=[draw.pk])
    ok = anonymous.post(url)
    assert 'id="verify-result" data-ok="1"' in ok.content.decode()
    # Someone edits the stored register (an enterprise dropped from the candidates).
    Draw.objects.filter(pk=draw.pk).update(
        canonical=draw.canonical.replace(county.chem_a.uscc, "91330101MA0000000X", 1)
    )
    bad = anonymous.post(url)
    assert 'id="verify-result" data-ok="0"' in bad.content.decode()


def test_given_an_unpublished_draw_then_it_is_not_public(county):
    draw = run(county, publish=False)
    assert Client().get(reverse("inspections:public-draw", args=[draw.pk])).status_code == 404
    assert draw.seed not in Client().get(reverse("inspections:public-draws")).content.decode()


def test_given_the_public_list_then_its_queries_do_not_grow_with_draws(county):
    run(county, seed="a")
    client = Client()
    url = reverse("inspections:public-draws")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for seed in ("b", "c", "d"):
        run(county, seed=seed)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)


# --- list and detail ---------------------------------------------------------------------


def test_given_the_list_then_its_queries_do_not_grow_with_inspections(county, client_for):
    plan(county)
    client = client_for("officer_emergency_x")
    url = reverse("inspections:list")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(4):
        plan(county)
    run(county)
    with CaptureQueriesContext(connection) as more:
        response = client.get(url)
    assert len(more) == len(few)
    assert response.content.decode().count("data-inspection=") == 8


@pytest.mark.parametrize("persona", ["outsider", "audit_admin", "security_admin"])
def test_given_someone_without_a_use_then_the_list_is_refused(county, client_for, persona):
    assert client_for(persona).get(reverse("inspections:list")).status_code == 403


def test_given_no_sign_in_then_the_list_asks_for_it(county):
    response = Client().get(reverse("inspections:list"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("persona", ["officer_housing_x", "principal_c", "coordinator_y"])
def test_given_someone_outside_then_an_inspection_is_not_found(county, client_for, persona):
    inspection = plan(county)
    client = client_for(persona)
    assert client.get(reverse("inspections:detail", args=[inspection.pk])).status_code == 404
    assert "data-inspection=" not in client.get(reverse("inspections:list")).content.decode()


def test_given_an_unannounced_inspection_then_the_enterprise_page_shows_it_once_started(
    county, client_for
):
    inspection = plan(county, kind=Kind.UNANNOUNCED)
    staff = client_for("principal_a")
    detail = reverse("inspections:detail", args=[inspection.pk])
    assert staff.get(detail).status_code == 404
    assert (
        f'data-inspection="{inspection.pk}"'
        not in staff.get(reverse("inspections:list")).content.decode()
    )
    services.inspection_start(actor=actor(county.user("insp1")), inspection_id=inspection.pk)
    assert staff.get(detail).status_code == 200
    assert (
        f'data-inspection="{inspection.pk}"'
        in staff.get(reverse("inspections:list")).content.decode()
    )


# --- planning ----------------------------------------------------------------------------


def test_given_the_plan_form_then_it_plans_with_two_inspectors(county, client_for):
    client = client_for("officer_emergency_x")
    url = reverse("inspections:new")
    assert client.get(url).status_code == 200
    one = client.post(
        url,
        {
            "enterprise": county.chem_a.pk,
            "kind": "routine",
            "planned_on": "2026-12-20",
            "inspectors": [county.user("insp1").pk],
        },
    )
    assert one.status_code == 400 and not Inspection.objects.exists()
    two = client.post(
        url,
        {
            "enterprise": county.chem_a.pk,
            "kind": "unannounced",
            "planned_on": "2026-12-20",
            "inspectors": [county.user("insp1").pk, county.user("insp2").pk],
        },
    )
    inspection = Inspection.objects.get()
    assert two.status_code == 302 and inspection.kind == Kind.UNANNOUNCED


def test_given_a_first_inspector_then_another_department_sees_it_on_its_plan_form(county):
    inspection = plan(county)
    services.inspection_start(actor=actor(county.user("insp1")), inspection_id=inspection.pk)
    DutyAssignment.objects.get_or_create(
        enterprise=county.chem_a,
        department=county.fire_x,
        defaults={"role": "cooperating", "source": "override"},
    )
    fire = User.objects.create_user(
        username="fire1",
        password=PASSWORD,
        role=Role.DEPARTMENT_OFFICER,
        division=county.county_x,
        department=county.fire_x,
    )
    client = Client()
    client.force_login(fire)
    html = client.get(
        reverse("inspections:new") + f"?enterprise={county.chem_a.pk}"
    ).content.decode()
    assert 'id="first-lead"' in html
    assert county.emergency_x.name in html


def test_given_the_draw_form_then_it_draws_and_shows_the_public_page(county, client_for):
    client = client_for("officer_emergency_x")
    response = client.post(
        reverse("inspections:draw-new"),
        {
            "seed": "表单种子",
            "sample_size": 2,
            "inspectors_per_inspection": 2,
            "planned_on": "2026-12-21",
        },
    )
    draw = Draw.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:public-draw", args=[draw.pk])
    assert draw.seed == "表单种子" and draw.published


# --- on site -----------------------------------------------------------------------------


def test_given_an_inspector_on_site_then_finding_and_conclusion_are_recorded_once(
    county, client_for
):
    inspection = plan(county)
    client = client_for("insp1")
    start = client.post(
        reverse("inspections:act", args=[inspection.pk, wf.START]),
        {"version": inspection.version, "latitude": "30.1", "longitude": "120.1"},
    )
    assert start.status_code == 302
    page = client.get(reverse("inspections:onsite", args=[inspection.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="finding-form"' in html
    assert "inspections/onsite.js" in html and no_inline_script(html)

    finding = {
        "client_token": "phone-1",
        "description": "消防通道堵塞",
        "location": "二号仓库",
        "hazard_type": "fire",
        "category": "things",
        "handling": "deadline",
    }
    url = reverse("inspections:finding", args=[inspection.pk])
    assert client.post(url, finding).status_code == 302
    assert client.post(url, finding).status_code == 302  # the connection dropped; sent again
    assert Finding.objects.filter(inspection=inspection).count() == 1
    recorded = client.get(reverse("inspections:onsite", args=[inspection.pk])).content.decode()
    assert 'data-recorded="phone-1"' in recorded

    body = {
        "client_token": "phone-c",
        "conclusion": "发现问题1项，已责令整改",
        "item_text": ["消防设施", "安全培训"],
        "item_result": ["problem", "normal"],
        "item_note": ["", ""],
        "representative_name": "李四",
        "sig_representative": data_url(png()),
        **{f"sig_inspector_{u.pk}": data_url(png()) for u in inspection.inspectors.all()},
    }
    url = reverse("inspections:conclude", args=[inspection.pk])
    assert client.post(url, body).status_code == 302
    assert client.post(url, body).status_code == 302
    inspection.refresh_from_db()
    assert inspection.state == wf.CONCLUDED
    assert len(inspection.items) == 2
    assert Signature.objects.filter(inspection=inspection).count() == 3
    signature = Signature.objects.filter(inspection=inspection).first()
    image = client.get(reverse("inspections:signature", args=[signature.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    detail = client.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert signature.sha256 in detail


def test_given_a_conclusion_without_signatures_then_it_is_refused_with_the_reason(
    county, client_for
):
    inspection = plan(county)
    services.inspection_start(actor=actor(county.user("insp1")), inspection_id=inspection.pk)
    response = client_for("insp1").post(
        reverse("inspections:conclude", args=[inspection.pk]),
        {"client_token": "t", "conclusion": "结论"},
    )
    assert response.status_code == 400
    assert 'id="onsite-errors"' in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.state == wf.IN_PROGRESS


def test_given_someone_not_an_inspector_then_the_onsite_page_is_refused(county, client_for):
    inspection = plan(county)
    services.inspection_start(actor=actor(county.user("insp1")), inspection_id=inspection.pk)
    assert (
        client_for("insp3").get(reverse("inspections:onsite", args=[inspection.pk])).status_code
        == 403
    )
    assert (
        client_for("principal_a")
        .get(reverse("inspections:onsite", args=[inspection.pk]))
        .status_code
        == 403
    )


def test_given_a_start_by_a_non_inspector_then_the_detail_says_why(county, client_for):
    inspection = plan(county)
    response = client_for("insp3").post(
        reverse("inspections:act", args=[inspection.pk, wf.START]), {"version": inspection.version}
    )
    assert response.status_code == 403
    assert 'id="inspection-refusal"' in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.state == wf.PLANNED


def test_given_planned_inspections_then_the_inspectors_home_tile_counts_them(county):
    from anjian.inspections.home_tiles import my_inspections

    assert my_inspections(county.user("insp1")) is None
    plan(county)
    assert my_inspections(county.user("insp1")) == {"planned": 1, "in_progress": 0}
    assert my_inspections(county.user("insp3")) is None
    assert my_inspections(county.user("principal_a")) is None
    home = Client()
    home.force_login(county.user("insp1"))
    assert 'id="home-inspections"' in home.get(reverse("home")).content.decode()

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.core.models import AuditEntry
from anjian.registry.models import DutyAssignment, Enterprise, Industry
from tests.world import make_uscc


def form_data(world, **overrides) -> dict:
    data = {
        "name": "东县新建化工有限公司",
        "uscc": make_uscc(77),
        "division_id": str(world.grid_x2.pk),
        "address": "东镇二网格77号",
        "longitude": "120.123456",
        "latitude": "30.5",
        "industry_id": str(Industry.objects.get(code="HR-HAZCHEM").pk),
        "scale": "small",
        "employees": "40",
        "legal_representative": "王五",
        "principal": "赵六",
        "principal_phone": "",
        "safety_officer": "",
        "safety_officer_phone": "",
        "status": "operating",
        "has_key_process": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def counts() -> tuple[int, int, int]:
    return Enterprise.objects.count(), DutyAssignment.objects.count(), AuditEntry.objects.count()


def test_given_coordinator_when_creating_valid_enterprise_then_saved_with_duties(world, client_for):
    response = client_for("coordinator_x").post(reverse("enterprise-create"), form_data(world))
    assert response.status_code == 302
    created = Enterprise.objects.get(uscc=make_uscc(77))
    assert response["Location"] == reverse("enterprise-detail", args=[created.pk])
    assert created.has_key_process and not created.has_major_hazard
    assert created.duties.filter(role="lead", department=world.emergency_x).exists()
    assert AuditEntry.objects.filter(
        object_type="registry.enterprise", object_id=str(created.pk)
    ).exists()


def test_given_wrong_check_character_when_creating_then_message_names_it_and_nothing_saved(
    world, client_for
):
    good = make_uscc(77)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    before = counts()
    response = client_for("coordinator_x").post(
        reverse("enterprise-create"), form_data(world, uscc=wrong)
    )
    assert response.status_code == 200
    assert counts() == before
    errors = response.context["form"].errors["uscc"]
    assert any(good[17] in e and "校验位" in e for e in errors), errors
    html = response.content.decode()
    assert "校验位" in html
    assert 'value="东县新建化工有限公司"' in html  # the user's input is kept


def test_given_missing_fields_when_creating_then_every_field_says_required(world, client_for):
    before = counts()
    response = client_for("coordinator_x").post(reverse("enterprise-create"), {"name": ""})
    assert response.status_code == 200
    assert counts() == before
    errors = response.context["form"].errors
    for field in (
        "name",
        "uscc",
        "division_id",
        "address",
        "industry_id",
        "scale",
        "legal_representative",
        "principal",
    ):
        assert field in errors, field


def test_given_out_of_scope_division_when_creating_then_refused_and_nothing_saved(
    world, client_for
):
    before = counts()
    response = client_for("coordinator_x").post(
        reverse("enterprise-create"), form_data(world, division_id=str(world.grid_y1.pk))
    )
    assert response.status_code == 200
    assert counts() == before
    assert "division_id" in response.context["form"].errors
    choices = str(response.context["form"].fields["division_id"].widget.choices)
    assert world.grid_y1.name not in choices


def test_given_county_division_when_creating_then_refused(world, client_for):
    before = counts()
    response = client_for("coordinator_x").post(
        reverse("enterprise-create"), form_data(world, division_id=str(world.county_x.pk))
    )
    assert "division_id" in response.context["form"].errors
    assert counts() == before


@pytest.mark.parametrize("persona", ["expert_x", "principal_a", "security_admin"])
def test_given_role_that_may_not_register_when_opening_create_then_403(world, client_for, persona):
    client = client_for(persona)
    assert client.get(reverse("enterprise-create")).status_code == 403
    before = counts()
    assert client.post(reverse("enterprise-create"), form_data(world)).status_code == 403
    assert counts() == before


def edit_data(enterprise: Enterprise, **overrides) -> dict:
    data = {
        "name": enterprise.name,
        "uscc": enterprise.uscc,
        "division_id": str(enterprise.division_id),
        "address": enterprise.address,
        "longitude": "",
        "latitude": "",
        "industry_id": str(enterprise.industry_id),
        "scale": enterprise.scale,
        "employees": str(enterprise.employees),
        "legal_representative": enterprise.legal_representative,
        "principal": enterprise.principal,
        "principal_phone": enterprise.principal_phone,
        "safety_officer": enterprise.safety_officer,
        "safety_officer_phone": enterprise.safety_officer_phone,
        "status": enterprise.status,
        "version": str(enterprise.version),
    }
    if enterprise.has_major_hazard:
        data["has_major_hazard"] = "on"
    data.update(overrides)
    return data


def test_given_lead_officer_when_editing_then_saved_and_version_bumped(world, client_for):
    enterprise = world.chem_a
    response = client_for("officer_emergency_x").post(
        reverse("enterprise-edit", args=[enterprise.pk]),
        edit_data(enterprise, principal="钱七", employees="120"),
    )
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.principal == "钱七" and enterprise.employees == 120
    assert enterprise.version == 2
    assert enterprise.has_major_hazard


def test_given_stale_version_when_editing_then_conflict_shown_and_nothing_changed(
    world, client_for
):
    enterprise = world.chem_a
    client = client_for("coordinator_x")
    first = edit_data(enterprise, principal="第一人")
    second = edit_data(enterprise, principal="第二人")  # loaded at the same version
    assert client.post(reverse("enterprise-edit", args=[enterprise.pk]), first).status_code == 302
    response = client.post(reverse("enterprise-edit", args=[enterprise.pk]), second)
    assert response.status_code == 409
    assert response.context["conflict"]
    assert 'id="conflict"' in response.content.decode()
    assert 'value="第二人"' in response.content.decode()  # the user's input is kept
    enterprise.refresh_from_db()
    assert enterprise.principal == "第一人"
    assert enterprise.version == 2


def test_given_blank_required_choice_when_editing_then_required_and_nothing_changed(
    world, client_for
):
    enterprise = world.build_b
    response = client_for("coordinator_x").post(
        reverse("enterprise-edit", args=[enterprise.pk]),
        edit_data(enterprise, industry_id="", uscc="123"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "industry_id" in errors and "uscc" in errors
    enterprise.refresh_from_db()
    assert enterprise.version == 1


def test_given_unchanged_form_when_saving_then_nothing_written(world, client_for):
    before = counts()
    enterprise = world.chem_a
    response = client_for("coordinator_x").post(
        reverse("enterprise-edit", args=[enterprise.pk]), edit_data(enterprise)
    )
    assert response.status_code == 302
    assert counts() == before
    enterprise.refresh_from_db()
    assert enterprise.version == 1


@pytest.mark.parametrize("persona", ["expert_x", "principal_a"])
def test_given_viewer_when_editing_visible_enterprise_then_403(world, client_for, persona):
    client = client_for(persona)
    url = reverse("enterprise-edit", args=[world.chem_a.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, edit_data(world.chem_a, principal="x")).status_code == 403
    world.chem_a.refresh_from_db()
    assert world.chem_a.principal == "李四"


def test_given_detail_when_viewed_then_shows_path_duties_and_licence_days(world, client_for):
    response = client_for("coordinator_x").get(reverse("enterprise-detail", args=[world.chem_a.pk]))
    html = response.content.decode()
    for text in (
        world.county_x.name,
        world.town_x.name,
        world.grid_x1.name,
        world.emergency_x.name,
        world.fire_x.name,
        "浙T安经(2024)001",
        reverse("enterprise-edit", args=[world.chem_a.pk]),
    ):
        assert text in html
    assert response.context["licences"][0]["days_left"] == world.chem_a.licences.get().days_left()


def test_given_expired_licence_when_detail_then_marked_expired(world, client_for):
    world.chem_a.licences.update(expires_on="2020-01-01")
    html = (
        client_for("principal_a")
        .get(reverse("enterprise-detail", args=[world.chem_a.pk]))
        .content.decode()
    )
    assert 'class="expired"' in html
    assert reverse("enterprise-edit", args=[world.chem_a.pk]) not in html

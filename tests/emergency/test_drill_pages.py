"""The drill pages: the regulator's compliance list (overdue first) and response times, the
enterprise's own obligations, planning and ordering through the forms, the steps as big
buttons, and scoping (another county and an outsider see nothing)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.emergency.models import Drill, DrillFinding
from tests.emergency.drill_helpers import ordered, plan, planned, put

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(client, world, name):
    client.force_login(world.user(name))


def test_given_a_regulator_when_opening_drills_then_compliance_overdue_first_and_times(
    client, world
):
    put(planned(world), "done")
    drill = ordered(world)
    login(client, world, "coordinator_x")
    r = client.get(reverse("emergency:drills"))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="compliance-table"' in html and 'id="unannounced-table"' in html
    rows = r.context["compliance"].object_list
    assert rows[0].enterprise == world.build_b and rows[0].compliance.status == "overdue"
    assert f'data-drill="{drill.pk}"' in html
    assert world.chem_c.name not in html
    assert 'id="drill-order"' in html and 'id="drill-new"' not in html


def test_given_the_enterprise_when_opening_drills_then_its_own_obligations_and_plan_button(
    client, world
):
    plan(world)
    login(client, world, "principal_a")
    r = client.get(reverse("emergency:drills"), {"profile": "each_onsite"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="drill-own-compliance"' in html and 'id="compliance-table"' not in html
    assert 'data-code="half_onsite"' in html and 'data-code="half_high_risk"' in html
    assert 'id="drill-new"' in html and 'id="drill-order"' not in html


@pytest.mark.parametrize("persona", ["outsider", "audit_admin"])
def test_given_no_role_for_drills_when_opening_then_403(client, world, persona):
    login(client, world, persona)
    assert client.get(reverse("emergency:drills")).status_code == 403


def test_given_another_county_when_opening_a_drill_or_compliance_then_404(client, world):
    drill = planned(world)
    login(client, world, "coordinator_y")
    assert client.get(reverse("emergency:drill", args=[drill.pk])).status_code == 404
    url = reverse("emergency:drill-compliance", args=[world.chem_a.pk])
    assert client.get(url).status_code == 404
    r = client.post(reverse("emergency:drill-act", args=[drill.pk, "start"]))
    assert r.status_code == 404
    assert client.get(reverse("emergency:drills")).context["unannounced"] == []


def test_given_the_safety_officer_when_planning_through_the_form_then_the_drill_page(client, world):
    p = plan(world)
    login(client, world, "safety_a")
    r = client.post(
        reverse("emergency:drill-new"),
        {"kind": "functional", "level": "company", "plan": p.pk, "scenario": "储罐泄漏功能演练"},
    )
    drill = Drill.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("emergency:drill", args=[drill.pk])
    assert drill.plan == p and drill.state == "planned"
    r = client.post(reverse("emergency:drill-new"), {"kind": "functional", "level": "company"})
    assert r.status_code == 400
    login(client, world, "employee_a")
    assert client.get(reverse("emergency:drill-new")).status_code == 403


def test_given_a_regulator_when_ordering_through_the_form_then_ordered_and_shown_with_times(
    client, world
):
    login(client, world, "coordinator_x")
    assert client.get(reverse("emergency:drill-order")).status_code == 200
    r = client.post(
        reverse("emergency:drill-order"),
        {"enterprise": world.chem_a.pk, "kind": "full_scale", "scenario": "夜间火灾疏散"},
    )
    drill = Drill.objects.get()
    assert r.status_code == 302 and drill.unannounced and drill.state == "ordered"
    # Another county's enterprise is not in the choice list.
    r = client.post(
        reverse("emergency:drill-order"),
        {"enterprise": world.chem_c.pk, "kind": "full_scale", "scenario": "x"},
    )
    assert r.status_code == 400 and Drill.objects.count() == 1
    login(client, world, "principal_a")
    assert client.get(reverse("emergency:drill-order")).status_code == 403


def test_given_an_ordered_drill_when_the_unit_uses_the_big_buttons_then_it_runs_and_ends(
    client, world
):
    drill = ordered(world)
    login(client, world, "principal_a")
    page = client.get(reverse("emergency:drill", args=[drill.pk])).content.decode()
    assert 'id="act-acknowledge"' in page and 'id="act-start"' in page
    assert 'class="btn btn-primary btn-block dr-huge"' in page
    assert 'id="act-cancel"' not in page  # only the regulator calls an order off
    for action, data in (("acknowledge", {}), ("start", {}), ("finish", {"participants": "16"})):
        r = client.post(reverse("emergency:drill-act", args=[drill.pk, action]), data)
        assert r.status_code == 302, (action, r.content[:500])
    drill.refresh_from_db()
    assert drill.state == "done" and drill.participants == 16
    page = client.get(reverse("emergency:drill", args=[drill.pk])).content.decode()
    assert 'id="time-ack">0<' in page and 'id="time-total">0<' in page
    r = client.post(
        reverse("emergency:drill-act", args=[drill.pk, "evaluate"]),
        {"evaluation": "响应迅速", "finding_1": "集合点标识不清", "outcome_1": "note"},
    )
    assert r.status_code == 302
    assert DrillFinding.objects.get().text == "集合点标识不清"


def test_given_a_wrong_step_or_party_when_posting_then_409_403_or_400(client, world):
    drill = planned(world)
    login(client, world, "principal_a")
    url = reverse("emergency:drill-act", args=[drill.pk, "finish"])
    assert client.post(url, {"participants": "3"}).status_code == 409
    assert client.post(reverse("emergency:drill-act", args=[drill.pk, "dance"])).status_code == 404
    assert client.get(reverse("emergency:drill-act", args=[drill.pk, "start"])).status_code == 405
    put(drill, "running")
    assert client.post(url, {"participants": "0"}).status_code == 400
    login(client, world, "employee_a")
    r = client.post(reverse("emergency:drill-act", args=[drill.pk, "finish"]), {"participants": 3})
    assert r.status_code == 403 and 'id="drill-refusal"' in r.content.decode()


def test_given_one_enterprise_when_its_compliance_page_is_opened_then_its_obligations(
    client, world
):
    put(ordered(world), "done")
    login(client, world, "coordinator_x")
    r = client.get(reverse("emergency:drill-compliance", args=[world.chem_a.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="high-risk"' in html and 'data-status="satisfied"' in html
    assert "dr-times" in html
    login(client, world, "principal_a")
    r = client.get(reverse("emergency:drill-compliance", args=[world.chem_a.pk]))
    assert r.status_code == 200
    assert (
        client.get(reverse("emergency:drill-compliance", args=[world.build_b.pk])).status_code
        == 404
    )

"""Declared conflicts of interest (利害关系, 回避; issue 12 item 5): declared by the
inspector or an officer of their department, never twice while one stands, withdrawn
(never deleted) once; the draw never sends the inspector to the enterprise while the
declaration stands, its published record lists the declaration and re-runs the same;
withdrawn, the next draw may pick them again. The page and the API, scoped: an outsider
sees nothing."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from anjian.accounts.models import User
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.inspections import conflict_services as cs
from anjian.inspections import services
from anjian.inspections.models import ConflictOfInterest, Draw
from tests.inspections.helpers import actor, add_chemicals, add_roster

SEED = "2026-12 东县应急管理局 回避测试"


@pytest.fixture
def county(world):
    add_roster(world)
    add_chemicals(world)
    return world


def declare(world, by="insp1", inspector="insp1", enterprise=None, reason="配偶在该企业任职"):
    return cs.conflict_declare(
        actor=actor(world.user(by)),
        inspector_id=world.user(inspector).pk,
        enterprise_id=(enterprise or world.chem_a).pk,
        reason=reason,
    )


def withdraw(world, conflict, by="insp1"):
    return cs.conflict_withdraw(actor=actor(world.user(by)), conflict_id=conflict.pk)


def run(world, seed=SEED) -> Draw:
    return services.draw_run(
        actor=actor(world.user("officer_emergency_x")),
        department_id=world.emergency_x.pk,
        seed=seed,
        sample_size=3,
    )


def selections(draw: Draw) -> dict[str, list[str]]:
    return {row[0]: row[5] for row in json.loads(draw.canonical)["selections"]}


# --- declaring and withdrawing -----------------------------------------------------------


def test_given_an_inspector_when_they_declare_for_themself_then_it_stands_and_is_audited(county):
    conflict = declare(county)
    assert conflict.inspector == county.user("insp1")
    assert conflict.declared_by == county.user("insp1")
    assert conflict.withdrawn_at is None and conflict.reason == "配偶在该企业任职"
    entry = AuditEntry.objects.get(action="inspection_conflict_declare")
    assert entry.object_id == str(conflict.pk)


def test_given_an_officer_of_the_department_then_they_declare_for_a_roster_member(county):
    conflict = declare(county, by="officer_emergency_x", inspector="insp2")
    assert conflict.inspector == county.user("insp2")
    assert conflict.declared_by == county.user("officer_emergency_x")


def test_given_an_inspector_of_another_department_then_nobody_declares_for_them(county):
    with pytest.raises(ValidationFailed) as exc:
        declare(county, by="officer_emergency_x", inspector="officer_housing_x")
    assert "inspector" in exc.value.errors
    assert not ConflictOfInterest.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "principal_a", "coordinator_x", "grid_x1"])
def test_given_no_department_officer_then_declaring_is_forbidden(county, persona):
    with pytest.raises(Forbidden):
        declare(county, by=persona)
    assert not ConflictOfInterest.objects.exists()


def test_given_an_enterprise_outside_the_scope_then_the_declaration_is_refused(county):
    for enterprise in (county.build_b, county.chem_c):  # housing's; the other county's
        with pytest.raises(ValidationFailed) as exc:
            declare(county, enterprise=enterprise)
        assert "enterprise" in exc.value.errors
    assert not ConflictOfInterest.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", None, "长" * 256])
def test_given_no_reason_or_a_too_long_one_then_the_declaration_is_refused(county, reason):
    with pytest.raises(ValidationFailed) as exc:
        declare(county, reason=reason)
    assert "reason" in exc.value.errors


def test_given_a_standing_declaration_then_a_second_for_the_same_pair_is_refused(county):
    declare(county)
    with pytest.raises(ValidationFailed) as exc:
        declare(county, by="officer_emergency_x")
    assert "enterprise" in exc.value.errors
    assert ConflictOfInterest.objects.count() == 1


def test_given_the_database_then_the_partial_unique_constraint_guards_the_pair(county):
    first = declare(county)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConflictOfInterest.objects.create(
            inspector=first.inspector,
            enterprise=first.enterprise,
            reason="again",
            declared_by=first.inspector,
        )


def test_given_a_withdrawn_declaration_then_it_is_kept_and_a_new_one_may_stand(county):
    first = declare(county)
    withdrawn = withdraw(county, first, by="officer_emergency_x")
    assert withdrawn.withdrawn_at is not None
    assert withdrawn.withdrawn_by == county.user("officer_emergency_x")
    assert AuditEntry.objects.filter(action="inspection_conflict_withdraw").count() == 1
    second = declare(county)
    assert ConflictOfInterest.objects.count() == 2
    assert ConflictOfInterest.objects.filter(withdrawn_at__isnull=True).get() == second


def test_given_a_withdrawn_declaration_then_withdrawing_again_is_refused(county):
    conflict = declare(county)
    withdraw(county, conflict)
    with pytest.raises(Conflict):
        withdraw(county, conflict)
    assert AuditEntry.objects.filter(action="inspection_conflict_withdraw").count() == 1


@pytest.mark.parametrize(
    "persona", ["officer_housing_x", "outsider", "principal_a", "coordinator_x"]
)
def test_given_someone_outside_the_declarers_side_then_withdrawing_is_refused(county, persona):
    conflict = declare(county)
    with pytest.raises(NotFound):
        withdraw(county, conflict, by=persona)
    conflict.refresh_from_db()
    assert conflict.withdrawn_at is None


@pytest.mark.parametrize(
    "persona", ["officer_housing_x", "outsider", "principal_a", "coordinator_x", "audit_admin"]
)
def test_given_an_outsider_then_they_read_no_declaration(county, persona):
    declare(county)
    assert not cs.visible_conflicts(county.user(persona)).exists()


def test_given_the_department_then_its_officers_read_its_rosters_declarations(county):
    conflict = declare(county)
    for persona in ("insp1", "insp2", "officer_emergency_x"):
        assert list(cs.visible_conflicts(county.user(persona))) == [conflict]


# --- the draw ----------------------------------------------------------------------------


def test_given_a_declared_conflict_then_the_draw_never_sends_the_inspector_there(county):
    before = run(county)
    drawn = selections(before)
    # Without the declaration this seed sends insp-X to enterprise E.
    code, inspectors = next(iter(drawn.items()))
    inspector = User.objects.get(pk=int(inspectors[0][1:]))
    enterprise = county.chem_a.__class__.objects.get(uscc=code)
    declare(county, by="officer_emergency_x", inspector=inspector.username, enterprise=enterprise)

    after = run(county)
    again = selections(after)
    assert code in again  # the enterprise is still drawn (inspectors are drawn after)
    assert services.inspector_code(inspector.pk) not in again[code]
    assert len(again[code]) == 2
    record = json.loads(after.canonical)
    assert record["conflicts"] == [[services.inspector_code(inspector.pk), code]]
    assert json.loads(before.canonical)["conflicts"] == []
    planned = after.inspections.get(enterprise=enterprise)
    assert inspector not in planned.inspectors.all()
    # Anyone re-running the published record gets the same result.
    assert services.draw_verify(after).ok
    assert services.draw_verify(before).ok
    # The public page says how many declarations the draw respected (not who or why).
    page = Client().get(reverse("inspections:public-draw", args=[after.pk])).content.decode()
    exclusions = page.split('id="draw-exclusions">', 1)[1].split("</dd>", 1)[0]
    assert "1" in exclusions.split("·")[0]


def test_given_the_declaration_withdrawn_then_the_next_draw_may_pick_them_again(county):
    before = selections(run(county))
    code, inspectors = next(iter(before.items()))
    inspector = User.objects.get(pk=int(inspectors[0][1:]))
    enterprise = county.chem_a.__class__.objects.get(uscc=code)
    conflict = declare(
        county, by="officer_emergency_x", inspector=inspector.username, enterprise=enterprise
    )
    assert services.inspector_code(inspector.pk) not in selections(run(county))[code]
    withdraw(county, conflict, by=inspector.username)
    later = run(county)
    assert selections(later) == before
    assert json.loads(later.canonical)["conflicts"] == []
    assert services.draw_verify(later).ok


def test_given_the_draw_then_it_respects_only_its_rosters_standing_declarations(county):
    housing = county.user("officer_housing_x")
    # Another department's inspector's declaration (for its own enterprise) is not this
    # draw's, and a withdrawn one is not respected.
    cs.conflict_declare(
        actor=actor(housing),
        inspector_id=housing.pk,
        enterprise_id=county.build_b.pk,
        reason="亲属",
    )
    withdraw(county, declare(county, inspector="insp1", enterprise=county.chem_a))
    draw = run(county)
    assert json.loads(draw.canonical)["conflicts"] == []
    standing = declare(county, inspector="insp2", enterprise=county.chem_a)
    count = services.draw_conflicts(
        county.emergency_x.pk, services.draw_enterprises(county.user("officer_emergency_x"))
    )
    assert list(count) == [standing]


# --- the page ----------------------------------------------------------------------------


def client_for(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.user(persona))
    return client


def test_given_an_inspector_when_they_open_the_page_then_they_see_their_declarations(county):
    conflict = declare(county, by="officer_emergency_x", inspector="insp2")
    page = client_for(county, "insp1").get(reverse("inspections:conflicts"))
    assert page.status_code == 200
    body = page.content.decode()
    assert county.chem_a.name in body and conflict.reason in body
    assert f'data-conflict="{conflict.pk}"' in body


def test_given_the_form_when_posted_then_the_declaration_stands(county):
    client = client_for(county, "insp1")
    response = client.post(
        reverse("inspections:conflicts"),
        {
            "inspector": county.user("insp1").pk,
            "enterprise": county.chem_a.pk,
            "reason": "曾任顾问",
        },
    )
    assert response.status_code == 302
    assert ConflictOfInterest.objects.get().reason == "曾任顾问"
    again = client.post(
        reverse("inspections:conflicts"),
        {"inspector": county.user("insp1").pk, "enterprise": county.chem_a.pk, "reason": "再报"},
    )
    assert again.status_code == 400
    assert ConflictOfInterest.objects.count() == 1


def test_given_the_form_without_a_reason_then_it_is_shown_again_with_the_error(county):
    response = client_for(county, "insp1").post(
        reverse("inspections:conflicts"),
        {"inspector": county.user("insp1").pk, "enterprise": county.chem_a.pk, "reason": ""},
    )
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    assert not ConflictOfInterest.objects.exists()


def test_given_the_withdraw_button_then_it_withdraws_once(county):
    conflict = declare(county)
    client = client_for(county, "officer_emergency_x")
    url = reverse("inspections:conflict-withdraw", args=[conflict.pk])
    assert client.post(url).status_code == 302
    conflict.refresh_from_db()
    assert conflict.withdrawn_at is not None
    assert client.post(url).status_code == 409


@pytest.mark.parametrize("persona", ["outsider", "principal_a", "coordinator_x"])
def test_given_no_department_officer_then_the_page_is_refused(county, persona):
    declare(county)
    client = client_for(county, persona)
    assert client.get(reverse("inspections:conflicts")).status_code == 403


def test_given_another_departments_officer_then_withdrawing_by_page_is_not_found(county):
    conflict = declare(county)
    client = client_for(county, "officer_housing_x")
    page = client.get(reverse("inspections:conflicts"))
    assert page.status_code == 200 and county.chem_a.name not in page.content.decode()
    url = reverse("inspections:conflict-withdraw", args=[conflict.pk])
    assert client.post(url).status_code == 404


def test_given_the_draw_page_then_it_says_how_many_declarations_it_respects(county):
    declare(county, inspector="insp1")
    declare(county, inspector="insp2")
    page = client_for(county, "officer_emergency_x").get(reverse("inspections:draw-new"))
    body = page.content.decode()
    assert page.status_code == 200
    assert reverse("inspections:conflicts") in body
    assert 'id="draw-conflicts" data-count="2"' in body


# --- the API -----------------------------------------------------------------------------


def api(world, persona):
    return {"HTTP_AUTHORIZATION": f"Bearer {world.token(persona)}"}


def test_given_the_api_then_declarations_are_listed_declared_and_withdrawn(county):
    headers = api(county, "insp1")
    client = Client()
    made = client.post(
        "/api/v1/conflicts-of-interest",
        data={
            "inspector": county.user("insp1").pk,
            "enterprise": county.chem_a.pk,
            "reason": "亲属",
        },
        content_type="application/json",
        **headers,
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["enterprise"]["id"] == county.chem_a.pk and body["standing"] is True
    listed = client.get("/api/v1/conflicts-of-interest", **headers).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    twice = client.post(
        "/api/v1/conflicts-of-interest",
        data={
            "inspector": county.user("insp1").pk,
            "enterprise": county.chem_a.pk,
            "reason": "亲属",
        },
        content_type="application/json",
        **headers,
    )
    assert twice.status_code == 422
    url = f"/api/v1/conflicts-of-interest/{body['id']}/withdraw"
    done = client.post(url, **headers)
    assert done.status_code == 200 and done.json()["standing"] is False
    assert client.post(url, **headers).status_code == 409


def test_given_the_api_then_bad_input_is_a_field_error_and_an_outsider_sees_nothing(county):
    conflict = declare(county)
    client = Client()
    bad = client.post(
        "/api/v1/conflicts-of-interest",
        data={"inspector": county.user("insp1").pk, "enterprise": county.chem_a.pk, "reason": ""},
        content_type="application/json",
        **api(county, "insp1"),
    )
    assert bad.status_code == 422
    housing = api(county, "officer_housing_x")
    assert client.get("/api/v1/conflicts-of-interest", **housing).json()["count"] == 0
    url = f"/api/v1/conflicts-of-interest/{conflict.pk}/withdraw"
    assert client.post(url, **housing).status_code == 404
    enterprise = api(county, "principal_a")
    assert client.get("/api/v1/conflicts-of-interest", **enterprise).json()["count"] == 0
    refused = client.post(
        "/api/v1/conflicts-of-interest",
        data={"inspector": county.user("insp1").pk, "enterprise": county.chem_a.pk, "reason": "x"},
        content_type="application/json",
        **enterprise,
    )
    assert refused.status_code == 403


def test_given_an_unknown_user_then_the_api_refuses(county):
    assert Client().get("/api/v1/conflicts-of-interest").status_code == 401

from __future__ import annotations

from django.urls import reverse

from anjian.registry.models import DutyDispute, DutyRule, Industry


def raise_dispute(client, **data):
    return client.post(reverse("dispute-create"), data)


def test_given_gap_when_officer_raises_and_coordinator_decides_then_lead_changes(world, client_for):
    officer = client_for("officer_emergency_x")
    form = officer.get(
        reverse("dispute-create"), {"enterprise": world.ess_d.pk, "kind": "claim_gap"}
    )
    assert form.status_code == 200
    response = raise_dispute(
        officer,
        kind="claim_gap",
        enterprise_id=world.ess_d.pk,
        proposed_department_id=world.emergency_x.pk,
        reason="储能电站无牵头部门",
    )
    assert response.status_code == 302
    dispute = DutyDispute.objects.get()
    assert dispute.enterprise == world.ess_d and dispute.status == "open"

    coordinator = client_for("coordinator_x")
    page = coordinator.get(reverse("dispute-detail", args=[dispute.pk]))
    assert 'id="decide-form"' in page.content.decode()
    decision = "经县安委办研究，储能电站由应急管理局牵头监管"
    response = coordinator.post(
        reverse("dispute-decide", args=[dispute.pk]),
        {
            "decided_lead_id": world.emergency_x.pk,
            "decision": decision,
            "cooperating_ids": [world.fire_x.pk],
        },
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == "decided" and dispute.decided_on is not None
    lead = world.ess_d.duties.get(role="lead")
    assert lead.department == world.emergency_x and lead.source == "decision"
    assert world.ess_d.duties.filter(role="cooperating", department=world.fire_x).exists()

    html = coordinator.get(reverse("dispute-detail", args=[dispute.pk])).content.decode()
    assert decision in html
    assert dispute.decided_on.strftime("%Y-%m-%d") in html
    assert world.emergency_x.name in html
    assert 'id="decide-form"' not in html
    # The officer now supervises the enterprise; it is no longer a gap.
    listed = officer.get(reverse("enterprise-list")).context["page"].object_list
    assert world.ess_d.pk in {e.pk for e in listed}
    assert world.ess_d.name not in coordinator.get(reverse("gaps")).content.decode()


def test_given_business_type_dispute_when_decided_then_rule_added_for_jurisdiction(
    world, client_for
):
    ess = Industry.objects.get(code="NB-ESS")
    raise_dispute(
        client_for("coordinator_x"), kind="claim_gap", industry_id=ess.pk, reason="储能电站属新业态"
    )
    dispute = DutyDispute.objects.get()
    response = client_for("coordinator_x").post(
        reverse("dispute-decide", args=[dispute.pk]),
        {"decided_lead_id": world.fire_x.pk, "decision": "由消防救援大队牵头"},
    )
    assert response.status_code == 302
    assert DutyRule.objects.filter(
        industry=ess, division=world.county_x, role="lead", department_kind="fire"
    ).exists()
    assert world.ess_d.duties.get(role="lead").department == world.fire_x


def test_given_decide_without_text_when_posting_then_errors_and_still_open(world, client_for):
    raise_dispute(
        client_for("officer_housing_x"),
        kind="refuse",
        enterprise_id=world.build_b.pk,
        reason="不属于本部门",
    )
    dispute = DutyDispute.objects.get()
    response = client_for("coordinator_x").post(
        reverse("dispute-decide", args=[dispute.pk]), {"decided_lead_id": "", "decision": ""}
    )
    assert response.status_code == 200
    errors = response.context["decide_form"].errors
    assert "decision" in errors and "decided_lead_id" in errors
    dispute.refresh_from_db()
    assert dispute.status == "open"


def test_given_raise_without_reason_or_subject_when_posting_then_errors_and_nothing_saved(
    world, client_for
):
    response = raise_dispute(client_for("officer_emergency_x"), kind="contest", reason="")
    assert response.status_code == 200
    form = response.context["form"]
    assert "reason" in form.errors
    assert form.non_field_errors()  # names neither enterprise nor business type
    assert not DutyDispute.objects.exists()


def test_given_officer_when_deciding_then_403(world, client_for):
    raise_dispute(
        client_for("officer_housing_x"),
        kind="refuse",
        enterprise_id=world.build_b.pk,
        reason="不属于本部门",
    )
    dispute = DutyDispute.objects.get()
    officer = client_for("officer_housing_x")
    assert (
        'id="decide-form"'
        not in officer.get(reverse("dispute-detail", args=[dispute.pk])).content.decode()
    )
    response = officer.post(
        reverse("dispute-decide", args=[dispute.pk]),
        {"decided_lead_id": world.housing_x.pk, "decision": "自己决定"},
    )
    assert response.status_code == 403
    dispute.refresh_from_db()
    assert dispute.status == "open"


def test_given_raiser_when_withdrawing_then_withdrawn_and_others_may_not(world, client_for):
    raise_dispute(
        client_for("officer_housing_x"),
        kind="refuse",
        enterprise_id=world.build_b.pk,
        reason="不属于本部门",
    )
    dispute = DutyDispute.objects.get()
    other = client_for("coordinator_x")
    assert other.post(reverse("dispute-withdraw", args=[dispute.pk])).status_code == 403
    raiser = client_for("officer_housing_x")
    assert raiser.post(reverse("dispute-withdraw", args=[dispute.pk])).status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == "withdrawn"
    again = raiser.post(reverse("dispute-withdraw", args=[dispute.pk]))
    assert again.status_code == 409


def test_given_disputes_when_listing_then_scoped_and_filtered(world, client_for):
    raise_dispute(
        client_for("officer_housing_x"),
        kind="refuse",
        enterprise_id=world.build_b.pk,
        reason="不属于本部门",
    )
    dispute = DutyDispute.objects.get()
    coordinator_x = client_for("coordinator_x")
    assert [d.pk for d in coordinator_x.get(reverse("dispute-list")).context["page"]] == [
        dispute.pk
    ]
    assert (
        list(coordinator_x.get(reverse("dispute-list"), {"status": "decided"}).context["page"])
        == []
    )
    coordinator_y = client_for("coordinator_y")
    assert list(coordinator_y.get(reverse("dispute-list")).context["page"]) == []
    assert coordinator_y.get(reverse("dispute-detail", args=[dispute.pk])).status_code == 404
    assert (
        client_for("officer_emergency_x")
        .get(reverse("dispute-detail", args=[dispute.pk]))
        .status_code
        == 404
    )


def test_given_grid_officer_or_enterprise_when_raising_then_403(world, client_for):
    for persona in ("grid_x1", "principal_a", "expert_x"):
        client = client_for(persona)
        assert client.get(reverse("dispute-create")).status_code == 403
        assert (
            raise_dispute(
                client, kind="refuse", enterprise_id=world.chem_a.pk, reason="x"
            ).status_code
            == 403
        )
    assert not DutyDispute.objects.exists()

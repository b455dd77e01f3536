"""The success message after an assessment names the level the unit ends up with: when
coupling rules raise it, the raised level (the one the unit page shows), not the
assessment's own."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse

from anjian.core.audit import Actor
from anjian.risks import services
from anjian.risks.models import RiskUnit
from anjian.risks.templatetags.risks_ui import level_word


def _unit(world, factors: list[str]) -> RiskUnit:
    a = Actor.for_user(world.user("safety_a"), "web")
    obj = services.risk_object_create(
        actor=a, enterprise_id=world.chem_a.pk, kind="area", name="粉碎车间"
    )
    return services.risk_unit_create(
        actor=a,
        enterprise_id=world.chem_a.pk,
        data={
            "name": "粉碎工段",
            "risk_object_id": obj.pk,
            "responsible_department": "生产车间",
            "responsible_person": "王工",
            "control_level": "workshop",
            "hazard_factors": factors,
        },
    )


def _assess(client, unit: RiskUnit) -> str:
    response = client.post(
        reverse("risks:unit-assess", args=[unit.pk]),
        {"method": "lec", "lec_L": "3", "lec_E": "6", "lec_C": "7", "lec_profile": "lec-5class-db"},
    )
    assert response.status_code == 302
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_given_coupling_raises_the_unit_when_assessed_then_the_message_names_the_raised_level(
    world, client_for
):
    unit = _unit(world, ["combustible_dust", "hot_work"])
    client = client_for("safety_a")
    text = _assess(client, unit)
    unit.refresh_from_db()
    assert (unit.inherent_colour, unit.colour) == ("yellow", "orange")
    assert level_word("orange") in text
    assert "粉尘+动火" in text


def test_given_no_coupling_when_assessed_then_the_message_names_the_assessed_level(
    world, client_for
):
    unit = _unit(world, [])
    text = _assess(client_for("safety_a"), unit)
    unit.refresh_from_db()
    assert unit.colour == "yellow"
    assert level_word("yellow") in text and level_word("orange") not in text

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from anjian.core.audit import Actor
from anjian.risks import services
from anjian.risks.models import MajorHazardInstallation
from tests.world import EXPECTED_ENTERPRISES

URL = "/risks/installations/"


@pytest.fixture
def installation(world):
    made = services.installation_save(
        actor=Actor.for_user(world.user("safety_a"), "web"),
        enterprise_id=world.chem_a.pk,
        data={
            "name": "液氨罐区",
            "unit_kind": "storage",
            "people_500m": 0,
            "principal_person": "张总",
            "technical_person": "李工",
            "operational_person": "赵班长",
            "substances": [{"substance": "液氨", "quantity": "12"}],
        },
    )
    # Assessed more than three years ago: the re-assessment is overdue by ten days.
    MajorHazardInstallation.objects.filter(pk=made.pk).update(
        reassess_by=timezone.localdate() - dt.timedelta(days=10)
    )
    return made


def page(world, persona):
    client = Client()
    client.force_login(world.user(persona))
    return client.get(URL + "?show=all")


def test_given_overdue_installation_when_coordinator_opens_then_listed_as_overdue(
    world, installation
):
    response = page(world, "coordinator_x")
    assert response.status_code == 200
    assert response.context["counts"]["overdue"] == 1
    assert "液氨罐区" in response.content.decode()
    assert response.context["page"].object_list[0].overdue_days == 10


@pytest.mark.parametrize("persona", ["coordinator_y", "officer_housing_x"])
def test_given_regulator_outside_its_scope_when_opening_then_not_listed(
    world, installation, persona
):
    response = page(world, persona)
    assert response.status_code == 200
    assert "液氨罐区" not in response.content.decode()


@pytest.mark.parametrize(
    "persona",
    [
        p
        for p in EXPECTED_ENTERPRISES
        if p.startswith(("principal", "safety", "employee", "outsider", "security", "audit"))
    ],
)
def test_given_non_regulator_when_opening_then_refused(world, installation, persona):
    assert page(world, persona).status_code in (403, 302)

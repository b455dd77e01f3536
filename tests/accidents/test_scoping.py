"""Who sees which accident: regulators their division subtree (an accident need not be at
a registered enterprise), enterprise staff their own enterprise's, anyone else nothing."""

from __future__ import annotations

import pytest

from anjian.accidents.models import Accident
from anjian.core import scoping
from tests.accidents.accident_helpers import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def accidents(world):
    return {
        "at_chem_a": report(world),  # grid_x1, enterprise chem_a
        "road_x2": report(
            world, "coordinator_x", division_id=world.grid_x2.pk, gb6441_type="02"
        ),  # no enterprise
        "at_chem_c": report(world, "principal_c"),  # county Y
    }


EXPECTED = {
    "platform_admin": {"at_chem_a", "road_x2", "at_chem_c"},
    "coordinator_x": {"at_chem_a", "road_x2"},
    "coordinator_y": {"at_chem_c"},
    "officer_emergency_x": {"at_chem_a", "road_x2"},
    "officer_housing_x": {"at_chem_a", "road_x2"},
    "grid_x1": {"at_chem_a"},
    "expert_x": {"at_chem_a", "road_x2"},
    "principal_a": {"at_chem_a"},
    "safety_a": {"at_chem_a"},
    "employee_a": {"at_chem_a"},
    "principal_c": {"at_chem_c"},
    "security_admin": set(),
    "audit_admin": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_given_a_persona_when_listing_accidents_then_they_see_exactly_their_scope(
    world, accidents, persona
):
    names = {pk: name for name, pk in ((n, a.pk) for n, a in accidents.items())}

    seen = scoping.visible(world.user(persona), Accident)

    assert {names[pk] for pk in seen.values_list("pk", flat=True)} == EXPECTED[persona]
    assert set(scoping.visible_accidents(world.user(persona))) == set(seen)


def test_given_an_inactive_regulator_or_anonymous_when_listing_then_nothing(world, accidents):
    from django.contrib.auth.models import AnonymousUser

    user = world.user("coordinator_x")
    user.is_active = False
    assert not scoping.visible(user, Accident).exists()
    assert not scoping.visible(AnonymousUser(), Accident).exists()


def test_given_enterprise_staff_without_an_enterprise_when_listing_then_nothing(world, accidents):
    user = world.user("principal_a")
    user.enterprise = None
    assert not scoping.visible(user, Accident).exists()

import pytest

from anjian.core.scoping import visible
from anjian.registry.models import Enterprise
from tests.world import EXPECTED_ENTERPRISES


@pytest.mark.parametrize("persona", sorted(EXPECTED_ENTERPRISES))
def test_given_persona_when_listing_enterprises_then_sees_exactly_its_scope(world, persona):
    seen = set(visible(world.user(persona), Enterprise).values_list("pk", flat=True))
    expected = {getattr(world, name).pk for name in EXPECTED_ENTERPRISES[persona]}
    assert seen == expected

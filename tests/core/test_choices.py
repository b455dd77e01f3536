"""The "choose one of" message names the choices by their labels, in the page's language;
the codes are for the API schema, not for people."""

from __future__ import annotations

import pytest
from django.utils import translation

from anjian.core.audit import Actor
from anjian.core.choices import choice_values, choose_one_of
from anjian.core.errors import ValidationFailed
from anjian.hazards.models import HazardType
from anjian.registry import services
from anjian.registry.models import EnterpriseScale, Industry
from tests.registry.test_services import valid_data


def test_given_a_choices_class_then_the_message_lists_labels_and_the_values_are_codes():
    assert choice_values(HazardType) == HazardType.values
    assert choice_values(["a", "b"]) == ["a", "b"]
    with translation.override("en"):
        text = choose_one_of(HazardType)
    assert "Electrical" in text and "electrical" not in text
    with translation.override("zh-hans"):
        text = choose_one_of(HazardType)
    assert "electrical" not in text and "、" in text


def test_given_a_bad_scale_when_creating_an_enterprise_then_the_error_names_labels(world):
    assert Industry.objects.exists()
    actor = Actor.for_user(world.user("coordinator_x"), "web")
    with translation.override("en"), pytest.raises(ValidationFailed) as err:
        services.enterprise_create(actor=actor, data=valid_data(world, scale="huge"))
    message = err.value.errors["scale"][0]
    with translation.override("en"):
        assert str(EnterpriseScale.SMALL.label) in message
    assert not any(
        f" {code}," in message or f" {code}." in message for code in EnterpriseScale.values
    )

"""What a new user reads on the hazard pages: choice errors name the choices by their
labels (never the codes), each concept has its own words, the history names people, and
the phone report form starts with the photo and the description."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from anjian.hazards.models import Category, HazardType, Source
from tests.world import PASSWORD

CODES = [*HazardType.values, *Category.values, *Source.values]


def login(client, name):
    assert client.login(username=name, password=PASSWORD)
    return client


def _codes_in(text: str) -> set[str]:
    return {code for code in CODES if re.search(rf"\b{re.escape(code)}\b", text)}


@pytest.mark.parametrize("value", ["", "bogus"])
def test_given_empty_or_unknown_choices_when_reporting_then_errors_name_labels_not_codes(
    client, world, value
):
    login(client, "employee_a")
    response = client.post(
        reverse("hazards:report", args=[world.chem_a.pk]),
        {
            "description": "配电箱门损坏",
            "location": "2号车间",
            "hazard_type": value,
            "category": value,
            "source": value,
            "handling": "deadline",
        },
    )
    assert response.status_code in (200, 422)
    errors = response.context["form"].errors
    assert {"hazard_type", "category", "source"} <= set(errors)
    shown = " ".join(str(e) for name in ("hazard_type", "category", "source") for e in errors[name])
    assert not _codes_in(shown), shown
    if value == "":
        # The service's message lists the labels, in the page's language.
        assert str(HazardType.ELECTRICAL.label) in shown
        assert str(Source.SELF_CHECK.label) in shown

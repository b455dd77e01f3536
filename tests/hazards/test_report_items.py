"""The report form offers the determination-list items of the enterprise's industry: a
chemical enterprise is not offered the 工贸 items; an industry no list covers keeps them
all."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from .helpers import MAJOR_ITEM, photo, report_data


def offered(world, persona: str, enterprise) -> set[str]:
    client = Client()
    client.force_login(world.user(persona))
    response = client.get(reverse("hazards:report", args=[enterprise.pk]))
    assert response.status_code == 200
    ids: set[str] = set()
    for value, label in response.context["form"].fields["major_item"].choices:
        if isinstance(label, list | tuple):
            ids |= {v for v, _ in label}
        elif value:
            ids.add(value)
    return ids


def test_given_a_chemical_enterprise_when_reporting_then_only_the_chemical_list_is_offered(
    world,
):
    ids = offered(world, "safety_a", world.chem_a)
    assert MAJOR_ITEM in ids
    assert all(i.startswith("hc2017-") for i in ids)
    assert not any(i.startswith("gm2023-") for i in ids)


def test_given_an_industry_no_list_covers_when_reporting_then_every_list_is_offered(world):
    ids = offered(world, "coordinator_x", world.build_b)
    assert any(i.startswith("hc2017-") for i in ids)
    assert any(i.startswith("gm2023-") for i in ids)


def test_given_a_trade_item_posted_for_a_chemical_enterprise_then_the_form_refuses_it(world):
    client = Client()
    client.force_login(world.user("safety_a"))
    data = report_data(major_item="gm2023-3-1", level="major")
    response = client.post(
        reverse("hazards:report", args=[world.chem_a.pk]), {**data, "photos": photo()}
    )
    assert response.status_code == 200
    assert "major_item" in response.context["form"].errors


def test_given_a_chemical_enterprise_when_a_regulator_makes_a_hazard_major_then_only_its_list(
    world,
):
    from .helpers import bring

    hazard = bring(world, "general_reported")
    client = Client()
    client.force_login(world.user("officer_emergency_x"))
    response = client.get(reverse("hazards:step", args=[hazard.pk, "make_major"]))
    assert response.status_code == 200
    ids: set[str] = set()
    for value, label in response.context["form"].fields["major_item"].choices:
        if isinstance(label, list | tuple):
            ids |= {v for v, _ in label}
        elif value:
            ids.add(value)
    assert MAJOR_ITEM in ids and not any(i.startswith("gm2023-") for i in ids)

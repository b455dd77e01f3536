"""The diagnosis feeds the supervision class: the highest of the unit colour, the safety
code and the diagnosis that counts, in the pure rule, in the SQL of the supervision list
(its chips, its filter) and on each row; and the list reads its diagnoses in one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anjian.diagnosis import services
from anjian.registry.models import Enterprise
from anjian.risks import supervision
from tests.diagnosis.conftest import actor, deductions_for, today
from tests.world import enterprise


def diagnose(world, target, score, persona="expert_x", **extra):
    return services.diagnosis_record(
        actor=actor(world, persona),
        enterprise=target,
        diagnosed_on=today(),
        deductions=deductions_for(score),
        **extra,
    )


@pytest.mark.parametrize(
    ("unit", "code", "diagnosis", "expected"),
    [
        ("", "", "", "yellow"),  # unknown risk is not low risk
        ("", "", "blue", "blue"),
        ("blue", "blue", "red", "red"),
        ("red", "blue", "blue", "red"),
        ("yellow", "", "orange", "orange"),
        ("orange", "yellow", "yellow", "orange"),
    ],
)
def test_given_three_terms_when_classed_then_the_highest(unit, code, diagnosis, expected):
    assert supervision.enterprise_class(unit, code, diagnosis) == expected
    assert supervision.requirement(unit, code, None, diagnosis).enterprise_class == expected


def test_given_the_old_two_term_call_then_unchanged():
    assert supervision.enterprise_class("orange", "yellow") == "orange"
    assert supervision.requirement("", "").enterprise_class == "yellow"


def test_given_a_red_diagnosis_when_listing_supervision_then_red_in_chip_filter_and_row(
    world, client_for
):
    diagnose(world, world.chem_a, "40")  # red
    diagnose(world, world.build_b, "95")  # blue
    client = client_for("coordinator_x")
    page = client.get(reverse("risks:supervision"))
    rows = {r["enterprise"].pk: r for r in page.context["page"].object_list}
    assert rows[world.chem_a.pk]["requirement"].enterprise_class == "red"
    assert rows[world.chem_a.pk]["diagnosis"].colour == "red"
    assert rows[world.build_b.pk]["requirement"].enterprise_class == "blue"
    assert rows[world.ess_d.pk]["diagnosis"] is None
    assert rows[world.ess_d.pk]["requirement"].enterprise_class == "yellow"
    counts = {c["colour"]: c["count"] for c in page.context["classes"]}
    assert (counts["red"], counts["blue"], counts["yellow"]) == (1, 1, 1)
    red = client.get(reverse("risks:supervision"), {"cls": "red"})
    assert [r["enterprise"].pk for r in red.context["page"].object_list] == [world.chem_a.pk]
    assert red.context["page"].object_list[0]["requirement"].inspections_per_year == 52
    html = page.content.decode()
    assert "企业诊断分级" in html


def test_given_a_direct_red_when_the_score_is_blue_then_supervised_as_red(world, client_for):
    diagnose(world, world.build_b, "100", direct_red=["accident_record"])
    page = client_for("coordinator_x").get(reverse("risks:supervision"), {"cls": "red"})
    assert [r["enterprise"].pk for r in page.context["page"].object_list] == [world.build_b.pk]


def test_given_a_self_assessment_under_an_official_diagnosis_then_the_official_class(
    world, client_for
):
    diagnose(world, world.chem_a, "65")  # orange, by the expert
    diagnose(world, world.chem_a, "99", persona="safety_a")  # blue, self
    page = client_for("coordinator_x").get(reverse("risks:supervision"), {"cls": "orange"})
    assert [r["enterprise"].pk for r in page.context["page"].object_list] == [world.chem_a.pk]


def queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_given_more_diagnosed_enterprises_when_listing_supervision_then_query_count_flat(
    world, client_for
):
    client = client_for("coordinator_x")
    url = reverse("risks:supervision")
    diagnose(world, world.chem_a, "70")
    small = queries(client, url)
    for serial in range(10, 22):
        extra = enterprise(serial, f"东县诊断企业{serial}", world.grid_x1, "HR-HAZCHEM")
        diagnose(world, extra, str(50 + serial))
    assert Enterprise.objects.count() == 16
    assert queries(client, url) == small
    assert queries(client, url, {"cls": "orange"}) <= small


def test_given_the_risk_page_when_diagnosed_or_not_then_query_count_grows_by_nothing(
    world, client_for
):
    client = client_for("coordinator_x")
    url = reverse("risks:enterprise", args=[world.chem_a.pk])
    before = queries(client, url)
    diagnose(world, world.chem_a, "70")
    assert queries(client, url) == before

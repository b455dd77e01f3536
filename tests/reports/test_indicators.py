"""The registry of report figures (anjian.reports.indicators): every figure named, with a
unit and a source; the bounds (subtree, department, period, last year); no source said
plainly; a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone, translation

from anjian.penalties.services import DoublePenalty
from anjian.reports import indicators as ind
from anjian.reports import periods
from anjian.reports.assessment import POLICY_FILE
from tests.accidents import accident_helpers
from tests.penalties.helpers import add_fire_officer, decide, decided_penalty, draft


def test_given_the_registry_then_every_figure_has_a_label_a_unit_and_a_source():
    assert len(ind.REGISTRY) >= 40
    for key, indicator in ind.REGISTRY.items():
        assert indicator.key == key
        assert str(indicator.label).strip(), key
        assert str(indicator.unit).strip(), key
        assert len(indicator.source) > 20, key
        assert indicator.kind in (ind.COUNT, ind.RATE, ind.AMOUNT)
        assert indicator.section in {*ind.GROUPS, "dispatch"}
        # Counts and amounts compare year on year, rates do not (stock figures excepted).
        if indicator.kind == ind.RATE:
            assert not indicator.yoy, key


def test_given_the_assessment_policy_then_its_indicator_keys_are_in_the_registry():
    policy = json.loads(POLICY_FILE.read_text(encoding="utf-8"))
    keys = {
        item["key"] for profile in policy["profiles"].values() for item in profile["indicators"]
    }
    keys |= {p["veto"]["key"] for p in policy["profiles"].values() if "veto" in p}
    assert keys <= set(ind.REGISTRY)


def _bounds(world, division, today=None, department=None, period=None):
    today = today or timezone.localdate()
    return ind.Bounds(division, period or periods.quarter_of(today), today, department)


def test_given_a_county_when_counted_then_its_subtree_only(dataset, world):
    x = ind.compute_all(_bounds(world, world.county_x, dataset.today))
    y = ind.compute_all(_bounds(world, world.county_y, dataset.today))
    city = ind.compute_all(_bounds(world, world.city, dataset.today))
    assert (x["enterprises"].value, y["enterprises"].value, city["enterprises"].value) == (3, 1, 4)
    assert (x["hazards_found"].value, y["hazards_found"].value) == (7, 2)
    assert city["hazards_found"].value == 9
    assert x["supervision_gaps"].value == 1  # ess_d has no lead department


def test_given_a_grid_when_counted_then_only_its_enterprises(dataset, world):
    grid2 = ind.compute_all(_bounds(world, world.grid_x2, dataset.today))
    assert grid2["enterprises"].value == 1
    assert grid2["hazards_found"].value == 2  # b1, b2 of build_b
    assert grid2["major_hazards_open"].value == 1


def test_given_a_department_when_counted_then_only_the_enterprises_it_has_a_duty_for(
    dataset, world
):
    housing = ind.compute_all(
        _bounds(world, world.county_x, dataset.today, department=world.housing_x)
    )
    assert housing["enterprises"].value == 1
    assert housing["hazards_found"].value == 2
    assert housing["hazards_overdue_open"].value == 0


def test_given_the_hazard_dataset_then_the_hazard_figures_follow_the_statistics_definitions(
    dataset, world
):
    f = ind.compute_all(_bounds(world, world.county_x, dataset.today))
    values = {k: f[k].value for k in f}
    assert values["hazards_found"] == 7
    assert values["hazards_fixed"] == 4  # g1, g2, b1, and old (found last quarter)
    assert values["hazards_fixed_on_time"] == 3  # g2 was late
    assert str(values["hazards_on_time_rate"]) == "75.0"
    assert values["major_hazards_found"] == 2 and values["major_hazards_open"] == 2
    assert str(values["major_hazards_cleared_rate"]) == "0.0"
    assert values["hazards_overdue_open"] == 1  # g4
    assert str(values["rectification_funds"]) == "4500.00"


def test_given_no_rows_when_a_rate_is_asked_then_it_is_none_and_prints_a_dash(world):
    f = ind.compute("hazards_on_time_rate", _bounds(world, world.county_y))
    assert f.value is None and f.text_value == "—" and not f.yoy


def test_given_a_figure_without_a_table_when_computed_then_it_says_why_and_has_no_value(
    world, monkeypatch
):
    monkeypatch.setattr(ind, "dispatch_model", lambda: None)
    for key in ("safety_investment", "persons_trained"):
        f = ind.compute(key, _bounds(world, world.county_x))
        assert not f.available and f.value is None and f.no_source


def test_given_no_accident_model_when_computed_then_no_data_source(world, monkeypatch):
    monkeypatch.setattr(ind, "accident_model", lambda: None)
    with translation.override("en"):
        f = ind.compute("deaths", _bounds(world, world.county_x))
    assert not f.available and "accident" in f.no_source


def test_given_a_larger_accident_when_counted_then_it_is_among_the_larger_ones(world):
    now = timezone.now()
    when = now - dt.timedelta(hours=2)
    accident_helpers.report(
        world, occurred_at=when, learned_at=when + dt.timedelta(minutes=5), deaths=3
    )
    accident_helpers.report(
        world, occurred_at=when, learned_at=when + dt.timedelta(minutes=6), deaths=1
    )
    today = timezone.localdate()
    f = ind.compute_all(_bounds(world, world.county_x, today))
    if not periods.quarter_of(today).contains(timezone.localdate(when)):
        pytest.skip("the first hours of a quarter")
    assert f["accidents"].value == 2 and f["deaths"].value == 4
    assert f["larger_accidents"].value == 1
    assert ind.compute("accidents", _bounds(world, world.county_y, today)).value == 0


def test_given_last_year_when_computed_then_the_same_quarter_one_year_earlier(world):
    b = _bounds(world, world.county_x, dt.date(2026, 8, 1), period=periods.Period(2026, 3))
    last = b.last_year()
    assert last.period == periods.Period(2025, 3) and last.division == world.county_x
    assert last.on == dt.date(2025, 9, 30)  # an ended period is counted as of its last day
    assert b.on == dt.date(2026, 8, 1)  # a running one as of today


def test_given_a_county_when_every_figure_is_computed_then_a_bounded_number_of_queries(
    dataset, world, django_assert_max_num_queries
):
    b = _bounds(world, world.county_x, dataset.today)
    b.subtree  # noqa: B018 (one query, cached)
    with django_assert_max_num_queries(2 * 30):
        ind.compute_all(b)


def test_given_a_second_fine_refused_when_counted_then_one_refusal_of_the_county(world):
    add_fire_officer(world)
    decided_penalty(world)
    second = draft(world, "officer_fire_x", amount="50000")
    for _attempt in range(2):  # tried twice: still one penalty refused
        with pytest.raises(DoublePenalty):
            decide(world, second, "officer_fire_x", decided_on=dt.date(2026, 12, 1))
    today = timezone.localdate()
    assert ind.compute("double_fines_refused", _bounds(world, world.county_x, today)).value == 1
    assert ind.compute("double_fines_refused", _bounds(world, world.county_y, today)).value == 0
    earlier = _bounds(world, world.county_x, today, period=periods.Period(today.year - 1))
    assert ind.compute("double_fines_refused", earlier).value == 0


def test_given_a_department_when_every_table_is_counted_then_no_lookup_fails(dataset, world):
    b = _bounds(world, world.county_x, dataset.today, department=world.emergency_x)
    figures = ind.compute_all(b)
    assert figures["enterprises"].value == 1  # chem_a
    assert figures["rechecks_done"].value == 0 and figures["accidents"].value == 0


def test_given_submitted_dispatch_forms_then_investment_and_training_add_up_by_scope(world):
    from decimal import Decimal

    from anjian.dispatch.models import DispatchForm

    today = timezone.localdate()
    month = today.replace(day=1)
    common = {"month": month, "county": world.county_x, "due_on": month, "state": "submitted"}
    DispatchForm.objects.create(
        **common, division=world.town_x, investment=Decimal("1200.50"), trained_persons=30
    )
    DispatchForm.objects.create(
        **common, department=world.emergency_x, investment=Decimal("800.00"), trained_persons=12
    )
    DispatchForm.objects.create(  # a draft does not count
        **{**common, "state": "draft"}, department=world.housing_x, investment=Decimal("5")
    )
    county = _bounds(world, world.county_x, today)
    assert ind.compute("safety_investment", county).value == Decimal("2000.50")
    assert ind.compute("persons_trained", county).value == 42
    town = _bounds(world, world.town_x, today)
    assert ind.compute("persons_trained", town).value == 30
    dept = _bounds(world, world.county_x, today, world.emergency_x)
    assert ind.compute("safety_investment", dept).value == Decimal("800.00")
    assert ind.compute("persons_trained", _bounds(world, world.county_y, today)).value == 0

"""The regulators' figures, counted in the database, against the hand-built hazards of
conftest.dataset; and the same numbers from the pure computation over the same rows."""

import pytest

from anjian.core import scoping
from anjian.hazards.models import Hazard
from anjian.reports import hazard_figures as hf
from anjian.reports import queries
from anjian.reports.periods import Period

COUNTY_X_TOTAL = {
    "found": 7,  # g1 g2 g4 m1 b1 b2 d1 ("old" was found last quarter)
    "found_fixed": 3,  # g1 g2 b1
    "fixed": 4,  # g1 g2 old b1
    "on_time": 3,  # g1 old b1 (g2 closed after its deadline)
    "overdue_open": 1,  # g4
    "major_found": 2,  # m1 b2
    "major_fixed": 0,
    "major_open": 2,
    "funds": "4500.00",  # g1 g2 old (b1 was fixed on the spot, no funds)
    "rectification_rate": "42.9",  # 3/7
    "on_time_rate": "75.0",  # 3/4
    "major_cleared": False,
}


def figures(world, persona, period, group_by="division", **kw):
    return queries.regulator_figures(world.user(persona), period, group_by, **kw)


def by_label(result):
    return {g.label: g.figures for g in result.groups}


def test_given_county_x_coordinator_then_totals_exact(world, dataset):
    got = figures(world, "coordinator_x", dataset.period, today=dataset.today)
    assert got.total.figures == COUNTY_X_TOTAL
    assert got.as_of == dataset.today


def test_given_lead_department_officer_then_only_chem_a_and_two_of_three_on_time(world, dataset):
    got = figures(world, "officer_emergency_x", dataset.period, today=dataset.today).total
    f = got.figures
    assert (f["found"], f["fixed"], f["on_time"], f["on_time_rate"]) == (4, 3, 2, "66.7")
    assert (f["overdue_open"], f["major_open"], f["funds"]) == (1, 1, "4500.00")


@pytest.mark.parametrize("group_by", queries.GROUP_BY)
def test_given_county_x_coordinator_then_never_county_y(world, dataset, group_by):
    got = figures(world, "coordinator_x", dataset.period, group_by, today=dataset.today)
    labels = {g.label for g in got.groups}
    assert "西县" not in labels and "西县应急管理局" not in labels
    assert sum(g.counts.found for g in got.groups) == 7


def test_given_county_y_coordinator_then_only_chem_c(world, dataset):
    f = figures(world, "coordinator_y", dataset.period, today=dataset.today).total.figures
    assert (f["found"], f["major_open"], f["fixed"], f["on_time_rate"]) == (2, 1, 0, None)


@pytest.mark.parametrize(
    ("persona", "found"), [("outsider", 0), ("security_admin", 0), ("principal_a", 4)]
)
def test_given_no_regulator_scope_then_nothing_or_own_enterprise(world, dataset, persona, found):
    got = figures(world, persona, dataset.period, today=dataset.today)
    assert got.total.figures["found"] == found
    assert sum(g.counts.found for g in got.groups) == found


def test_given_city_coordinator_by_division_then_one_row_per_county(world, dataset):
    got = by_label(figures(world, "coordinator_city", dataset.period, today=dataset.today))
    assert list(got) == ["东县", "西县"]
    assert got["东县"] == COUNTY_X_TOTAL
    assert (got["西县"]["found"], got["西县"]["major_open"], got["西县"]["major_cleared"]) == (
        2,
        1,
        False,
    )


def test_given_county_x_within_township_then_grids(world, dataset):
    got = by_label(
        figures(world, "coordinator_x", dataset.period, today=dataset.today, within=world.town_x.pk)
    )
    assert list(got) == ["东镇一网格", "东镇二网格"]
    grid1, grid2 = got["东镇一网格"], got["东镇二网格"]
    assert (grid1["found"], grid1["fixed"], grid1["overdue_open"], grid1["major_open"]) == (
        5,
        3,
        1,
        1,
    )
    assert (grid2["found"], grid2["fixed"], grid2["on_time_rate"], grid2["major_open"]) == (
        2,
        1,
        "100.0",
        1,
    )


def test_given_within_out_of_scope_then_own_division_instead(world, dataset):
    got = figures(
        world, "coordinator_x", dataset.period, today=dataset.today, within=world.county_y.pk
    )
    assert got.root == world.county_x
    assert [g.label for g in got.groups] == ["东镇"]


def test_given_county_x_by_industry_then_per_industry(world, dataset):
    got = by_label(figures(world, "coordinator_x", dataset.period, "industry", today=dataset.today))
    hazchem = got[world.chem_a.industry.name]
    assert hazchem["found"] == 4 and hazchem["on_time_rate"] == "66.7"
    assert sorted(v["found"] for v in got.values()) == [1, 2, 4]


def test_given_county_x_by_department_then_lead_departments_and_the_gap(world, dataset):
    got = figures(world, "coordinator_x", dataset.period, "department", today=dataset.today)
    rows = by_label(got)
    assert rows["东县应急管理局"]["found"] == 4
    assert rows["东县住房和城乡建设局"]["found"] == 2
    assert rows["东县住房和城乡建设局"]["major_open"] == 1
    gap = got.groups[-1]
    assert gap.key is None and gap.counts.found == 1  # ess_d has no lead department
    assert sum(g.counts.found for g in got.groups) == 7


def test_given_a_past_period_then_as_of_its_end(world, dataset):
    previous = dataset.period.previous()
    got = figures(world, "coordinator_x", previous, today=dataset.today).total.figures
    # Only "old" was reported then, and it was still open at the end of that quarter.
    assert (got["found"], got["found_fixed"], got["fixed"]) == (1, 0, 0)
    assert got["rectification_rate"] == "0.0" and got["on_time_rate"] is None


def test_given_a_year_then_the_quarter_inside_counts(world, dataset):
    year = Period(dataset.today.year)
    got = figures(world, "coordinator_x", year, today=dataset.today).total.figures
    # "old" was reported five days before this quarter: in this year unless this is Q1.
    found = 7 if dataset.period.quarter == 1 else 8
    assert (got["found"], got["fixed"], got["found_fixed"]) == (
        found,
        4,
        3 + (found - 7),
    )


@pytest.mark.parametrize("persona", ["coordinator_x", "officer_emergency_x", "grid_x1"])
def test_given_same_rows_then_database_and_pure_computation_agree(world, dataset, persona):
    user = world.user(persona)
    b = queries.Bounds.of(dataset.period, dataset.today)
    rows = queries.hazard_rows(scoping.visible(user, Hazard), b)
    pure = hf.summarise(hf.count(rows, b.start, b.end, b.on))
    assert (
        queries.regulator_figures(user, dataset.period, today=dataset.today).total.figures == pure
    )


def test_given_unknown_group_then_refused(world):
    with pytest.raises(ValueError):
        queries.regulator_figures(world.user("coordinator_x"), Period(2026, 1), "colour")


@pytest.mark.parametrize(
    ("group_by", "most"), [("division", 10), ("industry", 5), ("department", 5)]
)
def test_given_any_grouping_then_a_few_queries_whatever_the_number_of_hazards(
    world, dataset, django_assert_max_num_queries, group_by, most
):
    user = world.user("coordinator_x")
    with django_assert_max_num_queries(most):
        queries.regulator_figures(user, dataset.period, group_by, today=dataset.today)

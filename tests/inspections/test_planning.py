"""The enforcement plan (issue 12 item 4): the pure arithmetic (months spread exactly,
totals, overdue at its boundaries, the shortfall per enterprise, workload shared evenly
with overload flags) and the pages (who reads which department's plan, an outsider and
enterprise staff nothing; done and overdue from concluded inspections; the link to plan
an inspection; the Excel export read back with openpyxl; query counts that do not grow
with the county)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from anjian.inspections import planning, services
from anjian.inspections.models import Inspection
from anjian.risks.models import RiskState
from tests import clock
from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.inspections.helpers import actor, add_chemicals, add_roster, conclude, plan
from tests.world import enterprise

D = dt.date


# --- months ------------------------------------------------------------------------------


def test_given_four_a_year_then_they_fall_in_march_june_september_december():
    assert planning.months_due(4) == (0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1)


def test_given_common_frequencies_then_the_months_are_as_documented():
    assert planning.months_due(1) == (0,) * 11 + (1,)
    assert planning.months_due(2) == (0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1)
    assert planning.months_due(12) == (1,) * 12
    assert planning.months_due(52) == (4, 4, 5) * 4
    assert planning.months_due(0) == (0,) * 12


@given(st.integers(min_value=0, max_value=10_000))
def test_given_any_frequency_then_the_months_add_up_exactly_and_evenly(per_year):
    months = planning.months_due(per_year)
    assert sum(months) == per_year
    assert max(months) - min(months) <= 1
    assert [planning.cumulative_due(per_year, m) for m in range(13)] == [
        sum(months[:m]) for m in range(13)
    ]


def test_given_a_negative_frequency_or_a_month_out_of_range_then_it_is_refused():
    with pytest.raises(planning.PlanError):
        planning.months_due(-1)
    with pytest.raises(planning.PlanError):
        planning.cumulative_due(4, 13)


def test_given_the_classes_then_the_interval_is_365_days_over_the_frequency_rounded_up():
    assert [planning.interval_days(n) for n in (1, 2, 4, 12, 52)] == [365, 183, 92, 31, 8]
    assert planning.interval_days(0) is None


# --- overdue -----------------------------------------------------------------------------


def ent(pk=1, per_year=4, cls="yellow", last=None, done=()):
    return planning.PlanEnterprise(pk, per_year, cls, last, tuple(done))


def test_given_the_last_inspection_exactly_one_interval_ago_then_it_is_due_not_overdue():
    last = D(2026, 1, 10)
    assert planning.overdue_of(ent(last=last), last + dt.timedelta(days=92)) is None


def test_given_one_day_past_the_interval_then_it_is_overdue_by_one_day():
    last = D(2026, 1, 10)
    late = planning.overdue_of(ent(last=last), last + dt.timedelta(days=93))
    assert late is not None
    assert late.due_on == D(2026, 4, 12) and late.days_overdue == 1
    assert not late.never_inspected


def test_given_never_inspected_then_it_is_due_on_1_january_and_overdue_from_2_january():
    assert planning.overdue_of(ent(per_year=1), D(2026, 1, 1)) is None
    late = planning.overdue_of(ent(per_year=1), D(2026, 1, 2))
    assert late is not None and late.never_inspected
    assert late.due_on == D(2026, 1, 1) and late.days_overdue == 1


def test_given_no_inspection_required_then_it_is_never_overdue():
    assert planning.overdue_of(ent(per_year=0), D(2026, 12, 31)) is None


# --- the plan ----------------------------------------------------------------------------


def test_given_a_department_then_the_year_totals_are_exact():
    enterprises = [
        ent(1, 52, "red"),
        ent(2, 12, "orange"),
        ent(3, 4, "yellow"),
        ent(4, 4, "yellow"),
        ent(5, 1, "blue"),
    ]
    result = planning.compute_plan(enterprises, year=2026, as_of=D(2026, 6, 15), stagger=False)
    assert result.enterprises == 5
    assert result.due == 52 + 12 + 4 + 4 + 1
    assert sum(m.due for m in result.months) == result.due
    assert result.months[2].due == 5 + 1 + 1 + 1  # March: red 5, orange 1, yellows 1 each
    assert result.months[11].due == 5 + 1 + 1 + 1 + 1
    assert [(c.enterprise_class, c.enterprises, c.due) for c in result.classes] == [
        ("red", 1, 52),
        ("orange", 1, 12),
        ("yellow", 2, 8),
        ("blue", 1, 1),
    ]
    assert result.done == 0 and result.remaining == result.due


def test_given_inspections_done_then_the_shortfall_is_counted_per_enterprise():
    # Enterprise 1 (4 a year) is inspected six times by June; enterprise 2 (4 a year) never.
    enterprises = [ent(1, done=(1, 2, 3, 4, 5, 6), last=D(2026, 6, 1)), ent(2)]
    result = planning.compute_plan(enterprises, year=2026, as_of=D(2026, 6, 30))
    assert result.done == 6
    assert result.credited == 4  # the two extra do not count for enterprise 2
    assert result.remaining == 8 - 4
    by_month = {m.month: m for m in result.months}
    assert by_month[3].outstanding == 1  # enterprise 2's March inspection
    assert by_month[6].outstanding == 2
    assert by_month[7].outstanding is None  # not over yet
    assert by_month[6].cumulative_done == 6
    assert [o.id for o in result.overdue] == [2]


def test_given_a_past_year_then_every_month_is_over_and_a_future_year_none():
    past = planning.compute_plan([ent()], year=2025, as_of=D(2025, 12, 31), stagger=False)
    assert [m.outstanding for m in past.months] == [0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4]
    future = planning.compute_plan([ent()], year=2027, as_of=D(2026, 6, 1))
    assert all(m.outstanding is None for m in future.months)


def test_given_a_phase_then_the_months_shift_but_still_add_up():
    assert planning.months_due(1, 11) == (1,) + (0,) * 11
    assert planning.months_due(4, 8) == (1, 0, 0) * 4
    assert planning.months_due(4, 4) == (0, 1, 0) * 4
    for per_year in range(60):
        for phase in range(12):
            assert sum(planning.months_due(per_year, phase)) == per_year
    with pytest.raises(planning.PlanError):
        planning.months_due(4, 12)


def test_given_a_county_of_annual_surveys_then_the_staggered_plan_levels_the_months():
    enterprises = [ent(pk, 1, "blue") for pk in range(1, 1201)]
    staggered = planning.compute_plan(enterprises, year=2026, as_of=D(2026, 1, 5))
    assert staggered.due_by_month == (100,) * 12
    bunched = planning.compute_plan(enterprises, year=2026, as_of=D(2026, 1, 5), stagger=False)
    assert bunched.due_by_month == (0,) * 11 + (1200,)
    # Enterprise 1's survey is in January: outstanding at the end of January.
    assert staggered.months[0].outstanding == 100


def test_given_a_month_outside_the_year_in_the_inputs_then_it_is_refused():
    with pytest.raises(planning.PlanError):
        planning.compute_plan([ent(done=(13,))], year=2026, as_of=D(2026, 6, 1))


def test_given_overdue_enterprises_then_the_most_overdue_come_first():
    as_of = D(2026, 6, 1)
    result = planning.compute_plan(
        [ent(1, last=D(2026, 2, 1)), ent(2, 52, "red", last=D(2026, 5, 1)), ent(3)],
        year=2026,
        as_of=as_of,
    )
    # 3: due 1 January (151 days); 1: due 4 May (28); 2: due 9 May (23).
    assert [(o.id, o.days_overdue) for o in result.overdue] == [(3, 151), (1, 28), (2, 23)]


# --- workload ----------------------------------------------------------------------------


def test_given_a_roster_then_the_visits_are_shared_exactly_and_evenly_over_the_year():
    due = planning.months_due(52)
    load = planning.workload(due, [11, 12, 13], enterprises=10)
    assert load.visits == 52 * 2
    for month in range(12):
        shares = [i.visits[month] for i in load.inspectors]
        assert sum(shares) == due[month] * 2 and max(shares) - min(shares) <= 1
    totals = [i.total for i in load.inspectors]
    assert sum(totals) == 104 and max(totals) - min(totals) <= 1


def test_given_a_monthly_limit_then_the_inspectors_over_it_are_flagged():
    due = (10,) * 12  # 20 visits a month for two inspectors: 10 each
    assert not planning.workload(due, [1, 2], enterprises=5, max_visits=10).overloaded
    flagged = planning.workload(due, [1, 2], enterprises=5, max_visits=9).overloaded
    assert [i.id for i in flagged] == [1, 2]


def test_given_more_enterprises_per_inspector_than_the_limit_then_the_department_is_flagged():
    due = (0,) * 12
    load = planning.workload(due, [1, 2], enterprises=401, max_enterprises=200)
    assert load.enterprises_per_inspector == planning.Fraction(401, 2)
    assert load.too_many_enterprises
    assert not planning.workload(due, [1, 2], enterprises=400).too_many_enterprises


def test_given_no_roster_then_the_plan_is_unstaffed():
    load = planning.workload((1,) * 12, [], enterprises=3)
    assert load.unstaffed and load.too_many_enterprises and load.inspectors == ()


def test_given_fewer_than_two_inspectors_per_inspection_then_it_is_refused():
    with pytest.raises(planning.PlanError):
        planning.workload((0,) * 12, [1, 2], enterprises=0, per_inspection=1)


def test_given_three_per_inspection_then_the_visits_are_three_times_the_inspections():
    load = planning.workload(planning.months_due(12), [1, 2, 3], enterprises=1, per_inspection=3)
    assert load.visits_by_month == (3,) * 12
    assert all(i.visits == (1,) * 12 for i in load.inspectors)


# --- pages -------------------------------------------------------------------------------

LAST_YEAR = clock.TODAY.year - 1

pytestmark = pytest.mark.usefixtures("clock_at_ten")


def colour(e, c: str) -> None:
    RiskState.objects.update_or_create(enterprise=e, defaults={"code_colour": c})


@pytest.fixture
def county(world):
    add_roster(world)
    chems = add_chemicals(world)
    colour(world.chem_a, "red")
    colour(chems[0], "blue")
    world.chems = chems
    return world


def concluded(world, when: dt.datetime, **extra) -> Inspection:
    inspection = plan(world, **extra)
    services.inspection_start(actor=actor(world.user("insp1")), inspection_id=inspection.pk)
    conclude(world, inspection)
    Inspection.objects.filter(pk=inspection.pk).update(concluded_at=when)
    return inspection


def local(y: int, m: int, d: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, 10, 0))


def client_for(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.user(persona))
    return client


def url(name: str, **params) -> str:
    from urllib.parse import urlencode

    return reverse(f"planning:{name}") + ("?" + urlencode(params) if params else "")


def test_given_an_officer_then_the_plan_is_their_departments_duty_by_class(county):
    response = client_for(county, "officer_emergency_x").get(url("year", year=LAST_YEAR))
    assert response.status_code == 200
    result = response.context["plan"]
    # chem_a red (52), one chemical blue (1), five yellow (4, no colour known).
    assert result.enterprises == 7
    assert result.due == 52 + 1 + 5 * 4
    assert response.context["v"].department == county.emergency_x
    html = response.content.decode()
    assert 'id="plan-chart"' in html and "plan-chart.js" in html
    assert "<script>" not in html


def test_given_inspections_concluded_then_they_count_as_done_in_their_month(county):
    concluded(county, local(LAST_YEAR, 3, 15))
    # A joint inspection led by housing that emergency joined counts for emergency too.
    joint = plan(county)
    Inspection.objects.filter(pk=joint.pk).update(
        lead_department=county.housing_x, state="concluded", concluded_at=local(LAST_YEAR, 5, 2)
    )
    joint.participating_departments.set([county.emergency_x])
    response = client_for(county, "officer_emergency_x").get(url("year", year=LAST_YEAR))
    result = response.context["plan"]
    assert result.done == 2
    assert result.months[2].done == 1 and result.months[4].done == 1
    assert result.credited == 2 and result.remaining == result.due - 2
    # chem_a was inspected on 2 May; red's interval is 8 days, so overdue since 10 May.
    late = {o.id: o for o in result.overdue}
    assert late[county.chem_a.pk].last_inspected == D(LAST_YEAR, 5, 2)
    assert late[county.chem_a.pk].due_on == D(LAST_YEAR, 5, 10)


def test_given_a_planned_inspection_then_it_is_not_done(county):
    plan(county)
    response = client_for(county, "officer_emergency_x").get(url("year"))
    assert response.context["plan"].done == 0


def test_given_the_overdue_page_then_never_inspected_ones_are_listed_with_a_plan_link(county):
    concluded(county, local(LAST_YEAR, 12, 30))  # chem_a: not overdue on 31 December
    response = client_for(county, "officer_emergency_x").get(url("overdue", year=LAST_YEAR))
    assert response.status_code == 200
    ids = [row["e"].pk for row in response.context["rows"]]
    assert set(ids) == {e.pk for e in county.chems}
    html = response.content.decode()
    for e in county.chems:
        assert f"{reverse('inspections:new')}?enterprise={e.pk}" in html
    assert county.chem_a.name not in html


def test_given_a_coordinator_then_they_choose_a_department_in_scope_but_cannot_plan(county):
    client = client_for(county, "coordinator_x")
    response = client.get(url("overdue", year=LAST_YEAR, department=county.emergency_x.pk))
    assert response.status_code == 200
    assert response.context["v"].department == county.emergency_x
    assert len(response.context["rows"]) == 7
    assert reverse("inspections:new") not in response.content.decode()
    housing = client.get(url("year", year=LAST_YEAR, department=county.housing_x.pk))
    assert housing.context["plan"].enterprises == 1  # build_b


def test_given_another_countys_coordinator_then_the_department_is_not_theirs_to_choose(county):
    client = client_for(county, "coordinator_y")
    response = client.get(url("overdue", year=LAST_YEAR, department=county.emergency_x.pk))
    assert response.status_code == 200
    assert response.context["v"].department != county.emergency_x
    assert response.context["v"].form.errors["department"]
    assert county.emergency_x.name not in [d.name for d in response.context["v"].departments]
    assert county.chem_a.pk not in response.context["v"].enterprises


def test_given_an_officer_asking_for_another_department_then_they_get_their_own(county):
    response = client_for(county, "officer_housing_x").get(
        url("year", department=county.emergency_x.pk)
    )
    assert response.status_code == 200
    assert response.context["v"].department == county.housing_x
    assert response.context["plan"].enterprises == 1


@pytest.mark.parametrize(
    "persona", ["outsider", "principal_a", "safety_a", "employee_a", "grid_x1", "audit_admin"]
)
@pytest.mark.parametrize("name", ["year", "workload", "overdue", "export"])
def test_given_anyone_else_then_the_plan_pages_are_refused(county, persona, name):
    response = client_for(county, persona).get(url(name))
    assert response.status_code == 403
    assert county.chem_a.name not in response.content.decode()


def test_given_no_sign_in_then_the_plan_asks_for_it(county):
    response = Client().get(url("year"))
    assert response.status_code == 302


def test_given_a_bad_year_then_the_form_says_so_and_the_current_year_is_shown(county):
    response = client_for(county, "officer_emergency_x").get(url("year", year=1900))
    assert response.status_code == 200
    assert response.context["plan"].year == timezone.localdate().year
    assert response.context["v"].form.errors["year"]


def test_given_the_workload_page_then_each_roster_officer_has_a_share(county):
    concluded(county, local(LAST_YEAR, 3, 15))
    response = client_for(county, "officer_emergency_x").get(
        url("workload", year=LAST_YEAR, max_visits=3)
    )
    assert response.status_code == 200
    load = response.context["load"]
    roster = list(services.roster(county.emergency_x.pk).values_list("pk", flat=True))
    assert [i.id for i in load.inspectors] == roster  # officer_emergency_x and insp1…3
    assert load.visits == response.context["plan"].due * 2
    done = {i.id: i.done for i in load.inspectors}
    assert done[county.user("insp1").pk] == 1 and done[county.user("insp3").pk] == 0
    # 73 a year (52 + 1 + 20) → 146 visits among 4, 36 or 37 each: some month is over 3.
    assert load.overloaded
    assert "plan-overloaded" in response.content.decode()


def test_given_the_export_then_openpyxl_reads_the_plan_back(county):
    odd = enterprise(200, "=1+1化工有限公司", county.grid_x1, "HR-HAZCHEM")
    concluded(county, local(LAST_YEAR, 3, 15))
    response = client_for(county, "officer_emergency_x").get(url("export", year=LAST_YEAR))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    months, by_class, workload, overdue = book.worksheets
    rows = list(months.iter_rows(values_only=True))
    assert [r[0] for r in rows[2:14]] == list(range(1, 13))
    assert sum(r[1] for r in rows[2:14]) == rows[14][1] == 52 + 1 + 6 * 4
    assert rows[4][2] == 1  # March: one done
    # by class: per year, enterprises, due, done; red first.
    assert next(by_class.iter_rows(min_row=2, values_only=True))[1:] == (52, 1, 52, 1)
    assert len(list(workload.iter_rows())) == 1 + 4 + 1
    names = [r[0] for r in overdue.iter_rows(min_row=2, values_only=True)]
    assert len(names) == 8  # chem_a (last in March, red), the six chemicals and odd
    cell = next(c for c in overdue["A"] if c.value == odd.name)
    assert cell.data_type == "s"  # text, not a formula


@pytest.mark.parametrize("name", ["year", "workload", "overdue", "export"])
def test_given_a_bigger_county_then_the_pages_take_no_more_queries(county, name):
    client = client_for(county, "officer_emergency_x")
    client.get(url(name))  # session, caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(name, year=LAST_YEAR)).status_code == 200
    more = [
        enterprise(300 + i, f"东县新化工{i}号", county.grid_x1, "HR-HAZCHEM") for i in range(25)
    ]
    for e in more[:5]:
        colour(e, "orange")
    concluded(county, local(LAST_YEAR, 4, 1), enterprise_id=more[0].pk)
    concluded(county, local(LAST_YEAR, 8, 1), enterprise_id=more[1].pk)
    with CaptureQueriesContext(connection) as big:
        response = client.get(url(name, year=LAST_YEAR))
    assert response.status_code == 200
    assert len(big) == len(small)
    assert len(big) <= 12


def test_given_the_plan_pages_then_they_fit_a_phone_and_carry_no_inline_script(county):
    client = client_for(county, "officer_emergency_x")
    for name in ("year", "workload", "overdue"):
        html = client.get(url(name)).content.decode()
        assert "<script>" not in html and " onclick=" not in html
        assert "table-wrap" in html  # the tables scroll inside their box, not the page


# --- on a phone --------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_given_a_phone_then_the_plan_pages_fit_and_the_chart_draws(
    live_server,
    world,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
):
    from tests.e2e.test_browser import PHONE, sign_in

    add_roster(world)
    add_chemicals(world)
    colour(world.chem_a, "red")
    base = live_server.url
    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    sign_in(page, base, "officer_emergency_x")
    page.goto(base + url("year"))
    page.wait_for_selector("#plan-chart canvas")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(artifacts / "planning-year-phone.png"), full_page=True)
    for name in ("workload", "overdue"):
        page.goto(base + url(name))
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        page.screenshot(path=str(artifacts / f"planning-{name}-phone.png"), full_page=True)
    page.goto(base + url("overdue"))
    page.click(f"a[href='{reverse('inspections:new')}?enterprise={world.chem_a.pk}']")
    assert page.input_value("select[name=enterprise]") == str(world.chem_a.pk)

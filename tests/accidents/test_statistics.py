"""Accident statistics (issue 13 item 2): every grouping equals a fresh count of the
accident rows, last year's same days beside this period, 较大及以上 counted apart,
withdrawn reports left out, per-thousand rates over the registered employees, scoping
(another county sees none of these; enterprise staff and an outsider get 403), the page's
query count flat in the number of accidents, and the Excel download equal to the page."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from anjian.accidents import services
from anjian.accidents import statistics as st
from anjian.accidents.models import Accident
from anjian.registry.models import DutyAssignment, DutyRole
from anjian.reports.periods import Period
from tests.accidents.accident_helpers import actor, report
from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)
YEAR = Period(2026)
LARGER_PLUS = {"larger", "major", "especially_major"}


def when(year: int, month: int, day: int, hour: int = 9) -> dict:
    from django.utils import timezone

    occurred = timezone.make_aware(dt.datetime(year, month, day, hour, 0))
    return {"occurred_at": occurred, "learned_at": occurred + dt.timedelta(minutes=10)}


@pytest.fixture
def accidents(world):
    """County X: five accidents this year (two at chem_a, one 较大; one at build_b; one
    outside any enterprise; one at ess_d, which has no lead department), two in the same
    days of 2025, one in 2024 (outside both windows), one withdrawn; county Y: one."""
    made = {}
    made["chem_1"] = report(
        world, **when(2026, 3, 5), deaths=1, minor_injuries=2, direct_loss_yuan="100000"
    )
    made["chem_larger"] = report(
        world,
        **when(2026, 7, 10),
        deaths=3,
        serious_injuries=1,
        direct_loss_yuan="2000000.50",
    )
    made["build"] = report(
        world,
        "coordinator_x",
        **when(2026, 5, 1),
        enterprise_id=world.build_b.pk,
        deaths=0,
        serious_injuries=2,
        minor_injuries=1,
        gb6441_type="09",
    )
    made["road"] = report(
        world,
        "coordinator_x",
        **when(2026, 8, 1),
        division_id=world.town_x.pk,
        deaths=1,
        missing=1,
        gb6441_type="02",
        road_or_fire=True,
        place="东镇 公路",
    )
    made["ess"] = report(
        world,
        "coordinator_x",
        **when(2026, 9, 1),
        enterprise_id=world.ess_d.pk,
        deaths=0,
        minor_injuries=1,
        gb6441_type="08",
    )
    made["chem_2025"] = report(world, **when(2025, 4, 1), deaths=2)
    made["road_2025"] = report(
        world,
        "coordinator_x",
        **when(2025, 6, 1),
        division_id=world.county_x.pk,
        deaths=1,
        gb6441_type="02",
        place="县道",
    )
    made["chem_2024"] = report(world, **when(2024, 6, 1), deaths=4)
    mistake = report(world, **when(2026, 10, 1), deaths=5)
    services.accident_withdraw(
        actor=actor(world.user("safety_a")), accident_id=mistake.pk, reason="重复上报"
    )
    made["withdrawn"] = mistake
    made["west"] = report(world, "principal_c", **when(2026, 6, 1), deaths=1)
    for a in made.values():
        a.refresh_from_db()
    return made


# --- a fresh count, row by row ---------------------------------------------------------------


def fresh(world, user, key_of, window: st.Window) -> dict:
    """Per key: the sums over the accident rows the user may see in `window`."""
    out: dict = {}
    for a in services.visible_accidents(user).select_related("enterprise"):
        if a.state == "withdrawn":
            continue
        day = a.occurred_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
        if not (window.start <= day <= window.end):
            continue
        sums = out.setdefault(
            key_of(a),
            {
                "accidents": 0,
                "deaths": 0,
                "serious_injuries": 0,
                "minor_injuries": 0,
                "missing": 0,
                "direct_loss_yuan": Decimal("0.00"),
                "larger_plus": 0,
                "larger_plus_deaths": 0,
            },
        )
        sums["accidents"] += 1
        for name in ("deaths", "serious_injuries", "minor_injuries", "missing"):
            sums[name] += getattr(a, name)
        sums["direct_loss_yuan"] += a.direct_loss_yuan
        if a.grade in LARGER_PLUS:
            sums["larger_plus"] += 1
            sums["larger_plus_deaths"] += a.deaths
    return out


def as_seen(figures: st.Figures) -> tuple[dict, dict]:
    now = {g.key: {m: g.figures[m] for m in st.METRICS} for g in figures.groups}
    before = {g.key: {m: g.figures[f"{m}_prev"] for m in st.METRICS} for g in figures.groups}
    return now, before


def nonzero(per_key: dict) -> dict:
    return {k: v for k, v in per_key.items() if v["accidents"]}


def lead_of(a: Accident):
    if a.enterprise_id is None:
        return st.NO_ENTERPRISE
    lead = DutyAssignment.objects.filter(enterprise_id=a.enterprise_id, role=DutyRole.LEAD).first()
    return lead.department_id if lead else None


@pytest.mark.parametrize(
    ("group_by", "key_of"),
    [
        ("industry", lambda a: a.industry_id),
        ("type", lambda a: a.gb6441_type),
        ("grade", lambda a: a.grade),
        ("department", lead_of),
    ],
)
def test_given_accidents_when_grouping_then_every_group_equals_a_fresh_count_this_year_and_last(
    world, accidents, group_by, key_of
):
    user = world.user("coordinator_x")
    figures = st.accident_figures(user, YEAR, group_by, today=TODAY)
    now, before = as_seen(figures)
    assert nonzero(now) == fresh(world, user, key_of, figures.current)
    assert nonzero(before) == fresh(world, user, key_of, figures.previous)
    assert figures.previous == st.Window(dt.date(2025, 1, 1), dt.date(2025, 12, 1))


def test_given_accidents_in_grids_and_in_the_town_itself_when_grouping_by_division_within_the_town_then_they_roll_up(
    world, accidents
):
    user = world.user("coordinator_x")
    figures = st.accident_figures(user, YEAR, "division", within=world.town_x.pk, today=TODAY)
    assert figures.root == world.town_x
    now, before = as_seen(figures)
    expected = fresh(world, user, lambda a: a.division_id, figures.current)
    assert set(now) == {world.grid_x1.pk, world.grid_x2.pk, world.town_x.pk}
    assert nonzero(now) == expected
    assert now[world.grid_x1.pk]["accidents"] == 3  # chem ×2, ess
    assert now[world.town_x.pk]["deaths"] == 1  # the road accident placed in the town
    # Last year's accident in the county itself lies outside the town: not counted here.
    assert before[world.grid_x1.pk]["deaths"] == 2
    assert figures.total.figures["deaths_prev"] == 2


def test_given_the_county_coordinator_when_grouping_by_division_then_the_town_holds_the_town_s_accidents_and_the_county_its_own(
    world, accidents
):
    figures = st.accident_figures(world.user("coordinator_x"), YEAR, "division", today=TODAY)
    rows = {g.key: g.figures for g in figures.groups}
    assert rows[world.town_x.pk]["accidents"] == 5
    assert rows[world.county_x.pk]["accidents_prev"] == 1  # placed in the county directly
    assert rows[world.town_x.pk]["accidents_prev"] == 1


def test_given_this_year_and_last_when_totalling_then_change_and_per_cent_are_against_the_same_days(
    world, accidents
):
    total = st.accident_figures(world.user("coordinator_x"), YEAR, "grade", today=TODAY).total
    f = total.figures
    assert (f["accidents"], f["accidents_prev"], f["accidents_change"]) == (5, 2, 3)
    assert (f["deaths"], f["deaths_prev"], f["deaths_change"]) == (5, 3, 2)
    assert f["accidents_pct"] == Decimal("150.0")
    assert f["serious_injuries"] == 3 and f["serious_injuries_pct"] is None  # 0 last year
    assert f["direct_loss_yuan"] == Decimal("2100000.50")


def test_given_a_larger_accident_when_counting_then_larger_and_above_are_counted_apart(
    world, accidents
):
    figures = st.accident_figures(world.user("coordinator_x"), YEAR, "grade", today=TODAY)
    assert accidents["chem_larger"].grade == "larger"
    assert figures.total.figures["larger_plus"] == 1
    assert figures.total.figures["larger_plus_deaths"] == 3
    assert figures.total.figures["larger_plus_prev"] == 0
    by_grade = {g.key: g.figures for g in figures.groups}
    assert [g.key for g in figures.groups] == ["general", "larger", "major", "especially_major"]
    assert by_grade["general"]["accidents"] == 4 and by_grade["larger"]["accidents"] == 1


def test_given_a_withdrawn_report_when_counting_then_it_is_left_out(world, accidents):
    figures = st.accident_figures(world.user("coordinator_x"), YEAR, "type", today=TODAY)
    assert accidents["withdrawn"].state == "withdrawn"
    assert figures.total.figures["deaths"] == 5  # not 10: the withdrawn report had 5
    trend = {m["month"]: m for m in figures.trend}
    assert trend["2026-10"]["accidents"] == 0


def test_given_registered_employees_when_computing_rates_then_only_enterprise_accidents_count(
    world, accidents
):
    figures = st.accident_figures(world.user("coordinator_x"), YEAR, "industry", today=TODAY)
    f = figures.total.figures
    assert f["workforce"] == 150  # three enterprises of 50 in county X
    # Deaths at enterprises: 1 + 3 (the road accident is outside any enterprise).
    assert f["per_thousand_deaths"] == Decimal("26.6667")
    assert f["per_thousand_serious"] == Decimal("20.0000")  # 1 + 2 over 150
    hazchem = next(g for g in figures.groups if g.key == world.chem_a.industry_id)
    assert hazchem.figures["workforce"] == 50
    assert hazchem.figures["per_thousand_deaths"] == Decimal("80.0000")
    # By type there is no workforce per group, only the total's.
    by_type = st.accident_figures(world.user("coordinator_x"), YEAR, "type", today=TODAY)
    assert all(g.figures["per_thousand_deaths"] is None for g in by_type.groups)
    assert by_type.total.figures["per_thousand_deaths"] == Decimal("26.6667")


def test_given_the_last_24_months_when_trending_then_each_month_equals_a_fresh_count(
    world, accidents
):
    figures = st.accident_figures(world.user("coordinator_x"), YEAR, "grade", today=TODAY)
    assert len(figures.trend) == 24
    assert figures.trend[0]["month"] == "2025-01" and figures.trend[-1]["month"] == "2026-12"
    months = {m["month"]: (m["accidents"], m["deaths"]) for m in figures.trend}
    assert months["2026-07"] == (1, 3)
    assert months["2025-04"] == (1, 2)
    assert sum(n for n, _d in months.values()) == 7  # the 2024 one is older


def test_given_another_county_when_counting_then_it_sees_none_of_county_x(world, accidents):
    figures = st.accident_figures(world.user("coordinator_y"), YEAR, "type", today=TODAY)
    assert figures.total.figures["accidents"] == 1
    assert figures.total.figures["deaths"] == 1
    assert figures.total.figures["accidents_prev"] == 0
    assert figures.total.figures["workforce"] == 50  # chem_c only
    # Asking for a division of county X changes nothing.
    within = st.accident_figures(
        world.user("coordinator_y"), YEAR, "division", within=world.town_x.pk, today=TODAY
    )
    assert within.root == world.county_y
    assert within.total.figures["accidents"] == 1


def test_given_no_role_when_counting_then_nothing(world, accidents):
    figures = st.accident_figures(world.user("outsider"), YEAR, "division", today=TODAY)
    assert figures.groups == [] and figures.total.figures["accidents"] == 0


def test_given_an_unknown_grouping_when_counting_then_it_is_refused(world):
    with pytest.raises(ValueError):
        st.accident_figures(world.user("coordinator_x"), YEAR, "colour", today=TODAY)


# --- the page ----------------------------------------------------------------------------------


def login(client, name):
    assert client.login(username=name, password=PASSWORD)
    return client


@pytest.mark.parametrize("name", ["safety_a", "principal_c", "outsider", "audit_admin"])
def test_given_staff_or_an_outsider_when_opening_the_statistics_then_403(client, world, name):
    login(client, name)
    assert client.get(reverse("accidents:figures")).status_code == 403
    assert client.get(reverse("accidents:figures-xlsx")).status_code == 403


def test_given_anonymous_when_opening_the_statistics_then_sent_to_sign_in(client, world):
    response = client.get(reverse("accidents:figures"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_given_a_coordinator_when_opening_the_statistics_then_tiles_chart_table_and_notes_show(
    client, world, accidents
):
    login(client, "coordinator_x")
    with time_machine.travel(dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC), tick=False):
        page = client.get(reverse("accidents:figures"), {"period": "2026", "group_by": "grade"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="accident-figures-data"' in html and "accidents/figures.js" in html
    assert "<script>" not in html.split('id="accident-figures-data"')[0][-2000:]
    assert 'data-figure="larger_plus"' in html
    assert 'id="rates-note"' in html  # rates: registered employees, no hours worked
    figures = page.context["figures"]
    assert figures.total.figures["accidents"] == 5
    chart = page.context["chart"]
    assert chart["series"][0]["data"] == [4, 1, 0, 0]
    assert len(chart["trend"]["months"]) == 24
    # The list links here.
    assert reverse("accidents:figures") in client.get(reverse("accidents:list")).content.decode()


def test_given_a_bad_period_when_opening_the_statistics_then_the_default_is_shown(
    client, world, accidents
):
    login(client, "coordinator_x")
    page = client.get(reverse("accidents:figures"), {"period": "nonsense", "group_by": "x"})
    assert page.status_code == 200
    assert page.context["figures"].group_by == "division"


def test_given_more_accidents_when_opening_the_page_then_the_query_count_does_not_grow(
    client, world, accidents
):
    login(client, "coordinator_x")
    url = reverse("accidents:figures")
    counts = {}
    for group_by in st.GROUP_BY:
        with CaptureQueriesContext(connection) as before:
            assert client.get(url, {"period": "2026", "group_by": group_by}).status_code == 200
        counts[group_by] = len(before)
    for i in range(6):
        report(world, **when(2026, 2, 1 + i), deaths=1, place=f"第{i}号")
        report(
            world,
            "coordinator_x",
            **when(2025, 3, 1 + i),
            enterprise_id=world.build_b.pk,
            gb6441_type="09",
        )
    for group_by in st.GROUP_BY:
        with CaptureQueriesContext(connection) as after:
            page = client.get(url, {"period": "2026", "group_by": group_by})
        assert len(after) == counts[group_by], group_by
        assert page.context["figures"].total.figures["accidents"] == 11


@pytest.mark.parametrize("group_by", ["division", "department", "type"])
def test_given_the_excel_download_when_opened_back_then_it_equals_the_page(
    client, world, accidents, group_by
):
    login(client, "coordinator_x")
    params = {"period": "2026", "group_by": group_by}
    with time_machine.travel(dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC), tick=False):
        page = client.get(reverse("accidents:figures"), params)
        response = client.get(reverse("accidents:figures-xlsx"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    figures = page.context["figures"]
    groups = [*figures.groups, figures.total]
    first = next(i for i, r in enumerate(rows) if r[0] == groups[0].label)
    body = rows[first : first + len(groups)]
    assert [r[0] for r in body] == [g.label for g in groups]
    for row, group in zip(body, groups, strict=True):
        data = group.figures
        expected = []
        for key in st.METRICS:
            for value in (data[key], data[f"{key}_prev"], data[f"{key}_change"]):
                expected.append(float(value) if isinstance(value, Decimal) else value)
        for key in ("workforce", "per_thousand_deaths", "per_thousand_serious"):
            value = data[key]
            expected.append(
                "—" if value is None else float(value) if isinstance(value, Decimal) else value
            )
        assert row[1 : 1 + len(expected)] == expected
    trend = [r[:3] for r in rows if isinstance(r[0], str) and r[0][:2] == "20" and r[1] is not None]
    assert trend[0] == ["2025-01", 0, 0] and len(trend) == 24
    assert ["2026-07", 1, 3] in trend


# --- in a browser --------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_given_a_phone_and_a_desktop_when_opening_the_statistics_then_charts_draw_and_nothing_scrolls_sideways(
    world,
    accidents,
    live_server,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
):
    from tests.e2e.test_browser import DESKTOP, PHONE, sign_in

    url = live_server.url + reverse("accidents:figures") + "?period=2026&group_by=department"
    for name, viewport, extra in (
        ("desktop", DESKTOP, {}),
        ("phone", PHONE, {"is_mobile": True, "has_touch": True}),
    ):
        context = browser.new_context(viewport=viewport, **extra)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m, out=errors: out.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, out=errors: out.append(str(e)))
        sign_in(page, live_server.url, "coordinator_x")
        page.goto(url)
        page.wait_for_selector("#figures-chart canvas")
        page.wait_for_selector("#trend-chart canvas")
        assert page.locator("#figures-table tbody tr").count() == 4  # 2 leads, none, outside
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=str(artifacts / f"accident-statistics-{name}.png"), full_page=True)
        assert errors == []
        context.close()

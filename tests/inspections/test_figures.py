"""Enforcement figures (issue 12 item 11): the figures of a small crafted world by division,
department, industry and month, with totals (a joint inspection counted once, for its lead
department; unconcluded inspections, draft and revoked penalties and corrections left
out; fines summed in yuan); who reads them (an outsider and enterprise staff nothing, a
department officer only their department's work); the page's query count independent of
the rows; the Excel export read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from anjian.hazards.models import Hazard
from anjian.inspections import figures
from anjian.inspections import penalties as rules
from anjian.inspections.document_models import DocumentKind, EnforcementDocument
from anjian.inspections.models import Finding, Inspection
from anjian.penalties.models import Penalty
from tests.world import PASSWORD, World

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
_serial = itertools.count(1)


def at(month: int, day: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, 10))


def inspection(
    world: World, enterprise, department, *, month: int = 3, state: str = "concluded", **extra
) -> Inspection:
    joined = extra.pop("participants", ())
    row = Inspection.objects.create(
        enterprise=enterprise,
        kind=extra.pop("kind", "routine"),
        state=state,
        lead_department=department,
        matter="HR-HAZCHEM",
        planned_on=at(month).date(),
        created_by=world.user("officer_emergency_x"),
        started_at=at(month) if state in ("in_progress", "concluded") else None,
        concluded_at=at(month) if state == "concluded" else None,
    )
    row.participating_departments.set(joined)
    return row


def finding(world: World, inspection: Inspection, *, closed: bool = False) -> Finding:
    n = next(_serial)
    hazard = Hazard.objects.create(
        number=f"FIG-{n}",
        enterprise=inspection.enterprise,
        source="government_inspection",
        hazard_type="safety",
        category="people",
        level="general",
        handling="deadline",
        description="储罐区静电接地线断开",
        location="储罐区",
        state="closed" if closed else "rectifying",
        reported_at=inspection.concluded_at or at(3),
    )
    return Finding.objects.create(
        inspection=inspection,
        hazard=hazard,
        description=hazard.description,
        location=hazard.location,
        client_token=f"f{n}",
        recorded_by=world.user("officer_emergency_x"),
    )


def penalty(world: World, department, enterprise, kind: str, **extra) -> Penalty:
    n = next(_serial)
    person = extra.pop("person", None)
    return Penalty.objects.create(
        department=department,
        enterprise=enterprise,
        subject_kind=rules.PERSON if person else rules.USCC,
        subject_value=person or (enterprise.uscc if enterprise else f"X{n}"),
        subject_name="某",
        kind=kind,
        amount=extra.pop("amount", None),
        facts_start=at(2),
        facts_end=at(2),
        description="事实",
        state=extra.pop("state", "decided"),
        number=f"罚{n}",
        decided_on=extra.pop("decided_on", dt.date(2026, 4, 1)),
        created_by=world.user("officer_emergency_x"),
        **extra,
    )


def document(world: World, department, enterprise, kind: str, **extra) -> EnforcementDocument:
    n = next(_serial)
    return EnforcementDocument.objects.create(
        enterprise=enterprise,
        kind=kind,
        department=department,
        year=2026,
        serial=n,
        number=f"文{n}",
        issued_on=extra.pop("issued_on", dt.date(2026, 3, 10)),
        issued_by=world.user("officer_emergency_x"),
        file="inspections/documents/2026/x.docx",
        sha256="0" * 64,
        size=1,
        **extra,
    )


@pytest.fixture
def crafted(world: World) -> World:
    """Two departments (emergency_x, housing_x), two divisions (grid_x1: chem_a, ess_d;
    grid_x2: build_b) and one enterprise out of county X (chem_c)."""
    e, h = world.emergency_x, world.housing_x
    a, b, d = world.chem_a, world.build_b, world.ess_d
    i1 = inspection(world, a, e, month=3)
    finding(world, i1, closed=True)
    finding(world, i1)
    inspection(world, a, e, month=5)  # the same enterprise again: 2 visits, 1 enterprise
    joint = inspection(world, b, h, month=5, kind="joint", participants=[e])
    finding(world, joint, closed=True)
    inspection(world, d, e, month=6, state="in_progress")  # not concluded: not counted
    inspection(world, d, e, month=7, state="planned")
    inspection(world, world.chem_c, world.emergency_y, month=3)  # out of county X
    penalty(world, e, a, rules.FINE, amount=Decimal("20000.50"))
    penalty(world, e, a, rules.SUSPENSION)
    penalty(world, e, a, rules.SUSPENSION, decided_on=dt.date(2026, 6, 1))  # same enterprise
    penalty(world, h, b, rules.LICENCE_REVOCATION)
    penalty(world, h, b, rules.PERSON_FINE, amount=Decimal("5000"), person="110101199003070011")
    penalty(world, h, b, rules.PERSON_FINE, amount=Decimal("3000"), person="110101199003070011")
    penalty(world, e, a, rules.FINE, amount=Decimal("99999"), state="draft", decided_on=None)
    penalty(world, e, a, rules.FINE, amount=Decimal("88888"), state="revoked")
    penalty(world, e, a, rules.FINE, amount=Decimal("77777"), decided_on=dt.date(2025, 12, 31))
    first = document(world, e, a, DocumentKind.CHECK_RECORD)
    document(world, e, a, DocumentKind.CHECK_RECORD, corrects=first, correction_reason="笔误")
    document(world, e, a, DocumentKind.RECTIFICATION_ORDER)
    document(world, h, b, DocumentKind.PENALTY_DECISION, issued_on=dt.date(2026, 5, 2))
    return world


def by_label(result: figures.Figures) -> dict[str, figures.Row]:
    return {row.label: row for row in result.rows}


# --- the figures -------------------------------------------------------------------------


def test_given_the_crafted_world_then_the_coordinators_totals_are_the_seeds_figures(crafted):
    result = figures.compute(
        crafted.user("coordinator_x"), start=START, end=END, grouping=figures.DIVISION
    )
    t = result.total
    # Three concluded inspections in county X (the joint one once), of two enterprises.
    assert (t.inspections, t.enterprises) == (3, 2)
    assert (t.hazards_found, t.hazards_fixed) == (3, 2)
    # chem_a suspended twice: one enterprise; build_b's licence revoked.
    assert (t.suspended, t.revoked) == (1, 1)
    # The same person fined twice is one person; drafts, revoked and 2025 fines left out.
    assert t.persons == 1
    assert t.fines == Decimal("28000.50")
    # The correction is not counted again.
    assert t.documents == {
        DocumentKind.CHECK_RECORD: 1,
        DocumentKind.RECTIFICATION_ORDER: 1,
        DocumentKind.PENALTY_DECISION: 1,
    }


def test_given_grouping_by_division_then_each_enterprises_division_and_the_rows_add_up(crafted):
    result = figures.compute(
        crafted.user("coordinator_x"), start=START, end=END, grouping=figures.DIVISION
    )
    rows = by_label(result)
    assert set(rows) == {"东镇一网格", "东镇二网格"}
    x1, x2 = rows["东镇一网格"], rows["东镇二网格"]
    assert (x1.inspections, x1.hazards_found, x1.hazards_fixed, x1.suspended) == (2, 2, 1, 1)
    assert (x2.inspections, x2.hazards_found, x2.revoked, x2.persons) == (1, 1, 1, 1)
    assert x1.fines == Decimal("20000.50") and x2.fines == Decimal("8000.00")
    assert x1.documents_total == 2 and x2.documents_total == 1
    assert sum(r.inspections for r in result.rows) == result.total.inspections


def test_given_grouping_by_department_then_a_joint_inspection_counts_once_for_its_lead(crafted):
    result = figures.compute(
        crafted.user("coordinator_x"), start=START, end=END, grouping=figures.DEPARTMENT
    )
    rows = by_label(result)
    emergency, housing = rows["东县应急管理局"], rows["东县住房和城乡建设局"]
    assert emergency.inspections == 2 and housing.inspections == 1
    assert housing.hazards_found == 1 and housing.revoked == 1
    assert emergency.fines == Decimal("20000.50") and housing.fines == Decimal("8000.00")
    assert emergency.documents == {
        DocumentKind.CHECK_RECORD: 1,
        DocumentKind.RECTIFICATION_ORDER: 1,
    }


def test_given_grouping_by_industry_and_by_month_then_the_rows_follow_them(crafted):
    user = crafted.user("coordinator_x")
    by_industry = figures.compute(user, start=START, end=END, grouping=figures.INDUSTRY)
    assert sorted(r.inspections for r in by_industry.rows) == [1, 2]
    by_month = figures.compute(user, start=START, end=END, grouping=figures.MONTH)
    months = by_label(by_month)
    assert [r.label for r in by_month.rows] == ["2026-03", "2026-04", "2026-05", "2026-06"]
    assert months["2026-03"].inspections == 1 and months["2026-03"].hazards_found == 2
    assert months["2026-05"].inspections == 2
    assert months["2026-04"].fines == Decimal("28000.50") and months["2026-04"].suspended == 1
    assert months["2026-06"].suspended == 1
    assert months["2026-05"].documents == {DocumentKind.PENALTY_DECISION: 1}


def test_given_a_period_then_only_what_happened_in_it_counts(crafted):
    result = figures.compute(
        crafted.user("coordinator_x"),
        start=dt.date(2026, 5, 1),
        end=dt.date(2026, 5, 31),
        grouping=figures.DIVISION,
    )
    assert result.total.inspections == 2
    assert result.total.fines == Decimal("0.00")
    last_year = figures.compute(
        crafted.user("coordinator_x"),
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
        grouping=figures.DIVISION,
    )
    assert last_year.total.fines == Decimal("77777.00")


def test_given_a_department_officer_then_only_their_departments_work(crafted):
    housing = figures.compute(
        crafted.user("officer_housing_x"), start=START, end=END, grouping=figures.DEPARTMENT
    )
    assert housing.total.inspections == 1 and housing.total.fines == Decimal("8000.00")
    assert set(by_label(housing)) == {"东县住房和城乡建设局"}
    # The emergency department took part in the joint inspection: it sees it too, under
    # its lead department's row; its penalties and documents only.
    emergency = figures.compute(
        crafted.user("officer_emergency_x"), start=START, end=END, grouping=figures.DEPARTMENT
    )
    assert emergency.total.inspections == 3
    assert by_label(emergency)["东县住房和城乡建设局"].inspections == 1
    assert emergency.total.revoked == 0 and emergency.total.fines == Decimal("20000.50")


def test_given_the_other_counties_coordinator_then_only_their_county(crafted):
    result = figures.compute(
        crafted.user("coordinator_y"), start=START, end=END, grouping=figures.DIVISION
    )
    assert result.total.inspections == 1 and result.total.fines == Decimal("0.00")


# --- pages -------------------------------------------------------------------------------


def login(world: World, name: str) -> Client:
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


URL = "enforcement_figures:page"


@pytest.mark.parametrize("name", ["outsider", "principal_a", "employee_a", "security_admin"])
@pytest.mark.parametrize("view", ["enforcement_figures:page", "enforcement_figures:export"])
def test_given_no_regulator_then_the_figures_are_refused(crafted, name, view):
    response = login(crafted, name).get(reverse(view))
    assert response.status_code in (403, 404)


def test_given_anonymous_then_the_login_page(crafted):
    response = Client().get(reverse(URL))
    assert response.status_code == 302


def test_given_the_page_then_the_table_the_totals_and_the_chart_data(crafted):
    response = login(crafted, "coordinator_x").get(
        reverse(URL), {"start": "2026-01-01", "end": "2026-12-31", "group": "division"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="figures-table"' in html and 'id="figures-data"' in html
    assert "东镇一网格" in html and "西镇一网格" not in html
    assert response.context["result"].total.inspections == 3
    assert "<script>" not in html  # the chart's script is a static file (CSP)
    chart = response.context["chart"]
    assert chart["labels"] == ["东镇一网格", "东镇二网格"]


def test_given_no_filter_then_this_year_by_division(crafted):
    response = login(crafted, "coordinator_x").get(reverse(URL))
    result = response.context["result"]
    today = timezone.localdate()
    assert result.start == dt.date(today.year, 1, 1) and result.grouping == figures.DIVISION


def test_given_a_reversed_period_then_the_error_and_the_default_figures(crafted):
    response = login(crafted, "coordinator_x").get(
        reverse(URL), {"start": "2026-12-31", "end": "2026-01-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def _queries(client: Client, group: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(
            reverse(URL), {"start": "2026-01-01", "end": "2026-12-31", "group": group}
        )
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("group", list(figures.GROUPINGS))
def test_given_more_rows_then_the_page_makes_no_more_queries(crafted, group):
    client = login(crafted, "coordinator_x")
    before = _queries(client, group)
    for month in (1, 2, 8, 9):
        for enterprise in (crafted.chem_a, crafted.build_b, crafted.ess_d):
            i = inspection(crafted, enterprise, crafted.housing_x, month=month)
            finding(crafted, i)
            document(crafted, crafted.fire_x, enterprise, DocumentKind.REVIEW_OPINION)
            penalty(crafted, crafted.fire_x, enterprise, rules.FINE, amount=Decimal("1"))
    after = _queries(client, group)
    assert after == before
    assert after <= 16


# --- Excel -------------------------------------------------------------------------------


def test_given_the_export_then_the_same_table_with_numbers_and_fines_in_yuan(crafted):
    response = login(crafted, "coordinator_x").get(
        reverse("enforcement_figures:export"),
        {"start": "2026-01-01", "end": "2026-12-31", "group": "department"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    lines = list(sheet.iter_rows(values_only=True))
    header = lines[1]
    assert len(header) == 1 + len(figures.FIGURES) + len(DocumentKind.values) + 1
    body = {line[0]: line for line in lines[2:]}
    emergency = body["东县应急管理局"]
    assert emergency[1] == 2 and isinstance(emergency[1], int)
    fines_at = 1 + figures.FIGURES.index("fines")
    assert Decimal(str(emergency[fines_at])) == Decimal("20000.50")
    total = lines[-1]
    assert total[1] == 3
    assert Decimal(str(total[fines_at])) == Decimal("28000.50")
    assert sheet.cell(row=len(lines), column=fines_at + 1).number_format == "0.00"
    assert total[-1] == 3  # documents in all

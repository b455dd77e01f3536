"""The county dispatch table: the platform's figures equal a fresh count, totals, marks,
and the Excel download opened back."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import load_workbook

from anjian.dispatch import queries, services
from anjian.dispatch.documents import table_xlsx
from anjian.hazards.models import Hazard
from anjian.inspections.models import Inspection
from anjian.penalties.models import Penalty
from tests.hazards.helpers import report

from .conftest import NOV, actor, at, dept_form, submit, town_form

# Around the month's edges, in local time.
MOMENTS = [
    (10, 31, 23, 59),
    (11, 1, 0, 0),
    (11, 15, 12, 0),
    (11, 30, 23, 59),
    (12, 1, 0, 0),
]


def moment(rng) -> dt.datetime:
    month, day, hour, minute = rng.choice(MOMENTS)
    return timezone.make_aware(dt.datetime(2026, month, day, hour, minute))


def in_nov(value) -> bool:
    if value is None:
        return False
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return value.year == 2026 and value.month == 11


@pytest.fixture
def ledger(opened):
    """Hazards, inspections and penalties at the four enterprises, dated at random
    around November's edges."""
    world = opened
    rng = random.Random(13)
    enterprises = [world.chem_a, world.build_b, world.ess_d, world.chem_c]
    officer = world.user("officer_emergency_x")
    for i in range(24):
        ent = enterprises[i % 4]
        who = (
            "safety_a"
            if ent == world.chem_a
            else "principal_c"
            if ent == world.chem_c
            else "coordinator_x"
        )
        h = report(world, who=who, enterprise=ent, description=f"隐患{i}")
        closed = moment(rng) if rng.random() < 0.6 else None
        Hazard.objects.filter(pk=h.pk).update(reported_at=moment(rng), closed_at=closed)
    departments = [world.emergency_x, world.housing_x, world.fire_x]
    for i in range(12):
        ent = enterprises[i % 4]
        dept = world.emergency_y if ent == world.chem_c else departments[i % 3]
        Inspection.objects.create(
            enterprise=ent,
            kind="routine",
            state=rng.choice(["concluded", "concluded", "in_progress"]),
            lead_department=dept,
            matter="HR",
            planned_on=dt.date(2026, 11, 1),
            created_by=officer,
            concluded_at=moment(rng),
        )
    for i in range(12):
        ent = enterprises[i % 4]
        dept = world.emergency_y if ent == world.chem_c else departments[i % 3]
        Penalty.objects.create(
            department=dept,
            enterprise=ent,
            subject_kind="uscc",
            subject_value=ent.uscc,
            subject_name=ent.name,
            kind=rng.choice(["fine", "fine", "warning"]),
            amount=Decimal(1000 * (i + 1)),
            facts_start=at(1),
            facts_end=at(1),
            description="违法事实",
            state=rng.choice(["decided", "executed", "noticed", "revoked"]),
            decided_on=timezone.localdate(moment(rng)),
            created_by=officer,
        )
    return world


def fresh_count(world, township=None, department=None) -> dict:
    """Counted row by row in Python, from the definitions in anjian.dispatch.queries."""

    def mine(enterprise, dept_of_row=None, lead=False):
        if township is not None:
            return enterprise.division.parent_id == township.pk
        if lead:
            return enterprise.duties.filter(role="lead", department=department).exists()
        return dept_of_row == department.pk

    out = {
        "hazards_found": 0,
        "hazards_fixed": 0,
        "inspections": 0,
        "penalties": 0,
        "fines": Decimal("0"),
    }
    for h in Hazard.objects.select_related("enterprise__division"):
        if mine(h.enterprise, lead=True):
            out["hazards_found"] += in_nov(h.reported_at)
            out["hazards_fixed"] += in_nov(h.closed_at)
    for i in Inspection.objects.select_related("enterprise__division"):
        if (
            i.state == "concluded"
            and in_nov(i.concluded_at)
            and mine(i.enterprise, i.lead_department_id)
        ):
            out["inspections"] += 1
    for p in Penalty.objects.select_related("enterprise__division"):
        if (
            p.state in ("decided", "executed")
            and in_nov(p.decided_on)
            and mine(p.enterprise, p.department_id)
        ):
            out["penalties"] += 1
            if p.kind == "fine":
                out["fines"] += p.amount
    return out


def test_given_a_ledger_then_each_rows_platform_figures_equal_a_fresh_count(ledger):
    table = queries.dispatch_table(ledger.user("coordinator_x"), ledger.county_x, NOV)
    assert len(table.rows) == 6
    checked = 0
    for row in table.rows:
        f = row.form
        expected = fresh_count(ledger, township=f.division, department=f.department)
        assert row.platform == expected, f.respondent_name
        checked += sum(1 for v in expected.values() if v)
    assert checked > 5  # the data set is not empty
    town = next(r for r in table.rows if r.form.division_id == ledger.town_x.pk)
    assert table.total_platform == town.platform  # 南镇 has no enterprise; Y is not counted


def test_given_submissions_then_reported_totals_count_submitted_forms_only_with_marks(ledger):
    submit(ledger, "town_coord_x", town_form(ledger), day=24)
    submit(ledger, "officer_emergency_x", dept_form(ledger), day=26, investment="10.25")
    fire = dept_form(ledger, ledger.fire_x)
    services.dispatch_save(
        actor=actor(ledger, "officer_fire_x"), form_id=fire.pk, data={"meetings": "7"}
    )
    today = dt.date(2026, 11, 27)
    table = queries.dispatch_table(ledger.user("coordinator_x"), ledger.county_x, NOV, today)
    marks = {r.form.respondent_name: r.status for r in table.rows}
    assert marks == {
        "东镇": "submitted",
        "南镇": "missing",
        "东县应急管理局": "late",
        "东县住房和城乡建设局": "missing",
        "东县消防救援大队": "missing",
        "东县公安局": "missing",
    }
    assert table.total_reported["meetings"] == 6  # the fire draft's 7 is not counted
    assert table.total_reported["investment"] == Decimal("125010.75")
    assert table.progress == {
        "submitted": 1,
        "late": 1,
        "returned": 0,
        "missing": 4,
        "pending": 0,
        "total": 6,
        "done": 2,
    }
    fire_row = next(r for r in table.rows if r.form.pk == fire.pk)
    assert fire_row.reported["meetings"] is None
    early = queries.dispatch_table(
        ledger.user("coordinator_x"), ledger.county_x, NOV, dt.date(2026, 11, 20)
    )
    assert sum(1 for r in early.rows if r.status == "pending") == 4


def test_given_the_table_when_exported_then_excel_opens_back_with_the_same_figures(ledger):
    submit(ledger, "town_coord_x", town_form(ledger), day=24, notes='=HYPERLINK("x")')
    table = queries.dispatch_table(
        ledger.user("coordinator_x"), ledger.county_x, NOV, dt.date(2026, 11, 27)
    )
    wb = load_workbook(io.BytesIO(table_xlsx(table)))
    ws = wb.active
    assert ws.title == "2026-11"
    header = [c.value for c in ws[2]]
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    total = gettext("Total")
    assert set(rows) == {r.form.respondent_name for r in table.rows} | {total}
    town = next(r for r in table.rows if r.form.division_id == ledger.town_x.pk)
    line = rows["东镇"]
    for key, value in {**town.reported, **town.platform}.items():
        column = next(i for i, h in enumerate(header) if h == _label(key))
        assert Decimal(str(line[column])) == Decimal(str(value)), key
    assert rows[total][1] == "1/6"
    assert line[-1] == '=HYPERLINK("x")'  # typed text stays text, never a formula
    notes_cell = next(
        c
        for c in ws[3 + [r[0] for r in ws.iter_rows(min_row=3, values_only=True)].index("东镇")]
        if c.value == line[-1]
    )
    assert notes_cell.data_type == "s"
    assert rows["南镇"][3] is None  # not submitted: empty, not 0


def _label(key):
    from anjian.dispatch.documents import platform_labels, reported_labels

    return dict(reported_labels() + platform_labels())[key]


def test_given_an_outsiders_view_then_the_table_is_empty(ledger):
    with time_machine.travel(at(27), tick=False):
        table = queries.dispatch_table(ledger.user("coordinator_y"), ledger.county_x, NOV)
    assert table.rows == [] and table.total_platform["hazards_found"] == 0

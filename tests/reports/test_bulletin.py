"""The quarterly bulletin and the annual assessment: each unit's figures are the
indicators' values for it, the ranks follow the policy, every number in the Word document
is the database's, a 较大 accident vetoes the annual assessment, and only regulators of
the county see it."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document

from anjian.reports import assessment as a
from anjian.reports import bulletin
from anjian.reports import indicators as ind

pytestmark = pytest.mark.django_db


def _table_texts(content: bytes) -> list[list[list[str]]]:
    doc = Document(io.BytesIO(content))
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def test_given_the_dataset_then_every_unit_figure_is_the_indicator_and_the_order_the_policy(
    dataset, world
):
    report = bulletin.build(county=world.county_x, period=dataset.period, today=dataset.today)
    assert [r.title for r in report.rankings] == ["乡镇（街道）", "部门"]
    towns, depts = report.rankings
    assert {row.name for row in towns.rows} == {"东镇"}
    assert {row.name for row in depts.rows} == {
        d.name for d in bulletin.departments(world.county_x)
    }
    for row in depts.rows:
        department = next(d for d in bulletin.departments(world.county_x) if f"p{d.pk}" == row.key)
        bounds = ind.Bounds(world.county_x, dataset.period, dataset.today, department)
        for key in report.keys:
            fresh = ind.compute(key, bounds, yoy=False)
            assert row.figures[key].value == fresh.value, (row.name, key)
    # The order is the policy's scoring of those values.
    figures = {
        row.key: {k: bulletin._value(f) for k, f in row.figures.items()} for row in depts.rows
    }
    expected = [
        r.unit for r in a.score(report.profile, figures, {r.key: r.name for r in depts.rows})
    ]
    assert [row.key for row in depts.rows] == expected
    # Some hazards of the dataset count: the emergency department's figures are not empty.
    emergency = next(r for r in depts.rows if r.name == world.emergency_x.name)
    assert emergency.figures["hazards_on_time_rate"].value is not None


def test_given_the_word_document_then_its_ranking_table_is_the_report(dataset, world):
    report = bulletin.build(county=world.county_x, period=dataset.period, today=dataset.today)
    tables = _table_texts(bulletin.word(report))
    assert len(tables) == len(report.rankings) + 1  # the rankings and the sources
    for ranking, table in zip(report.rankings, tables, strict=False):
        assert table[0] == bulletin.ranking_header(report)
        assert table[1:] == bulletin.ranking_rows(report, ranking)
    sources = tables[-1]
    assert [r[0] for r in sources[1:]] == [report.county_figures[k].label for k in report.keys]
    assert all(r[2] for r in sources[1:])


def test_given_a_veto_figure_then_the_unit_is_last_and_named(dataset, world, monkeypatch):
    original = ind.compute

    def compute(key, bounds, *, yoy=True):
        figure = original(key, bounds, yoy=yoy)
        if key == "larger_accidents" and bounds.department == world.emergency_x:
            return ind.Figure(key, figure.label, figure.unit, figure.source, figure.kind, 1)
        return figure

    monkeypatch.setattr(ind, "compute", compute)
    report = bulletin.build(
        county=world.county_x, period=dataset.period, kind=bulletin.ANNUAL, today=dataset.today
    )
    depts = report.rankings[1]
    last = depts.rows[-1]
    assert last.name == world.emergency_x.name and last.result.vetoed_because
    assert last.result.band == "不合格" and last in depts.worst
    rows = bulletin.ranking_rows(report, depts)
    assert "一票否决" in rows[-1][1]


@pytest.mark.parametrize(
    "who, status",
    [("coordinator_x", 200), ("officer_emergency_x", 200), ("safety_a", 403), ("outsider", 403)],
)
def test_given_the_pages_then_regulators_get_the_tables_and_the_word_file(
    dataset, world, who, status
):
    client = Client()
    client.force_login(world.user(who))
    url = (
        reverse("assessments:bulletin")
        + f"?county={world.county_x.code}&period={dataset.period.key}"
    )
    page = client.get(url)
    assert page.status_code == status
    if status != 200:
        return
    assert "东镇" in page.content.decode()
    docx = client.get(url + "&format=docx")
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxml")
    assert Document(io.BytesIO(docx.content)).paragraphs[0].text.startswith(world.county_x.name)
    other = client.get(reverse("assessments:bulletin") + f"?county={world.county_y.code}")
    assert other.status_code == 404  # another county is out of scope


def test_given_the_assessment_page_then_a_quarter_is_refused_and_a_year_shown(dataset, world):
    client = Client()
    client.force_login(world.user("coordinator_x"))
    url = reverse("assessments:assessment")
    assert client.get(url + f"?period={dataset.period.key}").status_code == 404
    page = client.get(url + f"?period={dataset.period.year}")
    assert page.status_code == 200 and "等次" in page.content.decode()

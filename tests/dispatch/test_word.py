"""The monthly dispatch as a Word document: opened back with python-docx, every number in
its table and its submissions paragraph equals a count made here from the model rows
(not from anjian.dispatch.queries), the download is scoped like the Excel, and a month
without forms gives a short document instead of an error."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from anjian.core import wordoc
from anjian.dispatch import documents, policy, queries, services
from anjian.dispatch.models import DispatchForm
from anjian.dispatch.word import document_title, table_docx
from tests.e2e.conftest import browser  # noqa: F401 (fixture)

from .conftest import NOV, actor, at, dept_form, submit, town_form
from .test_table import fresh_count, ledger  # noqa: F401 (the ledger fixture)

TODAY = dt.date(2026, 11, 27)
URL = "/dispatch/2026-11/table.docx"


@pytest.fixture
def reported(ledger):  # noqa: F811 (the imported fixture)
    """东镇 on time, the emergency bureau late, housing submitted then returned, the fire
    brigade a draft (not counted), 南镇 and public security nothing."""
    world = ledger
    submit(world, "town_coord_x", town_form(world), day=24)
    submit(world, "officer_emergency_x", dept_form(world), day=26, investment="10.25")
    housing = submit(
        world, "officer_housing_x", dept_form(world, world.housing_x), day=21, meetings="9"
    )
    with time_machine.travel(at(22), tick=False):
        services.dispatch_return(
            actor=actor(world, "coordinator_x"),
            form_id=housing.pk,
            reason="数字有误",
            version=housing.version,
        )
    fire = dept_form(world, world.fire_x)
    services.dispatch_save(
        actor=actor(world, "officer_fire_x"), form_id=fire.pk, data={"meetings": "7"}
    )
    return world


# --- reading the document ------------------------------------------------------------------


def open_docx(content: bytes):
    return Document(io.BytesIO(content))


def cell_texts(row) -> list[str]:
    return [c.text for c in row.cells]


def grid(doc) -> tuple[list[str], list[list[str]]]:
    """The dispatch table: its column labels (second header row) and its body rows."""
    table = doc.tables[0]
    header = cell_texts(table.rows[1])
    return header, [cell_texts(r) for r in table.rows[2:]]


def value(text: str):
    return None if text == "—" else Decimal(text)


def labels() -> dict[str, str]:
    return dict(documents.reported_labels() + documents.platform_labels())


# --- counting from the rows --------------------------------------------------------------


def forms_in_db(world) -> list[DispatchForm]:
    return list(
        DispatchForm.objects.filter(county=world.county_x, month=NOV).select_related(
            "division", "department"
        )
    )


def mark_of(form: DispatchForm, today: dt.date) -> str:
    if form.state == "submitted":
        first = timezone.localdate(form.first_submitted_at)
        return "late" if first > form.due_on else "submitted"
    if form.state == "returned":
        return "returned"
    return "missing" if today > form.due_on else "pending"


def reported_of(form: DispatchForm) -> dict:
    return {k: (getattr(form, k) if form.state == "submitted" else None) for k in policy.ITEMS}


def expected_rows(world) -> dict[str, dict]:
    """Each respondent's figures, read from its form and counted from the ledgers."""
    out = {}
    for f in forms_in_db(world):
        out[f.respondent_name] = {
            **reported_of(f),
            **fresh_count(world, township=f.division, department=f.department),
        }
    return out


def expected_totals(world) -> dict:
    forms = forms_in_db(world)
    totals: dict = dict.fromkeys(policy.ITEMS, 0)
    for f in forms:
        if f.state == "submitted":
            for k in policy.ITEMS:
                totals[k] += getattr(f, k)
    platform = dict.fromkeys(queries.PLATFORM_ITEMS, 0)
    for f in forms:
        if f.division_id:  # the townships' sum; departments overlap them
            for k, v in fresh_count(world, township=f.division).items():
                platform[k] += v
    return {**totals, **platform}


def docx_of(world, who: str = "coordinator_x", today: dt.date = TODAY) -> bytes:
    table = queries.dispatch_table(world.user(who), world.county_x, NOV, today)
    return table_docx(table, today=today)


# --- the numbers ----------------------------------------------------------------------------


def test_given_reports_and_a_ledger_when_the_word_is_made_then_every_cell_equals_a_fresh_count(
    reported,
):
    doc = open_docx(docx_of(reported))
    header, body = grid(doc)
    by_label = {label: header.index(label) for label in labels().values()}
    expected = expected_rows(reported)
    *lines, total = body
    assert [line[0] for line in lines] == [
        r.form.respondent_name
        for r in queries.dispatch_table(
            reported.user("coordinator_x"), reported.county_x, NOV, TODAY
        ).rows
    ]
    assert {line[0] for line in lines} == set(expected)
    checked = 0
    for line in lines:
        want = expected[line[0]]
        for key, label in labels().items():
            got = value(line[by_label[label]])
            assert got == (None if want[key] is None else Decimal(str(want[key]))), (
                line[0],
                key,
            )
            checked += bool(got)
    assert checked > 20  # figures were there to compare
    assert total[0] == gettext("Total")
    forms = forms_in_db(reported)
    done = sum(1 for f in forms if f.state == "submitted")
    assert total[1] == f"{done}/{len(forms)}" == "2/6"
    for key, want in expected_totals(reported).items():
        assert value(total[by_label[labels()[key]]]) == Decimal(str(want)), key
    assert value(total[by_label[labels()["meetings"]]]) == 6  # not the draft's 7, not the 9


def test_given_reports_then_the_status_column_and_the_submissions_paragraph_match_the_forms(
    reported,
):
    doc = open_docx(docx_of(reported))
    header, body = grid(doc)
    marks = documents.status_labels()
    forms = {f.respondent_name: f for f in forms_in_db(reported)}
    for line in body[:-1]:
        assert line[header.index(gettext("Status"))] == marks[mark_of(forms[line[0]], TODAY)]
    counts = dict.fromkeys(marks, 0)
    for f in forms.values():
        counts[mark_of(f, TODAY)] += 1
    assert counts == {"submitted": 1, "late": 1, "returned": 1, "missing": 3, "pending": 0}
    towns = sum(1 for f in forms.values() if f.division_id)
    summary = gettext(
        "%(total)d units are due to report this month (%(townships)d townships, "
        "%(departments)d departments). As of %(day)s: %(on_time)d submitted on time, "
        "%(late)d submitted late, %(returned)d returned for correction, %(missing)d not "
        "submitted and overdue, %(pending)d not submitted and not yet due."
    ) % {
        "total": len(forms),
        "townships": towns,
        "departments": len(forms) - towns,
        "day": "2026年11月27日",
        "on_time": counts["submitted"],
        "late": counts["late"],
        "returned": counts["returned"],
        "missing": counts["missing"],
        "pending": counts["pending"],
    }
    texts = [p.text for p in doc.paragraphs]
    assert summary in texts
    for mark in ("late", "returned", "missing"):
        names = [line[0] for line in body[:-1] if mark_of(forms[line[0]], TODAY) == mark]
        assert (
            gettext("%(status)s: %(names)s.")
            % {
                "status": marks[mark],
                "names": "、".join(names),
            }
            in texts
        )
    assert not any(t.startswith(marks["pending"]) for t in texts)


def test_given_the_word_then_title_landscape_fonts_and_the_appendix_name_every_column(reported):
    content = docx_of(reported)
    doc = open_docx(content)
    table = queries.dispatch_table(reported.user("coordinator_x"), reported.county_x, NOV, TODAY)
    assert doc.paragraphs[0].text == document_title(table)
    assert "东县" in doc.paragraphs[0].text and "2026年11月" in doc.paragraphs[0].text
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    header, _body = grid(doc)
    assert header == [gettext("Respondent"), gettext("Status"), *labels().values()]
    groups = cell_texts(doc.tables[0].rows[0])
    for row in doc.tables[0].rows[:2]:  # repeated on each page
        assert row._tr.trPr.find(qn("w:tblHeader")) is not None
    assert groups.count(gettext("Reported by the units")) == len(policy.ITEMS)
    assert groups.count(gettext("Counted by the platform")) == len(queries.PLATFORM_ITEMS)
    # Every run carries the east-Asian font (Word ignores font.name for CJK text).
    for paragraph in [*doc.paragraphs, *(p for c in doc.tables[0]._cells for p in c.paragraphs)]:
        for run in paragraph.runs:
            assert run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")), run.text
    appendix = {cell_texts(r)[0]: cell_texts(r)[1] for r in doc.tables[1].rows[1:]}
    assert set(appendix) == {gettext("Status"), *labels().values()}
    for key, label in documents.reported_labels():
        assert appendix[label].startswith("各单位填报"), key
    assert "reported_at" in appendix[labels()["hazards_found"]]
    assert "closed_at" in appendix[labels()["hazards_fixed"]]
    assert "concluded" in appendix[labels()["inspections"]]
    assert "decided_on" in appendix[labels()["penalties"]]
    assert "amount" in appendix[labels()["fines"]]
    # The same table on the same day gives the same bytes.
    assert wordoc.sha256(content) == wordoc.sha256(docx_of(reported))


def test_given_a_month_without_forms_then_a_short_document_says_so(dworld):
    table = queries.dispatch_table(dworld.user("coordinator_x"), dworld.county_x, NOV, TODAY)
    assert table.rows == []
    doc = open_docx(table_docx(table, today=TODAY))
    assert doc.tables == []
    text = "\n".join(p.text for p in doc.paragraphs)
    assert gettext("This month is not open yet.") in text
    assert doc.paragraphs[0].text == document_title(table)


# --- the download ---------------------------------------------------------------------------


def login(client, world, who):
    client.force_login(world.user(who))
    return client


def test_given_the_county_office_then_the_table_page_links_the_word_and_it_downloads(
    client, reported
):
    c = login(client, reported, "coordinator_x")
    with time_machine.travel(at(27), tick=False):
        page = c.get(reverse("dispatch:table", args=["2026-11"]))
        html = page.content.decode()
        link = reverse("dispatch:table-docx", args=["2026-11"]) + f"?county={reported.county_x.pk}"
        assert link == URL + f"?county={reported.county_x.pk}"
        assert 'id="dispatch-docx"' in html and link in html
        response = c.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == wordoc.CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="dispatch-330101-2026-11.docx"'
    assert response.content == docx_of(reported)  # the view's marks are taken on today
    _header, body = grid(open_docx(response.content))
    assert len(body) == 6 + 1


def test_given_a_month_without_forms_when_downloaded_then_a_document_not_an_error(client, dworld):
    c = login(client, dworld, "coordinator_x")
    with time_machine.travel(at(27), tick=False):
        response = c.get("/dispatch/2026-10/table.docx")
    assert response.status_code == 200
    doc = open_docx(response.content)
    assert doc.tables == []
    assert gettext("This month is not open yet.") in "\n".join(p.text for p in doc.paragraphs)


@pytest.mark.parametrize(
    "who", ["outsider", "officer_emergency_x", "town_coord_x", "grid_x1", "principal_a"]
)
def test_given_anyone_but_a_county_office_then_the_word_is_refused(client, reported, who):
    c = login(client, reported, who)
    with time_machine.travel(at(27), tick=False):
        assert c.get(URL).status_code == 403


def test_given_another_countys_office_or_no_month_then_not_found(client, reported):
    c = login(client, reported, "coordinator_y")
    with time_machine.travel(at(27), tick=False):
        assert c.get(URL + f"?county={reported.county_x.pk}").status_code == 404
        assert c.get("/dispatch/2026-13/table.docx").status_code == 404
        # Its own county's month has no form: a document, and nothing of county X in it.
        own = c.get(URL)
    assert own.status_code == 200
    text = "\n".join(p.text for p in open_docx(own.content).paragraphs)
    assert reported.county_y.name in text and reported.county_x.name not in text


def test_given_anonymous_then_sent_to_sign_in(client, reported):
    assert client.get(URL).status_code == 302


# --- in the browser -------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_given_the_county_office_in_a_browser_when_it_clicks_word_then_the_document_opens(
    opened,
    live_server,
    browser,  # noqa: F811
):
    from tests.e2e.test_browser import DESKTOP, sign_in

    submit(opened, "town_coord_x", town_form(opened), day=24)
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    sign_in(page, base, "coordinator_x")
    page.goto(base + reverse("dispatch:table", args=["2026-11"]))
    with page.expect_download() as info:
        page.click("#dispatch-docx")
    download = info.value
    assert download.suggested_filename == "dispatch-330101-2026-11.docx"
    doc = open_docx(Path(download.path()).read_bytes())
    context.close()
    _header, body = grid(doc)
    town = next(line for line in body if line[0] == opened.town_x.name)
    form = town_form(opened)
    for i, key in enumerate(policy.ITEMS):
        assert value(town[2 + i]) == Decimal(str(getattr(form, key))), key
    assert body[-1][1] == "1/6"

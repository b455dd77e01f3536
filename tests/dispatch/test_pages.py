"""The dispatch pages: the respondent's form, the month overview, the table and its
download; who may open which; the overview's query count does not grow with the county."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from anjian.dispatch.models import DispatchForm
from tests.world import division

from .conftest import FULL, at, dept_form, submit, town_form


@pytest.fixture(autouse=True)
def _november():
    with time_machine.travel(at(20), tick=False):
        yield


def login(client, world, who):
    client.force_login(world.user(who))
    return client


MONTH = "/dispatch/2026-11/"


def test_given_the_county_office_when_it_opens_the_month_in_the_browser_then_progress(
    client, dworld
):
    c = login(client, dworld, "coordinator_x")
    home = c.get("/dispatch/")  # the menu's link opens this month's overview
    assert home.status_code == 200 and "dispatch/month.html" in [t.name for t in home.templates]
    page = c.get(MONTH)
    assert page.status_code == 200 and not DispatchForm.objects.exists()
    done = c.post(reverse("dispatch:month-open", args=["2026-11"]), {"county": dworld.county_x.pk})
    assert done.status_code == 302
    assert DispatchForm.objects.filter(county=dworld.county_x).count() == 6
    submit(dworld, "town_coord_x", town_form(dworld))
    page = c.get(MONTH).content.decode()
    assert 'id="progress">1 / 6<' in page
    assert "东县公安局" in page and "town_coord_x" in page


def test_given_the_future_month_when_opened_then_a_message_and_nothing(client, dworld):
    c = login(client, dworld, "coordinator_x")
    c.post(reverse("dispatch:month-open", args=["2026-12"]))
    assert not DispatchForm.objects.exists()


def _overview_queries(client, world) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(MONTH).status_code == 200
    return len(ctx.captured_queries)


def test_given_more_respondents_then_the_overview_makes_no_more_queries(client, opened):
    c = login(client, opened, "coordinator_x")
    submit(opened, "town_coord_x", town_form(opened))
    few = _overview_queries(c, opened)
    for i in range(3, 8):
        division(f"33010100{i}", f"镇{i}", "township", opened.county_x)
    c.post(reverse("dispatch:month-open", args=["2026-11"]))
    assert DispatchForm.objects.count() == 11
    assert _overview_queries(c, opened) == few
    assert few <= 12


def test_given_the_township_office_then_it_fills_and_submits_from_its_form(client, opened):
    c = login(client, opened, "town_coord_x")
    form = town_form(opened)
    home = c.get("/dispatch/")  # the menu's link opens the respondent's forms
    assert home.status_code == 200 and "dispatch/mine.html" in [t.name for t in home.templates]
    mine = c.get(reverse("dispatch:mine")).content.decode()
    assert reverse("dispatch:form", args=[form.pk]) in mine
    page = c.get(reverse("dispatch:form", args=[form.pk])).content.decode()
    assert 'name="meetings"' in page and 'inputmode="numeric"' in page
    url = reverse("dispatch:form", args=[form.pk])
    bad = c.post(url, {**FULL, "meetings": "-2", "version": form.version, "submit": "1"})
    assert bad.status_code == 200 and "field-error" in bad.content.decode()
    form.refresh_from_db()
    assert form.state == "draft"
    saved = c.post(url, {**FULL, "trainings": "", "version": form.version, "save": "1"})
    assert saved.status_code == 302
    form.refresh_from_db()
    assert form.state == "draft" and form.trainings is None and form.meetings == 3
    stale = c.post(url, {**FULL, "version": form.version - 1, "submit": "1"}, follow=True)
    assert DispatchForm.objects.get(pk=form.pk).state == "draft"
    assert stale.status_code == 200
    done = c.post(url, {**FULL, "version": form.version, "submit": "1"})
    assert done.status_code == 302
    form.refresh_from_db()
    assert form.state == "submitted" and len(form.signature) == 64
    after = c.get(url).content.decode()
    assert form.signature in after and 'name="meetings"' not in after


def test_given_the_county_office_then_it_returns_a_form_from_its_page(client, opened):
    form = submit(opened, "officer_emergency_x", dept_form(opened))
    c = login(client, opened, "coordinator_x")
    page = c.get(reverse("dispatch:form", args=[form.pk])).content.decode()
    assert reverse("dispatch:form-return", args=[form.pk]) in page
    c.post(reverse("dispatch:form-return", args=[form.pk]), {"reason": "", "version": form.version})
    assert DispatchForm.objects.get(pk=form.pk).state == "submitted"  # a reason is needed
    c.post(
        reverse("dispatch:form-return", args=[form.pk]),
        {"reason": "投入有误", "version": form.version},
    )
    assert DispatchForm.objects.get(pk=form.pk).state == "returned"
    # The respondent cannot return it; the office cannot fill it.
    d = login(client, opened, "officer_emergency_x")
    assert (
        d.post(reverse("dispatch:form-return", args=[form.pk]), {"reason": "x"}).status_code == 403
    )
    c = login(client, opened, "coordinator_x")
    assert (
        c.post(reverse("dispatch:form", args=[form.pk]), {**FULL, "submit": "1"}).status_code == 403
    )


def test_given_the_table_then_page_and_excel(client, opened):
    submit(opened, "town_coord_x", town_form(opened))
    c = login(client, opened, "coordinator_x")
    page = c.get("/dispatch/2026-11/table/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="dispatch-table"' in html and "东镇" in html and "table-cards" in html
    assert "1 / 6" in html and "125000.50" in html  # the totals row
    xlsx = c.get("/dispatch/2026-11/table.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws.max_row == 2 + 6 + 1


@pytest.mark.parametrize(
    "who", ["officer_emergency_x", "town_coord_x", "grid_x1", "expert_x", "principal_a", "outsider"]
)
def test_given_anyone_but_a_county_office_then_the_overview_and_table_are_refused(
    client, opened, who
):
    c = login(client, opened, who)
    for url in (MONTH, "/dispatch/2026-11/table/", "/dispatch/2026-11/table.xlsx"):
        assert c.get(url).status_code == 403, url
    assert c.post(reverse("dispatch:month-open", args=["2026-11"])).status_code == 403


@pytest.mark.parametrize(
    "who,status",
    [
        ("coordinator_x", 200),
        ("town_coord_x", 200),
        ("officer_emergency_x", 404),
        ("coordinator_y", 404),
        ("grid_x1", 404),
        ("principal_a", 404),
        ("outsider", 404),
    ],
)
def test_given_a_township_form_then_only_its_office_and_the_county_see_it(
    client, opened, who, status
):
    c = login(client, opened, who)
    assert c.get(reverse("dispatch:form", args=[town_form(opened).pk])).status_code == status


def test_given_another_county_then_not_found(client, opened):
    c = login(client, opened, "coordinator_x")
    assert c.get(MONTH + f"?county={opened.county_y.pk}").status_code == 404
    assert c.get("/dispatch/2026-13/").status_code == 404


def test_given_anonymous_then_sent_to_sign_in(client, opened):
    assert client.get(MONTH).status_code == 302
    assert client.get(reverse("dispatch:form", args=[town_form(opened).pk])).status_code == 302


def test_given_a_coordinator_then_the_nav_links_the_dispatch(client, opened):
    html = login(client, opened, "officer_fire_x").get(reverse("dispatch:mine")).content.decode()
    assert f'href="{reverse("dispatch:home")}"' in html

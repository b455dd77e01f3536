"""Accident pages: the quick report from a phone through the test client, the list
(scoped, filtered, paginated, its query count flat in the number of rows), the detail
with versions, grade and why, deadlines and late flags, the steps through to a closed
investigation, and an outsider or another county who sees nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anjian.accidents import workflow as wf
from anjian.accidents.models import Accident
from tests.accidents.accident_helpers import at, investigate, report
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def login(client, name):
    assert client.login(username=name, password=PASSWORD)
    return client


QUICK = {
    "occurred_at": "2026-11-03T09:00",
    "learned_at": "2026-11-03T09:10",
    "place": "东镇一网格1号 罐区",
    "gb6441_type": "19",
    "deaths": "2",
    "serious_injuries": "1",
    "minor_injuries": "",
    "missing": "",
    "direct_loss_yuan": "",
    "course": "储罐检修时作业人员中毒",
    "latitude": "30.274100",
    "longitude": "120.155100",
}


def test_given_a_safety_officer_on_a_phone_when_sending_the_quick_report_then_the_accident_is_recorded(
    client, world
):
    login(client, "safety_a")
    with time_machine.travel(at(3, 9, 40), tick=False):
        page = client.get(reverse("accidents:report"), HTTP_USER_AGENT=PHONE)
        assert page.status_code == 200
        html = page.content.decode()
        assert 'type="datetime-local"' in html and "data-locate" in html
        assert 'name="division"' not in html  # staff report for their own enterprise
        assert 'name="viewport"' in html

        response = client.post(reverse("accidents:report"), QUICK, HTTP_USER_AGENT=PHONE)

    accident = Accident.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("accidents:detail", args=[accident.pk])
    assert (accident.enterprise, accident.deaths, accident.grade) == (world.chem_a, 2, "general")
    assert str(accident.latitude) == "30.274100"
    assert accident.late_quick_report is False


def test_given_a_quick_report_after_the_hour_when_sent_then_the_detail_shows_it_late(client, world):
    login(client, "safety_a")
    with time_machine.travel(at(3, 11, 0), tick=False):
        client.post(reverse("accidents:report"), QUICK)
    accident = Accident.objects.get()

    html = client.get(reverse("accidents:detail", args=[accident.pk])).content.decode()

    assert accident.late_quick_report is True
    assert 'id="late-quick"' in html


def test_given_a_bad_quick_report_when_sent_then_the_form_shows_the_field_messages(client, world):
    login(client, "safety_a")
    with time_machine.travel(at(3, 9, 40), tick=False):
        response = client.post(
            reverse("accidents:report"), {**QUICK, "learned_at": "2026-11-03T08:00"}
        )

    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    assert not Accident.objects.exists()


def test_given_a_coordinator_when_reporting_outside_any_enterprise_then_the_division_is_chosen(
    client, world
):
    login(client, "coordinator_x")
    with time_machine.travel(at(3, 9, 40), tick=False):
        html = client.get(reverse("accidents:report")).content.decode()
        assert 'name="division"' in html and world.grid_y1.name not in html
        response = client.post(
            reverse("accidents:report"),
            {**QUICK, "division": world.grid_x2.pk, "gb6441_type": "02", "deaths": "3"},
        )

    accident = Accident.objects.get()
    assert response.status_code == 302
    assert accident.enterprise is None and accident.division == world.grid_x2
    assert accident.grade == "larger"


def test_given_an_unknown_credit_code_when_reporting_then_it_is_refused_by_field(client, world):
    login(client, "coordinator_x")
    with time_machine.travel(at(3, 9, 40), tick=False):
        response = client.post(
            reverse("accidents:report"),
            {**QUICK, "division": world.grid_x1.pk, "enterprise_uscc": "91330101000000999X"},
        )
    assert response.status_code == 400
    assert not Accident.objects.exists()


def test_given_an_outsider_when_opening_the_pages_then_nothing_is_shown(client, world):
    accident = report(world)
    login(client, "outsider")

    assert client.get(reverse("accidents:list")).status_code == 403
    assert client.get(reverse("accidents:report")).status_code == 403
    assert client.get(reverse("accidents:detail", args=[accident.pk])).status_code == 403


def test_given_another_county_when_opening_the_accident_then_it_is_not_found(client, world):
    accident = report(world)
    login(client, "coordinator_y")

    assert client.get(reverse("accidents:detail", args=[accident.pk])).status_code == 404
    listing = client.get(reverse("accidents:list")).content.decode()
    assert f'data-accident="{accident.pk}"' not in listing
    response = client.post(
        reverse("accidents:act", args=[accident.pk, wf.INVESTIGATE]), {"version": 1}
    )
    assert response.status_code == 404


def test_given_an_enterprise_when_listing_then_it_sees_only_its_own(client, world):
    own = report(world)
    other = report(world, "principal_c")
    login(client, "principal_a")

    html = client.get(reverse("accidents:list")).content.decode()

    assert f'data-accident="{own.pk}"' in html
    assert f'data-accident="{other.pk}"' not in html


def test_given_filters_when_listing_then_only_matching_accidents_show(client, world):
    general = report(world, deaths=1)
    larger = report(world, deaths=4, gb6441_type="08")
    login(client, "coordinator_x")

    html = client.get(reverse("accidents:list"), {"grade": "larger"}).content.decode()
    assert f'data-accident="{larger.pk}"' in html and f'data-accident="{general.pk}"' not in html
    html = client.get(reverse("accidents:list"), {"gb6441_type": "19"}).content.decode()
    assert f'data-accident="{general.pk}"' in html and f'data-accident="{larger.pk}"' not in html
    investigate(world, general)
    html = client.get(reverse("accidents:list"), {"state": "investigating"}).content.decode()
    assert f'data-accident="{general.pk}"' in html and f'data-accident="{larger.pk}"' not in html


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("accidents:list")).status_code == 200
    return len(ctx.captured_queries)


def test_given_more_accidents_when_listing_then_the_query_count_does_not_grow(client, world):
    report(world)
    report(world, "coordinator_x", division_id=world.grid_x2.pk)
    login(client, "coordinator_x")
    few = _list_queries(client)

    for _ in range(6):
        report(world)
        report(world, "coordinator_x", division_id=world.grid_x2.pk)

    assert _list_queries(client) == few


def test_given_many_accidents_when_listing_then_they_are_paginated(client, world):
    for _ in range(31):
        report(world)
    login(client, "coordinator_x")

    html = client.get(reverse("accidents:list")).content.decode()
    assert html.count("data-accident=") == 30
    html = client.get(reverse("accidents:list"), {"page": 2}).content.decode()
    assert html.count("data-accident=") == 1


def test_given_an_accident_when_followed_to_a_closed_investigation_through_the_pages_then_each_step_shows(
    client, world
):
    accident = report(world, deaths=2)
    login(client, "safety_a")
    detail = reverse("accidents:detail", args=[accident.pk])

    html = client.get(detail).content.decode()
    assert 'id="act-followup"' in html and 'id="act-investigate"' not in html
    with time_machine.travel(at(5), tick=False):
        response = client.post(
            reverse("accidents:act", args=[accident.pk, wf.FOLLOWUP]),
            {"version": 1, "deaths": 3, "course": "一名伤员死亡"},
        )
    assert response.status_code == 302
    html = client.get(detail).content.decode()
    assert 'data-version="2"' in html and 'data-version="1"' in html
    assert "acc-grade-larger" in html

    client.logout()
    login(client, "officer_emergency_x")
    html = client.get(detail).content.decode()
    assert 'id="act-investigate"' in html
    client.post(reverse("accidents:act", args=[accident.pk, wf.INVESTIGATE]), {"version": 2})
    accident.refresh_from_db()
    assert accident.state == wf.INVESTIGATING
    html = client.get(detail).content.decode()
    assert "2027-01-02" in html  # due 60 days from 2026-11-03

    response = client.post(
        reverse("accidents:act", args=[accident.pk, wf.EXTEND]),
        {"version": 3, "days": 61, "reason": "鉴定"},
    )
    assert response.status_code == 400
    client.post(
        reverse("accidents:act", args=[accident.pk, wf.EXTEND]),
        {"version": 3, "days": 30, "reason": "技术鉴定"},
    )
    client.post(
        reverse("accidents:act", args=[accident.pk, wf.ACCOUNTABLE]),
        {"version": 4, "name": "王五", "position": "车间主任", "measure": "撤职"},
    )
    response = client.post(
        reverse("accidents:act", args=[accident.pk, wf.CLOSE]),
        {"version": 5, "causes": "违章作业", "causes_found": "on", "measures_taken": "on"},
    )
    assert response.status_code == 400
    assert Accident.objects.get(pk=accident.pk).state == wf.INVESTIGATING
    response = client.post(
        reverse("accidents:act", args=[accident.pk, wf.CLOSE]),
        {
            "version": 5,
            "causes": "违章作业",
            "causes_found": "on",
            "responsible_dealt_with": "on",
            "measures_taken": "on",
            "people_educated": "on",
        },
    )
    assert response.status_code == 302
    accident.refresh_from_db()
    assert accident.state == wf.CLOSED
    html = client.get(detail).content.decode()
    assert "王五" in html and "2027-02-01" in html  # extended by 30 days
    assert 'id="act-close"' not in html


def test_given_a_stale_form_when_posted_then_it_is_refused_with_a_conflict(client, world):
    accident = report(world)
    login(client, "coordinator_x")
    client.post(reverse("accidents:act", args=[accident.pk, wf.INVESTIGATE]), {"version": 1})

    response = client.post(
        reverse("accidents:act", args=[accident.pk, wf.WITHDRAW]), {"version": 1, "reason": "x"}
    )

    assert response.status_code == 409
    assert 'id="accident-refusal"' in response.content.decode()


def test_given_enterprise_staff_when_posting_the_investigation_then_it_is_forbidden(client, world):
    accident = report(world)
    login(client, "principal_a")

    response = client.post(
        reverse("accidents:act", args=[accident.pk, wf.INVESTIGATE]), {"version": 1}
    )

    assert response.status_code == 403
    assert Accident.objects.get(pk=accident.pk).state == wf.REPORTED


def test_given_the_navigation_then_regulators_and_enterprises_find_their_entry(client, world):
    login(client, "coordinator_x")
    html = client.get(reverse("accidents:list")).content.decode()
    assert f'href="{reverse("accidents:list")}" aria-current="page"' in html
    client.logout()
    login(client, "safety_a")
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("accidents:report")}"' in html


def test_given_a_road_accident_then_the_detail_shows_the_seven_day_window(client, world):
    accident = report(world, gb6441_type="02", road_or_fire=True)
    login(client, "coordinator_x")
    with time_machine.travel(at(12), tick=False):
        html = client.get(reverse("accidents:detail", args=[accident.pk])).content.decode()
    assert (accident.occurred_at.date() + dt.timedelta(days=7)).isoformat() in html

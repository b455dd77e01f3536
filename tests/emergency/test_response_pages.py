"""The response pages: the list, the one-click page (prefilled from an accident), the
start, the live page with the ranked table and the map data, the call and answer buttons,
the timeline JSON, the close and the printable report; scope on every page."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from anjian.emergency.models import Incident, ResponseCall
from tests.emergency.response_helpers import LAT, LON, plans, resources, start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_for(world, name: str) -> Client:
    c = Client()
    c.force_login(world.user(name))
    return c


def test_given_a_coordinator_when_starting_on_the_page_then_the_live_page_ranks_resources(world):
    r = resources(world)
    plans(world)
    c = client_for(world, "coordinator_x")
    page = c.get(reverse("emergency:incident-new"))
    assert page.status_code == 200
    assert 'id="er-map"' in page.content.decode()
    data = json.loads(
        re.search(r'id="er-map-data"[^>]*>(.*?)</script>', page.content.decode(), re.S).group(1)
    )
    assert set(data) >= {"areas", "landmarks", "labels"}
    res = c.post(
        reverse("emergency:incident-new"),
        {
            "title": "罐区泄漏",
            "latitude": str(LAT),
            "longitude": str(LON),
            "accident_type": "19",
            "enterprise": world.chem_a.pk,
            "source": "entered",
        },
    )
    assert res.status_code == 302
    incident = Incident.objects.get()
    live = c.get(res["Location"])
    html = live.content.decode()
    assert live.status_code == 200
    assert "东县急救站" in html and "甲化工专职队" in html and "综合应急预案" in html
    assert f'value="team:{r["chem"].pk}"' in html
    mapdata = json.loads(re.search(r'id="er-map-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert mapdata["incident"]["lat"] == float(LAT)
    assert {x["name"] for x in mapdata["resources"]} >= {"东县急救站", "东县应急物资库"}
    # Call, answer, note, close, report.
    assert (
        c.post(
            reverse("emergency:incident-call", args=[incident.pk]),
            {"target": f"team:{r['chem'].pk}"},
        ).status_code
        == 302
    )
    call = ResponseCall.objects.get()
    assert (
        c.post(reverse("emergency:call-answer", args=[call.pk]), {"answer": "accepted"}).status_code
        == 302
    )
    again = c.post(reverse("emergency:call-answer", args=[call.pk]), {"answer": "accepted"})
    assert again.status_code == 409 and 'id="er-refusal"' in again.content.decode()
    assert (
        c.post(reverse("emergency:incident-note", args=[incident.pk]), {"note": "警戒"}).status_code
        == 302
    )
    line = c.get(reverse("emergency:incident-timeline", args=[incident.pk])).json()
    assert [e["action"] for e in line["events"]] == ["start", "call", "answer", "note"]
    assert line["calls"][0]["answer"] == "accepted"
    closed = c.post(
        reverse("emergency:incident-close", args=[incident.pk]),
        {"outcome": "处置完毕", "casualties": "无"},
    )
    assert closed.status_code == 302 and closed["Location"] == reverse(
        "emergency:incident-report", args=[incident.pk]
    )
    report = c.get(closed["Location"]).content.decode()
    assert "处置完毕" in report and "甲化工专职队" in report and "0571-1001" in report
    assert c.get(reverse("emergency:incidents")).status_code == 200


def test_given_bad_input_when_starting_on_the_page_then_422_with_field_errors(world):
    c = client_for(world, "coordinator_x")
    res = c.post(
        reverse("emergency:incident-new"), {"title": "", "accident_type": "", "latitude": "x"}
    )
    assert res.status_code == 422
    assert res.content.decode().count('class="field-error"') >= 3
    assert not Incident.objects.exists()


def test_given_an_accident_when_opening_the_page_with_it_then_prefilled(world):
    from decimal import Decimal

    from tests.accidents.accident_helpers import report

    accident = report(world)
    accident.latitude, accident.longitude = Decimal("30.100000"), Decimal("120.200000")
    accident.save()
    html = (
        client_for(world, "coordinator_x")
        .get(reverse("emergency:incident-new") + f"?accident={accident.pk}")
        .content.decode()
    )
    assert 'value="30.100000"' in html and f'name="accident" value="{accident.pk}"' in html
    other = client_for(world, "coordinator_y").get(
        reverse("emergency:incident-new") + f"?accident={accident.pk}"
    )
    assert 'id="er-notice"' in other.content.decode()


@pytest.mark.parametrize("persona", ["coordinator_y", "principal_c"])
def test_given_another_scope_when_opening_an_incident_then_404(world, persona):
    incident = start(world)
    c = client_for(world, persona)
    for name in ("emergency:incident", "emergency:incident-timeline", "emergency:incident-report"):
        assert c.get(reverse(name, args=[incident.pk])).status_code == 404
    assert (
        c.post(reverse("emergency:incident-note", args=[incident.pk]), {"note": "x"}).status_code
        == 404
    )
    assert "data-incident" not in c.get(reverse("emergency:incidents")).content.decode()


@pytest.mark.parametrize("persona", ["outsider", "employee_a", "grid_x1"])
def test_given_a_role_without_command_when_opening_the_one_click_page_then_403(world, persona):
    assert client_for(world, persona).get(reverse("emergency:incident-new")).status_code == 403


def test_given_a_grid_officer_when_viewing_then_no_call_buttons_and_posting_is_403(world):
    r = resources(world)
    incident = start(world)
    c = client_for(world, "grid_x1")
    html = c.get(reverse("emergency:incident", args=[incident.pk])).content.decode()
    assert "er-call" not in html
    res = c.post(
        reverse("emergency:incident-call", args=[incident.pk]), {"target": f"team:{r['fire'].pk}"}
    )
    assert res.status_code == 403


def test_given_a_closed_incident_when_the_word_report_is_downloaded_then_it_holds_the_figures(
    world,
):
    import io

    from docx import Document

    from anjian.core.audit import Actor
    from anjian.emergency import response_services as rs

    r = resources(world)
    incident = start(world)
    coordinator = Actor.for_user(world.user("coordinator_x"), "web")
    call = rs.incident_call(
        actor=coordinator, incident_id=incident.pk, targets=[{"kind": "team", "id": r["chem"].pk}]
    )[0]
    rs.call_answer(actor=coordinator, call_id=call.pk, answer="arrived")
    rs.incident_close(
        actor=coordinator, incident_id=incident.pk, outcome="泄漏已控制", lessons="加强巡检"
    )
    c = client_for(world, "coordinator_x")
    res = c.get(reverse("emergency:incident-report-docx", args=[incident.pk]))
    assert res.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(res.content)).paragraphs)
    cells = "\n".join(
        cell.text
        for t in Document(io.BytesIO(res.content)).tables
        for row in t.rows
        for cell in row.cells
    )
    assert "泄漏已控制" in text and "加强巡检" in text
    assert "甲化工专职队" in cells and "0571-1001" in cells and "已到达" in cells
    # Same content, same bytes.
    assert (
        c.get(reverse("emergency:incident-report-docx", args=[incident.pk])).content == res.content
    )
    assert (
        client_for(world, "coordinator_y")
        .get(reverse("emergency:incident-report-docx", args=[incident.pk]))
        .status_code
        == 404
    )


@pytest.mark.parametrize("persona", ["outsider", "security_admin", "audit_admin"])
def test_given_a_role_that_does_not_use_the_pages_when_listing_then_403(world, persona):
    incident = start(world)
    c = client_for(world, persona)
    assert c.get(reverse("emergency:incidents")).status_code == 403
    assert c.get(reverse("emergency:incident", args=[incident.pk])).status_code == 403


def test_given_a_plan_with_contacts_when_the_incident_page_opens_then_they_are_listed(world):
    p = plans(world)
    p["comprehensive"].roles = [{"role": "总指挥", "name": "李四", "phone": "13900000000"}]
    p["comprehensive"].save()
    incident = start(world)
    html = (
        client_for(world, "principal_a")
        .get(reverse("emergency:incident", args=[incident.pk]))
        .content.decode()
    )
    assert "李四" in html and 'href="tel:13900000000"' in html

"""Whistleblower pages and API: the portal without login, the tracking page, the
regulator pages, and the identity never shown to anyone but the permission holder."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from anjian.core.models import AuditEntry
from anjian.public import report_services as services
from anjian.public import report_workflow as wf
from anjian.public.models import IdentityAccess, Report
from tests.world import PASSWORD

from .report_helpers import (
    ADDRESS,
    CONTENT,
    ID_NUMBER,
    NAME,
    PHONE,
    actor,
    grant_reveal,
    submit,
    submit_named,
)

IDENTITY = (NAME, PHONE, ID_NUMBER, ADDRESS)
API = "/api/v1"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _login(world, who: str) -> Client:
    c = Client()
    assert c.login(username=who, password=PASSWORD)
    return c


def _api(world, who: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {world.token(who)}"}


def _form(world, **over):
    data = {
        "matter": "major_hazard",
        "division": str(world.town_x.pk),
        "enterprise_name": world.chem_a.name,
        "place": "储罐区",
        "content": CONTENT,
        "anonymous": "1",
        "website": "",
    }
    data.update(over)
    return data


# --- the portal ------------------------------------------------------------------------------


def test_given_no_login_when_the_portal_is_opened_then_a_plain_form_with_townships(world):
    c = Client()
    r = c.get(reverse("public:report-new"))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="report-form"' in html and "东镇" in html and "西镇" in html
    assert 'name="website"' in html and "csrfmiddlewaretoken" in html
    assert "<script>" not in html  # no inline script (CSP)


def test_given_a_submission_then_code_and_secret_shown_once_and_they_open_the_tracking_page(world):
    c = Client(enforce_csrf_checks=False)
    r = c.post(reverse("public:report-new"), _form(world), REMOTE_ADDR="10.1.1.1")
    assert r.status_code == 200
    html = r.content.decode()
    code = re.search(r'id="tracking-code">(\w+)<', html).group(1)
    secret = re.search(r'id="tracking-secret">(\w+)<', html).group(1)
    report = Report.objects.get()
    assert report.tracking_code == code and secret not in report.secret_hash
    assert r["Cache-Control"].startswith("max-age=0") or "no-cache" in r["Cache-Control"]
    t = c.post(reverse("public:report-track"), {"code": code, "secret": secret})
    assert t.status_code == 200
    assert 'id="report-status"' in t.content.decode()
    assert 'data-state="received"' in t.content.decode()
    bad = c.post(reverse("public:report-track"), {"code": code, "secret": "WRONG"})
    assert bad.status_code == 404 and 'id="track-refused"' in bad.content.decode()


def test_given_a_bad_submission_then_422_and_the_form_again(world):
    r = Client().post(reverse("public:report-new"), _form(world, content="短"))
    assert r.status_code == 422 and not Report.objects.exists()


def test_given_too_many_submissions_then_429(world, settings):
    settings.ANJIAN_REPORT_LIMIT_HOUR = 1
    c = Client()
    assert c.post(reverse("public:report-new"), _form(world)).status_code == 200
    r = c.post(reverse("public:report-new"), _form(world, content=CONTENT + "又一次"))
    assert r.status_code == 429


def test_given_csrf_then_the_portal_refuses_a_post_without_the_token(world):
    c = Client(enforce_csrf_checks=True)
    assert c.post(reverse("public:report-new"), _form(world)).status_code == 403


def test_given_a_question_then_the_reporter_sees_it_without_the_handler_name_and_answers(world):
    report, secret = submit_named(world)
    services.report_message(
        actor=actor(world, "coordinator_x"), report_id=report.pk, text="请补充具体位置"
    )
    c = Client()
    r = c.post(
        reverse("public:report-track"),
        {"code": report.tracking_code, "secret": secret, "do": "answer", "text": "二号罐北侧"},
    )
    html = r.content.decode()
    assert r.status_code == 200 and "请补充具体位置" in html and "二号罐北侧" in html
    assert "coordinator_x" not in html
    for value in IDENTITY:
        assert value not in html


def test_given_a_concluded_report_then_the_reporter_sees_the_outcome_and_reward(world):
    from tests.public.test_report_services import _to

    report, secret = submit_named(world)
    _to(world, report, wf.REWARD_DECIDED)
    r = Client().post(
        reverse("public:report-track"), {"code": report.tracking_code, "secret": secret}
    )
    html = r.content.decode()
    assert 'id="report-outcome"' in html and "现场核实属实" in html
    assert 'id="report-reward"' in html and "15000" in html


# --- regulators ------------------------------------------------------------------------------


def test_given_personas_then_only_regulators_in_scope_see_the_report_and_nobody_the_identity(
    world,
):
    report, _s = submit_named(world)
    submit_named(world, division=world.town_y.pk, enterprise_name="", sender="10.2.2.2")
    services.report_message(actor=actor(world, "coordinator_x"), report_id=report.pk, text="问")
    for who in world.users:
        c = _login(world, who)
        lst = c.get(reverse("public:report-list"))
        det = c.get(reverse("public:report-detail", args=[report.pk]))
        api_list = c.get(f"{API}/reports")
        api_det = c.get(f"{API}/reports/{report.pk}")
        for resp in (lst, det, api_list, api_det):
            body = resp.content.decode()
            for value in IDENTITY:
                assert value not in body, (who, value)
        if who in (
            "coordinator_x",
            "officer_emergency_x",
            "officer_housing_x",
            "expert_x",
            "platform_admin",
        ):
            assert det.status_code == 200, who
            assert api_det.status_code == 200, who
            assert report.tracking_code in lst.content.decode(), who
        else:
            assert det.status_code in (403, 404), who
            assert api_det.status_code == 404, who
            assert report.tracking_code not in lst.content.decode(), who
            assert report.tracking_code not in api_list.content.decode(), who


def test_given_the_detail_page_then_steps_follow_the_table(world):
    report, _s = submit_named(world)
    c = _login(world, "coordinator_x")
    html = c.get(reverse("public:report-detail", args=[report.pk])).content.decode()
    assert 'id="step-triage"' in html and 'id="step-conclude"' not in html
    r = c.post(
        reverse("public:report-act", args=[report.pk, "triage"]),
        {"triage-department_id": world.emergency_x.pk, "triage-note": ""},
    )
    assert r.status_code == 302
    assert Report.objects.get(pk=report.pk).state == wf.TRIAGED
    r = c.post(reverse("public:report-act", args=[report.pk, "pay"]), {"pay-payment_ref": "X"})
    assert r.status_code == 409
    r = c.post(
        reverse("public:report-act", args=[report.pk, "extend"]),
        {"extend-days": "40", "extend-reason": "r"},
    )
    assert r.status_code == 422
    other = _login(world, "principal_a")
    r = other.post(
        reverse("public:report-act", args=[report.pk, "verify"]), {"verify-hazard_id": "1"}
    )
    assert r.status_code == 403  # not a regulator page


def test_given_the_reveal_form_then_refused_without_permission_and_shown_with_it(world):
    report, _s = submit_named(world)
    c = _login(world, "coordinator_x")
    html = c.get(reverse("public:report-detail", args=[report.pk])).content.decode()
    assert 'id="reveal-form"' in html and NAME not in html
    r = c.post(reverse("public:report-reveal", args=[report.pk]), {"reveal-reason": "核实"})
    assert r.status_code == 403 and NAME not in r.content.decode()
    grant_reveal(world.user("coordinator_x"))
    html = c.get(reverse("public:report-detail", args=[report.pk])).content.decode()
    assert 'id="reveal-form"' in html and NAME not in html
    r = c.post(reverse("public:report-reveal", args=[report.pk]), {"reveal-reason": "发放奖励"})
    assert r.status_code == 200 and NAME in r.content.decode() and r["Cache-Control"] == "no-store"
    assert list(IdentityAccess.objects.order_by("pk").values_list("allowed", flat=True)) == [
        False,
        True,
    ]
    # The page afterwards does not keep it.
    assert NAME not in c.get(reverse("public:report-detail", args=[report.pk])).content.decode()


# --- API -------------------------------------------------------------------------------------


def test_given_the_public_api_then_report_and_track_without_login(world):
    c = Client()
    body = {
        "matter": "violation",
        "division": world.town_x.pk,
        "enterprise_name": world.build_b.name,
        "content": "乙建筑工地塔吊司机无证操作，已经持续一个月。",
        "anonymous": False,
        "name": NAME,
        "phone": PHONE,
    }
    r = c.post(f"{API}/public/reports", json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content
    out = r.json()
    assert set(out) == {"tracking_code", "secret", "due_on"}
    t = c.post(
        f"{API}/public/reports/track",
        json.dumps({"code": out["tracking_code"], "secret": out["secret"]}),
        content_type="application/json",
    )
    assert t.status_code == 200 and t.json()["state"] == "received"
    assert NAME not in t.content.decode() and PHONE not in t.content.decode()
    bad = c.post(
        f"{API}/public/reports/track",
        json.dumps({"code": out["tracking_code"], "secret": "nope"}),
        content_type="application/json",
    )
    assert bad.status_code == 404
    extra = c.post(
        f"{API}/public/reports", json.dumps({**body, "x": 1}), content_type="application/json"
    )
    assert extra.status_code == 422
    short = c.post(
        f"{API}/public/reports",
        json.dumps({**body, "content": "短"}),
        content_type="application/json",
    )
    assert short.status_code == 422 and short.json()["detail"][0]["field"] == "content"


def test_given_the_api_then_every_step_and_its_refusals(world):
    report, _s = submit_named(world)
    h = _api(world, "coordinator_x")
    c = Client()

    def post(path: str, body: dict) -> object:
        return c.post(
            f"{API}/reports/{report.pk}/{path}",
            json.dumps(body),
            content_type="application/json",
            **h,
        )

    assert post("conclude", {"conclusion": "substantiated", "reason": "r"}).status_code == 409
    assert post("triage", {"department_id": world.emergency_x.pk, "bogus": 1}).status_code == 422
    r = post("triage", {"department_id": world.emergency_x.pk})
    assert r.status_code == 200 and r.json()["state"] == "triaged"
    assert "verify" in r.json()["available"]
    from tests.hazards.helpers import report as hazard_report

    hazard = hazard_report(world)
    assert post("verify", {"hazard_id": hazard.pk}).json()["hazard"] == hazard.pk
    assert post("messages", {"text": "请补充"}).status_code == 200
    assert post("extend", {"days": 45, "reason": "r"}).status_code == 422
    assert post("conclude", {"conclusion": "substantiated", "reason": "属实"}).status_code == 200
    r = post("reward", {"fine_yuan": "3000000"})
    assert r.status_code == 200 and r.json()["reward_yuan"] == "300000.00"
    assert post("pay", {"payment_ref": "P-1"}).json()["state"] == "paid"
    assert post("reveal", {"reason": "核实"}).status_code == 403
    for who in ("coordinator_y", "principal_a", "outsider"):
        r = c.post(
            f"{API}/reports/{report.pk}/reveal",
            json.dumps({"reason": "x"}),
            content_type="application/json",
            **_api(world, who),
        )
        assert r.status_code == 404, who
    grant_reveal(world.user("coordinator_x"))
    r = post("reveal", {"reason": "核实"})
    assert r.status_code == 200 and r.json()["name"] == NAME
    assert c.get(f"{API}/reports/99999999", **h).status_code == 404
    listing = c.get(f"{API}/reports?state=paid", **h).json()
    assert listing["count"] == 1 and NAME not in json.dumps(listing, ensure_ascii=False)
    for entry in AuditEntry.objects.all():
        for value in IDENTITY:
            assert value not in f"{entry.summary} {entry.changes}"


def test_given_the_list_filters_then_overdue_and_matter(world):
    import datetime as dt

    report, _s = submit(world)
    submit(world, matter="violation", content=CONTENT + "乙", sender="10.3.3.3")
    Report.objects.filter(pk=report.pk).update(due_on=dt.date(2020, 1, 1))
    c = _login(world, "coordinator_x")
    html = c.get(reverse("public:report-list") + "?overdue=on").content.decode()
    assert html.count('data-report="') == 1 and f'data-report="{report.pk}"' in html
    html = c.get(reverse("public:report-list") + "?matter=violation").content.decode()
    assert html.count('data-report="') == 1
    h = _api(world, "coordinator_x")
    assert Client().get(f"{API}/reports?overdue=true", **h).json()["count"] == 1


def test_given_the_verify_form_when_a_new_hazard_is_entered_then_it_is_in_the_ledger(world):
    report, _s = submit_named(world)
    services.report_triage(
        actor=actor(world, "coordinator_x"), report_id=report.pk, department_id=world.emergency_x.pk
    )
    c = _login(world, "officer_emergency_x")
    url = reverse("public:report-act", args=[report.pk, "verify"])
    html = c.get(reverse("public:report-detail", args=[report.pk])).content.decode()
    assert 'name="verify-new_hazard"' in html
    bad = c.post(url, {"verify-new_hazard": "on", "verify-hazard_description": ""})
    assert bad.status_code == 422
    page = bad.content.decode()
    # Each message beside its field: the description and the type are required.
    assert page.count('class="field-error"') >= 2
    assert Report.objects.get(pk=report.pk).state == wf.TRIAGED
    ok = c.post(
        url,
        {
            "verify-new_hazard": "on",
            "verify-hazard_description": "罐区可燃气体报警器未投用",
            "verify-hazard_location": "1号罐区",
            "verify-hazard_type": "equipment",
            "verify-hazard_category": "things",
            "verify-hazard_handling": "deadline",
        },
    )
    assert ok.status_code == 302
    report.refresh_from_db()
    assert report.state == wf.VERIFYING and report.hazard is not None
    assert report.hazard.source == "public_report"
    assert report.hazard.description == "罐区可燃气体报警器未投用"
    for value in IDENTITY:
        assert value not in report.hazard.description

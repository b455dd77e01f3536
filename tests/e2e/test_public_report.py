"""The whistleblower portal in Chromium: an anonymous report from a phone (390x844),
followed with its code; a regulator verifies it through a hazard and concludes; the
reporter sees the outcome. A real-name reporter's identity is refused to a coordinator
without the permission and shown (and recorded) to one with it. Screenshots in
docs/screenshots/public-report-phone.png and public-report-track.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from anjian.accounts.models import Role, User
from anjian.public.models import IdentityAccess, Report
from tests.e2e.conftest import browser  # noqa: F401  (fixture)
from tests.e2e.test_browser import DESKTOP, PHONE, sign_in
from tests.public.report_helpers import NAME, grant_reveal, submit_named
from tests.public.report_helpers import PHONE as REPORTER_PHONE
from tests.world import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_given_a_phone_when_an_anonymous_report_is_made_then_the_reporter_follows_it_to_the_outcome(
    world,
    live_server,
    browser,  # noqa: F811
):
    from tests.hazards.helpers import report as hazard_report

    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    phone = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
    ).new_page()
    phone.goto(base + reverse("public:report-new"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.select_option("#id_matter", "major_hazard")
    phone.select_option("#id_division", str(world.town_x.pk))
    phone.fill("#id_enterprise_name", world.chem_a.name)
    phone.fill("#id_place", "东镇一网格1号 储罐区")
    phone.fill("#id_content", "储罐区可燃气体报警器长期关闭，夜间有人违规动火作业，非常危险。")
    phone.screenshot(path=str(SHOTS / "public-report-phone.png"), full_page=True)
    phone.click("#report-submit")
    phone.wait_for_selector("#tracking-code")
    code = phone.inner_text("#tracking-code").strip()
    secret = phone.inner_text("#tracking-secret").strip()
    report = Report.objects.get(tracking_code=code)
    assert report.anonymous and report.enterprise_id == world.chem_a.pk

    phone.goto(base + reverse("public:report-track"))
    phone.fill("#id_code", code)
    phone.fill("#id_secret", secret)
    phone.click("#track-form button[type=submit]")
    phone.wait_for_selector("#report-status[data-state=received]")

    hazard = hazard_report(world)
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    sign_in(desk, base, "coordinator_x")
    desk.goto(base + reverse("public:report-list"))
    desk.click(f'[data-report="{report.pk}"] a')
    desk.click("#step-triage summary")
    desk.select_option("#id_triage-department_id", str(world.emergency_x.pk))
    desk.click("#step-triage button[type=submit]")
    desk.wait_for_selector("#report-detail[data-state=triaged]")
    desk.click("#step-verify summary")
    desk.fill("#id_verify-hazard_id", str(hazard.pk))
    desk.click("#step-verify button[type=submit]")
    desk.wait_for_selector("#link-hazard")
    desk.click("#step-conclude summary")
    desk.check("#id_conclude-conclusion_0")
    desk.fill("#id_conclude-reason", "经现场检查，举报属实，已责令整改并立案处罚。")
    desk.click("#step-conclude button[type=submit]")
    desk.wait_for_selector("#report-detail[data-state=concluded]")

    phone.goto(base + reverse("public:report-track"))
    phone.fill("#id_code", code)
    phone.fill("#id_secret", secret)
    phone.click("#track-form button[type=submit]")
    phone.wait_for_selector("#report-outcome")
    assert "举报属实" in phone.inner_text("#report-outcome")
    assert "coordinator_x" not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(SHOTS / "public-report-track.png"), full_page=True)


def test_given_a_real_name_report_then_the_identity_is_refused_without_the_permission_and_shown_with_it(
    world,
    live_server,
    browser,  # noqa: F811
):
    report, _s = submit_named(world)
    holder = User.objects.create_user(
        username="coordinator_x2", password=PASSWORD, role=Role.COORDINATOR, division=world.county_x
    )
    grant_reveal(holder)
    base = live_server.url
    url = base + reverse("public:report-detail", args=[report.pk])

    page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    sign_in(page, base, "coordinator_x")
    page.goto(url)
    assert NAME not in page.content()
    page.fill("#id_reveal-reason", "想看看")
    page.click("#reveal-form button[type=submit]")
    assert NAME not in page.content() and REPORTER_PHONE not in page.content()

    other = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    sign_in(other, base, "coordinator_x2")
    other.goto(url)
    assert NAME not in other.content()
    other.fill("#id_reveal-reason", "发放举报奖励，核实举报人身份")
    other.click("#reveal-form button[type=submit]")
    other.wait_for_selector("#identity")
    assert NAME in other.inner_text("#identity")
    rows = list(IdentityAccess.objects.order_by("pk").values_list("user__username", "allowed"))
    assert rows == [("coordinator_x", False), ("coordinator_x2", True)]

"""On a phone, the principal asks for a deadline extension; the lead department's
officer decides it; both find the news in their inbox. The overdue list on a desktop."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anjian.hazards.models import DeadlineExtension, Hazard
from tests.e2e.test_browser import DESKTOP, PHONE, sign_in
from tests.hazards.helpers import bring

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def as_user(browser, base, username, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, username)
    return context, page


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_given_a_hazard_in_rectification_when_extension_asked_and_approved_then_inbox_tells(
    live_server, world, browser, artifacts
):
    hazard = bring(world, "general_rectifying")
    base = live_server.url
    new = hazard.deadline + dt.timedelta(days=14)

    context, page = as_user(browser, base, "principal_a", PHONE)
    page.goto(base + reverse("hazards:extension-request", args=[hazard.pk]))
    page.fill("[name=new_deadline]", new.isoformat())
    page.fill("[name=reason]", "防爆电机到货延迟两周")
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "deadline-request-phone.png"), full_page=True)
    page.click("form.form button[type=submit]")
    page.wait_for_url(base + reverse("hazards:detail", args=[hazard.pk]))
    ext = DeadlineExtension.objects.get()
    context.close()

    context, page = as_user(browser, base, "officer_emergency_x", PHONE)
    page.goto(base + reverse("inbox"))
    assert hazard.number in page.content()
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "inbox-phone.png"), full_page=True)
    page.goto(base + reverse("hazards:extension-decide", args=[ext.pk]))
    assert "防爆电机到货延迟两周" in page.content()
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "deadline-decide-phone.png"), full_page=True)
    page.click("button[name=decision][value=approve]")
    page.wait_for_url(base + reverse("hazards:detail", args=[hazard.pk]))
    context.close()

    assert Hazard.objects.get(pk=hazard.pk).deadline == new
    context, page = as_user(browser, base, "safety_a", PHONE)
    page.goto(base + reverse("inbox"))
    assert new.isoformat() in page.content()
    page.click("#inbox-table button[name=go]")
    page.wait_for_url(base + reverse("hazards:detail", args=[hazard.pk]))
    context.close()


def test_given_overdue_hazards_when_coordinator_opens_the_list_then_levels_shown(
    live_server, world, browser, artifacts
):
    hazard = bring(world, "general_rectifying")
    Hazard.objects.filter(pk=hazard.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=6),
        overdue_since=timezone.localdate() - dt.timedelta(days=5),
        escalation_level=2,
    )
    context, page = as_user(browser, live_server.url, "coordinator_x")
    page.goto(live_server.url + reverse("hazards:overdue"))
    assert hazard.number in page.content()
    page.screenshot(path=str(artifacts / "overdue-desktop.png"), full_page=True)
    context.close()

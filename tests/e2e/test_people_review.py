"""A phone (390 px): the safety officer records a special-work certificate's review
(复审) from the worker's page, and sees on the day's commitment notice the lifting work
permitted but not declared. Screenshots docs/screenshots/people-certificate-review.png and
commitment-permits.png (written when ANJIAN_SCREENSHOTS=1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.e2e.test_browser import PHONE, sign_in
from tests.people.permit_helpers import licence, worker
from tests.people.test_permit_commitments import lifting_today  # noqa: F401  (fixture)

from ..commitments.helpers import submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _shot(page, artifacts, name: str) -> None:  # noqa: F811
    page.screenshot(path=str(artifacts / name), full_page=True)
    if os.environ.get("ANJIAN_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_given_a_review_due_when_recorded_on_a_phone_then_the_next_review_is_shown(
    live_server,
    world,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
    lifting_today,  # noqa: F811
):
    cert = licence(worker(world.chem_a, "张焊工"), review_in=20, expires_in=1500)
    notice = submit(world, states={}, now=timezone.now())
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2)
    page = phone.new_page()
    sign_in(page, live_server.url, "safety_a")
    page.goto(live_server.url + reverse("people:worker", args=[cert.worker_id]))
    page.click(f"a[href='{reverse('people:certificate-review', args=[cert.pk])}']")
    page.fill("#id_reviewed_on", timezone.localdate().isoformat())
    page.check("input[name=passed][value='1']")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, artifacts, "people-certificate-review.png")
    page.click("#certificate-review-form button[type=submit]")
    page.wait_for_url(f"**{reverse('people:worker', args=[cert.worker_id])}")
    cert.refresh_from_db()
    assert cert.reviewed_on == timezone.localdate()
    row = page.locator(f"tr[data-certificate='{cert.pk}']")
    assert cert.review_due.isoformat() in row.inner_text() and "已复审" in row.inner_text()

    page.goto(live_server.url + reverse("commitments:detail", args=[notice.pk]))
    permits = page.locator("#permit-differences")
    assert permits.is_visible() and "有作业未申报" in permits.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, artifacts, "commitment-permits.png")
    phone.close()

"""A self-check on a 390 px phone in Chromium: start today's check, answer "hazard found"
with a note and a photo, lose the connection while submitting (the draft stays, the page
says so), get it back (the page resends with the same token): one record, on time, one
self-check hazard. No sideways scroll. Screenshots in test-artifacts/."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from anjian.checks.models import CheckRecord
from anjian.hazards.models import Hazard
from tests.e2e.conftest import artifacts, browser  # noqa: F401  (fixtures)
from tests.e2e.test_browser import PHONE, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def jpeg_file(tmp_path) -> str:
    from PIL import Image

    path = tmp_path / "valve.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (160, 60, 40)).save(buf, format="JPEG")
    path.write_bytes(buf.getvalue())
    return str(path)


def test_given_a_phone_that_loses_its_connection_when_submitting_then_sent_once_when_back(
    live_server,
    world,
    task_a,
    browser,  # noqa: F811
    artifacts,  # noqa: F811
    tmp_path,
):
    base = live_server.url
    phone = browser.new_context(
        viewport=PHONE,
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": 30.25, "longitude": 120.16, "accuracy": 15},
        permissions=["geolocation"],
    )
    page = phone.new_page()
    sign_in(page, base, "employee_a")
    page.goto(base + reverse("checks:today"))
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(artifacts / "checks-today-phone.png"), full_page=True)
    page.click("#ck-due form[data-ck-start] button")
    page.wait_for_selector("form[data-ck-draft]")
    page.wait_for_function("document.querySelector('input[name=accuracy]').value !== ''")
    assert "15" in page.inner_text("#ck-position")
    page.check("input[name=status_1][value=hazard_found]")
    page.fill("textarea[name=note_1]", "呼吸阀锈死，无法开启")
    page.set_input_files("input[name=photo_1]", jpeg_file(tmp_path))
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(artifacts / "checks-fill-phone.png"), full_page=True)

    phone.set_offline(True)
    page.click("form[data-ck-draft] button[type=submit]")
    page.wait_for_function("document.getElementById('ck-sync').textContent.length > 8")
    page.wait_for_timeout(300)
    assert not CheckRecord.objects.filter(state="submitted").exists()
    draft = page.evaluate(
        "JSON.parse(localStorage.getItem('anjian.checks.draft.' + "
        "document.querySelector('form[data-ck-draft]').dataset.ckDraft))"
    )
    assert draft["pending"] and draft["answers"]["1"]["status"] == "hazard_found"

    phone.set_offline(False)
    page.wait_for_url("**/checks/records/*/", timeout=20000)
    record = CheckRecord.objects.get()
    assert (record.state, record.timing, record.lat, record.accuracy) == (
        "submitted",
        "on_time",
        30.25,
        15.0,
    )
    assert record.device_id and record.device_submitted_at is not None
    assert Hazard.objects.filter(source="self_check").count() == 1
    assert record.answers.get().photo_dhash
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(artifacts / "checks-record-phone.png"), full_page=True)
    phone.close()

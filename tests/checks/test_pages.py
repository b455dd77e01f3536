"""Self-check pages: today's checks, the check page (start, submit by the script's JSON
request, resubmission), records for staff and regulators in scope, nothing for outsiders,
and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anjian.checks.models import CheckRecord
from anjian.hazards.models import Hazard

from .conftest import measure_task, photo, start, submit

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def login(client, world, who: str):
    client.force_login(world.user(who))


def _start_via_page(client, task) -> CheckRecord:
    r = client.post(
        reverse("checks:start"),
        {
            "task_id": task.pk,
            "client_token": str(uuid.uuid4()),
            "device_id": "phone-1",
            "device_time": timezone.now().isoformat(),
        },
    )
    assert r.status_code == 302
    return CheckRecord.objects.get(pk=int(r.url.rstrip("/").split("/")[-2]))


def test_given_a_due_task_when_checked_on_the_phone_then_started_filled_and_on_time(
    client, world, task_a
):
    login(client, world, "employee_a")
    page = client.get(reverse("checks:today")).content.decode()
    assert 'data-state="due"' in page and task_a.content in page
    record = _start_via_page(client, task_a)
    assert (record.device_id, record.checker) == ("phone-1", world.user("employee_a"))
    fill = client.get(reverse("checks:fill", args=[record.pk])).content.decode()
    assert 'capture="environment"' in fill and 'accept="image/*"' in fill
    assert f'data-ck-draft="{record.client_token}"' in fill
    assert not re.search(r"<script(?![^>]*\bsrc=)", fill)  # CSP: no inline script
    data = {
        "client_token": str(record.client_token),
        "status_1": "hazard_found",
        "note_1": "呼吸阀锈死",
        "photo_1": photo(),
        "lat": "30.25",
        "lon": "120.16",
        "accuracy": "8",
        "device_submitted_at": timezone.now().isoformat(),
    }
    r = client.post(reverse("checks:fill", args=[record.pk]), data, **JSON)
    assert r.status_code == 200 and r.json()["timing"] == "on_time"
    # The connection dropped before the answer arrived: the script sends it again.
    data["photo_1"] = photo()
    again = client.post(reverse("checks:fill", args=[record.pk]), data, **JSON)
    assert again.json()["id"] == r.json()["id"] == record.pk
    assert Hazard.objects.filter(source="self_check").count() == 1
    detail = client.get(r.json()["url"]).content.decode()
    assert 'data-timing="on_time"' in detail and Hazard.objects.get().number in detail
    answer = record.answers.get()
    photo_url = reverse("checks:answer_photo", args=[record.pk, answer.pk])
    got = client.get(photo_url)
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"
    assert 'data-state="done"' in client.get(reverse("checks:today")).content.decode()


def test_given_missing_answers_when_posted_without_script_then_form_errors_and_nothing_saved(
    client, world, task_a
):
    login(client, world, "employee_a")
    record = _start_via_page(client, task_a)
    r = client.post(
        reverse("checks:fill", args=[record.pk]),
        {"client_token": str(record.client_token), "status_1": "other"},
    )
    assert r.status_code == 422
    assert 'data-err="answers.1.note"' in r.content.decode()
    assert r.context["rows"][0]["errors"]["note"]
    record.refresh_from_db()
    assert record.state == "open"
    j = client.post(
        reverse("checks:fill", args=[record.pk]),
        {"client_token": str(record.client_token)},
        **JSON,
    )
    assert j.status_code == 422 and "answers.1.status" in j.json()["errors"]


def test_given_a_late_fill_then_the_records_page_shows_it_late_never_on_time(client, world, task_a):
    yesterday = timezone.now() - dt.timedelta(days=1)
    record = start(world, "employee_a", task_a, yesterday)
    submit(world, "employee_a", record, timezone.now())
    for who in ("employee_a", "officer_emergency_x", "coordinator_x", "platform_admin"):
        login(client, world, who)
        page = client.get(reverse("checks:records", args=[world.chem_a.pk])).content.decode()
        assert f'data-record="{record.pk}" data-timing="late"' in page, who
        assert 'data-timing="on_time"' not in page


def test_given_outsiders_then_they_see_nothing(client, world, task_a):
    record = start(world, "employee_a", task_a, timezone.now())
    submit(world, "employee_a", record, timezone.now())
    urls = [
        reverse("checks:records", args=[world.chem_a.pk]),
        reverse("checks:detail", args=[record.pk]),
        reverse("checks:fill", args=[record.pk]),
    ]
    for who in ("principal_c", "officer_housing_x", "coordinator_y"):
        login(client, world, who)
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
    login(client, world, "outsider")
    for url in [*urls, reverse("checks:today")]:
        assert client.get(url).status_code in (403, 404), url
    login(client, world, "principal_c")
    assert task_a.content not in client.get(reverse("checks:today")).content.decode()


def test_given_illegal_actions_then_refused(client, world, task_a, task_c):
    login(client, world, "employee_a")
    # Starting another enterprise's task.
    r = client.post(
        reverse("checks:start"), {"task_id": task_c.pk, "client_token": str(uuid.uuid4())}
    )
    assert r.status_code == 404 and not CheckRecord.objects.exists()
    # A regulator does not do the enterprise's checks.
    login(client, world, "officer_emergency_x")
    assert client.get(reverse("checks:today")).status_code == 403
    r = client.post(
        reverse("checks:start"), {"task_id": task_a.pk, "client_token": str(uuid.uuid4())}
    )
    assert r.status_code == 403
    # Editing a submitted record.
    login(client, world, "employee_a")
    record = _start_via_page(client, task_a)
    submit(world, "employee_a", record, timezone.now())
    r = client.post(
        reverse("checks:fill", args=[record.pk]),
        {"client_token": str(uuid.uuid4()), "status_1": "other", "note_1": "改"},
        **JSON,
    )
    assert r.status_code == 409
    record.refresh_from_db()
    assert record.answers.get().status == "normal"
    # Another staff member filling someone else's check.
    login(client, world, "safety_a")
    assert client.get(reverse("checks:fill", args=[record.pk])).status_code == 302  # to detail
    other = start(world, "employee_a", task_a, timezone.now() + dt.timedelta(days=1))
    assert client.get(reverse("checks:fill", args=[other.pk])).status_code == 403


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_given_more_tasks_and_records_then_the_list_pages_do_not_query_more(
    client, world, task_a, django_assert_max_num_queries
):
    now = timezone.now()
    for days in range(1, 4):
        record = start(world, "employee_a", task_a, now - dt.timedelta(days=days))
        submit(world, "employee_a", record, now)
    login(client, world, "officer_emergency_x")
    records_url = reverse("checks:records", args=[world.chem_a.pk])
    few_records = _count(client, records_url)
    login(client, world, "employee_a")
    few_today = _count(client, reverse("checks:today"))
    for n in range(4):
        task = measure_task(world, "safety_a", world.chem_a, f"检查项 {n}")
        record = start(world, "employee_a", task, now - dt.timedelta(days=2))
        submit(world, "employee_a", record, now)
    for days in range(4, 10):
        record = start(world, "employee_a", task_a, now - dt.timedelta(days=days))
        submit(world, "employee_a", record, now)
    with django_assert_max_num_queries(few_today):
        client.get(reverse("checks:today"))
    login(client, world, "officer_emergency_x")
    with django_assert_max_num_queries(few_records):
        page = client.get(records_url)
    assert page.content.decode().count("data-record=") == 13


def test_given_staff_with_check_tasks_then_the_home_tile_counts_due_and_missed(
    client, world, task_a
):
    login(client, world, "employee_a")
    page = client.get(reverse("home")).content.decode()
    assert 'id="home-checks"' in page and reverse("checks:today") in page
    login(client, world, "principal_c")  # no check task in its enterprise
    assert 'id="home-checks"' not in client.get(reverse("home")).content.decode()

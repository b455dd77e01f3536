"""Self-check services: start, submit (on time / late, idempotent, hazards opened), the
missed job, and the refusals."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.management import call_command

from anjian.checks import services
from anjian.checks.jobs import mark_missed_run
from anjian.checks.models import CHECK_STATUS_CODES, CheckAnswer, CheckRecord, TaskItem
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.hazards.models import Hazard, HazardPhoto
from anjian.risks.models import CheckTask
from tests import clock

from .conftest import actor, local, photo, start, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_at_ten")]

TODAY = clock.TODAY
TEN = local(TODAY.year, TODAY.month, TODAY.day, 10)


def test_given_the_status_codes_then_they_are_t_yhpcjl_check_status_0_to_3():
    assert CHECK_STATUS_CODES == {"normal": 0, "hazard_found": 1, "not_checked": 2, "other": 3}


def test_given_a_daily_task_when_started_and_submitted_the_same_day_then_on_time(world, task_a):
    midnight = TEN.replace(hour=0)
    CheckTask.objects.filter(pk=task_a.pk).update(next_due=midnight + dt.timedelta(days=1))
    record = start(world, "employee_a", task_a, TEN, device_time=TEN.isoformat())
    assert (record.state, record.period_start, record.started_at) == (
        "open",
        TEN.replace(hour=0),
        TEN,
    )
    done = submit(world, "employee_a", record, TEN + dt.timedelta(minutes=3))
    assert (done.state, done.timing) == ("submitted", "on_time")
    assert (done.lat, done.lon, done.accuracy, done.device_id) == (30.25, 120.16, 12.0, "dev-1")
    answer = done.answers.get()
    assert (answer.status, answer.check_status_code, answer.content) == (
        "normal",
        0,
        "呼吸阀是否通畅",
    )
    task_a.refresh_from_db()
    assert task_a.next_due == midnight + dt.timedelta(days=2)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"check_start", "check_submit"} <= actions


def test_given_a_start_repeated_with_the_same_token_then_the_same_record(world, task_a):
    token = str(uuid.uuid4())
    first = start(world, "employee_a", task_a, TEN, client_token=token)
    again = start(world, "employee_a", task_a, TEN, client_token=token)
    other_page = start(world, "employee_a", task_a, TEN)  # the same checker, a new page
    assert first.pk == again.pk == other_page.pk
    assert CheckRecord.objects.count() == 1


def test_given_a_resubmission_with_the_same_token_then_the_same_record_and_nothing_new(
    world, task_a
):
    record = start(world, "employee_a", task_a, TEN)
    answers = {"1": {"status": "hazard_found", "note": "呼吸阀锈死"}}
    first = submit(world, "employee_a", record, TEN, answers=answers)
    again = submit(world, "employee_a", record, TEN + dt.timedelta(minutes=1), answers=answers)
    assert first.pk == again.pk and again.submitted_at == TEN
    assert (CheckRecord.objects.count(), CheckAnswer.objects.count(), Hazard.objects.count()) == (
        1,
        1,
        1,
    )


def test_given_a_hazard_found_answer_then_a_self_check_hazard_with_the_items_context(world, task_a):
    record = start(world, "employee_a", task_a, TEN)
    done = submit(
        world,
        "employee_a",
        record,
        TEN,
        answers={"1": {"status": "hazard_found", "note": "呼吸阀锈死"}},
        photos={"1": photo()},
    )
    answer = done.answers.get()
    hazard = answer.hazard
    assert hazard.source == "self_check" and hazard.enterprise == world.chem_a
    assert "呼吸阀是否通畅" in hazard.description and "呼吸阀锈死" in hazard.description
    assert hazard.control_measure_id == task_a.measure_id
    assert hazard.risk_unit_id == task_a.measure.event.unit_id
    assert hazard.location == "1号储罐区 呼吸阀是否通畅"
    assert HazardPhoto.objects.filter(hazard=hazard).count() == 1
    assert len(answer.photo_dhash) == 16 and answer.photo_sha256
    assert answer.photo.name.startswith("checks/") and not answer.photo.name.endswith("item.jpg")
    event = hazard.events.get()
    assert event.data["check_record"]["id"] == done.pk


def test_given_bad_answers_then_every_error_and_nothing_written(world, task_a):
    TaskItem.objects.create(task=task_a, position=1, content="呼吸阀")
    TaskItem.objects.create(task=task_a, position=2, content="阻火器")
    record = start(world, "employee_a", task_a, TEN)
    bad_photo = photo()
    bad_photo.file.write(b"x")
    bad_photo.file.seek(0)
    fake = type(bad_photo)("a.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as caught:
        submit(
            world,
            "employee_a",
            record,
            TEN,
            answers={"1": {"status": "hazard_found", "note": ""}, "9": {"status": "normal"}},
            photos={"1": fake},
            lat=91,
        )
    errors = caught.value.errors
    assert {"answers.1.note", "answers.2.status", "answers.9", "answers.1.photo", "lat"} <= set(
        errors
    )
    record.refresh_from_db()
    assert record.state == "open" and not CheckAnswer.objects.exists()
    assert not Hazard.objects.exists()


def test_given_a_hazard_report_refused_then_the_whole_submission_rolls_back(
    world, task_a, monkeypatch
):
    TaskItem.objects.create(task=task_a, position=1, content="呼吸阀")
    TaskItem.objects.create(task=task_a, position=2, content="阻火器")
    record = start(world, "employee_a", task_a, TEN)
    real = services.hazard_services.hazard_report
    calls = []

    def second_fails(**kw):
        calls.append(1)
        if len(calls) == 2:
            raise ValidationFailed({"description": ["refused"]})
        return real(**kw)

    monkeypatch.setattr(services.hazard_services, "hazard_report", second_fails)
    with pytest.raises(ValidationFailed):
        submit(
            world,
            "employee_a",
            record,
            TEN,
            answers={
                "1": {"status": "hazard_found", "note": "锈死"},
                "2": {"status": "hazard_found", "note": "缺失"},
            },
        )
    record.refresh_from_db()
    assert record.state == "open"
    assert not Hazard.objects.exists() and not CheckAnswer.objects.exists()


def test_given_periods_past_without_a_record_then_missed_once_and_next_due_moves(world, task_a):
    # next_due is the end of the oldest period not settled: the day before yesterday's.
    two_days_ago = TEN - dt.timedelta(days=2)
    CheckTask.objects.filter(pk=task_a.pk).update(next_due=two_days_ago.replace(hour=0))
    open_one = start(world, "employee_a", task_a, TEN - dt.timedelta(days=2))
    result = mark_missed_run(now=TEN)
    assert result == {"tasks": 1, "missed": 3, "failed": 0}
    rows = list(CheckRecord.objects.order_by("period_start"))
    assert [(r.state, r.timing) for r in rows] == [("missed", "missed")] * 3
    assert rows[1].pk == open_one.pk  # the started, never submitted one is missed too
    task_a.refresh_from_db()
    assert task_a.next_due == TEN.replace(hour=0) + dt.timedelta(days=1)
    assert mark_missed_run(now=TEN) == {"tasks": 0, "missed": 0, "failed": 0}
    call_command("checks_mark_missed", now=(TEN + dt.timedelta(hours=1)).isoformat())
    assert CheckRecord.objects.count() == 3


def test_given_a_missed_period_when_filled_later_then_late_never_on_time(world, task_a):
    CheckTask.objects.filter(pk=task_a.pk).update(next_due=TEN.replace(hour=0))
    mark_missed_run(now=TEN)
    missed = CheckRecord.objects.get()
    record = start(world, "employee_a", task_a, TEN, period_start=missed.period_start.isoformat())
    assert record.pk == missed.pk and record.checker == world.user("employee_a")
    done = submit(world, "employee_a", record, TEN)
    assert (done.state, done.timing, done.missed_at is not None) == ("submitted", "late", True)


def test_given_a_check_submitted_after_its_period_then_late(world, task_a):
    record = start(world, "employee_a", task_a, TEN.replace(hour=23, minute=50))
    done = submit(world, "employee_a", record, TEN + dt.timedelta(hours=14, minutes=5))
    assert done.timing == "late"


def test_given_a_submitted_record_then_never_edited_and_a_correction_is_a_new_record(world, task_a):
    record = start(world, "employee_a", task_a, TEN)
    done = submit(world, "employee_a", record, TEN)
    with pytest.raises(Conflict):
        services.check_submit(
            actor=actor(world, "employee_a"),
            record_id=done.pk,
            client_token=str(uuid.uuid4()),
            data={"answers": {"1": {"status": "other", "note": "改"}}},
        )
    with pytest.raises(Conflict):
        start(world, "employee_a", task_a, TEN + dt.timedelta(hours=1))
    with pytest.raises(RuntimeError):
        done.note = "changed"
        done.save()
    correction = start(world, "safety_a", task_a, TEN, corrects_id=done.pk)
    assert correction.pk != done.pk and correction.corrects_id == done.pk
    assert correction.period_start == done.period_start
    fixed = submit(world, "safety_a", correction, TEN + dt.timedelta(hours=1))
    assert fixed.state == "submitted" and done.answers.get().status == "normal"


def test_given_another_enterprises_task_then_not_found_and_regulators_may_not_check(
    world, task_a, task_c
):
    with pytest.raises(NotFound):
        start(world, "employee_a", task_c, TEN)
    with pytest.raises(Forbidden):
        start(world, "officer_emergency_x", task_a, TEN)
    record = start(world, "employee_a", task_a, TEN)
    with pytest.raises(NotFound):
        submit(world, "principal_c", record, TEN)
    with pytest.raises(Forbidden):
        services.check_submit(
            actor=actor(world, "safety_a"),
            record_id=record.pk,
            client_token=str(record.client_token),
            data={"answers": {"1": {"status": "normal"}}},
        )
    with pytest.raises(Conflict):
        start(world, "safety_a", task_a, TEN)  # employee_a has it open

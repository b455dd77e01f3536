"""Responsibility lists: posts, letters in bulk (idempotent), the principal's quarterly
report (once, the principal only), the enterprise's status and the regulators'
overview, every refusal, scoping, and the reminder job (idempotent)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry, Notification
from anjian.people import duty_jobs
from anjian.people import duty_rules as dr
from anjian.people import duty_services as ds
from anjian.people.models import DutyReport, ResponsibilityLetter
from tests.people.points_helpers import act, crew, worker

pytestmark = pytest.mark.django_db


def setup_list(world):
    c = crew(world)
    op = ds.duty_post_save(actor=act(world, "safety_a"), post="操作工", duties="严格执行操作规程")
    el = ds.duty_post_save(actor=act(world, "safety_a"), post="电工", duties="")
    return c, op, el


def test_given_a_post_without_duties_when_saved_then_it_is_flagged(world):
    ds.duty_post_save(actor=act(world, "safety_a"), post="电工", duties="  ")
    assert ds.duty_status(world.user("safety_a")).check.posts_without_duties == ["电工"]
    with pytest.raises(ValidationFailed) as exc:
        ds.duty_post_save(actor=act(world, "safety_a"), post=" ", duties="x")
    assert "post" in exc.value.errors


def test_given_posts_and_letters_when_checked_then_unsigned_workers_are_flagged(world):
    c = crew(world)
    op = ds.duty_post_save(actor=act(world, "safety_a"), post="操作工", duties="严格执行操作规程")
    ds.duty_post_save(actor=act(world, "safety_a"), post="班组长", duties="班前安全讲话")
    worker(world.chem_a, "吴十", "司机")
    created = ds.duty_letters_record(
        actor=act(world, "principal_a"), post_id=op.pk, worker_ids=[c["wang"].pk]
    )
    assert [e.worker_id for e in created] == [c["wang"].pk]
    s = ds.duty_status(world.user("safety_a"))
    assert s.enterprise == world.chem_a
    rows = {r.post.post: r for r in s.rows}
    assert [w.name for w in rows["操作工"].unsigned] == ["赵六"]
    assert rows["班组长"].workers == []
    assert {w.name for w in s.unlisted} == {"钱七", "吴十"}
    assert s.check.missing == 3


def test_given_a_post_saved_again_when_its_name_matches_then_its_duties_are_replaced(world):
    first = ds.duty_post_save(actor=act(world, "safety_a"), post="电工", duties="旧")
    second = ds.duty_post_save(actor=act(world, "principal_a"), post=" 电 工 ", duties="新")
    assert first.pk == second.pk
    first.refresh_from_db()
    assert first.duties == "新"
    assert AuditEntry.objects.filter(action="duty_post_update").count() == 1


def test_given_letters_recorded_twice_when_submitted_again_then_nothing_new(world):
    c = crew(world)
    op = ds.duty_post_save(actor=act(world, "safety_a"), post="操作工", duties="x")
    ids = [c["wang"].pk, c["zhao"].pk]
    assert (
        len(ds.duty_letters_record(actor=act(world, "safety_a"), post_id=op.pk, worker_ids=ids))
        == 2
    )
    assert ds.duty_letters_record(actor=act(world, "safety_a"), post_id=op.pk, worker_ids=ids) == []
    assert ResponsibilityLetter.objects.count() == 2
    assert ds.duty_status(world.user("principal_a")).check.missing == 1  # 钱七 (电工 unlisted)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"worker_ids": []}, "worker_ids"),
        ({"worker_ids": "1"}, "worker_ids"),
        ({"worker_ids": ["abc"]}, "worker_ids"),
        ({"year": 1999}, "year"),
        ({"signed_on": "2999-01-01"}, "signed_on"),
        ({"signed_on": "yesterday"}, "signed_on"),
    ],
)
def test_given_bad_letters_when_recorded_then_field_messages(world, kwargs, field):
    c = crew(world)
    op = ds.duty_post_save(actor=act(world, "safety_a"), post="操作工", duties="x")
    values = {"worker_ids": [c["wang"].pk], **kwargs}
    with pytest.raises(ValidationFailed) as exc:
        ds.duty_letters_record(actor=act(world, "safety_a"), post_id=op.pk, **values)
    assert field in exc.value.errors


def test_given_a_worker_of_another_post_or_enterprise_when_recorded_then_refused(world):
    c = crew(world)
    op = ds.duty_post_save(actor=act(world, "safety_a"), post="操作工", duties="x")
    for other in (c["qian"], c["sun"], c["zhou"]):
        with pytest.raises(ValidationFailed):
            ds.duty_letters_record(
                actor=act(world, "safety_a"), post_id=op.pk, worker_ids=[other.pk]
            )
    assert not ResponsibilityLetter.objects.exists()


def test_given_someone_who_may_not_when_keeping_the_list_then_refused(world):
    c = crew(world)
    op = ds.duty_post_save(actor=act(world, "safety_a"), post="操作工", duties="x")
    for who in ("employee_a", "coordinator_x", "outsider"):
        with pytest.raises(Forbidden):
            ds.duty_post_save(actor=act(world, who), post="司机", duties="x")
    with pytest.raises(Forbidden):
        ds.duty_letters_record(
            actor=act(world, "employee_a"), post_id=op.pk, worker_ids=[c["wang"].pk]
        )
    for who in ("principal_c", "coordinator_y", "outsider"):
        with pytest.raises(NotFound):
            ds.duty_letters_record(actor=act(world, who), post_id=op.pk, worker_ids=[c["wang"].pk])


def test_given_a_post_no_longer_in_use_when_letters_recorded_then_conflict(world):
    c = crew(world)
    ds.duty_post_save(actor=act(world, "safety_a"), post="操作工", duties="x")
    op = ds.duty_post_save(actor=act(world, "safety_a"), post="操作工", duties="x", active=False)
    with pytest.raises(Conflict):
        ds.duty_letters_record(
            actor=act(world, "safety_a"), post_id=op.pk, worker_ids=[c["wang"].pk]
        )


# --- the quarterly report --------------------------------------------------------------------


def test_given_the_principal_when_reporting_a_quarter_then_once(world):
    y, q = dr.last_ended_quarter(timezone.localdate())
    report = ds.duty_report_submit(
        actor=act(world, "principal_a"), year=y, quarter=q, text="本季度履职情况"
    )
    assert (report.enterprise, report.year, report.quarter) == (world.chem_a, y, q)
    with pytest.raises(Conflict):
        ds.duty_report_submit(actor=act(world, "principal_a"), year=y, quarter=q, text="again")
    assert ds.duty_status(world.user("safety_a")).report_status == dr.SUBMITTED


@pytest.mark.parametrize("who", ["safety_a", "employee_a", "coordinator_x", "outsider"])
def test_given_anyone_but_the_principal_when_reporting_then_forbidden(world, who):
    with pytest.raises(Forbidden):
        ds.duty_report_submit(actor=act(world, who), year=2026, quarter=1, text="x")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"year": 1999, "quarter": 1, "text": "x"}, "year"),
        ({"year": 2026, "quarter": 5, "text": "x"}, "quarter"),
        ({"year": 2026, "quarter": "a", "text": "x"}, "quarter"),
        ({"year": 2026, "quarter": 1, "text": ""}, "text"),
        ({"year": timezone.localdate().year + 1, "quarter": 1, "text": "x"}, "year"),
    ],
)
def test_given_a_bad_report_when_submitted_then_field_messages(world, values, field):
    with pytest.raises(ValidationFailed) as exc:
        ds.duty_report_submit(actor=act(world, "principal_a"), **values)
    assert field in exc.value.errors


def test_given_a_quarter_not_begun_when_reported_then_refused(world):
    today = timezone.localdate()
    y, q = dr.quarter_of(today)
    if q == 4:
        pytest.skip("the next quarter is next year: refused by the year check")
    with pytest.raises(ValidationFailed):
        ds.duty_report_submit(actor=act(world, "principal_a"), year=y, quarter=q + 1, text="x")


# --- reading and scoping ------------------------------------------------------------------------


def test_given_a_regulator_when_overviewing_then_enterprises_in_scope_with_counts(world):
    setup_list(world)
    today = dt.date(timezone.localdate().year, 12, 31)
    rows = {
        r.enterprise.name: r for r in ds.duty_overview(world.user("coordinator_x"), today=today)
    }
    assert set(rows) == {"东县甲化工有限公司", "东县乙建筑工程有限公司", "东县丁储能电站有限公司"}
    a = rows["东县甲化工有限公司"]
    assert (a.posts, a.posts_without_duties, a.workers, a.missing) == (2, 1, 3, 3)
    assert a.report_status == dr.OVERDUE  # Q3 due by 10-15
    y_rows = ds.duty_overview(world.user("coordinator_y"), today=today)
    assert [r.enterprise.name for r in y_rows] == ["西县丙化工有限公司"]


@pytest.mark.parametrize("who", ["principal_a", "employee_a", "outsider", "audit_admin"])
def test_given_a_non_regulator_when_overviewing_then_forbidden(world, who):
    with pytest.raises(Forbidden):
        ds.duty_overview(world.user(who))


def test_given_someone_outside_when_opening_an_enterprises_list_then_not_found(world):
    setup_list(world)
    assert ds.duty_status(world.user("coordinator_x"), world.chem_a.pk).check.missing == 3
    for who in ("coordinator_y", "principal_c", "outsider"):
        with pytest.raises(NotFound):
            ds.duty_status(world.user(who), world.chem_a.pk)


# --- the reminder job ---------------------------------------------------------------------------


def test_given_missing_letters_and_an_overdue_report_when_the_job_runs_twice_then_told_once(world):
    setup_list(world)
    today = dt.date(timezone.localdate().year, 11, 2)
    first = duty_jobs.duty_remind_run(today)
    assert (first["report_overdue"], first["signatures"]) == (1, 1)
    again = duty_jobs.duty_remind_run(today)
    assert (again["report_overdue"], again["signatures"]) == (0, 0)
    assert Notification.objects.filter(recipient=world.user("principal_a")).count() == 2
    assert Notification.objects.filter(recipient=world.user("safety_a")).count() == 1
    assert not Notification.objects.filter(recipient=world.user("principal_c")).exists()


def test_given_everything_done_when_the_job_runs_then_nobody_is_told(world):
    c = crew(world)
    op = ds.duty_post_save(actor=act(world, "safety_a"), post="操作工", duties="x")
    ds.duty_post_save(actor=act(world, "safety_a"), post="电工", duties="y")
    el = ds.duty_post_save(actor=act(world, "safety_a"), post="电工", duties="y")
    ds.duty_letters_record(
        actor=act(world, "safety_a"), post_id=op.pk, worker_ids=[c["wang"].pk, c["zhao"].pk]
    )
    ds.duty_letters_record(actor=act(world, "safety_a"), post_id=el.pk, worker_ids=[c["qian"].pk])
    today = timezone.localdate()
    y, q = dr.last_ended_quarter(today)
    DutyReport.objects.create(
        enterprise=world.chem_a, year=y, quarter=q, text="x", submitted_by=world.user("principal_a")
    )
    result = duty_jobs.duty_remind_run(today)
    assert (result["report_overdue"], result["signatures"]) == (0, 0)


def test_given_the_command_when_run_then_it_prints_json(world, capsys):
    setup_list(world)
    call_command("duty_remind", "--today", f"{timezone.localdate().year}-11-02")
    assert '"signatures": 1' in capsys.readouterr().out

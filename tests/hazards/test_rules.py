"""Both loops as the rules describe them (docs/hazard-rules.md): 16号令 第十四至二十三条,
安全生产法 第四十一条 and 第六十五条. Each test walks a whole path through the services,
as the people in it would."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from anjian.core.errors import Conflict, Forbidden, ValidationFailed
from anjian.core.models import Notification
from anjian.hazards import national, services
from anjian.hazards.jobs import review_clock_run
from anjian.hazards.models import Hazard

from .helpers import MAJOR_ITEM, act, bring, do, five_fixes, in_days, photo, report

REGULATORS = {"coordinator_x", "officer_emergency_x", "grid_x1", "expert_x"}


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_given_a_general_hazard_the_enterprise_found_then_it_closes_without_any_regulator(world):
    # 16号令 第十五条: the enterprise remedies and accepts it; t_yhzlxx keeps its acceptor.
    hazard = report(world, "employee_a", source="self_check", check_kind="1")
    assert hazard.enterprise_accepts and hazard.review_department is None
    hazard = act(world, "safety_a", hazard, "set_five_fixes", five_fixes())
    hazard = act(world, "safety_a", hazard, "start")
    hazard = act(world, "safety_a", hazard, "submit", {"note": "已清理"}, photos=[photo()])
    # Regulators see it but cannot accept it; the fixer may not accept their own fix.
    for who in (*REGULATORS, "safety_a", "employee_a"):
        assert "accept" not in services.available_actions(hazard, world.user(who)), who
    hazard = act(world, "principal_a", hazard, "accept", {"note": "企业验收合格"})
    assert hazard.state == "closed" and hazard.accepted_by == world.user("principal_a")
    actors = set(hazard.events.values_list("actor__username", flat=True))
    assert actors == {"employee_a", "safety_a", "principal_a"}
    assert not actors & REGULATORS
    assert hazard.events.get(action="accept").data["accepted_as"] == "enterprise"
    # Regulators keep seeing it, and may reopen it (安全生产法 第六十五条).
    assert "reopen" in services.available_actions(hazard, world.user("grid_x1"))
    reopened = act(
        world, "grid_x1", hazard, "reopen", {"note": "回头看发现复发", "deadline": in_days(7)}
    )
    assert reopened.state == "rectifying" and reopened.closed_at is None
    assert reopened.review_division == world.user("grid_x1").division  # it reviews now
    assert services.available_actions(reopened, world.user("principal_a")) == ["submit"]
    reopened = act(world, "safety_a", reopened, "submit", {"note": "再次整改"})
    with pytest.raises(Forbidden):  # the reopening body reviews now, not the enterprise
        act(world, "principal_a", reopened, "accept", {"note": "合格"})


def test_given_a_hazard_an_inspector_found_then_that_department_reviews_it(world):
    hazard = report(world, "officer_emergency_x", source="government_inspection", check_kind="2")
    assert hazard.review_department == world.emergency_x and hazard.review_basis == "found"
    hazard = act(world, "safety_a", hazard, "set_five_fixes", five_fixes())
    hazard = act(world, "safety_a", hazard, "start")
    hazard = act(world, "safety_a", hazard, "submit", {"note": "已整改"}, photos=[photo()])
    for who in ("principal_a", "safety_a", "coordinator_x", "grid_x1"):
        with pytest.raises(Forbidden):
            act(world, who, hazard, "accept", {"note": "合格"})
    hazard = act(world, "officer_emergency_x", hazard, "accept", {"note": "整改复查合格"})
    assert hazard.state == "closed"
    assert hazard.events.get(action="accept").data["accepted_as"] == "review_authority"


def test_given_an_order_when_a_regulator_gives_it_then_the_review_moves_to_that_department(world):
    hazard = report(world)
    hazard = act(world, "officer_emergency_x", hazard, "order", {"note": "责令限期整改"})
    assert (hazard.state, hazard.review_basis) == ("reported", "ordered")
    with pytest.raises(Conflict):  # one body reviews; a second order is refused
        act(world, "coordinator_x", hazard, "order", {"note": "再次责令"})


def test_given_a_major_hazard_report_when_the_enterprise_omits_its_parts_then_each_is_named(world):
    # 16号令 第十四条第二款: state and causes, harm and difficulty, then the plan.
    with pytest.raises(ValidationFailed) as err:
        report(world, major_item=MAJOR_ITEM, cause="", harm_analysis="")
    assert set(err.value.errors) == {"cause", "harm_analysis"}
    assert not Hazard.objects.exists()


def test_given_a_major_hazard_when_walked_stop_to_resumption_then_every_step_follows_the_rules(
    world, django_capture_on_commit_callbacks
):
    day0 = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        hazard = report(world, "safety_a", major_item=MAJOR_ITEM)
    # Reported at once to the supervising department (the lead department, the county).
    assert Notification.objects.filter(recipient=world.user("officer_emergency_x")).exists()
    assert hazard.events.get(action="report").data["reported_to"]
    # The principal plans at once: no expert or listing first (第十五条第二款).
    assert "set_plan" in services.available_actions(hazard, world.user("principal_a"))
    # Safety cannot be ensured: the department orders a partial stop (第十六条).
    hazard = do(world, "officer_emergency_x", hazard, "suspend", True)
    assert hazard.state == "suspended" and hazard.suspension["ordered"] is True
    assert hazard.review_department == world.emergency_x
    with pytest.raises(Conflict):  # no resumption by the enterprise, no plan yet
        act(world, "principal_a", hazard, "resume", {"note": "恢复"})
    hazard = do(world, "principal_a", hazard, "set_plan", True)
    assert hazard.state == "suspended" and hazard.remediation_plan
    # Reported to the workers' congress (安全生产法 第四十一条), recorded as an event.
    hazard = do(world, "safety_a", hazard, "report_to_workers", True)
    assert hazard.workers_reported_on == day0
    # Listing runs in parallel: the state does not move, the listing body reviews now.
    hazard = do(world, "coordinator_x", hazard, "list", True)
    assert hazard.state == "suspended" and hazard.review_division == world.county_x
    with pytest.raises(Conflict):  # a listed hazard is evaluated before applying (第十八条)
        do(world, "principal_a", hazard, "apply_resume", True)
    hazard = do(world, "safety_a", hazard, "evaluate", True)
    assert hazard.state == "evaluated" and hazard.evaluation["evaluator_kind"] == "evaluation_body"
    with pytest.raises(Forbidden):  # the principal applies in writing
        do(world, "safety_a", hazard, "apply_resume", True)
    hazard = do(world, "principal_a", hazard, "apply_resume", True)
    assert hazard.state == "resume_applied"
    assert hazard.review_due_on == day0 + dt.timedelta(days=10)  # 第二十三条: 10日内
    assert hazard.national_state == "1"
    # Only the listing body reviews on site; a failed review keeps the stop.
    with pytest.raises(Forbidden):
        act(world, "officer_emergency_x", hazard, "review_pass", {"note": "合格"})
    hazard = act(world, "coordinator_x", hazard, "review_fail", {"note": "泄爆片未安装"})
    assert hazard.state == "suspended" and hazard.review_due_on is None
    with pytest.raises(Conflict):  # the remedy is evaluated again before a new application
        do(world, "principal_a", hazard, "apply_resume", True)
    hazard = do(world, "safety_a", hazard, "evaluate", True)
    hazard = do(world, "principal_a", hazard, "apply_resume", True)
    with pytest.raises(ValidationFailed):  # not in the future
        act(
            world,
            "coordinator_x",
            hazard,
            "review_pass",
            {"note": "合格", "reviewed_on": in_days(1)},
        )
    hazard = act(world, "coordinator_x", hazard, "review_pass", {"note": "现场审查合格，予以核销"})
    assert hazard.state == "closed" and hazard.resumed_at is not None
    review = hazard.events.get(action="review_pass").data
    assert review["within_time"] is True and review["written_off"] is True
    assert list(hazard.events.values_list("action", flat=True)) == [
        "report",
        "suspend",
        "set_plan",
        "report_to_workers",
        "list",
        "evaluate",
        "apply_resume",
        "review_fail",
        "evaluate",
        "apply_resume",
        "review_pass",
    ]


def test_given_a_stop_the_enterprise_decided_when_safe_again_then_it_resumes_itself(world):
    hazard = report(world, major_item=MAJOR_ITEM)
    hazard = do(world, "safety_a", hazard, "suspend", True)
    assert hazard.suspension["ordered"] is False and hazard.enterprise_accepts
    hazard = do(world, "principal_a", hazard, "set_plan", True)
    assert "evaluate" not in services.available_actions(hazard, world.user("safety_a"))
    hazard = do(world, "principal_a", hazard, "resume", True)
    assert hazard.state == "rectifying" and hazard.resumed_at is not None
    hazard = do(world, "safety_a", hazard, "submit", True)
    hazard = act(world, "principal_a", hazard, "accept", {"note": "验收合格"})
    assert hazard.state == "closed"


def test_given_an_application_to_resume_when_the_review_is_late_then_reminded_and_escalated_once(
    world, django_capture_on_commit_callbacks
):
    day0 = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        hazard = bring(world, "major_resume_applied")
    due = hazard.review_due_on
    assert due == day0 + dt.timedelta(days=10)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(at(due - dt.timedelta(days=5)), tick=False):
            assert review_clock_run() == {"review_reminded": 0, "review_overdue": 0}
        with time_machine.travel(at(due - dt.timedelta(days=3)), tick=False):
            assert review_clock_run() == {"review_reminded": 1, "review_overdue": 0}
            assert review_clock_run() == {"review_reminded": 0, "review_overdue": 0}
        with time_machine.travel(at(due + dt.timedelta(days=1)), tick=False):
            assert review_clock_run() == {"review_reminded": 0, "review_overdue": 1}
            assert review_clock_run() == {"review_reminded": 0, "review_overdue": 0}
    hazard.refresh_from_db()
    assert hazard.review_overdue_since == due + dt.timedelta(days=1)
    assert hazard.events.filter(action="review_overdue").count() == 1
    # The reviewing department and the county were told.
    assert Notification.objects.filter(
        recipient=world.user("officer_emergency_x"), kind="escalation"
    ).exists()
    assert Notification.objects.filter(
        recipient=world.user("coordinator_x"), kind="escalation"
    ).exists()
    # The review still closes it, marked late.
    with time_machine.travel(at(due + dt.timedelta(days=2)), tick=False):
        hazard = act(world, "officer_emergency_x", hazard, "review_pass", {"note": "合格"})
    assert hazard.events.get(action="review_pass").data["within_time"] is False


def test_given_the_ledger_when_exported_in_the_national_shape_then_keys_and_codes_match(world):
    hazard = bring(world, "general_closed")
    row = national.record(hazard, hazard.photos.all())
    assert tuple(row) == national.KEYS
    assert row["DANGER_ID"] == str(hazard.uuid)
    assert (row["DANGER_LEVEL"], row["DANGER_STATE"], row["DANGER_MANAGE_TYPE"]) == ("0", "9", "1")
    assert row["HAZARD_DANGER_TYPE"] == "7" and row["MANAGEMENT_CLASSIFICATION"] == "2"
    assert row["DANGER_SRC"] == hazard.check_kind and row["TYSHXYDM"] == world.chem_a.uscc
    assert row["CHECK_ACCEPT_PERSON"] == "principal_a" and row["ATTACHMENTS2"]
    assert row["DANGER_NAME"] == hazard.name != ""


def test_given_the_export_command_when_run_then_one_json_record_per_visible_hazard(world, tmp_path):
    bring(world, "general_closed")
    bring(world, "major_reported")
    out = tmp_path / "t_yhzlxx.jsonl"
    stdout = io.StringIO()
    call_command("hazard_national_export", user="principal_a", out=str(out), stdout=stdout)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 2 and {r["DANGER_LEVEL"] for r in rows} == {"0", "1"}
    assert json.loads(stdout.getvalue())["rows"] == 2
    call_command("hazard_national_export", user="principal_c", out=str(out), stdout=io.StringIO())
    assert out.read_text(encoding="utf-8") == ""  # another county's enterprise sees none

"""Deadline extensions: request, approve, refuse, by every role; history never edited;
two deciders at once (PostgreSQL); the pages."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from anjian.core import notify
from anjian.core.audit import Actor, audit_verify
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.hazards import extensions
from anjian.hazards.jobs import hazard_deadlines_run
from anjian.hazards.models import DeadlineExtension, Hazard
from tests.world import PASSWORD, build_world

from .helpers import actor, bring

TZ = ZoneInfo("Asia/Shanghai")


def later(hazard, days=10):
    return hazard.deadline + dt.timedelta(days=days)


def ask(world, who, hazard, days=10, reason="设备到货延迟，需延期"):
    return extensions.deadline_extension_request(
        actor=actor(world, who),
        hazard_id=hazard.pk,
        new_deadline=later(hazard, days),
        reason=reason,
    )


def decide(world, who, ext, approve=True, note="同意延期"):
    return extensions.deadline_extension_decide(
        actor=actor(world, who), extension_id=ext.pk, approve=approve, note=note
    )


# --- request --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["principal_a", "safety_a"])
def test_given_rectifying_hazard_when_manager_asks_then_request_event_audit_and_deciders_told(
    world, who
):
    hazard = bring(world, "general_rectifying")
    ext = ask(world, who, hazard)
    assert ext.state == "requested" and ext.old_deadline == hazard.deadline
    assert ext.new_deadline == later(hazard) and ext.requested_by == world.user(who)
    event = hazard.events.get(action="request_extension")
    assert event.data["extension_id"] == ext.pk and event.note == "设备到货延迟，需延期"
    assert AuditEntry.objects.filter(action="request_extension", object_id=str(ext.pk)).exists()
    hazard.refresh_from_db()
    assert hazard.deadline == ext.old_deadline  # nothing moves before the decision
    assert notify.inbox(world.user("officer_emergency_x")).filter(kind="assignment").count() == 1
    for name in ("coordinator_x", "officer_housing_x", "grid_x1", "coordinator_y", "outsider"):
        assert not notify.inbox(world.user(name)).filter(title__contains="extension").exists()


def test_given_fixes_set_hazard_when_asked_then_allowed(world):
    hazard = bring(world, "general_fixes_set")
    assert ask(world, "principal_a", hazard).state == "requested"


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("employee_a", Forbidden),
        ("grid_x1", Forbidden),
        ("coordinator_x", Forbidden),
        ("officer_emergency_x", Forbidden),
        ("expert_x", Forbidden),
        ("officer_housing_x", NotFound),
        ("principal_c", NotFound),
        ("coordinator_y", NotFound),
        ("outsider", NotFound),
        ("platform_admin", Forbidden),
    ],
)
def test_given_other_persona_when_asking_then_refused_and_nothing_written(world, who, error):
    hazard = bring(world, "general_rectifying")
    with pytest.raises(error):
        ask(world, who, hazard)
    assert not DeadlineExtension.objects.exists()
    assert not hazard.events.filter(action="request_extension").exists()


@pytest.mark.parametrize(
    "combo", ["general_reported", "general_submitted", "general_closed", "major_listed"]
)
def test_given_hazard_not_in_rectification_when_asking_then_conflict(world, combo):
    hazard = bring(world, combo)
    with pytest.raises(Conflict):
        extensions.deadline_extension_request(
            actor=actor(world, "principal_a"),
            hazard_id=hazard.pk,
            new_deadline=timezone.localdate() + dt.timedelta(days=90),
            reason="理由",
        )


@pytest.mark.parametrize(
    ("new_deadline", "reason", "fields"),
    [
        (None, "理由", {"new_deadline"}),
        ("2026-02-30", "理由", {"new_deadline"}),
        ("same", "理由", {"new_deadline"}),
        ("earlier", "理由", {"new_deadline"}),
        ("later", "", {"reason"}),
        (None, "", {"new_deadline", "reason"}),
        ("later", "x" * 2001, {"reason"}),
    ],
)
def test_given_bad_request_when_asking_then_every_field_named(world, new_deadline, reason, fields):
    hazard = bring(world, "general_rectifying")
    value = {
        "same": hazard.deadline,
        "earlier": hazard.deadline - dt.timedelta(days=1),
        "later": later(hazard),
    }.get(new_deadline, new_deadline)
    with pytest.raises(ValidationFailed) as exc:
        extensions.deadline_extension_request(
            actor=actor(world, "principal_a"),
            hazard_id=hazard.pk,
            new_deadline=value,
            reason=reason,
        )
    assert set(exc.value.errors) == fields
    assert not DeadlineExtension.objects.exists()


def test_given_past_deadline_when_asking_for_a_date_still_past_then_refused(world):
    start = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)
    with time_machine.travel(start, tick=False):
        hazard = bring(world, "general_rectifying")
    with (
        time_machine.travel(start + dt.timedelta(days=30), tick=False),
        pytest.raises(ValidationFailed) as exc,
    ):
        ask(world, "principal_a", hazard, days=5)  # later than the deadline, but past
    assert "new_deadline" in exc.value.errors


def test_given_pending_request_when_asking_again_then_conflict(world):
    hazard = bring(world, "general_rectifying")
    ask(world, "principal_a", hazard)
    with pytest.raises(Conflict):
        ask(world, "safety_a", hazard, days=20)
    assert DeadlineExtension.objects.count() == 1


# --- decide ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer_emergency_x", "coordinator_x"])
def test_given_request_when_lead_officer_or_coordinator_approves_then_deadline_moves(world, who):
    hazard = bring(world, "general_rectifying")
    old, version = hazard.deadline, hazard.version
    ext = ask(world, "safety_a", hazard)
    decided = decide(world, who, ext)
    assert decided.state == "approved" and decided.decided_by == world.user(who)
    assert decided.decided_at is not None and decided.decision_note == "同意延期"
    hazard.refresh_from_db()
    assert hazard.deadline == old + dt.timedelta(days=10)
    assert hazard.version == version + 1 and hazard.deadline_extensions == 1
    event = hazard.events.get(action="extend_deadline")
    assert event.data["old_deadline"] == old.isoformat()
    assert event.data["new_deadline"] == hazard.deadline.isoformat()
    assert event.actor == world.user(who) and event.to_state == "rectifying"
    entry = AuditEntry.objects.get(action="extend_deadline")
    assert entry.changes["new_deadline"] == hazard.deadline.isoformat()
    # the requester (and the other manager) hear of the decision
    for name in ("safety_a", "principal_a"):
        assert notify.inbox(world.user(name)).filter(kind="decision").count() == 1
    # a new request may follow
    assert ask(world, "principal_a", hazard, days=5).state == "requested"
    assert audit_verify().ok


def test_given_request_when_refused_then_deadline_stays_and_refusal_in_history(world):
    hazard = bring(world, "general_rectifying")
    old = hazard.deadline
    ext = ask(world, "principal_a", hazard)
    with pytest.raises(ValidationFailed) as exc:
        decide(world, "officer_emergency_x", ext, approve=False, note="")
    assert "note" in exc.value.errors
    decided = decide(world, "officer_emergency_x", ext, approve=False, note="理由不充分")
    assert decided.state == "refused" and decided.decision_note == "理由不充分"
    hazard.refresh_from_db()
    assert hazard.deadline == old and hazard.deadline_extensions == 0
    assert hazard.events.get(action="refuse_extension").note == "理由不充分"
    assert not hazard.events.filter(action="extend_deadline").exists()
    assert notify.inbox(world.user("principal_a")).filter(kind="decision").count() == 1


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("principal_a", Forbidden),
        ("safety_a", Forbidden),
        ("employee_a", Forbidden),
        ("grid_x1", Forbidden),
        ("expert_x", Forbidden),
        ("officer_housing_x", NotFound),
        ("coordinator_y", NotFound),
        ("principal_c", NotFound),
        ("outsider", NotFound),
    ],
)
def test_given_request_when_other_persona_decides_then_refused(world, who, error):
    hazard = bring(world, "general_rectifying")
    ext = ask(world, "principal_a", hazard)
    with pytest.raises(error):
        decide(world, who, ext)
    ext.refresh_from_db()
    assert ext.state == "requested" and ext.decided_by is None


@pytest.mark.parametrize(
    ("combo", "decider", "refused"),
    [
        ("major_listed", "coordinator_x", "officer_emergency_x"),  # listed by the office
    ],
)
def test_given_major_hazard_when_deciding_then_only_listing_authority(
    world, combo, decider, refused
):
    from .helpers import do

    hazard = bring(world, combo)
    hazard = do(world, "principal_a", hazard, "set_plan", True)
    hazard = do(world, "safety_a", hazard, "start", True)
    ext = ask(world, "principal_a", hazard, days=100)  # beyond the supervision deadline
    with pytest.raises(Forbidden):
        decide(world, refused, ext)
    decide(world, decider, ext)
    hazard.refresh_from_db()
    assert hazard.deadline == ext.new_deadline
    assert hazard.listing_deadline == ext.new_deadline  # supervision deadline follows
    data = hazard.events.get(action="extend_deadline").data
    assert data["new_listing_deadline"] == ext.new_deadline.isoformat()


def test_given_major_listed_by_department_when_deciding_then_that_department_decides(world):
    hazard = bring(world, "major_submitted_dept")
    # back to rectification by the department's review rejecting it
    from .helpers import act

    act(world, "officer_emergency_x", hazard, "reject", {"note": "报警未联锁"})
    hazard.refresh_from_db()
    ext = ask(world, "safety_a", hazard)
    assert (
        notify.inbox(world.user("officer_emergency_x"))
        .filter(title__contains=hazard.number, kind="assignment")
        .exists()
    )
    with pytest.raises(Forbidden):
        decide(world, "coordinator_x", ext)
    assert decide(world, "officer_emergency_x", ext).state == "approved"


def test_given_decided_request_when_decided_again_then_conflict_and_row_never_edited(world):
    hazard = bring(world, "general_rectifying")
    ext = ask(world, "principal_a", hazard)
    decide(world, "officer_emergency_x", ext)
    with pytest.raises(Conflict):
        decide(world, "coordinator_x", ext, approve=False, note="不同意")
    ext.refresh_from_db()
    assert ext.state == "approved" and ext.decided_by == world.user("officer_emergency_x")
    with pytest.raises(RuntimeError):
        ext.save()
    with pytest.raises(RuntimeError):
        ext.delete()


def test_given_hazard_closed_meanwhile_when_approving_then_conflict_but_refusal_allowed(world):
    hazard = bring(world, "general_rectifying")
    ext = ask(world, "principal_a", hazard)
    from .helpers import do

    do(world, "safety_a", hazard, "submit", False)
    do(world, "principal_a", hazard, "accept", False)
    with pytest.raises(Conflict):
        decide(world, "officer_emergency_x", ext)
    assert (
        decide(world, "officer_emergency_x", ext, approve=False, note="已销号").state == "refused"
    )


def test_given_non_boolean_approve_when_deciding_then_validation_error(world):
    hazard = bring(world, "general_rectifying")
    ext = ask(world, "principal_a", hazard)
    with pytest.raises(ValidationFailed):
        extensions.deadline_extension_decide(
            actor=actor(world, "officer_emergency_x"), extension_id=ext.pk, approve="yes"
        )


def test_given_overdue_escalated_hazard_when_extension_approved_then_overdue_cleared_history_kept(
    world,
):
    start = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)
    with time_machine.travel(start, tick=False):
        hazard = bring(world, "general_rectifying")
    deadline = hazard.deadline
    late = start + dt.timedelta(days=16)
    with time_machine.travel(late, tick=False):
        hazard_deadlines_run()
        hazard.refresh_from_db()
        assert hazard.overdue_since is not None and hazard.escalation_level == 2
        ext = extensions.deadline_extension_request(
            actor=actor(world, "principal_a"),
            hazard_id=hazard.pk,
            new_deadline=timezone.localdate() + dt.timedelta(days=10),
            reason="停产检修窗口",
        )
        decide(world, "coordinator_x", ext)
        hazard.refresh_from_db()
        assert hazard.overdue_since is None and hazard.escalation_level == 0
        assert hazard.last_reminded_on is None
        data = hazard.events.get(action="extend_deadline").data
        assert data["cleared"] == {
            "overdue_since": (deadline + dt.timedelta(days=1)).isoformat(),
            "escalation_level": 2,
        }
        # the earlier overdue marking stays in the history
        assert hazard.events.filter(action="mark_overdue").count() == 1
        counts = hazard_deadlines_run()
        assert counts["overdue"] == 0 and counts["escalated"] == 0
    # the new deadline passes: overdue again, from level 1
    with time_machine.travel(late + dt.timedelta(days=11), tick=False):
        counts = hazard_deadlines_run()
        assert counts["overdue"] == 1 and counts["escalated_1"] == 1


# --- PostgreSQL: two deciders at once ------------------------------------------------------------

needs_postgres = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="row locks need PostgreSQL; SQLite serialises writers instead",
)


def _race(n, work):
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def run(i):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            outcomes.append(work(i))
        except Conflict:
            outcomes.append("conflict")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_given_two_deciders_at_once_when_raced_then_exactly_one_wins():
    assert connection.vendor == "postgresql"
    world = build_world()
    hazard = bring(world, "general_rectifying")
    ext = ask(world, "principal_a", hazard)
    people = [("officer_emergency_x", True), ("coordinator_x", False)]

    def go(i):
        who, approve = people[i]
        extensions.deadline_extension_decide(
            actor=Actor.for_user(world.user(who), "web"),
            extension_id=ext.pk,
            approve=approve,
            note=f"决定{i}",
        )
        return "won"

    assert sorted(_race(2, go)) == ["conflict", "won"]
    ext.refresh_from_db()
    assert ext.state in ("approved", "refused")
    hazard.refresh_from_db()
    decided = hazard.events.filter(action__in=["extend_deadline", "refuse_extension"])
    assert decided.count() == 1
    assert (hazard.deadline_extensions == 1) == (ext.state == "approved")
    assert audit_verify().ok


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_given_two_job_workers_at_once_when_raced_then_each_thing_done_once():
    assert connection.vendor == "postgresql"
    world = build_world()
    start = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)
    with time_machine.travel(start, tick=False):
        hazards = [bring(world, "general_rectifying") for _ in range(3)]
    late = start + dt.timedelta(days=25)

    def work(i):
        with time_machine.travel(late, tick=False):
            hazard_deadlines_run()
        return "done"

    assert _race(2, work) == ["done", "done"]
    for h in hazards:
        assert h.events.filter(action="mark_overdue").count() == 1
        assert [e.data["level"] for e in h.events.filter(action="escalate").order_by("id")] == [
            1,
            2,
            3,
        ]
        assert Hazard.objects.get(pk=h.pk).escalation_level == 3
    assert audit_verify().ok


# --- pages ------------------------------------------------------------------------------------------


def client_for(world, name):
    c = Client()
    assert c.login(username=name, password=PASSWORD)
    return c


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_given_manager_when_using_request_page_then_request_sent(world):
    hazard = bring(world, "general_rectifying")
    c = client_for(world, "principal_a")
    url = reverse("hazards:extension-request", args=[hazard.pk])
    page = c.get(url)
    assert page.status_code == 200 and hazard.number in page.content.decode()
    bad = c.post(url, {"new_deadline": hazard.deadline.isoformat(), "reason": ""})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"new_deadline", "reason"}
    ok = c.post(url, {"new_deadline": later(hazard).isoformat(), "reason": "材料未到"})
    assert ok.status_code == 302 and ok["Location"] == reverse("hazards:detail", args=[hazard.pk])
    assert DeadlineExtension.objects.get().reason == "材料未到"
    # a second visit shows the waiting request instead of the form
    again = c.get(url)
    assert again.status_code == 200 and again.context["pending"] is not None


@pytest.mark.parametrize(
    ("who", "status"),
    [("employee_a", 403), ("grid_x1", 403), ("outsider", 404), ("principal_c", 404)],
)
def test_given_other_persona_when_opening_request_page_then_refused(world, who, status):
    hazard = bring(world, "general_rectifying")
    assert (
        client_for(world, who)
        .get(reverse("hazards:extension-request", args=[hazard.pk]))
        .status_code
        == status
    )


def test_given_officer_when_using_decide_page_then_decision_recorded(world):
    hazard = bring(world, "general_rectifying")
    ext = ask(world, "principal_a", hazard)
    url = reverse("hazards:extension-decide", args=[ext.pk])
    assert client_for(world, "principal_a").get(url).status_code == 403
    assert client_for(world, "outsider").get(url).status_code == 404
    assert client_for(world, "coordinator_y").get(url).status_code == 404
    c = client_for(world, "officer_emergency_x")
    page = c.get(url)
    assert page.status_code == 200 and "设备到货延迟" in page.content.decode()
    refused_without_note = c.post(url, {"decision": "refuse", "note": ""})
    assert refused_without_note.status_code == 200
    assert "note" in refused_without_note.context["form"].errors
    done = c.post(url, {"decision": "approve", "note": ""})
    assert done.status_code == 302
    ext.refresh_from_db()
    assert ext.state == "approved"
    # decided: the page shows the decision, posting again changes nothing
    assert c.post(url, {"decision": "refuse", "note": "x"}).status_code == 200
    ext.refresh_from_db()
    assert ext.state == "approved"


def test_given_overdue_hazards_when_regulators_list_them_then_scoped(world):
    start = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)
    with time_machine.travel(start, tick=False):
        hazard = bring(world, "general_rectifying")
    with time_machine.travel(start + dt.timedelta(days=20), tick=False):
        hazard_deadlines_run()
        url = reverse("hazards:overdue")
        for who in ("coordinator_x", "officer_emergency_x", "grid_x1"):
            page = client_for(world, who).get(url)
            assert page.status_code == 200
            assert [h.pk for h, _ in page.context["rows"]] == [hazard.pk]
        for who in ("coordinator_y", "officer_housing_x"):
            page = client_for(world, who).get(url)
            assert page.status_code == 200 and page.context["rows"] == []
        for who in ("principal_a", "outsider"):
            assert client_for(world, who).get(url).status_code == 403
        assert client_for(world, "coordinator_x").get(url + "?level=3").context["rows"]
        assert client_for(world, "coordinator_x").get(url + "?level=1").context["rows"] == []


def test_given_pending_requests_when_listed_then_scoped_and_decidable_flagged(world):
    hazard = bring(world, "general_rectifying")
    ask(world, "principal_a", hazard)
    url = reverse("hazards:extensions")
    rows = client_for(world, "officer_emergency_x").get(url).context["rows"]
    assert [(e.hazard_id, can) for e, can in rows] == [(hazard.pk, True)]
    rows = client_for(world, "grid_x1").get(url).context["rows"]
    assert [(e.hazard_id, can) for e, can in rows] == [(hazard.pk, False)]
    assert client_for(world, "coordinator_y").get(url).context["rows"] == []
    assert client_for(world, "outsider").get(url).status_code == 403


def test_given_hazard_when_deadline_context_built_then_panel_renders(world):
    from django.template.loader import render_to_string

    from anjian.hazards.views.deadlines import deadline_context

    hazard = bring(world, "general_rectifying")
    ctx = deadline_context(world.user("principal_a"), hazard)
    assert ctx["may_request_extension"] and ctx["pending_extension"] is None
    html = render_to_string("hazards/deadlines/_panel.html", {"hazard": hazard, **ctx})
    assert reverse("hazards:extension-request", args=[hazard.pk]) in html
    ext = ask(world, "principal_a", hazard)
    ctx = deadline_context(world.user("officer_emergency_x"), hazard)
    assert ctx["pending_extension"] == ext and ctx["may_decide_extension"]
    html = render_to_string("hazards/deadlines/_panel.html", {"hazard": hazard, **ctx})
    assert reverse("hazards:extension-decide", args=[ext.pk]) in html

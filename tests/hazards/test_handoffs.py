"""Hand-offs: after every step of the workflow table, who is told, and who gets a to-do.

One row per transition of anjian.hazards.workflow.TRANSITIONS (a coverage test keeps the
table complete): the hazard is brought to the source state through the services, the
step is taken with the on-commit jobs run, and every inbox row written is compared with
the row's expectation. A = assignment (a to-do: the hazard now waits for them),
D = decision, N = other (news).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from anjian.core.models import Notification
from anjian.hazards import workflow as wf
from tests.hazards.helpers import MAJOR_ITEM, bring, do, report
from tests.world import PASSWORD

A, D, N = "assignment", "decision", "other"  # N: news
MANAGERS_A = {"principal_a": A, "safety_a": A}
MANAGERS_D = {"principal_a": D, "safety_a": D}
PLAN_NEWS = {"coordinator_x": N, "officer_emergency_x": N}

# (combo the hazard starts from, who acts, action, {username: kind} told).
# Combos are tests/hazards/helpers.py's; "new:<kind>" reports a new hazard.
HANDOFFS: list[tuple[str, str, str, dict[str, str]]] = [
    # An employee's or a regulator's report waits for the managers' five fixes.
    ("new:general", "employee_a", wf.REPORT, MANAGERS_A),
    ("new:general", "grid_x1", wf.REPORT, MANAGERS_A),
    # A manager's own report hands nothing to the other manager; a major one waits for
    # the expert's confirmation and the listing (lead department, safety committee).
    ("new:general", "safety_a", wf.REPORT, {}),
    (
        "new:major",
        "safety_a",
        wf.REPORT,
        {"coordinator_x": A, "officer_emergency_x": A, "expert_x": A},
    ),
    # The reporter learns how their hazard ended (and is a manager here).
    ("general_on_spot_reported", "principal_a", wf.FIX_ON_SPOT, {"safety_a": D}),
    *(
        (
            combo,
            "coordinator_x",
            wf.MAKE_MAJOR,
            {**MANAGERS_A, "expert_x": A, "officer_emergency_x": A},
        )
        for combo in (
            "general_reported",
            "general_fixes_set",
            "general_rectifying",
            "general_submitted",
        )
    ),
    *(
        (combo, "expert_x", wf.CONFIRM_MAJOR, MANAGERS_D)
        for combo in ("major_reported", "major_fixes_set", "major_rectifying", "major_stopped")
    ),
    # Not major after all: the five fixes are the managers' to set.
    ("major_reported", "expert_x", wf.DISMISS_MAJOR, MANAGERS_A),
    *(
        (combo, "officer_emergency_x", wf.ORDER, MANAGERS_A)
        for combo in (
            "general_reported",
            "general_fixes_set",
            "general_rectifying",
            "major_self_stopped",
        )
    ),
    *(
        (combo, "coordinator_x", wf.LIST, MANAGERS_D)
        for combo in (
            "major_reported",
            "major_fixes_set",
            "major_rectifying",
            "major_stopped",
            "major_evaluated",
        )
    ),
    *(
        (combo, "safety_a", wf.REPORT_TO_WORKERS, {})
        for combo in (
            "major_reported",
            "major_fixes_set",
            "major_rectifying",
            "major_stopped",
            "major_evaluated",
            "major_resume_applied",
            "major_submitted",
        )
    ),
    ("general_reported", "safety_a", wf.SET_FIVE_FIXES, {}),
    ("major_reported", "principal_a", wf.SET_PLAN, PLAN_NEWS),
    ("major_stopped", "principal_a", wf.SET_PLAN, PLAN_NEWS),
    # A stop ordered before the plan: the plan was already awaited.
    ("major_reported", "officer_emergency_x", wf.SUSPEND, {"coordinator_x": N, **MANAGERS_D}),
    # Ordered with the plan set: the evaluation and the application are awaited now.
    ("major_fixes_set", "officer_emergency_x", wf.SUSPEND, {"coordinator_x": N, **MANAGERS_A}),
    ("major_rectifying", "safety_a", wf.SUSPEND, {**PLAN_NEWS, "principal_a": D}),
    ("general_fixes_set", "safety_a", wf.START_RECTIFICATION, {}),
    # Submitted: the enterprise's acceptor (not the fixer), or the reviewing department.
    ("general_rectifying", "safety_a", wf.SUBMIT, {"principal_a": A}),
    ("general_submitted", "principal_a", wf.ACCEPT, {"safety_a": D}),
    ("gov_submitted", "officer_emergency_x", wf.ACCEPT, MANAGERS_D),
    # A closed major hazard: the safety committee office owes the accountability review.
    ("major_submitted", "principal_a", wf.ACCEPT, {"safety_a": D, "coordinator_x": A}),
    ("general_submitted", "principal_a", wf.REJECT, {"safety_a": D}),
    ("gov_submitted", "officer_emergency_x", wf.REJECT, MANAGERS_A),
    # Back in rectification, a major hazard does not ask the expert or the listing
    # again: those waits started when it was reported.
    ("major_listed_submitted", "coordinator_x", wf.REJECT, MANAGERS_A),
    ("major_self_stopped", "principal_a", wf.RESUME, {}),
    ("major_stopped_planned", "safety_a", wf.EVALUATE, {}),
    ("major_evaluated", "principal_a", wf.APPLY_RESUME, {"officer_emergency_x": A}),
    ("major_stopped_planned", "principal_a", wf.APPLY_RESUME, {"officer_emergency_x": A}),
    (
        "major_resume_applied",
        "officer_emergency_x",
        wf.REVIEW_PASS,
        {**MANAGERS_D, "coordinator_x": A},
    ),
    ("major_resume_applied", "officer_emergency_x", wf.REVIEW_FAIL, MANAGERS_A),
    ("general_closed", "coordinator_x", wf.REOPEN, MANAGERS_A),
    ("major_closed", "coordinator_x", wf.ACCOUNTABILITY_REVIEW, {}),
]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _told() -> dict[str, str]:
    return {n.recipient.username: n.kind for n in Notification.objects.select_related("recipient")}


# The state each starting point is in (checked when its rows run).
STATE_OF: dict[str, str] = {
    "new:general": wf.START,
    "new:major": wf.START,
    "general_on_spot_reported": wf.REPORTED,
    "general_reported": wf.REPORTED,
    "general_fixes_set": wf.FIXES_SET,
    "general_rectifying": wf.RECTIFYING,
    "general_submitted": wf.SUBMITTED,
    "general_closed": wf.CLOSED,
    "gov_submitted": wf.SUBMITTED,
    "major_reported": wf.REPORTED,
    "major_fixes_set": wf.FIXES_SET,
    "major_rectifying": wf.RECTIFYING,
    "major_submitted": wf.SUBMITTED,
    "major_closed": wf.CLOSED,
    "major_stopped": wf.SUSPENDED,
    "major_stopped_planned": wf.SUSPENDED,
    "major_evaluated": wf.EVALUATED,
    "major_resume_applied": wf.RESUME_APPLIED,
    "major_self_stopped": wf.SUSPENDED,
    "major_listed_submitted": wf.SUBMITTED,
}


def test_given_the_workflow_table_then_every_transition_has_a_handoff_row():
    walked = {(STATE_OF[combo], action) for combo, _who, action, _told in HANDOFFS}
    assert walked == {(t.source, t.action) for t in wf.TRANSITIONS}


@pytest.mark.parametrize(
    ("combo", "who", "action", "expected"),
    HANDOFFS,
    ids=[f"{c}-{a}-{w}" for c, w, a, _ in HANDOFFS],
)
def test_given_a_step_when_committed_then_exactly_these_people_are_told(
    world, django_capture_on_commit_callbacks, combo, who, action, expected
):
    new = combo.startswith("new:")
    hazard = None if new else bring(world, combo)
    assert (hazard.state if hazard else wf.START) == STATE_OF[combo]
    Notification.objects.all().delete()  # only this step's rows count
    with django_capture_on_commit_callbacks(execute=True):
        if new:
            extra = {"major_item": MAJOR_ITEM} if combo == "new:major" else {}
            hazard = report(world, who=who, **extra)
        else:
            hazard = do(world, who, hazard, action, hazard.is_major)
    told = _told()
    assert told == expected
    assert who not in told  # nobody is told about their own step
    assert all(hazard.number in n.title for n in Notification.objects.all())


def test_given_an_employee_report_when_closed_or_rejected_then_the_employee_is_told(
    world, django_capture_on_commit_callbacks
):
    hazard = report(world, who="employee_a")
    for who, action in (("safety_a", "set_five_fixes"), ("safety_a", "start")):
        hazard = do(world, who, hazard, action, False)
    hazard = do(world, "safety_a", hazard, "submit", False)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        hazard = do(world, "principal_a", hazard, "reject", False)
    assert _told() == {"safety_a": D, "employee_a": D}
    hazard = do(world, "safety_a", hazard, "submit", False)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        do(world, "principal_a", hazard, "accept", False)
    assert _told() == {"safety_a": D, "employee_a": D}


def test_given_a_waiting_hazard_when_its_party_opens_home_then_the_todo_is_listed_until_opened(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        hazard = report(world, who="safety_a", major_item=MAJOR_ITEM)
    expert = Client()
    assert expert.login(username="expert_x", password=PASSWORD)
    html = expert.get(reverse("home")).content.decode()
    row = Notification.objects.get(recipient=world.user("expert_x"))
    assert 'id="home-todo"' in html and f'id="todo-{row.pk}"' in html
    # The row names the hazard once (its title), then the enterprise, not the number again.
    li = html[html.index(f'id="todo-{row.pk}"') :]
    li = li[: li.index("</li>")]
    assert li.count(hazard.number) == 1 and hazard.enterprise.name in li
    opened = expert.post(reverse("inbox-read", args=[row.pk]), {"go": "1"})
    assert opened["Location"] == reverse("hazards:detail", args=[hazard.pk])
    assert 'id="home-todo"' not in expert.get(reverse("home")).content.decode()
    # Somebody with nothing waiting for them has no list.
    other = Client()
    assert other.login(username="outsider", password=PASSWORD)
    assert 'id="home-todo"' not in other.get(reverse("home")).content.decode()


def test_given_more_todos_than_shown_then_the_count_is_all_of_them(world):
    from anjian.core import notify

    user = world.user("principal_a")
    for i in range(7):
        notify.notify(recipients=[user], kind=A, title=f"t{i}")
    notify.notify(recipients=[user], kind=N, title="news")
    rows, count = notify.todo(user, limit=5)
    assert [r.title for r in rows] == ["t6", "t5", "t4", "t3", "t2"] and count == 7
    assert notify.todo(world.user("safety_a")) == ([], 0)


def test_given_a_todo_when_its_person_takes_a_step_on_the_hazard_then_it_leaves_the_list(
    world, django_capture_on_commit_callbacks
):
    from anjian.core import notify

    with django_capture_on_commit_callbacks(execute=True):
        hazard = report(world, who="safety_a", major_item=MAJOR_ITEM)
    expert = world.user("expert_x")
    assert notify.todo(expert)[1] == 1
    with django_capture_on_commit_callbacks(execute=True):
        do(world, "expert_x", hazard, "confirm_major", True)
    assert notify.todo(expert) == ([], 0)
    assert notify.todo(world.user("coordinator_x"))[1] == 1  # still waited for (listing)


def test_given_a_step_taken_in_english_then_the_inbox_rows_are_written_in_chinese(
    world, django_capture_on_commit_callbacks
):
    from django.utils import translation

    hazard = report(world, major_item=MAJOR_ITEM)
    Notification.objects.all().delete()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        do(world, "principal_a", hazard, "set_plan", True)
    titles = list(Notification.objects.values_list("title", flat=True))
    assert titles and all("隐患" in t for t in titles), titles


def test_given_two_experts_waited_for_when_one_confirms_then_the_others_todo_is_settled(
    world, django_capture_on_commit_callbacks
):
    from anjian.accounts.models import Role, User

    second = User.objects.create_user(
        username="expert_x2", password=PASSWORD, role=Role.EXPERT, division=world.county_x
    )
    with django_capture_on_commit_callbacks(execute=True):
        hazard = report(world, who="safety_a", major_item=MAJOR_ITEM)
    waiting = Notification.objects.filter(kind=A, read_at__isnull=True)
    assert set(waiting.values_list("recipient__username", flat=True)) == {
        "expert_x",
        "expert_x2",
        "coordinator_x",
        "officer_emergency_x",
    }
    with django_capture_on_commit_callbacks(execute=True):
        hazard = do(world, "expert_x", hazard, wf.CONFIRM_MAJOR, False)
    # The listing still waits for the deciding body; nobody waits for a second expert.
    still = Notification.objects.filter(
        kind=A, read_at__isnull=True, link__contains=f"/{hazard.pk}/"
    )
    assert set(still.values_list("recipient__username", flat=True)) == {
        "coordinator_x",
        "officer_emergency_x",
    }
    assert Notification.objects.filter(recipient=second, read_at__isnull=False).exists()

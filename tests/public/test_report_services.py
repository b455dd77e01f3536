"""Whistleblower report services: submit checks, every transition and illegal one,
duplicates, rewards, the 60-day clock, the tracking secret and the identity reveal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry, Notification
from anjian.public import report_jobs
from anjian.public import report_services as services
from anjian.public import report_workflow as wf
from anjian.public.models import IdentityAccess, Report, ReportEvent
from tests.hazards.helpers import report as hazard_report
from tests.hazards.helpers import report_data

from .report_helpers import (
    ADDRESS,
    CONTENT,
    ID_NUMBER,
    NAME,
    PHONE,
    actor,
    grant_reveal,
    submit,
    submit_named,
)

IDENTITY = (NAME, PHONE, ID_NUMBER, ADDRESS)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _state(report: Report) -> str:
    return Report.objects.get(pk=report.pk).state


def _to(world, report: Report, state: str, who: str = "coordinator_x") -> Report:
    a = actor(world, who)
    if state == wf.DUPLICATE:
        earlier, _s = submit(world, sender="10.9.9.9", content=CONTENT + "（早先）")
        Report.objects.filter(pk=earlier.pk).update(
            received_at=report.received_at - dt.timedelta(hours=1)
        )
        services.report_mark_duplicate(actor=a, report_id=report.pk, duplicate_of=earlier.pk)
        return Report.objects.get(pk=report.pk)
    order = [wf.TRIAGED, wf.VERIFYING, wf.CONCLUDED, wf.REWARD_DECIDED, wf.PAID]
    for step in order:
        if step == wf.TRIAGED:
            services.report_triage(actor=a, report_id=report.pk, department_id=world.emergency_x.pk)
        elif step == wf.VERIFYING:
            hazard = hazard_report(world)
            services.report_verify(actor=a, report_id=report.pk, hazard_id=hazard.pk)
        elif step == wf.CONCLUDED:
            services.report_conclude(
                actor=a, report_id=report.pk, conclusion="substantiated", reason="现场核实属实"
            )
        elif step == wf.REWARD_DECIDED:
            services.report_reward(actor=a, report_id=report.pk, fine_yuan="100000")
        elif step == wf.PAID:
            services.report_pay(actor=a, report_id=report.pk, payment_ref="PAY-2026-001")
        if step == state:
            break
    return Report.objects.get(pk=report.pk)


# --- submit ----------------------------------------------------------------------------------


def test_given_a_real_name_report_when_submitted_then_identity_sealed_and_secret_hashed(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report, secret = submit_named(world, insider="1")
    report.refresh_from_db()
    assert report.state == wf.RECEIVED and not report.anonymous and report.insider
    assert report.enterprise_id == world.chem_a.pk
    assert report.due_on == timezone.localdate(report.received_at) + dt.timedelta(days=60)
    assert len(report.tracking_code) == 12 and secret not in report.secret_hash
    blob = bytes(report.identity_cipher)
    for value in IDENTITY:
        assert value.encode() not in blob
    assert report.identity_key == "k1"
    assert "10.0.0.1" not in report.source_hash
    # The coordinators are told, without the identity.
    notes = Notification.objects.filter(recipient=world.user("coordinator_x"))
    assert notes.count() == 1
    assert all(v not in (notes[0].title + notes[0].body) for v in IDENTITY)


def test_given_an_enterprise_credit_code_then_matched(world):
    report, _s = submit(world, enterprise_name=world.build_b.uscc)
    assert report.enterprise_id == world.build_b.pk
    other, _s = submit(world, enterprise_name="东县甲化工", content=CONTENT + "二")
    assert other.enterprise_id is None  # only an exact name matches


@pytest.mark.parametrize(
    "over,field",
    [
        ({"content": "太短了"}, "content"),
        ({"matter": "nonsense"}, "matter"),
        ({"division": None}, "division"),
        ({"anonymous": "0"}, "name"),
        ({"latitude": "91"}, "latitude"),
    ],
)
def test_given_bad_input_when_submitted_then_refused_with_field(world, over, field):
    with pytest.raises(ValidationFailed) as exc:
        submit(world, **over)
    assert field in exc.value.errors
    assert not Report.objects.exists()


def test_given_a_grid_instead_of_a_township_then_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        submit(world, division=world.grid_x1.pk)
    assert "division" in exc.value.errors


def test_given_the_honeypot_filled_then_refused(world):
    with pytest.raises(ValidationFailed):
        submit(world, website="http://spam.example")
    assert not Report.objects.exists()


def test_given_the_same_content_from_one_sender_within_a_day_then_refused(world):
    submit(world)
    with pytest.raises(ValidationFailed) as exc:
        submit(world)
    assert "content" in exc.value.errors
    submit(world, sender="10.0.0.2")  # another sender may
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1)):
        submit(world)
    assert Report.objects.count() == 3


def test_given_many_reports_from_one_sender_then_rate_limited(world, settings):
    settings.ANJIAN_REPORT_LIMIT_HOUR = 2
    settings.ANJIAN_REPORT_LIMIT_DAY = 3
    for i in range(2):
        submit(world, content=f"{CONTENT}第{i}次")
    with pytest.raises(services.RateLimited):
        submit(world, content=CONTENT + "第三次")
    submit(world, content=CONTENT + "别处", sender="10.0.0.9")
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1, minutes=1)):
        submit(world, content=CONTENT + "一小时后")
        with pytest.raises(services.RateLimited):
            submit(world, content=CONTENT + "一天第四次")


def test_given_photos_then_checked_by_content_and_stored(world, tmp_path, settings):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = str(tmp_path)
    buf = BytesIO()
    Image.new("RGB", (20, 20), "red").save(buf, "JPEG")
    good = SimpleUploadedFile("a.jpg", buf.getvalue(), "image/jpeg")
    bad = SimpleUploadedFile("b.jpg", b"not an image at all", "image/jpeg")
    with pytest.raises(ValidationFailed) as exc:
        submit(world, photos=[good, bad])
    assert "photos" in exc.value.errors
    good.seek(0)
    report, _s = submit(world, photos=[good])
    assert report.photos.count() == 1
    from django.test import Client
    from django.urls import reverse

    from tests.world import PASSWORD

    photo = report.photos.get()
    url = reverse("public:report-photo", args=[report.pk, photo.pk])
    for who, status in (("coordinator_x", 200), ("coordinator_y", 404), ("principal_a", 403)):
        c = Client()
        c.login(username=who, password=PASSWORD)
        assert c.get(url).status_code == status, who


# --- tracking --------------------------------------------------------------------------------


def test_given_code_and_secret_then_tracked_and_wrong_secret_refused_then_limited(world):
    report, secret = submit(world)
    assert services.report_track(code=report.tracking_code.lower(), secret=secret).pk == report.pk
    with pytest.raises(NotFound):
        services.report_track(code=report.tracking_code, secret="WRONGWRONG", address="1.2.3.4")
    with pytest.raises(NotFound):
        services.report_track(code="NOSUCHCODE22", secret=secret, address="1.2.3.4")
    for _ in range(services.TRACK_FAILURES_PER_HOUR - 2):
        with pytest.raises(NotFound):
            services.report_track(code=report.tracking_code, secret="x", address="1.2.3.4")
    with pytest.raises(services.RateLimited):
        services.report_track(code=report.tracking_code, secret=secret, address="1.2.3.4")
    # Another sender is not affected.
    assert services.report_track(code=report.tracking_code, secret=secret, address="5.6.7.8")


def test_given_a_question_then_the_reporter_answers_through_the_tracking_secret(world):
    report, secret = submit(world)
    services.report_message(
        actor=actor(world, "coordinator_x"), report_id=report.pk, text="请补充具体时间"
    )
    services.report_answer(code=report.tracking_code, secret=secret, text="每晚22点以后")
    texts = [(m.from_reporter, m.text) for m in report.messages.all()]
    assert texts == [(False, "请补充具体时间"), (True, "每晚22点以后")]
    with pytest.raises(NotFound):
        services.report_answer(code=report.tracking_code, secret="bad", text="x")


# --- transitions -----------------------------------------------------------------------------


def test_given_a_report_when_handled_to_the_end_then_each_step_has_an_event_and_audit(world):
    report, _s = submit_named(world)
    report = _to(world, report, wf.PAID)
    assert report.state == wf.PAID
    assert report.department_id == world.emergency_x.pk and report.hazard_id
    assert report.reward_yuan == Decimal("15000.00") and report.fine_yuan == Decimal("100000")
    assert report.reward_basis and report.payment_ref == "PAY-2026-001" and report.paid_at
    actions = list(ReportEvent.objects.filter(report=report).values_list("action", flat=True))
    assert actions == [wf.SUBMIT, wf.TRIAGE, wf.VERIFY, wf.CONCLUDE, wf.REWARD, wf.PAY]
    audited = set(
        AuditEntry.objects.filter(
            object_type="public.report", object_id=str(report.pk)
        ).values_list("action", flat=True)
    )
    assert {
        "report_submit",
        "report_triage",
        "report_verify",
        "report_conclude",
        "report_reward",
        "report_pay",
    } <= audited


def test_given_a_named_hazard_when_verified_then_a_hazard_is_reported_from_the_public(world):
    report, _s = submit(world)
    services.report_triage(
        actor=actor(world, "coordinator_x"), report_id=report.pk, department_id=world.emergency_x.pk
    )
    data = report_data()
    data.pop("source", None)
    services.report_verify(
        actor=actor(world, "officer_emergency_x"), report_id=report.pk, hazard=data
    )
    report.refresh_from_db()
    assert report.hazard.enterprise_id == world.chem_a.pk
    assert report.hazard.source == "public_report"


ALL_ACTIONS = {
    wf.TRIAGE: lambda w, a, pk: services.report_triage(
        actor=a, report_id=pk, department_id=w.emergency_x.pk
    ),
    wf.MARK_DUPLICATE: lambda w, a, pk: services.report_mark_duplicate(
        actor=a, report_id=pk, duplicate_of=pk
    ),
    wf.VERIFY: lambda w, a, pk: services.report_verify(actor=a, report_id=pk, note="x"),
    wf.CONCLUDE: lambda w, a, pk: services.report_conclude(
        actor=a, report_id=pk, conclusion="unsubstantiated", reason="r"
    ),
    wf.REWARD: lambda w, a, pk: services.report_reward(actor=a, report_id=pk, fine_yuan="1000"),
    wf.PAY: lambda w, a, pk: services.report_pay(actor=a, report_id=pk, payment_ref="P1"),
    wf.EXTEND: lambda w, a, pk: services.report_extend(actor=a, report_id=pk, days=10, reason="r"),
    wf.MESSAGE: lambda w, a, pk: services.report_message(actor=a, report_id=pk, text="q"),
}


@pytest.mark.parametrize("state", wf.STATES)
def test_given_each_state_then_every_step_not_in_the_table_is_a_conflict(world, state):
    report, _s = submit_named(world)
    if state != wf.RECEIVED:
        report = _to(world, report, state)
    assert report.state == state
    allowed = set(wf.available(state, services.facts(report)))
    a = actor(world, "coordinator_x")
    for action, call in ALL_ACTIONS.items():
        if action in allowed:
            continue
        with pytest.raises(Conflict):
            call(world, a, report.pk)
    assert _state(report) == state


def test_given_an_unsubstantiated_report_then_no_reward(world):
    report, _s = submit_named(world)
    report = _to(world, report, wf.VERIFYING)
    services.report_conclude(
        actor=actor(world, "coordinator_x"),
        report_id=report.pk,
        conclusion="unsubstantiated",
        reason="查无此事",
    )
    with pytest.raises(Conflict):
        services.report_reward(
            actor=actor(world, "coordinator_x"), report_id=report.pk, fine_yuan="100000"
        )


def test_given_an_other_matter_then_no_reward(world):
    report, _s = submit_named(world, matter="other")
    report = _to(world, report, wf.CONCLUDED)
    with pytest.raises(Conflict):
        services.report_reward(
            actor=actor(world, "coordinator_x"), report_id=report.pk, fine_yuan="100000"
        )


def test_given_a_bad_fine_then_refused_with_field(world):
    report, _s = submit_named(world)
    report = _to(world, report, wf.CONCLUDED)
    with pytest.raises(ValidationFailed) as exc:
        services.report_reward(
            actor=actor(world, "coordinator_x"), report_id=report.pk, fine_yuan="-5"
        )
    assert "fine_yuan" in exc.value.errors


def test_given_an_anonymous_report_then_rewarded_only_after_the_reporter_names_himself(world):
    report, secret = submit(world)
    report = _to(world, report, wf.CONCLUDED)
    with pytest.raises(Conflict):
        services.report_reward(
            actor=actor(world, "coordinator_x"), report_id=report.pk, fine_yuan="100000"
        )
    services.report_identify(
        code=report.tracking_code, secret=secret, data={"name": NAME, "phone": PHONE}
    )
    report.refresh_from_db()
    assert not report.anonymous and NAME.encode() not in bytes(report.identity_cipher)
    services.report_reward(
        actor=actor(world, "coordinator_x"), report_id=report.pk, fine_yuan="10000"
    )
    assert Report.objects.get(pk=report.pk).reward_yuan == Decimal("3000.00")  # the minimum
    with pytest.raises(Conflict):
        services.report_identify(
            code=report.tracking_code, secret=secret, data={"name": NAME, "phone": PHONE}
        )


def test_given_two_reports_verified_by_one_hazard_then_only_the_first_is_rewarded(world):
    first, _s = submit_named(world)
    second, _s = submit_named(world, content=CONTENT + "再次举报", sender="10.0.0.7")
    a = actor(world, "coordinator_x")
    hazard = hazard_report(world)
    for r in (first, second):
        services.report_triage(actor=a, report_id=r.pk, department_id=world.emergency_x.pk)
        services.report_verify(actor=a, report_id=r.pk, hazard_id=hazard.pk)
        services.report_conclude(actor=a, report_id=r.pk, conclusion="substantiated", reason="属实")
    services.report_reward(actor=a, report_id=first.pk, fine_yuan="50000")
    with pytest.raises(Conflict):
        services.report_reward(actor=a, report_id=second.pk, fine_yuan="50000")


def test_given_a_concealed_accident_report_then_the_accident_is_flagged(world):
    from tests.accidents.accident_helpers import report as accident_report

    accident = accident_report(world)
    report, _s = submit_named(world, matter="concealed_accident")
    report = _to(world, report, wf.TRIAGED)
    a = actor(world, "coordinator_x")
    services.report_verify(actor=a, report_id=report.pk, accident_id=accident.pk)
    services.report_conclude(
        actor=a,
        report_id=report.pk,
        conclusion="substantiated",
        reason="瞒报属实",
        mark_concealed=True,
    )
    accident.refresh_from_db()
    assert accident.concealed
    services.report_reward(actor=a, report_id=report.pk, grade="一般", deaths=2)
    assert Report.objects.get(pk=report.pk).reward_yuan == Decimal("60000.00")


# --- duplicates ------------------------------------------------------------------------------


def test_given_a_similar_later_report_then_proposed_and_linked_as_duplicate(world):
    first, _s = submit(world)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        second, secret2 = submit(
            world,
            content="东县甲化工有限公司储罐区可燃气体报警器一直关闭，晚上违规动火作业！",
            sender="10.0.0.3",
        )
    other, _s = submit(
        world,
        content="东县乙建筑工地脚手架没有防护网，工人不系安全带。",
        enterprise_name=world.build_b.name,
        sender="10.0.0.4",
    )
    user = world.user("coordinator_x")
    assert services.likely_duplicates(user, second) == [first]
    assert services.likely_duplicates(user, other) == []
    a = actor(world, "coordinator_x")
    with pytest.raises(ValidationFailed):
        services.report_mark_duplicate(actor=a, report_id=first.pk, duplicate_of=second.pk)  # later
    services.report_mark_duplicate(actor=a, report_id=second.pk, duplicate_of=first.pk)
    second.refresh_from_db()
    assert second.state == wf.DUPLICATE and second.duplicate_of_id == first.pk
    assert services.available(user, second) == []
    # The reporter of a duplicate cannot name himself for a reward.
    with pytest.raises(Conflict):
        services.report_identify(
            code=second.tracking_code, secret=secret2, data={"name": NAME, "phone": PHONE}
        )


def test_given_a_report_in_another_county_then_not_a_duplicate_target(world):
    first, _s = submit(world, division=world.town_y.pk, enterprise_name="")
    second, _s = submit(world, sender="10.0.0.3")
    with pytest.raises(ValidationFailed):
        services.report_mark_duplicate(
            actor=actor(world, "coordinator_x"), report_id=second.pk, duplicate_of=first.pk
        )


# --- who acts --------------------------------------------------------------------------------


def test_given_personas_then_only_handlers_in_scope_act(world):
    report, _s = submit_named(world)
    for who in (
        "coordinator_y",
        "principal_a",
        "safety_a",
        "employee_a",
        "principal_c",
        "outsider",
        "security_admin",
        "audit_admin",
    ):
        with pytest.raises(NotFound):
            services.report_triage(
                actor=actor(world, who), report_id=report.pk, department_id=world.emergency_x.pk
            )
    with pytest.raises(NotFound):  # a grid officer sees only the grid's rows
        services.report_triage(
            actor=actor(world, "grid_x1"), report_id=report.pk, department_id=world.emergency_x.pk
        )
    for who in ("expert_x", "platform_admin"):
        with pytest.raises(Forbidden):
            services.report_triage(
                actor=actor(world, who), report_id=report.pk, department_id=world.emergency_x.pk
            )
    # Before assignment any department officer in scope may triage; after, only that department's.
    services.report_triage(
        actor=actor(world, "officer_housing_x"),
        report_id=report.pk,
        department_id=world.emergency_x.pk,
    )
    with pytest.raises(Forbidden):
        services.report_message(
            actor=actor(world, "officer_housing_x"), report_id=report.pk, text="q"
        )
    services.report_message(
        actor=actor(world, "officer_emergency_x"), report_id=report.pk, text="q"
    )
    services.report_message(actor=actor(world, "coordinator_x"), report_id=report.pk, text="q2")


def test_given_a_department_of_another_county_then_triage_refused(world):
    report, _s = submit(world)
    with pytest.raises(ValidationFailed):
        services.report_triage(
            actor=actor(world, "coordinator_x"),
            report_id=report.pk,
            department_id=world.emergency_y.pk,
        )


def test_given_scopes_then_enterprise_staff_see_no_report_even_about_their_own(world):
    from anjian.core import scoping

    submit(world)
    submit(world, division=world.town_y.pk, enterprise_name=world.chem_c.name, sender="10.0.0.5")
    seen = {who: scoping.visible(world.user(who), Report).count() for who in world.users}
    assert seen["coordinator_x"] == 1 and seen["coordinator_y"] == 1 and seen["platform_admin"] == 2
    for who in (
        "principal_a",
        "safety_a",
        "employee_a",
        "principal_c",
        "outsider",
        "security_admin",
        "audit_admin",
    ):
        assert seen[who] == 0, who


# --- the 60-day clock ------------------------------------------------------------------------


def test_given_the_clock_then_reminded_7_days_before_flagged_overdue_once_and_extendable_once(
    world, django_capture_on_commit_callbacks
):
    def due(day: dt.date) -> dict[str, int]:
        with django_capture_on_commit_callbacks(execute=True):
            return report_jobs.reports_due(today=day)

    with time_machine.travel(dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC), tick=False):
        report, _s = submit(world)
    report.refresh_from_db()
    assert report.due_on == dt.date(2026, 4, 30)
    coordinator = world.user("coordinator_x")
    before = Notification.objects.filter(recipient=coordinator).count()
    assert due(dt.date(2026, 4, 22)) == {"reminded": 0, "overdue": 0}
    assert due(dt.date(2026, 4, 23)) == {"reminded": 1, "overdue": 0}
    assert due(dt.date(2026, 4, 23)) == {"reminded": 0, "overdue": 0}
    assert Notification.objects.filter(recipient=coordinator, kind="deadline").count() == 1
    assert not services.is_overdue(report, dt.date(2026, 4, 30))
    assert services.is_overdue(report, dt.date(2026, 5, 1))
    assert due(dt.date(2026, 5, 1)) == {"reminded": 0, "overdue": 1}
    assert due(dt.date(2026, 5, 2)) == {"reminded": 0, "overdue": 0}
    assert Notification.objects.filter(recipient=coordinator).count() == before + 2
    a = actor(world, "coordinator_x")
    with pytest.raises(ValidationFailed):
        services.report_extend(actor=a, report_id=report.pk, days=31, reason="复杂")
    with pytest.raises(ValidationFailed):
        services.report_extend(actor=a, report_id=report.pk, days=10, reason="")
    services.report_extend(actor=a, report_id=report.pk, days=30, reason="需要检测机构出具报告")
    report.refresh_from_db()
    assert report.due_on == dt.date(2026, 5, 30) and report.extended
    with pytest.raises(Conflict):
        services.report_extend(actor=a, report_id=report.pk, days=1, reason="再次")
    # The new deadline gets its own reminder and overdue flag.
    assert due(dt.date(2026, 5, 23)) == {"reminded": 1, "overdue": 0}
    assert due(dt.date(2026, 5, 31)) == {"reminded": 0, "overdue": 1}


def test_given_a_concluded_report_then_never_overdue(world):
    report, _s = submit_named(world)
    report = _to(world, report, wf.CONCLUDED)
    assert not services.is_overdue(report, report.due_on + dt.timedelta(days=5))
    assert report_jobs.reports_due(today=report.due_on + dt.timedelta(days=5))["overdue"] == 0


# --- the identity ----------------------------------------------------------------------------


def _no_identity_in_audit() -> None:
    for entry in AuditEntry.objects.all():
        text = f"{entry.summary} {entry.changes} {entry.actor_label}"
        for value in IDENTITY:
            assert value not in text


def test_given_reveal_attempts_then_only_the_permission_holder_with_a_reason_reads_and_all_are_recorded(
    world,
):
    report, _s = submit_named(world)
    a = actor(world, "coordinator_x")
    with pytest.raises(Forbidden):
        services.identity_reveal(actor=a, report_id=report.pk, reason="核实")
    grant_reveal(world.user("coordinator_x"))
    a = actor(world, "coordinator_x")
    with pytest.raises(ValidationFailed):
        services.identity_reveal(actor=a, report_id=report.pk, reason="  ")
    identity = services.identity_reveal(actor=a, report_id=report.pk, reason="发放奖励需核实身份")
    assert identity == {"name": NAME, "phone": PHONE, "id_number": ID_NUMBER, "address": ADDRESS}
    grant_reveal(world.user("coordinator_y"))
    with pytest.raises(NotFound):
        services.identity_reveal(
            actor=actor(world, "coordinator_y"), report_id=report.pk, reason="好奇"
        )
    for who in ("principal_a", "outsider", "security_admin"):
        with pytest.raises((NotFound, Forbidden)):
            services.identity_reveal(actor=actor(world, who), report_id=report.pk, reason="x")
    rows = list(
        IdentityAccess.objects.order_by("pk").values_list("user__username", "allowed", "reason")
    )
    assert rows[:4] == [
        ("coordinator_x", False, "核实"),
        ("coordinator_x", False, ""),
        ("coordinator_x", True, "发放奖励需核实身份"),
        ("coordinator_y", False, "好奇"),
    ]
    assert len(rows) == 7
    assert AuditEntry.objects.filter(action="report_identity_reveal").count() == 1
    assert AuditEntry.objects.filter(action="report_identity_refused").count() == 6
    _no_identity_in_audit()


def test_given_an_anonymous_report_then_nothing_to_reveal(world):
    report, _s = submit(world)
    grant_reveal(world.user("coordinator_x"))
    with pytest.raises(Conflict):
        services.identity_reveal(
            actor=actor(world, "coordinator_x"), report_id=report.pk, reason="核实"
        )


def test_given_the_whole_life_then_no_event_notification_or_log_shows_the_identity(world, caplog):
    caplog.set_level("DEBUG")
    report, secret = submit_named(world)
    report = _to(world, report, wf.PAID)
    grant_reveal(world.user("coordinator_x"))
    services.identity_reveal(
        actor=actor(world, "coordinator_x"), report_id=report.pk, reason="奖励发放"
    )
    report_jobs.reports_due(today=report.due_on + dt.timedelta(days=1))
    _no_identity_in_audit()
    for e in ReportEvent.objects.all():
        for value in IDENTITY:
            assert value not in f"{e.note} {e.data}"
    for n in Notification.objects.all():
        for value in IDENTITY:
            assert value not in f"{n.title} {n.body} {n.link} {n.object_label}"
    for value in (*IDENTITY, secret):
        assert value not in caplog.text


def test_given_the_command_then_the_permission_is_granted_audited_and_withdrawn(world):
    from io import StringIO

    from django.core.management import call_command

    call_command("reports_identity_access", "coordinator_x", stdout=StringIO())
    from anjian.accounts.models import User

    assert User.objects.get(username="coordinator_x").has_perm(services.PERMISSION)
    assert AuditEntry.objects.filter(action="identity_perm_grant").count() == 1
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("reports_identity_access", "principal_a", stdout=StringIO())
    call_command("reports_identity_access", "coordinator_x", "--revoke", stdout=StringIO())
    assert not User.objects.get(username="coordinator_x").has_perm(services.PERMISSION)


def test_given_the_due_command_then_it_prints_counts(world):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("reports_due", "--date", "2026-01-01", stdout=out)
    assert '"reminded": 0' in out.getvalue()

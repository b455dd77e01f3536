"""Notifications: the inbox rows, the pluggable senders (on commit only), the inbox page
and API (a user never sees another's notifications), and who the hazard steps tell."""

import datetime as dt
import logging

import pytest
from django.db import transaction
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from anjian.core import notify
from anjian.core.models import Notification, SentMessage
from anjian.hazards import notify as hazard_notify
from tests.api.conftest import ApiClient
from tests.hazards.helpers import MAJOR_ITEM, bring, do, report
from tests.world import PASSWORD


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class RecordingSender:
    sent: list = []

    def send(self, message):
        RecordingSender.sent.append(message)


class BrokenGateway:
    def send(self, message):
        raise ConnectionError("gateway down")


def tell(world, *names, kind="assignment", **kw):
    return notify.notify(
        recipients=[world.user(n) for n in names],
        kind=kind,
        title=kw.pop("title", "请处理隐患"),
        body=kw.pop("body", "东县甲化工 1号储罐区"),
        **kw,
    )


# --- notify and the senders -------------------------------------------------------------------


def test_given_recipients_when_notified_then_one_row_each_skipping_repeats_and_roleless(world):
    rows = tell(world, "principal_a", "safety_a", "principal_a", "outsider", link="/hazards/1/")
    assert sorted(r.recipient.username for r in rows) == ["principal_a", "safety_a"]
    assert all(r.read_at is None and r.link == "/hazards/1/" for r in rows)
    inactive = world.user("safety_a")
    inactive.is_active = False
    inactive.save()
    assert [r.recipient_id for r in tell(world, "safety_a", "principal_a")] == [
        world.user("principal_a").pk
    ]
    assert notify.notify(recipients=[None], kind="other", title="x") == []


def test_given_unknown_kind_when_notified_then_refused(world):
    with pytest.raises(ValueError):
        tell(world, "principal_a", kind="gossip")


def test_given_default_sender_when_committed_then_logged_not_sent_with_a_record(
    world, django_capture_on_commit_callbacks, caplog
):
    world.user("principal_a").phone = "13800000000"
    world.user("principal_a").save()
    with caplog.at_level(logging.INFO, logger="anjian.notify"):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            tell(world, "principal_a")
        assert not SentMessage.objects.exists()  # nothing before the commit
        for callback in callbacks:
            callback()
    row = SentMessage.objects.get()
    assert row.status == "logged" and row.sender == "anjian.core.notify.LoggingSender"
    assert row.phone == "13800000000" and row.title == "请处理隐患"
    assert row.recipient == world.user("principal_a")
    assert "SMS/mail not sent" in caplog.text and "13800000000" in caplog.text


def test_given_rolled_back_transaction_when_notified_then_no_row_and_nothing_sent(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                tell(world, "principal_a")
                raise RuntimeError("the step failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Notification.objects.exists() and not SentMessage.objects.exists()


def test_given_configured_senders_when_one_fails_then_others_deliver_and_failure_recorded(
    world, settings, django_capture_on_commit_callbacks
):
    settings.ANJIAN_NOTIFY_SENDERS = [
        "tests.core.test_notify.RecordingSender",
        "tests.core.test_notify.BrokenGateway",
    ]
    RecordingSender.sent = []
    with django_capture_on_commit_callbacks(execute=True):
        rows = tell(world, "principal_a", "safety_a")
    assert sorted(m.recipient_id for m in RecordingSender.sent) == sorted(
        r.recipient_id for r in rows
    )
    assert all(
        isinstance(m, notify.Message) and m.title == "请处理隐患" for m in RecordingSender.sent
    )
    assert sorted(m.notification_id for m in RecordingSender.sent) == sorted(r.pk for r in rows)
    assert SentMessage.objects.filter(status="sent").count() == 2
    failed = SentMessage.objects.filter(status="failed")
    assert failed.count() == 2 and "gateway down" in failed.first().error
    assert Notification.objects.count() == 2  # the inbox does not depend on the gateway


def test_given_a_non_sender_in_settings_when_loaded_then_refused(settings):
    settings.ANJIAN_NOTIFY_SENDERS = ["anjian.core.notify.Message"]
    with pytest.raises(TypeError):
        notify.senders()


def test_given_logging_sender_then_it_satisfies_the_protocol():
    assert isinstance(notify.LoggingSender(), notify.Sender)


# --- the inbox: service, page, tag, API ----------------------------------------------------------


def test_given_notifications_when_marking_read_then_only_own_and_first_time_kept(world):
    mine = tell(world, "principal_a")[0]
    theirs = tell(world, "safety_a")[0]
    principal = world.user("principal_a")
    assert notify.unread_count(principal) == 1
    assert notify.mark_read(principal, theirs.pk) is None
    theirs.refresh_from_db()
    assert theirs.read_at is None
    first = notify.mark_read(principal, mine.pk).read_at
    assert first is not None and notify.mark_read(principal, mine.pk).read_at == first
    assert notify.unread_count(principal) == 0
    assert list(notify.inbox(world.user("outsider"))) == []


def client_for(name):
    c = Client()
    assert c.login(username=name, password=PASSWORD)
    return c


def test_given_inbox_page_when_opened_then_own_notifications_and_unread_count(world):
    tell(world, "principal_a", title="隐患整改通知")
    tell(world, "safety_a", title="别人的通知")
    tell(world, "principal_a", kind="escalation", title="逾期升级")
    page = client_for("principal_a").get(reverse("inbox"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "隐患整改通知" in html and "逾期升级" in html and "别人的通知" not in html
    assert page.context["unread"] == 2
    only = client_for("principal_a").get(reverse("inbox") + "?kind=escalation")
    assert [n.title for n in only.context["page"].object_list] == ["逾期升级"]
    assert client_for("outsider").get(reverse("inbox")).status_code == 403
    assert Client().get(reverse("inbox")).status_code == 302  # sign in first


def test_given_inbox_page_when_marking_read_then_own_only_and_link_followed_if_local(world):
    local = tell(world, "principal_a", link="/hazards/7/")[0]
    evil = tell(world, "principal_a", link="https://evil.example/")[0]
    theirs = tell(world, "safety_a")[0]
    c = client_for("principal_a")
    go = c.post(reverse("inbox-read", args=[local.pk]), {"go": "1"})
    assert go.status_code == 302 and go["Location"] == "/hazards/7/"
    stay = c.post(reverse("inbox-read", args=[evil.pk]), {"go": "1"})
    assert stay["Location"] == reverse("inbox")
    assert c.post(reverse("inbox-read", args=[theirs.pk])).status_code == 404
    assert c.get(reverse("inbox-read", args=[local.pk])).status_code == 405
    theirs.refresh_from_db()
    assert theirs.read_at is None
    tell(world, "principal_a")
    assert c.post(reverse("inbox-read-all")).status_code == 302
    assert notify.unread_count(world.user("principal_a")) == 0
    assert notify.unread_count(world.user("safety_a")) == 1


def test_given_template_tag_when_rendered_then_unread_count_of_the_user(world):
    tell(world, "principal_a")
    tell(world, "principal_a")
    request = RequestFactory().get("/")
    request.user = world.user("principal_a")
    out = Template("{% load inbox %}{% inbox_unread as n %}{{ n }}").render(
        Context({"request": request})
    )
    assert out == "2"
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert (
        Template("{% load inbox %}{% inbox_unread %}").render(Context({"request": request})) == "0"
    )


def test_given_api_when_reading_inbox_then_own_rows_only(world):
    mine = tell(world, "principal_a", title="我的")[0]
    theirs = tell(world, "safety_a", title="他的")[0]
    api = ApiClient(world.token("principal_a"))
    body = api.get("/inbox").json()
    assert body["count"] == 1 and body["unread"] == 1
    assert [n["title"] for n in body["items"]] == ["我的"]
    assert api.post(f"/inbox/{theirs.pk}/read").status_code == 404
    assert api.post("/inbox/999999/read").status_code == 404
    read = api.post(f"/inbox/{mine.pk}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert api.get("/inbox", unread="true").json()["count"] == 0
    assert api.get("/inbox", kind="nonsense").status_code == 422
    tell(world, "principal_a", kind="deadline")
    assert api.get("/inbox", kind="deadline").json()["count"] == 1
    assert api.post("/inbox/read-all").json() == {"marked": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert ApiClient().get("/inbox").status_code == 401
    assert ApiClient(world.token("outsider")).get("/inbox").json()["count"] == 0


# --- who the hazard steps tell -----------------------------------------------------------------


def _inbox(world, name):
    return list(notify.inbox(world.user(name)).values_list("kind", flat=True))


def test_given_inspector_reports_when_committed_then_enterprise_managers_assigned(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        hazard = report(world, who="grid_x1")
    assert _inbox(world, "principal_a") == ["assignment"]
    assert _inbox(world, "safety_a") == ["assignment"]
    assert _inbox(world, "employee_a") == [] and _inbox(world, "grid_x1") == []
    row = notify.inbox(world.user("principal_a")).get()
    assert hazard.number in row.title and row.link == reverse("hazards:detail", args=[hazard.pk])


def test_given_employee_or_manager_reports_when_committed_then_only_employee_reports_told(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report(world, who="employee_a")
    assert Notification.objects.count() == 2  # the managers: a staff report is theirs too
    assert _inbox(world, "employee_a") == []
    with django_capture_on_commit_callbacks(execute=True):
        report(world, who="safety_a")
    assert Notification.objects.count() == 2  # a manager's own report tells nobody


def test_given_major_reported_when_committed_then_deciders_and_experts_get_a_todo(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report(world, who="safety_a", major_item=MAJOR_ITEM)
    # Told at once, and waited for: the listing (挂牌督办) and the expert's confirmation.
    assert _inbox(world, "coordinator_x") == ["assignment"]
    assert _inbox(world, "officer_emergency_x") == ["assignment"]
    assert _inbox(world, "expert_x") == ["assignment"]
    for name in ("coordinator_y", "officer_housing_x", "outsider", "principal_a"):
        assert _inbox(world, name) == []


def test_given_enterprise_hazard_submitted_and_decided_then_its_acceptor_then_fixer_told(
    world, django_capture_on_commit_callbacks
):
    # 16号令 第十五条: the enterprise accepts what it found; no regulator is asked.
    hazard = bring(world, "general_rectifying")
    with django_capture_on_commit_callbacks(execute=True):
        do(world, "safety_a", hazard, "submit", False)
    assert _inbox(world, "principal_a") == ["assignment"]
    for name in ("officer_emergency_x", "coordinator_x", "grid_x1"):
        assert _inbox(world, name) == []
    with django_capture_on_commit_callbacks(execute=True):
        do(world, "principal_a", hazard, "reject", False)
    assert _inbox(world, "safety_a") == ["decision"]
    body = notify.inbox(world.user("safety_a")).get().body
    assert "阻火器型号不符" in body  # the reasons travel with the decision


def test_given_inspector_found_hazard_submitted_and_decided_then_department_then_managers_told(
    world, django_capture_on_commit_callbacks
):
    from tests.hazards.helpers import GOV_PATH

    hazard = bring(world, "gov_reported")
    for who, action in GOV_PATH[:2]:
        hazard = do(world, who, hazard, action, False)
    with django_capture_on_commit_callbacks(execute=True):
        do(world, "safety_a", hazard, "submit", False)
    assert _inbox(world, "officer_emergency_x") == ["assignment"]
    assert _inbox(world, "coordinator_x") == []  # the finding department reviews
    assert _inbox(world, "principal_a") == []
    with django_capture_on_commit_callbacks(execute=True):
        do(world, "officer_emergency_x", hazard, "reject", False)
    # The rejection hands the hazard back: a to-do (submit again) carrying the decision.
    assert _inbox(world, "principal_a") == ["assignment"]
    assert _inbox(world, "safety_a") == ["assignment"]
    row = notify.inbox(world.user("safety_a")).get()
    assert hazard.number in row.title and "阻火器型号不符" in row.body


def test_given_major_submitted_when_committed_then_listing_authority_told(
    world, django_capture_on_commit_callbacks
):
    hazard = bring(world, "major_listed")  # listed by coordinator_x
    hazard = do(world, "principal_a", hazard, "set_plan", True)
    hazard = do(world, "safety_a", hazard, "start", True)
    with django_capture_on_commit_callbacks(execute=True):
        do(world, "safety_a", hazard, "submit", True)
    assert _inbox(world, "coordinator_x") == ["assignment"]
    assert _inbox(world, "officer_emergency_x") == []


def test_given_failed_step_when_rolled_back_then_nobody_told(
    world, django_capture_on_commit_callbacks
):
    from anjian.core.errors import ValidationFailed
    from tests.hazards.helpers import act

    hazard = bring(world, "general_rectifying")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationFailed):
        act(world, "safety_a", hazard, "submit", {"note": ""})
    assert not Notification.objects.exists()


def test_given_notification_failure_when_step_committed_then_step_stands(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    def boom(*a, **k):
        raise RuntimeError("inbox down")

    monkeypatch.setattr(hazard_notify, "notify_step", boom)
    with django_capture_on_commit_callbacks(execute=True):
        hazard = report(world, who="grid_x1")
    assert hazard.pk and not Notification.objects.exists()


def test_given_step_rules_table_then_every_rule_names_known_audience_and_condition():
    for rule in hazard_notify.STEP_RULES:
        assert rule.audience in hazard_notify.AUDIENCES
        assert rule.when in hazard_notify.CONDITIONS
        assert rule.action in hazard_notify.step_titles()


def test_given_enterprise_without_lead_department_when_extension_asked_then_coordinator_told(
    world, django_capture_on_commit_callbacks
):
    from anjian.hazards import extensions
    from tests.hazards.helpers import act, actor, five_fixes

    staff = _gap_staff(world)
    hazard = report(world, who=staff.username, enterprise=world.ess_d)
    hazard = act(world, staff.username, hazard, "set_five_fixes", five_fixes())
    hazard = act(world, staff.username, hazard, "start")
    with django_capture_on_commit_callbacks(execute=True):
        extensions.deadline_extension_request(
            actor=actor(world, staff.username),
            hazard_id=hazard.pk,
            new_deadline=hazard.deadline + dt.timedelta(days=10),
            reason="设备到货延迟",
        )
    # No lead department (a supervision gap): the county's safety committee office decides.
    assert _inbox(world, "coordinator_x") == ["assignment"]
    assert _inbox(world, "coordinator_y") == []


def _gap_staff(world):
    from anjian.accounts.models import Role, User

    user = User.objects.create_user(
        username="principal_d",
        password=PASSWORD,
        role=Role.ENTERPRISE_PRINCIPAL,
        enterprise=world.ess_d,
    )
    world.users["principal_d"] = user
    return user

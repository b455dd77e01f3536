"""The credit file and the list of untrustworthy subjects: figures from the ledger, the
evaluation job listing and removing over time, who sees the list (pages and API)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from anjian.core.audit import audit_verify
from anjian.core.models import AuditEntry
from anjian.credit import rules, services
from anjian.credit.models import CreditFile, CreditListEntry
from anjian.hazards import rechecks
from anjian.hazards.models import Recheck, RecheckRun
from tests import clock
from tests.api.conftest import ApiClient
from tests.hazards.helpers import LISTED_PATH, act, actor, bring, do, five_fixes, report

TODAY = clock.TODAY

pytestmark = pytest.mark.usefixtures("clock_at_ten")


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def evaluate(on: dt.date):
    return services.credit_evaluate(today=on)


def figures(world, on: dt.date, enterprise=None):
    enterprise = enterprise or world.chem_a
    start = rules.period_start(on, 12)
    return services.compute_figures([enterprise.pk], today=on, start=start)[enterprise.pk]


def general_fixes_set(world, deadline_days=10):
    h = report(world)
    return act(
        world, "safety_a", h, "set_five_fixes", five_fixes(deadline=day(deadline_days).isoformat())
    )


def close_general(world, h):
    # chem_a found it, so chem_a accepts it: the principal (the safety officer submitted).
    for who, action in [("safety_a", "start"), ("safety_a", "submit"), ("principal_a", "accept")]:
        h = do(world, who, h, action, False)
    return h


def relapse(world, hazard, n):
    """A done re-check of `hazard` with the result relapsed (through the service)."""
    run = RecheckRun.objects.create(division=world.county_x, period=f"t-{n}", seed=n)
    rc = Recheck.objects.create(
        hazard=hazard, run=run, sampled_on=TODAY, reason="general_share", due_on=day(30)
    )
    return rechecks.recheck_record(
        actor=actor(world, "grid_x1"), recheck_id=rc.pk, result="relapsed", findings="又出现"
    )


# --- figures ----------------------------------------------------------------------------------


def test_given_hazards_with_deadlines_when_figured_then_on_time_overdue_and_rate(world):
    late = [general_fixes_set(world) for _ in range(3)]
    on_time = [close_general(world, general_fixes_set(world)) for _ in range(2)]
    f = figures(world, day(11))
    assert (f.with_deadline, f.on_time, f.overdue) == (5, 2, 3)
    assert f.on_time_rate == 0.4
    # On the deadline day nothing is overdue yet: 2 closed, 3 open but not late.
    f = figures(world, day(10))
    assert (f.with_deadline, f.on_time, f.overdue) == (2, 2, 0)
    assert len(late) == 3 and len(on_time) == 2
    assert figures(world, day(11), world.chem_c).with_deadline == 0  # another enterprise


def test_given_major_hazard_past_supervision_deadline_when_figured_then_days_overdue(world):
    bring(world, "major_listed")  # supervision deadline in 60 days, no five fixes yet
    assert figures(world, day(60)).major_overdue_days == 0
    f = figures(world, day(91))
    assert (f.major_overdue_days, f.open_major, f.overdue) == (31, 1, 1)


def test_given_rejections_and_relapses_when_figured_then_counted(world):
    h = bring(world, "general_submitted")
    h = act(world, "principal_a", h, "reject", {"note": "不合格"})
    assert h.state == "rectifying"
    closed = bring(world, "general_closed")
    relapse(world, closed, 1)
    f = figures(world, TODAY)
    assert (f.rejections, f.relapses) == (1, 1)
    # A year and a day later both have left the period.
    f = figures(world, day(366))
    assert (f.rejections, f.relapses) == (0, 0)


def test_given_many_enterprises_when_figured_then_a_fixed_number_of_queries(world):
    ids = [world.chem_a.pk, world.build_b.pk, world.ess_d.pk, world.chem_c.pk]
    bring(world, "general_submitted")
    with CaptureQueriesContext(connection) as ctx:
        services.compute_figures(ids, today=TODAY, start=rules.period_start(TODAY, 12))
    assert len(ctx.captured_queries) == 3


# --- the job over time ----------------------------------------------------------------------------


def test_given_major_overdue_when_evaluated_over_time_then_listed_then_removed(world):
    hazard = bring(world, "major_listed")
    assert evaluate(day(90))["listed"] == 0  # 30 days late: not beyond 30
    out = evaluate(day(91))
    assert (out["listed"], out["on_list"]) == (1, 1)
    entry = CreditListEntry.objects.get()
    assert (entry.enterprise, entry.rule_id, entry.listed_on) == (
        world.chem_a,
        "major_overdue_30",
        day(91),
    )
    assert entry.figures["major_overdue_days"] == 31 and entry.rule_text
    assert AuditEntry.objects.filter(action="credit_list", object_id=str(entry.pk)).exists()
    from anjian.core.models import Notification

    told = set(
        Notification.objects.filter(kind="decision").values_list("recipient__username", flat=True)
    )
    assert told == {"principal_a", "safety_a"}
    # Idempotent: again the same day, and the next day while still firing.
    assert evaluate(day(91))["listed"] == 0
    assert evaluate(day(92))["listed"] == 0
    assert CreditListEntry.objects.count() == 1
    assert CreditFile.objects.get(enterprise=world.chem_a).last_fired_on == day(92)

    # The enterprise fixes it and the listing office accepts it (closed now, i.e. before
    # the evaluation days above).
    for who, action in [*LISTED_PATH[1:], ("coordinator_x", "accept")]:
        hazard = do(world, who, hazard, action, True)
    assert hazard.state == "closed"
    assert evaluate(day(93))["removed"] == 0  # clean since day 92 only
    last_fired = day(92)
    clean_day = rules.add_months(last_fired, 6)
    assert evaluate(clean_day - dt.timedelta(days=1))["removed"] == 0
    out = evaluate(clean_day)
    assert (out["removed"], out["on_list"]) == (1, 0)
    entry.refresh_from_db()
    assert entry.removed_on == clean_day and "6" in entry.removal_reason
    assert entry.rule_id == "major_overdue_30"  # the rest of the row is unchanged
    assert evaluate(clean_day)["removed"] == 0
    assert AuditEntry.objects.filter(action="credit_unlist").count() == 1
    assert audit_verify().ok


def test_given_two_relapses_when_evaluated_then_listed_for_relapses(world):
    relapse(world, bring(world, "general_closed"), 1)
    assert evaluate(TODAY)["listed"] == 0
    relapse(world, bring(world, "general_closed"), 2)
    assert evaluate(TODAY)["listed"] == 1
    assert CreditListEntry.objects.get().rule_id == "relapses_2"


def test_given_low_on_time_rate_when_evaluated_then_listed_for_the_rate(world):
    for _ in range(3):
        general_fixes_set(world)
    for _ in range(2):
        close_general(world, general_fixes_set(world))
    evaluate(day(11))
    entry = CreditListEntry.objects.get()
    assert entry.rule_id == "on_time_below_60" and entry.figures["on_time_rate"] == 0.4


def test_given_a_listed_enterprise_when_listed_again_at_once_then_one_open_entry(world):
    from django.db import IntegrityError, transaction

    CreditListEntry.objects.create(
        enterprise=world.chem_a, rule_id="x", rule_text="x", listed_on=TODAY
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditListEntry.objects.create(
            enterprise=world.chem_a, rule_id="y", rule_text="y", listed_on=TODAY
        )


def test_given_the_command_when_called_then_evaluates(world, capsys):
    call_command("credit_evaluate", "--date", TODAY.isoformat())
    assert '"enterprises": 4' in capsys.readouterr().out
    assert CreditFile.objects.count() == 4


def test_given_the_task_when_named_then_it_is_the_job():
    from anjian.credit.tasks import evaluate_credit

    assert evaluate_credit.name == "evaluate_credit"


# --- who sees the list --------------------------------------------------------------------------


@pytest.fixture
def listed(world):
    return CreditListEntry.objects.create(
        enterprise=world.chem_a,
        rule_id="relapses_2",
        rule_text="12个月内“回头看”发现隐患复发2次及以上",
        figures={"relapses": 2},
        listed_on=TODAY,
    )


READERS = [
    "coordinator_x",
    "coordinator_y",  # another county
    "officer_emergency_x",
    "officer_housing_x",  # a department without duty for chem_a
    "grid_x1",
    "expert_x",
    "platform_admin",
]


@pytest.mark.parametrize("persona", READERS)
def test_given_a_listed_enterprise_when_any_regulator_looks_then_sees_it(world, listed, persona):
    assert list(services.visible_entries(world.user(persona))) == [listed]
    client = Client()
    client.force_login(world.user(persona))
    page = client.get("/credit/list/")
    assert page.status_code == 200
    assert world.chem_a.name in page.content.decode()


def test_given_the_list_when_enterprises_look_then_only_their_own(world, listed):
    for name in ("principal_a", "safety_a", "employee_a"):
        assert list(services.visible_entries(world.user(name))) == [listed]
    assert not services.visible_entries(world.user("principal_c")).exists()
    client = Client()
    client.force_login(world.user("principal_c"))
    page = client.get("/credit/list/")
    assert page.status_code == 200 and world.chem_a.name not in page.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "security_admin", "audit_admin"])
def test_given_the_list_when_others_look_then_nothing(world, listed, persona):
    assert not services.visible_entries(world.user(persona)).exists()
    client = Client()
    client.force_login(world.user(persona))
    assert client.get("/credit/list/").status_code == 403


def test_given_anonymous_when_list_opened_then_sent_to_sign_in():
    assert Client().get("/credit/list/").status_code == 302


def test_given_a_regulator_outside_scope_when_list_shown_then_no_link_to_file(world, listed):
    client = Client()
    client.force_login(world.user("coordinator_y"))
    assert (
        f"/credit/enterprises/{world.chem_a.pk}/"
        not in client.get("/credit/list/").content.decode()
    )
    assert client.get(f"/credit/enterprises/{world.chem_a.pk}/").status_code == 404
    client.force_login(world.user("coordinator_x"))
    assert f"/credit/enterprises/{world.chem_a.pk}/" in client.get("/credit/list/").content.decode()


def test_given_removed_entries_when_current_list_shown_then_hidden_unless_all(world, listed):
    CreditListEntry.objects.filter(pk=listed.pk).update(removed_on=TODAY, removal_reason="clean")
    client = Client()
    client.force_login(world.user("coordinator_x"))
    assert world.chem_a.name not in client.get("/credit/list/").content.decode()
    assert world.chem_a.name in client.get("/credit/list/?show=all").content.decode()


# --- the credit file page ----------------------------------------------------------------------------


def test_given_relapse_and_rejection_when_file_opened_then_figures_and_links(world, listed):
    h = bring(world, "general_submitted")
    act(world, "principal_a", h, "reject", {"note": "阻火器型号不符"})
    rc = relapse(world, bring(world, "general_closed"), 1)
    for persona in ("principal_a", "coordinator_x", "officer_emergency_x"):
        client = Client()
        client.force_login(world.user(persona))
        page = client.get(f"/credit/enterprises/{world.chem_a.pk}/")
        assert page.status_code == 200, persona
        html = page.content.decode()
        assert f"/hazards/{h.pk}/" in html
        assert f"/hazards/{rc.relapse_hazard_id}/" in html
        assert listed.rule_text in html


@pytest.mark.parametrize(
    "persona", ["principal_c", "outsider", "coordinator_y", "officer_housing_x"]
)
def test_given_a_file_out_of_scope_when_opened_then_not_found(world, persona):
    client = Client()
    client.force_login(world.user(persona))
    assert client.get(f"/credit/enterprises/{world.chem_a.pk}/").status_code == 404


# --- API ----------------------------------------------------------------------------------------


def test_given_the_api_when_regulators_and_enterprises_read_the_list_then_scoped(world, listed):
    body = ApiClient(world.token("coordinator_y")).get("/credit/list").json()
    assert body["count"] == 1 and body["items"][0]["rule_id"] == "relapses_2"
    assert ApiClient(world.token("principal_a")).get("/credit/list").json()["count"] == 1
    assert ApiClient(world.token("principal_c")).get("/credit/list").json()["count"] == 0
    assert ApiClient(world.token("outsider")).get("/credit/list").status_code in (401, 403)
    assert ApiClient().get("/credit/list").status_code == 401


def test_given_the_api_when_credit_file_read_then_figures_and_scope(world, listed):
    resp = ApiClient(world.token("principal_a")).get(f"/enterprises/{world.chem_a.pk}/credit")
    assert resp.status_code == 200
    body = resp.json()
    assert body["on_list"] is True and body["figures"]["relapses"] == 0
    assert (
        ApiClient(world.token("principal_c"))
        .get(f"/enterprises/{world.chem_a.pk}/credit")
        .status_code
        == 404
    )

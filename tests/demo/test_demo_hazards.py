"""The demo hazards: every state of the closed loop on the demo plant, made through the
services; bulk hazards elsewhere shaped as the services write them."""

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from anjian.accounts.models import User
from anjian.core.audit import audit_verify
from anjian.demo.generator import build_demo
from anjian.hazards import workflow as wf
from anjian.hazards.models import (
    AccountabilityReview,
    Hazard,
    HazardCounter,
    HazardEvent,
    HazardPhoto,
)
from anjian.registry.models import DepartmentKind
from tests import clock

# The demo is built at ten and every test runs at ten of that day: its dates are relative
# to the day it was built on, and a module run across midnight would see two days.
pytestmark = pytest.mark.usefixtures("clock_at_ten")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo county for the module (building it is the slow part), rolled back at
    the end; each test runs in a savepoint inside it."""
    with clock.at_ten(), django_db_blocker.unblock(), transaction.atomic():
        build_demo(enterprises=80, seed=5)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def plant(demo, db):
    return User.objects.get(username="qiye_aqy").enterprise


def test_given_demo_when_built_then_the_plant_has_hazards_in_every_state(plant):
    states = set(Hazard.objects.filter(enterprise=plant).values_list("state", flat=True))
    assert {
        wf.REPORTED,
        wf.FIXES_SET,
        wf.RECTIFYING,
        wf.RESUME_APPLIED,
        wf.SUBMITTED,
        wf.CLOSED,
    } <= states
    assert not states & set(wf.RETIRED_STATES)
    # Every plant hazard was made by the demo accounts through the services: the safety
    # officer reports what the plant finds, the emergency department what it finds on
    # an inspection.
    reports = HazardEvent.objects.filter(hazard__enterprise=plant, action=wf.REPORT)
    assert set(reports.values_list("actor__username", flat=True)) == {
        "qiye_aqy",
        "qiye_yg",
        "yingji",
    }
    found = Hazard.objects.filter(
        enterprise=plant, events__in=reports.filter(actor__username="yingji")
    )
    assert {h.source for h in found} == {"government_inspection"}


def test_given_demo_then_the_listed_major_hazard_is_listed_by_the_emergency_department(plant):
    listed = Hazard.objects.get(enterprise=plant, level="major", state=wf.RECTIFYING)
    yingji = User.objects.get(username="yingji")
    assert listed.listed_by == yingji
    assert listed.listing_department.kind == DepartmentKind.EMERGENCY
    assert listed.major_item["item_id"] == "hc2017-12"
    assert all(listed.remediation_plan.values()) and len(listed.remediation_plan) == 6
    assert listed.deadline <= listed.listing_deadline
    # The listing department reviews it, not the plant.
    assert listed.review_department == yingji.department and listed.review_basis == "listed"
    assert not listed.enterprise_accepts
    actions = list(listed.events.values_list("action", flat=True))
    assert actions == ["report", "confirm_major", "list", "set_plan", "start"]
    plan = listed.events.get(action=wf.SET_PLAN)
    assert plan.actor.username == "qiye_fzr"  # the principal plans the remedy


def test_given_demo_then_a_closed_major_hazard_has_its_accountability_review(plant):
    closed = Hazard.objects.get(enterprise=plant, level="major", state=wf.CLOSED)
    review = AccountabilityReview.objects.get(hazard=closed)
    assert review.reviewed_by.username == "anweiban"
    # Listed by the 安委办, so the 安委办 accepted it (no stop, so no on-site review step).
    assert closed.review_division is not None and closed.review_basis == "listed"
    accepted = closed.events.get(action=wf.ACCEPT)
    assert accepted.actor.username == "anweiban"
    assert accepted.from_state == wf.SUBMITTED and accepted.to_state == wf.CLOSED
    assert not closed.events.filter(action=wf.REVIEW_PASS).exists()


def test_given_demo_then_the_stopped_major_hazard_waits_for_the_on_site_review(plant):
    stopped = Hazard.objects.get(enterprise=plant, state=wf.RESUME_APPLIED)
    yingji = User.objects.get(username="yingji")
    assert stopped.level == "major" and stopped.source == "government_inspection"
    # Found and stopped by the emergency department: it reviews on site within 10 days.
    assert stopped.review_department == yingji.department
    assert stopped.suspension.get("ordered")
    assert stopped.review_due_on == timezone.localdate(stopped.resume_applied_at) + dt.timedelta(
        days=10
    )
    actions = list(stopped.events.values_list("action", flat=True))
    assert actions == [
        "report",
        "suspend",
        "set_plan",
        "report_to_workers",
        "evaluate",
        "apply_resume",
    ]
    by = dict(stopped.events.values_list("action", "actor__username"))
    assert (by["suspend"], by["set_plan"], by["apply_resume"]) == ("yingji", "qiye_fzr", "qiye_fzr")


def test_given_demo_then_closed_on_time_and_late_rejected_and_fixed_on_the_spot(plant):
    closed = Hazard.objects.filter(enterprise=plant, state=wf.CLOSED, level="general")
    late = [h for h in closed if h.deadline and timezone.localdate(h.closed_at) > h.deadline]
    on_time = [h for h in closed if h.deadline and timezone.localdate(h.closed_at) <= h.deadline]
    assert late and on_time
    resubmitted = Hazard.objects.get(enterprise=plant, events__action=wf.REJECT)
    actions = list(resubmitted.events.values_list("action", flat=True))
    assert actions[-3:] == ["submit", "reject", "submit"]
    # The plant found it, so its principal (not the safety officer who fixed it) rejects.
    assert resubmitted.events.get(action=wf.REJECT).actor.username == "qiye_fzr"
    for hazard in closed.exclude(handling="on_spot"):
        assert hazard.events.get(action=wf.ACCEPT).actor.username == "qiye_fzr"
    assert resubmitted.state == wf.SUBMITTED
    spot = Hazard.objects.get(enterprise=plant, handling="on_spot")
    assert spot.state == wf.CLOSED
    photo = HazardPhoto.objects.get(hazard=spot)
    assert photo.kind == "after" and photo.image_format == "PNG" and photo.size > 0
    overdue = Hazard.objects.filter(
        enterprise=plant, deadline__lt=timezone.localdate(), state=wf.RECTIFYING
    )
    assert overdue.exists()


def test_given_demo_then_history_is_time_shifted_and_events_consistent(demo, db):
    today = timezone.localdate()
    oldest = Hazard.objects.order_by("reported_at").first()
    assert (today - timezone.localdate(oldest.reported_at)).days > 180
    for hazard in Hazard.objects.prefetch_related("events"):
        events = list(hazard.events.all())
        assert events[0].action == wf.REPORT and events[0].at == hazard.reported_at
        assert [e.at for e in events] == sorted(e.at for e in events)
        state = wf.REPORTED
        for event in events[1:]:
            assert event.from_state == state, (hazard.number, event.action)
            if event.action == "request_extension":  # beside the workflow: state kept
                assert event.to_state == state
                continue
            assert wf.transition(state, event.action) is not None, (hazard.number, event.action)
            state = event.to_state
        assert state == hazard.state, hazard.number
        if hazard.state == wf.CLOSED:
            assert hazard.closed_at == events[-1].at or hazard.level == "major"
            assert hazard.closed_at <= timezone.now()
        if hazard.level == "major" and hazard.state == wf.CLOSED:
            assert hasattr(hazard, "accountability_review")


def test_given_demo_then_numbers_are_unique_and_the_counters_agree(demo, db):
    numbers = list(Hazard.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    per_year = Counter(n.rsplit("-", 1)[0] for n in numbers)
    counters = {
        f"{c.division.code}-{c.year}": c.last for c in HazardCounter.objects.select_related()
    }
    assert counters == dict(per_year)  # no gaps, no collisions


def test_given_demo_then_other_enterprises_have_hazards_in_mixed_states(plant):
    others = Hazard.objects.exclude(enterprise=plant)
    assert others.values("enterprise").distinct().count() >= 2
    assert {wf.CLOSED, wf.RECTIFYING} <= set(others.values_list("state", flat=True))
    assert HazardPhoto.objects.exclude(hazard__enterprise=plant).exists()


def test_given_demo_then_the_audit_chain_verifies(demo, db):
    report = audit_verify()
    assert report.ok, report.problem


def test_given_demo_then_no_deadline_is_after_its_listing_deadline(demo, db):
    for hazard in Hazard.objects.filter(listing_deadline__isnull=False, deadline__isnull=False):
        assert hazard.deadline <= hazard.listing_deadline
    assert not Hazard.objects.filter(reported_at__gt=timezone.now() + dt.timedelta(seconds=1))


# --- Chinese texts, plausible for the trade ---------------------------------------------


def test_given_demo_then_every_description_is_chinese_and_no_english_item_text(demo, db):
    from anjian.hazards import reference
    from anjian.hazards.documents import is_chinese

    glosses = {i.text_en for i in reference.items().values() if i.text_en}
    for number, description, name in Hazard.objects.values_list("number", "description", "name"):
        assert is_chinese(description) and is_chinese(name), number
        assert description not in glosses and not any(g in description for g in glosses)


def test_given_demo_then_major_items_and_general_texts_fit_the_enterprise_trade(plant):
    from anjian.demo.hazards import item_description, texts_for_industry
    from anjian.hazards import reference

    majors = Hazard.objects.exclude(enterprise=plant).filter(level="major")
    for hazard in majors.select_related("enterprise__industry"):
        code = hazard.enterprise.industry.code
        item = reference.item(hazard.major_item["item_id"])
        assert reference.industry_matches(item.industries, code), (hazard.number, code, item.id)
        assert hazard.description == item_description(item)
        assert "快速冻结" not in hazard.description or code in ("HR-IT-LGT", "HR-IT-COM")
    generals = Hazard.objects.exclude(enterprise=plant).filter(level="general")
    assert generals.exists()
    for hazard in generals.select_related("enterprise__industry"):
        code = hazard.enterprise.industry.code
        assert hazard.description in {t[2] for t in texts_for_industry(code)}, (hazard.number, code)


def test_given_trades_when_texts_chosen_then_no_tank_farm_for_a_restaurant_or_furnace_for_a_machine_shop():
    from anjian.demo.hazards import texts_for_industry

    restaurant = {t[2] for t in texts_for_industry("H")}
    assert not any("储罐" in d for d in restaurant)
    machine_shop = {t[2] for t in texts_for_industry("HR-IT-MCH")}
    assert not any("窑" in d or "玻璃" in d for d in machine_shop)
    assert any("冲床" in d for d in machine_shop)
    assert texts_for_industry("HR-IT-TOB")  # no own texts: the common ones


def test_given_trades_when_major_items_chosen_then_special_articles_only_where_they_apply():
    from anjian.demo.hazards import _applicable_items, item_description
    from anjian.hazards import reference

    machine_shop = {i.article for i in _applicable_items("HR-IT-MCH")}
    assert (
        "第七条" in machine_shop and "第十二条" not in machine_shop and "第六条" not in machine_shop
    )
    assert "第十二条" in {i.article for i in _applicable_items("HR-IT-LGT")}
    assert not _applicable_items("H")  # no list for restaurants: their hazards are general
    text = item_description(reference.item("gm2023-11-3"))
    assert text == "干式除尘系统未采取泄爆、惰化、抑爆等任一种爆炸防控措施。"


# --- every role has something to see or do -----------------------------------------------


def test_given_demo_then_the_grid_officer_sees_the_enterprise_of_the_qiye_accounts(plant):
    from anjian.core import scoping
    from anjian.registry.models import Enterprise

    wangge = User.objects.get(username="wangge")
    assert scoping.visible(wangge, Enterprise).filter(pk=plant.pk).exists()
    assert scoping.visible(wangge, Hazard).filter(enterprise=plant).exists()
    for username in ("qiye_fzr", "qiye_aqy", "qiye_yg"):
        assert User.objects.get(username=username).enterprise == plant


def test_given_demo_then_the_untrustworthy_list_has_an_enterprise_listed_by_the_job(plant):
    from anjian.credit.models import CreditFile
    from anjian.credit.services import visible_entries

    for username in ("anweiban", "yingji", "admin"):
        entries = visible_entries(User.objects.get(username=username))
        assert entries.filter(removed_on__isnull=True).exists(), username
    entry = visible_entries(User.objects.get(username="anweiban")).first()
    assert entry.enterprise != plant and entry.rule_id == "major_overdue_30"
    assert entry.figures["major_overdue_days"] > 30
    # The job evaluated every enterprise, not only the one it listed.
    from anjian.registry.models import Enterprise

    assert CreditFile.objects.count() == Enterprise.objects.count()


def test_given_demo_then_red_units_are_controlled_at_company_level(plant):
    from anjian.risks.models import RiskUnit

    red = RiskUnit.objects.filter(colour="red")
    assert red.filter(enterprise=plant).exists()
    assert set(red.values_list("control_level", flat=True)) == {"company"}
    blue = RiskUnit.objects.filter(colour="blue")
    assert not blue.filter(control_level="company").exists()


def test_given_demo_then_the_expert_and_the_employee_have_something_of_their_own(plant):
    from anjian.core import scoping

    expert = User.objects.get(username="zhuanjia")
    waiting = scoping.visible(expert, Hazard).filter(
        level="major", state=wf.REPORTED, confirmed_at__isnull=True
    )
    assert waiting.filter(enterprise=plant).exists()
    employee = User.objects.get(username="qiye_yg")
    own = Hazard.objects.filter(reported_by=employee)
    assert set(own.values_list("state", flat=True)) == {wf.REPORTED, wf.CLOSED}
    assert HazardPhoto.objects.filter(hazard__in=own).exists()


def test_given_demo_when_each_printed_account_signs_in_then_its_home_page_has_content(plant):
    from django.test import Client

    from anjian.core import scoping
    from anjian.demo.generator import DEMO_PASSWORD, DEMO_USERS

    for username, _role, _where, _display in DEMO_USERS:
        user = User.objects.get(username=username)
        client = Client()
        assert client.login(username=username, password=DEMO_PASSWORD), username
        assert client.get("/").status_code == 200, username
        if username in ("admin", "secadmin", "auditor"):
            continue
        assert scoping.visible(user, Hazard).exists(), username


def test_given_demo_when_accounts_printed_then_each_says_where_it_works(plant):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    lines = {line.split()[0]: line for line in out.getvalue().splitlines()[1:]}
    for username in ("qiye_fzr", "qiye_aqy", "qiye_yg"):
        assert f"（{plant.name}）" in lines[username]
    assert f"（{plant.division.name}）" in lines["wangge"]
    assert "应急管理局" in lines["yingji"]


def test_given_demo_then_an_extension_waits_and_this_months_rechecks_are_sampled(plant):
    from anjian.hazards.extensions import may_decide, pending_extension
    from anjian.hazards.models import Recheck
    from anjian.hazards.rechecks import visible_rechecks

    waiting = [h for h in Hazard.objects.filter(enterprise=plant) if pending_extension(h)]
    assert len(waiting) == 1
    assert may_decide(User.objects.get(username="anweiban"), waiting[0])
    assert Recheck.objects.exists()
    assert visible_rechecks(User.objects.get(username="anweiban")).exists()

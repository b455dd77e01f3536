import datetime as dt
import hashlib
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone, translation

from anjian.core import scoping
from anjian.core.audit import Actor, audit_verify
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.hazards import services
from anjian.hazards.models import (
    AccountabilityReview,
    Hazard,
    HazardCounter,
    HazardEvent,
    HazardPhoto,
)
from anjian.risks import services as risk_services
from anjian.risks.models import ReassessmentProposal, RiskState
from tests import clock
from tests.world import EXPECTED_ENTERPRISES, build_world

from .helpers import (
    MAJOR_ITEM,
    act,
    actor,
    bring,
    five_fixes,
    in_days,
    photo,
    report,
    report_data,
)

YEAR = clock.TODAY.year

pytestmark = pytest.mark.usefixtures("clock_at_ten")


@pytest.fixture
def unit(world):
    a = actor(world, "safety_a")
    obj = risk_services.risk_object_create(
        actor=a, enterprise_id=world.chem_a.pk, kind="area", name="罐区"
    )
    return risk_services.risk_unit_create(
        actor=a,
        enterprise_id=world.chem_a.pk,
        data={
            "name": "1号储罐区",
            "risk_object_id": obj.pk,
            "responsible_department": "储运车间",
            "responsible_person": "王工",
            "control_level": "workshop",
            "hazard_factors": [],
        },
    )


# --- report ----------------------------------------------------------------------------


def test_given_valid_report_when_entered_then_ledger_row_event_photo_and_audit(world):
    upload = photo("JPEG", "before.jpg")
    original = upload.read()
    hazard = report(world, who="employee_a", photos=[upload])
    assert hazard.number == f"330101-{YEAR}-00001"
    assert (hazard.state, hazard.level, hazard.version) == ("reported", "general", 1)
    assert hazard.reported_by == world.user("employee_a")
    event = hazard.events.get()
    assert (event.action, event.from_state, event.to_state) == ("report", "", "reported")
    assert event.data["description"] == "1号储罐区呼吸阀堵塞"
    stored = HazardPhoto.objects.get(hazard=hazard)
    assert (stored.kind, stored.event, stored.image_format) == ("before", event, "JPEG")
    with stored.image.open("rb") as f:
        assert f.read() == original  # the original bytes, not re-encoded
    assert (
        stored.sha256 == hashlib.sha256(original).hexdigest() == event.data["photos"][0]["sha256"]
    )
    entry = AuditEntry.objects.get(object_type="hazards.hazard", object_id=str(hazard.pk))
    assert entry.action == "report" and entry.actor_label == "employee_a"


def test_given_report_when_on_commit_runs_then_safety_code_recomputed(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report(world)
    assert RiskState.objects.filter(enterprise=world.chem_a, code__isnull=False).exists()


def test_given_many_problems_when_reporting_then_every_field_is_named_and_nothing_written(world):
    before = (Hazard.objects.count(), AuditEntry.objects.count(), HazardCounter.objects.count())
    data = report_data(source="rumour", description="  ", handling="", extra=1)
    del data["location"]
    with pytest.raises(ValidationFailed) as err:
        services.hazard_report(
            actor=actor(world, "safety_a"), enterprise_id=world.chem_a.pk, data=data
        )
    assert set(err.value.errors) == {"source", "description", "handling", "location", "extra"}
    after = (Hazard.objects.count(), AuditEntry.objects.count(), HazardCounter.objects.count())
    assert after == before


def test_given_list_item_when_reported_then_major_and_item_cited(world):
    hazard = report(world, major_item="gm2023-11-3")
    assert hazard.level == "major" and hazard.major_basis == "list_item"
    cited = {k: hazard.major_item[k] for k in ("item_id", "list", "document", "article", "number")}
    assert cited == {
        "item_id": "gm2023-11-3",
        "list": "gm2023",
        "document": "应急管理部令第10号",
        "article": "第十一条",
        "number": 3,
    }
    # The official wording (令第10号 第十一条第（三）项), as it read when cited.
    assert hazard.major_item["text"] == "干式除尘系统未采取泄爆、惰化、抑爆等任一种爆炸防控措施的；"
    assert hazard.major_item["unconfirmed"] is False


def test_given_major_item_and_on_spot_handling_when_reported_then_refused(world):
    with pytest.raises(ValidationFailed) as err:
        report(world, major_item=MAJOR_ITEM, handling="on_spot")
    assert list(err.value.errors) == ["handling"]
    with pytest.raises(ValidationFailed) as err:
        report(world, major_item="hc2017-99")
    assert list(err.value.errors) == ["major_item"]


def test_given_officer_reason_when_reporting_then_major_by_decision_but_staff_may_not(world):
    hazard = report(
        world, who="officer_emergency_x", source="government_inspection", major_reason="需停产整改"
    )
    assert (hazard.level, hazard.major_basis) == ("major", "decision")
    assert hazard.major_decided_by == world.user("officer_emergency_x")
    with pytest.raises(ValidationFailed) as err:
        report(world, who="safety_a", major_reason="我觉得很严重")
    assert list(err.value.errors) == ["major_reason"]


def test_given_unit_of_another_enterprise_when_reporting_then_refused(world, unit):
    with pytest.raises(ValidationFailed) as err:
        report(world, who="principal_c", enterprise=world.chem_c, risk_unit_id=unit.pk)
    assert list(err.value.errors) == ["risk_unit_id"]


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("platform_admin", Forbidden),
        ("security_admin", NotFound),
        ("officer_housing_x", NotFound),
        ("principal_c", NotFound),
        ("outsider", NotFound),
    ],
)
def test_given_persona_without_report_right_when_reporting_then_refused(world, persona, error):
    with pytest.raises(error):
        report(world, who=persona)
    assert not Hazard.objects.exists()


@pytest.mark.parametrize(
    "persona",
    [
        "principal_a",
        "safety_a",
        "employee_a",
        "coordinator_x",
        "grid_x1",
        "expert_x",
        "officer_emergency_x",
    ],
)
def test_given_staff_or_supervising_regulator_when_reporting_then_allowed(world, persona):
    assert report(world, who=persona).state == "reported"
    assert services.may_report(world.user(persona), world.chem_a)


# --- photos ----------------------------------------------------------------------------


def test_given_webp_png_and_jpeg_when_uploaded_then_accepted(world):
    hazard = report(world, photos=[photo("WEBP", "a.webp"), photo("PNG"), photo("JPEG", "c.jpg")])
    assert sorted(hazard.photos.values_list("image_format", flat=True)) == ["JPEG", "PNG", "WEBP"]


def test_given_bad_files_when_uploaded_then_each_named_and_nothing_written(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("scan.png", b"%PDF-1.4 not an image", content_type="image/png")
    gif = photo("GIF", "anim.gif")
    big = SimpleUploadedFile("huge.png", b"\0" * (10 * 1024 * 1024 + 1), content_type="image/png")
    with pytest.raises(ValidationFailed) as err:
        report(world, photos=[fake, gif, big])
    messages = err.value.errors["photos"]
    assert len(messages) == 3
    assert "scan.png" in messages[0] and "anim.gif" in messages[1] and "10 MB" in messages[2]
    assert not Hazard.objects.exists() and not HazardPhoto.objects.exists()


def test_given_a_step_without_photos_when_photos_sent_then_refused(world):
    hazard = report(world)
    with pytest.raises(ValidationFailed) as err:
        act(world, "safety_a", hazard, "set_five_fixes", five_fixes(), photos=[photo()])
    assert list(err.value.errors) == ["photos"]


# --- five fixes --------------------------------------------------------------------------


def test_given_nothing_when_setting_five_fixes_then_each_missing_part_is_named(world):
    hazard = report(world)
    with pytest.raises(ValidationFailed) as err:
        act(world, "safety_a", hazard, "set_five_fixes", {})
    assert set(err.value.errors) == {"owner", "measures", "funds", "deadline", "contingency_plan"}
    with translation.override("en"), pytest.raises(ValidationFailed) as err:
        act(world, "safety_a", hazard, "set_five_fixes", {})
    text = str(err.value)
    for word in ("person responsible", "measures", "funds", "deadline", "contingency plan"):
        assert word in text
    hazard.refresh_from_db()
    assert hazard.state == "reported" and hazard.events.count() == 1


@pytest.mark.parametrize("missing", ["owner", "measures", "funds", "deadline", "contingency_plan"])
def test_given_one_part_missing_when_setting_five_fixes_then_only_that_part_named(world, missing):
    hazard = report(world)
    data = five_fixes()
    del data[missing]
    with pytest.raises(ValidationFailed) as err:
        act(world, "safety_a", hazard, "set_five_fixes", data)
    assert list(err.value.errors) == [missing]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("funds", "-1"),
        ("funds", "12.345"),
        ("funds", "abc"),
        ("funds", True),
        ("deadline", in_days(-1)),
        ("deadline", "next week"),
        ("owner", "x" * 65),
    ],
)
def test_given_bad_value_when_setting_five_fixes_then_refused_on_that_field(world, field, value):
    hazard = report(world)
    with pytest.raises(ValidationFailed) as err:
        act(world, "safety_a", hazard, "set_five_fixes", five_fixes(**{field: value}))
    assert list(err.value.errors) == [field]


def test_given_zero_funds_and_today_when_setting_five_fixes_then_accepted(world):
    hazard = report(world)
    hazard = act(
        world,
        "safety_a",
        hazard,
        "set_five_fixes",
        five_fixes(funds=0, deadline=timezone.localdate()),
    )
    assert (hazard.state, str(hazard.funds), hazard.deadline) == (
        "fixes_set",
        "0.00",
        timezone.localdate(),
    )
    assert hazard.liable_person == "王工" and hazard.remediation_plan == {}


def test_given_major_without_plan_when_setting_five_fixes_then_each_of_six_parts_named(world):
    hazard = bring(world, "major_listed")
    with pytest.raises(Conflict):  # 16号令 第十五条: the principal's plan, not five fixes alone
        act(world, "principal_a", hazard, "set_five_fixes", five_fixes())
    with pytest.raises(Forbidden):  # the principal makes the plan, not the safety officer
        act(world, "safety_a", hazard, "set_plan", five_fixes(major=True))
    with pytest.raises(ValidationFailed) as err:
        act(world, "principal_a", hazard, "set_plan", five_fixes())
    assert set(err.value.errors) == {
        "plan.targets",
        "plan.methods",
        "plan.funds_materials",
        "plan.organisation",
        "plan.time_limit",
        "plan.safety_measures",
    }
    data = five_fixes(major=True)
    del data["plan"]["organisation"]
    with pytest.raises(ValidationFailed) as err:
        act(world, "principal_a", hazard, "set_plan", data)
    assert list(err.value.errors) == ["plan.organisation"]


def test_given_listing_deadline_when_five_fixes_deadline_later_then_refused(world):
    hazard = bring(world, "major_listed")
    with pytest.raises(ValidationFailed) as err:
        act(world, "principal_a", hazard, "set_plan", five_fixes(True, deadline=in_days(61)))
    assert list(err.value.errors) == ["deadline"]


# --- steps and their reasons ----------------------------------------------------------------


def test_given_wrong_state_when_acting_then_conflict_says_cannot_x_while_y(world):
    hazard = bring(world, "general_rectifying")
    with translation.override("en"), pytest.raises(Conflict) as err:
        act(world, "grid_x1", hazard, "accept", {"note": "ok"})
    assert str(err.value) == "Cannot accept and close while the hazard is rectifying."


def test_given_wrong_role_when_acting_then_forbidden_says_who_may(world):
    hazard = bring(world, "general_submitted")
    with translation.override("en"), pytest.raises(Forbidden) as err:
        act(world, "grid_x1", hazard, "accept", {"note": "ok"})
    message = str(err.value)
    assert message.startswith("Only ")
    for who in ("enterprise's acceptor", "authority that reviews"):
        assert who in message


def test_given_the_fixer_when_accepting_own_fix_then_refused_while_another_acceptor_exists(world):
    hazard = bring(world, "general_submitted")  # safety_a did the fix and submitted it
    with translation.override("en"), pytest.raises(Forbidden) as err:
        act(world, "safety_a", hazard, "accept", {"note": "ok"})
    assert "another acceptor" in str(err.value)
    assert services.available_actions(hazard, world.user("safety_a")) == []
    assert set(services.available_actions(hazard, world.user("principal_a"))) == {
        "accept",
        "reject",
    }
    # The sole acceptor: with the principal gone, the safety officer accepts.
    world.user("principal_a").is_active = False
    world.user("principal_a").save(update_fields=["is_active"])
    closed = act(world, "safety_a", hazard, "accept", {"note": "验收合格"})
    assert closed.state == "closed" and closed.accepted_by == world.user("safety_a")


def test_given_major_submitted_when_listed_by_department_then_only_it_reviews(world):
    hazard = bring(world, "major_submitted_dept")
    for who in ("coordinator_x", "principal_a", "safety_a"):
        with pytest.raises(Forbidden):
            act(world, who, hazard, "accept", {"note": "ok"})
    with pytest.raises(Conflict):  # the on-site review of an application to resume only
        act(world, "officer_emergency_x", hazard, "review_pass", {"note": "ok"})
    closed = act(world, "officer_emergency_x", hazard, "accept", {"note": "现场复查合格"})
    assert closed.state == "closed"
    event = closed.events.get(action="accept")
    assert event.data["accepted_as"] == "review_authority"


def test_given_stale_version_when_acting_then_conflict_and_nothing_written(world):
    hazard = report(world)
    act(world, "safety_a", hazard, "set_five_fixes", five_fixes())
    events = HazardEvent.objects.count()
    with pytest.raises(Conflict):
        act(world, "safety_a", hazard, "start", expected_version=1)
    assert HazardEvent.objects.count() == events


def test_given_unknown_action_when_acting_then_validation_error(world):
    hazard = report(world)
    for action in ("report", "delete", ""):
        with pytest.raises(ValidationFailed):
            act(world, "safety_a", hazard, action)


def test_given_no_after_photo_when_submitting_then_photo_or_reason_required(world):
    hazard = bring(world, "general_rectifying")
    with pytest.raises(ValidationFailed) as err:
        act(world, "safety_a", hazard, "submit", {})
    assert set(err.value.errors) == {"note", "photos"}
    hazard = act(
        world,
        "safety_a",
        hazard,
        "submit",
        {"note": "已整改", "no_photo_reason": "涉密区域禁止拍照"},
    )
    assert hazard.state == "submitted"
    assert hazard.events.latest("id").data["no_photo_reason"] == "涉密区域禁止拍照"


def test_given_on_spot_hazard_when_closed_directly_then_needs_after_photo(world):
    hazard = report(world, handling="on_spot")
    with pytest.raises(ValidationFailed) as err:
        act(world, "safety_a", hazard, "fix_on_spot", {"note": "已清理"})
    assert list(err.value.errors) == ["photos"]
    hazard = act(world, "safety_a", hazard, "fix_on_spot", {"note": "已清理"}, photos=[photo()])
    assert hazard.state == "closed" and hazard.closed_at is not None
    assert hazard.accepted_by == world.user("safety_a")
    assert hazard.photos.get().kind == "after"
    with pytest.raises(Conflict):
        act(world, "safety_a", report(world), "fix_on_spot", {}, photos=[photo()])


def test_given_rejected_when_resubmitted_then_accepted_with_full_history(world):
    hazard = bring(world, "general_submitted")
    with pytest.raises(ValidationFailed) as err:
        act(world, "principal_a", hazard, "reject", {})
    assert list(err.value.errors) == ["note"]
    hazard = act(world, "principal_a", hazard, "reject", {"note": "照片看不清"})
    assert hazard.state == "rectifying"
    hazard = act(world, "safety_a", hazard, "submit", {"note": "补充照片"}, photos=[photo()])
    hazard = act(world, "principal_a", hazard, "accept", {"note": "合格"})
    assert hazard.state == "closed"
    assert hazard.accepted_by == world.user("principal_a")
    assert hazard.accept_comment == "合格" and hazard.version == 7
    assert list(hazard.events.values_list("action", flat=True)) == [
        "report",
        "set_five_fixes",
        "start",
        "submit",
        "reject",
        "submit",
        "accept",
    ]
    assert hazard.photos.filter(kind="after").count() == 2


def test_given_general_in_rectification_when_made_major_then_major_path_restarts(world):
    hazard = bring(world, "general_rectifying")
    with pytest.raises(ValidationFailed):
        act(world, "coordinator_x", hazard, "make_major", {})
    hazard = act(
        world,
        "coordinator_x",
        hazard,
        "make_major",
        {"note": "需局部停产", "major_item": "hc2017-15"},
    )
    assert (hazard.state, hazard.level, hazard.handling) == ("reported", "major", "deadline")
    assert hazard.major_basis == "list_item" and hazard.major_item["number"] == 15
    assert hazard.major_decided_by == world.user("coordinator_x")
    assert services.available_actions(hazard, world.user("expert_x")) == [
        "confirm_major",
        "dismiss_major",
    ]


def test_given_expert_dismisses_when_major_then_general_again_and_old_basis_kept(world):
    hazard = report(world, major_item=MAJOR_ITEM)
    hazard = act(world, "expert_x", hazard, "dismiss_major", {"note": "不属于判定情形"})
    assert (hazard.level, hazard.major_basis, hazard.major_item) == ("general", "", {})
    event = hazard.events.latest("id")
    assert event.data["was"]["major_item"]["item_id"] == MAJOR_ITEM
    assert services.available_actions(hazard, world.user("safety_a")) == ["set_five_fixes"]


def test_given_accountability_review_when_persons_malformed_then_refused(world):
    hazard = bring(world, "major_closed")
    with pytest.raises(ValidationFailed) as err:
        act(
            world,
            "coordinator_x",
            hazard,
            "accountability_review",
            {
                "findings": "",
                "persons_accountable": [{"position": "经理"}, "张三"],
                "reviewed_on": in_days(1),
            },
        )
    assert set(err.value.errors) == {"findings", "persons_accountable", "reviewed_on"}
    assert len(err.value.errors["persons_accountable"]) == 2


# --- the major path end to end -------------------------------------------------------------


def test_given_major_hazard_when_every_role_does_its_step_then_closed_reviewed_and_chain_ok(
    world, unit
):
    w = world

    def can(name, hazard):
        return services.available_actions(hazard, w.user(name))

    hazard = report(
        w,
        who="employee_a",
        major_item=MAJOR_ITEM,
        risk_unit_id=unit.pk,
        hazard_type="instrument",
        photos=[photo()],
    )
    assert hazard.level == "major"
    assert ReassessmentProposal.objects.filter(unit=unit, resolved_at__isnull=True).exists()
    assert can("employee_a", hazard) == []
    assert can("safety_a", hazard) == ["report_to_workers", "suspend"]
    assert can("expert_x", hazard) == ["confirm_major", "dismiss_major"]
    # The principal plans at once (16号令 第十五条): no expert, no listing needed first.
    assert "set_plan" in can("principal_a", hazard)

    hazard = act(w, "expert_x", hazard, "confirm_major", {"note": "确认"})
    assert hazard.confirmed_by == w.user("expert_x")
    assert can("officer_emergency_x", hazard) == ["order", "list", "suspend"]
    assert can("coordinator_x", hazard) == ["order", "list", "suspend"]

    hazard = act(
        w,
        "officer_emergency_x",
        hazard,
        "list",
        {"deadline": in_days(45), "notice": "挂牌督办公告"},
    )
    assert hazard.listing_department == w.emergency_x
    assert hazard.listing_division == w.county_x and hazard.listing_notice == "挂牌督办公告"
    assert hazard.listed_by == w.user("officer_emergency_x")

    hazard = act(w, "principal_a", hazard, "set_plan", five_fixes(major=True))
    assert hazard.remediation_plan["organisation"].startswith("设备部")
    hazard = act(w, "safety_a", hazard, "start")
    hazard = act(w, "safety_a", hazard, "submit", {"note": "已安装"}, photos=[photo()])
    assert can("coordinator_x", hazard) == []  # the department listed it: it reviews
    assert can("officer_emergency_x", hazard) == ["accept", "reject"]

    hazard = act(w, "officer_emergency_x", hazard, "reject", {"note": "未联锁"})
    assert hazard.state == "rectifying"
    hazard = act(w, "safety_a", hazard, "submit", {"note": "已联锁"}, photos=[photo()])
    hazard = act(w, "officer_emergency_x", hazard, "accept", {"note": "现场核查合格"})
    assert hazard.state == "closed" and hazard.closed_at is not None
    assert can("coordinator_x", hazard) == ["reopen", "accountability_review"]

    hazard = act(
        w,
        "coordinator_x",
        hazard,
        "accountability_review",
        {
            "findings": "未按规定安装报警",
            "reviewed_on": timezone.localdate(),
            "persons_accountable": [{"name": "赵六", "position": "经理", "measure": "警告"}],
        },
    )
    review = AccountabilityReview.objects.get(hazard=hazard)
    assert review.reviewed_by == w.user("coordinator_x")
    assert review.persons_accountable == [{"name": "赵六", "position": "经理", "measure": "警告"}]
    assert can("coordinator_x", hazard) == ["reopen"]
    assert hazard.state == "closed"

    assert list(hazard.events.values_list("action", "actor_label")) == [
        ("report", "employee_a"),
        ("confirm_major", "expert_x"),
        ("list", "officer_emergency_x"),
        ("set_plan", "principal_a"),
        ("start", "safety_a"),
        ("submit", "safety_a"),
        ("reject", "officer_emergency_x"),
        ("submit", "safety_a"),
        ("accept", "officer_emergency_x"),
        ("accountability_review", "coordinator_x"),
    ]
    actions = list(
        AuditEntry.objects.filter(object_type="hazards.hazard", object_id=str(hazard.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == list(hazard.events.values_list("action", flat=True))
    assert audit_verify().ok


# --- records are evidence -------------------------------------------------------------------


def test_given_an_event_when_edited_or_deleted_then_refused(world):
    event = report(world).events.get()
    event.note = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    photo_row = report(world, photos=[photo()]).photos.get()
    with pytest.raises(RuntimeError):
        photo_row.save()


def test_given_hazards_when_scoped_then_each_persona_sees_its_enterprises(world):
    hazards = {
        "chem_a": report(world),
        "chem_c": report(world, who="principal_c", enterprise=world.chem_c),
        "build_b": report(world, who="officer_housing_x", enterprise=world.build_b),
    }
    for persona, expected in EXPECTED_ENTERPRISES.items():
        user = world.user(persona)
        seen = set(scoping.visible(user, Hazard).values_list("pk", flat=True))
        assert seen == {h.pk for name, h in hazards.items() if name in expected}, persona
        events = set(scoping.visible(user, HazardEvent).values_list("hazard_id", flat=True))
        assert events == seen, persona


# --- numbering -------------------------------------------------------------------------------


def test_given_reports_in_two_counties_when_numbered_then_sequential_per_county(world):
    numbers = [report(world).number for _ in range(3)]
    numbers.append(report(world, who="officer_housing_x", enterprise=world.build_b).number)
    other = report(world, who="principal_c", enterprise=world.chem_c).number
    assert numbers == [f"330101-{YEAR}-{n:05d}" for n in (1, 2, 3, 4)]
    assert other == f"330102-{YEAR}-00001"


def test_given_a_new_year_when_allocating_then_the_sequence_restarts(world):
    assert services.allocate_number(world.county_x, 2031) == "330101-2031-00001"
    assert services.allocate_number(world.county_x, 2031) == "330101-2031-00002"
    assert services.allocate_number(world.county_x, 2032) == "330101-2032-00001"
    assert HazardCounter.objects.get(division=world.county_x, year=2031).last == 2


# --- recurrence and re-assessment --------------------------------------------------------------


def test_given_same_type_in_same_unit_when_reported_again_then_reassessment_proposed(world, unit):
    first = report(world, risk_unit_id=unit.pk)
    assert not ReassessmentProposal.objects.exists()
    report(world, risk_unit_id=unit.pk, hazard_type="fire")  # another type: no recurrence
    assert not ReassessmentProposal.objects.exists()
    second = report(world, risk_unit_id=unit.pk)
    proposal = ReassessmentProposal.objects.get(unit=unit, resolved_at__isnull=True)
    assert first.number in proposal.reason and second.number in proposal.reason
    event = second.events.get()
    assert event.data["recurrence_of"] == [first.number]
    assert event.data["reassessment_proposal_id"] == proposal.pk


def test_given_earlier_hazard_outside_window_when_reported_then_no_proposal(world, unit, settings):
    first = report(world, risk_unit_id=unit.pk)
    Hazard.objects.filter(pk=first.pk).update(reported_at=timezone.now() - dt.timedelta(days=91))
    report(world, risk_unit_id=unit.pk)
    assert not ReassessmentProposal.objects.exists()
    settings.ANJIAN_HAZARD_RECURRENCE_DAYS = 120
    report(world, risk_unit_id=unit.pk)
    assert ReassessmentProposal.objects.filter(unit=unit).count() == 1


def test_given_control_measure_when_reported_then_its_unit_is_filled_in(world, unit):
    a = actor(world, "safety_a")
    event = risk_services.risk_event_create(actor=a, unit_id=unit.pk, name="泄漏")
    measure = risk_services.control_measure_create(
        actor=a,
        event_id=event.pk,
        data={
            "description": "呼吸阀定期检查",
            "classification": "maintenance",
            "check_content": "呼吸阀是否通畅",
            "responsible_person": "王工",
            "cycle": 1,
            "cycle_unit": "month",
        },
    )
    hazard = report(world, control_measure_id=measure.pk)
    assert (hazard.risk_unit, hazard.control_measure) == (unit, measure)


def test_given_general_in_unit_when_made_major_then_unit_proposed(world, unit):
    hazard = report(world, risk_unit_id=unit.pk)
    assert not ReassessmentProposal.objects.exists()
    act(world, "officer_emergency_x", hazard, "make_major", {"note": "需停产整改"})
    proposal = ReassessmentProposal.objects.get(unit=unit, resolved_at__isnull=True)
    assert hazard.number in proposal.reason
    assert hazard.events.latest("id").data["reassessment_proposal_id"] == proposal.pk


# --- duplicates ---------------------------------------------------------------------------------


def test_given_near_duplicate_when_searching_then_it_ranks_first(world, unit):
    unrelated = report(world, description="配电室门口堆放杂物", hazard_type="electrical")
    near = report(world, description="1号储罐区呼吸阀堵塞未清理", risk_unit_id=unit.pk)
    report(world, description="灭火器压力不足", hazard_type="fire")
    report(world, who="principal_c", enterprise=world.chem_c, description="1号储罐区呼吸阀堵塞")
    found = services.similar_hazards(
        actor=actor(world, "safety_a"),
        enterprise_id=world.chem_a.pk,
        description="１号储罐区呼吸阀堵塞。",
        unit_id=unit.pk,
        hazard_type="equipment",
    )
    assert found[0][0] == near
    assert found[0][1].score >= 90 and set(found[0][1].reasons) == {"text", "unit", "type"}
    assert unrelated not in [h for h, _m in found]
    with pytest.raises(NotFound):
        services.similar_hazards(
            actor=actor(world, "principal_c"), enterprise_id=world.chem_a.pk, description="x"
        )


def test_given_near_duplicate_when_reported_then_event_lists_it(world):
    first = report(world, description="消防通道堆放杂物", hazard_type="fire")
    second = report(world, description="杂物堆放占用消防通道", hazard_type="fire")
    similar = second.events.get().data["similar"]
    assert similar[0]["id"] == first.pk and similar[0]["number"] == first.number


def test_given_hazard_closed_long_ago_when_searching_then_not_a_candidate(world):
    old = bring(world, "general_closed")
    Hazard.objects.filter(pk=old.pk).update(closed_at=timezone.now() - dt.timedelta(days=200))
    found = services.similar_hazards(
        actor=actor(world, "safety_a"),
        enterprise_id=world.chem_a.pk,
        description=old.description,
    )
    assert found == []


# --- PostgreSQL: concurrency ---------------------------------------------------------------------

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
def test_given_two_officers_accepting_at_once_when_raced_then_exactly_one_wins():
    assert connection.vendor == "postgresql"
    world = build_world()
    hazard = bring(world, "general_submitted")
    people = ["principal_a", "principal_a"]  # the enterprise accepts; two tabs at once

    def accept(i):
        services.hazard_act(
            actor=Actor.for_user(world.user(people[i]), "web"),
            hazard_id=hazard.pk,
            action="accept",
            data={"note": f"验收{i}"},
        )
        return "won"

    assert sorted(_race(2, accept)) == ["conflict", "won"]
    hazard.refresh_from_db()
    assert hazard.state == "closed" and hazard.version == 5
    assert hazard.events.filter(action="accept").count() == 1
    assert audit_verify().ok


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_given_reports_at_once_when_numbered_then_no_collision_and_no_gap():
    assert connection.vendor == "postgresql"
    world = build_world()

    a = Actor.for_user(world.user("safety_a"), "web")
    obj = risk_services.risk_object_create(
        actor=a, enterprise_id=world.chem_a.pk, kind="area", name="罐区"
    )
    unit = risk_services.risk_unit_create(
        actor=a,
        enterprise_id=world.chem_a.pk,
        data={
            "name": "1号储罐区",
            "risk_object_id": obj.pk,
            "responsible_department": "储运车间",
            "responsible_person": "王工",
            "control_level": "workshop",
        },
    )

    def many(i):
        # Reports (each recomputing the safety code on commit) race risk-unit steps that
        # lock the unit and the enterprise: nobody may deadlock, no number may repeat.
        for n in range(4):
            if i == 3:
                risk_services.risk_unit_assess(
                    actor=a, unit_id=unit.pk, method="ls", inputs={"L": 1 + n % 3, "S": 2}
                )
            else:
                report(world, who=["safety_a", "principal_a", "grid_x1"][i], risk_unit_id=unit.pk)
        return "done"

    assert _race(4, many) == ["done"] * 4
    numbers = sorted(Hazard.objects.values_list("number", flat=True))
    assert numbers == [f"330101-{YEAR}-{n:05d}" for n in range(1, 13)]
    assert audit_verify().ok

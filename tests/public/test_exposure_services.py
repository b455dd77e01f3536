"""Exposure board services: proposal grounded in scope, four eyes, every illegal step a
Conflict, refusal of personal data, events and audit, scoping."""

from __future__ import annotations

import pytest

from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry, Notification
from anjian.public import exposure_services as services
from anjian.public.exposure_services import personal_data_in
from anjian.public.models import Exposure, ExposureEvent
from tests.penalties.helpers import decided_penalty
from tests.public.exposure_helpers import (
    SUMMARY,
    actor,
    overdue_major_hazard,
    propose,
    walk,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- personal data (pure) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("联系人电话13812345678", ["mobile"]),
        ("电话 138 1234 5678", ["mobile"]),
        ("电话138-1234-5678", ["mobile"]),
        ("电话１３８１２３４５６７８", ["mobile"]),
        ("身份证号330101199001011234", ["id_number"]),
        ("身份证号33010119900101123X", ["id_number"]),
        ("统一社会信用代码913301010000000017", []),  # no birth date in it
        ("罚款20000元，2026年11月20日决定", []),
        ("座机0571-12345678", []),
    ],
)
def test_given_text_when_checked_then_personal_data_found(text, found):
    assert personal_data_in(text) == found


def test_given_known_names_when_checked_then_name_found():
    assert personal_data_in("法定代表人张三拒不整改", ("张三",)) == ["name"]
    assert personal_data_in("企业拒不整改", ("张三",)) == []


# --- proposal ---------------------------------------------------------------------------------


@pytest.mark.parametrize("ground", ["serious_violation", "major_hazard_overdue", "accident"])
def test_given_ground_in_scope_when_officer_proposes_then_proposed_with_event_and_audit(
    world, ground
):
    who = "coordinator_x" if ground == "accident" else "officer_emergency_x"
    exposure = propose(world, who, ground=ground)
    assert exposure.state == "proposed" and exposure.enterprise == world.chem_a
    assert exposure.title == world.chem_a.name
    assert ExposureEvent.objects.filter(exposure=exposure, action="propose").count() == 1
    assert AuditEntry.objects.filter(action="exposure_propose", object_id=str(exposure.pk)).exists()


def test_given_proposal_when_made_then_coordinator_notified(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        exposure = propose(world)
    assert Notification.objects.filter(
        recipient=world.user("coordinator_x"), link__contains=str(exposure.pk)
    ).exists()


@pytest.mark.parametrize("who", ["grid_x1", "expert_x", "principal_a", "outsider", "audit_admin"])
def test_given_not_officer_or_coordinator_when_proposing_then_forbidden(world, who):
    penalty = decided_penalty(world)
    with pytest.raises(Forbidden):
        propose(world, who, link_id=penalty.pk)


def test_given_penalty_of_other_county_when_proposing_then_field_error(world):
    penalty = decided_penalty(world)
    with pytest.raises(ValidationFailed) as refused:
        propose(world, "coordinator_y", link_id=penalty.pk)
    assert "penalty" in refused.value.errors


def test_given_hazard_not_major_or_not_overdue_when_proposing_then_refused(world):
    hazard = overdue_major_hazard(world)
    type(hazard).objects.filter(pk=hazard.pk).update(level="general")
    with pytest.raises(ValidationFailed) as refused:
        propose(world, ground="major_hazard_overdue", link_id=hazard.pk)
    assert "hazard" in refused.value.errors


def test_given_draft_penalty_or_unlisted_penalty_when_proposing_then_refused(world):
    from tests.penalties.helpers import draft

    with pytest.raises(ValidationFailed):
        propose(world, link_id=draft(world).pk)
    with pytest.raises(ValidationFailed) as refused:
        propose(world, ground="untrustworthy", link_id=decided_penalty(world).pk)
    assert "penalty" in refused.value.errors


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("summary", SUMMARY + "举报人电话13812345678"),
        ("summary", SUMMARY + "负责人身份证330101199001011234"),
        ("summary", SUMMARY + "法定代表人张三"),
        ("summary", SUMMARY + "主要负责人李四"),
        ("title", "张三的企业"),
        ("summary", ""),
    ],
)
def test_given_personal_data_or_no_summary_when_proposing_then_refused(world, field, text):
    with pytest.raises(ValidationFailed) as refused:
        propose(world, **{field: text})
    assert field in refused.value.errors
    assert not Exposure.objects.exists()


def test_given_bad_ground_or_link_when_proposing_then_field_errors(world):
    with pytest.raises(ValidationFailed) as refused:
        propose(world, ground="gossip", link_id=1)
    assert "ground" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        propose(world, link_id="abc")
    assert "penalty" in refused.value.errors


def test_given_live_entry_when_same_ground_proposed_again_then_conflict(world):
    first = propose(world)
    with pytest.raises(Conflict):
        propose(world, link_id=first.penalty_id)


def test_given_rejected_entry_when_proposed_again_then_allowed(world):
    first = walk(world, propose(world), "rejected")
    again = propose(world, link_id=first.penalty_id)
    assert again.state == "proposed"


# --- steps ------------------------------------------------------------------------------------


def test_given_proposal_when_approved_published_withdrawn_then_dates_events_audit(world):
    exposure = walk(world, propose(world), "withdrawn")
    assert exposure.state == "withdrawn"
    assert exposure.approved_by == world.user("coordinator_x")
    assert exposure.published_at and exposure.withdrawn_at and exposure.withdraw_reason
    actions = list(exposure.events.values_list("action", flat=True))
    assert actions == ["propose", "approve", "publish", "withdraw"]
    audited = set(
        AuditEntry.objects.filter(object_id=str(exposure.pk)).values_list("action", flat=True)
    )
    assert {"exposure_approve", "exposure_publish", "exposure_withdraw"} <= audited


def test_given_own_proposal_when_coordinator_approves_then_forbidden(world):
    exposure = propose(world, "coordinator_x")
    for action in ("approve", "reject"):
        with pytest.raises(Forbidden):
            services.exposure_step(
                actor=actor(world, "coordinator_x"),
                exposure_id=exposure.pk,
                action=action,
                reason="x",
            )
    assert Exposure.objects.get(pk=exposure.pk).state == "proposed"


@pytest.mark.parametrize("who", ["officer_emergency_x", "grid_x1", "expert_x"])
def test_given_not_coordinator_when_approving_then_forbidden(world, who):
    exposure = propose(world)
    with pytest.raises(Forbidden):
        services.exposure_approve(actor=actor(world, who), exposure_id=exposure.pk)


@pytest.mark.parametrize("who", ["coordinator_y", "principal_a", "principal_c", "outsider"])
def test_given_outside_scope_when_stepping_then_not_found(world, who):
    exposure = propose(world)
    with pytest.raises(NotFound):
        services.exposure_approve(actor=actor(world, who), exposure_id=exposure.pk)


ILLEGAL = [
    ("approved", "approve"),
    ("approved", "reject"),
    ("approved", "withdraw"),
    ("published", "approve"),
    ("published", "reject"),
    ("published", "publish"),
    ("withdrawn", "approve"),
    ("withdrawn", "reject"),
    ("withdrawn", "publish"),
    ("withdrawn", "withdraw"),
    ("rejected", "approve"),
    ("rejected", "reject"),
    ("rejected", "publish"),
    ("rejected", "withdraw"),
    ("proposed", "publish"),
    ("proposed", "withdraw"),
]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_given_state_when_illegal_step_then_conflict_and_nothing_changes(world, state, action):
    exposure = propose(world)
    if state != "proposed":
        exposure = walk(world, exposure, state)
    events = ExposureEvent.objects.count()
    with pytest.raises(Conflict):
        services.exposure_step(
            actor=actor(world, "coordinator_x"), exposure_id=exposure.pk, action=action, reason="x"
        )
    assert Exposure.objects.get(pk=exposure.pk).state == state
    assert ExposureEvent.objects.count() == events


@pytest.mark.parametrize("action", ["reject", "withdraw"])
def test_given_no_reason_when_reject_or_withdraw_then_field_error(world, action):
    exposure = propose(world)
    if action == "withdraw":
        exposure = walk(world, exposure, "published")
    with pytest.raises(ValidationFailed) as refused:
        services.exposure_step(
            actor=actor(world, "coordinator_x"), exposure_id=exposure.pk, action=action, reason=" "
        )
    assert "reason" in refused.value.errors


def test_given_rejection_when_made_then_proposer_notified(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        exposure = walk(world, propose(world), "rejected")
    assert exposure.state == "rejected"
    assert Notification.objects.filter(recipient=world.user("officer_emergency_x")).exists()


# --- reading ----------------------------------------------------------------------------------


def test_given_entries_when_public_read_then_published_only(world):
    published = walk(world, propose(world), "published")
    propose(world, ground="accident", who="coordinator_x")
    walk(world, propose(world, ground="major_hazard_overdue"), "withdrawn")
    assert list(services.public_exposures()) == [published]


@pytest.mark.parametrize(
    ("persona", "sees_proposed", "sees_published"),
    [
        ("coordinator_x", True, True),
        ("officer_emergency_x", True, True),
        ("coordinator_y", False, False),
        ("principal_a", False, True),  # the enterprise sees what is published about it
        ("principal_c", False, False),
        ("outsider", False, False),
    ],
)
def test_given_entries_when_personas_read_then_scoped(
    world, persona, sees_proposed, sees_published
):
    proposed = propose(world)
    published = walk(world, propose(world, ground="major_hazard_overdue"), "published")
    seen = set(services.visible_exposures(world.user(persona)))
    assert (proposed in seen) is sees_proposed
    assert (published in seen) is sees_published


def test_given_records_when_candidates_listed_then_unproposed_in_scope(world):
    hazard = overdue_major_hazard(world)
    penalty = decided_penalty(world)
    found = {(c.ground, c.link_id) for c in services.candidates(world.user("coordinator_x"))}
    assert ("major_hazard_overdue", hazard.pk) in found
    assert ("serious_violation", penalty.pk) in found
    propose(world, link_id=penalty.pk)
    found = {(c.ground, c.link_id) for c in services.candidates(world.user("coordinator_x"))}
    assert ("serious_violation", penalty.pk) not in found
    assert services.candidates(world.user("coordinator_y")) == []
    assert services.candidates(world.user("principal_a")) == []

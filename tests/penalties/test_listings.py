"""Untrustworthy listings (应急管理部令第11号): only on a penalty in force, only by the
department that imposed it, every illegal step refused, the statement period, early
removal, the expiry job (idempotent) and who sees what."""

from __future__ import annotations

import datetime as dt

import pytest

from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.inspections import penalties as rules
from anjian.inspections import untrustworthy as ut
from anjian.penalties import services
from anjian.penalties.jobs import expire_listings_run
from anjian.penalties.models import Listing

from .helpers import actor, add_fire_officer, decided_penalty, draft, listing_to

DAY = dt.date(2026, 12, 1)


def propose(world, penalty, officer="officer_emergency_x", situation="A4", **extra):
    return services.listing_propose(
        actor=actor(world.user(officer)),
        penalty_id=penalty.pk if penalty else None,
        situation=situation,
        reasons="瞒报事故",
        **extra,
    )


def test_given_no_penalty_when_proposing_a_listing_then_refused(world):
    with pytest.raises(ValidationFailed) as caught:
        propose(world, None)
    assert "penalty" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:  # a draft is no decision
        propose(world, draft(world))
    assert "penalty" in caught.value.errors
    assert not Listing.objects.exists()


def test_given_a_penalty_of_one_department_when_another_proposes_the_listing_then_refused(world):
    add_fire_officer(world)  # fire cooperates on chem_a: it sees the penalty
    penalty = decided_penalty(world)
    with pytest.raises(ValidationFailed) as caught:
        propose(world, penalty, "officer_fire_x")
    assert "penalty" in caught.value.errors


def test_given_a_listing_when_another_department_decides_it_then_refused(world):
    add_fire_officer(world)
    listing = listing_to(world, propose(world, decided_penalty(world)), ut.NOTIFIED, DAY)
    with pytest.raises(Forbidden):
        services.listing_apply(
            actor=actor(world.user("officer_fire_x")),
            listing_id=listing.pk,
            action=ut.DECIDE,
            today=DAY + dt.timedelta(days=30),
        )


def test_given_an_unverified_situation_when_proposed_without_accepting_then_refused(world):
    penalty = decided_penalty(world)
    with pytest.raises(ValidationFailed) as caught:
        propose(world, penalty, situation="V1")
    assert "situation" in caught.value.errors
    assert propose(world, penalty, situation="V1", accept_unverified_text=True).state == ut.PROPOSED


def test_given_a_listing_when_walked_then_published_with_its_period(world):
    listing = listing_to(world, propose(world, decided_penalty(world)), ut.PUBLISHED, DAY)
    assert listing.notified_on == DAY
    assert listing.statement_deadline == ut.statement_deadline(DAY)
    assert listing.decided_on == DAY + dt.timedelta(days=30)
    assert listing.ends_on == ut.listing_end(listing.decided_on)
    assert listing.department_id == world.emergency_x.pk
    assert list(services.public_listings()) == [listing]


def test_given_the_statement_period_running_when_deciding_then_refused(world):
    listing = listing_to(world, propose(world, decided_penalty(world)), ut.NOTIFIED, DAY)
    who = actor(world.user("officer_emergency_x"))
    with pytest.raises(Conflict):
        services.listing_apply(actor=who, listing_id=listing.pk, action=ut.DECIDE, today=DAY)
    # The party states its case: the decision waits for the review.
    services.listing_state_statement(
        actor=actor(world.user("principal_a")),
        listing_id=listing.pk,
        statement="已如实报告",
        today=DAY,
    )
    later = DAY + dt.timedelta(days=30)
    with pytest.raises(Conflict):
        services.listing_apply(actor=who, listing_id=listing.pk, action=ut.DECIDE, today=later)
    listing = services.listing_apply(
        actor=who, listing_id=listing.pk, action=ut.DECIDE, today=later, statement_reviewed=True
    )
    assert listing.state == ut.LISTED


@pytest.mark.parametrize("state", ut.STATES)
@pytest.mark.parametrize("action", ut.ACTIONS)
def test_given_a_listing_in_any_state_when_an_action_not_in_the_table_then_refused(
    world, state, action
):
    if (state, action) in ut.TABLE:
        pytest.skip("legal")
    listing = propose(world, decided_penalty(world))
    Listing.objects.filter(pk=listing.pk).update(state=state, decided_on=DAY)
    party = "principal_a" if action == ut.APPLY_REPAIR else "officer_emergency_x"
    # A proposal is not yet the subject's to see: its step is refused as not found.
    refusal = NotFound if (state, party) == (ut.PROPOSED, "principal_a") else Conflict
    with pytest.raises(refusal):
        services.listing_apply(
            actor=actor(world.user(party)),
            listing_id=listing.pk,
            action=action,
            today=DAY,
            note="理由",
        )
    assert Listing.objects.get(pk=listing.pk).state == state


def test_given_a_published_listing_when_the_subject_applies_after_12_months_then_removed_early(
    world,
):
    listing = listing_to(world, propose(world, decided_penalty(world)), ut.PUBLISHED, DAY)
    subject, dept = actor(world.user("principal_a")), actor(world.user("officer_emergency_x"))
    early = listing.decided_on + dt.timedelta(days=300)
    ok = {
        "penalty_fulfilled": True,
        "violation_corrected": True,
        "effects_removed": True,
        "commitment_made": True,
    }
    with pytest.raises(Forbidden):  # the department does not apply for the subject
        services.listing_apply(
            actor=dept, listing_id=listing.pk, action=ut.APPLY_REPAIR, today=early, repair=ok
        )
    services.listing_apply(
        actor=subject, listing_id=listing.pk, action=ut.APPLY_REPAIR, today=early, repair=ok
    )
    with pytest.raises(Conflict):  # under 12 months
        services.listing_apply(
            actor=dept, listing_id=listing.pk, action=ut.APPROVE_REPAIR, today=early
        )
    services.listing_apply(
        actor=dept, listing_id=listing.pk, action=ut.REJECT_REPAIR, today=early, note="未满12个月"
    )
    late = listing.decided_on + dt.timedelta(days=400)
    services.listing_apply(
        actor=subject, listing_id=listing.pk, action=ut.APPLY_REPAIR, today=late, repair=ok
    )
    listing = services.listing_apply(
        actor=dept, listing_id=listing.pk, action=ut.APPROVE_REPAIR, today=late
    )
    assert listing.state == ut.REMOVED_REPAIRED and listing.removed_on == late
    assert not services.public_listings().exists()


def test_given_the_penalty_revoked_when_the_listing_is_revoked_then_allowed_and_not_before(world):
    penalty = decided_penalty(world)
    listing = listing_to(world, propose(world, penalty), ut.PUBLISHED, DAY)
    dept = actor(world.user("officer_emergency_x"))
    with pytest.raises(Conflict):
        services.listing_apply(actor=dept, listing_id=listing.pk, action=ut.REVOKE, note="撤销")
    services.penalty_revoke(actor=dept, penalty_id=penalty.pk, reason="复议撤销")
    listing = services.listing_apply(
        actor=dept, listing_id=listing.pk, action=ut.REVOKE, note="处罚撤销"
    )
    assert listing.state == ut.REVOKED


def test_given_listings_past_their_period_when_the_job_runs_twice_then_each_expires_once(world):
    due = listing_to(world, propose(world, decided_penalty(world)), ut.PUBLISHED, DAY)
    running = listing_to(
        world,
        propose(world, decided_penalty(world, kind=rules.WARNING, amount=None)),
        ut.PUBLISHED,
        DAY,
    )
    Listing.objects.filter(pk=running.pk).update(
        ends_on=dt.date(2031, 1, 1), decided_on=dt.date(2028, 1, 1)
    )
    after = due.ends_on + dt.timedelta(days=1)
    assert expire_listings_run(today=due.ends_on) == {"due": 0, "expired": 0, "skipped": 0}
    assert expire_listings_run(today=after) == {"due": 1, "expired": 1, "skipped": 0}
    assert expire_listings_run(today=after) == {"due": 0, "expired": 0, "skipped": 0}
    due.refresh_from_db()
    assert due.state == ut.REMOVED_EXPIRED and due.removed_on == after
    assert list(services.public_listings()) == [Listing.objects.get(pk=running.pk)]


def test_given_listings_then_each_persona_sees_only_its_own(world):
    proposed = propose(world, decided_penalty(world))
    notified = listing_to(
        world,
        propose(world, decided_penalty(world, kind=rules.WARNING, amount=None)),
        ut.NOTIFIED,
        DAY,
    )

    def seen(name):
        return set(services.visible_listings(world.user(name)).values_list("pk", flat=True))

    assert seen("officer_emergency_x") == {proposed.pk, notified.pk}
    assert seen("principal_a") == {notified.pk}  # a proposal is not told yet
    assert seen("principal_c") == set()
    assert seen("officer_housing_x") == set()
    assert seen("outsider") == set()
    with pytest.raises(NotFound):
        services.listing_apply(
            actor=actor(world.user("outsider")), listing_id=proposed.pk, action=ut.NOTIFY
        )


def test_given_a_listing_past_its_period_when_the_command_runs_then_it_expires_and_says_so(
    world, capsys
):
    import json

    import time_machine
    from django.core.management import call_command

    due = listing_to(world, propose(world, decided_penalty(world)), ut.PUBLISHED, DAY)
    after = due.ends_on + dt.timedelta(days=1)
    with time_machine.travel(dt.datetime.combine(after, dt.time(1, 0)), tick=False):
        call_command("penalties_expire")
    assert json.loads(capsys.readouterr().out) == {"due": 1, "expired": 1, "skipped": 0}
    due.refresh_from_db()
    assert due.state == ut.REMOVED_EXPIRED

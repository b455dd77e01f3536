"""The accident rollup (anjian.accidents.tally, tally_services): windows split into whole
and partial months; the counters the services keep against a full recount after random
quick reports, follow-ups and withdrawals; the statistics read from it against the
statistics counted from the accident table, for whole and partial windows; moving the
counters when the registry changes a lead department; the nightly check and repair."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from django.core.management import CommandError, call_command

from anjian.accidents import services, tally, tally_services
from anjian.accidents import statistics as st
from anjian.accidents.models import AccidentCount
from anjian.core.audit import Actor
from anjian.registry import services as registry_services
from anjian.reports.periods import Period
from tests.accidents.accident_helpers import actor, report

D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "whole", "partial"),
    [
        (D(2026, 1, 1), D(2026, 3, 31), (D(2026, 1, 1), D(2026, 3, 1)), None),
        (
            D(2026, 1, 1),
            D(2026, 3, 30),
            (D(2026, 1, 1), D(2026, 2, 1)),
            (D(2026, 3, 1), D(2026, 3, 30)),
        ),
        (D(2026, 1, 1), D(2026, 1, 1), None, (D(2026, 1, 1), D(2026, 1, 1))),
        (D(2026, 1, 1), D(2026, 1, 31), (D(2026, 1, 1), D(2026, 1, 1)), None),
        (D(2024, 1, 1), D(2024, 2, 29), (D(2024, 1, 1), D(2024, 2, 1)), None),
        (D(2025, 1, 1), D(2025, 2, 28), (D(2025, 1, 1), D(2025, 2, 1)), None),
        (D(2025, 10, 1), D(2025, 12, 31), (D(2025, 10, 1), D(2025, 12, 1)), None),
        (
            D(2025, 10, 1),
            D(2025, 12, 2),
            (D(2025, 10, 1), D(2025, 11, 1)),
            (D(2025, 12, 1), D(2025, 12, 2)),
        ),
    ],
)
def test_given_a_window_when_split_then_whole_months_and_the_partial_last_month(
    start, end, whole, partial
):
    assert tally.split(start, end) == (whole, partial)


def test_given_a_window_not_starting_on_a_first_then_refused():
    with pytest.raises(ValueError):
        tally.split(D(2026, 1, 2), D(2026, 3, 31))


def test_given_a_withdrawn_accident_then_it_adds_nothing_and_withdrawing_takes_it_away():
    fact = tally.Fact(D(2026, 3, 5), 7, 3, 2, True, "19", "general", deaths=1)
    gone = tally.Fact(**{**fact.__dict__, "withdrawn": True})
    assert tally.contributions(gone) == ({}, {})
    monthly, daily = tally.change(fact, gone)
    taken = {"accidents": -1, "deaths": -1, "enterprise_deaths": -1}
    values = {"all": "", "industry": "3", "department": "2", "type": "19", "grade": "general"}
    assert monthly == {(7, dim, value, D(2026, 3, 1)): taken for dim, value in values.items()}
    assert daily == {(7, dim, value, D(2026, 3, 5)): taken for dim, value in values.items()}


def test_given_an_accident_outside_any_enterprise_then_its_department_is_none_of_them():
    fact = tally.Fact(D(2026, 3, 5), 7, 0, 0, False, "02", "larger", deaths=3)
    monthly, _daily = tally.contributions(fact)
    row = monthly[(7, "department", tally.NO_ENTERPRISE, D(2026, 3, 1))]
    assert row == {"accidents": 1, "deaths": 3, "larger_plus": 1, "larger_plus_deaths": 3}


# --- in the database ----------------------------------------------------------------------------


def _exact(user, period, group_by, today):
    """The statistics counted from the accident table (the rollup's reference)."""
    current, previous = st.windows(period, today)
    root = st._root(user, None)
    qs = st.counted(user)
    if root is not None:
        from anjian.core import scoping

        qs = qs.filter(division_id__in=scoping.subtree_ids(root))
    return st._window_rows(qs, group_by, current, previous), st._trend(qs, today)


def _tallied(user, period, group_by, today):
    from anjian.core import scoping

    current, previous = st.windows(period, today)
    root = st._root(user, None)
    divisions = scoping.subtree_ids(root) if root is not None else None
    return (
        st._tallied_rows(divisions, group_by, current, previous),
        st._tallied_trend(divisions, today),
    )


def _assert_consistent(world) -> None:
    check = tally_services.accident_tally_check()
    assert check["ok"], json.dumps(check, ensure_ascii=False, default=str)
    for persona in ("coordinator_x", "coordinator_y", "officer_emergency_x", "platform_admin"):
        user = world.user(persona)
        for period, today in (
            (Period(2026), D(2026, 11, 20)),
            (Period(2026, 3), D(2026, 11, 20)),
            (Period(2026, 4), D(2026, 11, 20)),
            (Period(2025, 4), D(2026, 11, 20)),
            (Period(2026, 1), D(2026, 2, 14)),
        ):
            for group_by in st.GROUP_BY:
                assert _exact(user, period, group_by, today) == _tallied(
                    user, period, group_by, today
                ), (persona, period, group_by)


def _occurred(rng: random.Random) -> dict:
    from django.utils import timezone

    day = D(2025, 1, 1) + dt.timedelta(days=rng.randrange(680))
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randrange(24), 5)))
    return {"occurred_at": at, "learned_at": at + dt.timedelta(minutes=10)}


def _authority(accident) -> str:
    from anjian.core import scoping

    county_x = scoping.subtree_ids(accident.division.__class__.objects.get(name="东县"))
    return "coordinator_x" if accident.division_id in county_x else "coordinator_y"


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [3, 4])
def test_given_random_reports_follow_ups_and_withdrawals_then_counters_equal_a_full_recount(
    world, seed
):
    rng = random.Random(seed)
    made = []
    for _ in range(12):
        roll = rng.random()
        if roll < 0.5 or not made:
            where = rng.choice(
                [
                    ("safety_a", {}),
                    ("coordinator_x", {"enterprise_id": world.build_b.pk}),
                    ("coordinator_x", {"enterprise_id": world.ess_d.pk}),
                    ("coordinator_x", {"division_id": world.town_x.pk, "gb6441_type": "02"}),
                    ("principal_c", {}),
                ]
            )
            made.append(
                report(
                    world,
                    where[0],
                    **_occurred(rng),
                    **where[1],
                    deaths=rng.choice([0, 0, 1, 3]),
                    serious_injuries=rng.choice([0, 2, 11]),
                    direct_loss_yuan=str(rng.randint(0, 20_000_000)),
                )
            )
        elif roll < 0.8:
            accident = rng.choice(made)
            accident.refresh_from_db()
            if accident.state == "withdrawn":
                continue
            services.accident_followup(
                actor=actor(world.user(_authority(accident))),
                accident_id=accident.pk,
                deaths=accident.deaths + rng.choice([0, 1, 2]),
                serious_injuries=accident.serious_injuries + 1,
                direct_loss_yuan=str(accident.direct_loss_yuan + 1000),
                course="续报：伤亡情况更新",
            )
        else:
            accident = rng.choice(made)
            accident.refresh_from_db()
            if accident.state != "reported":
                continue
            services.accident_withdraw(
                actor=actor(world.user(_authority(accident))),
                accident_id=accident.pk,
                reason="重复上报",
            )
    _assert_consistent(world)


@pytest.mark.django_db
def test_given_a_lead_department_changed_then_the_accidents_move_with_it(world):
    report(world, deaths=1)
    report(world, "coordinator_x", enterprise_id=world.build_b.pk, deaths=2)
    new_lead = world.fire_x  # chem_a is led by the emergency bureau
    registry_services.duty_override(
        actor=Actor.for_user(world.user("coordinator_x"), "web"),
        enterprise_id=world.chem_a.pk,
        lead_department_id=new_lead.pk,
        reason="安委办协调",
    )
    moved = AccidentCount.objects.filter(dim="department", value=str(new_lead.pk))
    assert sum(moved.values_list("accidents", flat=True)) == 1
    _assert_consistent(world)


@pytest.mark.django_db
def test_given_a_drifted_counter_then_check_fails_and_repair_mends_it(world, capsys):
    report(world)
    row = AccidentCount.objects.filter(accidents__gt=0).first()
    AccidentCount.objects.filter(pk=row.pk).update(deaths=row.deaths + 5)
    with pytest.raises(CommandError):
        call_command("accident_tally", "--check")
    printed = json.loads(capsys.readouterr().out)
    assert printed["ok"] is False and printed["monthly"]["rows_wrong"] == 1
    call_command("accident_tally", "--repair")
    assert json.loads(capsys.readouterr().out)["repaired"] is True
    call_command("accident_tally", "--check")
    assert json.loads(capsys.readouterr().out)["ok"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["principal_a", "outsider"])
def test_given_a_view_that_is_not_a_set_of_divisions_then_the_accident_table_answers(
    world, persona
):
    from anjian.core import scoping

    assert scoping.placed_scope(world.user(persona)) is None

"""The hazard rollup (anjian.reports.tally, tally_services): its arithmetic against the
figures' definitions (hazard_figures.count) on random hazards; the counters the services
keep against a full recount after random changes through the services; the figures read
from it against the figures counted from the hazard table; regrouping when the registry
moves an enterprise; the nightly check and repair."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from anjian.core.audit import Actor
from anjian.hazards.models import Hazard
from anjian.registry import services as registry_services
from anjian.reports import hazard_figures as hf
from anjian.reports import indicators, queries, tally, tally_services
from anjian.reports.models import HazardTally
from anjian.reports.periods import Period
from tests.hazards.helpers import GENERAL_PATH, MAJOR_ITEM, do, five_fixes, report

# --- the arithmetic ---------------------------------------------------------------------------


def _random_fact(rng: random.Random, first: dt.date, last: dt.date) -> tally.Fact:
    span = (last - first).days
    reported = first + dt.timedelta(days=rng.randrange(span + 1))
    deadline = None
    if rng.random() < 0.8:
        # Mostly after the report; sometimes before it (a legacy ledger's odd rows).
        deadline = reported + dt.timedelta(days=rng.randint(-5, 60))
    closed = None
    if rng.random() < 0.7:
        closed = reported + dt.timedelta(days=rng.randint(0, 90))
        if closed > last:
            closed = None
    listed = None
    if rng.random() < 0.1:
        listed = reported + dt.timedelta(days=rng.randint(0, 20))
        listed = None if listed > last else listed
    funds = Decimal(rng.randint(0, 99999)) / 100 if closed and rng.random() < 0.6 else None
    return tally.Fact(reported, closed, deadline, rng.random() < 0.1, funds, listed)


def _row(fact: tally.Fact) -> hf.HazardRow:
    return hf.HazardRow(
        reported_on=fact.reported_on,
        closed_on=fact.closed_on,
        deadline=fact.deadline,
        level=hf.MAJOR if fact.major else "general",
        funds=fact.funds,
    )


def _reference(facts: list[tally.Fact], window: tally.Window) -> dict[str, int]:
    c = hf.count([_row(f) for f in facts], window.start, window.end, window.on)
    on = window.on
    open_ = sum(
        1 for f in facts if f.reported_on <= on and (f.closed_on is None or f.closed_on > on)
    )
    listed = sum(
        1 for f in facts if f.listed_on and window.start <= f.listed_on <= min(window.end, on)
    )
    return {
        **{n: getattr(c, n) for n in hf.COUNT_FIELDS},
        "funds_cents": tally.cents(c.funds),
        "open": open_,
        "listed": listed,
    }


@pytest.mark.parametrize("seed", range(6))
def test_given_random_hazards_when_read_from_counters_then_figures_equal_the_definitions(seed):
    rng = random.Random(seed)
    today = dt.date(2026, 11, 17)
    facts = [_random_fact(rng, dt.date(2024, 1, 1), today) for _ in range(400)]
    monthly, daily = tally.tally(facts)
    rows_m = [(m, o, c) for (m, o), c in monthly.items()]
    rows_d = list(daily.items())
    periods = [Period(2025, q) for q in range(5)] + [Period(2026, q) for q in range(5)]
    periods += [Period(2024, 0), Period(2024, 3)]
    for period in periods:
        if period.start > today:
            continue
        # As of the period's end, or today while it runs (no hazard after today).
        window = tally.Window(period.start, period.end, min(period.end, today))
        got = tally.figures(window, rows_m, rows_d)
        assert got == _reference(facts, window), period


def test_given_a_change_when_applied_then_counters_equal_the_new_facts_alone():
    old = tally.Fact(dt.date(2026, 3, 30), None, dt.date(2026, 4, 10), True)
    new = tally.Fact(
        dt.date(2026, 3, 30), dt.date(2026, 5, 2), dt.date(2026, 4, 20), True, Decimal("12.34")
    )
    m_old, d_old = tally.contributions(old)
    m_change, d_change = tally.change(old, new)
    tally.merge(m_old, m_change)
    tally.merge(d_old, d_change)
    assert (tally._clean(m_old), tally._clean(d_old)) == tally.contributions(new)
    assert tally.change(new, new) == ({}, {})


def test_given_a_window_not_starting_on_a_first_then_refused():
    with pytest.raises(ValueError):
        tally.Window(dt.date(2026, 1, 2), dt.date(2026, 3, 31), dt.date(2026, 3, 31))
    with pytest.raises(ValueError):
        tally.Window(dt.date(2026, 1, 1), dt.date(2026, 3, 31), dt.date(2026, 4, 1))


# --- in the database --------------------------------------------------------------------------


def _this_quarter() -> Period:
    today = timezone.localdate()
    return Period(today.year, (today.month - 1) // 3 + 1)


def _both_ways(user, period: Period, group_by: str):
    """The figures from the rollup and from the hazard table, as plain dicts per group."""
    b = queries.Bounds.of(period)
    fast = queries._from_rollup(user, b, group_by)
    assert fast is not None, "the rollup should answer for this user and period"
    slow = queries._counted(user, b, group_by)
    return (
        {k: hf.counts_dict(v) for k, v in fast.items()},
        {k: hf.counts_dict(v) for k, v in slow.items()},
    )


def _assert_consistent(world) -> None:
    check = tally_services.hazard_tally_check()
    assert check["ok"], json.dumps(check, ensure_ascii=False, default=str)
    for persona in ("coordinator_x", "coordinator_y", "platform_admin"):
        for period in (_this_quarter(), Period(timezone.localdate().year)):
            for group_by in queries.GROUP_BY:
                fast, slow = _both_ways(world.user(persona), period, group_by)
                assert fast == slow, (persona, period, group_by)


def _random_history(world, rng: random.Random, steps: int) -> list[Hazard]:
    """Hazards reported, planned, extended, closed, made major and reopened through the
    services, in a random order."""
    made: list[Hazard] = []
    enterprises = [
        ("safety_a", world.chem_a),
        ("coordinator_x", world.build_b),
        ("grid_x1", world.ess_d),
        ("principal_c", world.chem_c),
    ]
    for _ in range(steps):
        roll = rng.random()
        open_ = [h for h in made if h.state != "closed"]
        if roll < 0.35 or not made:
            who, enterprise = rng.choice(enterprises)
            extra = {"major_item": MAJOR_ITEM} if rng.random() < 0.15 else {}
            made.append(report(world, who=who, enterprise=enterprise, **extra))
        elif roll < 0.7 and open_:
            hazard = rng.choice([h for h in open_ if h.enterprise_id == world.chem_a.pk] or open_)
            if hazard.enterprise_id != world.chem_a.pk or hazard.level == "major":
                continue
            index = made.index(hazard)
            for who, action in GENERAL_PATH:
                if hazard.state == "closed":
                    break
                hazard = do(world, who, hazard, action, False)
            made[index] = hazard
        else:
            # A deadline moved into the past and a report moved back a month: what the
            # services never do, repaired by the nightly job like any drift.
            hazard = rng.choice(made)
            Hazard.objects.filter(pk=hazard.pk).update(
                reported_at=hazard.reported_at - dt.timedelta(days=rng.randint(1, 40))
            )
            tally_services.hazard_tally_rebuild()
    return made


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_given_random_changes_through_the_services_then_counters_equal_a_full_recount(world, seed):
    rng = random.Random(seed)
    _random_history(world, rng, 14)
    _assert_consistent(world)


@pytest.mark.django_db
def test_given_a_hazard_closed_then_reopened_then_counters_follow(world):
    hazard = report(world)
    for who, action in GENERAL_PATH:
        hazard = do(world, who, hazard, action, False)
    assert hazard.state == "closed"
    _assert_consistent(world)
    total = HazardTally.objects.filter(division=world.chem_a.division_id)
    assert sum(r.fixed for r in total) == 1
    assert sum(r.funds_cents for r in total) == tally.cents(Decimal(five_fixes()["funds"]))


@pytest.mark.django_db
def test_given_an_enterprise_moved_to_another_grid_then_its_counters_move(world):
    report(world)
    report(world, major_item=MAJOR_ITEM)
    old_grid = world.chem_a.division_id
    registry_services.enterprise_update(
        actor=Actor.for_user(world.user("coordinator_x"), "web"),
        enterprise_id=world.chem_a.pk,
        data={"division_id": world.grid_x2.pk},
    )
    assert Hazard.objects.filter(enterprise=world.chem_a).count() == 2
    assert not any(r.found for r in HazardTally.objects.filter(division=old_grid))
    assert sum(r.found for r in HazardTally.objects.filter(division=world.grid_x2.pk)) >= 2
    _assert_consistent(world)


@pytest.mark.django_db
def test_given_report_figures_then_rollup_equals_the_hazard_table(world):
    _random_history(world, random.Random(7), 10)
    bounds = indicators.Bounds(world.county_x, _this_quarter(), timezone.localdate())
    fast = {
        "hazards": indicators._hazards(bounds),
        "stock": indicators._hazard_stock(bounds),
    }
    counted = dict(bounds._groups.pop("_rollup"))
    assert counted["found"] == fast["hazards"]["found"]
    # The same figures counted from the hazard table (an as-of day the rollup refuses).
    slow_bounds = indicators.Bounds(world.county_x, _this_quarter(), timezone.localdate())
    slow_bounds._groups["_rollup"] = None
    original = indicators._from_rollup
    try:
        indicators._from_rollup = lambda b: None
        slow = {
            "hazards": indicators._hazards(slow_bounds),
            "stock": indicators._hazard_stock(slow_bounds),
        }
    finally:
        indicators._from_rollup = original
    assert fast == slow


@pytest.mark.django_db
def test_given_a_drifted_counter_then_check_fails_and_repair_mends_it(world, capsys):
    report(world)
    row = HazardTally.objects.filter(found__gt=0).first()
    HazardTally.objects.filter(pk=row.pk).update(found=row.found + 3)
    with pytest.raises(CommandError):
        call_command("hazard_tally", "--check")
    printed = json.loads(capsys.readouterr().out)
    assert printed["ok"] is False and printed["monthly"]["rows_wrong"] == 1
    call_command("hazard_tally", "--repair")
    printed = json.loads(capsys.readouterr().out)
    assert printed["repaired"] is True
    call_command("hazard_tally", "--check")
    assert json.loads(capsys.readouterr().out)["ok"] is True


@pytest.mark.django_db
def test_given_a_past_as_of_day_mid_month_then_the_hazard_table_answers(world):
    report(world)
    period = _this_quarter()
    b = queries.Bounds.of(period, today=period.start + dt.timedelta(days=14))
    if b.on in (period.end, timezone.localdate()):
        pytest.skip("today is that day")
    assert queries._from_rollup(world.user("coordinator_x"), b, "division") is None


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["officer_emergency_x", "principal_a", "outsider"])
def test_given_a_view_that_is_not_a_union_of_groups_then_the_hazard_table_answers(world, persona):
    b = queries.Bounds.of(_this_quarter())
    assert queries._from_rollup(world.user(persona), b, "division") is None

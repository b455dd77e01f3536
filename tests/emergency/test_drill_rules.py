"""Drill frequency (应急管理部令第2号 第三十三条, 国务院令第708号 第八条) and response times,
hand-computed cases against anjian.emergency.drill_rules (pure, no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from anjian.emergency import drill_rules as r
from anjian.emergency import drill_workflow as wf

D = dt.date

COMP = r.PlanIn(key=1, kind=r.COMPREHENSIVE, title="综合应急预案")
SPEC = r.PlanIn(key=2, kind=r.SPECIAL, title="泄漏专项预案")
ON1 = r.PlanIn(key=3, kind=r.ONSITE, title="罐区现场处置方案")
ON2 = r.PlanIn(key=4, kind=r.ONSITE, title="装车现场处置方案")


def _by_code(c: r.Compliance) -> dict[tuple[str, int | None], r.Obligation]:
    return {(o.code, o.plan_key): o for o in c.obligations}


def test_given_a_day_when_periods_are_asked_then_calendar_years_and_half_years():
    assert r.period_of(D(2026, 3, 5), r.YEAR) == (D(2026, 1, 1), D(2026, 12, 31))
    assert r.period_of(D(2026, 6, 30), r.HALF) == (D(2026, 1, 1), D(2026, 6, 30))
    assert r.period_of(D(2026, 7, 1), r.HALF) == (D(2026, 7, 1), D(2026, 12, 31))
    assert r.next_period(D(2026, 7, 1), r.HALF) == (D(2027, 1, 1), D(2027, 6, 30))
    assert r.next_period(D(2026, 1, 1), r.YEAR) == (D(2027, 1, 1), D(2027, 12, 31))


def test_given_a_special_drill_this_year_when_checked_then_the_annual_obligation_is_met():
    c = r.compliance(
        plans=[COMP, SPEC],
        drills=[r.DrillIn(on=D(2026, 2, 10), plan_kind=r.SPECIAL, plan_key=2)],
        high_risk=False,
        as_of=D(2026, 11, 30),
    )
    o = _by_code(c)[(r.ANNUAL_PLAN, None)]
    assert (o.status, o.last_drill, o.due_by) == (r.SATISFIED, D(2026, 2, 10), D(2027, 12, 31))
    assert o.period_start == D(2026, 1, 1)


def test_given_last_years_drill_only_when_checked_then_the_annual_obligation_is_due_by_year_end():
    c = r.compliance(
        plans=[COMP],
        drills=[r.DrillIn(on=D(2025, 5, 1), plan_kind=r.COMPREHENSIVE, plan_key=1)],
        high_risk=False,
        as_of=D(2026, 4, 1),
    )
    o = _by_code(c)[(r.ANNUAL_PLAN, None)]
    assert (o.status, o.due_by, o.overdue_since) == (r.DUE, D(2026, 12, 31), None)


def test_given_a_whole_year_missed_when_checked_then_overdue_since_the_next_new_year():
    c = r.compliance(
        plans=[COMP],
        drills=[r.DrillIn(on=D(2024, 5, 1), plan_kind=r.COMPREHENSIVE, plan_key=1)],
        high_risk=False,
        as_of=D(2026, 4, 1),
    )
    o = _by_code(c)[(r.ANNUAL_PLAN, None)]
    # 2025 was missed: overdue from 2026-01-01.
    assert (o.status, o.overdue_since, o.last_drill) == (r.OVERDUE, D(2026, 1, 1), D(2024, 5, 1))


def test_given_an_onsite_drill_only_when_checked_then_it_does_not_count_for_the_annual_one():
    c = r.compliance(
        plans=[COMP, ON1],
        drills=[r.DrillIn(on=D(2026, 3, 1), plan_kind=r.ONSITE, plan_key=3)],
        high_risk=False,
        as_of=D(2026, 4, 1),
    )
    got = _by_code(c)
    assert got[(r.HALF_ONSITE, None)].status == r.SATISFIED
    # No comprehensive/special drill known: last year is held against it.
    assert got[(r.ANNUAL_PLAN, None)].status == r.OVERDUE
    assert got[(r.ANNUAL_PLAN, None)].overdue_since == D(2026, 1, 1)


def test_given_an_onsite_drill_in_the_first_half_when_checked_in_the_second_then_due_by_dec_31():
    c = r.compliance(
        plans=[ON1],
        drills=[r.DrillIn(on=D(2026, 6, 30), plan_kind=r.ONSITE, plan_key=3)],
        high_risk=False,
        as_of=D(2026, 7, 1),
    )
    o = _by_code(c)[(r.HALF_ONSITE, None)]
    assert (o.status, o.period_start, o.due_by) == (r.DUE, D(2026, 7, 1), D(2026, 12, 31))


def test_given_a_missed_half_year_when_checked_then_overdue_since_the_first_day_after_it():
    c = r.compliance(
        plans=[ON1],
        drills=[r.DrillIn(on=D(2025, 11, 3), plan_kind=r.ONSITE, plan_key=3)],
        high_risk=False,
        as_of=D(2026, 8, 15),
    )
    o = _by_code(c)[(r.HALF_ONSITE, None)]
    # Jan–Jun 2026 was missed.
    assert (o.status, o.overdue_since, o.due_by) == (r.OVERDUE, D(2026, 7, 1), D(2026, 12, 31))


def test_given_two_onsite_plans_one_drilled_when_national_then_met_when_each_onsite_then_not():
    plans = [ON1, ON2]
    drills = [r.DrillIn(on=D(2026, 2, 1), plan_kind=r.ONSITE, plan_key=3)]
    national = r.compliance(plans=plans, drills=drills, high_risk=False, as_of=D(2026, 3, 1))
    assert [o.status for o in national.obligations] == [r.SATISFIED]
    strict = r.compliance(
        plans=plans, drills=drills, high_risk=False, as_of=D(2026, 3, 1), profile=r.EACH_ONSITE
    )
    got = _by_code(strict)
    assert got[(r.HALF_ONSITE, 3)].status == r.SATISFIED
    assert got[(r.HALF_ONSITE, 4)].status == r.OVERDUE
    assert got[(r.HALF_ONSITE, 4)].overdue_since == D(2026, 1, 1)
    assert got[(r.HALF_ONSITE, 4)].plan_title == "装车现场处置方案"
    assert strict.status == r.OVERDUE


def test_given_a_plan_issued_this_half_when_checked_then_due_not_overdue():
    plan = r.PlanIn(key=9, kind=r.ONSITE, since=D(2026, 5, 20))
    c = r.compliance(plans=[plan], drills=[], high_risk=False, as_of=D(2026, 6, 1))
    assert c.obligations[0].status == r.DUE
    # The first whole half-year after issue is Jul–Dec 2026: still due on 2026-12-01 …
    c = r.compliance(plans=[plan], drills=[], high_risk=False, as_of=D(2026, 12, 1))
    assert (c.obligations[0].status, c.obligations[0].due_by) == (r.DUE, D(2026, 12, 31))
    # … and overdue from 2027-01-01 when that half passed without one.
    c = r.compliance(plans=[plan], drills=[], high_risk=False, as_of=D(2027, 1, 1))
    assert (c.obligations[0].status, c.obligations[0].overdue_since) == (r.OVERDUE, D(2027, 1, 1))


def test_given_a_high_risk_unit_when_any_drill_this_half_then_the_708_obligation_is_met():
    drills = [r.DrillIn(on=D(2026, 1, 20))]  # a drill naming no plan
    c = r.compliance(plans=[], drills=drills, high_risk=True, as_of=D(2026, 5, 1))
    assert [(o.code, o.status) for o in c.obligations] == [(r.HALF_HIGH_RISK, r.SATISFIED)]
    c = r.compliance(plans=[], drills=drills, high_risk=True, as_of=D(2026, 7, 2))
    assert [(o.code, o.status) for o in c.obligations] == [(r.HALF_HIGH_RISK, r.DUE)]
    c = r.compliance(plans=[], drills=drills, high_risk=True, as_of=D(2027, 1, 2))
    assert c.obligations[0].status == r.OVERDUE
    assert c.obligations[0].overdue_since == D(2027, 1, 1)


def test_given_no_plans_and_not_high_risk_when_checked_then_no_obligation_and_met():
    c = r.compliance(plans=[], drills=[], high_risk=False, as_of=D(2026, 5, 1))
    assert c.obligations == () and c.status == r.SATISFIED


def test_given_drills_after_the_as_of_day_when_checked_then_they_do_not_count():
    c = r.compliance(
        plans=[ON1],
        drills=[r.DrillIn(on=D(2026, 5, 2), plan_kind=r.ONSITE, plan_key=3)],
        high_risk=False,
        as_of=D(2026, 5, 1),
    )
    assert c.obligations[0].status == r.OVERDUE


def test_given_an_unknown_profile_when_checked_then_refused():
    with pytest.raises(ValueError):
        r.compliance(plans=[], drills=[], high_risk=False, as_of=D(2026, 1, 1), profile="x")


def test_given_enterprises_when_sorted_then_overdue_first_longest_first_then_due_then_met():
    def make(status_day: D | None, due: bool) -> r.Compliance:
        if status_day:
            drills = [r.DrillIn(on=status_day, plan_kind=r.ONSITE, plan_key=3)]
        elif due:
            drills = [r.DrillIn(on=D(2025, 12, 1), plan_kind=r.ONSITE, plan_key=3)]
        else:
            drills = [r.DrillIn(on=D(2026, 2, 1), plan_kind=r.ONSITE, plan_key=3)]
        return r.compliance(plans=[ON1], drills=drills, high_risk=False, as_of=D(2026, 3, 1))

    old = make(D(2024, 1, 5), False)  # overdue since 2025-01-01
    recent = make(D(2025, 3, 1), False)  # overdue since 2026-01-01
    due = make(None, True)
    met = make(None, False)
    ordered = sorted([met, due, recent, old], key=r.sort_key)
    assert ordered == [old, recent, due, met]
    assert old.overdue_since == D(2025, 1, 1)


@pytest.mark.parametrize(
    ("codes", "major", "expected"),
    [
        (["HR-HAZCHEM"], False, True),
        (["HR-CONSTR"], False, True),
        (["E"], False, True),
        (["HR-IT-MET", "HR-IT"], False, True),
        (["HR-IT-TXT", "HR-IT"], False, False),
        (["HR-MINE"], False, True),
        (["H"], False, True),
        (["NB-ESS"], False, False),
        (["NB-ESS"], True, True),
        (["I"], False, False),
    ],
)
def test_given_an_industry_when_classified_then_708_high_risk_as_read(codes, major, expected):
    assert r.is_high_risk(codes, has_major_hazard=major) is expected


def test_given_the_clock_when_response_times_are_computed_then_whole_minutes_from_the_order():
    t0 = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
    t = r.response_times(
        t0,
        t0 + dt.timedelta(minutes=3, seconds=59),
        t0 + dt.timedelta(minutes=12),
        t0 + dt.timedelta(hours=1, minutes=30),
    )
    assert (t.to_acknowledge, t.to_start, t.total) == (3, 12, 90)
    t = r.response_times(t0, None, None, None)
    assert (t.to_acknowledge, t.to_start, t.total) == (None, None, None)
    assert r.response_times(None, t0, t0, t0).to_start is None


# --- the workflow table ------------------------------------------------------------------


LEGAL = {
    (wf.ORDERED, wf.ACKNOWLEDGE): wf.ORDERED,
    (wf.PLANNED, wf.START): wf.RUNNING,
    (wf.ORDERED, wf.START): wf.RUNNING,
    (wf.RUNNING, wf.FINISH): wf.DONE,
    (wf.DONE, wf.EVALUATE): wf.EVALUATED,
    (wf.PLANNED, wf.CANCEL): wf.CANCELLED,
    (wf.ORDERED, wf.CANCEL): wf.CANCELLED,
}


@pytest.mark.parametrize("state", wf.STATES)
@pytest.mark.parametrize("action", wf.ACTIONS)
def test_given_the_table_when_any_state_and_action_then_only_the_listed_steps_exist(state, action):
    found = wf.step(state, action)
    if (state, action) in LEGAL:
        assert found is not None and found.target == LEGAL[(state, action)]
    else:
        assert found is None


def test_given_an_acknowledged_order_when_listing_actions_then_acknowledge_is_gone():
    unit = frozenset({wf.UNIT})
    assert wf.available(wf.ORDERED, wf.Facts(acknowledged=False), unit) == [
        wf.ACKNOWLEDGE,
        wf.START,
    ]
    assert wf.available(wf.ORDERED, wf.Facts(acknowledged=True), unit) == [wf.START]
    assert wf.available(wf.ORDERED, wf.Facts(), frozenset({wf.ORDERER})) == [wf.CANCEL]
    assert wf.available(wf.DONE, wf.Facts(), frozenset({wf.AUTHORITY})) == []

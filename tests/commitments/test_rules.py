"""The pure rules of the daily commitment notice: the 10:00 deadline, late / missing / due,
who owes a notice, prefilling from the previous notice, counts, declared vs observed."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from anjian.commitments import rules

SH = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 3, 2)


def local(h, m=0, s=0, day=DAY):
    return dt.datetime(day.year, day.month, day.day, h, m, s, tzinfo=SH)


def test_given_a_day_when_deadline_then_ten_oclock_local():
    assert rules.deadline(DAY, "Asia/Shanghai") == local(10)
    assert rules.deadline(DAY, SH).utcoffset() == dt.timedelta(hours=8)


@pytest.mark.parametrize(
    ("submitted", "late"),
    [(local(9, 59, 59), False), (local(10), False), (local(10, 0, 1), True), (local(23), True)],
)
def test_given_a_submission_time_when_checked_then_late_only_after_ten(submitted, late):
    assert rules.is_late(submitted, DAY, SH) is late


def test_given_utc_submission_when_checked_then_compared_in_local_time():
    # 01:30 UTC is 09:30 in Shanghai: on time.
    assert not rules.is_late(dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC), DAY, SH)
    assert rules.is_late(dt.datetime(2026, 3, 2, 2, 1, tzinfo=dt.UTC), DAY, SH)


def test_given_no_submission_when_status_then_due_before_and_missing_after_deadline():
    assert rules.day_status(DAY, local(9, 30), None, SH) == rules.DUE
    assert rules.day_status(DAY, local(10), None, SH) == rules.DUE
    assert rules.day_status(DAY, local(10, 1), None, SH) == rules.MISSING
    assert rules.day_status(DAY - dt.timedelta(days=1), local(8), None, SH) == rules.MISSING


def test_given_a_first_submission_when_status_then_on_time_or_late_by_it():
    assert rules.day_status(DAY, local(15), local(9), SH) == rules.ON_TIME
    assert rules.day_status(DAY, local(15), local(11), SH) == rules.LATE


@pytest.mark.parametrize(
    ("flag", "majors", "closed", "owes"),
    [
        (True, 0, False, True),
        (False, 1, False, True),
        (False, 0, False, False),
        (True, 2, True, False),
    ],
)
def test_given_an_enterprise_when_asked_then_owes_with_a_major_hazard_unless_closed(
    flag, majors, closed, owes
):
    assert (
        rules.owes_notice(has_major_hazard=flag, major_installations=majors, closed=closed) is owes
    )


def test_given_previous_states_when_prefilled_then_kept_and_new_units_running():
    a, b, c = ("installation", 1), ("risk_unit", 2), ("risk_unit", 3)
    got = rules.prefill_states([a, b, c], {a: rules.STOPPED, b: rules.MAINTENANCE})
    assert got == {a: rules.STOPPED, b: rules.MAINTENANCE, c: rules.RUNNING}
    assert rules.prefill_states([a], None) == {a: rules.RUNNING}


def test_given_the_standard_when_special_work_listed_then_eight_kinds_with_three_hot_grades():
    labels = [zh for _name, zh in rules.SPECIAL_WORK]
    assert labels[:3] == ["特级动火作业", "一级动火作业", "二级动火作业"]
    kinds = {zh.replace("特级", "").replace("一级", "").replace("二级", "") for zh in labels}
    assert len(kinds) == 8


def test_given_bad_counts_when_validated_then_each_named():
    counts = dict.fromkeys(rules.COUNT_FIELDS, 0)
    counts.update(lifting=-1, excavation=1000, trial_runs="2", start_ups=True)
    assert rules.validate_counts(counts) == {
        "lifting": "out_of_range",
        "excavation": "out_of_range",
        "trial_runs": "not_a_whole_number",
        "start_ups": "not_a_whole_number",
    }
    assert rules.validate_counts(dict.fromkeys(rules.COUNT_FIELDS, 999)) == {}


def test_given_declared_and_observed_when_compared_then_stops_with_readings_or_alarms_listed():
    run, stop, maint, dark, none = (
        ("installation", 1),
        ("installation", 2),
        ("risk_unit", 3),
        ("risk_unit", 4),
        ("risk_unit", 5),
    )
    declared = {
        run: rules.RUNNING,
        stop: rules.STOPPED,
        maint: rules.MAINTENANCE,
        dark: rules.STOPPED,
        none: rules.STOPPED,
    }
    observed = {
        run: rules.Observation(points=3, readings_seen=True, alarms_raised=4),
        stop: rules.Observation(points=2, readings_seen=True, alarms_raised=2),
        maint: rules.Observation(points=1, readings_seen=True, alarms_raised=1),
        dark: rules.Observation(points=1, readings_seen=False, alarms_raised=0),
        none: rules.Observation(points=1),  # no observation: readings and alarms unknown
    }
    got = rules.compare(declared, observed)
    assert got == [
        rules.Difference(stop, rules.STOPPED, rules.READINGS_WHILE_STOPPED),
        rules.Difference(stop, rules.STOPPED, rules.ALARMS_WHILE_STOPPED, alarms=2),
        rules.Difference(maint, rules.MAINTENANCE, rules.ALARMS_WHILE_MAINTENANCE, alarms=1),
    ]
    assert rules.compare({stop: rules.STOPPED}, {}) == []

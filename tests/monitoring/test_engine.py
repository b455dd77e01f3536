"""The pure alarm engine: thresholds with hysteresis and minimum duration, rate of change,
stuck values, seal windows, offline; boundaries and out-of-order readings."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from anjian.monitoring import engine as e

T0 = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 in Asia/Shanghai


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def sp(name="high", value="10", hysteresis="1", level=e.ORANGE, direction=e.ABOVE, **kw):
    v, h = Decimal(value), Decimal(hysteresis)
    clear = kw.pop("clear_value", None)
    clear_at = (
        float(Decimal(clear))
        if clear is not None
        else float(v - h if direction == e.ABOVE else v + h)
    )
    return e.SetPoint(name, level, direction, float(v), clear_at, **kw)


def run(rules, values, state=None, step=10.0, start=0.0):
    """Feed values at `step` seconds apart; every transition as (kind, condition, value)."""
    state = state or e.PointState()
    out = []
    for i, v in enumerate(values):
        for t in e.evaluate(rules, state, e.Reading(rules.point_id, at(start + i * step), v)):
            out.append((t.kind, t.condition, t.value))
    return out, state


# --- thresholds -----------------------------------------------------------------------------


def test_given_a_high_setpoint_when_a_reading_is_exactly_at_it_then_it_raises():
    rules = e.PointRules(1, setpoints=(sp(value="10.0"),))
    out, _ = run(rules, [9.99, 10.0])
    assert out == [("raise", "threshold:high", 10.0)]


def test_given_a_decimal_setpoint_when_the_reading_equals_its_text_then_it_compares_equal():
    # 0.1 + 0.2 style surprises: the float is made once from the Decimal, as the reading's.
    rules = e.PointRules(1, setpoints=(sp(value="0.3", hysteresis="0.1"),))
    out, _ = run(rules, [0.29, 0.3])
    assert out == [("raise", "threshold:high", 0.3)]


def test_given_an_active_alarm_when_the_reading_is_exactly_at_setpoint_minus_hysteresis_then_it_stays():
    rules = e.PointRules(1, setpoints=(sp(value="10", hysteresis="1"),))
    out, state = run(rules, [11, 9.0, 9.5, 9.99])
    assert out == [("raise", "threshold:high", 11.0)]
    assert state.active("threshold:high")


def test_given_an_active_alarm_when_the_reading_goes_below_the_band_then_it_clears_once():
    rules = e.PointRules(1, setpoints=(sp(value="10", hysteresis="1"),))
    out, state = run(rules, [11, 8.99, 8.0, 7.0])
    assert out == [("raise", "threshold:high", 11.0), ("clear", "threshold:high", 8.99)]
    assert not state.active("threshold:high")


def test_given_values_oscillating_inside_the_band_when_evaluated_then_no_flapping():
    rules = e.PointRules(1, setpoints=(sp(value="10", hysteresis="1"),))
    out, _ = run(rules, [10, 9.5, 10.2, 9.1, 10.0, 9.0, 10.5])
    assert out == [("raise", "threshold:high", 10.0)]


def test_given_a_clear_carries_the_peak_and_the_raise_time():
    rules = e.PointRules(1, setpoints=(sp(value="10"),))
    state = e.PointState()
    for i, v in enumerate([10, 14, 12]):
        e.evaluate(rules, state, e.Reading(1, at(i * 10), v))
    (clear,) = e.evaluate(rules, state, e.Reading(1, at(30), 5))
    assert clear.kind == "clear" and clear.peak == 14.0 and clear.raised_ts == at(0)


def test_given_a_low_setpoint_when_the_value_falls_to_it_then_raises_and_clears_above_band():
    rules = e.PointRules(
        1, setpoints=(sp(name="low", value="19.5", hysteresis="0.5", direction=e.BELOW),)
    )
    out, _ = run(rules, [20.9, 19.5, 19.9, 20.0, 20.01])
    assert out == [("raise", "threshold:low", 19.5), ("clear", "threshold:low", 20.01)]


def test_given_high_and_high_high_when_the_value_passes_both_then_two_alarms():
    rules = e.PointRules(
        1,
        setpoints=(
            sp(name="high", value="25", level=e.YELLOW),
            sp(name="high_high", value="50", level=e.RED),
        ),
    )
    out, _ = run(rules, [10, 30, 60, 30, 10])
    assert out == [
        ("raise", "threshold:high", 30.0),
        ("raise", "threshold:high_high", 60.0),
        ("clear", "threshold:high_high", 30.0),
        ("clear", "threshold:high", 10.0),
    ]


def test_given_mine_gas_setpoints_when_ch4_rises_and_falls_then_power_off_clears_below_restore():
    # Coal face T1: alarm >= 1.0 % CH4, power-off >= 1.5 %, restore < 1.0 %.
    rules = e.PointRules(
        1,
        setpoints=(
            sp(name="alarm", value="1.0", hysteresis="0", level=e.YELLOW),
            sp(name="power_off", value="1.5", hysteresis="0", clear_value="1.0", level=e.RED),
        ),
    )
    out, _ = run(rules, [0.8, 1.0, 1.5, 1.2, 1.0, 0.99])
    assert out == [
        ("raise", "threshold:alarm", 1.0),
        ("raise", "threshold:power_off", 1.5),
        ("clear", "threshold:alarm", 0.99),
        ("clear", "threshold:power_off", 0.99),
    ]


# --- minimum duration -------------------------------------------------------------------------


def test_given_min_duration_30s_when_the_condition_holds_29_9s_then_no_raise():
    rules = e.PointRules(1, setpoints=(sp(min_duration=30),))
    state = e.PointState()
    for t in (0, 10, 20, 29.9):
        assert e.evaluate(rules, state, e.Reading(1, at(t), 11)) == []


def test_given_min_duration_30s_when_the_condition_holds_exactly_30s_then_it_raises():
    rules = e.PointRules(1, setpoints=(sp(min_duration=30),))
    out, _ = run(rules, [11, 11, 11, 11])  # t = 0, 10, 20, 30
    assert out == [("raise", "threshold:high", 11.0)]


def test_given_min_duration_when_one_reading_drops_out_then_the_clock_restarts():
    rules = e.PointRules(1, setpoints=(sp(min_duration=30),))
    out, _ = run(rules, [11, 11, 11, 9.5, 11, 11, 11])  # drop at t=30 (inside the band)
    assert out == []
    out, _ = run(rules, [11, 11, 11, 9.5, 11, 11, 11, 11])
    assert out == [("raise", "threshold:high", 11.0)]  # at t=70: 30 s after t=40


def test_given_an_enabled_window_when_outside_it_then_no_raise_but_an_active_alarm_clears():
    # Window 08:00–18:00 local; T0 is 10:00 local.
    window = (e.Window(8 * 60, 18 * 60),)
    rules = e.PointRules(1, setpoints=(sp(windows=window),), sampling_seconds=86400)
    out, state = run(rules, [11], start=0)
    assert out == [("raise", "threshold:high", 11.0)]
    night = 10 * 3600  # 20:00 local
    out, state = run(rules, [5], state=state, start=night)
    assert out == [("clear", "threshold:high", 5.0)]
    out, _ = run(rules, [50, 60], state=state, start=night + 10)
    assert out == []


def test_given_a_window_past_midnight_then_its_minutes_wrap():
    w = e.Window(22 * 60, 6 * 60)
    assert w.contains(23 * 60) and w.contains(0) and w.contains(359)
    assert not w.contains(360) and not w.contains(12 * 60)
    assert e.Window(0, 0).contains(720)


# --- out of order ---------------------------------------------------------------------------


def test_given_a_reading_older_than_the_last_when_evaluated_then_it_is_ignored():
    rules = e.PointRules(1, setpoints=(sp(min_duration=20),))
    state = e.PointState()
    e.evaluate(rules, state, e.Reading(1, at(100), 11))
    # An older reading neither raises (even far above) nor moves the duration clock.
    assert e.evaluate(rules, state, e.Reading(1, at(50), 99)) == []
    assert e.evaluate(rules, state, e.Reading(1, at(100), 99)) == []  # same ts: a repeat
    assert state.last_ts == at(100).timestamp()
    assert e.evaluate(rules, state, e.Reading(1, at(110), 11)) == []
    assert [t.kind for t in e.evaluate(rules, state, e.Reading(1, at(120), 11))] == ["raise"]


# --- rate of change, stuck ----------------------------------------------------------------


def test_given_a_rate_limit_when_the_value_rises_fast_then_rate_raises_and_clears():
    rules = e.PointRules(1, rate_limit=6.0, rate_direction=e.RISE)  # 6 units per minute
    # 10 s apart: +3/min, +6/min, then below the limit from 30 s on; it clears once below
    # for RATE_CLEAR_SECONDS (60 s): at 90 s, not before.
    values = [0, 0.5, 1.5, 1.6, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5]
    out, _ = run(rules, values)
    assert [(k, c) for k, c, _ in out] == [("raise", "rate"), ("clear", "rate")]
    assert out[0][2] == 6.0
    out, _ = run(rules, values[:-1])
    assert [(k, c) for k, c, _ in out] == [("raise", "rate")]


def test_given_a_noisy_rate_near_its_limit_then_one_alarm_not_a_flapping_one():
    rules = e.PointRules(1, rate_limit=6.0)
    # +/-1.2 every 10 s is 7.2 per minute: at the limit; +/-0.6 below it; alternating.
    noisy = [0.0]
    for i in range(30):
        noisy.append(noisy[-1] + (1.2 if i % 4 == 0 else (-0.6 if i % 2 else 0.6)))
    out, _ = run(rules, noisy)
    assert [(k, c) for k, c, _ in out] == [("raise", "rate")]


def test_given_a_falling_rate_rule_when_the_value_rises_then_nothing():
    rules = e.PointRules(1, rate_limit=6.0, rate_direction=e.FALL)
    assert run(rules, [0, 5, 10])[0] == []
    assert run(rules, [10, 5])[0] == [("raise", "rate", -30.0)]


def test_given_stuck_after_60s_when_the_value_does_not_change_for_60s_then_stuck():
    rules = e.PointRules(1, stuck_seconds=60)
    out, _ = run(rules, [5.0] * 6)  # 0..50 s
    assert out == []
    out, state = run(rules, [5.0] * 7)  # 60 s
    assert out == [("raise", "stuck", 5.0)]
    out, _ = run(rules, [5.0, 5.1], state=state, start=70)
    assert out == [("clear", "stuck", 5.1)]


def test_given_a_stuck_tolerance_when_the_value_jitters_inside_it_then_still_stuck():
    rules = e.PointRules(1, stuck_seconds=30, stuck_tolerance=0.05)
    out, _ = run(rules, [5.0, 5.04, 4.96, 5.05])
    assert out == [("raise", "stuck", 5.05)]


# --- seals ---------------------------------------------------------------------------------


def test_given_a_seal_with_a_window_when_opened_inside_it_then_no_alarm():
    rules = e.PointRules(1, boolean=True, true_windows=(e.Window(9 * 60, 11 * 60),))
    assert run(rules, [False, True, True, False])[0] == []  # 10:00 local


def test_given_a_seal_when_opened_outside_its_window_then_it_raises_and_clears_when_closed():
    rules = e.PointRules(1, boolean=True, true_windows=(e.Window(8 * 60, 9 * 60),))
    out, _ = run(rules, [False, True, True, False])
    assert out == [("raise", "seal", True), ("clear", "seal", False)]


def test_given_a_seal_open_in_its_window_when_the_window_ends_then_it_raises():
    rules = e.PointRules(
        1, boolean=True, true_windows=(e.Window(9 * 60, 10 * 60 + 1),), sampling_seconds=60
    )
    out, _ = run(rules, [True, True], step=60)  # 10:00 inside, 10:01 outside
    assert out == [("raise", "seal", True)]


def test_given_a_seal_without_windows_when_opened_then_it_raises():
    rules = e.PointRules(1, boolean=True)
    assert run(rules, [True])[0] == [("raise", "seal", True)]


# --- offline --------------------------------------------------------------------------------


def test_given_3_periods_of_10s_when_29s_pass_then_not_offline_and_at_30s_offline():
    rules = e.PointRules(1, sampling_seconds=10, offline_periods=3)
    state = e.PointState()
    e.evaluate(rules, state, e.Reading(1, at(0), 1.0))
    assert e.offline(rules, state, at(29.9)) == []
    (t,) = e.offline(rules, state, at(45))
    assert (t.kind, t.condition, t.ts) == ("raise", "offline", at(30))
    assert e.offline(rules, state, at(60)) == []  # raised once


def test_given_a_gap_when_data_comes_back_then_evaluate_clears_offline_with_its_raise_time():
    rules = e.PointRules(1, sampling_seconds=10, offline_periods=3)
    state = e.PointState()
    e.evaluate(rules, state, e.Reading(1, at(0), 1.0))
    (t,) = e.evaluate(rules, state, e.Reading(1, at(100), 1.0))
    assert (t.kind, t.condition, t.raised_ts) == ("clear", "offline", at(30))
    assert e.evaluate(rules, state, e.Reading(1, at(110), 1.0)) == []


# --- state --------------------------------------------------------------------------------


def test_given_a_state_when_round_tripped_through_json_then_evaluation_continues_alike():
    import json

    rules = e.PointRules(1, setpoints=(sp(min_duration=20),), stuck_seconds=100, rate_limit=50)
    a = e.PointState()
    run(rules, [11, 11], state=a)
    b = e.PointState.from_dict(json.loads(json.dumps(a.to_dict())))
    ra = e.evaluate(rules, a, e.Reading(1, at(20), 11))
    rb = e.evaluate(rules, b, e.Reading(1, at(20), 11))
    assert ra == rb and [t.kind for t in ra] == ["raise"]
    assert a.to_dict() == b.to_dict()


def test_given_nan_when_evaluated_then_the_state_is_untouched_by_it():
    rules = e.PointRules(1, setpoints=(sp(),))
    state = e.PointState()
    assert e.evaluate(rules, state, e.Reading(1, at(0), float("nan"))) == []
    assert state.last_value is None


def test_given_many_readings_then_evaluation_takes_a_few_microseconds_each():
    rules = e.PointRules(
        1,
        setpoints=(sp(name="high", value="25"), sp(name="high_high", value="50")),
        rate_limit=100,
        stuck_seconds=600,
        stuck_tolerance=0.01,
    )
    state = e.PointState()
    readings = [e.Reading(1, at(i), 10.0 + (i % 7)) for i in range(50_000)]
    start = time.perf_counter()
    for r in readings:
        e.evaluate(rules, state, r)
    per = (time.perf_counter() - start) / len(readings)
    assert per < 20e-6, f"{per * 1e6:.1f} µs per reading"

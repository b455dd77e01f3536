"""Each authenticity signal fires on a minimal crafted case and not on its honest twin."""

from __future__ import annotations

import ast
import dataclasses
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from anjian.checks.authenticity import (
    AlarmSpan,
    CheckRecord,
    Finding,
    Site,
    Thresholds,
    score,
)

CST = timezone(timedelta(hours=8))
DAY0 = datetime(2026, 3, 2, tzinfo=CST)
SITE = Site("E1", 30.0, 120.0)


def rec(n: int, **fields) -> CheckRecord:
    """An honest daily check on day n: 5 items in 5 minutes at the site, due at 18:00."""
    day = DAY0 + timedelta(days=n)
    started = fields.pop("started_at", day + timedelta(hours=9))
    values = {
        "id": f"R{n:04d}",
        "enterprise": "E1",
        "checker": "C1",
        "device": "P1",
        "unit": "U1",
        "task": "T1",
        "cycle": "day",
        "due_at": day + timedelta(hours=18),
        "started_at": started,
        "submitted_at": started + timedelta(minutes=5),
        "items": 5,
        "answers": ("normal",) * 5,
        "note": "",
        "lat": SITE.lat,
        "lon": SITE.lon,
        "photos": (format(random.Random(n).getrandbits(64), "016x"),),
    }
    values.update(fields)
    return CheckRecord(**values)


def signals_of(result, record_id: str) -> set[str]:
    (found,) = [r for r in result.records if r.id == record_id]
    return {s.name for s in found.signals}


def all_signals(result) -> set[str]:
    return {s.name for r in result.records for s in r.signals}


def test_given_honest_records_when_scored_then_no_signal_and_full_score():
    result = score([rec(n) for n in range(30)], [SITE])
    assert all_signals(result) == set()
    assert [(e.enterprise, e.score, e.flag) for e in result.enterprises] == [("E1", 100.0, False)]


def test_given_the_same_sentence_and_answers_8_times_when_scored_then_identical_answers():
    note = "经检查，各项安全措施落实到位，未发现隐患。"
    result = score([rec(n, note=note) for n in range(8)], [SITE])
    assert signals_of(result, "R0000") == {"identical_answers"}
    evidence = result.records[0].signals[0].evidence
    assert evidence["records"] == 8 and evidence["note"] == note
    assert evidence["ids"][:2] == ["R0000", "R0001"]


def test_given_short_stock_notes_or_varied_sentences_when_scored_then_not_identical():
    short = [rec(n, note="无异常") for n in range(20)]
    varied = [rec(100 + n, note=f"压力0.{n + 10}MPa，温度{n + 10}℃，运行平稳") for n in range(20)]
    seven = [rec(200 + n, note="经检查，各项安全措施落实到位。") for n in range(7)]
    assert all_signals(score(short + varied + seven, [SITE])) == set()


def _sixty_days(**fields) -> list[CheckRecord]:
    return [rec(n, **fields) for n in range(60)]


def test_given_two_months_all_normal_while_others_found_problems_then_normal_despite_findings():
    findings = [
        Finding("E1", "U1", DAY0 + timedelta(days=10, hours=10), "inspection"),
        Finding("E1", "U1", DAY0 + timedelta(days=40, hours=10), "report"),
    ]
    result = score(_sixty_days(), [SITE], findings=findings)
    assert signals_of(result, "R0030") == {"normal_despite_findings"}
    evidence = result.records[30].signals[0].evidence
    assert evidence["records"] == 60 and len(evidence["findings"]) == 2


def test_given_problems_elsewhere_or_hazards_found_between_then_not_normal_despite_findings():
    findings = [
        Finding("E1", "U2", DAY0 + timedelta(days=10, hours=10), "inspection"),
        Finding("E1", "U2", DAY0 + timedelta(days=40, hours=10), "report"),
    ]
    assert all_signals(score(_sixty_days(), [SITE], findings=findings)) == set()
    # At U1, but the checker did find a hazard in the middle: two runs of 30 days.
    at_unit = [dataclasses.replace(f, unit="U1") for f in findings]
    records = _sixty_days()
    records[30] = rec(30, answers=("normal",) * 4 + ("hazard_found",))
    assert all_signals(score(records, [SITE], findings=at_unit)) == set()


def test_given_an_alarm_during_an_all_normal_check_then_alarm_during_normal_check():
    alarm = AlarmSpan(
        "E1", "U1", DAY0 + timedelta(hours=8, minutes=50), DAY0 + timedelta(hours=9, minutes=2)
    )
    result = score([rec(0)], [SITE], alarms=[alarm])
    assert signals_of(result, "R0000") == {"alarm_during_normal_check"}


def test_given_an_alarm_and_a_hazard_found_or_an_alarm_after_the_check_then_no_signal():
    alarm = AlarmSpan(
        "E1", "U1", DAY0 + timedelta(hours=8, minutes=50), DAY0 + timedelta(hours=9, minutes=2)
    )
    later = AlarmSpan("E1", "U1", DAY0 + timedelta(hours=9, minutes=6), DAY0 + timedelta(hours=10))
    found = rec(0, answers=("hazard_found",) + ("normal",) * 4)
    assert all_signals(score([found], [SITE], alarms=[alarm])) == set()
    assert all_signals(score([rec(0)], [SITE], alarms=[later])) == set()


def test_given_a_month_of_daily_checks_sent_in_minutes_then_burst_and_back_dated():
    sitting = DAY0 + timedelta(days=31, hours=15)
    records = [rec(n, submitted_at=sitting + timedelta(seconds=30 * n)) for n in range(30)]
    result = score(records, [SITE])
    assert signals_of(result, "R0000") == {"burst", "back_dated"}
    burst = next(s for s in result.records[0].signals if s.name == "burst").evidence
    assert burst["records"] == 30 and burst["due_days"] == 30 and burst["minutes"] == 14.5


def test_given_todays_weekly_and_monthly_checks_together_then_no_burst():
    # Daily, weekly and monthly checks of the same day, done in one round: 3 due days.
    day = DAY0 + timedelta(hours=9)
    records = [
        rec(0, task="D", started_at=day),
        rec(1, task="W", started_at=day + timedelta(minutes=6), due_at=DAY0 + timedelta(days=4)),
        rec(2, task="M", started_at=day + timedelta(minutes=12), due_at=DAY0 + timedelta(days=20)),
    ]
    assert all_signals(score(records, [SITE])) == set()


def test_given_a_check_claimed_on_time_but_sent_days_later_then_back_dated():
    result = score([rec(0, submitted_at=DAY0 + timedelta(days=3))], [SITE])
    assert signals_of(result, "R0000") == {"back_dated"}
    assert result.records[0].signals[0].evidence["hours_after_due"] == 54.0


def test_given_a_late_check_shown_late_or_a_dropped_connection_then_not_back_dated():
    late = rec(0, started_at=DAY0 + timedelta(days=1, hours=8))
    dropped = rec(1, submitted_at=DAY0 + timedelta(days=1, hours=13))
    assert all_signals(score([late, dropped], [SITE])) == set()


def test_given_seconds_per_item_below_the_threshold_then_too_short():
    quick = rec(0, items=10, answers=("normal",) * 10)
    quick = dataclasses.replace(quick, submitted_at=quick.started_at + timedelta(seconds=20))
    result = score([quick], [SITE])
    assert signals_of(result, "R0000") == {"too_short"}
    assert result.records[0].signals[0].evidence["seconds_per_item"] == 2.0


def test_given_a_check_at_6_seconds_per_item_then_not_too_short():
    steady = rec(0, items=10, answers=("normal",) * 10)
    steady = dataclasses.replace(steady, submitted_at=steady.started_at + timedelta(seconds=60))
    assert all_signals(score([steady], [SITE])) == set()


def test_given_a_position_2_km_from_the_site_then_far_from_site():
    result = score([rec(0, lat=30.018)], [SITE])
    assert signals_of(result, "R0000") == {"far_from_site"}
    assert 1990 <= result.records[0].signals[0].evidence["distance_m"] <= 2010


def test_given_a_position_200_m_away_or_near_a_second_site_then_not_far():
    second = Site("E1", 30.5, 120.5)
    records = [rec(0, lat=30.0018), rec(1, lat=30.5001, lon=120.5)]
    assert all_signals(score(records, [SITE, second])) == set()


def test_given_a_photo_2_bits_from_another_records_photo_then_photo_reused_on_both():
    base = 0x0123456789ABCDEF
    records = [
        rec(0, photos=(format(base, "016x"),)),
        rec(1, photos=(format(base ^ 0b101, "016x"),)),
    ]
    result = score(records, [SITE])
    assert signals_of(result, "R0000") == {"photo_reused"}
    assert signals_of(result, "R0001") == {"photo_reused"}
    evidence = result.records[0].signals[0].evidence
    assert evidence["examples"] == [
        {"id": "R0001", "photo": format(base ^ 0b101, "016x"), "distance": 2}
    ]


def test_given_photos_4_bits_apart_or_one_photo_twice_in_one_record_then_not_reused():
    base = 0x0123456789ABCDEF
    records = [
        rec(0, photos=(format(base, "016x"),)),
        rec(1, photos=(format(base ^ 0xF, "016x"),)),
        rec(2, photos=("00000000000000ff", "00000000000000ff")),
    ]
    assert all_signals(score(records, [SITE])) == set()


def test_given_pairs_within_3_bits_in_every_band_then_all_found():
    rng = random.Random(5)
    records = []
    for n in range(200):
        h = rng.getrandbits(64)
        flips = rng.sample(range(64), 3)
        other = h
        for bit in flips:
            other ^= 1 << bit
        records += [
            rec(2 * n, photos=(format(h, "016x"),)),
            rec(2 * n + 1, photos=(format(other, "016x"),)),
        ]
    result = score(records, [SITE])
    assert all("photo_reused" in {s.name for s in r.signals} for r in result.records)


def test_given_one_device_in_two_enterprises_then_shared_device():
    other = rec(1, enterprise="E2", checker="C9")
    result = score([rec(0), other], [SITE, Site("E2", 30.0, 120.0)])
    assert signals_of(result, "R0000") == {"shared_device"}
    assert result.records[0].signals[0].evidence["enterprises"] == ["E1", "E2"]


def test_given_two_checkers_on_one_device_at_overlapping_times_then_shared_device():
    a = rec(0)
    b = rec(1, checker="C2", started_at=a.started_at + timedelta(minutes=2))
    b = dataclasses.replace(b, due_at=a.due_at)
    handed = rec(2, checker="C3", started_at=a.submitted_at + timedelta(minutes=3, seconds=20))
    handed = dataclasses.replace(handed, due_at=a.due_at)
    result = score([a, b, handed], [SITE])
    assert signals_of(result, "R0000") == {"shared_device"}
    assert signals_of(result, "R0001") == {"shared_device"}
    # b ends 09:07, the third checker starts 09:08:20: a handover, not one person.
    assert signals_of(result, "R0002") == set()


def test_given_a_tablet_shared_in_shifts_then_no_shared_device():
    morning = rec(0)
    afternoon = rec(1, checker="C2", started_at=morning.started_at + timedelta(hours=5))
    afternoon = dataclasses.replace(afternoon, due_at=morning.due_at)
    assert all_signals(score([morning, afternoon], [SITE])) == set()


def test_given_a_burst_habit_when_scored_then_enterprise_flagged_with_evidence_ids():
    honest = [rec(n) for n in range(60)]
    sitting = DAY0 + timedelta(days=91, hours=15)
    faked = [
        rec(n, enterprise="E2", submitted_at=sitting + timedelta(seconds=30 * n))
        for n in range(60, 90)
    ]
    faked += [rec(n, enterprise="E2") for n in range(30)]
    faked = [dataclasses.replace(r, id="F" + r.id, device="P2", photos=()) for r in faked]
    result = score(honest + faked, [SITE, Site("E2", 30.0, 120.0)])
    first, second = result.enterprises
    assert (first.enterprise, first.flag) == ("E2", True)
    assert first.score < Thresholds().flag_below <= second.score
    names = [s.name for s in first.signals]
    assert names[0] == "burst" and "back_dated" in names
    assert first.signals[0].evidence["records"] == 30
    assert first.signals[0].evidence["groups"][0]["ids"][0] == "FR0060"


def test_given_the_same_records_in_any_order_then_the_same_output():
    rng = random.Random(3)
    note = "经检查，各项安全措施落实到位，未发现隐患。"
    records = [rec(n, note=note if n % 2 else "") for n in range(40)]
    records += [rec(100, photos=records[3].photos), rec(101, lat=30.05)]
    findings = [Finding("E1", "U1", DAY0 + timedelta(days=d), "inspection") for d in (5, 25)]
    first = json.dumps(score(records, [SITE], findings=findings).as_dict())
    rng.shuffle(records)
    assert json.dumps(score(records, [SITE], findings=findings[::-1]).as_dict()) == first


def test_given_the_thresholds_then_they_are_frozen_and_weights_cover_every_signal():
    th = Thresholds()
    with pytest.raises(dataclasses.FrozenInstanceError):
        th.far_distance_m = 5000  # type: ignore[misc]
    from anjian.checks.authenticity import SIGNALS

    assert set(th.weights) == set(th.full_shares) == set(SIGNALS)


PURE_MODULES = ("authenticity.py", "scorefile.py", "synthetic.py")


def test_given_the_checks_modules_then_none_imports_django():
    # The pure cores only: the app's models, services and views beside them use Django.
    root = Path(__file__).resolve().parents[2] / "anjian" / "checks"
    for path in (root / name for name in PURE_MODULES):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            assert not any(n.split(".")[0] == "django" for n in names), path.name

"""The due periods of a check task and the photo hash: pure functions, tested directly."""

from __future__ import annotations

import ast
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from anjian.checks import periods
from anjian.checks.periods import Period, ended_periods, period_containing, timing
from anjian.checks.phash import dhash_bytes, distance

SH = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def test_given_a_daily_task_when_asked_at_any_time_of_day_then_the_local_calendar_day():
    p = period_containing(at(2026, 12, 3, 23, 59), 1, "day")
    assert p == Period(at(2026, 12, 3), at(2026, 12, 4))
    # 16:30 UTC is 00:30 the next day in Shanghai: the next local day.
    utc = dt.datetime(2026, 12, 3, 16, 30, tzinfo=dt.UTC)
    assert period_containing(utc, 1, "day").start == at(2026, 12, 4)


def test_given_an_eight_hour_cycle_then_the_shifts_line_up_with_local_midnight():
    assert period_containing(at(2026, 12, 3, 7, 59), 8, "hour") == Period(
        at(2026, 12, 3, 0), at(2026, 12, 3, 8)
    )
    assert period_containing(at(2026, 12, 3, 16), 8, "hour") == Period(
        at(2026, 12, 3, 16), at(2026, 12, 4, 0)
    )
    assert period_containing(at(2026, 12, 3, 9, 15), 1, "hour").end == at(2026, 12, 3, 10)


def test_given_a_weekly_cycle_then_monday_to_sunday():
    p = period_containing(at(2026, 12, 3, 12), 1, "week")  # a Thursday
    assert p == Period(at(2026, 11, 30), at(2026, 12, 7))
    assert p.start.weekday() == 0
    two = period_containing(at(2026, 12, 3, 12), 2, "week")
    assert (two.end - two.start).days == 14 and two.contains(at(2026, 12, 3, 12))


def test_given_month_and_year_cycles_then_calendar_months_quarters_and_years():
    assert period_containing(at(2026, 2, 28, 10), 1, "month") == Period(
        at(2026, 2, 1), at(2026, 3, 1)
    )
    assert period_containing(at(2026, 12, 31, 23), 1, "month").end == at(2027, 1, 1)
    assert period_containing(at(2026, 5, 20), 3, "month") == Period(at(2026, 4, 1), at(2026, 7, 1))
    assert period_containing(at(2026, 5, 20), 1, "year") == Period(at(2026, 1, 1), at(2027, 1, 1))
    assert period_containing(at(2027, 5, 20), 2, "year") == Period(at(2026, 1, 1), at(2028, 1, 1))


@pytest.mark.parametrize("unit", periods.UNITS)
@pytest.mark.parametrize("cycle", [1, 2, 3, 7])
def test_given_any_cycle_then_periods_tile_time_without_gaps(unit, cycle):
    p = period_containing(at(2025, 1, 30, 13, 45), cycle, unit)
    for _ in range(30):
        assert p.contains(p.start) and not p.contains(p.end)
        nxt = periods.next_period(p, cycle, unit)
        assert nxt.start == p.end
        assert period_containing(p.end - dt.timedelta(microseconds=1), cycle, unit) == p
        p = nxt


def test_given_a_span_when_listing_ended_periods_then_only_those_over_and_at_most_limit():
    listed = list(ended_periods(at(2026, 12, 1, 10), at(2026, 12, 4, 9), 1, "day"))
    assert [p.start.day for p in listed] == [1, 2, 3]
    assert len(list(ended_periods(at(2026, 1, 1), at(2026, 12, 1), 1, "hour", limit=5))) == 5
    assert list(ended_periods(at(2026, 12, 4, 1), at(2026, 12, 4, 9), 1, "day")) == []


def test_given_a_submission_when_timed_then_before_the_end_is_on_time_and_at_it_late():
    p = Period(at(2026, 12, 3), at(2026, 12, 4))
    assert timing(at(2026, 12, 3, 23, 59, 59), p) == periods.ON_TIME
    assert timing(at(2026, 12, 4), p) == periods.LATE


def test_given_bad_arguments_then_refused():
    with pytest.raises(ValueError):
        period_containing(at(2026, 1, 1), 0, "day")
    with pytest.raises(ValueError):
        period_containing(at(2026, 1, 1), 1, "fortnight")
    with pytest.raises(ValueError):
        period_containing(dt.datetime(2026, 1, 1), 1, "day")  # naive


def _png(draw) -> bytes:
    image = Image.new("L", (64, 48), 0)
    for x in range(64):
        for y in range(48):
            image.putpixel((x, y), draw(x, y))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def test_given_a_photo_re_saved_smaller_then_its_hash_is_near_and_another_photo_far():
    gradient = _png(lambda x, y: (x * 4 + y) % 256)
    other = _png(lambda x, y: 255 - ((x * y) % 256))
    with Image.open(io.BytesIO(gradient)) as image:
        buf = io.BytesIO()
        image.resize((32, 24)).convert("RGB").save(buf, format="JPEG", quality=70)
    h1, h2, h3 = dhash_bytes(gradient), dhash_bytes(buf.getvalue()), dhash_bytes(other)
    assert len(h1) == 16 and int(h1, 16) >= 0
    assert distance(h1, h2) <= 3
    assert distance(h1, h3) > 10


def test_given_the_pure_modules_then_none_imports_django():
    root = Path(__file__).resolve().parents[2] / "anjian" / "checks"
    for name in ("periods.py", "phash.py"):
        tree = ast.parse((root / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith(("django", "anjian.")), name
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith(("django", "anjian.")) for a in node.names)

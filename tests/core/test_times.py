import datetime as dt

import pytest

from anjian.core.times import utc_instant


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2026-12-03T08:00:00+08:00", "2026-12-03T00:00:00+00:00"),
        ("2026-01-01T00:00:00+18:13", "2025-12-31T05:47:00+00:00"),
        ("2026-12-03T08:00:00", None),
        ("0867-04-17T23:55:30+18:13", None),
        ("0001-01-01T00:00:00+05:00", None),
        ("9999-12-31T23:00:00-05:00", None),
    ],
)
def test_given_a_filter_time_then_utc_or_refused(text, expected):
    got = utc_instant(dt.datetime.fromisoformat(text))
    assert (got.isoformat() if got else None) == expected

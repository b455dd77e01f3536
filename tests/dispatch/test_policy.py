"""The pure part: due dates, reminder stages, the canonical JSON and its SHA-256."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from anjian.dispatch import policy

P = policy.Policy(due_day=25, remind_days=3, overdue_window=31)


def test_given_the_shipped_policy_then_due_on_the_25th():
    shipped = policy.load_policy()
    assert shipped.due_day == 25
    assert policy.due_on(dt.date(2026, 2, 1), shipped) == dt.date(2026, 2, 25)


@pytest.mark.parametrize(
    "content",
    [
        {"due_day": 29, "remind_days": 3, "overdue_window": 31},
        {"due_day": 0, "remind_days": 3, "overdue_window": 31},
        {"due_day": 25, "remind_days": -1, "overdue_window": 31},
        {"due_day": 25, "remind_days": 3, "overdue_window": 31, "extra": 1},
    ],
)
def test_given_a_bad_policy_file_then_refused(tmp_path, content):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"_about": "x", **content}))
    with pytest.raises(policy.PolicyError):
        policy.load_policy(path)


def test_given_months_then_ends_and_keys():
    assert policy.month_end(dt.date(2026, 2, 1)) == dt.date(2026, 2, 28)
    assert policy.month_end(dt.date(2026, 12, 1)) == dt.date(2026, 12, 31)
    assert policy.parse_month("2026-11") == dt.date(2026, 11, 1)
    assert policy.month_key(dt.date(2026, 1, 1)) == "2026-01"
    for bad in ("2026-13", "2026-1", "26-11", "abc", ""):
        with pytest.raises(ValueError):
            policy.parse_month(bad)


def test_given_dates_then_reminder_stage():
    due = dt.date(2026, 11, 25)
    assert policy.reminder_stage(due, dt.date(2026, 11, 21), P) is None
    assert policy.reminder_stage(due, dt.date(2026, 11, 22), P) == policy.DUE_SOON
    assert policy.reminder_stage(due, due, P) == policy.DUE_SOON
    assert policy.reminder_stage(due, dt.date(2026, 11, 26), P) == policy.OVERDUE
    assert policy.reminder_stage(due, dt.date(2026, 12, 26), P) == policy.OVERDUE
    assert policy.reminder_stage(due, dt.date(2026, 12, 27), P) is None


def test_given_due_date_then_late_only_after_it():
    due = dt.date(2026, 11, 25)
    assert not policy.is_late(due, due)
    assert policy.is_late(dt.date(2026, 11, 26), due)
    assert not policy.is_late(None, due)


CONTENT = {"month": "2026-11", "meetings": 3, "investment": Decimal("125000.5"), "notes": "中文"}


def test_given_the_same_figures_then_the_same_signature_whatever_the_key_order():
    reordered = dict(reversed(list(CONTENT.items())))
    assert policy.canonical(CONTENT) == policy.canonical(reordered)
    assert policy.signature(CONTENT) == policy.signature(reordered)
    # Amounts are written with two decimals: 125000.5 and 125000.50 are the same.
    assert policy.signature({**CONTENT, "investment": Decimal("125000.50")}) == policy.signature(
        CONTENT
    )
    assert policy.canonical(CONTENT) == (
        '{"investment":"125000.50","meetings":3,"month":"2026-11","notes":"中文"}'
    )
    assert len(policy.signature(CONTENT)) == 64


@pytest.mark.parametrize(
    "change",
    [
        {"meetings": 4},
        {"investment": Decimal("125000.51")},
        {"notes": "中文 "},
        {"month": "2026-12"},
    ],
)
def test_given_a_changed_figure_then_a_different_signature(change):
    assert policy.signature({**CONTENT, **change}) != policy.signature(CONTENT)

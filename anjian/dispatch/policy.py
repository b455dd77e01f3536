"""The monthly dispatch's local policy (data/dispatch_policy.json) and the pure date and
signature computations. No Django import: the web, the jobs and the tests call the same
functions."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

DEFAULT_POLICY = Path(__file__).with_name("data") / "dispatch_policy.json"


class PolicyError(ValueError):
    pass


@dataclass(frozen=True)
class Policy:
    due_day: int = 25
    remind_days: int = 3
    overdue_window: int = 31


def load_policy(path: str | Path | None = None) -> Policy:
    """Read and check the policy file (keys starting with "_" are comments)."""
    data = json.loads(Path(path or DEFAULT_POLICY).read_text(encoding="utf-8"))
    values = {k: v for k, v in data.items() if not k.startswith("_")}
    unknown = set(values) - {"due_day", "remind_days", "overdue_window"}
    if unknown:
        raise PolicyError(f"unknown keys in the dispatch policy: {sorted(unknown)}")
    policy = Policy(**values)
    if not (isinstance(policy.due_day, int) and 1 <= policy.due_day <= 28):
        raise PolicyError("due_day must be a whole number from 1 to 28")
    for name in ("remind_days", "overdue_window"):
        value = getattr(policy, name)
        if not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            raise PolicyError(f"{name} must be a whole number, 0 or more")
    return policy


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    """The last day of the month starting `month`."""
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def parse_month(text: str) -> dt.date:
    """'2026-11' → 2026-11-01; ValueError otherwise."""
    year, _sep, month = str(text).partition("-")
    if not (len(year) == 4 and year.isdigit() and month.isdigit() and len(month) == 2):
        raise ValueError(f"not a month: {text!r}")
    return dt.date(int(year), int(month), 1)


def month_key(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def due_on(month: dt.date, policy: Policy) -> dt.date:
    return month.replace(day=policy.due_day)


def is_late(submitted_on: dt.date | None, due: dt.date) -> bool:
    return submitted_on is not None and submitted_on > due


DUE_SOON, OVERDUE = "due_soon", "overdue"


def reminder_stage(due: dt.date, today: dt.date, policy: Policy) -> str | None:
    """Which reminder an unsubmitted form is owed today, if any."""
    if today > due:
        return OVERDUE if (today - due).days <= policy.overdue_window else None
    if (due - today).days <= policy.remind_days:
        return DUE_SOON
    return None


# --- the signature -----------------------------------------------------------------------

COUNT_ITEMS = (
    "meetings",
    "campaigns",
    "campaign_enterprises",
    "trainings",
    "trained_persons",
    "publicity_events",
)
AMOUNT_ITEMS = ("investment",)
ITEMS = COUNT_ITEMS + AMOUNT_ITEMS


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.quantize(Decimal('0.01'))}"
    return value


def canonical(content: dict[str, Any]) -> str:
    """One spelling of the submitted content: keys sorted, no spaces, amounts as text with
    two decimals, so the same figures always give the same bytes."""
    return json.dumps(
        {k: _plain(v) for k, v in content.items()},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def signature(content: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of what was submitted."""
    return hashlib.sha256(canonical(content).encode("utf-8")).hexdigest()

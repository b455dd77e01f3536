"""Supply warnings (issue 14 item 3), pure: no Django import, tested directly.

* expired — the supply's expiry date is before today (a supply on its expiry day is
  still usable that day);
* expiring — it expires within `EXPIRY_NOTICE_DAYS` days (today inclusive). The 30 days
  are a local default (no national rule fixes the notice period; the 储备定额 and
  轮换 rules of 《“十四五”应急物资保障规划》 ask for timely rotation without a number):
  it can be set per call and by the setting ANJIAN_SUPPLY_EXPIRY_DAYS;
* short — the quantity is below the minimum stock (储备定额);
* state — the supply is not in good order (under maintenance).

A scrapped supply raises nothing: it is out of the stock already.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

EXPIRY_NOTICE_DAYS = 30  # local default (see above)
MAX_NOTICE_DAYS = 366

EXPIRED = "expired"
EXPIRING = "expiring"
SHORT = "short"
STATE = "state"
KINDS = (EXPIRED, EXPIRING, SHORT, STATE)

GOOD = "good"
SCRAPPED = "scrapped"


@dataclass(frozen=True)
class SupplyFacts:
    quantity: int
    minimum: int
    expires_on: dt.date | None
    state: str


@dataclass(frozen=True)
class Warning:
    kind: str
    # What the warning is about, so that a changed fact is a new warning: the expiry
    # date for expiry, the minimum for a shortage, the state for the state.
    key: str
    days_left: int | None = None
    missing: int | None = None


def supply_warnings(
    facts: SupplyFacts, *, today: dt.date, notice_days: int = EXPIRY_NOTICE_DAYS
) -> list[Warning]:
    """The warnings of one supply record as of `today`, in KINDS order."""
    if facts.state == SCRAPPED:
        return []
    out: list[Warning] = []
    if facts.expires_on is not None:
        left = (facts.expires_on - today).days
        if left < 0:
            out.append(Warning(EXPIRED, facts.expires_on.isoformat(), days_left=left))
        elif left <= notice_days:
            out.append(Warning(EXPIRING, facts.expires_on.isoformat(), days_left=left))
    if facts.quantity < facts.minimum:
        out.append(Warning(SHORT, str(facts.minimum), missing=facts.minimum - facts.quantity))
    if facts.state != GOOD:
        out.append(Warning(STATE, facts.state))
    return out


def expiry_cutoff(today: dt.date, notice_days: int = EXPIRY_NOTICE_DAYS) -> dt.date:
    """The last expiry date that warns today (for a database filter)."""
    return today + dt.timedelta(days=notice_days)


def sent_key(supply_id: int, warning: Warning) -> str:
    """The text that remembers a warning sent (the audit entry's object id, ≤ 64 chars):
    the same supply, kind and fact are told once; a new expiry date, minimum or state is
    a new warning."""
    return f"{supply_id}:{warning.kind}:{warning.key}"[:64]


def count_by_kind(warnings: Iterable[Warning]) -> dict[str, int]:
    out = dict.fromkeys(KINDS, 0)
    for w in warnings:
        out[w.kind] += 1
    return out


def coordinate_problem(value: float | None, *, limit: int) -> str | None:
    """None when `value` is a usable latitude (limit 90) or longitude (limit 180)."""
    if value is None:
        return None
    if not -limit <= value <= limit:
        return "range"
    return None

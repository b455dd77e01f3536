"""Which closed hazards get an unannounced re-check (回头看). Pure: no Django import.

The seed report's complaint is that "nobody goes back" once a hazard is closed on paper;
issue 4 asks for all major hazards plus a configurable share of general ones, weighted by
the enterprise's safety code. There is no national rule for the share or the weights:
they are local policy, read from data/recheck_policy.json.

Rules:
* every major hazard closed in the window is sampled;
* of the general ones, ceil(share × eligible) are drawn without replacement, each with
  the weight of its enterprise's current safety-code colour (red > orange > yellow >
  blue; no code → the default weight), by weighted random keys (Efraimidis–Spirakis:
  key = u^(1/w), the largest keys win) from a generator seeded with `seed`;
* a hazard re-checked (sampled) earlier within the window is never sampled again.

The draw is deterministic for a given seed and set of hazards, whatever their order.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

POLICY_FILE = Path(__file__).with_name("data") / "recheck_policy.json"

MAJOR, GENERAL = "major", "general"
REASON_MAJOR, REASON_SHARE = "major", "general_share"


@dataclass(frozen=True)
class ClosedHazard:
    id: int
    level: str  # "general" / "major"
    colour: str  # the enterprise's current safety-code colour, "" if none
    closed_on: dt.date


@dataclass(frozen=True)
class Policy:
    general_share: float = 0.1
    colour_weights: Mapping[str, float] = field(
        default_factory=lambda: {"red": 4.0, "orange": 3.0, "yellow": 2.0, "blue": 1.0}
    )
    default_weight: float = 2.0
    window_days: int = 180  # closed within this many days before the run
    min_days_closed: int = 30  # …and at least this many days ago (time to relapse)
    due_days: int = 30  # the re-check is due this many days after sampling

    def weight(self, colour: str) -> float:
        return float(self.colour_weights.get(colour, self.default_weight))

    def window(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The closing dates eligible on `today` (both ends included)."""
        return (
            today - dt.timedelta(days=self.window_days),
            today - dt.timedelta(days=self.min_days_closed),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "general_share": self.general_share,
            "colour_weights": dict(self.colour_weights),
            "default_weight": self.default_weight,
            "window_days": self.window_days,
            "min_days_closed": self.min_days_closed,
            "due_days": self.due_days,
        }


class PolicyError(ValueError):
    pass


def policy_from(data: Mapping[str, Any]) -> Policy:
    """Check and build a policy; refuses a share outside [0, 1] or a weight ≤ 0."""
    try:
        share = float(data["general_share"])
        weights = {str(k): float(v) for k, v in dict(data["colour_weights"]).items()}
        default = float(data.get("default_weight", 2.0))
        window = int(data["window_days"])
        min_days = int(data.get("min_days_closed", 0))
        due = int(data.get("due_days", 30))
    except (KeyError, TypeError, ValueError) as exc:
        raise PolicyError(f"recheck policy: {exc}") from exc
    if not 0.0 <= share <= 1.0:
        raise PolicyError("recheck policy: general_share must be within 0..1")
    if any(w <= 0 or not math.isfinite(w) for w in [*weights.values(), default]):
        raise PolicyError("recheck policy: weights must be positive")
    if window <= 0 or min_days < 0 or min_days > window or due <= 0:
        raise PolicyError("recheck policy: 0 ≤ min_days_closed ≤ window_days, due_days > 0")
    return Policy(share, weights, default, window, min_days, due)


def load_policy(path: Path = POLICY_FILE) -> Policy:
    return policy_from(json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Pick:
    id: int
    reason: str  # "major" / "general_share"
    weight: float
    colour: str


def eligible(
    hazards: Iterable[ClosedHazard],
    policy: Policy,
    today: dt.date,
    already: Iterable[int] = (),
) -> list[ClosedHazard]:
    """Closed within the window and not re-checked within it, by id."""
    start, end = policy.window(today)
    seen = set(already)
    out = {h.id: h for h in hazards if start <= h.closed_on <= end and h.id not in seen}
    return [out[k] for k in sorted(out)]


def general_count(n: int, share: float) -> int:
    """How many of n eligible general hazards are drawn: ceil(share × n), so a county with
    a few closed hazards still gets one re-check when the share is above zero."""
    if n <= 0 or share <= 0:
        return 0
    return min(n, math.ceil(round(share * n, 9)))


def sample(
    hazards: Iterable[ClosedHazard],
    policy: Policy,
    *,
    today: dt.date,
    seed: int,
    already: Iterable[int] = (),
) -> list[Pick]:
    """The sample: all eligible major hazards, then the weighted draw of general ones."""
    pool = eligible(hazards, policy, today, already)
    picks = [
        Pick(h.id, REASON_MAJOR, policy.weight(h.colour), h.colour)
        for h in pool
        if h.level == MAJOR
    ]
    general = [h for h in pool if h.level != MAJOR]
    k = general_count(len(general), policy.general_share)
    rng = random.Random(seed)
    keyed = []
    for h in general:  # ids ascending: the same draws go to the same hazards
        w = policy.weight(h.colour)
        u = rng.random() or 1e-12
        keyed.append((math.log(u) / w, h.id, h))  # log(u^(1/w)): same order, no underflow
    keyed.sort(key=lambda t: (-t[0], t[1]))
    picks += [
        Pick(h.id, REASON_SHARE, policy.weight(h.colour), h.colour) for _key, _id, h in keyed[:k]
    ]
    return picks

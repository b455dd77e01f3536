"""Likely duplicates and recurrences of a hazard, by text and place. Pure: no Django.

Chinese hazard descriptions have no spaces, so word-token scorers see one token. We
compare the raw characters two ways and average them:

* ``partial_ratio`` on the normalised text: a short description contained in a longer
  one ("呼吸阀堵塞" in "1号储罐呼吸阀堵塞未清理") scores high;
* ``token_set_ratio`` on overlapping character bigrams: word order does not matter
  ("消防通道堆放杂物" ≈ "杂物堆放占用消防通道").

The same risk unit and the same hazard type add bonuses, the total is capped at 100.
No word segmentation (jieba) is needed, and the scorers are rapidfuzz's C code.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

UNIT_BONUS = 15.0
TYPE_BONUS = 10.0
DEFAULT_THRESHOLD = 55.0
DEFAULT_LIMIT = 5


@dataclass(frozen=True)
class Candidate:
    id: int
    description: str
    unit_id: int | None = None
    hazard_type: str = ""


@dataclass(frozen=True)
class Match:
    id: int
    score: float  # 0…100, rounded to one decimal
    text_score: float
    reasons: tuple[str, ...] = field(default_factory=tuple)  # "text", "unit", "type"


def normalise(text: str) -> str:
    """NFKC folds full-width letters and digits (１号 → 1号); punctuation and spaces say
    nothing about the hazard itself."""
    folded = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in folded if ch.isalnum())


def bigrams(text: str) -> str:
    if len(text) < 2:
        return text
    return " ".join(text[i : i + 2] for i in range(len(text) - 1))


def text_score(a: str, b: str) -> float:
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return 0.0
    partial = fuzz.partial_ratio(na, nb)
    # A one- or two-character text is contained in almost anything; let only the
    # order-insensitive score count for it.
    if min(len(na), len(nb)) < 4:
        partial = min(partial, fuzz.ratio(na, nb))
    return (partial + fuzz.token_set_ratio(bigrams(na), bigrams(nb))) / 2


def rank(
    description: str,
    candidates: Iterable[Candidate],
    *,
    unit_id: int | None = None,
    hazard_type: str = "",
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = DEFAULT_LIMIT,
) -> list[Match]:
    """Candidates scoring at least `threshold`, best first (ties: newest id first)."""
    out: list[Match] = []
    for c in candidates:
        text = text_score(description, c.description)
        score = text
        reasons = ["text"] if text >= threshold else []
        if unit_id is not None and c.unit_id == unit_id:
            score += UNIT_BONUS
            reasons.append("unit")
        if hazard_type and c.hazard_type == hazard_type:
            score += TYPE_BONUS
            reasons.append("type")
        score = min(100.0, score)
        if score >= threshold:
            out.append(Match(c.id, round(score, 1), round(text, 1), tuple(reasons)))
    out.sort(key=lambda m: (-m.score, -m.text_score, -m.id))
    return out[:limit]

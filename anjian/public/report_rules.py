"""Pure rules of whistleblower reports (no Django import): the handling deadline, the
tracking code and secret, the sender's keyed hash, and duplicate likeness.

Deadline: handled within 60 days of receipt, extendable once by up to 30 days — the 2012
text (安监总财〔2012〕63号); the 2018 text (安监总财〔2018〕19号) is UNCONFIRMED on this
(standards.md A9).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from rapidfuzz import fuzz

HANDLING_DAYS = 60
MAX_EXTENSION_DAYS = 30
REMIND_DAYS_BEFORE = 7
# Crockford-like: no I, L, O, U, 0 or 1, so a code read aloud or copied by hand is exact.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
SECRET_LENGTH = 10
MIN_CONTENT = 15
DUPLICATE_SCORE = 80.0


def due_on(received: dt.date) -> dt.date:
    return received + dt.timedelta(days=HANDLING_DAYS)


def extended_due(current: dt.date, days: int) -> dt.date:
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValueError("an extension is 1 to 30 days")
    return current + dt.timedelta(days=days)


def is_overdue(due: dt.date | None, today: dt.date, open_: bool) -> bool:
    return bool(open_ and due and today > due)


def needs_reminder(due: dt.date | None, today: dt.date, open_: bool) -> bool:
    return bool(open_ and due and today == due - dt.timedelta(days=REMIND_DAYS_BEFORE))


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def new_secret() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))


def normalise_code(text: str) -> str:
    """What a reporter types: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in str(text).upper() if ch not in " -")[:32]


def source_hash(address: str | None, key: str) -> str:
    """A keyed HMAC of the sender's address: counts requests without keeping the address."""
    return hmac.new(key.encode(), (address or "-").encode(), hashlib.sha256).hexdigest()


def _plain(text: str) -> str:
    # Chinese is not written with spaces: compare characters, not words.
    return "".join(ch for ch in str(text) if ch.isalnum())


def likeness(a: str, b: str) -> float:
    """0–100: the characters' likeness; a report repeating another with a few words more
    counts as alike (the partial ratio, when the shorter is at least half the longer)."""
    x, y = _plain(a), _plain(b)
    if not x or not y:
        return 0.0
    score = fuzz.ratio(x, y)
    if min(len(x), len(y)) * 2 >= max(len(x), len(y)):
        score = max(score, fuzz.partial_ratio(x, y))
    return float(score)


def is_likely_duplicate(a: str, b: str, *, same_place: bool) -> bool:
    """Two reports look like one matter: similar content about the same unit or division."""
    return same_place and likeness(a, b) >= DUPLICATE_SCORE


def content_fingerprint(text: str) -> str:
    return hashlib.sha256(" ".join(str(text).split()).encode()).hexdigest()

"""Reading numbers from text strictly, shared by every service and pure computation that
takes numbers from clients (risk factors, funds, ids, cycles, thresholds).

Python's int(), float() and Decimal() read any Unicode digit: "１２" (full-width) and "١٢"
(Arabic-Indic) both become 12, and "1_000" becomes 1000. A value that no keyboard in a
bureau meant as a number, or that a client sent by mistake, should be refused with a
field message instead of being silently read. Only ASCII decimal literals pass: an
optional sign, digits, an optional fraction; no exponent, no underscores, no spaces
inside. No Django import.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def is_int_text(text: str) -> bool:
    return _INT.fullmatch(text.strip()) is not None


def is_decimal_text(text: str) -> bool:
    return _DECIMAL.fullmatch(text.strip()) is not None


def parse_int(text: str) -> int:
    """An int from ASCII digits (surrounding spaces allowed); ValueError otherwise."""
    if not isinstance(text, str) or not is_int_text(text):
        raise ValueError(f"not a whole number: {text!r}")
    return int(text.strip())


def parse_decimal(text: str) -> Decimal:
    """A finite Decimal from an ASCII decimal literal; ValueError otherwise."""
    if not isinstance(text, str) or not is_decimal_text(text):
        raise ValueError(f"not a decimal number: {text!r}")
    try:
        return Decimal(text.strip())
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only literals
        raise ValueError(f"not a decimal number: {text!r}") from exc

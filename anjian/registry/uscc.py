"""统一社会信用代码 (unified social credit code, USCC) per GB 32100-2015. Pure: no Django.

Structure (18 characters): 1 registration authority, 2 organisation type, 3–8 the
registering division's code (GB/T 2260), 9–17 the organisation code (GB 11714),
18 the check character.

Check character (GB 32100-2015 §4.2): the 31-character set below, weights
W_i = 3^(i-1) mod 31 for i = 1..17, C18 = 31 − (Σ C_i·W_i mod 31), with 31 written as 0.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# GB 32100-2015 table: the letters I, O, S, V and Z are never used.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(CHARSET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, …

# GB 11714-1997 organisation code check digit (positions 9–17): weights on its first 8.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

MESSAGES = {
    "zh-hans": {
        "empty": "统一社会信用代码不能为空",
        "length": "统一社会信用代码应为18位，实际为{length}位",
        "char": "第{position}位字符“{char}”不是合法字符（只允许数字和除 I、O、S、V、Z 以外的大写字母）",
        "division": "第3–8位应为6位数字的行政区划码，实际为“{value}”",
        "check": "校验位（第18位）应为“{expected}”，实际为“{actual}”，代码有误",
    },
    "en": {
        "empty": "The unified social credit code is empty",
        "length": "A unified social credit code has 18 characters, this one has {length}",
        "char": "Character {position} ('{char}') is not allowed (I, O, S, V and Z are never used)",
        "division": "Characters 3–8 must be a 6-digit division code, got '{value}'",
        "check": "The check character (18th) should be '{expected}' but is '{actual}'",
    },
}


@dataclass(frozen=True)
class UsccResult:
    code: str
    valid: bool
    error: str = ""  # empty, length, char, division, check
    position: int | None = None
    params: tuple[tuple[str, str], ...] = ()

    def reason(self, language: str = "zh-hans") -> str:
        if self.valid:
            return ""
        table = MESSAGES.get(language, MESSAGES["zh-hans"]) if language else MESSAGES["zh-hans"]
        return table[self.error].format(**dict(self.params))


def check_character(first17: str) -> str:
    total = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate(raw: str) -> UsccResult:
    code = (raw or "").strip().upper()
    if not code:
        return UsccResult(code, False, "empty")
    if len(code) != 18:
        return UsccResult(code, False, "length", params=(("length", str(len(code))),))
    for index, ch in enumerate(code, start=1):
        if ch not in VALUES:
            return UsccResult(code, False, "char", index, (("position", str(index)), ("char", ch)))
    if not code[2:8].isdigit():
        return UsccResult(code, False, "division", 3, (("value", code[2:8]),))
    expected = check_character(code[:17])
    if code[17] != expected:
        return UsccResult(code, False, "check", 18, (("expected", expected), ("actual", code[17])))
    return UsccResult(code, True)


def _org_check_digit(first8: str) -> str:
    total = sum(_ORG_CHARSET.index(ch) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def generate(
    rng: random.Random, division_code: str, *, authority: str = "9", kind: str = "1"
) -> str:
    """A syntactically valid code for demo data (never a real organisation's on purpose)."""
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    org = body + _org_check_digit(body)
    first17 = f"{authority}{kind}{division_code}{org}"
    return first17 + check_character(first17)

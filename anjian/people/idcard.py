"""居民身份证号码 (GB 11643-1999), pure: no Django import, tested directly.

18 characters: a 6-digit address code, the birth date YYYYMMDD, a 3-digit order code and
the check character of ISO 7064:1983 MOD 11-2 over the first 17 digits (GB 11643-1999
4.4): weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11, where 10 is written "X".
The address code is not checked against the division table (codes of abolished divisions
stay valid on cards already issued).
"""

from __future__ import annotations

import datetime as dt

WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
CHECK = "10X98765432"  # index: the weighted sum mod 11


def check_character(first17: str) -> str:
    """The check character of 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("17 digits expected")
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK[total % 11]


def normalise(value: str) -> str:
    """Spaces dropped, a lower-case x raised (people type both)."""
    return "".join(value.split()).upper()


def problems(value: str, *, today: dt.date | None = None) -> list[str]:
    """What is wrong with an 18-character id number, as short English codes: "length",
    "characters", "birth_date", "check"; empty when it is a valid number."""
    value = normalise(value)
    if len(value) != 18:
        return ["length"]
    if not value[:17].isascii() or not value[:17].isdigit() or value[17] not in "0123456789X":
        return ["characters"]
    out = []
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        out.append("birth_date")
    else:
        if born.year < 1900 or (today is not None and born > today):
            out.append("birth_date")
    if check_character(value[:17]) != value[17]:
        out.append("check")
    return out


def is_valid(value: str, *, today: dt.date | None = None) -> bool:
    return not problems(value, today=today)


def birth_date(value: str) -> dt.date | None:
    value = normalise(value)
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def mask(value: str) -> str:
    """The first 4 and last 4 characters, the rest as stars: 3301**********1234."""
    value = normalise(value)
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]

"""Risk-grading methods: LEC, the LS matrix and MES. Pure: no Django.

    LEC  D = L·E·C  (作业条件危险性评价法)      standards.md A1
    LS   R = L·S    (风险矩阵法)                standards.md A2
    MES  R = M·E·S  (作业条件风险程度评价)      standards.md A3

Every score is mapped to one of the four levels 重大/较大/一般/低 (red/orange/yellow/blue,
S13) through a named, versioned profile loaded from data/profiles.json, because the
published sources disagree on band edges and on how five classes fold into four colours
(A1.3, A2.3); the inspector or the province picks the profile, the UI names it.

Arithmetic is exact: factors are decimal.Decimal taken from their decimal text, so
0.5·0.2 is 0.1 and a product sitting on a band edge (LEC 20 and 70) is classified by the
edge's inclusive side, never by a float rounding accident.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from anjian.core.numbers import parse_decimal

DATA_DIR = Path(__file__).with_name("data")

# Factor tables. Tuples of Decimal built from text: Decimal(0.1) would carry the binary
# float's error into every product.
LEC_L = tuple(Decimal(v) for v in ("10", "6", "3", "1", "0.5", "0.2", "0.1"))  # S3 S4 S5
LEC_E = tuple(Decimal(v) for v in ("10", "6", "3", "2", "1", "0.5"))  # S3 S4 S5
LEC_C = tuple(Decimal(v) for v in ("100", "40", "15", "7", "3", "1"))  # S3 S4 S5
LS_L = tuple(Decimal(v) for v in range(1, 6))  # S9 S10
LS_S = tuple(Decimal(v) for v in range(1, 6))  # S9 S10
MES_M = tuple(Decimal(v) for v in ("5", "3", "1"))  # S12
MES_E = tuple(Decimal(v) for v in ("10", "6", "3", "2", "1", "0.5"))  # S12
# UNCONFIRMED (standards.md A3): the S table was not retrieved from any source; these are
# the injury values 10 多人死亡, 8 一人死亡或多人永久失能, 4 永久失能, 2 需医院治疗,
# 1 轻微 as remembered. Verify before relying on an MES grade.
MES_S = tuple(Decimal(v) for v in ("10", "8", "4", "2", "1"))

FACTORS: dict[str, dict[str, tuple[Decimal, ...]]] = {
    "lec": {"L": LEC_L, "E": LEC_E, "C": LEC_C},
    "ls": {"L": LS_L, "S": LS_S},
    "mes": {"M": MES_M, "E": MES_E, "S": MES_S},
}
METHOD_NAMES = {"lec": "LEC", "ls": "LS", "mes": "MES", "major-hazard": "GB 18218"}

# The four levels, highest first, and their colours (S13: 重大 红, 较大 橙, 一般 黄, 低 蓝).
LEVELS = ("重大", "较大", "一般", "低")
LEVEL_COLOURS = {"重大": "red", "较大": "orange", "一般": "yellow", "低": "blue"}
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}  # 0 = highest

MESSAGES = {
    "zh-hans": {
        "not_number": "{field} 应为数值，实际为“{value}”",
        "not_in_table": "{field}={value} 不在 {method} 的取值表中，允许的取值：{allowed}",
        "unknown_profile": "没有名为“{value}”的 {method} 分级配置，可用：{allowed}",
        "negative": "{field} 不能为负数，实际为 {value}",
        "not_positive": "{field} 必须大于 0，实际为 {value}",
        "unknown_substance": "“{value}”不在内置的 GB 18218-2018 表1/表2 中，请给出临界量 Q（吨）",
        "no_critical_quantity": "{value} 在内置表中没有临界量 Q，请给出 Q（吨）",
        "unknown_category": "“{value}”不是 GB 18218-2018 表2 的类别，可用：{allowed}",
        "bad_cas": "CAS 号“{value}”的校验位不正确",
        "alpha_and_people": "厂外暴露人数（people）与校正系数 α（alpha）只能给出一个",
        "alpha_required": "分级需要给出厂外暴露人数或校正系数 α",
        "alpha_not_in_table": "α={value} 不在 GB 18218 的 α 取值表中，允许的取值：{allowed}",
        "people_not_integer": "厂外暴露人数应为非负整数，实际为“{value}”",
        "no_items": "至少需要一种危险化学品",
        "bad_spec": "无法解析“{value}”，格式应为 名称:q[:Q[:β]]（q、Q 单位为吨）",
    },
    "en": {
        "not_number": "{field} must be a number, got '{value}'",
        "not_in_table": "{field}={value} is not in the {method} value table; allowed: {allowed}",
        "unknown_profile": "There is no {method} profile named '{value}'; available: {allowed}",
        "negative": "{field} cannot be negative, got {value}",
        "not_positive": "{field} must be greater than 0, got {value}",
        "unknown_substance": "'{value}' is not in the built-in GB 18218-2018 table 1/2; give its critical quantity Q (t)",
        "no_critical_quantity": "{value} has no critical quantity Q in the built-in table; give Q (t)",
        "unknown_category": "'{value}' is not a GB 18218-2018 table 2 category; available: {allowed}",
        "bad_cas": "The check digit of CAS number '{value}' is wrong",
        "alpha_and_people": "Give either the people exposed off site (people) or the α factor (alpha), not both",
        "alpha_required": "Grading needs the number of people exposed off site or the α factor",
        "alpha_not_in_table": "α={value} is not in the GB 18218 α table; allowed: {allowed}",
        "people_not_integer": "The number of people exposed must be a non-negative integer, got '{value}'",
        "no_items": "At least one hazardous chemical is needed",
        "bad_spec": "Cannot read '{value}'; the form is NAME:q[:Q[:beta]] with q and Q in tonnes",
    },
}


class RiskInputError(ValueError):
    """A refused input: `field` names the argument, `code` keys MESSAGES, `message(lang)`
    renders it. str() is the Chinese text followed by the English one, so a log or a
    traceback is readable by both audiences."""

    def __init__(self, code: str, field: str, **params: Any) -> None:
        self.code = code
        self.field = field
        self.params = {"field": field, **{k: str(v) for k, v in params.items()}}
        super().__init__(f"{self.message('zh-hans')} / {self.message('en')}")

    def message(self, language: str = "zh-hans") -> str:
        table = MESSAGES.get(language) or MESSAGES["zh-hans"]
        return table[self.code].format(**self.params)

    def as_dict(self) -> dict[str, str]:
        return {
            "error": self.message("zh-hans"),
            "error_en": self.message("en"),
            "code": self.code,
            "field": self.field,
        }


def render_number(value: Decimal | Fraction | int) -> str:
    """Plain decimal text without exponent or trailing zeros: 18, 0.5, 0.1; a Fraction
    that is not a finite decimal keeps its exact p/q form."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return str(value)
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def render_decimal(value: Fraction | Decimal | int) -> str:
    """Decimal text when the value has a finite decimal expansion (3/2 → "1.5"), else the
    exact p/q: for inputs such as α, β, q and Q, which people write as decimals."""
    fraction = Fraction(value)
    rest = fraction.denominator
    for prime in (2, 5):
        while rest % prime == 0:
            rest //= prime
    if rest != 1:
        return render_number(fraction)
    return render_number(Decimal(fraction.numerator) / Decimal(fraction.denominator))


def render_approx(value: Fraction, places: int = 4) -> str:
    """A rounded decimal for display only; every decision uses the exact value."""
    quantum = Decimal(1).scaleb(-places)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return render_number(exact.quantize(quantum, rounding=ROUND_HALF_UP))


def to_decimal(value: Any, field_name: str) -> Decimal:
    """Accept int, str, Decimal, Fraction with a finite decimal, or float (via its repr,
    so 0.1 means the decimal 0.1, not the nearest binary value). Booleans are refused:
    True is an int in Python but never a factor."""
    if isinstance(value, bool):
        raise RiskInputError("not_number", field_name, value=value)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, Fraction):
        result = Decimal(value.numerator) / Decimal(value.denominator)
        if Fraction(result) != value:
            raise RiskInputError("not_number", field_name, value=value)
    elif isinstance(value, int | float):
        try:
            result = Decimal(str(value))
        except InvalidOperation:
            raise RiskInputError("not_number", field_name, value=value) from None
    elif isinstance(value, str):
        # ASCII literals only: Decimal("１２") would read full-width digits as 12.
        try:
            result = parse_decimal(value)
        except ValueError:
            raise RiskInputError("not_number", field_name, value=value) from None
    else:
        raise RiskInputError("not_number", field_name, value=value)
    if not result.is_finite():
        raise RiskInputError("not_number", field_name, value=value)
    return result


def _table_value(method: str, factor: str, value: Any) -> Decimal:
    allowed = FACTORS[method][factor]
    number = to_decimal(value, factor)
    for entry in allowed:
        if entry == number:  # 3.0 == 3: return the table's own spelling
            return entry
    raise RiskInputError(
        "not_in_table",
        factor,
        value=render_number(number),
        method=METHOD_NAMES[method],
        allowed=", ".join(render_number(v) for v in allowed),
    )


# ---------------------------------------------------------------- profiles


@dataclass(frozen=True)
class Band:
    """One class of a profile: an interval of scores. A None bound is unbounded."""

    class_number: int
    label: str
    published: str
    lower: Decimal | None
    lower_inclusive: bool
    upper: Decimal | None
    upper_inclusive: bool

    def contains(self, score: Decimal) -> bool:
        if self.lower is not None and (
            score < self.lower or (score == self.lower and not self.lower_inclusive)
        ):
            return False
        return not (
            self.upper is not None
            and (score > self.upper or (score == self.upper and not self.upper_inclusive))
        )

    def interval(self) -> str:
        left = "(−∞" if self.lower is None else ("[" if self.lower_inclusive else "(")
        if self.lower is not None:
            left += render_number(self.lower)
        right = "∞)" if self.upper is None else render_number(self.upper)
        if self.upper is not None:
            right += "]" if self.upper_inclusive else ")"
        return f"{left}, {right}"


@dataclass(frozen=True)
class Profile:
    name: str
    version: str
    method: str
    default: bool
    title: str
    source: str
    note: str
    bands: tuple[Band, ...] = ()
    levels: tuple[tuple[int, str], ...] = ()  # class number → level
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def level_of(self, class_number: int) -> str:
        return dict(self.levels)[class_number]

    def band_for(self, score: Decimal) -> Band:
        matches = [band for band in self.bands if band.contains(score)]
        # The loader proved the bands partition the line; this guards a hand-built Profile.
        if len(matches) != 1:
            raise AssertionError(f"{self.name}: {score} falls in {len(matches)} bands")
        return matches[0]


class ProfileDataError(Exception):
    """profiles.json is inconsistent: a programming error, not a user input error."""


def _parse_band(raw: dict[str, Any]) -> Band:
    if {"gt", "ge"} <= raw.keys() or {"lt", "le"} <= raw.keys():
        raise ProfileDataError(f"band {raw} has two lower or two upper bounds")
    lower = raw.get("gt", raw.get("ge"))
    upper = raw.get("lt", raw.get("le"))
    return Band(
        class_number=int(raw["class"]),
        label=raw["label"],
        published=raw.get("published", ""),
        lower=None if lower is None else Decimal(lower),
        lower_inclusive="ge" in raw,
        upper=None if upper is None else Decimal(upper),
        upper_inclusive="le" in raw,
    )


def _check_partition(name: str, bands: tuple[Band, ...]) -> None:
    """Bands must cover the whole line exactly once, highest class first, so every score
    gets exactly one class and a larger score never gets a lower class."""
    if not bands or bands[0].upper is not None or bands[-1].lower is not None:
        raise ProfileDataError(f"{name}: bands must run from +∞ down to −∞")
    for above, below in pairwise(bands):
        if above.lower is None or below.upper is None or above.lower != below.upper:
            raise ProfileDataError(
                f"{name}: classes {above.class_number}/{below.class_number} do not meet"
            )
        if above.lower_inclusive == below.upper_inclusive:
            raise ProfileDataError(f"{name}: edge {above.lower} is in both or neither class")
        if below.class_number != above.class_number + 1:
            raise ProfileDataError(f"{name}: class numbers must increase by 1 downwards")


def _parse_profile(raw: dict[str, Any]) -> Profile:
    name = raw["name"]
    method = raw["method"]
    if method not in METHOD_NAMES:
        raise ProfileDataError(f"{name}: unknown method {method}")
    common = {
        "name": name,
        "version": str(raw["version"]),
        "method": method,
        "default": bool(raw.get("default", False)),
        "title": raw.get("title", ""),
        "source": raw["source"],
        "note": raw.get("note", ""),
    }
    if method == "major-hazard":
        # Its tables (α, grades, table-2 overrides) are read by major_hazard.py, which
        # walks them top-down: thresholds must fall strictly and end open (0 people, R < 10).
        people = [row["min_people"] for row in raw["alpha"]]
        edges = [Decimal(row["ge"]) for row in raw["grades"][:-1]]
        if people[-1:] != [0] or people != sorted(set(people), reverse=True):
            raise ProfileDataError(f"{name}: α rows must fall strictly to 0 people")
        if "ge" in raw["grades"][-1] or edges != sorted(set(edges), reverse=True):
            raise ProfileDataError(f"{name}: grade thresholds must fall and end open")
        return Profile(**common, extra={k: raw[k] for k in ("alpha", "grades", "table2_q")})
    bands = tuple(_parse_band(b) for b in raw["bands"])
    _check_partition(name, bands)
    levels = tuple((int(k), v) for k, v in sorted(raw["levels"].items(), key=lambda kv: int(kv[0])))
    if [c for c, _ in levels] != [b.class_number for b in bands]:
        raise ProfileDataError(f"{name}: levels must map exactly the band classes")
    ranks = [LEVEL_RANK.get(level, -1) for _, level in levels]
    if -1 in ranks or ranks != sorted(ranks):
        raise ProfileDataError(f"{name}: levels must be 重大/较大/一般/低, never rising downwards")
    return Profile(**common, bands=bands, levels=levels)


@cache
def load_profiles(path: Path | None = None) -> tuple[Profile, ...]:
    with (path or DATA_DIR / "profiles.json").open(encoding="utf-8") as handle:
        raw = json.load(handle)
    result = tuple(_parse_profile(p) for p in raw["profiles"])
    names = [p.name for p in result]
    if len(names) != len(set(names)):
        raise ProfileDataError("profile names must be unique")
    for method in METHOD_NAMES:
        defaults = [p.name for p in result if p.method == method and p.default]
        if len(defaults) != 1:
            raise ProfileDataError(f"{method}: exactly one default profile, got {defaults}")
    return result


def profiles(method: str | None = None) -> tuple[Profile, ...]:
    return tuple(p for p in load_profiles() if method is None or p.method == method)


def get_profile(method: str, name: str | None = None) -> Profile:
    """The named profile of a method, or the method's default when name is None/empty."""
    candidates = profiles(method)
    for profile in candidates:
        if (name and profile.name == name) or (not name and profile.default):
            return profile
    raise RiskInputError(
        "unknown_profile",
        "profile",
        value=name,
        method=METHOD_NAMES.get(method, method),
        allowed=", ".join(p.name for p in candidates),
    )


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class RiskResult:
    method: str
    factors: tuple[tuple[str, Decimal], ...]
    score: Decimal
    class_number: int
    class_label: str
    band: str  # the interval, e.g. "(20, 70]"
    level: str  # 重大 / 较大 / 一般 / 低
    colour: str  # red / orange / yellow / blue
    profile: str
    profile_version: str

    @property
    def score_text(self) -> str:
        return render_number(self.score)

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            **{name: render_number(value) for name, value in self.factors},
            "score": self.score_text,
            "class": self.class_number,
            "class_label": self.class_label,
            "band": self.band,
            "level": self.level,
            "colour": self.colour,
            "profile": self.profile,
            "profile_version": self.profile_version,
        }


def _profile_for(method: str, profile: str | Profile | None) -> Profile:
    chosen = profile if isinstance(profile, Profile) else get_profile(method, profile)
    if chosen.method != method:  # an LS profile handed to LEC would silently mis-grade
        raise RiskInputError(
            "unknown_profile",
            "profile",
            value=chosen.name,
            method=METHOD_NAMES[method],
            allowed=", ".join(p.name for p in profiles(method)),
        )
    return chosen


def _result(
    method: str, factors: tuple[tuple[str, Decimal], ...], score: Decimal, profile: Profile
) -> RiskResult:
    band = profile.band_for(score)
    level = profile.level_of(band.class_number)
    return RiskResult(
        method=method,
        factors=factors,
        score=score,
        class_number=band.class_number,
        class_label=band.label,
        band=band.interval(),
        level=level,
        colour=LEVEL_COLOURS[level],
        profile=profile.name,
        profile_version=profile.version,
    )


def classify(method: str, score: Any, profile: str | Profile | None = None) -> RiskResult:
    """Classify an already computed score (e.g. one stored on a risk point)."""
    chosen = _profile_for(method, profile)
    return _result(method, (), to_decimal(score, "score"), chosen)


def _evaluate(method: str, values: dict[str, Any], profile: str | Profile | None) -> RiskResult:
    # Profile first: an unknown profile is reported even when a factor is also wrong,
    # since it is usually a typo in configuration rather than in the assessment.
    chosen = _profile_for(method, profile)
    factors = tuple((name, _table_value(method, name, v)) for name, v in values.items())
    score = Decimal(1)
    for _, value in factors:
        score *= value  # exact: at most 4 significant digits each, the context keeps 28
    return _result(method, factors, score, chosen)


def lec(l: Any, e: Any, c: Any, profile: str | Profile | None = None) -> RiskResult:  # noqa: E741
    """D = L·E·C; L, E, C must be values of the LEC tables (A1.1)."""
    return _evaluate("lec", {"L": l, "E": e, "C": c}, profile)


def ls(l: Any, s: Any, profile: str | Profile | None = None) -> RiskResult:  # noqa: E741
    """R = L·S with L, S ∈ 1..5 (A2)."""
    return _evaluate("ls", {"L": l, "S": s}, profile)


def mes(m: Any, e: Any, s: Any, profile: str | Profile | None = None) -> RiskResult:
    """R = M·E·S (A3); the S table is UNCONFIRMED, see MES_S."""
    return _evaluate("mes", {"M": m, "E": e, "S": s}, profile)


def products(method: str) -> list[Decimal]:
    """Every product reachable on the method's value grid (for tests and UI hints)."""
    result = [Decimal(1)]
    for table in FACTORS[method].values():
        result = [p * v for p in result for v in table]
    return sorted(set(result))

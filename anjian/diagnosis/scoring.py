"""The enterprise diagnosis score of 《危险化学品生产储存企业安全风险评估诊断分级指南（试行）》
(应急管理部, 2018; standards.md A11.1). Pure: no Django.

    score = 100 − Σ deductions        each deduction capped at its item's points
                                      ("每个项目分值扣完为止，最低为0分"), the total never below 0
    红 < 60 ≤ 橙 < 75 ≤ 黄 < 90 ≤ 蓝   (60 is orange, 75 yellow, 90 blue)
    any direct-red situation          → red, whatever the score

The items, their points, the direct-red situations and the bands are data
(data/guide2018.json) with their sources and what was verified; only verified items with
points are scored. Bonus rules (加分) are carried as text and not counted: no source found
says how they combine with the 100-point total.

Arithmetic is exact (decimal.Decimal from the number's text): 100 − 40.01 is 59.99, red,
never 59.990000000000002 or 60.0 by a float accident.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).with_name("data")
DEFAULT_GUIDE = "guide2018"
COLOURS = ("red", "orange", "yellow", "blue")  # highest risk first
CLASS_ZH = {"red": "红", "orange": "橙", "yellow": "黄", "blue": "蓝"}
CLASS_EN = {"red": "red", "orange": "orange", "yellow": "yellow", "blue": "blue"}
ZERO = Decimal(0)

MESSAGES = {
    "zh-hans": {
        "not_number": "{field} 应为数值，实际为“{value}”",
        "negative": "{field} 不能为负数，实际为 {value}",
        "above_max": "{field} 的扣分不能超过该项分值 {max} 分，实际为 {value}",
        "too_precise": "{field} 最多保留 {places} 位小数，实际为 {value}",
        "unknown_item": "没有编号为“{value}”的评估项目",
        "not_scored": "“{value}”是加分项目，暂不计分，不能填写扣分",
        "unknown_situation": "没有编号为“{value}”的直接判定为红色的情形",
        "score_range": "总分应在 0 到 {total} 之间，实际为 {value}",
        "unknown_guide": "没有名为“{value}”的诊断分级指南数据",
    },
    "en": {
        "not_number": "{field} must be a number, got '{value}'",
        "negative": "{field} cannot be negative, got {value}",
        "above_max": "The deduction of {field} cannot exceed the item's {max} points, got {value}",
        "too_precise": "{field} takes at most {places} decimal places, got {value}",
        "unknown_item": "There is no assessment item '{value}'",
        "not_scored": "'{value}' is a bonus item, not scored yet: it takes no deduction",
        "unknown_situation": "There is no direct-red situation '{value}'",
        "score_range": "The score must be between 0 and {total}, got {value}",
        "unknown_guide": "There is no guide data named '{value}'",
    },
}


class DiagnosisInputError(ValueError):
    """A refused input: `field` names it (an item code, "direct_red", "score"), `code`
    keys MESSAGES. str() gives the Chinese and the English text."""

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


# --- the guide as data ---------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    kind: str  # deduction | bonus
    text: str


@dataclass(frozen=True)
class Item:
    code: str
    category_no: int
    category: str
    category_en: str
    name: str
    name_en: str
    max_deduction: Decimal | None  # None: a bonus-only item without points of its own
    verified: bool
    confidence: str
    sources: tuple[str, ...]
    rules: tuple[Rule, ...]
    note: str = ""

    @property
    def scored(self) -> bool:
        return self.verified and self.max_deduction is not None

    @property
    def deduction_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == "deduction")

    @property
    def bonus_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == "bonus")


@dataclass(frozen=True)
class Situation:
    code: str
    text: str
    text_en: str
    verified: bool
    confidence: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Band:
    colour: str
    class_zh: str
    lower: Decimal | None  # inclusive
    upper: Decimal | None  # exclusive

    def contains(self, score: Decimal) -> bool:
        return (self.lower is None or score >= self.lower) and (
            self.upper is None or score < self.upper
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "colour": self.colour,
            "class_zh": self.class_zh,
            "from": None if self.lower is None else number_text(self.lower),
            "below": None if self.upper is None else number_text(self.upper),
        }


@dataclass(frozen=True)
class Guide:
    name: str
    version: str
    title: str
    issuer: str
    year: int
    document_number: str | None
    total: Decimal
    items: tuple[Item, ...]
    situations: tuple[Situation, ...]
    bands: tuple[Band, ...]
    bands_text: str
    direct_red_heading: str
    notes: tuple[str, ...]
    sources: Mapping[str, Mapping[str, Any]]
    missing: tuple[str, ...]

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.scored)

    @property
    def verified_situations(self) -> tuple[Situation, ...]:
        return tuple(s for s in self.situations if s.verified)

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    def situation(self, code: str) -> Situation | None:
        return next((s for s in self.situations if s.code == code), None)

    @property
    def citation(self) -> str:
        return f"《{self.title}》（{self.issuer}，{self.year}）"

    @property
    def categories(self) -> list[tuple[int, str, str, list[Item]]]:
        """(number, name, English name, items) in the guide's order."""
        out: list[tuple[int, str, str, list[Item]]] = []
        for item in self.items:
            if not out or out[-1][0] != item.category_no:
                out.append((item.category_no, item.category, item.category_en, []))
            out[-1][3].append(item)
        return out


def _decimal_or_none(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


@cache
def load_guide(name: str = DEFAULT_GUIDE) -> Guide:
    path = DATA_DIR / f"{name}.json"
    if not name.isidentifier() or not path.is_file():
        raise DiagnosisInputError("unknown_guide", "guide", value=name)
    raw = json.loads(path.read_text(encoding="utf-8"))
    items = tuple(
        Item(
            code=i["code"],
            category_no=int(i["category_no"]),
            category=i["category"],
            category_en=i.get("category_en", i["category"]),
            name=i["name"],
            name_en=i.get("name_en", i["name"]),
            max_deduction=_decimal_or_none(i.get("max_deduction")),
            verified=bool(i.get("verified")),
            confidence=i.get("confidence", ""),
            sources=tuple(i.get("sources", ())),
            rules=tuple(Rule(r["kind"], r["text"]) for r in i.get("rules", ())),
            note=i.get("note", ""),
        )
        for i in raw["items"]
    )
    situations = tuple(
        Situation(
            code=s["code"],
            text=s["text"],
            text_en=s.get("text_en", s["text"]),
            verified=bool(s.get("verified")),
            confidence=s.get("confidence", ""),
            sources=tuple(s.get("sources", ())),
        )
        for s in raw["direct_red"]
    )
    bands = tuple(
        Band(
            b["colour"],
            b["class_zh"],
            _decimal_or_none(b.get("from")),
            _decimal_or_none(b["below"]),
        )
        for b in raw["bands"]
    )
    return Guide(
        name=raw["name"],
        version=raw["version"],
        title=raw["title"],
        issuer=raw["issuer"],
        year=int(raw["year"]),
        document_number=raw.get("document_number"),
        total=Decimal(raw["total"]),
        items=items,
        situations=situations,
        bands=bands,
        bands_text=raw.get("bands_text", ""),
        direct_red_heading=raw.get("direct_red_heading", ""),
        notes=tuple(n["text"] for n in raw.get("notes", ())),
        sources=raw.get("sources", {}),
        missing=tuple(raw.get("missing", ())),
    )


# --- numbers --------------------------------------------------------------------------------


def number_text(value: Decimal | int) -> str:
    """Plain decimal text, no exponent, no trailing zeros: 60, 59.99, 0.1."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def parse_points(value: Any, field: str) -> Decimal:
    """A number of points from an int, a Decimal, a float (by its shortest text) or a
    decimal string; blank (None or "") is 0. Booleans, NaN and infinities are refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ZERO
    if isinstance(value, bool):
        raise DiagnosisInputError("not_number", field, value=value)
    try:
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, Fraction):
            number = Decimal(value.numerator) / Decimal(value.denominator)
        elif isinstance(value, int | float):
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        elif isinstance(value, str):
            number = Decimal(value.strip())
        else:
            raise DiagnosisInputError("not_number", field, value=value)
    except InvalidOperation as exc:
        raise DiagnosisInputError("not_number", field, value=value) from exc
    if not number.is_finite():
        raise DiagnosisInputError("not_number", field, value=value)
    return number + 0  # -0 → 0


def places(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


# --- checking, scoring, classifying ---------------------------------------------------------


def check(
    deductions: Mapping[str, Any],
    direct_red: Iterable[str] = (),
    guide: Guide | None = None,
    *,
    max_places: int | None = 2,
) -> list[DiagnosisInputError]:
    """Every problem of the input at once (for forms): unknown or unscored items, values
    that are not numbers, negative, above the item's points or with too many decimals,
    unknown direct-red situations. An empty list means score() will accept it as given."""
    guide = guide or load_guide()
    problems: list[DiagnosisInputError] = []
    for code, value in deductions.items():
        item = guide.item(str(code))
        if item is None:
            problems.append(DiagnosisInputError("unknown_item", str(code), value=code))
            continue
        try:
            number = parse_points(value, item.code)
        except DiagnosisInputError as error:
            problems.append(error)
            continue
        if not item.scored:
            if number:
                problems.append(DiagnosisInputError("not_scored", item.code, value=item.name))
            continue
        if number < 0:
            problems.append(DiagnosisInputError("negative", item.code, value=number_text(number)))
        elif item.max_deduction is not None and number > item.max_deduction:
            problems.append(
                DiagnosisInputError(
                    "above_max",
                    item.code,
                    value=number_text(number),
                    max=number_text(item.max_deduction),
                )
            )
        elif max_places is not None and places(number) > max_places:
            problems.append(
                DiagnosisInputError(
                    "too_precise", item.code, value=number_text(number), places=max_places
                )
            )
    for code in direct_red:
        situation = guide.situation(str(code))
        if situation is None or not situation.verified:
            problems.append(DiagnosisInputError("unknown_situation", "direct_red", value=code))
    return problems


@dataclass(frozen=True)
class ItemDeduction:
    code: str
    given: Decimal
    counted: Decimal
    max_deduction: Decimal

    @property
    def capped(self) -> bool:
        return self.given > self.counted

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.code,
            "given": number_text(self.given),
            "counted": number_text(self.counted),
            "max": number_text(self.max_deduction),
            "capped": self.capped,
        }


@dataclass(frozen=True)
class Result:
    colour: str
    score: Decimal
    score_colour: str  # the class by the score alone
    deductions: tuple[ItemDeduction, ...]
    direct_red: tuple[str, ...]
    guide: str
    guide_version: str
    reason: str
    reason_en: str

    @property
    def class_zh(self) -> str:
        return CLASS_ZH[self.colour]

    @property
    def total_deduction(self) -> Decimal:
        return sum((d.counted for d in self.deductions), ZERO)

    def as_dict(self) -> dict[str, Any]:
        return {
            "colour": self.colour,
            "class_zh": self.class_zh,
            "score": number_text(self.score),
            "score_colour": self.score_colour,
            "deductions": [d.as_dict() for d in self.deductions],
            "direct_red": list(self.direct_red),
            "reason": self.reason,
            "reason_en": self.reason_en,
            "guide": self.guide,
            "guide_version": self.guide_version,
        }


def classify(score: Decimal | int | str, guide: Guide | None = None) -> str:
    """The colour of a score by the guide's bands (lower edge inclusive)."""
    guide = guide or load_guide()
    value = parse_points(score, "score")
    if value < 0 or value > guide.total:
        raise DiagnosisInputError(
            "score_range", "score", value=number_text(value), total=number_text(guide.total)
        )
    band = next(b for b in guide.bands if b.contains(value))
    return band.colour


def _band(guide: Guide, colour: str) -> Band:
    return next(b for b in guide.bands if b.colour == colour)


def _band_words(band: Band) -> tuple[str, str]:
    if band.lower is None:
        return (
            f"{number_text(band.upper)}分以下为{band.class_zh}色",
            f"below {number_text(band.upper)} is {band.colour}",
        )
    if band.upper is None:
        return (
            f"{number_text(band.lower)}分以上（含{number_text(band.lower)}分）为{band.class_zh}色",
            f"{number_text(band.lower)} or more is {band.colour}",
        )
    low, high = number_text(band.lower), number_text(band.upper)
    return (
        f"{low}分（含{low}分）至{high}分为{band.class_zh}色",
        f"{low} (inclusive) to below {high} is {band.colour}",
    )


def explain(
    score: Decimal, score_colour: str, direct_red: Iterable[str], guide: Guide
) -> tuple[str, str]:
    """The reason in Chinese and in English."""
    zh, en = _band_words(_band(guide, score_colour))
    shown = number_text(score)
    situations = [guide.situation(code) for code in direct_red]
    situations = [s for s in situations if s is not None]
    if situations:
        texts_zh = "；".join(s.text.rstrip("；;。") for s in situations)
        texts_en = "; ".join(s.text_en.rstrip(".") for s in situations)
        return (
            f"存在直接判定为红色的情形：{texts_zh}（总分 {shown} 分，按分数为{CLASS_ZH[score_colour]}色）",
            f"Red directly because of: {texts_en} (score {shown}, {score_colour} by the score)",
        )
    return (f"总分 {shown} 分：{zh}", f"Score {shown}: {en}")


def score(
    deductions: Mapping[str, Any],
    direct_red: Iterable[str] = (),
    guide: Guide | None = None,
) -> Result:
    """The diagnosis: 100 − Σ capped deductions (never below 0), its colour, the capped
    deduction per scored item, and the reason. Refuses (DiagnosisInputError) unknown items,
    deductions on unscored items, values that are not numbers or negative, and unknown
    situations; a deduction above its item's points is capped, not refused (check() is
    the strict form)."""
    guide = guide or load_guide()
    given: dict[str, Decimal] = {}
    for code, value in deductions.items():
        item = guide.item(str(code))
        if item is None:
            raise DiagnosisInputError("unknown_item", str(code), value=code)
        number = parse_points(value, item.code)
        if not item.scored:
            if number:
                raise DiagnosisInputError("not_scored", item.code, value=item.name)
            continue
        if number < 0:
            raise DiagnosisInputError("negative", item.code, value=number_text(number))
        given[item.code] = number
    situations: list[str] = []
    for code in direct_red:
        situation = guide.situation(str(code))
        if situation is None or not situation.verified:
            raise DiagnosisInputError("unknown_situation", "direct_red", value=code)
        if situation.code not in situations:
            situations.append(situation.code)
    situations.sort(key=lambda c: [s.code for s in guide.situations].index(c))
    rows = tuple(
        ItemDeduction(
            item.code,
            given.get(item.code, ZERO),
            min(given.get(item.code, ZERO), item.max_deduction),  # type: ignore[type-var]
            item.max_deduction,  # type: ignore[arg-type]
        )
        for item in guide.scored_items
    )
    total = max(ZERO, guide.total - sum((r.counted for r in rows), ZERO))
    score_colour = classify(total, guide)
    colour = "red" if situations else score_colour
    reason, reason_en = explain(total, score_colour, situations, guide)
    return Result(
        colour=colour,
        score=total,
        score_colour=score_colour,
        deductions=rows,
        direct_red=tuple(situations),
        guide=guide.name,
        guide_version=guide.version,
        reason=reason,
        reason_en=reason_en,
    )


def from_score(
    value: Any, *, direct_red: bool = False, guide: Guide | None = None
) -> dict[str, Any]:
    """The class of a score given directly (the command-line calculator): colour, score,
    class_zh, the reason, the bands and the source."""
    guide = guide or load_guide()
    number = parse_points(value, "score") if value not in (None, "") else None
    if number is None:
        raise DiagnosisInputError("not_number", "score", value="")
    score_colour = classify(number, guide)
    colour = "red" if direct_red else score_colour
    zh, en = _band_words(_band(guide, score_colour))
    shown = number_text(number)
    if direct_red:
        reason = f"存在直接判定为红色的情形（总分 {shown} 分，按分数为{CLASS_ZH[score_colour]}色）"
        reason_en = f"Red directly: a direct-red situation applies (score {shown}, {score_colour} by the score)"
    else:
        reason, reason_en = f"总分 {shown} 分：{zh}", f"Score {shown}: {en}"
    return {
        "colour": colour,
        "score": shown,
        "class_zh": CLASS_ZH[colour],
        "direct_red": direct_red,
        "score_colour": score_colour,
        "reason": reason,
        "reason_en": reason_en,
        "bands": [b.as_dict() for b in guide.bands],
        "bands_text": guide.bands_text,
        "source": guide.citation,
        "guide": guide.name,
        "guide_version": guide.version,
    }

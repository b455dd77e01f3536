"""The special-work rules of GB 30871-2022 《危险化学品企业特殊作业安全规范》 (standards.md
A14), pure: no Django import. Exact Decimal comparisons; "以上" includes the number.

What each number rests on (checked with the search tool on 2026-12-04; the standard's own
text was not in the stored corpus, so each is marked):

* hot-work permit validity 特级 / 一级 ≤ 8 h, 二级 ≤ 72 h (5.x 动火作业): standards.md A14
  and third-party copies of the clause ("特级和一级动火作业证有效时间不超过8h"); the
  standard's text itself NOT seen.
* gas sampled no earlier than 30 min before the work; 特级 hot work monitored
  continuously: standards.md A14; NOT seen in the standard's text.
* combustible gas: LEL ≥ 4 % → at most 0.5 % (vol); LEL < 4 % → at most 0.2 % (vol)
  ("不大于", inclusive): standards.md A14; NOT seen in the standard's text.
* confined space oxygen 19.5 %–21 % (inclusive), at most 23.5 % where enriched air is
  normal: standards.md A14 and third-party summaries (which also quote AQ 3028-2008);
  NOT seen in the standard's text.
* toxic gases within GBZ 2.1: the analyst enters the limit; nothing is hard-coded here.
* work-at-height grades (GB 30871 refers to GB/T 3608): Ⅰ 2–5 m (5 m included), Ⅱ over
  5–15 m, Ⅲ over 15–30 m, Ⅳ over 30 m: third-party copies of GB/T 3608 agree; below 2 m is
  not work at height. The standard's text NOT seen.
* lifting grades 一级 m > 100 t, 二级 40 t ≤ m ≤ 100 t, 三级 m < 40 t: from the brief;
  NOT verified.
* the other kinds' permit validity: not verified, so not limited here (only end after
  start). Confined-space 24 h is remembered from the standard but NOT verified.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

HOT_WORK = "hot_work"
CONFINED_SPACE = "confined_space"
BLIND_PLATE = "blind_plate"
HEIGHT = "height"
LIFTING = "lifting"
TEMPORARY_POWER = "temporary_power"
EARTHWORK = "earthwork"
ROAD_CLOSURE = "road_closure"
KINDS: tuple[str, ...] = (
    HOT_WORK,
    CONFINED_SPACE,
    BLIND_PLATE,
    HEIGHT,
    LIFTING,
    TEMPORARY_POWER,
    EARTHWORK,
    ROAD_CLOSURE,
)

# Grades (stored in Permit.grade, max 8 characters).
SPECIAL = "special"  # 特级
FIRST = "first"  # 一级
SECOND = "second"  # 二级
THIRD = "third"  # 三级 (lifting)
HEIGHT_I, HEIGHT_II, HEIGHT_III, HEIGHT_IV = "I", "II", "III", "IV"
GRADES: dict[str, tuple[str, ...]] = {
    HOT_WORK: (SPECIAL, FIRST, SECOND),
    HEIGHT: (HEIGHT_I, HEIGHT_II, HEIGHT_III, HEIGHT_IV),
    LIFTING: (FIRST, SECOND, THIRD),
}
# The Chinese names are the standard's: data, not UI text.
GRADE_NAMES: dict[tuple[str, str], str] = {
    (HOT_WORK, SPECIAL): "特级",
    (HOT_WORK, FIRST): "一级",
    (HOT_WORK, SECOND): "二级",
    (HEIGHT, HEIGHT_I): "Ⅰ级",
    (HEIGHT, HEIGHT_II): "Ⅱ级",
    (HEIGHT, HEIGHT_III): "Ⅲ级",
    (HEIGHT, HEIGHT_IV): "Ⅳ级",
    (LIFTING, FIRST): "一级",
    (LIFTING, SECOND): "二级",
    (LIFTING, THIRD): "三级",
}

HOURS_8 = dt.timedelta(hours=8)
HOURS_72 = dt.timedelta(hours=72)
VALIDITY: dict[tuple[str, str], dt.timedelta] = {
    (HOT_WORK, SPECIAL): HOURS_8,
    (HOT_WORK, FIRST): HOURS_8,
    (HOT_WORK, SECOND): HOURS_72,
}
GAS_WINDOW = dt.timedelta(minutes=30)
# Kinds whose permit is issued only on a passing gas analysis. Temporary power and
# others need one only in some places (e.g. a fire-risk area): the issuer decides there.
GAS_REQUIRED: frozenset[str] = frozenset({HOT_WORK, CONFINED_SPACE})

# The 特种作业 category (《特种作业目录》, 第30号令 附件) each operator must hold. Lifting:
# a crane driver's 特种设备作业人员证 (起重机械, under 市场监管) is not a 特种作业操作证
# and is not recorded by this platform's certificates, so it is not checked here.
CERTIFICATE_CATEGORY: dict[str, str] = {
    HOT_WORK: "焊接与热切割作业",
    TEMPORARY_POWER: "电工作业",
    HEIGHT: "高处作业",
}

LEL_SPLIT = Decimal("4")
COMBUSTIBLE_LIMIT_HIGH_LEL = Decimal("0.5")
COMBUSTIBLE_LIMIT_LOW_LEL = Decimal("0.2")
OXYGEN_MIN = Decimal("19.5")
OXYGEN_MAX = Decimal("21")
OXYGEN_MAX_ENRICHED = Decimal("23.5")

H2, H5, H15, H30 = Decimal("2"), Decimal("5"), Decimal("15"), Decimal("30")
T40, T100 = Decimal("40"), Decimal("100")


class RuleError(ValueError):
    """An input the rules cannot grade (a code for the caller to word)."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


def decimal(value: Any) -> Decimal | None:
    """An exact number from text or a number (floats through their text); None if not one."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def height_grade(height_m: Decimal) -> str:
    """GB/T 3608 grade of work at height from the working height (m)."""
    if height_m < H2:
        raise RuleError("below_2m")
    if height_m <= H5:
        return HEIGHT_I
    if height_m <= H15:
        return HEIGHT_II
    if height_m <= H30:
        return HEIGHT_III
    return HEIGHT_IV


def lifting_grade(load_t: Decimal) -> str:
    """Lifting grade from the load (t): 一级 > 100 t, 二级 40–100 t, 三级 < 40 t."""
    if load_t <= 0:
        raise RuleError("load_not_positive")
    if load_t > T100:
        return FIRST
    if load_t >= T40:
        return SECOND
    return THIRD


def validity_limit(kind: str, grade: str) -> dt.timedelta | None:
    """The longest a permit may run (planned end − planned start), None: no limit coded."""
    return VALIDITY.get((kind, grade))


def needs_grade(kind: str) -> bool:
    return kind in GRADES


def needs_gas(kind: str) -> bool:
    return kind in GAS_REQUIRED


def certificate_category(kind: str) -> str:
    return CERTIFICATE_CATEGORY.get(kind, "")


def continuous_monitoring(kind: str, grade: str) -> bool:
    return kind == HOT_WORK and grade == SPECIAL


# --- gas analysis -----------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    sampled_at: dt.datetime
    oxygen_pct: Decimal | None = None
    combustible_pct: Decimal | None = None
    combustible_lel_pct: Decimal | None = None
    # ({"name", "value", "limit", "unit"}); value and limit Decimal-able text.
    toxic: Sequence[Mapping[str, Any]] = ()
    enriched_air: bool = False


@dataclass(frozen=True)
class Verdict:
    passed: bool
    findings: list[dict[str, Any]] = field(default_factory=list)


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def gas_verdict(
    kind: str, grade: str, analysis: Analysis, work_start: dt.datetime | None
) -> Verdict:
    """Whether the analysis allows the work; each finding {"code", "ok", numbers…}.
    `work_start` None: the content only (no timing), e.g. when issuing ahead of the day."""
    findings: list[dict[str, Any]] = []
    combustible_needed = kind in (HOT_WORK, CONFINED_SPACE)
    c, lel = analysis.combustible_pct, analysis.combustible_lel_pct
    if c is None:
        if combustible_needed:
            findings.append({"code": "combustible_missing", "ok": False})
    elif lel is None:
        findings.append({"code": "lel_missing", "ok": False, "value": _s(c)})
    else:
        limit = COMBUSTIBLE_LIMIT_HIGH_LEL if lel >= LEL_SPLIT else COMBUSTIBLE_LIMIT_LOW_LEL
        findings.append(
            {
                "code": "combustible",
                "ok": c <= limit,
                "value": _s(c),
                "lel": _s(lel),
                "limit": _s(limit),
            }
        )
    o2 = analysis.oxygen_pct
    if kind == CONFINED_SPACE:
        high = OXYGEN_MAX_ENRICHED if analysis.enriched_air else OXYGEN_MAX
        if o2 is None:
            findings.append({"code": "oxygen_missing", "ok": False})
        else:
            findings.append(
                {
                    "code": "oxygen",
                    "ok": OXYGEN_MIN <= o2 <= high,
                    "value": _s(o2),
                    "min": _s(OXYGEN_MIN),
                    "max": _s(high),
                    "enriched_air": analysis.enriched_air,
                }
            )
    for row in analysis.toxic:
        value, limit = decimal(row.get("value")), decimal(row.get("limit"))
        name = str(row.get("name", ""))
        if value is None or limit is None:
            findings.append({"code": "toxic_incomplete", "ok": False, "name": name})
            continue
        findings.append(
            {
                "code": "toxic",
                "ok": value <= limit,
                "name": name,
                "value": _s(value),
                "limit": _s(limit),
                "unit": str(row.get("unit", "")),
            }
        )
    if work_start is not None:
        gap = work_start - analysis.sampled_at
        minutes = Decimal(int(gap.total_seconds())) / 60
        findings.append(
            {
                "code": "timing",
                "ok": dt.timedelta(0) <= gap <= GAS_WINDOW,
                "minutes_before": str(minutes.quantize(Decimal("0.1"))),
                "max_minutes": 30,
            }
        )
    if continuous_monitoring(kind, grade):
        # 特级: the analysis is not enough, the work is watched by a detector throughout.
        findings.append({"code": "continuous_monitoring", "ok": True})
    return Verdict(passed=all(f["ok"] for f in findings), findings=findings)


def fresh(sampled_at: dt.datetime, now: dt.datetime) -> bool:
    """Sampled within the 30 minutes before `now` (not after it)."""
    return dt.timedelta(0) <= now - sampled_at <= GAS_WINDOW

"""Accident grades, report deadlines and GB 6441-86 classes. Pure: no Django.

Sources (see /work/shared/domain/standards.md A5, A6 and docs/accidents.md):

    国务院令第493号《生产安全事故报告和调查处理条例》(in force 2007-06-01)
        第三条     four grades; "以上" includes the number, "以下" excludes it
        第九条     the unit head reports within 1 hour of learning of the accident
        第十三条   casualty changes within 30 days are reported (road traffic, fire: 7)
        第十九条   who investigates: county / 设区的市 / province / State Council
        第二十八条 time for technical appraisal is not counted (article number from
                   memory, the rule itself is quoted by exam answers: UNVERIFIED number)
        第二十九条 investigation report within 60 days 自事故发生之日起, +≤60 days
        第三十二条 reply within 15 days (重大/较大/一般) or 30 (+≤30) for 特别重大
    GB 6441-86《企业职工伤亡事故分类》
        the 20 accident types (事故类别) 01–20; 轻伤 < 105 lost days, 重伤 ≥ 105;
        a death is valued at 6000 lost days in the severity indicator

Grading rule (第三条, "或者" between the criteria; 从重认定): the grade is the HIGHEST
grade reached by any one of deaths, serious injuries (incl. 急性工业中毒) and direct
economic loss. `decided_by` names the criteria that reach that grade. When nothing
reaches above 一般, `decided_by` names the criteria that are non-zero (what makes it an
accident at all), and is () for an accident with no casualties and no loss.

Day counting: a period "within N days from the day of X" starts the day after X (民法典
第二百零一条: 开始的当日不计入) and ends at the close of X + N days. The holiday
extension of 第二百零三条 is NOT applied (no holiday calendar), so the deadlines here are
never later than the legal ones. Applying 民法典 to these administrative periods is our
reading: UNVERIFIED.

Arithmetic is exact: persons are ints, money is Decimal yuan (int accepted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from anjian.core.numbers import is_decimal_text, is_int_text

# --- grades (第三条) -----------------------------------------------------------------

GRADES = ("一般", "较大", "重大", "特别重大")  # lowest to highest
GRADE_CODES = ("general", "larger", "major", "especially_major")
CODE_BY_GRADE = dict(zip(GRADES, GRADE_CODES, strict=True))
GRADE_BY_CODE = dict(zip(GRADE_CODES, GRADES, strict=True))
GRADE_RANK = {g: i for i, g in enumerate(GRADES)}  # 0 = 一般 … 3 = 特别重大
GRADE_LABELS_EN = {
    "一般": "general",
    "较大": "larger",
    "重大": "major",
    "特别重大": "especially major",
}

CRITERIA = ("deaths", "serious_injuries", "direct_loss")

# Lower bounds (inclusive, "以上") of 较大, 重大, 特别重大 for each criterion.
# 第三条: 特别重大 30人以上死亡 / 100人以上重伤 / 1亿元以上; 重大 10–30 / 50–100 /
# 5000万–1亿; 较大 3–10 / 10–50 / 1000万–5000万; 一般 below those.
THRESHOLDS: dict[str, tuple[Any, Any, Any]] = {
    "deaths": (3, 10, 30),
    "serious_injuries": (10, 50, 100),
    "direct_loss": (Decimal("10000000"), Decimal("50000000"), Decimal("100000000")),
}


class AccidentInputError(ValueError):
    """A refused input for the accident calculators. str() is the Chinese message and
    the English one; `field` names the argument, `code` the reason."""

    def __init__(self, code: str, field: str, zh: str, en: str) -> None:
        self.code = code
        self.field = field
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}")

    def as_dict(self) -> dict[str, str]:
        return {"error": self.zh, "error_en": self.en, "code": self.code, "field": self.field}


def count_of(value: Any, field_name: str) -> int:
    """A non-negative whole number of persons (or cases): int, or ASCII digit text.
    bool, float, Decimal with a fraction and negative numbers are refused."""
    if isinstance(value, bool):
        raise AccidentInputError(
            "not_integer",
            field_name,
            f"{field_name} 应为非负整数，实际为“{value}”",
            f"{field_name} must be a non-negative whole number, got '{value}'",
        )
    if isinstance(value, str) and is_int_text(value):
        value = int(value.strip())
    elif isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        value = int(value)
    if not isinstance(value, int):
        raise AccidentInputError(
            "not_integer",
            field_name,
            f"{field_name} 应为非负整数，实际为“{value}”",
            f"{field_name} must be a non-negative whole number, got '{value}'",
        )
    if value < 0:
        raise AccidentInputError(
            "negative",
            field_name,
            f"{field_name} 不能为负数，实际为 {value}",
            f"{field_name} cannot be negative, got {value}",
        )
    return value


def amount_of(value: Any, field_name: str, *, positive: bool = False) -> Decimal:
    """A finite non-negative Decimal (strictly positive with `positive`) from an int, a
    Decimal or ASCII decimal text. Floats are refused: they are not exact."""
    result: Decimal | None = None
    if isinstance(value, bool):
        result = None
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, Decimal) and value.is_finite():
        result = value
    elif isinstance(value, str) and is_decimal_text(value):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the pattern admits only literals
            result = None
    if result is None:
        raise AccidentInputError(
            "not_number",
            field_name,
            f"{field_name} 应为数值，实际为“{value}”",
            f"{field_name} must be a number, got '{value}'",
        )
    if positive and result <= 0:
        raise AccidentInputError(
            "not_positive",
            field_name,
            f"{field_name} 必须大于 0，实际为 {value}",
            f"{field_name} must be greater than 0, got {value}",
        )
    if result < 0:
        raise AccidentInputError(
            "negative",
            field_name,
            f"{field_name} 不能为负数，实际为 {value}",
            f"{field_name} cannot be negative, got {value}",
        )
    return result


def grade_of(value: str) -> str:
    """The Chinese grade from a Chinese grade or an English code; ValueError otherwise."""
    if value in GRADE_RANK:
        return value
    if value in GRADE_BY_CODE:
        return GRADE_BY_CODE[value]
    raise AccidentInputError(
        "unknown_grade",
        "grade",
        f"“{value}”不是事故等级，可用：{'、'.join(GRADES)}",
        f"'{value}' is not an accident grade; use one of {', '.join(GRADE_CODES)}",
    )


def _level_for(value: int | Decimal, bounds: tuple[Any, Any, Any]) -> int:
    """0..3: how many lower bounds the value reaches ("以上" is inclusive)."""
    return sum(1 for bound in bounds if value >= bound)


@dataclass(frozen=True)
class Grading:
    grade: str  # Chinese, one of GRADES
    code: str  # English code, one of GRADE_CODES
    decided_by: tuple[str, ...]  # names from CRITERIA, in CRITERIA order
    levels: dict[str, str] = field(default_factory=dict, hash=False)  # criterion → grade

    @property
    def rank(self) -> int:
        return GRADE_RANK[self.grade]

    @property
    def larger_or_above(self) -> bool:
        """较大及以上 (reported separately in statistics and the assessment veto)."""
        return self.rank >= GRADE_RANK["较大"]


def grade(*, deaths: int, serious: int, loss_yuan: Decimal | int) -> Grading:
    """The 493号令 第三条 grade: the highest reached by any one criterion (从重认定).

    >>> grade(deaths=2, serious=10, loss_yuan=0).grade
    '较大'
    """
    values: dict[str, int | Decimal] = {
        "deaths": count_of(deaths, "deaths"),
        "serious_injuries": count_of(serious, "serious"),
        "direct_loss": amount_of(loss_yuan, "loss_yuan"),
    }
    reached = {name: _level_for(values[name], THRESHOLDS[name]) for name in CRITERIA}
    top = max(reached.values())
    if top > 0:
        decided_by = tuple(name for name in CRITERIA if reached[name] == top)
    else:
        decided_by = tuple(name for name in CRITERIA if values[name] > 0)
    return Grading(
        grade=GRADES[top],
        code=GRADE_CODES[top],
        decided_by=decided_by,
        levels={name: GRADES[reached[name]] for name in CRITERIA},
    )


def thresholds_as_dict() -> dict[str, dict[str, int]]:
    """The inclusive lower bounds by criterion and grade code, for display and the CLI
    (persons; money in whole yuan)."""
    return {
        name: {
            CODE_BY_GRADE[grade_name]: int(bound)
            for grade_name, bound in zip(GRADES[1:], THRESHOLDS[name], strict=True)
        }
        for name in CRITERIA
    }


# --- deadlines (第九条, 第十三条, 第十九条, 第二十九条, 第三十二条) ------------------

QUICK_REPORT_HOURS = 1  # 第九条: 单位负责人接到报告后，应当于1小时内 … 报告
FOLLOWUP_DAYS = 30  # 第十三条: 自事故发生之日起30日内 … 伤亡人数发生变化的，应当及时补报
FOLLOWUP_DAYS_ROAD_OR_FIRE = 7  # 第十三条: 道路交通事故、火灾事故自发生之日起7日内
INVESTIGATION_DAYS = 60  # 第二十九条: 自事故发生之日起60日内提交事故调查报告
INVESTIGATION_MAX_EXTENSION_DAYS = 60  # 第二十九条: 延长的期限最长不超过60日
REPLY_DAYS = 15  # 第三十二条: 重大、较大、一般 自收到事故调查报告之日起15日内做出批复
REPLY_DAYS_ESPECIALLY_MAJOR = 30  # 第三十二条: 特别重大事故，30日内做出批复
REPLY_MAX_EXTENSION_DAYS = 30  # 第三十二条: 特别重大 延长的时间最长不超过30日


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _days(value: Any, field_name: str, maximum: int) -> int:
    days = count_of(value, field_name)
    if days > maximum:
        raise AccidentInputError(
            "too_long",
            field_name,
            f"{field_name} 最长 {maximum} 日，实际为 {days}",
            f"{field_name} may be at most {maximum} days, got {days}",
        )
    return days


def quick_report_due(learned_at: datetime) -> datetime:
    """第九条: the unit head reports within 1 hour of learning of the accident. A report
    made exactly at the returned instant is on time."""
    return learned_at + timedelta(hours=QUICK_REPORT_HOURS)


def quick_report_late(learned_at: datetime, reported_at: datetime) -> bool:
    """True when the quick report came after the 1-hour deadline of 第九条."""
    return reported_at > quick_report_due(learned_at)


def followup_window_days(*, road_or_fire: bool = False) -> int:
    """第十三条: casualty changes within 30 days of the accident are reported as
    supplements; 7 days for road traffic and fire accidents."""
    return FOLLOWUP_DAYS_ROAD_OR_FIRE if road_or_fire else FOLLOWUP_DAYS


def followup_window_ends(occurred: date | datetime, *, road_or_fire: bool = False) -> date:
    """The last day (inclusive) on which a casualty change still counts (第十三条);
    the day of the accident is not counted (see the module note)."""
    return _day(occurred) + timedelta(days=followup_window_days(road_or_fire=road_or_fire))


def investigation_due(
    occurred: date | datetime, extended_days: int = 0, appraisal_days: int = 0
) -> date:
    """第二十九条: the investigation report is due within 60 days 自事故发生之日起 (from
    the day of the accident: verified in the article's text), extendable by the
    government by at most 60 days. `appraisal_days` is time spent on technical
    appraisal, which is not counted (第二十八条; article number UNVERIFIED). Returns
    the last day (inclusive)."""
    extension = _days(extended_days, "extended_days", INVESTIGATION_MAX_EXTENSION_DAYS)
    appraisal = count_of(appraisal_days, "appraisal_days")
    return _day(occurred) + timedelta(days=INVESTIGATION_DAYS + extension + appraisal)


def reply_days(grade_value: str) -> int:
    """第三十二条: 15 days for 重大, 较大, 一般; 30 days for 特别重大."""
    if grade_of(grade_value) == "特别重大":
        return REPLY_DAYS_ESPECIALLY_MAJOR
    return REPLY_DAYS


def reply_due(report_received: date | datetime, grade_value: str, extended_days: int = 0) -> date:
    """第三十二条: the government replies within 15 days of receiving the investigation
    report (重大/较大/一般) or 30 days (特别重大, extendable by at most 30 days; no
    extension is provided for the other grades). Returns the last day (inclusive)."""
    chinese = grade_of(grade_value)
    maximum = REPLY_MAX_EXTENSION_DAYS if chinese == "特别重大" else 0
    extension = _days(extended_days, "extended_days", maximum)
    return _day(report_received) + timedelta(days=reply_days(chinese) + extension)


INVESTIGATING_LEVELS = ("county", "city", "province", "state_council")
INVESTIGATING_LEVEL_LABELS = {
    "county": "县级人民政府",
    "city": "设区的市级人民政府",
    "province": "省级人民政府",
    "state_council": "国务院",
}


def investigating_level(grade_value: str) -> str:
    """第十九条: 特别重大 by the State Council (or a department it authorises); 重大,
    较大, 一般 by the provincial, 设区的市 and county government where the accident
    happened. (A county may entrust the unit itself with an 一般 accident without
    casualties; a higher government may take any investigation over, 第二十条.)"""
    return INVESTIGATING_LEVELS[GRADE_RANK[grade_of(grade_value)]]


# --- GB 6441-86 ----------------------------------------------------------------------

# 事故类别 (GB 6441-86, standards.md A6.1 [S21]); the standard prints 01…09 then 010…020.
GB6441_TYPES: tuple[tuple[str, str], ...] = (
    ("01", "物体打击"),
    ("02", "车辆伤害"),
    ("03", "机械伤害"),
    ("04", "起重伤害"),
    ("05", "触电"),
    ("06", "淹溺"),
    ("07", "灼烫"),
    ("08", "火灾"),
    ("09", "高处坠落"),
    ("10", "坍塌"),
    ("11", "冒顶片帮"),
    ("12", "透水"),
    ("13", "放炮"),
    ("14", "火药爆炸"),
    ("15", "瓦斯爆炸"),
    ("16", "锅炉爆炸"),
    ("17", "容器爆炸"),
    ("18", "其他爆炸"),
    ("19", "中毒和窒息"),
    ("20", "其他伤害"),
)
GB6441_TYPE_NAMES = dict(GB6441_TYPES)

# Injury severity (A6.2): 轻伤 < 105 lost days, 重伤 ≥ 105 (as valued in 附录B [S21]);
# a death counts 6000 lost days in the severity indicator B [S22].
SERIOUS_INJURY_MIN_LOST_DAYS = 105
DEATH_LOST_DAYS = 6000
INJURY_SEVERITIES: tuple[tuple[str, str], ...] = (
    ("minor", "轻伤"),
    ("serious", "重伤"),
    ("death", "死亡"),
)


def injury_severity(lost_days: int) -> str:
    """'minor' below 105 lost working days, 'serious' at 105 or more (GB 6441-86)."""
    days = count_of(lost_days, "lost_days")
    return "serious" if days >= SERIOUS_INJURY_MIN_LOST_DAYS else "minor"

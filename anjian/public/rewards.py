"""Whistleblower rewards (issue 15 item 2): pure arithmetic, no Django import.

Rule: 《安全生产领域举报奖励办法》 (安监总财〔2018〕19号) 第六条, standards.md A9. The
content below is confirmed by the 2018 announcement of 国家安监总局 and 财政部 and by
provincial rules that copy it (山西 2024); the article NUMBER (第六条) comes from the brief
and is UNCONFIRMED against the verbatim 2018 text.

* (一) 重大事故隐患 / 违法生产经营建设 ("hazard_or_violation"): 15% of the administrative
  fine, 最低奖励 3,000 元, 最高不超过 30 万元.
* (二) 瞒报、谎报事故 ("concealed_accident"): by the finally confirmed grade, per
  concealed death verified: 一般 30,000, 较大 40,000, 重大 50,000, 特别重大 60,000 元;
  最高不超过 30 万元.

Decisions (documented in docs and tested):

* Arithmetic is Decimal throughout. The rate is applied to the exact fine, the floor and
  cap compare the exact product, and only the result is rounded to the fen with
  ROUND_HALF_UP (the rounding of Chinese accounting, 四舍五入). Fines are in yuan with at
  most 2 decimals (fen); more decimals are refused rather than silently rounded.
* A fine of 0 pays 0: the rule's amount is "按照行政处罚金额的15%计算", so without a fine
  there is nothing to compute from; the 3,000 floor bounds a computed reward, it is not an
  award of its own. A profile may decide otherwise (`floor_without_fine: true`); the
  national profile does not.
* A concealed accident with 0 concealed deaths pays 0: the rule is per death verified and
  the text gives no minimum for a concealment without deaths.
* Concealed deaths beyond what the grade allows (国务院令第493号 第三条: 一般 < 3,
  较大 < 10, 重大 < 30) are computed as given but flagged in `basis["warnings"]`: the
  counts are the investigators', not ours to refuse.
* Profiles (anjian/public/data/reward_profiles.json): "national" and an EXAMPLE provincial
  profile ("example_province", marked `example: true`) that pays more.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

KINDS = ("hazard_or_violation", "concealed_accident")
RULE = "《安全生产领域举报奖励办法》 安监总财〔2018〕19号 第六条"
FEN = Decimal("0.01")
ROUNDING = "ROUND_HALF_UP to 0.01 yuan (四舍五入到分), after floor and cap"

# The grade as written on the form (Chinese) or as anjian.accidents codes it.
GRADE_CODES = ("general", "larger", "major", "especially_major")
GRADE_ZH = {"一般": "general", "较大": "larger", "重大": "major", "特别重大": "especially_major"}
ZH_OF_GRADE = {code: zh for zh, code in GRADE_ZH.items()}
# 国务院令第493号 第三条: the most deaths an accident of the grade can have (see warnings).
MAX_DEATHS_OF_GRADE = {"general": 2, "larger": 9, "major": 29}

_PROFILES_FILE = Path(__file__).resolve().parent / "data" / "reward_profiles.json"
_DECIMAL_TEXT = re.compile(r"^\s*\+?\d+(\.\d+)?\s*$")
_INT_TEXT = re.compile(r"^\s*\+?\d+\s*$")


class RewardInputError(ValueError):
    """A refused input. str() is the Chinese and the English message; `field` names the
    argument (kind, fine_yuan, grade, deaths, profile) and `code` the reason."""

    def __init__(self, code: str, field_name: str, zh: str, en: str) -> None:
        self.code = code
        self.field = field_name
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}")

    def as_dict(self) -> dict[str, str]:
        return {"error": self.zh, "error_en": self.en, "code": self.code, "field": self.field}


@dataclass(frozen=True)
class Reward:
    """The reward in yuan (2 decimals) and why: `basis` is JSON-ready (amounts as text)."""

    amount: Decimal
    basis: dict[str, Any] = field(default_factory=dict)


@cache
def profiles() -> dict[str, dict[str, Any]]:
    """The configured profiles by name (the data file's keys not starting with "_")."""
    data = json.loads(_PROFILES_FILE.read_text(encoding="utf-8"))
    return {name: spec for name, spec in data.items() if not name.startswith("_")}


def _profile(name: str) -> dict[str, Any]:
    found = profiles().get(name)
    if found is None:
        raise RewardInputError(
            "unknown_profile",
            "profile",
            f"未知的奖励标准“{name}”，可选：{'、'.join(profiles())}",
            f"unknown reward profile '{name}', known: {', '.join(profiles())}",
        )
    return found


def fine_of(value: Any) -> Decimal:
    """A fine in yuan: int, Decimal or decimal text, ≥ 0, at most 2 decimals. Floats and
    bools are refused (not exact)."""
    result: Decimal | None = None
    if isinstance(value, bool) or value is None:
        result = None
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, Decimal) and value.is_finite():
        result = value
    elif isinstance(value, str) and _DECIMAL_TEXT.match(value):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the pattern admits only literals
            result = None
    elif isinstance(value, str) and re.match(r"^-\d+(\.\d+)?$", value.strip()):
        raise RewardInputError(
            "negative",
            "fine_yuan",
            f"罚款金额不能为负数，实际为 {value.strip()}",
            f"fine_yuan must not be negative, got {value.strip()}",
        )
    if value is None:
        raise RewardInputError(
            "required",
            "fine_yuan",
            "举报隐患或违法行为的奖励需要行政处罚罚款金额（元）",
            "fine_yuan (the administrative fine in yuan) is required for hazard_or_violation",
        )
    if result is None:
        raise RewardInputError(
            "not_number",
            "fine_yuan",
            f"罚款金额应为数值（元），实际为“{value}”",
            f"fine_yuan must be a number of yuan, got '{value}'",
        )
    if result < 0:
        raise RewardInputError(
            "negative",
            "fine_yuan",
            f"罚款金额不能为负数，实际为 {result}",
            f"fine_yuan must not be negative, got {result}",
        )
    if result != result.quantize(FEN, rounding=ROUND_HALF_UP):
        raise RewardInputError(
            "too_precise",
            "fine_yuan",
            f"罚款金额最多两位小数（分），实际为 {result}",
            f"fine_yuan has at most 2 decimals (fen), got {result}",
        )
    return result


def deaths_of(value: Any) -> int:
    """Concealed deaths verified: a whole number ≥ 0 (int or digit text)."""
    if value is None:
        raise RewardInputError(
            "required",
            "deaths",
            "举报瞒报谎报事故的奖励需要查实的瞒报谎报死亡人数",
            "deaths (concealed deaths verified) is required for concealed_accident",
        )
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("-") and _INT_TEXT.match(text[1:]):
            raise RewardInputError(
                "negative",
                "deaths",
                f"死亡人数不能为负数，实际为 {text}",
                f"deaths must not be negative, got {text}",
            )
        if _INT_TEXT.match(text):
            value = int(text)
    elif isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RewardInputError(
            "not_integer",
            "deaths",
            f"死亡人数应为非负整数，实际为“{value}”",
            f"deaths must be a non-negative whole number, got '{value}'",
        )
    if value < 0:
        raise RewardInputError(
            "negative",
            "deaths",
            f"死亡人数不能为负数，实际为 {value}",
            f"deaths must not be negative, got {value}",
        )
    return value


def grade_of(value: Any) -> str:
    """The grade's code from 一般|较大|重大|特别重大 or anjian.accidents' English codes."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RewardInputError(
            "required",
            "grade",
            "举报瞒报谎报事故的奖励需要最终确认的事故等级",
            "grade (the finally confirmed accident grade) is required for concealed_accident",
        )
    text = str(value).strip()
    if text in GRADE_ZH:
        return GRADE_ZH[text]
    if text in GRADE_CODES:
        return text
    raise RewardInputError(
        "unknown_grade",
        "grade",
        f"未知的事故等级“{text}”，应为 一般、较大、重大 或 特别重大",
        f"unknown grade '{text}', expected 一般|较大|重大|特别重大 "
        "(or general|larger|major|especially_major)",
    )


def _money(value: Decimal) -> str:
    return str(value.quantize(FEN, rounding=ROUND_HALF_UP))


def _hazard_or_violation(fine: Decimal, spec: dict[str, Any], base: dict[str, Any]) -> Reward:
    rate, floor, cap = (Decimal(spec[key]) for key in ("rate", "floor", "cap"))
    computed = fine * rate
    basis = {
        **base,
        "rule": f"{RULE}（一）",
        "fine_yuan": _money(fine),
        "rate": str(rate),
        "computed": str(computed),
        "floor": _money(floor),
        "cap": _money(cap),
        "floor_hit": False,
        "cap_hit": False,
    }
    if fine == 0 and not spec.get("floor_without_fine", False):
        # No fine, nothing to take 15% of: the floor bounds a computed reward only.
        basis["no_fine"] = True
        basis["explanation"] = (
            "行政处罚罚款为0，无计算奖励的依据 / no fine imposed: the reward is a share of "
            "the fine, so there is no basis; the floor applies only to a computed reward"
        )
        amount = Decimal(0)
    elif computed < floor:
        basis["floor_hit"] = True
        amount = floor
    elif computed > cap:
        basis["cap_hit"] = True
        amount = cap
    else:
        amount = computed
    amount = amount.quantize(FEN, rounding=ROUND_HALF_UP)
    basis["amount"] = _money(amount)
    return Reward(amount=amount, basis=basis)


def _concealed_accident(
    grade: str, deaths: int, spec: dict[str, Any], base: dict[str, Any]
) -> Reward:
    per_death = Decimal(spec["per_death"][grade])
    cap = Decimal(spec["cap"])
    computed = per_death * deaths
    basis: dict[str, Any] = {
        **base,
        "rule": f"{RULE}（二）",
        "grade": grade,
        "grade_zh": ZH_OF_GRADE[grade],
        "deaths": deaths,
        "per_death": _money(per_death),
        "computed": _money(computed),
        "cap": _money(cap),
        "cap_hit": computed > cap,
        "warnings": [],
    }
    if deaths == 0:
        basis["explanation"] = (
            "未查实瞒报谎报死亡人数，按人计奖，规定未设无死亡时的最低奖励 / no concealed "
            "death verified: the rule pays per death and gives no minimum without deaths"
        )
    limit = MAX_DEATHS_OF_GRADE.get(grade)
    if limit is not None and deaths > limit:
        basis["warnings"].append(
            f"{ZH_OF_GRADE[grade]}事故死亡人数应不超过{limit}人（国务院令第493号 第三条），"
            f"实际为{deaths} / a {grade} accident has at most {limit} deaths, got {deaths}"
        )
    amount = min(computed, cap).quantize(FEN, rounding=ROUND_HALF_UP)
    basis["amount"] = _money(amount)
    return Reward(amount=amount, basis=basis)


def reward_for(
    kind: str,
    *,
    fine_yuan: Decimal | None = None,
    grade: str | None = None,
    deaths: int | None = None,
    profile: str = "national",
) -> Reward:
    """The reward for a verified report of `kind` under the named profile.

    hazard_or_violation needs `fine_yuan`; concealed_accident needs `grade` and `deaths`.
    Raises RewardInputError (a ValueError) on any refused input."""
    spec = _profile(profile)
    base = {
        "kind": kind,
        "profile": profile,
        "profile_name": spec.get("name", profile),
        "example_profile": bool(spec.get("example", False)),
        "source": spec.get("source", RULE),
        "rounding": ROUNDING,
    }
    if kind == "hazard_or_violation":
        return _hazard_or_violation(fine_of(fine_yuan), spec["hazard_or_violation"], base)
    if kind == "concealed_accident":
        code = grade_of(grade)
        count = deaths_of(deaths)
        return _concealed_accident(code, count, spec["concealed_accident"], base)
    raise RewardInputError(
        "unknown_kind",
        "kind",
        f"未知的举报类型“{kind}”，应为 hazard_or_violation 或 concealed_accident",
        f"unknown kind '{kind}', expected hazard_or_violation or concealed_accident",
    )

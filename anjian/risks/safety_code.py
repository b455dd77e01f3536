"""The enterprise safety code (安全码): red / yellow / blue from a transparent score. Pure.

score = Σ penalty points of each term (inherent risk + behaviour); red at or above the
policy's red threshold or when a term marked direct_red applies, yellow at or above the
yellow threshold, blue below. Every term is reported with its value, its points and the
rule that gave them, so a code always says why. A term whose data has no source yet
(e.g. accidents before that module exists) is reported as "not tracked" with 0 points
rather than silently omitted.

There is no national rule for a 安全码 (standards.md A11.3): the policy is local and
configurable (data/safety_code_policies.json) and named beside every code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data") / "safety_code_policies.json"

TERM_LABELS = {
    "highest_unit_colour": ("最高风险单元等级", "highest risk-unit colour"),
    "installation_grade": ("重大危险源等级", "major hazard installation grade"),
    "open_hazards": ("未整改隐患", "open hazards"),
    "overdue_hazards": ("逾期未整改隐患", "overdue hazards"),
    "open_major_hazards": ("未销号重大隐患", "open major hazards"),
    "recurrences": ("反复出现的隐患（12个月）", "recurring hazards (12 months)"),
    "check_task_completion": ("排查任务完成率（30天）", "check-task completion (30 days)"),
    "unhandled_alarms": ("未处置报警（30天）", "unhandled alarms (30 days)"),
    "accidents": ("生产安全事故（12个月）", "accidents (12 months)"),
    "penalties": ("行政处罚（12个月）", "administrative penalties (12 months)"),
    "self_check_authenticity": ("自查真实性", "self-check authenticity"),
}
UNIT_LEVELS = {"red": "重大风险", "orange": "较大风险", "yellow": "一般风险", "blue": "低风险"}
COLOUR_NAMES = {"red": ("红码", "red"), "yellow": ("黄码", "yellow"), "blue": ("蓝码", "blue")}


@dataclass(frozen=True)
class Policy:
    name: str
    version: str
    valid_days: int
    red: int
    yellow: int
    terms: dict[str, dict[str, Any]]
    default: bool = False

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"


@cache
def policies() -> tuple[Policy, ...]:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    out = tuple(
        Policy(
            name=p["name"],
            version=p["version"],
            valid_days=int(p["valid_days"]),
            red=int(p["thresholds"]["red"]),
            yellow=int(p["thresholds"]["yellow"]),
            terms=p["terms"],
            default=bool(p.get("default")),
        )
        for p in raw["policies"]
    )
    if sum(p.default for p in out) != 1:
        raise ValueError("exactly one safety-code policy must be the default")
    return out


def get_policy(name: str | None = None) -> Policy:
    for policy in policies():
        if (name is None and policy.default) or policy.name == name:
            return policy
    raise LookupError(f"no safety-code policy named {name!r}")


@dataclass(frozen=True)
class Inputs:
    """What the code is computed from. None means the platform has no source for it yet."""

    highest_unit_colour: str = ""  # red/orange/yellow/blue, '' = no unit assessed
    installation_grade: int | None = None  # the worst (lowest number) grade, if any
    open_hazards: int | None = None
    overdue_hazards: int | None = None
    open_major_hazards: int | None = None
    recurrences: int | None = None
    check_tasks_due: int | None = None
    check_tasks_done: int | None = None
    unhandled_alarms: int | None = None
    accidents: int | None = None
    penalties: int | None = None
    # The latest self-check authenticity score (0-100, anjian.checks); None: never scored.
    self_check_authenticity: float | None = None


@dataclass(frozen=True)
class Term:
    key: str
    value: str
    points: int
    rule: str
    tracked: bool = True
    direct_red: bool = False

    def as_dict(self) -> dict[str, Any]:
        zh, en = TERM_LABELS[self.key]
        return {
            "key": self.key,
            "label": zh,
            "label_en": en,
            "value": self.value,
            "points": self.points,
            "rule": self.rule,
            "tracked": self.tracked,
            "direct_red": self.direct_red,
        }


@dataclass(frozen=True)
class CodeResult:
    colour: str
    score: int
    terms: tuple[Term, ...] = field(default_factory=tuple)
    policy: str = ""
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "colour": self.colour,
            "score": self.score,
            "policy": self.policy,
            "reason": self.reason,
            "terms": [t.as_dict() for t in self.terms],
        }


def _counted(key: str, value: int | None, rule: dict[str, Any]) -> Term:
    if value is None:
        return Term(key, "—", 0, "尚无数据来源 (not tracked yet)", tracked=False)
    points = min(int(rule["each"]) * value, int(rule["cap"]))
    direct = bool(rule.get("direct_red")) and value > 0
    text = f"{value} × {rule['each']}，上限 {rule['cap']}"
    if direct:
        text += "；直接判红"
    return Term(key, str(value), points, text, direct_red=direct)


def _authenticity(value: float | None, rule: dict[str, Any] | None) -> Term:
    """Points by score band: the first band (lowest `below` first) the score is under.
    A policy without the term, or an enterprise never scored, gives no points."""
    key = "self_check_authenticity"
    if rule is None:
        return Term(key, "—", 0, "本规则未计此项", tracked=False)
    if value is None:
        return Term(key, "无数据", 0, "无自查记录或尚未评分")
    score = f"{value:.1f}"
    bands = sorted(rule["bands"], key=lambda b: float(b["below"]))
    for band in bands:
        if value < float(band["below"]):
            return Term(key, score, int(band["points"]), f"低于{band['below']}分")
    top = f"不低于{bands[-1]['below']}分" if bands else "不计分"
    return Term(key, score, 0, top)


def compute(inputs: Inputs, policy: Policy | None = None) -> CodeResult:
    policy = policy or get_policy()
    t = policy.terms
    terms: list[Term] = []

    colour_key = inputs.highest_unit_colour or "none"
    terms.append(
        Term(
            "highest_unit_colour",
            colour_key,
            int(t["highest_unit_colour"][colour_key]),
            "未开展定量评估"
            if colour_key == "none"
            else f"{UNIT_LEVELS[colour_key]} → {t['highest_unit_colour'][colour_key]}",
        )
    )
    if inputs.installation_grade is None:
        terms.append(Term("installation_grade", "无", 0, "无重大危险源"))
    else:
        g = str(inputs.installation_grade)
        terms.append(
            Term(
                "installation_grade",
                g,
                int(t["installation_grade"][g]),
                f"{g}级 → {t['installation_grade'][g]}",
            )
        )
    for key in ("open_hazards", "overdue_hazards", "open_major_hazards", "recurrences"):
        terms.append(_counted(key, getattr(inputs, key), t[key]))

    due, done = inputs.check_tasks_due, inputs.check_tasks_done
    rule = t["check_task_completion"]
    if due is None or done is None:
        terms.append(
            Term("check_task_completion", "—", 0, "尚无数据来源 (not tracked yet)", tracked=False)
        )
    elif due == 0:
        terms.append(Term("check_task_completion", "无到期任务", 0, "无到期任务"))
    else:
        rate = Fraction(min(done, due), due)
        pct = f"{float(rate) * 100:.0f}%"
        if rate < Fraction(60, 100):
            terms.append(Term("check_task_completion", pct, int(rule["below_60"]), "低于60%"))
        elif rate < Fraction(90, 100):
            terms.append(Term("check_task_completion", pct, int(rule["below_90"]), "低于90%"))
        else:
            terms.append(Term("check_task_completion", pct, 0, "不低于90%"))
    for key in ("unhandled_alarms", "accidents", "penalties"):
        terms.append(_counted(key, getattr(inputs, key), t[key]))
    terms.append(_authenticity(inputs.self_check_authenticity, t.get("self_check_authenticity")))

    score = sum(term.points for term in terms)
    direct = [term for term in terms if term.direct_red]
    if direct:
        colour, reason = "red", "直接判红：" + "、".join(TERM_LABELS[d.key][0] for d in direct)
    elif score >= policy.red:
        colour, reason = "red", f"总分 {score} ≥ {policy.red}"
    elif score >= policy.yellow:
        colour, reason = "yellow", f"{policy.yellow} ≤ 总分 {score} < {policy.red}"
    else:
        colour, reason = "blue", f"总分 {score} < {policy.yellow}"
    return CodeResult(colour, score, tuple(terms), policy.label, reason)

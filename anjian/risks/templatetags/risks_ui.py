"""Template helpers for the risk pages: colour words, safety-code words, polygons.

Colour and level words are the field's vocabulary (重大风险 红 …, standards.md A1.3 S13),
kept in Chinese with an English gloss and picked by the active language, like
safety_code.TERM_LABELS; everything else on the pages goes through gettext.
"""

from __future__ import annotations

import json
from fractions import Fraction
from functools import cache

from django import template

from anjian.risks import methods, safety_code, supervision
from anjian.risks.forms import chinese
from anjian.risks.reference import hazard_factors

register = template.Library()

COLOUR_WORDS = {
    "red": ("重大风险", "major risk", "红", "red"),
    "orange": ("较大风险", "larger risk", "橙", "orange"),
    "yellow": ("一般风险", "general risk", "黄", "yellow"),
    "blue": ("低风险", "low risk", "蓝", "blue"),
}
NOT_ASSESSED = ("未评估", "not assessed")
GRADE_WORDS = {
    "1": ("一级", "grade 1"),
    "2": ("二级", "grade 2"),
    "3": ("三级", "grade 3"),
    "4": ("四级", "grade 4"),
}
TRIGGER_WORDS = {  # what made a safety code be computed (services' trigger names)
    "assessment": ("风险评价", "assessment"),
    "unit_changed": ("单元变更", "unit changed"),
    "installation": ("重大危险源变更", "installation changed"),
    "manual": ("手动计算", "computed by hand"),
    "schedule": ("定时计算", "scheduled"),
    "installation-regrade": ("重大危险源重新分级", "installation re-graded"),
    "hazard_import": ("隐患台账导入", "hazard ledger imported"),
    "demo": ("演示数据", "demo data"),
    "demo_hazards": ("演示数据", "demo data"),
    "authenticity": ("自查真实性评估", "self-check authenticity scored"),
}
# hazards' steps recompute the code as "hazard_<action>" (anjian.hazards.services).
HAZARD_TRIGGER = ("hazard_", "隐患", "hazard")
COLOURS = ("red", "orange", "yellow", "blue")


def level_word(colour: str) -> str:
    words = COLOUR_WORDS.get(colour or "")
    if words is None:
        return NOT_ASSESSED[0] if chinese() else NOT_ASSESSED[1]
    return words[0] if chinese() else words[1]


def colour_word(colour: str) -> str:
    words = COLOUR_WORDS.get(colour or "")
    if words is None:
        return "灰" if chinese() else "grey"
    return words[2] if chinese() else words[3]


@register.filter
def risk_level(colour: str) -> str:
    """red → 重大风险 (major risk); '' → 未评估."""
    return level_word(colour)


@register.filter
def risk_colour(colour: str) -> str:
    """red → 红 (red)."""
    return colour_word(colour)


@register.filter
def code_name(colour: str) -> str:
    """Safety-code colour → 红码 / red code."""
    pair = safety_code.COLOUR_NAMES.get(colour or "")
    if pair is None:
        return "—"
    return pair[0] if chinese() else f"{pair[1]} code"


@register.filter
def trigger_word(trigger: str) -> str:
    pair = TRIGGER_WORDS.get(trigger or "")
    if pair is not None:
        return pair[0] if chinese() else pair[1]
    prefix, zh, en = HAZARD_TRIGGER
    if (trigger or "").startswith(prefix):
        from anjian.hazards.models import ACTION_LABELS

        step = ACTION_LABELS.get(trigger[len(prefix) :])
        if step is not None:
            return f"{zh}：{step}" if chinese() else f"{en}: {step}"
    return trigger or ""


@register.filter
def hazard_factor(code: str) -> str:
    for factor in hazard_factors():
        if factor["code"] == code:
            return factor["name"] if chinese() else factor.get("name_en", factor["name"])
    return code


@register.filter
def term_label(term: dict) -> str:
    return term.get("label", "") if chinese() else term.get("label_en", term.get("label", ""))


@register.filter
def term_value(term: dict) -> str:
    value = str(term.get("value", ""))
    if term.get("key") == "highest_unit_colour":
        return level_word("" if value == "none" else value)
    if term.get("key") == "installation_grade" and value in GRADE_WORDS:
        return GRADE_WORDS[value][0] if chinese() else GRADE_WORDS[value][1]
    return value


@register.filter
def measures(requirement) -> tuple[str, ...]:
    return requirement.measures if chinese() else requirement.measures_en


@cache
def _policy_labels() -> dict[str, str]:
    """Names of the supervision profiles and safety-code policies → their labels (data/)."""
    labels = {}
    for p in supervision._profiles().values():
        labels[p["name"]] = p.get("label") or p["name"]
    raw = json.loads(safety_code.DATA.read_text(encoding="utf-8"))
    for p in raw["policies"]:
        labels[p["name"]] = p.get("label") or p["name"]
    return labels


@register.filter
def profile_label(name: str) -> str:
    """What a page shows for a profile or policy name (lec-5class-db, seed-default,
    anjian-default …): its title or label; the name itself only when it has none."""
    name = name or ""
    found = profile_title(name) or _policy_labels().get(name)
    if found:
        return found
    # A safety code names its policy with the version ("anjian-default v2026-1").
    base, sep, version = name.rpartition(" v")
    if sep and base in _policy_labels():
        return f"{_policy_labels()[base]} {version}"
    return name


@register.filter
def profile_title(name: str) -> str:
    """The title of a grading profile (LEC 五级，DB 式四色映射（P1）…) for its name."""
    for profile in methods.profiles():
        if profile.name == name:
            return profile.title
    return ""


@register.filter
def inputs_text(inputs: dict) -> str:
    """{"L": "6", "E": "6", "C": "15"} → L=6 · E=6 · C=15."""
    try:
        return " · ".join(f"{k}={v}" for k, v in inputs.items())
    except AttributeError:
        return ""


@register.filter
def mask_uscc(uscc: str) -> str:
    """The first 6 and the last 4 characters of a credit code; the rest hidden."""
    uscc = uscc or ""
    if len(uscc) <= 10:
        return "*" * len(uscc)
    return uscc[:6] + "*" * (len(uscc) - 10) + uscc[-4:]


@register.simple_tag
def svg_points(area, width, height) -> str:
    """A unit's polygon (fractions 0…1) as SVG points in image pixels."""
    try:
        return " ".join(f"{float(x) * width:.1f},{float(y) * height:.1f}" for x, y in area)
    except (TypeError, ValueError):
        return ""


@register.simple_tag
def area_centre(area, width, height) -> dict[str, float]:
    """The vertex average of a polygon in image pixels (where its label goes)."""
    try:
        xs = [float(p[0]) for p in area]
        ys = [float(p[1]) for p in area]
    except (TypeError, ValueError, IndexError):
        return {"x": 0.0, "y": 0.0}
    if not xs:
        return {"x": 0.0, "y": 0.0}
    return {"x": sum(xs) / len(xs) * width, "y": sum(ys) / len(ys) * height}


def decimal_text(value, places: int = 4) -> str:
    """An exact value as stored ("69/25", "7/10", "1.5") shown as a decimal (2.76, 0.7,
    1.5), rounded to `places` when it does not end; the stored text keeps the exact value
    and every decision uses it. Empty or unreadable values are shown as they are."""
    if value in (None, ""):
        return ""
    try:
        exact = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return str(value)
    return methods.render_approx(exact, places)


@register.filter(name="decimal")
def decimal_filter(value) -> str:
    return decimal_text(value)

"""Template helpers for the hazard pages."""

from __future__ import annotations

from typing import Any

from django import template

from anjian.hazards.reference import chinese_active

register = template.Library()


@register.filter
def item_text(citation: Any) -> str:
    """The text of a cited determination-list item (a hazard's `major_item`) in the
    active language: its Chinese short form when the language is Chinese and the citation
    has one (citations stored before `text_zh` existed have not), else the English text."""
    if not isinstance(citation, dict):
        return ""
    text = citation.get("text") or ""
    if chinese_active():
        return citation.get("text_zh") or text
    return text


@register.filter
def person(user: Any, recorded: str = "") -> str:
    """A person in a history as the cards name them: the real name with the role
    (王安全（企业安全员）), never the login name. A step without a user (a migration, the
    system) keeps the label recorded with it."""
    if user is None or not getattr(user, "pk", None):
        return recorded or ""
    role = user.get_role_display() if getattr(user, "role", "") else ""
    if not role:
        return str(user)
    return f"{user}（{role}）" if chinese_active() else f"{user} ({role})"


VIA_WORDS = {  # Actor.via → how the step came in (web pages need no word)
    "api": ("接口", "API"),
    "cli": ("命令行", "command line"),
    "job": ("定时任务", "scheduled job"),
    "demo": ("演示数据", "demo data"),
    "system": ("系统", "system"),
    "admin": ("后台管理", "admin"),
    "import": ("导入", "import"),
}


@register.filter
def via_word(via: str) -> str:
    pair = VIA_WORDS.get(via or "")
    if pair is None:
        return via or ""
    return pair[0] if chinese_active() else pair[1]

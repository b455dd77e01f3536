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

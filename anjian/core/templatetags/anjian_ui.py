"""Small template helpers for the pages."""

from __future__ import annotations

from django import template

from anjian.core.policy import EXPIRY_WINDOW_DAYS
from anjian.core.sections import may_use

register = template.Library()


@register.filter
def uses(user, section: str) -> bool:
    """{% if user|uses:"disputes" %}: whether the role uses a section."""
    return may_use(user, section)


@register.filter
def expiry_class(days_left: int | None) -> str:
    """CSS class for days left on a licence: expired, soon (within the window) or ok."""
    if days_left is None:
        return ""
    if days_left < 0:
        return "expired"
    if days_left <= EXPIRY_WINDOW_DAYS:
        return "soon"
    return "ok"


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


SECTION_PREFIXES = (
    ("enterprise-", "enterprises"),
    ("division-", "divisions"),
    ("department-", "departments"),
    ("gaps", "gaps"),
    ("dispute-", "disputes"),
    ("home", "home"),
)


@register.simple_tag(takes_context=True)
def current_section(context) -> str:
    """Which nav entry the page belongs to, from its URL name."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    name = getattr(match, "url_name", "") or ""
    for prefix, section in SECTION_PREFIXES:
        if name.startswith(prefix):
            return section
    return ""


@register.filter
def absval(value):
    try:
        return abs(int(value))
    except (TypeError, ValueError):
        return value


@register.filter
def division_label(division) -> str:
    """A grid with its township ("东镇 · 一网格"), unless the grid's name already says it."""
    parent = getattr(division, "parent", None) if division.parent_id else None
    if parent is None or division.name.startswith(parent.name):
        return division.name
    return f"{parent.name} · {division.name}"

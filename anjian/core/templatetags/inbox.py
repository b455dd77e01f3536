"""{% load inbox %}{% inbox_unread as n %}: the signed-in user's unread notifications,
for the navigation badge (one COUNT on an indexed column); {% inbox_todo as todo %}: their
unread to-dos for the home page (todo.rows, todo.count)."""

from __future__ import annotations

from django import template

from anjian.core.notify import todo, unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_unread(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_anjian_inbox_unread", None)
    if cached is None:
        cached = unread_count(user)
        request._anjian_inbox_unread = cached
    return cached


@register.simple_tag(takes_context=True)
def inbox_todo(context, limit: int = 5) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"rows": [], "count": 0}
    rows, count = todo(user, limit)
    return {"rows": rows, "count": count}

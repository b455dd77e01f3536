"""{% load inbox %}{% inbox_unread as n %}: the signed-in user's unread notifications,
for the navigation badge (one COUNT on an indexed column)."""

from __future__ import annotations

from django import template

from anjian.core.notify import unread_count

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

"""{% load inbox %}{% inbox_unread as n %}: the signed-in user's unread notifications,
for the navigation badge (one COUNT on an indexed column); {% inbox_todo as todo %}: their
unread to-dos for the home page (todo.rows, todo.count); {{ label|beside:title }}: a
notification's label without what its title already says."""

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


@register.filter
def beside(label: str, title: str) -> str:
    """The words of `label` that `title` does not already contain: a hazard's to-do is
    titled with its number and labelled "number enterprise", and a row shown as title
    then label should name the number once. Substring, not word, match: the Chinese
    titles run the number into the text without spaces."""
    title = title or ""
    return " ".join(word for word in (label or "").split() if word not in title)

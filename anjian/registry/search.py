"""The enterprise search box, shared by the pages and the API."""

from __future__ import annotations

from django.db.models import Q

from .uscc import validate


def enterprise_search(q: str) -> Q:
    """A full, valid credit code is an exact look-up on the unique index (a code typed or
    scanned whole is the common case on a phone); anything else matches part of the name
    or the start of a code."""
    text = q.strip()
    result = validate(text)
    if result.valid:
        return Q(uscc=result.code)
    return Q(name__icontains=text) | Q(uscc__startswith=text.upper())

"""Cleaning of one text field from a form or the API, shared by the services: a field
error in `errors` (never an exception), so a form or a 422 lists every field at once."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

TEXT_LIMIT = 4000


def clean_text(
    errors: dict[str, list[str]],
    value: Any,
    name: str,
    *,
    required: bool = False,
    missing: str = "",
    limit: int = TEXT_LIMIT,
) -> str:
    """The stripped text, or "" with a message under `name`: not text, required and
    empty (`missing` or the standard message), longer than `limit`."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.setdefault(name, []).append(_("Enter text."))
        return ""
    value = value.strip()
    if required and not value:
        errors.setdefault(name, []).append(missing or _("This field is required."))
    elif len(value) > limit:
        errors.setdefault(name, []).append(_("At most %(n)d characters.") % {"n": limit})
    return value

"""Input checks every endpoint shares, whatever its body looks like."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from anjian.core.errors import ValidationFailed

from . import errors

# U+D800–U+DFFF: half of a UTF-16 pair. JSON's \ud800 escape produces one on its own; it
# cannot be encoded as UTF-8, so the database driver fails on it (on either database).
SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate_at(value: Any, path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """The path to the first string (value or key) holding a lone surrogate, or None."""
    if isinstance(value, str):
        return path if SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and SURROGATE.search(key):
                return path
            found = _surrogate_at(item, (*path, str(key)))
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _surrogate_at(item, (*path, str(index)))
            if found is not None:
                return found
    return None


def refuse_surrogates(value: Any, prefix: tuple[str, ...] = ()) -> None:
    """ValidationFailed (422) naming the field when any string in `value` holds a lone
    surrogate."""
    found = _surrogate_at(value)
    if found is not None:
        field = ".".join((*prefix, *found)) or errors.NON_FIELD
        raise ValidationFailed({field: [_("Contains characters that are not allowed.")]})


def validate_as(model: type[BaseModel], value: Any, prefix: str = "") -> None:
    """Check a value that did not come through ninja's parsing (a JSON text inside a
    multipart field) against the same model, with the same 422 by field."""
    try:
        model.model_validate(value)
    except PydanticValidationError as exc:
        found: dict[str, list[str]] = {}
        for error in exc.errors():
            below = (error.get("ctx") or {}).get("path", "")
            parts = [str(p) for p in error.get("loc", ())] + ([below] if below else [])
            field = ".".join(p for p in (prefix, *parts) if p) or errors.NON_FIELD
            found.setdefault(field, []).append(errors.pydantic_message(dict(error)))
        raise ValidationFailed(found) from None

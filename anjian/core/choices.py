"""The "choose one of" message of a choice field, naming the choices by their labels.

Services check choices against codes (`safety`, `self_check` …), but the message is read
by people on the pages, in their language: the codes stay in the API schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _


def choice_values(choices: Any) -> list[str]:
    """The codes of a Choices class, of (code, label) pairs or of plain codes."""
    if hasattr(choices, "values") and not isinstance(choices, dict):
        values = choices.values
        return list(values() if callable(values) else values)
    return [c[0] if isinstance(c, tuple | list) else c for c in choices]


def choice_labels(choices: Any) -> list[str]:
    """The labels, in order; a plain code (no label known) stands for itself."""
    if hasattr(choices, "choices") and not isinstance(choices, dict):
        pairs: Iterable = choices.choices
    else:
        pairs = choices
    return [str(c[1]) if isinstance(c, tuple | list) else str(c) for c in pairs]


def choose_one_of(choices: Any) -> str:
    # A list in Chinese is separated by the enumeration comma.
    comma = "、" if (get_language() or "").startswith("zh") else ", "
    return _("Choose one of: %(choices)s.") % {"choices": comma.join(choice_labels(choices))}

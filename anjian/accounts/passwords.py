"""The password policy as one validator: Django's four checks, one help text.

Django lists each validator's help text as its own bullet; users read a policy better as
one sentence. The error messages stay Django's own (translated by Django).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation as pv
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext


class _MinimumLength(pv.MinimumLengthValidator):
    # Django 5.2 words this message with %d, which its zh_Hans catalog does not translate
    # yet (it still has the %(min_length)d wording): use the wording it does translate.
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class PasswordPolicyValidator:
    def __init__(self, min_length: int = 10) -> None:
        self.min_length = min_length
        self.checks = [
            pv.UserAttributeSimilarityValidator(),
            _MinimumLength(min_length=min_length),
            pv.CommonPasswordValidator(),
            pv.NumericPasswordValidator(),
        ]

    def validate(self, password: str, user: Any = None) -> None:
        errors: list[ValidationError] = []
        for check in self.checks:
            try:
                check.validate(password, user)
            except ValidationError as exc:
                errors.append(exc)
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return gettext(
            "Password policy: at least %(min_length)d characters, not all digits, not a "
            "commonly used password and not similar to your username, name or email."
        ) % {"min_length": self.min_length}

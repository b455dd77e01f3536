"""Errors that services raise and that pages and the API turn into clear answers."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class: the request was understood and refused; nothing was written."""


class ValidationFailed(ServiceError):
    """Field-level problems: {field: [message, …]}. "__all__" holds non-field ones."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = {k: [str(m) for m in v] for k, v in errors.items() if v}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))


class NotFound(ServiceError):
    """Unknown id, or one outside the actor's scope (the two are not told apart)."""


class Forbidden(ServiceError):
    """The actor may see the object but not do this to it."""


class Conflict(ServiceError):
    """Somebody else changed the record first (stale version or a lost race)."""

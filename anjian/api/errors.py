"""Turning every refusal into a clear JSON answer, never a 500.

Two shapes only: {"detail": "message"} for 400/401/403/404/409, and
{"detail": [{"field": name, "message": text}, ...]} for 422, whether the problem was found
by request parsing (pydantic) or by a service (ValidationFailed). Messages are translated
with gettext in the request's language (zh-hans unless the client asks otherwise).
"""

from __future__ import annotations

import decimal
import logging
from typing import TYPE_CHECKING, Any

from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

if TYPE_CHECKING:
    from ninja import NinjaAPI

NON_FIELD = "__all__"
logger = logging.getLogger(__name__)


def _ninja_messages() -> dict[str, str]:
    # ninja's own fixed English messages, replaced by translatable ones.
    return {
        "Cannot parse request body": _("The request body is not valid JSON."),
        "Unauthorized": _("Authentication required: send a valid bearer token or sign in."),
        "Forbidden": _("You may not do this."),
    }


def pydantic_message(error: dict[str, Any]) -> str:
    """The message for one pydantic error, reusing the services' wording where one fits
    (the same msgids, so one translation serves both)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"float_parsing", "float_type", "decimal_parsing", "decimal_type", "number_ascii"}:
        return _("Enter a number.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("Must be true or false.")
    if kind in {"literal_error", "enum"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Must be at least %(n)s.") % {"n": ctx.get("ge", ctx.get("gt", ""))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Must be at most %(n)s.") % {"n": ctx.get("le", ctx.get("lt", ""))}
    if kind == "string_type":
        return _("Enter text.")
    if kind == "string_too_long":
        return _("At most %(n)d characters.") % {"n": ctx.get("max_length", 0)}
    if kind == "string_pattern_mismatch":
        return _("Contains characters that are not allowed.")
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("Send a JSON object.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    return str(error.get("msg", ""))


def _field_name(loc: tuple[Any, ...] | list[Any], below: str = "") -> str:
    """("query", "limit") → "limit"; ("body", "payload", "employees") → "employees";
    ("body", "payload") (the whole body is wrong) → "__all__". `below` is a path inside
    the field that a check of the schemas found (substances.0.quantity)."""
    parts = [str(p) for p in loc]
    if not parts:
        return NON_FIELD
    source, rest = parts[0], parts[1:]
    if source == "body":
        rest = rest[1:]  # drop the body parameter's own name
    if below:
        rest = [*rest, below]
    return ".".join(rest) or NON_FIELD


def field_errors(errors: dict[str, list[str]]) -> list[dict[str, str]]:
    return [
        {"field": field, "message": message}
        for field, messages in errors.items()
        for message in messages
    ]


def install(api: NinjaAPI) -> None:
    """Register the handlers on the API (after ninja's defaults, so these win)."""

    def respond(request: HttpRequest, detail: Any, status: int) -> HttpResponse:
        return api.create_response(request, {"detail": detail}, status=status)

    @api.exception_handler(ValidationFailed)
    def on_validation_failed(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
        return respond(request, field_errors(exc.errors), 422)

    @api.exception_handler(NinjaValidationError)
    def on_request_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        detail = []
        for error in exc.errors:
            field = _field_name(error.get("loc", ()), (error.get("ctx") or {}).get("path", ""))
            if field == NON_FIELD and error.get("type") == "missing":
                message = _("Send a JSON object.")  # an empty body
            else:
                message = pydantic_message(error)
            detail.append({"field": field, "message": message})
        return respond(request, detail, 422)

    @api.exception_handler(NotFound)
    def on_not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
        return respond(request, str(exc) or _("Not found."), 404)

    @api.exception_handler(Http404)
    def on_http404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, _("Not found."), 404)

    @api.exception_handler(Forbidden)
    def on_forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
        return respond(request, str(exc) or _("You may not do this."), 403)

    @api.exception_handler(Conflict)
    def on_conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        return respond(request, str(exc), 409)

    def on_unstorable(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A value that slipped past validation and that the database cannot store (an
        # integer beyond its column, a NUL in text) or that cannot be compared (a decimal
        # NaN). The write's transaction has rolled back. The client gets a 422 rather than
        # a 500; the log keeps the traceback, because the validation gap is a bug to fix.
        logger.warning("unstorable input reached %s", request.path, exc_info=exc)
        message = _("A value cannot be stored: out of range, not a number, or with a NUL.")
        return respond(request, [{"field": NON_FIELD, "message": message}], 422)

    for exc_class in (DataError, OverflowError, decimal.InvalidOperation):
        api.add_exception_handler(exc_class, on_unstorable)

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, _ninja_messages()["Unauthorized"], 401)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, ValidationFailed):
            # The body parser found JSON it refuses (a lone surrogate); ninja reports every
            # parser failure as 400, but the JSON was well formed: 422 with the field.
            return on_validation_failed(request, exc.__cause__)
        message = str(exc)
        for known, translated in _ninja_messages().items():
            if message.startswith(known):
                message = translated
                break
        return respond(request, message, exc.status_code)

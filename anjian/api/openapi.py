"""The OpenAPI document tells every error an operation can answer, not only its own.

Some refusals come from the framework around the endpoint rather than from its code, the
same for every operation: a missing or bad token (401), a session write without its CSRF
token (403), a path id that is no number (422) or that matches nothing in the caller's
scope (404), a body that is not JSON (400) or does not fit its schema (422). They are added
here, from what each operation takes, so that no endpoint has to repeat them and a new one
cannot forget them. What an endpoint declares itself (its 409, its import's row errors) is
kept as it is.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from .schemas import ErrorOut, ValidationErrorOut

REF = "#/components/schemas/{model}"
UNSAFE = {"post", "put", "patch", "delete"}

DESCRIPTIONS = {
    400: "The body is not JSON (or not the declared content type)",
    401: "No valid bearer token or session",
    403: "Not allowed (for a session: the CSRF token is missing)",
    404: "Unknown, or outside your jurisdiction",
    422: "A parameter or a field is wrong; each problem names its field",
}


def _content(model: type) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}}


def standard_errors(method: str, operation: dict[str, Any]) -> dict[int, type]:
    """Which of the framework's refusals this operation can answer, and their bodies."""
    params = operation.get("parameters") or []
    body = operation.get("requestBody")
    out: dict[int, type] = {}
    if operation.get("security"):
        out[401] = ErrorOut
        if method in UNSAFE:
            out[403] = ErrorOut
    if any(p.get("in") == "path" for p in params):
        out[404] = ErrorOut
    if body:
        json_body = "application/json" in (body.get("content") or {})
        if json_body:
            out[400] = ErrorOut
    if params or body:
        out[422] = ValidationErrorOut
    return out


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Add the standard error responses to every operation of `document` (in place)."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorOut, ValidationErrorOut):
        schema = model.model_json_schema(ref_template=REF)
        schema.pop("$defs", None)
        components.setdefault(model.__name__, schema)
    components.setdefault(
        "FieldError",
        ValidationErrorOut.model_json_schema(ref_template=REF)["$defs"]["FieldError"],
    )
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for status, model in standard_errors(method, operation).items():
                if status in responses or str(status) in responses:
                    continue
                responses[status] = {
                    "description": DESCRIPTIONS[status],
                    "content": _content(model),
                }
    return document


class DocumentedAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        return complete(super().get_openapi_schema(**kwargs))  # type: ignore[return-value]

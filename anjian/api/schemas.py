"""Request and response shapes of the API (they are also what the OpenAPI document shows)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from django.conf import settings
from ninja import Field, Schema
from pydantic import AfterValidator, BaseModel, ConfigDict, WithJsonSchema, create_model
from pydantic_core import PydanticCustomError

from anjian.registry.models import (
    DepartmentKind,
    DivisionLevel,
    DutyAssignment,
    DutyRole,
    Enterprise,
    EnterpriseScale,
    EnterpriseStatus,
    Licence,
)

MAX_PAGE_SIZE = 200
# Ids and offsets beyond a signed 64-bit integer cannot reach the database (SQLite raises
# OverflowError, PostgreSQL a DataError); refuse them as bad input instead.
MAX_DB_INT = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_DB_INT)]
Offset = Annotated[int, Field(ge=0, le=MAX_DB_INT)]


# --- errors ------------------------------------------------------------------------------


class ErrorOut(Schema):
    """400, 401, 403, 404, 409: one message."""

    detail: str


class FieldError(Schema):
    field: str = Field(description='The input field at fault; "__all__" when none is.')
    message: str


class ValidationErrorOut(Schema):
    """422: one message per problem, each naming its field."""

    detail: list[FieldError]


class ReasonedErrorOut(Schema):
    """A refusal a machine acts on (monitoring readings: 403, 413, 422): the messages by
    field and the machine-readable reason code."""

    detail: list[FieldError]
    reason: str = Field(description="The reason code, e.g. too_large, malformed_json.")


class RowError(FieldError):
    row: int | None = Field(None, description="The Excel row number; null for the whole file.")
    column: str | None = Field(
        None, description="The column letter; null for a row, the file or a request field."
    )


class RowErrorsOut(Schema):
    """An import's 422: the file's problems by row and column, every one of them (nothing
    was written). A problem with the request itself (no file part) has no row or column."""

    detail: list[RowError]


# --- strict types at the boundary --------------------------------------------------------
#
# The write bodies hand any JSON value per field to the services, which check the whole
# record and report every problem at once in their own words. Two things they cannot see
# are checked here, against the JSON schema each field documents: a number where text is
# meant (the services would store 0 as "0"), and text with non-ASCII digits where a number
# is meant (Python's int() and Decimal() read "１２" as 12).

_NUMERIC = {"integer", "number"}


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    if kind is None:
        return set()
    return {kind} if isinstance(kind, str) else set(kind)


def json_type_problem(schema: dict[str, Any], value: Any) -> tuple[str, str] | None:
    """(path below the field, error kind) of the first value that breaks the documented
    type, or None. Only what the services would misread is refused; the rest is theirs."""
    if value is None:
        return None
    types = _types(schema)
    if isinstance(value, str):
        # A number (or a date) sent as text is read by the services; only ASCII digits.
        numeric = bool(types & _NUMERIC) or "format" in schema
        return ("", "number_ascii") if numeric and not value.isascii() else None
    if types == {"string"} or types == {"string", "null"}:
        return ("", "string_type")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            found = json_type_problem(schema["items"], item)
            if found:
                return (f"{index}{'.' if found[0] else ''}{found[0]}", found[1])
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            sub = properties.get(key, extra if isinstance(extra, dict) else None)
            found = sub and json_type_problem(sub, item)
            if found:
                return (f"{key}{'.' if found[0] else ''}{found[0]}", found[1])
    return None


def _checker(schema: dict[str, Any]):
    def check(value: Any) -> Any:
        found = json_type_problem(schema, value)
        if found:
            path, kind = found
            message = "Enter text." if kind == "string_type" else "Enter a number."
            raise PydanticCustomError(kind, message, {"path": path})
        return value

    return check


def Lenient(schema: dict[str, Any]) -> Any:
    """A write-body field that takes any JSON value the service will check, documented as
    `schema`; numbers for text and non-ASCII digits for numbers are refused here (422)."""
    return Annotated[Any, WithJsonSchema(schema), AfterValidator(_checker(schema))]


def _ascii_number(value: str) -> str:
    if not value.isascii():
        raise PydanticCustomError("number_ascii", "Enter a number.")
    return value


# A number given as text (a calculator's factor, a query parameter): ASCII digits only.
NumberText = Annotated[str, AfterValidator(_ascii_number)]


# --- small references --------------------------------------------------------------------


class DivisionRef(Schema):
    id: int
    code: str
    name: str


class IndustryRef(Schema):
    id: int
    code: str
    name: str


class DepartmentRef(Schema):
    id: int
    name: str


class EnterpriseRef(Schema):
    id: int
    name: str


# --- enterprises -------------------------------------------------------------------------


class Flag(StrEnum):
    """The 两重点一重大 marks; two_key_one_major is any of the three."""

    MAJOR_HAZARD = "major_hazard"
    KEY_PROCESS = "key_process"
    KEY_CHEMICAL = "key_chemical"
    TWO_KEY_ONE_MAJOR = "two_key_one_major"


class Flags(Schema):
    major_hazard: bool
    key_process: bool
    key_chemical: bool
    two_key_one_major: bool


def flags_of(enterprise: Enterprise) -> dict[str, bool]:
    return {
        "major_hazard": enterprise.has_major_hazard,
        "key_process": enterprise.has_key_process,
        "key_chemical": enterprise.has_key_chemical,
        "two_key_one_major": enterprise.is_two_key_one_major,
    }


def lead_department_of(enterprise: Enterprise) -> Any:
    # The list prefetches only the lead rows into `lead_duties`; the detail prefetches all
    # duties. Either way no query happens here.
    rows = getattr(enterprise, "lead_duties", None)
    if rows is None:
        rows = [d for d in enterprise.duties.all() if d.role == DutyRole.LEAD]
    return rows[0].department if rows else None


class EnterpriseItem(Schema):
    id: int
    name: str
    uscc: str
    division: DivisionRef
    industry: IndustryRef
    lead_department: DepartmentRef | None
    status: EnterpriseStatus
    flags: Flags

    @staticmethod
    def resolve_lead_department(obj: Enterprise) -> Any:
        return lead_department_of(obj)

    @staticmethod
    def resolve_flags(obj: Enterprise) -> dict[str, bool]:
        return flags_of(obj)


class EnterprisePage(Schema):
    count: int
    items: list[EnterpriseItem]


class LicenceOut(Schema):
    id: int
    kind: str
    number: str
    issuer: str
    issued_on: dt.date | None
    expires_on: dt.date
    days_left: int = Field(description="Calendar days until expiry; negative once expired.")

    @staticmethod
    def resolve_days_left(obj: Licence) -> int:
        return obj.days_left()


class DutyDepartment(Schema):
    id: int
    name: str
    kind: DepartmentKind


class DutyOut(Schema):
    department: DutyDepartment
    role: DutyRole
    source: str
    reason: str
    assigned_at: dt.datetime


class EnterpriseDetail(EnterpriseItem):
    address: str
    longitude: float | None
    latitude: float | None
    scale: EnterpriseScale
    employees: int
    legal_representative: str
    principal: str
    principal_phone: str
    safety_officer: str
    safety_officer_phone: str
    licences: list[LicenceOut]
    duties: list[DutyOut]
    version: int = Field(description="Send it back in a PATCH to refuse lost updates (409).")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_licences(obj: Enterprise) -> list[Licence]:
        return list(obj.licences.all())

    @staticmethod
    def resolve_duties(obj: Enterprise) -> list[DutyAssignment]:
        return list(obj.duties.all())


class EnterpriseFilters(Schema):
    q: str | None = Field(
        None,
        max_length=100,
        pattern=r"^[^\x00]*$",  # PostgreSQL text cannot hold NUL
        description="Name contains this, or the credit code is or starts with it.",
    )
    division: Id | None = Field(None, description="Division id; includes its whole subtree.")
    industry: Id | None = Field(None, description="Industry id; includes its sub-industries.")
    department: Id | None = Field(
        None, description="Department id; the enterprises it supervises (lead or cooperating)."
    )
    flag: Flag | None = None
    status: EnterpriseStatus | None = None
    limit: int = Field(settings.ANJIAN_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


# The write bodies accept any value of the right JSON type per field on purpose (see
# Lenient): the registry service checks the whole record and reports every problem at
# once, in its own translatable words, so a bad value in one field does not hide a bad
# credit code in another. The JSON schema below documents the intended types for clients.

_TEXT = {"type": "string"}
# One entry per field of anjian.registry.services.ENTERPRISE_FIELDS (a test keeps them equal).
ENTERPRISE_WRITE_FIELDS: dict[str, dict[str, Any]] = {
    "name": {**_TEXT, "maxLength": 128},
    "uscc": {
        **_TEXT,
        "minLength": 18,
        "maxLength": 18,
        "description": "统一社会信用代码 (GB 32100-2015), checked including the check character.",
    },
    "division_id": {
        "type": "integer",
        "description": "A township/street or grid in your jurisdiction.",
    },
    "address": {**_TEXT, "maxLength": 255},
    "longitude": {"type": ["number", "null"], "minimum": 73, "maximum": 136},
    "latitude": {"type": ["number", "null"], "minimum": 3, "maximum": 54},
    "industry_id": {"type": "integer"},
    "scale": {"type": "string", "enum": list(EnterpriseScale.values)},
    "employees": {"type": "integer", "minimum": 0},
    "legal_representative": {**_TEXT, "maxLength": 64},
    "principal": {**_TEXT, "maxLength": 64},
    "principal_phone": {**_TEXT, "maxLength": 32},
    "safety_officer": {**_TEXT, "maxLength": 64},
    "safety_officer_phone": {**_TEXT, "maxLength": 32},
    "status": {"type": "string", "enum": list(EnterpriseStatus.values)},
    "has_major_hazard": {"type": "boolean"},
    "has_key_process": {"type": "boolean"},
    "has_key_chemical": {"type": "boolean"},
}
REQUIRED_ON_CREATE = [
    "name",
    "uscc",
    "division_id",
    "address",
    "industry_id",
    "scale",
    "legal_representative",
    "principal",
]


class _EnterpriseWrite(BaseModel):
    # Unknown fields are kept and handed to the service, which names each one as an error.
    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": False})

    def service_data(self) -> dict[str, Any]:
        """Only what the client actually sent (a PATCH must not blank the rest)."""
        return self.model_dump(exclude_unset=True)


class _EnterpriseCreateBase(_EnterpriseWrite):
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"additionalProperties": False, "required": REQUIRED_ON_CREATE},
    )


class _EnterprisePatchBase(_EnterpriseWrite):
    version: int | None = Field(
        None, description="The version you read; if somebody changed the record since, 409."
    )

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data.pop("version", None)
        return data


def _lenient_fields() -> dict[str, Any]:
    return {name: (Lenient(schema), None) for name, schema in ENTERPRISE_WRITE_FIELDS.items()}


EnterpriseCreateIn = create_model(
    "EnterpriseCreateIn", __base__=_EnterpriseCreateBase, **_lenient_fields()
)
EnterprisePatchIn = create_model(
    "EnterprisePatchIn", __base__=_EnterprisePatchBase, **_lenient_fields()
)


# --- divisions, departments, industries, me -----------------------------------------------


class DivisionOut(Schema):
    id: int
    code: str
    name: str
    level: DivisionLevel
    parent_id: int | None


class DivisionPage(Schema):
    count: int
    items: list[DivisionOut]


class DivisionDetail(DivisionOut):
    path: list[DivisionOut] = Field(description="The ancestors, root first.")
    children: list[DivisionOut]


class DivisionFilters(Schema):
    parent: Id | None = Field(None, description="Only the direct children of this division.")
    level: DivisionLevel | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: Offset = 0


class DepartmentOut(Schema):
    id: int
    name: str
    kind: DepartmentKind
    phone: str
    division: DivisionRef


class DepartmentPage(Schema):
    count: int
    items: list[DepartmentOut]


class DepartmentFilters(Schema):
    division: Id | None = Field(None, description="Division id; includes its whole subtree.")
    kind: DepartmentKind | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: Offset = 0


class IndustryOut(Schema):
    id: int
    code: str
    name: str
    category: str
    parent_id: int | None


class MeOut(Schema):
    username: str
    display_name: str
    role: str = Field(description='The role code; "" for an account without a role.')
    division: DivisionRef | None
    department: DepartmentRef | None
    enterprise: EnterpriseRef | None

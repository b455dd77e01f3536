"""Risk grading and control over HTTP: units, assessments, events, measures and their check
tasks, major hazard installations, the safety code (and its public verification), the
grading profiles, the calculators, and the Excel import of a risk register.

Reads start from `scoping.visible`; writes go through anjian.risks.services, whose
refusals the API's handlers turn into 422 / 404 / 403 / 409. An id outside the caller's
scope answers 404 exactly like an unknown one; a caller who sees an enterprise but may not
keep its risk records gets 403 before anything in the body is looked at. The one public
endpoint, the safety-code check behind the printed QR code, answers only for a valid
token and shows no personal data.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar
from urllib.parse import quote

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, UploadedFile
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict

from anjian.core.errors import Forbidden, NotFound, ValidationFailed
from anjian.core.scoping import can_manage_risks, visible
from anjian.registry.models import Enterprise
from anjian.risks import import_template, importer, major_hazard, methods, services
from anjian.risks import safety_code as code_rules
from anjian.risks.models import (
    Assessment,
    CheckTask,
    ControlMeasure,
    MajorHazardInstallation,
    ReassessmentProposal,
    RiskEvent,
    RiskObject,
    RiskState,
    RiskUnit,
    SafetyCode,
)
from anjian.risks.reference import hazard_factor_codes

from .common import actor, caller, page
from .schemas import (
    MAX_PAGE_SIZE,
    ErrorOut,
    Id,
    Lenient,
    NumberText,
    Offset,
    RowErrorsOut,
    ValidationErrorOut,
)

router = Router(tags=["risks"])


def _language() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


# --- lenient write bodies -------------------------------------------------------------------
# As for enterprises: any JSON value per field is accepted at parse time and the service
# checks the whole record, so every problem is reported at once in its own words. The
# JSON schema still documents the intended types.


_lenient = Lenient


class _Write(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": False})
    KNOWN: ClassVar[tuple[str, ...]] = ()

    def sent(self) -> dict[str, Any]:
        """Only what the client actually sent."""
        return self.model_dump(exclude_unset=True)

    def unknown(self) -> dict[str, list[str]]:
        return {name: [_("Unknown field.")] for name in sorted(set(self.sent()) - set(self.KNOWN))}


_STR = {"type": "string"}


class RiskObjectIn(_Write):
    KNOWN = ("kind", "name", "installation_id")
    kind: _lenient({**_STR, "enum": ["major_hazard", "device", "area", "process", "other"]}) = None
    name: _lenient({**_STR, "maxLength": 128}) = None
    installation_id: Id | None = Field(
        None, description="A major hazard installation of the same enterprise."
    )


_UNIT_SCHEMA = {
    "name": {**_STR, "maxLength": 128},
    "risk_object_id": {"type": "integer"},
    "responsible_department": {**_STR, "maxLength": 64},
    "responsible_person": {**_STR, "maxLength": 64},
    "control_level": {**_STR, "enum": ["company", "workshop", "team", "post"]},
    "hazard_factors": {
        "type": "array",
        "items": {"type": "string"},
        "description": "Hazard factor codes (GET /risk-profiles lists the methods; the unit "
        "form lists the factors).",
    },
}


class RiskUnitIn(_Write):
    KNOWN = tuple(services.UNIT_FIELDS)
    name: _lenient(_UNIT_SCHEMA["name"]) = None
    risk_object_id: _lenient(_UNIT_SCHEMA["risk_object_id"]) = None
    responsible_department: _lenient(_UNIT_SCHEMA["responsible_department"]) = None
    responsible_person: _lenient(_UNIT_SCHEMA["responsible_person"]) = None
    control_level: _lenient(_UNIT_SCHEMA["control_level"]) = None
    hazard_factors: _lenient(_UNIT_SCHEMA["hazard_factors"]) = None


class RiskUnitPatchIn(RiskUnitIn):
    version: int | None = Field(
        None, description="The version you read; if somebody changed the unit since, 409."
    )

    def sent(self) -> dict[str, Any]:
        data = super().sent()
        data.pop("version", None)
        return data


_FACTOR = {"type": ["number", "string"], "description": "A value of the method's table."}


class AssessmentIn(_Write):
    KNOWN = ("method", "L", "E", "C", "S", "M", "profile", "note")
    method: _lenient({**_STR, "enum": ["lec", "ls", "mes"]}) = None
    L: _lenient(_FACTOR) = None
    E: _lenient(_FACTOR) = None
    C: _lenient(_FACTOR) = None
    S: _lenient(_FACTOR) = None
    M: _lenient(_FACTOR) = None
    profile: str | None = Field(
        None, max_length=64, description="A profile of the method; its default when omitted."
    )
    note: str = Field("", max_length=255, pattern=r"^[^\x00]*$")


class RiskEventIn(_Write):
    KNOWN = ("name",)
    name: _lenient({**_STR, "maxLength": 128}) = None


class MeasureIn(_Write):
    KNOWN = (
        "description",
        "classification",
        "data_source",
        "check_content",
        "responsible_person",
        "cycle",
        "cycle_unit",
    )
    description: _lenient({**_STR, "maxLength": 255}) = None
    classification: _lenient(
        {**_STR, "enum": ["engineering", "maintenance", "operation", "emergency"]}
    ) = None
    data_source: _lenient({**_STR, "maxLength": 64}) = None
    check_content: _lenient({**_STR, "maxLength": 255}) = None
    responsible_person: _lenient({**_STR, "maxLength": 64}) = None
    cycle: _lenient({"type": "integer", "minimum": 1, "maximum": 1000}) = None
    cycle_unit: _lenient({**_STR, "enum": ["hour", "day", "week", "month", "year"]}) = None


SUBSTANCE_FIELDS = ("substance", "quantity", "critical_quantity", "beta")


class InstallationIn(_Write):
    KNOWN = (
        "name",
        "code",
        "unit_kind",
        "people_500m",
        "principal_person",
        "technical_person",
        "operational_person",
        "substances",
    )
    name: _lenient({**_STR, "maxLength": 128}) = None
    code: _lenient({**_STR, "maxLength": 64}) = None
    unit_kind: _lenient({**_STR, "enum": ["production", "storage"]}) = None
    people_500m: _lenient({"type": "integer", "minimum": 0}) = None
    principal_person: _lenient({**_STR, "maxLength": 64}) = None
    technical_person: _lenient({**_STR, "maxLength": 64}) = None
    operational_person: _lenient({**_STR, "maxLength": 64}) = None
    substances: _lenient(
        {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["substance", "quantity"],
                "additionalProperties": False,
                "properties": {
                    "substance": {**_STR, "description": "CAS number or name (GB 18218 表1)."},
                    "quantity": {"type": ["number", "string"], "description": "q in tonnes"},
                    "critical_quantity": {
                        "type": ["number", "string", "null"],
                        "description": "Q in tonnes; from the tables when omitted.",
                    },
                    "beta": {
                        "type": ["number", "string", "null"],
                        "description": "β; from 表3/表4 when omitted.",
                    },
                },
            },
        }
    ) = None


# --- outputs --------------------------------------------------------------------------------


class AssessmentBrief(Schema):
    id: int
    method: str
    score: str
    level: str
    colour: str
    profile: str
    profile_version: str
    assessed_at: dt.datetime


class AssessmentOut(AssessmentBrief):
    unit_id: int
    inputs: dict[str, str]
    class_number: int
    class_label: str | None = Field(description="The class's label in the profile.")
    band: str | None = Field(
        description="The score interval of the class, e.g. (70, 160]; null when the profile "
        "has changed version since."
    )
    profile_title: str | None
    note: str
    assessed_by: str | None

    @staticmethod
    def resolve_class_label(obj: Assessment) -> str | None:
        return _band(obj)[0]

    @staticmethod
    def resolve_band(obj: Assessment) -> str | None:
        return _band(obj)[1]

    @staticmethod
    def resolve_profile_title(obj: Assessment) -> str | None:
        profile = _profiles_by_name().get(obj.profile)
        return profile.title if profile else None

    @staticmethod
    def resolve_assessed_by(obj: Assessment) -> str | None:
        user = obj.assessed_by
        return None if user is None else (user.display_name or user.get_username())


def _profiles_by_name() -> dict[str, methods.Profile]:
    return {p.name: p for p in methods.profiles()}


def _band(assessment: Assessment) -> tuple[str | None, str | None]:
    profile = _profiles_by_name().get(assessment.profile)
    if profile is None or profile.version != assessment.profile_version:
        return None, None
    try:
        result = methods.classify(assessment.method, assessment.score, profile)
    except (methods.RiskInputError, AssertionError):
        return None, None
    return result.class_label, result.band


class RiskObjectOut(Schema):
    id: int
    enterprise_id: int
    kind: str
    name: str
    installation_id: int | None


class RiskObjectRef(Schema):
    id: int
    name: str
    kind: str


class RiskUnitItem(Schema):
    id: int
    enterprise_id: int
    name: str
    risk_object: RiskObjectRef
    responsible_department: str
    responsible_person: str
    control_level: str
    hazard_factors: list[str]
    colour: str = Field(description='The unit\'s colour after coupling; "" until assessed.')
    inherent_colour: str = Field(description="The latest assessment's own colour.")
    coupling_note: str = Field(description="The coupling rules that raised the colour.")
    latest_assessment: AssessmentBrief | None
    version: int

    @staticmethod
    def resolve_latest_assessment(obj: RiskUnit) -> Assessment | None:
        rows = getattr(obj, "latest_assessments", None)
        if rows is None:
            rows = list(obj.assessments.all()[:1])
        return rows[0] if rows else None


class RiskUnitPage(Schema):
    count: int
    items: list[RiskUnitItem]


class CheckTaskBrief(Schema):
    id: int
    content: str
    cycle: int
    cycle_unit: str
    responsible_person: str
    next_due: dt.datetime | None
    active: bool


class MeasureOut(Schema):
    id: int
    event_id: int
    description: str
    classification: str
    data_source: str
    check_content: str
    check_tasks: list[CheckTaskBrief]

    @staticmethod
    def resolve_check_tasks(obj: ControlMeasure) -> list[CheckTask]:
        return list(obj.tasks.all())


class RiskEventOut(Schema):
    id: int
    unit_id: int
    name: str
    measures: list[MeasureOut]

    @staticmethod
    def resolve_measures(obj: RiskEvent) -> list[ControlMeasure]:
        return list(obj.measures.all())


class ProposalOut(Schema):
    reason: str
    proposed_at: dt.datetime


class RiskUnitDetail(RiskUnitItem):
    area: list[Any]
    created_at: dt.datetime
    events: list[RiskEventOut]
    open_proposal: ProposalOut | None = Field(
        description="Re-assessment proposed (hazard factors changed …) and not yet acted on."
    )

    @staticmethod
    def resolve_events(obj: RiskUnit) -> list[RiskEvent]:
        return list(obj.events.all())

    @staticmethod
    def resolve_open_proposal(obj: RiskUnit) -> ReassessmentProposal | None:
        rows = getattr(obj, "open_proposals", None)
        if rows is None:
            rows = list(obj.proposals.filter(resolved_at__isnull=True))
        return rows[0] if rows else None


class AssessmentPage(Schema):
    count: int
    items: list[AssessmentOut]


class Named(Schema):
    id: int
    name: str


class CheckTaskOut(CheckTaskBrief):
    measure_id: int | None
    installation_id: int | None
    unit: Named | None
    event: Named | None
    installation: Named | None

    @staticmethod
    def resolve_unit(obj: CheckTask) -> Any:
        return obj.measure.event.unit if obj.measure_id else None

    @staticmethod
    def resolve_event(obj: CheckTask) -> Any:
        return obj.measure.event if obj.measure_id else None


class CheckTaskPage(Schema):
    count: int
    items: list[CheckTaskOut]


class MeasureCreated(MeasureOut):
    check_task: CheckTaskBrief | None = Field(description="The check task derived from it.")

    @staticmethod
    def resolve_check_task(obj: ControlMeasure) -> CheckTask | None:
        tasks = list(obj.tasks.all())
        return tasks[0] if tasks else None


def _exact(value: Any) -> str:
    return methods.render_decimal(Decimal(value))


class SubstanceOut(Schema):
    id: int
    name: str
    cas: str
    q: str
    Q: str
    beta: str
    ratio: str = Field(serialization_alias="q/Q", description="q/Q, exact.")

    @staticmethod
    def resolve_q(obj: Any) -> str:
        return _exact(obj.quantity)

    @staticmethod
    def resolve_Q(obj: Any) -> str:
        return _exact(obj.critical_quantity)

    @staticmethod
    def resolve_beta(obj: Any) -> str:
        return _exact(obj.beta)

    @staticmethod
    def resolve_ratio(obj: Any) -> str:
        return methods.render_number(Fraction(obj.quantity) / Fraction(obj.critical_quantity))


def _approx(text: str) -> str | None:
    if not text:
        return None
    return methods.render_approx(Fraction(text))


class InstallationOut(Schema):
    id: int
    enterprise_id: int
    name: str
    code: str
    unit_kind: str
    people_500m: int
    is_major: bool
    sum: str = Field(description="Σ q/Q, exact (a fraction such as 13/10 when not decimal).")
    sum_approx: str | None
    alpha: str
    R: str | None = Field(description="R = α·Σ β·q/Q, exact; null when not a major hazard.")
    R_approx: str | None
    grade: str | None = Field(description="一级 … 四级; null when not a major hazard.")
    grade_number: int | None
    profile: str
    assessed_on: dt.date | None
    reassess_by: dt.date | None = Field(description="Three years after the last assessment.")
    principal_person: str
    technical_person: str
    operational_person: str
    substances: list[SubstanceOut]

    @staticmethod
    def resolve_sum(obj: MajorHazardInstallation) -> str:
        return obj.total

    @staticmethod
    def resolve_sum_approx(obj: MajorHazardInstallation) -> str | None:
        return _approx(obj.total)

    @staticmethod
    def resolve_R(obj: MajorHazardInstallation) -> str | None:
        return obj.r_value or None

    @staticmethod
    def resolve_R_approx(obj: MajorHazardInstallation) -> str | None:
        return _approx(obj.r_value)

    @staticmethod
    def resolve_grade(obj: MajorHazardInstallation) -> str | None:
        return obj.grade_name or None

    @staticmethod
    def resolve_grade_number(obj: MajorHazardInstallation) -> int | None:
        return obj.grade

    @staticmethod
    def resolve_substances(obj: MajorHazardInstallation) -> list[Any]:
        return list(obj.substances.all())


class InstallationPage(Schema):
    count: int
    items: list[InstallationOut]


class CodeTerm(Schema):
    key: str
    label: str
    label_en: str
    value: str
    points: int
    rule: str
    tracked: bool
    direct_red: bool


class SafetyCodeBrief(Schema):
    id: int
    colour: str
    colour_name: str
    score: str
    policy: str
    computed_at: dt.datetime
    trigger: str

    @staticmethod
    def resolve_colour_name(obj: SafetyCode) -> str:
        names = code_rules.COLOUR_NAMES.get(obj.colour)
        return names[0 if _language() == "zh-hans" else 1] if names else obj.colour


class SafetyCodeCurrent(SafetyCodeBrief):
    terms: list[CodeTerm]
    verify_path: str = Field(description="The public verification URL (for the QR code).")

    @staticmethod
    def resolve_verify_path(obj: SafetyCode) -> str:
        return reverse("api-v1:safety_code_verify", kwargs={"token": obj.token})


class SafetyCodeOut(Schema):
    enterprise_id: int
    current: SafetyCodeCurrent | None
    highest_unit_colour: str
    checked_at: dt.datetime | None
    valid_until: dt.datetime | None
    status: str | None = Field(description="valid | expired; null before the first code.")
    history: list[SafetyCodeBrief]


class SafetyCodeVerifyOut(Schema):
    enterprise: str
    credit_code: str = Field(description="Masked: the first 6 and the last 4 characters.")
    colour: str
    colour_name: str
    score: str
    computed_at: dt.datetime
    valid_until: dt.datetime | None
    status: str = Field(description="valid | superseded | expired")
    policy: str


class ImportOut(Schema):
    objects: int
    units: int
    events: int
    measures: int
    check_tasks: int
    assessments: int


class PageQuery(Schema):
    limit: int = Field(25, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class HistoryQuery(Schema):
    history: int = Field(20, ge=0, le=MAX_PAGE_SIZE, description="How many past codes to list.")


# --- helpers ------------------------------------------------------------------------------------


def _enterprise(request: HttpRequest, enterprise_id: int) -> None:
    if not visible(caller(request), Enterprise).filter(pk=enterprise_id).exists():
        raise NotFound(_("No such enterprise in your jurisdiction."))


def _may_write(request: HttpRequest, enterprise: Enterprise) -> None:
    if not can_manage_risks(caller(request), enterprise):
        raise Forbidden(
            _(
                "Only the enterprise's principal, its safety officer or an expert may change its risk records."
            )
        )


def _enterprise_for_write(request: HttpRequest, enterprise_id: int) -> Enterprise:
    """404 out of scope, 403 when the caller only reads it: before the body is looked at."""
    enterprise = visible(caller(request), Enterprise).filter(pk=enterprise_id).first()
    if enterprise is None:
        raise NotFound(_("No such enterprise in your jurisdiction."))
    _may_write(request, enterprise)
    return enterprise


def _no_such_unit() -> NotFound:
    return NotFound(_("No such risk unit in your scope."))


def _unit_for_write(request: HttpRequest, unit_id: int) -> RiskUnit:
    unit = (
        visible(caller(request), RiskUnit).select_related("enterprise").filter(pk=unit_id).first()
    )
    if unit is None:
        raise _no_such_unit()
    _may_write(request, unit.enterprise)
    return unit


def _check(body: _Write, extra: dict[str, list[str]] | None = None) -> None:
    errors = {**body.unknown(), **(extra or {})}
    if errors:
        raise ValidationFailed(errors)


def _factor_list_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    # The service compares each factor with a set: a JSON object in the list would be
    # unhashable there. Refuse anything but a list of text here, in the service's words.
    factors = data.get("hazard_factors")
    if factors is None or (isinstance(factors, list) and all(isinstance(f, str) for f in factors)):
        return {}
    return {
        "hazard_factors": [
            _("Unknown hazard factor; choose from: %(choices)s.")
            % {"choices": ", ".join(sorted(hazard_factor_codes()))}
        ]
    }


def _latest_prefetch() -> Prefetch:
    """Each unit's newest assessment, in one query for the whole page."""
    newest = (
        Assessment.objects.filter(unit_id=OuterRef("unit_id"))
        .order_by("-assessed_at", "-id")
        .values("pk")[:1]
    )
    return Prefetch(
        "assessments",
        queryset=Assessment.objects.filter(pk=Subquery(newest)),
        to_attr="latest_assessments",
    )


def _unit_detail_queryset(qs: QuerySet[RiskUnit]) -> QuerySet[RiskUnit]:
    return qs.select_related("risk_object").prefetch_related(
        _latest_prefetch(),
        Prefetch(
            "events",
            queryset=RiskEvent.objects.prefetch_related(
                Prefetch("measures", queryset=ControlMeasure.objects.prefetch_related("tasks"))
            ),
        ),
        Prefetch(
            "proposals",
            queryset=ReassessmentProposal.objects.filter(resolved_at__isnull=True),
            to_attr="open_proposals",
        ),
    )


def _unit_detail(request: HttpRequest, unit_id: int) -> RiskUnit:
    unit = _unit_detail_queryset(visible(caller(request), RiskUnit)).filter(pk=unit_id).first()
    if unit is None:
        raise _no_such_unit()
    return unit


# --- units ---------------------------------------------------------------------------------------


class UnitFilters(Schema):
    colour: str | None = Field(
        None,
        pattern=r"^(red|orange|yellow|blue|none)$",
        description='red | orange | yellow | blue, or "none" for units not yet assessed.',
    )
    risk_object: Id | None = None
    limit: int = Field(25, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


@router.get(
    "/enterprises/{enterprise_id}/risk-units",
    response={200: RiskUnitPage, 404: ErrorOut, 422: ValidationErrorOut},
    summary="The enterprise's risk analysis units with their colours and latest assessment",
)
def risk_unit_list(
    request: HttpRequest, enterprise_id: int, filters: Query[UnitFilters]
) -> dict[str, Any]:
    _enterprise(request, enterprise_id)
    qs = visible(caller(request), RiskUnit).filter(enterprise_id=enterprise_id)
    if filters.colour is not None:
        qs = qs.filter(colour="" if filters.colour == "none" else filters.colour)
    if filters.risk_object is not None:
        qs = qs.filter(risk_object_id=filters.risk_object)
    qs = qs.select_related("risk_object").prefetch_related(_latest_prefetch())
    return page(qs, filters.limit, filters.offset)


@router.get(
    "/enterprises/{enterprise_id}/risk-objects",
    response={200: list[RiskObjectOut], 404: ErrorOut},
    summary="The enterprise's risk analysis objects",
)
def risk_object_list(request: HttpRequest, enterprise_id: int) -> list[RiskObject]:
    _enterprise(request, enterprise_id)
    return list(visible(caller(request), RiskObject).filter(enterprise_id=enterprise_id))


@router.post(
    "/enterprises/{enterprise_id}/risk-objects",
    response={201: RiskObjectOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Add a risk analysis object (an installation, a device, an area …)",
)
def risk_object_create(request: HttpRequest, enterprise_id: int, payload: RiskObjectIn) -> Status:
    _enterprise_for_write(request, enterprise_id)
    _check(payload)
    data = payload.sent()
    obj = services.risk_object_create(
        actor=actor(request),
        enterprise_id=enterprise_id,
        kind=data.get("kind"),
        name=data.get("name"),
        installation_id=payload.installation_id,
    )
    return Status(201, obj)


@router.post(
    "/enterprises/{enterprise_id}/risk-units",
    response={201: RiskUnitDetail, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Add a risk analysis unit",
)
def risk_unit_create(
    request: HttpRequest, enterprise_id: int, payload: RiskUnitIn, response: HttpResponse
) -> Status:
    _enterprise_for_write(request, enterprise_id)
    data = payload.sent()
    extra = _factor_list_errors(data)
    if extra:
        raise ValidationFailed(extra)
    unit = services.risk_unit_create(actor=actor(request), enterprise_id=enterprise_id, data=data)
    response["Location"] = reverse("api-v1:risk_unit_detail", kwargs={"unit_id": unit.pk})
    return Status(201, _unit_detail(request, unit.pk))


@router.get(
    "/risk-units/{unit_id}",
    response={200: RiskUnitDetail, 404: ErrorOut},
    summary="One unit with its latest assessment, events, measures and check tasks",
)
def risk_unit_detail(request: HttpRequest, unit_id: int) -> RiskUnit:
    return _unit_detail(request, unit_id)


@router.patch(
    "/risk-units/{unit_id}",
    response={
        200: RiskUnitDetail,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Change some fields of a unit (send version to refuse lost updates)",
)
def risk_unit_update(request: HttpRequest, unit_id: int, payload: RiskUnitPatchIn) -> RiskUnit:
    _unit_for_write(request, unit_id)
    data = payload.sent()
    if not data:
        raise ValidationFailed({"__all__": [_("Nothing to change.")]})
    extra = _factor_list_errors(data)
    if extra:
        raise ValidationFailed(extra)
    services.risk_unit_update(
        actor=actor(request), unit_id=unit_id, data=data, expected_version=payload.version
    )
    return _unit_detail(request, unit_id)


# --- assessments -----------------------------------------------------------------------------


METHOD_FACTORS = {"lec": ("L", "E", "C"), "ls": ("L", "S"), "mes": ("M", "E", "S")}


@router.post(
    "/risk-units/{unit_id}/assessments",
    response={201: AssessmentOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Assess a unit by LEC, LS or MES through a named profile",
)
def assessment_create(request: HttpRequest, unit_id: int, payload: AssessmentIn) -> Status:
    _unit_for_write(request, unit_id)
    data = payload.sent()
    method = data.get("method")
    unused = {}
    if isinstance(method, str) and method in METHOD_FACTORS:
        unused = {
            name: [_("Not used by the %(method)s method.") % {"method": method.upper()}]
            for name in ("L", "E", "C", "S", "M")
            if name in data and data[name] is not None and name not in METHOD_FACTORS[method]
        }
    _check(payload, unused)
    assessment = services.risk_unit_assess(
        actor=actor(request),
        unit_id=unit_id,
        method=method if isinstance(method, str) else _text(method),
        inputs={name: data.get(name) for name in ("L", "E", "C", "S", "M")},
        profile=payload.profile,
        note=payload.note,
    )
    return Status(201, Assessment.objects.select_related("assessed_by").get(pk=assessment.pk))


@router.get(
    "/risk-units/{unit_id}/assessments",
    response={200: AssessmentPage, 404: ErrorOut, 422: ValidationErrorOut},
    summary="A unit's assessment history, newest first",
)
def assessment_list(request: HttpRequest, unit_id: int, paging: Query[PageQuery]) -> dict[str, Any]:
    user = caller(request)
    if not visible(user, RiskUnit).filter(pk=unit_id).exists():
        raise _no_such_unit()
    qs = visible(user, Assessment).filter(unit_id=unit_id).select_related("assessed_by")
    return page(qs, paging.limit, paging.offset)


# --- events, measures, check tasks -------------------------------------------------------------


@router.post(
    "/risk-units/{unit_id}/events",
    response={201: RiskEventOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Add a risk event to a unit",
)
def risk_event_create(request: HttpRequest, unit_id: int, payload: RiskEventIn) -> Status:
    _unit_for_write(request, unit_id)
    _check(payload)
    event = services.risk_event_create(
        actor=actor(request), unit_id=unit_id, name=payload.sent().get("name")
    )
    return Status(201, event)


@router.post(
    "/risk-events/{event_id}/measures",
    response={201: MeasureCreated, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Add a control measure; its hazard-check task is derived from it",
)
def measure_create(request: HttpRequest, event_id: int, payload: MeasureIn) -> Status:
    event = (
        visible(caller(request), RiskEvent)
        .select_related("unit__enterprise")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        raise NotFound(_("No such risk event in your scope."))
    _may_write(request, event.unit.enterprise)
    _check(payload)
    measure = services.control_measure_create(
        actor=actor(request), event_id=event_id, data=payload.sent()
    )
    return Status(201, ControlMeasure.objects.prefetch_related("tasks").get(pk=measure.pk))


class TaskFilters(Schema):
    active: bool | None = None
    origin: str | None = Field(
        None,
        pattern=r"^(measure|installation)$",
        description="measure: derived from control measures; installation: 包保 tasks.",
    )
    limit: int = Field(25, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


@router.get(
    "/enterprises/{enterprise_id}/check-tasks",
    response={200: CheckTaskPage, 404: ErrorOut, 422: ValidationErrorOut},
    summary="The enterprise's hazard-check tasks, the soonest due first",
)
def check_task_list(
    request: HttpRequest, enterprise_id: int, filters: Query[TaskFilters]
) -> dict[str, Any]:
    _enterprise(request, enterprise_id)
    qs = visible(caller(request), CheckTask).filter(enterprise_id=enterprise_id)
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    if filters.origin == "measure":
        qs = qs.filter(measure__isnull=False)
    elif filters.origin == "installation":
        qs = qs.filter(installation__isnull=False)
    qs = qs.select_related("measure__event__unit", "installation")
    return page(qs, filters.limit, filters.offset)


# --- major hazard installations ------------------------------------------------------------------


def _installations(request: HttpRequest) -> QuerySet[MajorHazardInstallation]:
    return visible(caller(request), MajorHazardInstallation).prefetch_related("substances")


def _installation_data(payload: InstallationIn) -> dict[str, Any]:
    data = payload.sent()
    errors = payload.unknown()
    substances = data.get("substances")
    if isinstance(substances, list):
        known = set(SUBSTANCE_FIELDS)
        for index, row in enumerate(substances):
            if isinstance(row, dict):
                for name in sorted(set(row) - known):
                    errors[f"substances.{index}.{name}"] = [_("Unknown field.")]
    if errors:
        raise ValidationFailed(errors)
    return data


@router.get(
    "/enterprises/{enterprise_id}/major-hazards",
    response={200: InstallationPage, 404: ErrorOut, 422: ValidationErrorOut},
    summary="The enterprise's major hazard installations (GB 18218-2018)",
    by_alias=True,
)
def installation_list(
    request: HttpRequest, enterprise_id: int, paging: Query[PageQuery]
) -> dict[str, Any]:
    _enterprise(request, enterprise_id)
    qs = _installations(request).filter(enterprise_id=enterprise_id)
    return page(qs, paging.limit, paging.offset)


@router.post(
    "/enterprises/{enterprise_id}/major-hazards",
    response={201: InstallationOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Identify, grade and register a major hazard installation",
    by_alias=True,
)
def installation_create(
    request: HttpRequest, enterprise_id: int, payload: InstallationIn, response: HttpResponse
) -> Status:
    _enterprise_for_write(request, enterprise_id)
    installation = services.installation_save(
        actor=actor(request), enterprise_id=enterprise_id, data=_installation_data(payload)
    )
    response["Location"] = reverse(
        "api-v1:installation_detail", kwargs={"installation_id": installation.pk}
    )
    return Status(201, _installations(request).get(pk=installation.pk))


def _installation(request: HttpRequest, installation_id: int) -> MajorHazardInstallation:
    installation = _installations(request).filter(pk=installation_id).first()
    if installation is None:
        raise NotFound(_("No such major hazard installation."))
    return installation


@router.get(
    "/major-hazards/{installation_id}",
    response={200: InstallationOut, 404: ErrorOut},
    summary="One major hazard installation with its substances and grading",
    by_alias=True,
)
def installation_detail(request: HttpRequest, installation_id: int) -> MajorHazardInstallation:
    return _installation(request, installation_id)


@router.put(
    "/major-hazards/{installation_id}",
    response={200: InstallationOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Replace an installation's record and substances; it is graded again",
    by_alias=True,
)
def installation_update(
    request: HttpRequest, installation_id: int, payload: InstallationIn
) -> MajorHazardInstallation:
    current = _installation(request, installation_id)
    _may_write(request, Enterprise.objects.get(pk=current.enterprise_id))
    services.installation_save(
        actor=actor(request),
        enterprise_id=current.enterprise_id,
        installation_id=installation_id,
        data=_installation_data(payload),
    )
    return _installation(request, installation_id)


# --- the safety code -----------------------------------------------------------------------------


@router.get(
    "/enterprises/{enterprise_id}/safety-code",
    response={200: SafetyCodeOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="The enterprise's current safety code with every term, and its history",
)
def safety_code_current(
    request: HttpRequest, enterprise_id: int, q: Query[HistoryQuery]
) -> dict[str, Any]:
    _enterprise(request, enterprise_id)
    user = caller(request)
    state = visible(user, RiskState).select_related("code").filter(enterprise_id=enterprise_id)
    state = state.first()
    rows = list(visible(user, SafetyCode).filter(enterprise_id=enterprise_id)[: q.history])
    status = None
    if state is not None and state.code_id:
        status = "expired" if state.valid_until and state.valid_until < timezone.now() else "valid"
    return {
        "enterprise_id": enterprise_id,
        "current": state.code if state else None,
        "highest_unit_colour": state.highest_colour if state else "",
        "checked_at": state.checked_at if state else None,
        "valid_until": state.valid_until if state else None,
        "status": status,
        "history": rows,
    }


TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # secrets.token_urlsafe


def _masked(uscc: str) -> str:
    if len(uscc) <= 10:
        return "*" * len(uscc)
    return uscc[:6] + "*" * (len(uscc) - 10) + uscc[-4:]


@router.get(
    "/safety-codes/verify/{token}",
    auth=None,
    response={200: SafetyCodeVerifyOut, 404: ErrorOut},
    tags=["public"],
    summary="Verify a safety code from its QR code (public, no personal data)",
)
def safety_code_verify(request: HttpRequest, token: str) -> dict[str, Any]:
    code = (
        SafetyCode.objects.select_related("enterprise").filter(token=token).first()
        if TOKEN_PATTERN.fullmatch(token)
        else None  # never let a NUL or a novel-length path reach the database
    )
    if code is None:
        raise NotFound(_("Not found."))
    state = RiskState.objects.filter(enterprise_id=code.enterprise_id).first()
    if state is None or state.code_id != code.pk:
        status = "superseded"
        successor = (
            SafetyCode.objects.filter(enterprise_id=code.enterprise_id)
            .filter(
                Q(computed_at__gt=code.computed_at)
                | Q(computed_at=code.computed_at, pk__gt=code.pk)
            )
            .order_by("computed_at", "pk")
            .first()
        )
        valid_until = successor.computed_at if successor else None
    else:
        valid_until = state.valid_until
        status = "expired" if valid_until and valid_until < timezone.now() else "valid"
    names = code_rules.COLOUR_NAMES.get(code.colour, (code.colour, code.colour))
    return {
        "enterprise": code.enterprise.name,
        "credit_code": _masked(code.enterprise.uscc),
        "colour": code.colour,
        "colour_name": names[0 if _language() == "zh-hans" else 1],
        "score": code.score,
        "computed_at": code.computed_at,
        "valid_until": valid_until,
        "status": status,
        "policy": code.policy,
    }


# --- reference data and calculators --------------------------------------------------------------


def _require_role(request: HttpRequest) -> None:
    # Not jurisdiction data; but an account without a role gets nothing from the platform.
    if not caller(request).role:
        raise Forbidden(_("Your account has no role; ask the security administrator."))


class ProfileBandOut(Schema):
    class_number: int = Field(alias="class")
    label: str
    published: str
    interval: str
    level: str
    colour: str


class ProfileOut(Schema):
    name: str
    version: str
    method: str
    default: bool
    title: str
    source: str
    note: str
    bands: list[ProfileBandOut]
    alpha: list[dict[str, Any]] | None = Field(description="GB 18218 only: α by people.")
    grades: list[dict[str, Any]] | None = Field(description="GB 18218 only: grade by R.")


class MethodOut(Schema):
    code: str
    name: str
    factors: dict[str, list[str]]
    default_profile: str


class RiskProfilesOut(Schema):
    methods: list[MethodOut]
    profiles: list[ProfileOut]


@router.get(
    "/risk-profiles",
    response={200: RiskProfilesOut, 403: ErrorOut},
    by_alias=True,
    tags=["reference"],
    summary="The grading methods, their factor tables and the named, versioned profiles",
)
def risk_profiles(request: HttpRequest) -> dict[str, Any]:
    _require_role(request)
    out_methods = [
        {
            "code": code,
            "name": name,
            "factors": {
                factor: [methods.render_number(v) for v in values]
                for factor, values in methods.FACTORS.get(code, {}).items()
            },
            "default_profile": methods.get_profile(code).name,
        }
        for code, name in methods.METHOD_NAMES.items()
    ]
    profiles = []
    for profile in methods.profiles():
        levels = dict(profile.levels)
        profiles.append(
            {
                "name": profile.name,
                "version": profile.version,
                "method": profile.method,
                "default": profile.default,
                "title": profile.title,
                "source": profile.source,
                "note": profile.note,
                "bands": [
                    {
                        "class": band.class_number,
                        "label": band.label,
                        "published": band.published,
                        "interval": band.interval(),
                        "level": levels[band.class_number],
                        "colour": methods.LEVEL_COLOURS[levels[band.class_number]],
                    }
                    for band in profile.bands
                ],
                "alpha": profile.extra.get("alpha"),
                "grades": profile.extra.get("grades"),
            }
        )
    return {"methods": out_methods, "profiles": profiles}


_CALC_TEXT = {"max_length": 32}


class LecQuery(Schema):
    l: NumberText = Field(..., description="L: 10 6 3 1 0.5 0.2 0.1", **_CALC_TEXT)  # noqa: E741
    e: NumberText = Field(..., description="E: 10 6 3 2 1 0.5", **_CALC_TEXT)
    c: NumberText = Field(..., description="C: 100 40 15 7 3 1", **_CALC_TEXT)
    profile: str | None = Field(None, max_length=64)


class LsQuery(Schema):
    l: NumberText = Field(..., description="L: 1–5", **_CALC_TEXT)  # noqa: E741
    s: NumberText = Field(..., description="S: 1–5", **_CALC_TEXT)
    profile: str | None = Field(None, max_length=64)


class MesQuery(Schema):
    m: NumberText = Field(..., description="M: 5 3 1", **_CALC_TEXT)
    e: NumberText = Field(..., description="E: 10 6 3 2 1 0.5", **_CALC_TEXT)
    s: NumberText = Field(..., description="S: 10 8 4 2 1 (UNCONFIRMED table)", **_CALC_TEXT)
    profile: str | None = Field(None, max_length=64)


class RiskResultOut(Schema):
    """The same keys as `anjian calc lec|ls|mes` prints: the method's factors by their
    names (only those of the method), then the score and its grading."""

    method: str
    L: str | None = None
    E: str | None = None
    C: str | None = None
    S: str | None = None
    M: str | None = None
    score: str
    class_number: int = Field(alias="class")
    class_label: str
    band: str
    level: str
    colour: str
    profile: str
    profile_version: str


def _refused(exc: methods.RiskInputError, field: str | None = None) -> ValidationFailed:
    return ValidationFailed({field or exc.field: [exc.message(_language())]})


def _calc(function, values: dict[str, str], profile: str | None) -> dict[str, Any]:
    try:
        return function(*values.values(), profile=profile or None).as_dict()
    except methods.RiskInputError as exc:
        name = exc.field.lower() if exc.field.lower() in values else exc.field
        raise _refused(exc, name) from None


@router.get(
    "/calc/lec",
    response={200: RiskResultOut, 403: ErrorOut, 422: ValidationErrorOut},
    by_alias=True,
    exclude_none=True,
    tags=["calculators"],
    summary="LEC: D = L·E·C, graded through a profile",
)
def calc_lec(request: HttpRequest, q: Query[LecQuery]) -> dict[str, Any]:
    _require_role(request)
    return _calc(methods.lec, {"l": q.l, "e": q.e, "c": q.c}, q.profile)


@router.get(
    "/calc/ls",
    response={200: RiskResultOut, 403: ErrorOut, 422: ValidationErrorOut},
    by_alias=True,
    exclude_none=True,
    tags=["calculators"],
    summary="LS risk matrix: R = L·S, graded through a profile",
)
def calc_ls(request: HttpRequest, q: Query[LsQuery]) -> dict[str, Any]:
    _require_role(request)
    return _calc(methods.ls, {"l": q.l, "s": q.s}, q.profile)


@router.get(
    "/calc/mes",
    response={200: RiskResultOut, 403: ErrorOut, 422: ValidationErrorOut},
    by_alias=True,
    exclude_none=True,
    tags=["calculators"],
    summary="MES: R = M·E·S, graded through a profile (the S table is UNCONFIRMED)",
)
def calc_mes(request: HttpRequest, q: Query[MesQuery]) -> dict[str, Any]:
    _require_role(request)
    return _calc(methods.mes, {"m": q.m, "e": q.e, "s": q.s}, q.profile)


class CalcSubstance(Schema):
    substance: str = Field(..., max_length=128)
    quantity: _lenient({"type": ["number", "string"]})
    critical_quantity: _lenient({"type": ["number", "string", "null"]}) = None
    beta: _lenient({"type": ["number", "string", "null"]}) = None
    category: str | None = Field(None, max_length=16)


class MajorHazardCalcIn(Schema):
    substances: list[CalcSubstance] = Field(..., min_length=1, max_length=500)
    people: _lenient({"type": ["integer", "string", "null"]}) = None
    alpha: _lenient({"type": ["number", "string", "null"]}) = None
    profile: str | None = Field(None, max_length=64)


SUBSTANCE_FIELD = {"q(": "quantity", "Q(": "critical_quantity", "beta(": "beta"}


def _substance_field(index: int, exc: methods.RiskInputError) -> str:
    for prefix, name in SUBSTANCE_FIELD.items():
        if exc.field.startswith(prefix):
            return f"substances.{index}.{name}"
    return f"substances.{index}.{exc.field}"  # substance, category


def major_hazard_calc(
    items: list[major_hazard.Item], people: Any, alpha: Any, profile: str | None
) -> dict[str, Any]:
    """`anjian calc major-hazard`, with the same JSON keys: identification alone when
    neither people nor α is given, else identification and grading."""
    if people is None and alpha is None:
        ident = major_hazard.identify(items, profile).as_dict()
        note = methods.RiskInputError("alpha_required", "people")
        return {
            **{k: ident[k] for k in ("sum", "sum_approx", "is_major")},
            "people": None,
            "alpha": None,
            "R": None,
            "R_approx": None,
            "grade": None,
            "grade_number": None,
            "note": note.message(_language()) if ident["is_major"] else None,
            **{k: ident[k] for k in ("profile", "profile_version", "substances")},
        }
    return major_hazard.grade(items, alpha=alpha, people=people, profile=profile).as_dict()


@router.post(
    "/calc/major-hazard",
    response={200: dict[str, Any], 403: ErrorOut, 422: ValidationErrorOut},
    tags=["calculators"],
    summary="GB 18218-2018: identify (Σq/Q ≥ 1) and grade (R) a unit, exactly",
)
def calc_major_hazard(request: HttpRequest, payload: MajorHazardCalcIn) -> dict[str, Any]:
    _require_role(request)
    profile = payload.profile or None
    try:
        chosen = methods.get_profile("major-hazard", profile)
    except methods.RiskInputError as exc:
        raise _refused(exc) from None
    items = [
        major_hazard.Item(s.substance, s.quantity, s.critical_quantity, s.beta, s.category)
        for s in payload.substances
    ]
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        try:
            major_hazard.resolve(item, chosen)
        except methods.RiskInputError as exc:
            errors.setdefault(_substance_field(index, exc), []).append(exc.message(_language()))
    if errors:
        raise ValidationFailed(errors)
    try:
        return major_hazard_calc(items, payload.people, payload.alpha, chosen.name)
    except methods.RiskInputError as exc:
        raise _refused(exc) from None


# --- Excel import ----------------------------------------------------------------------------------


@router.get(
    "/risks/import-template.xlsx",
    tags=["import"],
    summary="The Excel template of the risk-register import",
    openapi_extra={
        "responses": {
            200: {
                "description": "The template",
                "content": {
                    import_template.CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def risk_import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        import_template.build_template(), content_type=import_template.CONTENT_TYPE
    )
    name = import_template.FILENAME
    response["Content-Disposition"] = (
        f"attachment; filename=\"risk-import-template.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return response


@router.post(
    "/enterprises/{enterprise_id}/risks/import",
    response={200: ImportOut, 403: ErrorOut, 404: ErrorOut, 422: RowErrorsOut},
    tags=["import"],
    summary="Import units, events and measures from the Excel template: all rows or none",
)
def risk_import(request: HttpRequest, enterprise_id: int, file: File[UploadedFile] = None) -> Any:
    if file is None:
        # Scope first: an outsider must get the same 404 with or without a file.
        _enterprise_for_write(request, enterprise_id)
        error = importer.file_error(_("Choose the .xlsx file to import."))
        return Status(422, {"detail": [error.as_dict()]})
    try:
        result = importer.import_risks(
            actor=actor(request), enterprise_id=enterprise_id, source=file, filename=file.name or ""
        )
    except importer.ImportRejected as exc:
        return Status(422, {"detail": exc.as_list()})
    return result.as_dict()

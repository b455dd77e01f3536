"""Enterprise diagnosis (企业安全风险评估诊断分级) over HTTP: an enterprise's diagnoses with the
one that counts for supervision, one diagnosis, recording one, and the guide's items.

Reads start from `scoping.visible`; the write goes through
`anjian.diagnosis.services.diagnosis_record`, whose refusals the API's handlers turn into
404 (out of scope, like an unknown id), 403 (may read, may not record) and 422 with one
message per field (`deductions.<item>`, `direct_red`, `diagnosed_on`, `notes`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict

from anjian.core.errors import NotFound, ValidationFailed
from anjian.core.scoping import visible
from anjian.diagnosis import scoring, services
from anjian.diagnosis.explain import item_rows, reason_text
from anjian.diagnosis.models import Diagnosis, DiagnosisState
from anjian.registry.models import Enterprise

from .common import actor, caller
from .schemas import MAX_PAGE_SIZE, ErrorOut, Lenient, Offset, ValidationErrorOut

router = Router(tags=["diagnosis"])


def _chinese(request: HttpRequest) -> bool:
    return not (get_language() or "").startswith("en")


# --- input ----------------------------------------------------------------------------------


# Any JSON value is accepted at parse time and the service checks the whole record, so
# every problem comes back at once in its own words; the schema documents the types (and
# Lenient refuses a number for text and non-ASCII digits for a number).
_lenient = Lenient


class DiagnosisIn(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": False})
    KNOWN: ClassVar[tuple[str, ...]] = ("diagnosed_on", "deductions", "direct_red", "notes")

    diagnosed_on: _lenient(
        {"type": "string", "format": "date", "description": "YYYY-MM-DD, not in the future."}
    ) = None
    deductions: _lenient(
        {
            "type": "object",
            "additionalProperties": {"type": ["number", "string"]},
            "description": "Item code → points deducted (0 to the item's points, at most two "
            "decimals); items left out deduct 0. GET /diagnosis-guide lists the items.",
        }
    ) = None
    direct_red: _lenient(
        {
            "type": "array",
            "items": {"type": "string"},
            "description": "Codes of the direct-red situations found (any one makes it red).",
        }
    ) = None
    notes: _lenient({"type": "string", "maxLength": services.NOTES_LIMIT}) = None

    def sent(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)

    def unknown(self) -> dict[str, list[str]]:
        return {name: [_("Unknown field.")] for name in sorted(set(self.sent()) - set(self.KNOWN))}


# --- output ---------------------------------------------------------------------------------


class ItemDeductionOut(Schema):
    item: str
    category: str
    name: str
    max: str | None = Field(description="The item's points: the most it can lose.")
    given: str
    counted: str = Field(description="The deduction counted in the score (capped at max).")


class SituationOut(Schema):
    code: str
    text: str


class DiagnosisOut(Schema):
    id: int
    enterprise_id: int
    diagnosed_on: dt.date
    recorded_at: dt.datetime
    assessor: str
    assessor_role: str
    self_assessment: bool
    score: str = Field(description="Exact decimal text, e.g. 72.5.")
    colour: str = Field(description="red | orange | yellow | blue (direct red wins).")
    class_zh: str
    score_colour: str = Field(description="The class by the score alone.")
    direct_red: list[SituationOut]
    deductions: list[ItemDeductionOut]
    reason: str
    guide: str
    guide_version: str
    notes: str
    supersedes_id: int | None
    counts_for_supervision: bool


class DiagnosisPage(Schema):
    count: int
    current: DiagnosisOut | None = Field(description="The diagnosis that counts for supervision.")
    items: list[DiagnosisOut]


class DiagnosisBandOut(Schema):
    colour: str
    class_zh: str
    from_: str | None = Field(alias="from", description="Lower edge, inclusive.")
    below: str | None = Field(description="Upper edge, exclusive.")


class GuideRuleOut(Schema):
    kind: str
    text: str


class GuideItemOut(Schema):
    code: str
    category_no: int
    category: str
    name: str
    max_deduction: str | None
    scored: bool
    confidence: str
    sources: list[str]
    rules: list[GuideRuleOut]


class GuideSituationOut(Schema):
    code: str
    text: str
    text_en: str
    sources: list[str]


class GuideOut(Schema):
    name: str
    version: str
    title: str
    citation: str
    document_number: str | None
    official_text_found: bool
    total: str
    bands: list[DiagnosisBandOut]
    bands_text: str
    items: list[GuideItemOut]
    direct_red: list[GuideSituationOut]
    missing: list[str]


class DiagnosisPageQuery(Schema):
    limit: int = Field(25, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


def _out(diagnosis: Diagnosis, counting_id: int | None, zh: bool) -> dict[str, Any]:
    try:
        guide = scoring.load_guide(diagnosis.guide)
    except scoring.DiagnosisInputError:
        guide = None
    situations = []
    for code in diagnosis.direct_red:
        s = guide.situation(code) if guide else None
        situations.append({"code": code, "text": (s.text if zh else s.text_en) if s else code})
    return {
        "id": diagnosis.pk,
        "enterprise_id": diagnosis.enterprise_id,
        "diagnosed_on": diagnosis.diagnosed_on,
        "recorded_at": diagnosis.recorded_at,
        "assessor": diagnosis.assessor_name,
        "assessor_role": diagnosis.assessor_role,
        "self_assessment": diagnosis.self_assessment,
        "score": diagnosis.score_text,
        "colour": diagnosis.colour,
        "class_zh": diagnosis.class_zh,
        "score_colour": diagnosis.score_colour,
        "direct_red": situations,
        "deductions": [
            {
                "item": row["code"],
                "category": row["category"],
                "name": row["name"],
                "max": row["max"] or None,
                "given": row["given"],
                "counted": row["counted"],
            }
            for row in item_rows(diagnosis)
        ],
        "reason": reason_text(diagnosis),
        "guide": diagnosis.guide,
        "guide_version": diagnosis.guide_version,
        "notes": diagnosis.notes,
        "supersedes_id": diagnosis.supersedes_id,
        "counts_for_supervision": counting_id == diagnosis.pk,
    }


def _visible_enterprise(request: HttpRequest, enterprise_id: int) -> None:
    if not visible(caller(request), Enterprise).filter(pk=enterprise_id).exists():
        raise NotFound(_("No such enterprise in your jurisdiction."))


def _counting_id(request: HttpRequest, enterprise_id: int) -> int | None:
    return (
        visible(caller(request), DiagnosisState)
        .filter(enterprise_id=enterprise_id)
        .values_list("current_id", flat=True)
        .first()
    )


# --- endpoints ------------------------------------------------------------------------------


@router.get(
    "/enterprises/{enterprise_id}/diagnoses",
    response={200: DiagnosisPage, 404: ErrorOut, 422: ValidationErrorOut},
    summary="The enterprise's diagnoses, newest first, with the one that counts for supervision",
)
def diagnosis_list(
    request: HttpRequest, enterprise_id: int, paging: Query[DiagnosisPageQuery]
) -> dict[str, Any]:
    _visible_enterprise(request, enterprise_id)
    zh = _chinese(request)
    counting_id = _counting_id(request, enterprise_id)
    qs = (
        visible(caller(request), Diagnosis)
        .filter(enterprise_id=enterprise_id)
        .order_by("-diagnosed_on", "-id")
    )
    items = list(qs[paging.offset : paging.offset + paging.limit])
    current = next((d for d in items if d.pk == counting_id), None)
    if current is None and counting_id is not None:
        current = qs.filter(pk=counting_id).first()
    return {
        "count": qs.count(),
        "current": _out(current, counting_id, zh) if current else None,
        "items": [_out(d, counting_id, zh) for d in items],
    }


@router.post(
    "/enterprises/{enterprise_id}/diagnoses",
    response={201: DiagnosisOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Record a diagnosis by the guide (regulators, experts; the enterprise's principal "
    "and safety officer record a self-assessment)",
)
def diagnosis_create(
    request: HttpRequest, enterprise_id: int, payload: DiagnosisIn, response: HttpResponse
) -> Status:
    unknown = payload.unknown()
    data = payload.sent()
    try:
        with transaction.atomic():
            diagnosis = services.diagnosis_record(
                actor=actor(request),
                enterprise=enterprise_id,
                diagnosed_on=data.get("diagnosed_on"),
                deductions=data.get("deductions"),
                direct_red=data.get("direct_red"),
                notes=data.get("notes"),
            )
            if unknown:  # nothing unknown passes silently: roll the diagnosis back
                raise ValidationFailed(unknown)
    except ValidationFailed as exc:
        raise ValidationFailed({**unknown, **exc.errors}) from exc
    response["Location"] = reverse("api-v1:diagnosis_detail", kwargs={"diagnosis_id": diagnosis.pk})
    return Status(201, _out(diagnosis, _counting_id(request, enterprise_id), _chinese(request)))


@router.get(
    "/diagnoses/{diagnosis_id}",
    response={200: DiagnosisOut, 404: ErrorOut},
    summary="One diagnosis, item by item",
)
def diagnosis_detail(request: HttpRequest, diagnosis_id: int) -> dict[str, Any]:
    diagnosis = visible(caller(request), Diagnosis).filter(pk=diagnosis_id).first()
    if diagnosis is None:
        raise NotFound(_("No such diagnosis in your scope."))
    return _out(diagnosis, _counting_id(request, diagnosis.enterprise_id), _chinese(request))


@router.get(
    "/diagnosis-guide",
    response={200: GuideOut},
    by_alias=True,
    summary="The guide's items, points, direct-red situations and bands, with their sources",
)
def diagnosis_guide(request: HttpRequest) -> dict[str, Any]:
    guide = scoring.load_guide()
    return {
        "name": guide.name,
        "version": guide.version,
        "title": guide.title,
        "citation": guide.citation,
        "document_number": guide.document_number,
        "official_text_found": False,
        "total": scoring.number_text(guide.total),
        "bands": [b.as_dict() for b in guide.bands],
        "bands_text": guide.bands_text,
        "items": [
            {
                "code": i.code,
                "category_no": i.category_no,
                "category": i.category,
                "name": i.name,
                "max_deduction": None
                if i.max_deduction is None
                else scoring.number_text(i.max_deduction),
                "scored": i.scored,
                "confidence": i.confidence,
                "sources": list(i.sources),
                "rules": [{"kind": r.kind, "text": r.text} for r in i.rules],
            }
            for i in guide.items
        ],
        "direct_red": [
            {"code": s.code, "text": s.text, "text_en": s.text_en, "sources": list(s.sources)}
            for s in guide.verified_situations
        ],
        "missing": list(guide.missing),
    }

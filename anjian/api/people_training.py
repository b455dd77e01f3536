"""Workers, training and certificates over HTTP (issue 15 items 5 and 8), scoped by
anjian.core.scoping.visible (regulators: their jurisdiction; enterprise staff: their own
enterprise; anyone else nothing; an id outside your scope answers 404 like an unknown one).

* GET/POST /workers, GET/PATCH /workers/{id} (PATCH `active: false`: the worker leaves;
  never deleted). The 居民身份证号码 is always masked here (3301**********1234): the API
  serves lists and machines, the full number is shown only on the keepers' edit page;
* GET/POST /trainings: training records (三级安全教育, refreshers, managers' training);
* GET/POST /certificates: 特种作业操作证 and the 考核合格 proofs, with their status
  (valid / review_due / expired / revoked, training_rules.certificate_status);
* GET /certificates/warnings: certificates whose validity or review ends within `days`
  (default 30) or has passed, nearest first.

Writes: the enterprise's principal and safety officers (403 for others who see the
worker). Refusals: 422 with field messages, 403, 404; never 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema
from ninja import UploadedFile as NinjaUpload
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict

from anjian.core import scoping, sheets
from anjian.core.errors import Forbidden, NotFound, ValidationFailed
from anjian.people import idcard, training_importer, training_services, worker_services
from anjian.people import training_rules as rules
from anjian.people.models import Certificate, CertificateKind, TrainingKind, TrainingRecord, Worker

from .checks import valid_id
from .common import actor, caller, page
from .schemas import (
    MAX_PAGE_SIZE,
    ErrorOut,
    Id,
    Lenient,
    Offset,
    RowErrorsOut,
    ValidationErrorOut,
)

router = Router(tags=["people"])

StatusCode = Literal[rules.STATUSES]  # type: ignore[valid-type]
TrainingKindCode = Literal[tuple(TrainingKind.values)]  # type: ignore[valid-type]
CertificateKindCode = Literal[tuple(CertificateKind.values)]  # type: ignore[valid-type]


# --- outputs --------------------------------------------------------------------------------


class TrainingRef(Schema):
    id: int
    name: str


class WorkerOut(Schema):
    id: int
    enterprise: TrainingRef
    name: str
    id_number_masked: str = Field(description="居民身份证号码, masked: 3301**********1234.")
    post: str
    phone: str
    hired_on: dt.date | None
    account: int | None = Field(description="The linked account's id, if any.")
    active: bool


class WorkerPage(Schema):
    count: int
    items: list[WorkerOut]


class TrainingOut(Schema):
    id: int
    worker: TrainingRef
    kind: str
    kind_label: str
    title: str
    hours: str = Field(description="Hours (学时), exact decimal.")
    held_on: dt.date
    provider: str
    passed: bool


class TrainingPage(Schema):
    count: int
    items: list[TrainingOut]


class CertificateOut(Schema):
    id: int
    worker: TrainingRef
    kind: str
    kind_label: str
    category: str
    item: str
    number_masked: str = Field(description="The number (for 特种作业: an id number), masked.")
    issuer: str
    issued_on: dt.date
    expires_on: dt.date
    review_due: dt.date | None
    reviewed_on: dt.date | None
    state: str
    status: str = Field(description="valid, review_due, expired or revoked, as of today.")


class CertificatePage(Schema):
    count: int
    items: list[CertificateOut]


class WorkerDetail(WorkerOut):
    trainings: list[TrainingOut]
    certificates: list[CertificateOut]


# --- inputs ---------------------------------------------------------------------------------

_TEXT = {"type": "string"}
_DATE = {"type": "string", "format": "date"}


class WorkerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Lenient({**_TEXT, "maxLength": 64}) = None
    id_number: Lenient({**_TEXT, "description": "居民身份证号码 (GB 11643-1999), checked."}) = None
    post: Lenient({**_TEXT, "maxLength": 64}) = None
    phone: Lenient({**_TEXT, "maxLength": 32}) = None
    hired_on: Lenient(_DATE) = None
    user: Lenient({"type": "integer", "description": "An account of the same enterprise."}) = None


class WorkerPatchIn(WorkerIn):
    active: Lenient({"type": "boolean", "description": "false: the worker has left."}) = None


class TrainingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    worker: Id
    kind: Lenient({**_TEXT, "enum": list(TrainingKind.values)}) = None
    title: Lenient({**_TEXT, "maxLength": 200}) = None
    hours: Lenient({"type": ["number", "string"], "description": "学时, one decimal."}) = None
    held_on: Lenient(_DATE) = None
    provider: Lenient({**_TEXT, "maxLength": 120}) = None
    passed: Lenient({"type": "boolean"}) = None


class CertificateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    worker: Id
    kind: Lenient({**_TEXT, "enum": list(CertificateKind.values)}) = None
    category: Lenient({**_TEXT, "description": "特种作业 category (目录)."}) = None
    item: Lenient({**_TEXT, "description": "特种作业 item (目录)."}) = None
    number: Lenient({**_TEXT, "maxLength": 32}) = None
    issuer: Lenient({**_TEXT, "maxLength": 120}) = None
    issued_on: Lenient(_DATE) = None
    expires_on: Lenient({**_DATE, "description": "Default: 6 years (特种作业), else 3."}) = None
    review_due: Lenient({**_DATE, "description": "Default: 3 years after issue (特种作业)."}) = None
    reviewed_on: Lenient(_DATE) = None
    extended_review: Lenient(
        {"type": "boolean", "description": "Review every 6 years (issuer's consent)."}
    ) = None


class CertificateReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reviewed_on: Lenient(_DATE) = None
    passed: Lenient(
        {"type": "boolean", "description": "The review's outcome (复审合格 or not)."}
    ) = None
    note: Lenient({**_TEXT, "maxLength": 200, "description": "Required when not passed."}) = None


class CertificateRevokeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Lenient({**_TEXT, "maxLength": 200}) = None


class WorkerFilters(Schema):
    enterprise: Id | None = None
    active: bool | None = None
    q: str | None = Field(None, max_length=64, description="Name contains.")
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class TrainingFilters(Schema):
    worker: Id | None = None
    enterprise: Id | None = None
    kind: TrainingKindCode | None = None
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class CertificateFilters(Schema):
    worker: Id | None = None
    enterprise: Id | None = None
    kind: CertificateKindCode | None = None
    category: str | None = Field(None, max_length=64)
    status: StatusCode | None = None
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


class WarningFilters(Schema):
    days: int = Field(30, ge=0, le=366, description="Notice in days.")
    enterprise: Id | None = None
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: Offset = 0


# --- helpers --------------------------------------------------------------------------------


def _ref(worker: Worker) -> dict[str, Any]:
    return {"id": worker.pk, "name": worker.name}


def _worker_out(w: Worker) -> dict[str, Any]:
    return {
        "id": w.pk,
        "enterprise": {"id": w.enterprise_id, "name": w.enterprise.name},
        "name": w.name,
        "id_number_masked": idcard.mask(w.id_number),
        "post": w.post,
        "phone": w.phone,
        "hired_on": w.hired_on,
        "account": w.user_id,
        "active": w.active,
    }


def _training_out(t: TrainingRecord) -> dict[str, Any]:
    return {
        "id": t.pk,
        "worker": _ref(t.worker),
        "kind": t.kind,
        "kind_label": t.get_kind_display(),
        "title": t.title,
        "hours": str(t.hours),
        "held_on": t.held_on,
        "provider": t.provider,
        "passed": t.passed,
    }


def _certificate_out(c: Certificate, today: dt.date) -> dict[str, Any]:
    return {
        "id": c.pk,
        "worker": _ref(c.worker),
        "kind": c.kind,
        "kind_label": c.get_kind_display(),
        "category": c.category,
        "item": c.item,
        "number_masked": idcard.mask(c.number),
        "issuer": c.issuer,
        "issued_on": c.issued_on,
        "expires_on": c.expires_on,
        "review_due": c.review_due,
        "reviewed_on": c.reviewed_on,
        "state": c.state,
        "status": training_services.status_of(c, today),
    }


def _workers(request: HttpRequest):
    return worker_services.visible_workers(caller(request)).select_related("enterprise")


def _detail(request: HttpRequest, worker_id: int) -> dict[str, Any]:
    worker = _workers(request).filter(pk=worker_id).first() if valid_id(worker_id) else None
    if worker is None:
        raise NotFound(_("No such worker in your scope."))
    today = timezone.localdate()
    return {
        **_worker_out(worker),
        "trainings": [_training_out(t) for t in worker.trainings.select_related("worker")],
        "certificates": [
            _certificate_out(c, today) for c in worker.certificates.select_related("worker")
        ],
    }


# --- endpoints ------------------------------------------------------------------------------


@router.get(
    "/workers",
    response={200: WorkerPage, 422: ValidationErrorOut},
    summary="Workers in your scope",
)
def worker_list(request: HttpRequest, filters: Query[WorkerFilters]) -> dict[str, Any]:
    qs = _workers(request)
    if filters.enterprise:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    if filters.q:
        qs = qs.filter(name__contains=filters.q)
    result = page(qs.order_by("enterprise_id", "name", "pk"), filters.limit, filters.offset)
    return {"count": result["count"], "items": [_worker_out(w) for w in result["items"]]}


@router.post(
    "/workers",
    response={201: WorkerDetail, 403: ErrorOut, 422: ValidationErrorOut},
    summary="A new worker of your enterprise (principal and safety officers)",
)
def worker_create(request: HttpRequest, payload: WorkerIn) -> Any:
    data = payload.model_dump(exclude_unset=True)
    worker = worker_services.worker_create(actor=actor(request), data=data)
    return Status(201, _detail(request, worker.pk))


@router.get(
    "/workers/{worker_id}",
    response={200: WorkerDetail, 404: ErrorOut},
    summary="One worker with trainings and certificates",
)
def worker_detail(request: HttpRequest, worker_id: int) -> dict[str, Any]:
    return _detail(request, worker_id)


@router.patch(
    "/workers/{worker_id}",
    response={200: WorkerDetail, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Change a worker; active=false when he leaves",
)
def worker_patch(request: HttpRequest, worker_id: int, payload: WorkerPatchIn) -> dict[str, Any]:
    if not valid_id(worker_id):
        raise NotFound(_("No such worker in your scope."))
    data = payload.model_dump(exclude_unset=True)
    active = data.pop("active", None)
    if active is not None and not isinstance(active, bool):
        raise ValidationFailed({"active": [_("Enter true or false.")]})
    if data or active is None:
        worker_services.worker_update(actor=actor(request), worker_id=worker_id, data=data)
    if active is not None:
        worker_services.worker_leave(actor=actor(request), worker_id=worker_id, active=active)
    return _detail(request, worker_id)


@router.get(
    "/trainings",
    response={200: TrainingPage, 422: ValidationErrorOut},
    summary="Training records in your scope, newest first",
)
def training_list(request: HttpRequest, filters: Query[TrainingFilters]) -> dict[str, Any]:
    qs = scoping.visible(caller(request), TrainingRecord).select_related("worker")
    if filters.worker:
        qs = qs.filter(worker_id=filters.worker)
    if filters.enterprise:
        qs = qs.filter(worker__enterprise_id=filters.enterprise)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    result = page(qs.order_by("-held_on", "-pk"), filters.limit, filters.offset)
    return {"count": result["count"], "items": [_training_out(t) for t in result["items"]]}


@router.post(
    "/trainings",
    response={201: TrainingOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Record a training (principal and safety officers of the worker's enterprise)",
)
def training_create(request: HttpRequest, payload: TrainingIn) -> Any:
    data = payload.model_dump(exclude_unset=True)
    worker_id = data.pop("worker")
    record = training_services.training_create(actor=actor(request), worker_id=worker_id, data=data)
    record = TrainingRecord.objects.select_related("worker").get(pk=record.pk)
    return Status(201, _training_out(record))


@router.get(
    "/certificates",
    response={200: CertificatePage, 422: ValidationErrorOut},
    summary="Certificates in your scope, expired and expiring first",
)
def certificate_list(request: HttpRequest, filters: Query[CertificateFilters]) -> dict[str, Any]:
    today = timezone.localdate()
    qs = training_services.visible_certificates(caller(request)).select_related("worker")
    if filters.worker:
        qs = qs.filter(worker_id=filters.worker)
    if filters.enterprise:
        qs = qs.filter(worker__enterprise_id=filters.enterprise)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.status:
        qs = training_services.status_filter(qs, filters.status, today)
    result = page(training_services.with_next_date(qs), filters.limit, filters.offset)
    return {
        "count": result["count"],
        "items": [_certificate_out(c, today) for c in result["items"]],
    }


@router.get(
    "/certificates/warnings",
    response={200: CertificatePage, 422: ValidationErrorOut},
    summary="Certificates whose validity or review ends within `days` or has passed",
)
def certificate_warnings(request: HttpRequest, filters: Query[WarningFilters]) -> dict[str, Any]:
    today = timezone.localdate()
    qs = training_services.visible_certificates(caller(request)).select_related("worker")
    if filters.enterprise:
        qs = qs.filter(worker__enterprise_id=filters.enterprise)
    qs = training_services.expiring_filter(qs, today, filters.days)
    result = page(training_services.with_next_date(qs), filters.limit, filters.offset)
    return {
        "count": result["count"],
        "items": [_certificate_out(c, today) for c in result["items"]],
    }


@router.post(
    "/certificates",
    response={201: CertificateOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Record a certificate (principal and safety officers of the worker's enterprise)",
)
def certificate_create(request: HttpRequest, payload: CertificateIn) -> Any:
    data = payload.model_dump(exclude_unset=True)
    worker_id = data.pop("worker")
    cert = training_services.certificate_create(
        actor=actor(request), worker_id=worker_id, data=data
    )
    cert = Certificate.objects.select_related("worker").get(pk=cert.pk)
    return Status(201, _certificate_out(cert, timezone.localdate()))


_CERT_STEP = {
    200: CertificateOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}


@router.post(
    "/certificates/{certificate_id}/review",
    response=_CERT_STEP,
    summary="Record a certificate's review (复审): passed moves the next review 3 years on",
)
def certificate_review(
    request: HttpRequest, certificate_id: int, payload: CertificateReviewIn
) -> dict[str, Any]:
    cert = training_services.certificate_review(
        actor=actor(request),
        certificate_id=certificate_id,
        data=payload.model_dump(exclude_unset=True),
    )
    return _certificate_out(cert, timezone.localdate())


@router.post(
    "/certificates/{certificate_id}/revoke",
    response=_CERT_STEP,
    summary="Revoke a certificate (撤销/注销): kept, never deleted",
)
def certificate_revoke(
    request: HttpRequest, certificate_id: int, payload: CertificateRevokeIn
) -> dict[str, Any]:
    reason = payload.model_dump(exclude_unset=True).get("reason")
    cert = training_services.certificate_revoke(
        actor=actor(request),
        certificate_id=certificate_id,
        reason=reason if isinstance(reason, str) else "",
    )
    return _certificate_out(cert, timezone.localdate())


# --- Excel import ----------------------------------------------------------------------------


class PeopleImportOut(Schema):
    kind: str
    created: int


def _import_kind(kind: str) -> str:
    if kind not in training_importer.KINDS:
        raise NotFound(_("Unknown import kind."))
    return kind


@router.get(
    "/people/import/{kind}/template",
    response={200: None, 403: ErrorOut, 404: ErrorOut},
    summary="The Excel template of a people import (workers, trainings or certificates)",
)
def people_import_template(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _import_kind(kind)
    if not worker_services.may_add(caller(request)):
        raise Forbidden(_("Only the enterprise's principal or safety officer imports."))
    response = HttpResponse(
        training_importer.build_template(kind), content_type=training_importer.CONTENT_TYPE
    )
    response["Content-Disposition"] = (
        f'attachment; filename="people-{kind}-template.xlsx"; '
        f"filename*=UTF-8''{quote(training_importer.FILENAMES[kind])}"
    )
    return response


@router.post(
    "/people/import/{kind}",
    response={200: PeopleImportOut, 403: ErrorOut, 404: ErrorOut, 422: RowErrorsOut},
    summary="Import workers, trainings or certificates from the Excel template: all rows or none",
)
def people_import(request: HttpRequest, kind: str, file: File[NinjaUpload] = None) -> Any:
    kind = _import_kind(kind)
    if file is None:
        return Status(
            422, {"detail": [sheets.file_error(_("Choose the .xlsx file to import.")).as_dict()]}
        )
    try:
        result = training_importer.import_people(
            actor=actor(request), kind=kind, source=file, filename=file.name or ""
        )
    except sheets.ImportRejected as exc:
        return Status(422, {"detail": exc.as_list()})
    return result.as_dict()

"""Files of the hazard ledger over the API: the Word notices, the Excel export (with the
ledger's filters), the import of an existing ledger and its template.

Same rules as the pages: a hazard outside the caller's scope is 404 like an unknown one;
every notice download and every export is recorded in the audit trail; the import is all
rows or none, and a refused file answers 422 with every problem's row and column.
"""

from __future__ import annotations

import tempfile
from typing import Any
from urllib.parse import quote

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja import UploadedFile as NinjaUpload
from ninja.responses import Status

from anjian.core import scoping
from anjian.core.errors import Forbidden, NotFound, ValidationFailed
from anjian.hazards import documents, importer, ledger, ledger_excel

from .common import actor, caller
from .schemas import MAX_DB_INT, ErrorOut, RowErrorsOut, ValidationErrorOut
from .strict import refuse_surrogates

router = Router(tags=["hazard files"])

BINARY = {"schema": {"type": "string", "format": "binary"}}
DOCX = {200: {"description": "The notice", "content": {documents.CONTENT_TYPE: BINARY}}}
XLSX = {200: {"description": "The workbook", "content": {ledger_excel.CONTENT_TYPE: BINARY}}}


def _attachment(response: HttpResponse, filename: str, ascii_name: str) -> HttpResponse:
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Cache-Control"] = "no-store"
    return response


def _notice(request: HttpRequest, hazard_id: int, kind: str) -> HttpResponse:
    if not 1 <= hazard_id <= MAX_DB_INT:
        # No row has such an id (and beyond 64 bits the database cannot even look).
        raise NotFound(_("No such hazard in your scope."))
    hazard, content = documents.notice_download(
        actor=actor(request), hazard_id=hazard_id, kind=kind
    )
    return _attachment(
        HttpResponse(content, content_type=documents.CONTENT_TYPE),
        documents.notice_filename(kind, hazard),
        f"{kind}-notice-{hazard.number}.docx",
    )


@router.get(
    "/hazards/{hazard_id}/notices/rectification.docx",
    response={200: None, 404: ErrorOut, 422: ValidationErrorOut},
    openapi_extra={"responses": DOCX},
    summary=(
        "The rectification document of a hazard, as Word: a regulator's order "
        "(责令限期整改指令书) or the enterprise's internal notice (隐患整改通知单)"
    ),
)
def notice_rectification(request: HttpRequest, hazard_id: int) -> HttpResponse:
    return _notice(request, hazard_id, "rectification")


@router.get(
    "/hazards/{hazard_id}/notices/listing.docx",
    response={200: None, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut},
    openapi_extra={"responses": DOCX},
    summary="The listed-supervision notice (挂牌督办通知书) of a listed major hazard, as Word",
)
def notice_listing(request: HttpRequest, hazard_id: int) -> HttpResponse:
    return _notice(request, hazard_id, "listing")


@router.get(
    "/hazard-ledger/export.xlsx",
    response={200: None, 403: ErrorOut, 422: ValidationErrorOut},
    openapi_extra={"responses": XLSX},
    summary="The ledger as Excel in the regulators' layout; same filters as GET /hazards",
)
def ledger_export(request: HttpRequest) -> HttpResponse:
    if not scoping.is_active_user(caller(request)):
        raise Forbidden(_("Your account cannot use the hazard ledger."))
    refuse_surrogates(dict(request.GET.lists()))
    filters, errors = ledger.parse_filters(request.GET)
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    # FileResponse closes it once sent (a temporary file: gone then).
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    try:
        ledger_excel.ledger_export(
            actor=actor(request),
            filters=filters,
            stream=spool,
            now=now,
            limit=ledger_excel.export_limit(),
        )
    except ValidationFailed:
        spool.close()
        raise
    spool.seek(0)
    filename, ascii_name = ledger_excel.export_filename(now)
    return _attachment(
        FileResponse(spool, content_type=ledger_excel.CONTENT_TYPE), filename, ascii_name
    )


def _require_import(request: HttpRequest) -> None:
    if not importer.may_import(caller(request)):
        raise Forbidden(
            _(
                "Only an enterprise's principal or safety officer, or a regulator, may "
                "import a hazard ledger."
            )
        )


@router.get(
    "/hazard-ledger/import-template.xlsx",
    response={200: None, 403: ErrorOut},
    openapi_extra={"responses": XLSX},
    summary="The Excel template of the ledger import (headers and an instructions sheet)",
)
def import_template(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    return _attachment(
        HttpResponse(importer.build_template(), content_type=importer.CONTENT_TYPE),
        importer.TEMPLATE_FILENAME,
        "hazard-import-template.xlsx",
    )


class ImportedHazard(Schema):
    id: int
    number: str
    legacy_number: str


class HazardImportOut(Schema):
    filename: str
    created: int
    by_state: dict[str, int]
    enterprises: int
    hazards: list[ImportedHazard]


@router.post(
    "/hazard-ledger/import",
    response={200: HazardImportOut, 403: ErrorOut, 422: RowErrorsOut},
    summary="Import an existing ledger from the Excel template: all rows or none",
)
def ledger_import(request: HttpRequest, file: File[NinjaUpload] = None) -> Any:
    _require_import(request)
    if file is None:
        return Status(
            422, {"detail": [importer.file_error(_("Choose the .xlsx file to import.")).as_dict()]}
        )
    try:
        result = importer.hazards_import(actor=actor(request), file=file, filename=file.name or "")
    except importer.ImportRejected as exc:
        return Status(422, {"detail": exc.as_list()})
    return result.as_dict()

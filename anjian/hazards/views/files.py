"""Files of the hazard ledger: the two Word notices, the Excel export of the ledger, the
Excel import of an existing ledger and its template.

Every download starts from `scoping.visible`; a hazard outside the user's scope is a 404
exactly like an unknown one; a user without a role gets 403 on the export and import.
"""

from __future__ import annotations

import tempfile
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, NotFound, ValidationFailed

from .. import documents, importer, ledger, ledger_excel


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def attachment(content: bytes, content_type: str, filename: str, ascii_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Cache-Control"] = "no-store"
    return response


def _notice(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    try:
        hazard, content = documents.notice_download(actor=_actor(request), hazard_id=pk, kind=kind)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except Conflict as exc:
        return render(
            request,
            "hazards/files/refused.html",
            {
                "title": _("Notice not available"),
                "messages_list": [str(exc)],
                "back_url": reverse("hazards:detail", args=[pk]),
            },
            status=409,
        )
    return attachment(
        content,
        documents.CONTENT_TYPE,
        documents.notice_filename(kind, hazard),
        f"{kind}-notice-{hazard.number}.docx",
    )


@login_required
@require_GET
def notice_rectification(request: HttpRequest, pk: int) -> HttpResponse:
    return _notice(request, pk, "rectification")


@login_required
@require_GET
def notice_listing(request: HttpRequest, pk: int) -> HttpResponse:
    return _notice(request, pk, "listing")


@login_required
@require_GET
def ledger_export(request: HttpRequest) -> HttpResponse:
    """The ledger as .xlsx, with the same filters as the ledger page. Built in a spooled
    temporary file (memory-bounded however many rows), recorded in the audit trail."""
    user = request.user
    if not scoping.is_active_user(user):
        raise PermissionDenied(_("Your account cannot use the hazard ledger."))
    filters, errors = ledger.parse_filters(request.GET)
    problems = [m for messages in errors.values() for m in messages]
    now = timezone.now()
    # FileResponse closes it once sent (a temporary file: gone then).
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    if not problems:
        try:
            ledger_excel.ledger_export(
                actor=_actor(request),
                filters=filters,
                stream=spool,
                now=now,
                limit=ledger_excel.export_limit(),
            )
        except ValidationFailed as exc:
            problems = [m for messages in exc.errors.values() for m in messages]
    if problems:
        spool.close()
        return render(
            request,
            "hazards/files/refused.html",
            {
                "title": _("The ledger cannot be exported"),
                "messages_list": problems,
                "back_url": reverse("hazards:ledger") + "?" + request.GET.urlencode(),
            },
            status=400,
        )
    spool.seek(0)
    filename, ascii_name = ledger_excel.export_filename(now)
    response = FileResponse(spool, content_type=ledger_excel.CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Cache-Control"] = "no-store"
    return response


def _require_import(user) -> None:
    if not importer.may_import(user):
        raise PermissionDenied(
            _(
                "Only an enterprise's principal or safety officer, or a regulator, may "
                "import a hazard ledger."
            )
        )


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    _require_import(request.user)
    return attachment(
        importer.build_template(),
        importer.CONTENT_TYPE,
        importer.TEMPLATE_FILENAME,
        "hazard-import-template.xlsx",
    )


@login_required
@require_http_methods(["GET", "POST"])
def hazard_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_import(user)
    errors: list[dict] = []
    result = None
    filename = ""
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = [importer.file_error(_("Choose the .xlsx file to import.")).as_dict()]
            status = 422
        else:
            filename = upload.name or ""
            try:
                result = importer.hazards_import(
                    actor=_actor(request), file=upload, filename=filename
                )
            except importer.ImportRejected as exc:
                errors, status = exc.as_list(), 422
    return render(
        request,
        "hazards/files/import.html",
        {
            "errors": errors,
            "result": result,
            "shown": result.hazards[:50] if result else [],
            "filename": filename,
            "columns": importer.COLUMNS,
            "max_rows": importer.MAX_ROWS,
            "section": "hazards",
        },
        status=status,
    )

"""The upload page of an enterprise's Excel import (risk register, monitoring points, …).

GET shows the form, the template link and the columns; POST runs the importer: all rows
or none, then the page shows either what was written or every problem with its row and
column (422). Scope decides the enterprise (404 outside it); `may_import` who may (403).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from anjian.core import scoping, sheets
from anjian.core.audit import Actor
from anjian.core.errors import Forbidden, NotFound


def enterprise_import_page(
    request: HttpRequest,
    pk: int,
    *,
    run: Callable[..., Any],
    denied: str,
    template: str,
    context: Callable[[Any], dict[str, Any]],
) -> HttpResponse:
    """`run(actor=, enterprise_id=, source=, filename=)` imports (raising
    sheets.ImportRejected with every problem); `denied` is the 403 message for one who may
    see the enterprise but not import; `context(enterprise)` adds the page's own links and
    columns."""
    user = request.user
    enterprise = scoping.visible_enterprises(user).filter(pk=pk).first()
    if enterprise is None:
        raise Http404(_("No such enterprise in your jurisdiction."))
    if not scoping.can_manage_risks(user, enterprise):
        raise PermissionDenied(denied)
    errors: list[dict] = []
    result = None
    filename = ""
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = [sheets.file_error(_("Choose the .xlsx file to import.")).as_dict()]
            status = 422
        else:
            filename = upload.name or ""
            try:
                result = run(
                    actor=Actor.for_user(user, "web"),
                    enterprise_id=enterprise.pk,
                    source=upload,
                    filename=filename,
                )
            except sheets.ImportRejected as exc:
                errors, status = exc.as_list(), 422
            except NotFound as exc:
                raise Http404(str(exc)) from exc
            except Forbidden as exc:
                raise PermissionDenied(str(exc)) from exc
    page = {"enterprise": enterprise, "errors": errors, "result": result, "filename": filename}
    return render(request, template, {**page, **context(enterprise)}, status=status)

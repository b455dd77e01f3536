"""The page for importing a risk register from the Excel template (see importer.py).

GET shows the upload form and the template link; POST imports the file: all rows or none,
then shows either the counts written or every problem with its row and column.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.core.errors import Forbidden, NotFound
from anjian.registry.models import Enterprise

from . import importer


def _risks_url(enterprise_id: int) -> str:
    # The enterprise's risk page lives in the risks URLconf; before it is wired, the
    # breadcrumb simply stops at the enterprise.
    try:
        return reverse("risks:enterprise", kwargs={"pk": enterprise_id})
    except NoReverseMatch:
        return ""


@login_required
def risk_import(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    enterprise = scoping.visible(user, Enterprise).filter(pk=pk).first()
    if enterprise is None:
        raise Http404(_("No such enterprise in your jurisdiction."))
    if not scoping.can_manage_risks(user, enterprise):
        raise PermissionDenied(
            _(
                "Only the enterprise's principal, its safety officer or an expert may change its risk records."
            )
        )
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
                result = importer.import_risks(
                    actor=Actor.for_user(user, "web"),
                    enterprise_id=enterprise.pk,
                    source=upload,
                    filename=filename,
                )
            except importer.ImportRejected as exc:
                errors, status = exc.as_list(), 422
            except NotFound as exc:
                raise Http404(str(exc)) from exc
            except Forbidden as exc:
                raise PermissionDenied(str(exc)) from exc
    return render(
        request,
        "risks/import.html",
        {
            "enterprise": enterprise,
            "errors": errors,
            "result": result,
            "filename": filename,
            "columns": importer.COLUMNS,
            "max_rows": importer.MAX_ROWS,
            "risks_url": _risks_url(enterprise.pk),
        },
        status=status,
    )

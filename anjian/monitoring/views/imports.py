"""The page for importing monitoring points and set-points from the Excel template
(anjian.monitoring.importer), and the template download.

GET shows the upload form and the template link; POST imports the file: all rows or none,
then shows either the counts written (and the tokens of new gateways, once) or every
problem with its row and column.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.core.errors import Forbidden, NotFound
from anjian.registry.models import Enterprise

from .. import importer


def url_of(name: str, **kwargs) -> str:
    """The URL of one of these views, whether they are included under the monitoring
    namespace or at the top."""
    for full in (f"monitoring:{name}", name):
        try:
            return reverse(full, kwargs=kwargs or None)
        except NoReverseMatch:
            continue
    return ""


@login_required
@require_GET
def points_import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(importer.build_template(), content_type=importer.CONTENT_TYPE)
    response["Content-Disposition"] = (
        "attachment; filename=points-import.xlsx; filename*=UTF-8''" + quote(importer.FILENAME)
    )
    return response


@login_required
@never_cache
def points_import(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    enterprise = scoping.visible(user, Enterprise).filter(pk=pk).first()
    if enterprise is None:
        raise Http404(_("No such enterprise in your jurisdiction."))
    if not scoping.can_manage_risks(user, enterprise):
        raise PermissionDenied(
            _(
                "Only the enterprise's principal, its safety officer or an expert may import its points."
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
                result = importer.points_import(
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
    board_url = url_of("enterprise", pk=enterprise.pk)
    return render(
        request,
        "monitoring/import.html",
        {
            "enterprise": enterprise,
            "errors": errors,
            "result": result,
            "filename": filename,
            "columns": importer.COLUMNS,
            "max_rows": importer.MAX_ROWS,
            "template_url": url_of("points-import-template"),
            "board_url": board_url,
        },
        status=status,
    )

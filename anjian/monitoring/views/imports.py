"""The page for importing monitoring points and set-points from the Excel template
(anjian.monitoring.importer), and the template download.

GET shows the upload form and the template link; POST imports the file: all rows or none,
then shows either the counts written (and the tokens of new gateways, once) or every
problem with its row and column.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from anjian.core.import_page import enterprise_import_page

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
    return enterprise_import_page(
        request,
        pk,
        run=importer.points_import,
        denied=_(
            "Only the enterprise's principal, its safety officer or an expert may import its points."
        ),
        template="monitoring/import.html",
        context=lambda enterprise: {
            "columns": importer.COLUMNS,
            "max_rows": importer.MAX_ROWS,
            "template_url": url_of("points-import-template"),
            "heading": _("Import monitoring points"),
            "parent_url": url_of("enterprise", pk=enterprise.pk),
            "parent_label": _("Monitoring and early warning"),
        },
    )

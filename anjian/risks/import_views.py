"""The page for importing a risk register from the Excel template (see importer.py).

GET shows the upload form and the template link; POST imports the file: all rows or none,
then shows either the counts written or every problem with its row and column.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from anjian.core.import_page import enterprise_import_page

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
    return enterprise_import_page(
        request,
        pk,
        run=importer.import_risks,
        denied=_(
            "Only the enterprise's principal, its safety officer or an expert may change its risk records."
        ),
        template="risks/import.html",
        context=lambda enterprise: {
            "columns": importer.COLUMNS,
            "max_rows": importer.MAX_ROWS,
            "heading": _("Import risk register"),
            "parent_url": _risks_url(enterprise.pk),
            "parent_label": _("Risk grading and control"),
            "template_url": reverse("api-v1:risk_import_template"),
        },
    )

"""The quarterly bulletin and the annual assessment pages: a county in the user's scope,
a period, the rankings as tables, and the Word document (anjian.reports.bulletin)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from anjian.core import scoping, wordoc
from anjian.core.sections import REGISTRY_ROLES
from anjian.registry.models import Division, DivisionLevel

from . import bulletin, periods
from .forms import period_choices, period_label


def _counties(user: Any):
    return scoping.visible(user, Division).filter(level=DivisionLevel.COUNTY).order_by("code")


def _context(request: HttpRequest, kind: str) -> dict[str, Any]:
    user = request.user
    if not (user.is_active and user.role in REGISTRY_ROLES):
        raise PermissionDenied(_("Your role does not use this page."))
    counties = list(_counties(user))
    if not counties:
        raise Http404(_("No county in your jurisdiction."))
    wanted = request.GET.get("county") or ""
    county = next((c for c in counties if c.code == wanted), None)
    if wanted and county is None:
        raise Http404(_("No such county in your jurisdiction."))
    county = county or counties[0]
    today = timezone.localdate()
    choices = [
        (key, label)
        for key, label in period_choices(today, running=True, asked=request.GET.get("period"))
        if (key.isdigit()) == (kind == bulletin.ANNUAL)
    ]
    try:
        period = periods.parse(request.GET.get("period") or choices[0][0])
    except periods.PeriodError as exc:
        raise Http404(str(exc)) from exc
    if (period.quarter == 0) != (kind == bulletin.ANNUAL):
        raise Http404(_("Choose a quarter for the bulletin and a year for the assessment."))
    report = bulletin.build(county=county, period=period, kind=kind, today=today)
    header = bulletin.ranking_header(report)
    return {
        "report": report,
        "county": county,
        "counties": counties,
        "period": period,
        "period_text": period_label(period),
        "choices": choices,
        "title": bulletin.document_title(report),
        "header": header,
        # Each cell with its column's label: the table becomes cards on a phone.
        "tables": [
            (
                r,
                [
                    list(zip(header, values, strict=True))
                    for values in bulletin.ranking_rows(report, r)
                ],
            )
            for r in report.rankings
        ],
        "kind": kind,
        "section": "reports",
    }


def _page(request: HttpRequest, kind: str) -> HttpResponse:
    context = _context(request, kind)
    if request.GET.get("format") == "docx":
        content = bulletin.word(context["report"])
        response = HttpResponse(content, content_type=wordoc.CONTENT_TYPE)
        name = f"{'assessment' if kind == bulletin.ANNUAL else 'bulletin'}-{context['county'].code}-{context['period'].key}.docx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "reports/bulletin.html", context)


@login_required
@require_GET
def quarterly_bulletin(request: HttpRequest) -> HttpResponse:
    return _page(request, bulletin.BULLETIN)


@login_required
@require_GET
def annual_assessment(request: HttpRequest) -> HttpResponse:
    return _page(request, bulletin.ANNUAL)

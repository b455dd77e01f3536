"""A point's page: its history chart (ECharts, static/monitoring/point-chart.js) with its
set-points drawn as horizontal lines and a range selector (1 h from the raw readings,
24 h from minute aggregates, 7 d from hour aggregates), served as JSON in scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from anjian.core import scoping

from .. import boards
from ..models import Point
from . import require_monitoring


def _point(request: HttpRequest, pk: int) -> Point:
    require_monitoring(request.user)
    return get_object_or_404(
        scoping.visible(request.user, Point).select_related(
            "enterprise", "gateway", "installation", "risk_unit", "latest"
        ),
        pk=pk,
    )


def _range(request: HttpRequest) -> str:
    value = request.GET.get("range", "1h")
    return value if value in boards.RANGES else "1h"


@login_required
@require_GET
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point(request, pk)
    alarms = list(boards.open_alarms(request.user).filter(point=point).order_by("-raised_at")[:10])
    for a in alarms:
        a.condition_text = boards.condition_label(a.condition, a.setpoint)
    return render(
        request,
        "monitoring/point.html",
        {
            "point": point,
            "latest": getattr(point, "latest", None),
            "setpoints": list(point.setpoints.filter(is_active=True).order_by("value")),
            "range": _range(request),
            "ranges": [("1h", "1 h"), ("24h", "24 h"), ("7d", "7 d")],
            "data_url": reverse("monitoring:point-data", args=[point.pk]),
            "alarms": alarms,
        },
    )


@login_required
@require_GET
def point_data(request: HttpRequest, pk: int) -> JsonResponse:
    point = _point(request, pk)
    response = JsonResponse(boards.point_series(point, _range(request)))
    response["Cache-Control"] = "no-store"
    return response

"""Pages of supplies allocation (issue 14 item 5): the runs of the user's jurisdiction,
the form that computes a new one (active incidents or places entered, demands per supply
kind, the objective) and one run: shipments, totals, what cannot be met, the map, an
Excel export. The form works without JavaScript (three demand rows per target, one
place); allocation.js adds rows and shows progress while the server computes."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from anjian.core import scoping, xlsx
from anjian.core.audit import Actor
from anjian.core.errors import Forbidden, NotFound, ValidationFailed

from . import allocation_services as svc

PAGE_SIZE = 30
DEMAND_ROWS = 3
MAX_PLACES = 50
FIELD = re.compile(r"^incidents\[(\d+)\](?:\.(\w+))?(?:\.(.+))?$")


def _require_viewer(user: Any) -> None:
    # Runs are placed by a division: regulators of the jurisdiction read them.
    if not (scoping.is_active_user(user) and (user.is_regulator or user.role == "platform_admin")):
        raise PermissionDenied(_("Your role does not use this page."))


@login_required
@require_GET
def allocation_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request.user)
    qs = svc.visible_runs(request.user).select_related("division", "created_by")
    page = Paginator(qs.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "run": run,
            "totals": (run.result or {}).get("totals", {}),
            "objective": svc.objective_labels().get(run.objective, run.objective),
            "incidents": len((run.problem or {}).get("incidents", [])),
        }
        for run in page.object_list
    ]
    return render(
        request,
        "emergency/allocation_list.html",
        {"page": page, "rows": rows, "may_allocate": svc.may_allocate(request.user)},
    )


def _quantities(request: HttpRequest, target: str) -> dict[str, Any]:
    kinds = request.POST.getlist(f"kind_{target}")
    qtys = request.POST.getlist(f"qty_{target}")
    out: dict[str, Any] = {}
    for code, qty in zip(kinds, qtys, strict=False):
        code, qty = code.strip(), qty.strip()
        if not (code and qty):
            continue
        # The same kind twice for one target: the quantities add up.
        if code in out and qty.isdigit() and str(out[code]).isdigit():
            out[code] = int(out[code]) + int(qty)
        else:
            out[code] = qty
    return out


def _targets(request: HttpRequest) -> tuple[list[dict[str, Any]], list[str]]:
    """The incidents and places of the posted form, in the service's shape, and their
    display names (by position, for the error messages)."""
    chosen = {v for v in request.POST.getlist("incident") if v.isdigit()}
    targets: list[dict[str, Any]] = []
    names: list[str] = []
    for value in sorted(chosen, key=int):
        targets.append(
            {
                "incident": int(value),
                "priority": request.POST.get(f"priority_i{value}", "1") or "1",
                "demands": _quantities(request, f"i{value}"),
            }
        )
        names.append(request.POST.get(f"name_i{value}", "") or f"#{value}")
    for n in range(1, MAX_PLACES + 1):
        name = request.POST.get(f"place_name_{n}", "").strip()
        lat = request.POST.get(f"place_lat_{n}", "").strip()
        lon = request.POST.get(f"place_lon_{n}", "").strip()
        demands = _quantities(request, f"p{n}")
        if not (name or lat or lon or demands):
            continue
        targets.append(
            {
                "name": name,
                "lat": lat,
                "lon": lon,
                "priority": request.POST.get(f"priority_p{n}", "1") or "1",
                "demands": demands,
            }
        )
        names.append(name or _("place %(n)s") % {"n": n})
    return targets, names


def _messages(exc: ValidationFailed, names: list[str], kinds: dict[str, str]) -> list[str]:
    """Each problem in words that name the incident or place and the supply kind."""
    labels = {
        "name": _("name"),
        "lat": _("latitude"),
        "lon": _("longitude"),
        "priority": _("priority"),
        "incident": _("incident"),
        "demands": _("demands"),
    }
    out = []
    for field, messages in exc.errors.items():
        m = FIELD.match(field)
        if m:
            who = names[int(m.group(1))] if int(m.group(1)) < len(names) else ""
            what = labels.get(m.group(2) or "", m.group(2) or "")
            if m.group(3):
                what = kinds.get(m.group(3), m.group(3))
            prefix = " · ".join(p for p in (who, what) if p)
        else:
            prefix = {"title": _("title"), "objective": _("objective")}.get(field, "")
            if field == "warehouses":
                prefix = _("warehouses")
        for message in messages:
            out.append(f"{prefix}: {message}" if prefix else message)
    return out


@login_required
@require_http_methods(["GET", "POST"])
def allocation_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not svc.may_allocate(user):
        raise PermissionDenied(
            _("Only the coordinator or a department officer may allocate supplies.")
        )
    kinds = list(svc.supply_kinds())
    kind_names = {k.code: k.name for k in kinds}
    errors: list[str] = []
    posted: dict[str, Any] = {}
    if request.method == "POST":
        targets, names = _targets(request)
        posted = {
            "title": request.POST.get("title", ""),
            "objective": request.POST.get("objective", "distance"),
            "chosen": {t["incident"] for t in targets if t.get("incident")},
        }
        try:
            run = svc.allocation_compute(
                actor=Actor.for_user(user, "web"),
                title=posted["title"],
                objective=posted["objective"],
                incidents=targets,
            )
        except ValidationFailed as exc:
            errors = _messages(exc, names, kind_names)
        except (Forbidden, NotFound) as exc:
            errors = [str(exc)]
        else:
            return redirect("emergency:allocation", run.pk)
    data = request.POST if request.method == "POST" else None

    def rows(target: str) -> list[tuple[str, str]]:
        # What was entered (kept when the form comes back with errors), then empty rows.
        entered = []
        if data is not None:
            entered = [
                (k, q)
                for k, q in zip(
                    data.getlist(f"kind_{target}"), data.getlist(f"qty_{target}"), strict=False
                )
                if k or q
            ]
        return entered + [("", "")] * max(DEMAND_ROWS - len(entered), 1 if entered else 0)

    incidents = [
        {
            "row": inc,
            "target": f"i{inc.pk}",
            "checked": inc.pk in posted.get("chosen", set()),
            "priority": (data or {}).get(f"priority_i{inc.pk}", "1"),
            "demands": rows(f"i{inc.pk}"),
        }
        for inc in svc.active_incidents(user)[:100]
    ]
    places = []
    for n in range(1, MAX_PLACES + 1):
        values = {f: (data or {}).get(f"place_{f}_{n}", "") for f in ("name", "lat", "lon")}
        demands = rows(f"p{n}")
        if n > 1 and not (any(values.values()) or any(k or q for k, q in demands[:1])):
            continue
        places.append(
            {
                "n": n,
                "target": f"p{n}",
                **values,
                "priority": (data or {}).get(f"priority_p{n}", "1"),
                "demands": demands,
            }
        )
    return render(
        request,
        "emergency/allocation_new.html",
        {
            "incidents": incidents,
            "places": places,
            "next_place": max(p["n"] for p in places) + 1,
            "kinds": kinds,
            "priorities": ["1", "2", "3"],
            "objectives": svc.objective_labels().items(),
            "errors": errors,
            "posted": posted,
        },
        status=422 if errors else 200,
    )


def _run(request: HttpRequest, run_id: int) -> Any:
    _require_viewer(request.user)
    try:
        return svc.run_for(request.user, run_id)
    except NotFound:
        raise Http404(_("No such allocation plan in your scope.")) from None


@login_required
@require_GET
def allocation_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    view = svc.run_view(run)
    from anjian.risks.views import township_areas  # the jurisdiction map's areas

    return render(
        request,
        "emergency/allocation_detail.html",
        {**view, "map": {**view["map"], "areas": township_areas(request.user)}},
    )


@login_required
@require_GET
def allocation_xlsx(request: HttpRequest, run_id: int) -> HttpResponse:
    from openpyxl import Workbook

    run = _run(request, run_id)
    view = svc.run_view(run)
    unit = _("km") if view["cost_unit"] == "km" else _("minutes")
    wb = Workbook()
    ws = wb.active
    ws.title = _("Shipments")[:31]
    xlsx.append(ws, [run.title])
    xlsx.append(
        ws, [_("objective"), view["objective_label"], _("computed at"), str(run.created_at)]
    )
    xlsx.append(ws, [])
    xlsx.append(
        ws,
        [
            _("incident or place"),
            _("supply kind"),
            _("from warehouse"),
            _("quantity"),
            _("unit"),
            _("road distance (km)"),
            _("estimated arrival (min)"),
            _("cost (%(unit)s)") % {"unit": unit},
        ],
    )
    for s in view["shipments"]:
        xlsx.append(
            ws,
            [
                s["incident_name"],
                s["kind_name"],
                s["warehouse_name"],
                s["quantity"],
                s["unit"],
                s["km"],
                s["minutes"],
                s["cost"],
            ],
        )
    short = wb.create_sheet(_("Cannot be met")[:31])
    xlsx.append(
        short,
        [_("incident or place"), _("supply kind"), _("demanded"), _("allocated"), _("short")],
    )
    for r in view["unmet"]:
        xlsx.append(
            short, [r["incident_name"], r["kind_name"], r["demanded"], r["allocated"], r["short"]]
        )
    response = HttpResponse(
        xlsx.save(wb),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="allocation-{run.pk}.xlsx"'
    return response

"""The resource pages (issue 14 items 3 and 7): the resources page (teams, warehouses and
supplies, experts, shelters: counts, warnings and a map), one team, one warehouse with
its supplies, the forms to add and change them, retiring, the Excel import and the
supply warnings. Views parse, call one service, render; the scope is
anjian.core.scoping.visible (404 outside it), who may write is the services' rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anjian.core import scoping, sheets
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

from . import resource_importer as importer
from . import resource_rules as rules
from . import resource_services as services
from .models import (
    RescueTeam,
    Speciality,
    Supply,
    SupplyKind,
    SupplyState,
    TeamKind,
    Warehouse,
)

TABS = ("teams", "warehouses", "experts", "shelters")
KIND_OF_TAB = {
    "teams": "team",
    "warehouses": "warehouse",
    "experts": "expert",
    "shelters": "shelter",
}
PAGE_SIZE = 50
MAP_POINTS = 2000  # the page's map draws at most this many points per kind


# --- form descriptions (the services check the values) -------------------------------------

PLACED = [
    ("name", gettext_lazy("name"), "text", True),
    ("address", gettext_lazy("address"), "text", False),
    ("latitude", gettext_lazy("latitude"), "coord", False),
    ("longitude", gettext_lazy("longitude"), "coord", False),
]
FORMS: dict[str, list[tuple[str, Any, str, bool]]] = {
    "team": [
        *PLACED[:1],
        ("kind", gettext_lazy("team type"), "select", True),
        ("specialities", gettext_lazy("specialities"), "checks", False),
        ("leader", gettext_lazy("leader"), "text", False),
        ("duty_phone", gettext_lazy("duty phone"), "tel", True),
        ("members", gettext_lazy("members"), "number", False),
        ("readiness_minutes", gettext_lazy("minutes to turn out"), "number", False),
        ("equipment", gettext_lazy("equipment"), "textarea", False),
        (
            "roster",
            gettext_lazy("roster (one member a line: name, speciality, phone)"),
            "textarea",
            False,
        ),
        *PLACED[1:],
    ],
    "warehouse": [
        *PLACED[:1],
        ("keeper", gettext_lazy("keeper"), "text", False),
        ("phone", gettext_lazy("phone"), "tel", False),
        *PLACED[1:],
    ],
    "expert": [
        *PLACED[:1],
        ("specialities", gettext_lazy("specialities"), "checks", False),
        ("title", gettext_lazy("professional title"), "text", False),
        ("employer", gettext_lazy("employer"), "text", False),
        ("phone", gettext_lazy("phone"), "tel", True),
        *PLACED[1:],
    ],
    "shelter": [
        *PLACED[:1],
        ("capacity", gettext_lazy("capacity (persons)"), "number", False),
        ("phone", gettext_lazy("phone"), "tel", False),
        *PLACED[1:],
    ],
    "supply": [
        ("kind", gettext_lazy("supply kind"), "select", True),
        ("quantity", gettext_lazy("quantity"), "number", True),
        ("minimum", gettext_lazy("minimum stock"), "number", False),
        ("expires_on", gettext_lazy("expires on"), "date", False),
        ("state", gettext_lazy("state"), "select", False),
        ("batch", gettext_lazy("batch"), "text", False),
    ],
}
HEADINGS = {
    "team": (gettext_lazy("New rescue team"), gettext_lazy("Change rescue team")),
    "warehouse": (gettext_lazy("New supplies warehouse"), gettext_lazy("Change warehouse")),
    "expert": (gettext_lazy("New emergency expert"), gettext_lazy("Change expert")),
    "shelter": (gettext_lazy("New shelter"), gettext_lazy("Change shelter")),
    "supply": (gettext_lazy("New supply record"), gettext_lazy("Change supply record")),
}


def _choices(kind: str, name: str) -> list[tuple[str, str]]:
    if name == "specialities":
        return [(v, str(label)) for v, label in Speciality.choices]
    if kind == "team" and name == "kind":
        return [(v, str(label)) for v, label in TeamKind.choices]
    if kind == "supply" and name == "kind":
        return [
            (str(k.pk), f"{k.code} {k.name}（{k.unit}）")
            for k in SupplyKind.objects.order_by("code")
        ]
    if kind == "supply" and name == "state":
        return [(v, str(label)) for v, label in SupplyState.choices if v != SupplyState.SCRAPPED]
    return []


def _roster_text(team: RescueTeam) -> str:
    return "\n".join(
        ", ".join(x for x in (m.name, m.speciality, m.phone)) for m in team.roster.all()
    )


def _roster(text: str) -> list[dict[str, str]]:
    out = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if not any(parts):
            continue
        parts += ["", "", ""]
        out.append({"name": parts[0], "speciality": parts[1], "phone": parts[2]})
    return out


def _initial(kind: str, row: Any) -> dict[str, Any]:
    if row is None:
        return {"state": SupplyState.GOOD} if kind == "supply" else {}
    out: dict[str, Any] = {}
    for name, _label, _type, _req in FORMS[kind]:
        if name == "roster":
            out[name] = _roster_text(row)
        elif name == "kind" and kind == "supply":
            out[name] = str(row.kind_id)
        else:
            value = getattr(row, name)
            out[name] = "" if value is None else value
    return out


def _posted(kind: str, post: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, _label, input_type, _req in FORMS[kind]:
        if input_type == "checks":
            data[name] = post.getlist(name)  # type: ignore[attr-defined]
        elif name == "roster":
            data[name] = _roster(post.get(name, ""))
        else:
            data[name] = post.get(name, "")
    return data


def _fields(kind: str, values: Mapping[str, Any], errors: Mapping[str, list[str]]) -> list[dict]:
    out = []
    for name, label, input_type, required in FORMS[kind]:
        value = values.get(name, "")
        if name == "roster" and isinstance(value, list):
            value = "\n".join(", ".join(m.values()) for m in value)
        messages = [m for key, ms in errors.items() if key.split(".")[0] == name for m in ms]
        out.append(
            {
                "name": name,
                "label": label,
                "type": input_type,
                "required": required,
                "value": value,
                "choices": _choices(kind, name),
                "errors": messages,
            }
        )
    return out


# --- reading -------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def _get(user: Any, kind: str, pk: int) -> Any:
    row = (
        services.visible_resources(user, kind)
        .select_related("division", "enterprise")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise Http404(_("No such resource in your scope."))
    return row


def _map_points(user: Any) -> dict[str, list]:
    out = {}
    for tab in TABS:
        rows = (
            services.visible_resources(user, KIND_OF_TAB[tab])
            .filter(active=True, latitude__isnull=False, longitude__isnull=False)
            .order_by("pk")
            .values_list("longitude", "latitude", "name", "pk")[:MAP_POINTS]
        )
        out[tab] = [[float(lon), float(lat), name, pk] for lon, lat, name, pk in rows]
    return out


def _areas(user: Any) -> list[dict[str, Any]]:
    try:
        from anjian.risks.views import township_areas
    except ImportError:  # pragma: no cover - the risk pages are part of the platform
        return []
    return township_areas(user)


@login_required
@require_GET
def resources(request: HttpRequest) -> HttpResponse:
    user = request.user
    tab = request.GET.get("tab", "teams")
    if tab not in TABS:
        tab = "teams"
    counts = {
        t: services.visible_resources(user, KIND_OF_TAB[t]).filter(active=True).count()
        for t in TABS
    }
    today = timezone.localdate()
    days = services.notice_days()
    warned = services.warned_supplies(user, today=today, days=days)
    warning_counts = warned.aggregate(
        expired=Count("pk", filter=Q(expires_on__lt=today)),
        expiring=Count(
            "pk", filter=Q(expires_on__gte=today, expires_on__lte=rules.expiry_cutoff(today, days))
        ),
        short=Count("pk", filter=Q(quantity__lt=F("minimum"))),
        state=Count("pk", filter=~Q(state=SupplyState.GOOD)),
    )
    qs = services.visible_resources(user, KIND_OF_TAB[tab]).select_related("division", "enterprise")
    if request.GET.get("retired") != "1":
        qs = qs.filter(active=True)
    if tab == "warehouses":
        qs = qs.annotate(
            n_supplies=Count(
                "supplies", filter=~Q(supplies__state=SupplyState.SCRAPPED), distinct=True
            ),
            n_warned=Count(
                "supplies",
                filter=Q(supplies__in=warned),
                distinct=True,
            ),
        )
    page = Paginator(qs.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "emergency/resource_list.html",
        {
            "tab": tab,
            "tabs": [
                {"key": t, "label": label, "count": counts[t]}
                for t, label in (
                    ("teams", _("Rescue teams")),
                    ("warehouses", _("Warehouses and supplies")),
                    ("experts", _("Experts")),
                    ("shelters", _("Shelters")),
                )
            ],
            "page": page,
            "may_add": services.may_add(user),
            "warning_counts": warning_counts,
            "warnings_total": sum(warning_counts.values()),
            "notice_days": days,
            "map_points": _map_points(user),
            "map_areas": _areas(user),
            "map_labels": {
                "teams": _("Rescue teams"),
                "warehouses": _("Warehouses"),
                "experts": _("Experts"),
                "shelters": _("Shelters"),
                "lon": _("longitude"),
                "lat": _("latitude"),
            },
            "show_retired": request.GET.get("retired") == "1",
        },
    )


@login_required
@require_GET
def team(request: HttpRequest, pk: int) -> HttpResponse:
    row = _get(request.user, "team", pk)
    return render(
        request,
        "emergency/resource_team.html",
        {
            "team": row,
            "roster": list(row.roster.all()),
            "specialities": [dict(Speciality.choices).get(s, s) for s in row.specialities],
            "may_change": services.may_change(request.user, row),
        },
    )


@login_required
@require_GET
def warehouse(request: HttpRequest, pk: int) -> HttpResponse:
    row = _get(request.user, "warehouse", pk)
    today = timezone.localdate()
    days = services.notice_days()
    supplies = list(
        scoping.visible(request.user, Supply)
        .filter(warehouse=row)
        .select_related("kind")
        .order_by("kind__code", "pk")
    )
    labels = services.warning_labels()
    rows = [
        {
            "supply": s,
            "warnings": [
                {"kind": w.kind, "label": labels[w.kind]}
                for w in rules.supply_warnings(services.facts(s), today=today, notice_days=days)
            ],
        }
        for s in supplies
    ]
    return render(
        request,
        "emergency/resource_warehouse.html",
        {"warehouse": row, "rows": rows, "may_change": services.may_change(request.user, row)},
    )


def _form_page(
    request: HttpRequest, kind: str, row: Any, save: Any, done: Any, *, parent: Any = None
) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    values = _initial(kind, row)
    status = 200
    if request.method == "POST":
        values = _posted(kind, request.POST)
        try:
            saved = save(values)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except Conflict as exc:
            errors, status = {"__all__": [str(exc)]}, 409
        else:
            return redirect(done(saved))
    new, change = HEADINGS[kind]
    return render(
        request,
        "emergency/resource_form.html",
        {
            "kind": kind,
            "heading": change if row is not None else new,
            "fields": _fields(kind, values, errors),
            "non_field_errors": errors.get("__all__", []),
            "row": row,
            "parent": parent,
            "updated_at": row.updated_at.isoformat() if row is not None else "",
        },
        status=status,
    )


def _detail_url(kind: str, row: Any) -> str:
    if kind == "team":
        return reverse("emergency:team", args=[row.pk])
    if kind == "warehouse":
        return reverse("emergency:warehouse", args=[row.pk])
    return reverse("emergency:resources") + f"?tab={kind}s"


def _new(kind: str):
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest) -> HttpResponse:
        if not services.may_add(request.user):
            raise PermissionDenied(_("Only the keepers of emergency resources may add them."))
        return _form_page(
            request,
            kind,
            None,
            lambda data: services.resource_create(actor=_actor(request), kind=kind, data=data),
            lambda row: _detail_url(kind, row),
        )

    view.__name__ = f"{kind}_new"
    return view


def _edit(kind: str):
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        row = _get(request.user, kind, pk)
        if not services.may_change(request.user, row):
            raise PermissionDenied(
                _("You may see this resource but not change it: its keeper does.")
            )
        return _form_page(
            request,
            kind,
            row,
            lambda data: services.resource_update(
                actor=_actor(request),
                kind=kind,
                pk=pk,
                data=data,
                expected_updated_at=request.POST.get("updated_at") or None,
            ),
            lambda saved: _detail_url(kind, saved),
        )

    view.__name__ = f"{kind}_edit"
    return view


team_new, team_edit = _new("team"), _edit("team")
warehouse_new, warehouse_edit = _new("warehouse"), _edit("warehouse")
expert_new, expert_edit = _new("expert"), _edit("expert")
shelter_new, shelter_edit = _new("shelter"), _edit("shelter")


@login_required
@require_http_methods(["GET", "POST"])
def supply_new(request: HttpRequest, pk: int) -> HttpResponse:
    house = _get(request.user, "warehouse", pk)
    if not services.may_change(request.user, house):
        raise PermissionDenied(_("You may see this resource but not change it: its keeper does."))
    return _form_page(
        request,
        "supply",
        None,
        lambda data: services.supply_create(actor=_actor(request), warehouse_id=pk, data=data),
        lambda saved: reverse("emergency:warehouse", args=[pk]),
        parent=house,
    )


@login_required
@require_http_methods(["GET", "POST"])
def supply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    supply = (
        scoping.visible(request.user, Supply)
        .select_related("warehouse", "kind")
        .filter(pk=pk)
        .first()
    )
    if supply is None:
        raise Http404(_("No such supply record in your scope."))
    if not services.may_change(request.user, supply.warehouse):
        raise PermissionDenied(_("You may see this resource but not change it: its keeper does."))
    return _form_page(
        request,
        "supply",
        supply,
        lambda data: services.supply_update(
            actor=_actor(request),
            pk=pk,
            data=data,
            expected_updated_at=request.POST.get("updated_at") or None,
        ),
        lambda saved: reverse("emergency:warehouse", args=[saved.warehouse_id]),
        parent=supply.warehouse,
    )


@login_required
@require_POST
def resource_retire(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in ("team", "warehouse", "expert", "shelter", "supply"):
        raise Http404
    try:
        if kind == "supply":
            row = services.supply_retire(
                actor=_actor(request), pk=pk, reason=request.POST.get("reason", "")
            )
            target = reverse("emergency:warehouse", args=[row.warehouse_id])
        else:
            services.resource_retire(
                actor=_actor(request), kind=kind, pk=pk, reason=request.POST.get("reason", "")
            )
            target = reverse("emergency:resources") + f"?tab={kind}s"
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except (Conflict, ValidationFailed) as exc:
        return HttpResponse(str(exc), status=409 if isinstance(exc, Conflict) else 422)
    return redirect(target)


@login_required
@require_GET
def supply_warnings(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in rules.KINDS:
        kind = ""
    today = timezone.localdate()
    labels = services.warning_labels()
    rows = [
        {
            "supply": r.supply,
            "warnings": [
                {"kind": w.kind, "label": labels[w.kind], "missing": w.missing} for w in r.warnings
            ],
        }
        for r in services.warning_rows(request.user, kind=kind, today=today)
    ]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "emergency/resource_warnings.html",
        {
            "page": page,
            "kind": kind,
            "filters": [{"key": "", "label": _("all")}]
            + [{"key": k, "label": labels[k]} for k in rules.KINDS],
            "labels": labels,
            "notice_days": services.notice_days(),
            "total": len(rows),
        },
    )


# --- import --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def resources_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not services.may_add(user):
        raise PermissionDenied(_("Only the keepers of emergency resources may import them."))
    kind = request.POST.get("kind") or request.GET.get("kind") or "teams"
    if kind not in importer.KINDS:
        kind = "teams"
    errors: list[dict] = []
    result = None
    filename = ""
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors, status = (
                [sheets.file_error(_("Choose the .xlsx file to import.")).as_dict()],
                422,
            )
        else:
            filename = upload.name or ""
            try:
                result = importer.import_resources(
                    actor=_actor(request), kind=kind, source=upload, filename=filename
                )
            except sheets.ImportRejected as exc:
                errors, status = exc.as_list(), 422
            except Forbidden as exc:
                raise PermissionDenied(str(exc)) from exc
    return render(
        request,
        "emergency/resource_import.html",
        {
            "kind": kind,
            "kinds": [{"key": k, "label": importer.SHEET_NAMES[k]} for k in importer.KINDS],
            "columns": importer.columns(kind),
            "max_rows": importer.MAX_ROWS,
            "errors": errors,
            "result": result,
            "filename": filename,
            "template_url": reverse("emergency:resources-import-template", args=[kind]),
        },
        status=status,
    )


@login_required
@require_GET
def resources_import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in importer.KINDS:
        raise Http404
    from urllib.parse import quote

    response = HttpResponse(importer.build_template(kind), content_type=importer.CONTENT_TYPE)
    name = importer.FILENAMES[kind]
    response["Content-Disposition"] = (
        f"attachment; filename=\"emergency-{kind}-template.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return response


__all__ = ["Warehouse"]

"""Check-list pages: the library (lists for the enterprise's industry, its own lists, what
it adopted), a list with its items and the adoption form, a new list of the enterprise's
own, and an adopted task's items (add one, stop checking one). Regulators read the library
and the enterprises' lists in their scope; only the enterprise's principal and safety
officer (and an expert helping it) change them (checklist_services)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.registry.models import Enterprise, Industry
from anjian.risks.models import CheckTask, CycleUnit, RiskUnit

from . import checklist_services as cs
from .models import ChecklistAdoption, TaskItem
from .views import is_enterprise_user, is_regulator


def _own_enterprise(user: Any) -> Enterprise | None:
    if not is_enterprise_user(user):
        return None
    return Enterprise.objects.select_related("industry__parent__parent").get(pk=user.enterprise_id)


def _require_reader(user: Any) -> None:
    if not (is_enterprise_user(user) or is_regulator(user)):
        raise PermissionDenied(_("Your role does not use this page."))


def _adoptions(enterprise: Enterprise):
    return (
        ChecklistAdoption.objects.filter(enterprise=enterprise)
        .select_related("checklist", "task", "unit")
        .annotate(active_items=Count("task__items", filter=Q(task__items__active=True)))
        .order_by("-task__active", "-adopted_at")
    )


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_reader(user)
    enterprise = _own_enterprise(user)
    industry = request.GET.get("industry", "")
    if enterprise is not None:
        lists = cs.lists_for(user, enterprise)
    else:
        lists = cs.visible_checklists(user)
        if industry:
            lists = lists.filter(industry__code=industry)
    lists = lists.select_related("industry", "enterprise").annotate(item_count=Count("items"))
    return render(
        request,
        "checks/library.html",
        {
            "enterprise": enterprise,
            "library_lists": [c for c in lists if c.enterprise_id is None],
            "own_lists": [c for c in lists if c.enterprise_id is not None],
            "adoptions": list(_adoptions(enterprise)) if enterprise else [],
            "can_manage": bool(enterprise and scoping.can_manage_risks(user, enterprise)),
            "industries": Industry.objects.filter(checklists__enterprise__isnull=True)
            .distinct()
            .order_by("sort", "code")
            if enterprise is None
            else [],
            "industry": industry,
            "section": "checks",
        },
    )


def _adopt_data(request: HttpRequest) -> dict[str, Any]:
    return {
        "name": request.POST.get("name", ""),
        "cycle": request.POST.get("cycle", ""),
        "cycle_unit": request.POST.get("cycle_unit", ""),
        "responsible_person": request.POST.get("responsible_person", ""),
        "unit_id": request.POST.get("unit_id") or None,
        "positions": request.POST.getlist("positions"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def checklist(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_reader(user)
    found = get_object_or_404(
        cs.visible_checklists(user)
        .select_related("industry", "enterprise")
        .prefetch_related("items"),
        pk=pk,
    )
    enterprise = _own_enterprise(user)
    applicable = enterprise is not None and cs.lists_for(user, enterprise).filter(pk=pk).exists()
    can_adopt = applicable and scoping.can_manage_risks(user, enterprise)
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"cycle": "1", "cycle_unit": CycleUnit.MONTH, "positions": None}
    status = 200
    if request.method == "POST":
        if not can_adopt:
            raise PermissionDenied(
                _("Only the enterprise's principal or safety officer adopts lists.")
            )
        data = _adopt_data(request)
        try:
            adoption = cs.checklist_adopt(
                actor=Actor.for_user(user, "web"),
                checklist_id=pk,
                enterprise_id=enterprise.pk,
                data=data,
            )
        except ValidationFailed as exc:
            errors, status = exc.errors, 400
        except Conflict as exc:
            errors, status = {"__all__": [str(exc)]}, 409
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            return redirect("checks:adopted_task", adoption.task_id)
    chosen = data.get("positions")
    return render(
        request,
        "checks/checklist.html",
        {
            "checklist": found,
            "items": list(found.items.all()),
            "chosen": {int(p) for p in chosen if str(p).isdigit()} if chosen else None,
            "can_adopt": can_adopt,
            "data": data,
            "errors": errors,
            "general": errors.get("__all__", []),
            "units": RiskUnit.objects.filter(enterprise=enterprise).order_by("name")
            if can_adopt
            else [],
            "cycle_units": CycleUnit.choices,
            "section": "checks",
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def checklist_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    enterprise = _own_enterprise(user)
    if enterprise is None or not scoping.can_manage_risks(user, enterprise):
        raise PermissionDenied(_("Only the enterprise's principal or safety officer makes lists."))
    errors: dict[str, list[str]] = {}
    data = {"name": "", "basis": "", "items": ""}
    status = 200
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in data}
        try:
            made = cs.checklist_create(
                actor=Actor.for_user(user, "web"), enterprise_id=enterprise.pk, data=data
            )
        except ValidationFailed as exc:
            errors, status = exc.errors, 400
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            return redirect("checks:checklist", made.pk)
    return render(
        request,
        "checks/checklist_new.html",
        {"data": data, "errors": errors, "section": "checks"},
        status=status,
    )


def _visible_adopted(user: Any, task_id: int) -> CheckTask:
    return get_object_or_404(
        scoping.visible(user, CheckTask)
        .filter(from_checklist=True)
        .select_related("adoption__checklist", "adoption__unit", "enterprise")
        .prefetch_related(Prefetch("items", queryset=TaskItem.objects.order_by("position"))),
        pk=task_id,
    )


@login_required
@require_GET
def adopted_task(request: HttpRequest, pk: int) -> HttpResponse:
    return _adopted_page(request, pk)


def _adopted_page(
    request: HttpRequest, pk: int, errors: dict[str, list[str]] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    _require_reader(user)
    task = _visible_adopted(user, pk)
    items = list(task.items.all())
    return render(
        request,
        "checks/adopted_task.html",
        {
            "task": task,
            "active_items": [i for i in items if i.active],
            "retired_items": [i for i in items if not i.active],
            "can_manage": scoping.can_manage_risks(user, task.enterprise),
            "errors": errors or {},
            "general": (errors or {}).get("__all__", []),
            "data": {
                "content": request.POST.get("content", ""),
                "basis": request.POST.get("basis", ""),
            }
            if errors
            else {},
            "section": "checks",
        },
        status=status,
    )


@login_required
@require_POST
def adopted_task_item(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an item (no item_id) or stop checking one (item_id)."""
    actor = Actor.for_user(request.user, "web")
    raw = request.POST.get("item_id")
    try:
        if raw:
            if not raw.isdigit():
                raise Http404
            if not TaskItem.objects.filter(pk=int(raw), task_id=pk).exists():
                raise Http404
            cs.task_item_retire(actor=actor, item_id=int(raw))
        else:
            cs.task_item_add(
                actor=actor,
                task_id=pk,
                data={
                    "content": request.POST.get("content", ""),
                    "basis": request.POST.get("basis", ""),
                },
            )
    except ValidationFailed as exc:
        return _adopted_page(request, pk, exc.errors, 400)
    except Conflict as exc:
        return _adopted_page(request, pk, {"__all__": [str(exc)]}, 409)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    return redirect("checks:adopted_task", pk)

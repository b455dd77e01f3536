"""Pages of emergency drills (issue 14 items 2 and 7), scoped by
anjian.core.scoping.visible: the list (for regulators with the drill-frequency compliance
of every enterprise in scope, overdue first, and the unannounced drills' response times
side by side; for the enterprise its own obligations), planning a drill, ordering an
unannounced one, one drill with its steps (big buttons on a phone), and one enterprise's
obligations."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anjian.accounts.models import ENTERPRISE_ROLES, Role
from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.registry.models import Enterprise

from . import drill_forms as f
from . import drill_rules as rules
from . import drill_services as services
from . import drill_workflow as wf
from .models import Drill, Plan

PAGE_SIZE = 30
COMPLIANCE_PAGE_SIZE = 50


def _require_user(user: Any) -> None:
    if not (
        scoping.is_active_user(user)
        and (user.is_regulator or user.role in ENTERPRISE_ROLES or user.role == Role.PLATFORM_ADMIN)
    ):
        raise PermissionDenied(_("Your role does not use this page."))


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def _profile(request: HttpRequest) -> str:
    form = f.ProfileForm(services.profile_labels(), request.GET or None)
    if form.is_valid() and form.cleaned_data.get("profile"):
        return form.cleaned_data["profile"]
    return services.default_profile()


def _add_errors(form: Any, exc: ValidationFailed) -> None:
    for field, messages in exc.errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def _obligations(compliance: rules.Compliance) -> list[dict[str, Any]]:
    labels = services.obligation_labels()
    statuses = services.status_labels()
    return [
        {
            "o": o,
            "label": labels[o.code],
            "status_label": statuses[o.status],
        }
        for o in compliance.obligations
    ]


def _times_row(drill: Drill) -> dict[str, Any]:
    return {"drill": drill, "times": services.times(drill)}


# --- list ----------------------------------------------------------------------------------


@login_required
@require_GET
def drill_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_user(user)
    profile = _profile(request)
    is_enterprise = user.role in ENTERPRISE_ROLES
    drills = services.visible_drills(user).select_related("enterprise", "plan").order_by("-pk")
    page = Paginator(drills, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "is_enterprise": is_enterprise,
        "profile": profile,
        "profile_form": f.ProfileForm(services.profile_labels(), initial={"profile": profile}),
        "may_plan": services.may_plan(user),
        "may_order": services.may_order(user),
        "status_labels": services.status_labels(),
    }
    if is_enterprise and user.enterprise_id:
        enterprise = Enterprise.objects.select_related("industry__parent").get(
            pk=user.enterprise_id
        )
        compliance = services.enterprise_compliance(enterprise, profile=profile)
        context["own"] = {
            "enterprise": enterprise,
            "compliance": compliance,
            "obligations": _obligations(compliance),
        }
    elif not is_enterprise:
        rows = services.jurisdiction_compliance(user, profile=profile)
        compliance = Paginator(rows, COMPLIANCE_PAGE_SIZE).get_page(request.GET.get("cpage"))
        context["compliance"] = compliance
        context["compliance_rows"] = [
            {"row": row, "obligations": _obligations(row.compliance)}
            for row in compliance.object_list
        ]
        unannounced = drills.filter(unannounced=True).select_related("ordered_by")[:PAGE_SIZE]
        context["unannounced"] = [_times_row(d) for d in unannounced]
    return render(request, "emergency/drill_list.html", context)


# --- planning and ordering -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def drill_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not services.may_plan(user):
        raise PermissionDenied(
            _("Only the enterprise's principal or safety officer may plan drills.")
        )
    from anjian.risks.models import RiskUnit

    plans = Plan.objects.filter(
        enterprise_id=user.enterprise_id, state__in=services.CURRENT_PLAN_STATES
    ).order_by("kind", "title")
    units = RiskUnit.objects.filter(enterprise_id=user.enterprise_id).order_by("name")
    form = f.DrillPlanForm(plans, units, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            drill = services.drill_plan(
                actor=_actor(request),
                kind=d["kind"],
                level=d["level"],
                plan_id=d["plan"].pk if d.get("plan") else None,
                risk_unit_id=d["risk_unit"].pk if d.get("risk_unit") else None,
                scenario=d["scenario"],
                planned_for=d.get("planned_for"),
            )
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            return redirect("emergency:drill", pk=drill.pk)
    return render(
        request,
        "emergency/drill_form.html",
        {"form": form, "ordering": False},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def drill_order(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not services.may_order(user):
        raise PermissionDenied(
            _("Only the safety committee office or a department officer may order drills.")
        )
    enterprises = services.orderable_enterprises(user).order_by("name")
    initial = {}
    wanted = request.GET.get("enterprise", "")
    if wanted.isdigit():
        initial["enterprise"] = int(wanted)
    form = f.DrillOrderForm(enterprises, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            drill = services.drill_order(
                actor=_actor(request),
                enterprise_id=d["enterprise"].pk,
                kind=d["kind"],
                scenario=d["scenario"],
            )
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            return redirect("emergency:drill", pk=drill.pk)
    return render(
        request,
        "emergency/drill_form.html",
        {"form": form, "ordering": True},
        status=400 if form.errors else 200,
    )


# --- one drill -----------------------------------------------------------------------------


def _load(request: HttpRequest, pk: int) -> Drill:
    _require_user(request.user)
    drill = (
        services.visible_drills(request.user)
        .select_related("enterprise", "plan", "risk_unit", "ordered_by", "created_by")
        .filter(pk=pk)
        .first()
    )
    if drill is None:
        raise Http404(_("No such drill in your scope."))
    return drill


def _ids(action: str) -> str:
    return f"id_{action}_%s"


FORMS: dict[str, Any] = {
    wf.ACKNOWLEDGE: f.EmptyForm,
    wf.START: f.EmptyForm,
    wf.FINISH: f.FinishForm,
    wf.EVALUATE: f.EvaluateForm,
    wf.CANCEL: f.CancelForm,
}


def _detail(
    request: HttpRequest,
    drill: Drill,
    *,
    bound: dict[str, Any] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    labels = services.action_labels()
    actions = [
        {
            "action": a,
            "label": labels[a],
            "form": bound.get(a) or _form(drill, a),
            "open": a in bound,
            "big": a in (wf.ACKNOWLEDGE, wf.START, wf.FINISH),
        }
        for a in services.available(request.user, drill)
    ]
    return render(
        request,
        "emergency/drill_detail.html",
        {
            "drill": drill,
            "times": services.times(drill),
            "findings": drill.findings.select_related("hazard", "trigger"),
            "events": drill.events.select_related("actor"),
            "action_labels": labels,
            "actions": actions,
            "refusal": refusal,
        },
        status=status,
    )


@login_required
@require_GET
def drill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _load(request, pk))


WORKER_CHOICES_LIMIT = 500


def _form(drill: Drill, action: str, data: Any = None) -> Any:
    form = FORMS[action](data, auto_id=_ids(action))
    if action == wf.FINISH:
        from anjian.people.models import Worker

        workers = Worker.objects.filter(enterprise_id=drill.enterprise_id, active=True).order_by(
            "name", "pk"
        )[:WORKER_CHOICES_LIMIT]
        form.fields["workers"].choices = [(w.pk, w.name) for w in workers]
        if not form.fields["workers"].choices:
            del form.fields["workers"]
    return form


def _call(request: HttpRequest, drill: Drill, action: str, form: Any) -> Any:
    common = {"actor": _actor(request), "drill_id": drill.pk}
    d = form.cleaned_data
    if action == wf.ACKNOWLEDGE:
        return services.drill_acknowledge(**common)
    if action == wf.START:
        return services.drill_start(**common)
    if action == wf.FINISH:
        return services.drill_finish(
            **common, participants=d["participants"], workers=d.get("workers") or []
        )
    if action == wf.EVALUATE:
        return services.drill_evaluate(
            **common, evaluation=d["evaluation"], findings=form.findings()
        )
    return services.drill_cancel(**common, reason=d["reason"])


@login_required
@require_POST
def drill_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    drill = _load(request, pk)
    if action not in wf.ACTIONS:
        raise Http404(_("No such step."))
    form = _form(drill, action, request.POST)
    if not form.is_valid():
        return _detail(request, drill, bound={action: form}, status=400)
    try:
        _call(request, drill, action, form)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except Forbidden as exc:
        return _detail(request, drill, refusal=str(exc), status=403)
    except Conflict as exc:
        return _detail(request, drill, refusal=str(exc), status=409)
    except ValidationFailed as exc:
        for field, messages in exc.errors.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        return _detail(request, drill, bound={action: form}, status=400)
    return redirect("emergency:drill", pk=pk)


# --- one enterprise's obligations ----------------------------------------------------------


@login_required
@require_GET
def drill_compliance(request: HttpRequest, enterprise_pk: int) -> HttpResponse:
    user = request.user
    _require_user(user)
    enterprise = (
        scoping.visible_enterprises(user)
        .select_related("industry__parent", "division")
        .filter(pk=enterprise_pk)
        .first()
    )
    if enterprise is None:
        raise Http404(_("No such enterprise in your jurisdiction."))
    profile = _profile(request)
    compliance = services.enterprise_compliance(enterprise, profile=profile)
    drills = (
        services.visible_drills(user)
        .filter(enterprise=enterprise)
        .select_related("plan")
        .order_by("-pk")[:PAGE_SIZE]
    )
    return render(
        request,
        "emergency/drill_compliance.html",
        {
            "enterprise": enterprise,
            "compliance": compliance,
            "obligations": _obligations(compliance),
            "status_label": services.status_labels()[compliance.status],
            "drills": [_times_row(d) for d in drills],
            "profile": profile,
            "profile_form": f.ProfileForm(services.profile_labels(), initial={"profile": profile}),
            "may_order": services.may_order(user)
            and services.orderable_enterprises(user).filter(pk=enterprise.pk).exists(),
        },
    )

"""Pages of emergency plans (issue 14 items 1 and 7), scoped by anjian.core.scoping:
the list with filters; a new draft and its editing; one plan with its versions, state,
deadlines in working days, the steps the user may take now, the revision triggers and
the history; and the regulators' filing desk (plans awaiting the check, who is overdue).
Views parse, call one service, render."""

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

from . import plan_forms as f
from . import plan_services as ps
from . import plan_workflow as wf
from .models import GB6441_TYPES, Plan

PAGE_SIZE = 30
TYPE_NAMES = dict(GB6441_TYPES)


def _require_user(user: Any) -> None:
    if not (
        scoping.is_active_user(user)
        and (user.is_regulator or user.role in ENTERPRISE_ROLES or user.role == Role.PLATFORM_ADMIN)
    ):
        raise PermissionDenied(_("Your role does not use this page."))


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def _add_errors(form: Any, exc: ValidationFailed, aliases: dict[str, str] | None = None) -> None:
    for field, messages in exc.errors.items():
        name = (aliases or {}).get(field, field)
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


# --- list ----------------------------------------------------------------------------------


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_user(user)
    form = f.PlanFilterForm(request.GET or None)
    params: dict[str, str] = {}
    if form.is_valid():
        params = {k: v for k, v in form.cleaned_data.items() if v}
    qs = ps.search_plans(user, params).order_by("-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(plan, ps.deadlines(plan)) for plan in page.object_list]
    return render(
        request,
        "emergency/plan_list.html",
        {
            "page": page,
            "rows": rows,
            "form": form,
            "query": "&".join(f"{k}={v}" for k, v in params.items()),
            "may_draft": ps.may_draft(user),
            "is_regulator": ps.is_regulator(user),
        },
    )


# --- drafting --------------------------------------------------------------------------------


_ALIASES = {"risk_unit_ids": "risk_units", "installation_ids": "installations"}


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not ps.may_draft(user):
        raise PermissionDenied(
            _("Only an enterprise's principal or safety officer drafts its plans.")
        )
    form = f.PlanForm(user, user.enterprise_id, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = ps.plan_create(actor=_actor(request), values=form.values())
        except ValidationFailed as exc:
            _add_errors(form, exc, _ALIASES)
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            return redirect("emergency:plan", pk=plan.pk)
    return render(
        request,
        "emergency/plan_form.html",
        {"form": form, "plan": None},
        status=400 if form.errors else 200,
    )


def _load(request: HttpRequest, pk: int) -> Plan:
    _require_user(request.user)
    plan = (
        ps.visible_plans(request.user)
        .select_related(
            "enterprise",
            "filing_department",
            "filing_division",
            "signed_by",
            "filed_by",
            "created_by",
            "previous",
        )
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise Http404(_("No such plan in your scope."))
    return plan


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _load(request, pk)
    if wf.EDIT not in ps.available(request.user, plan):
        raise PermissionDenied(
            _("Only a draft is edited, by the enterprise's principal or safety officer.")
        )
    initial = {
        "kind": plan.kind,
        "title": plan.title,
        "post": plan.post,
        "summary": plan.summary,
        "accident_types": plan.accident_types,
        "response_levels": f.rows_text(plan.response_levels, f.LEVEL_FIELDS),
        "roles": f.rows_text(plan.roles, f.ROLE_FIELDS),
        "risk_units": list(plan.risk_units.values_list("pk", flat=True)),
        "installations": list(plan.installations.values_list("pk", flat=True)),
    }
    form = f.PlanForm(request.user, plan.enterprise_id, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ps.plan_update(actor=_actor(request), plan_id=plan.pk, values=form.values())
        except ValidationFailed as exc:
            _add_errors(form, exc, _ALIASES)
        except (Forbidden, Conflict) as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            return redirect("emergency:plan", pk=plan.pk)
    return render(
        request,
        "emergency/plan_form.html",
        {"form": form, "plan": plan},
        status=400 if form.errors else 200,
    )


# --- one plan ------------------------------------------------------------------------------


def _ids(action: str) -> str:
    return f"id_{action}_%s"


def _build(plan: Plan, action: str, data: Any = None) -> Any:
    auto = _ids(action)
    if action == wf.SIGN:
        return f.SignForm(data, auto_id=auto)
    if action == wf.SUBMIT:
        initial = {}
        if plan.filing_department_id:
            initial["department"] = str(plan.filing_department_id)
        return f.SubmitForm(ps.filing_authorities(plan), data, auto_id=auto, initial=initial)
    if action == wf.FILE:
        return f.FileForm(data, auto_id=auto)
    if action == wf.RETURN:
        return f.ReturnForm(data, auto_id=auto)
    if action == wf.EVALUATE:
        return f.EvaluateForm(data, auto_id=auto)
    if action == wf.TRIGGER:
        return f.TriggerForm(data, auto_id=auto)
    return f.EmptyForm(data, auto_id=auto)


def _detail(
    request: HttpRequest,
    plan: Plan,
    *,
    bound: dict[str, Any] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    labels = ps.action_labels()
    actions = [
        a for a in ps.available(request.user, plan) if a != wf.EDIT
    ]  # editing is its own page
    bound = bound or {}
    return render(
        request,
        "emergency/plan_detail.html",
        {
            "plan": plan,
            "may_edit": wf.EDIT in ps.available(request.user, plan),
            "deadlines": ps.deadlines(plan),
            "versions": ps.versions(plan),
            "type_names": [TYPE_NAMES.get(c, c) for c in plan.accident_types],
            "risk_units": plan.risk_units.all(),
            "installations": plan.installations.all(),
            "triggers": plan.triggers.select_related("raised_by", "resolved_by"),
            "open_triggers": ps.open_triggers(plan).select_related("plan", "raised_by"),
            "actions": [
                {
                    "action": a,
                    "label": labels[a],
                    "form": bound.get(a) or _build(plan, a),
                    "open": a in bound,
                }
                for a in actions
            ],
            "events": plan.events.select_related("actor"),
            "action_labels": labels,
            "refusal": refusal,
            "review_kind": ps.review_kind(plan),
        },
        status=status,
    )


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _load(request, pk))


def _call(request: HttpRequest, plan: Plan, action: str, form: Any) -> Plan | Any:
    who = _actor(request)
    d = form.cleaned_data
    if action == wf.SIGN:
        return ps.plan_sign(actor=who, plan_id=plan.pk, issued_on=d.get("issued_on"))
    if action == wf.SUBMIT:
        return ps.plan_submit(actor=who, plan_id=plan.pk, department_id=d.get("department"))
    if action == wf.FILE:
        return ps.plan_file(actor=who, plan_id=plan.pk, filing_number=d["filing_number"])
    if action == wf.RETURN:
        return ps.plan_return(actor=who, plan_id=plan.pk, missing=d["missing"])
    if action == wf.REVISE:
        return ps.plan_revise(actor=who, plan_id=plan.pk)
    if action == wf.EVALUATE:
        return ps.plan_evaluate(
            actor=who,
            plan_id=plan.pk,
            evaluated_on=d.get("evaluated_on"),
            conclusion=d.get("conclusion", ""),
            needs_revision=bool(d.get("needs_revision")),
        )
    return ps.revision_trigger_raise(
        actor=who, plan_id=plan.pk, reason=d["reason"], note=d.get("note", "")
    )


@login_required
@require_POST
def plan_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    plan = _load(request, pk)
    if action not in wf.ACTIONS or action == wf.EDIT:
        raise Http404(_("No such step."))
    form = _build(plan, action, request.POST)
    if not form.is_valid():
        return _detail(request, plan, bound={action: form}, status=400)
    try:
        result = _call(request, plan, action, form)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except Forbidden as exc:
        return _detail(request, plan, refusal=str(exc), status=403)
    except Conflict as exc:
        return _detail(request, plan, refusal=str(exc), status=409)
    except ValidationFailed as exc:
        _add_errors(form, exc, {"department_id": "department"})
        return _detail(request, plan, bound={action: form}, status=400)
    if action == wf.REVISE:
        return redirect("emergency:plan", pk=result.pk)
    return redirect("emergency:plan", pk=pk)


# --- the filing desk -------------------------------------------------------------------------


@login_required
@require_GET
def plan_filings(request: HttpRequest) -> HttpResponse:
    user = request.user
    try:
        desk = ps.filing_desk(user)
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    return render(
        request,
        "emergency/plan_filings.html",
        {
            "desk": desk,
            "awaiting": [
                (p, ps.deadlines(p, desk.today), ps.is_filer(user, p)) for p in desk.awaiting
            ],
            "filing_overdue": [(p, ps.deadlines(p, desk.today)) for p in desk.filing_overdue],
        },
    )

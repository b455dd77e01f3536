"""The special-work permit pages (issue 15 items 6 and 8): the list (today's and open
permits first; a regulator's view across enterprises with refusals for unlicensed
operators), applying, one permit with its licence checks and gas analyses, and the POSTs
of its steps. Views parse, call one service, render; phone-first for the field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

from . import permit_forms as f
from . import permit_services as ps
from . import permit_workflow as wf
from .models import PermitKind, Worker


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


@login_required
@require_GET
def permit_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    params = {k: request.GET.get(k, "") for k in ("state", "kind", "enterprise")}
    page = Paginator(ps.search_permits(user, params), 30).get_page(request.GET.get("page"))
    overview = None
    if ps.is_regulator(user):
        overview = ps.regulator_overview(user)
    return render(
        request,
        "people/permit_list.html",
        {
            "page": page,
            "overview": overview,
            "may_apply": ps.may_apply(user),
            "kinds": PermitKind.choices,
            "params": params,
            "open_states": wf.OPEN,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def permit_new(request: HttpRequest) -> HttpResponse:
    if not ps.may_apply(request.user):
        raise Http404
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = f.apply_values(request.POST)
        try:
            permit = ps.permit_apply(actor=_actor(request), values=values)
        except ValidationFailed as exc:
            errors = exc.errors
        except Forbidden as exc:
            errors = {"__all__": [str(exc)]}
        else:
            return redirect("people:permit", permit.pk)
    workers = Worker.objects.filter(enterprise_id=request.user.enterprise_id, active=True)
    return render(
        request,
        "people/permit_new.html",
        {
            "errors": errors,
            "general_errors": errors.get("__all__", []),
            "values": request.POST if request.method == "POST" else {},
            "kinds": PermitKind.choices,
            "grades": f.grade_choices(),
            "workers": workers,
        },
        status=422 if errors else 200,
    )


@login_required
@require_GET
def permit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        permit = ps.get_permit(request.user, pk)
    except NotFound as exc:
        raise Http404 from exc
    analyses = [
        (a, [ps.finding_text(x) for x in a.findings]) for a in permit.analyses.order_by("pk")
    ]
    return render(
        request,
        "people/permit_detail.html",
        {
            "permit": permit,
            "grade_label": ps.grade_label(permit.kind, permit.grade),
            "operators": permit.workers.order_by("pk"),
            "licences": [(c, ps.licence_labels()[c.status]) for c in ps.licence_checks(permit)],
            "category": ps.rules.certificate_category(permit.kind),
            "analyses": analyses,
            "events": permit.events.select_related("actor").order_by("pk"),
            "labels": ps.action_labels(),
            "actions": ps.available(request.user, permit),
            "refusal_lines": permit.refusal.splitlines(),
        },
    )


@login_required
@require_POST
def permit_act(request: HttpRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action", "")
    a = _actor(request)
    try:
        if action == wf.ISSUE:
            permit = ps.permit_issue(actor=a, permit_id=pk)
            if permit.state == wf.REFUSED:
                messages.error(request, _("The permit was refused."))
        elif action == wf.START:
            ps.permit_start(actor=a, permit_id=pk)
        elif action == wf.CLOSE:
            ps.permit_close(
                actor=a,
                permit_id=pk,
                site_checked=request.POST.get("site_checked") == "on",
                note=request.POST.get("note", ""),
            )
        elif action == wf.CANCEL:
            ps.permit_cancel(actor=a, permit_id=pk, reason=request.POST.get("reason", ""))
        else:
            raise NotFound(_("Unknown step."))
    except NotFound as exc:
        raise Http404 from exc
    except ValidationFailed as exc:
        for msgs in exc.errors.values():
            for m in msgs:
                messages.error(request, m)
    except (Forbidden, Conflict) as exc:
        messages.error(request, str(exc))
    return redirect("people:permit", pk)


@login_required
@require_POST
def permit_gas(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        ps.gas_analysis_add(actor=_actor(request), permit_id=pk, values=f.gas_values(request.POST))
    except NotFound as exc:
        raise Http404 from exc
    except ValidationFailed as exc:
        for msgs in exc.errors.values():
            for m in msgs:
                messages.error(request, m)
    except (Forbidden, Conflict) as exc:
        messages.error(request, str(exc))
    return redirect("people:permit", pk)

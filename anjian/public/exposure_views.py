"""Pages of the exposure board (曝光台, issue 15 item 3).

Public, without sign-in: `public:exposures` (published entries, newest first, filter by
ground) and `public:exposure` (one published entry; a withdrawn one answers 410 with a
notice that it was withdrawn and when, nothing else; anything else 404). The regulators'
pages, scoped by anjian.core.scoping.visible: the entries in scope by state, the
candidates (records in scope that could ground an entry and have none yet), the proposal
form and one entry with its history and the steps the user may take now.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

from . import exposure_forms as f
from . import exposure_services as services
from . import exposure_workflow as wf
from .models import Exposure, ExposureGround

PAGE_SIZE = 20


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def _require_regulator(user: Any) -> None:
    if not services.is_board_regulator(user):
        raise PermissionDenied(_("Your role does not use this page."))


# --- public ------------------------------------------------------------------------------------


@require_GET
def exposure_list(request: HttpRequest) -> HttpResponse:
    ground = request.GET.get("ground", "")
    qs = services.public_exposures().select_related("enterprise")
    if ground in ExposureGround.values:
        qs = qs.filter(ground=ground)
    else:
        ground = ""
    page = Paginator(qs.order_by("-published_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "public/exposure_list.html",
        {"page": page, "ground": ground, "grounds": ExposureGround.choices},
    )


@require_GET
def exposure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exposure = Exposure.objects.select_related("enterprise").filter(pk=pk).first()
    if exposure is None or exposure.state not in (wf.PUBLISHED, wf.WITHDRAWN):
        raise Http404(_("No such entry on the exposure board."))
    if exposure.state == wf.WITHDRAWN:
        # Withdrawn: the page says so and when, without the enterprise or the summary.
        return render(
            request,
            "public/exposure_withdrawn.html",
            {"withdrawn_at": exposure.withdrawn_at},
            status=410,
        )
    return render(request, "public/exposure_detail.html", {"e": exposure})


# --- regulators --------------------------------------------------------------------------------


@login_required
@require_GET
def exposure_manage_list(request: HttpRequest) -> HttpResponse:
    _require_regulator(request.user)
    form = f.StateFilterForm(request.GET or None)
    qs = services.visible_exposures(request.user).select_related("enterprise", "proposed_by")
    state = ""
    if form.is_valid() and form.cleaned_data.get("state"):
        state = form.cleaned_data["state"]
        qs = qs.filter(state=state)
    page = Paginator(qs.order_by("-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/exposure_manage_list.html",
        {
            "page": page,
            "form": form,
            "state": state,
            "may_propose": services.may_propose(request.user),
        },
    )


@login_required
@require_GET
def exposure_candidates(request: HttpRequest) -> HttpResponse:
    if not services.may_propose(request.user):
        raise PermissionDenied(
            _("Only a department officer or a coordinator may propose an entry.")
        )
    return render(
        request,
        "public/exposure_candidates.html",
        {"candidates": services.candidates(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def exposure_propose(request: HttpRequest) -> HttpResponse:
    if not services.may_propose(request.user):
        raise PermissionDenied(
            _("Only a department officer or a coordinator may propose an entry.")
        )
    initial = {"ground": request.GET.get("ground", ""), "link_id": request.GET.get("link", "")}
    form = f.ProposeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                exposure = services.exposure_propose(actor=_actor(request), **form.cleaned_data)
            except ValidationFailed as exc:
                for field, messages in exc.errors.items():
                    name = "link_id" if field in ("hazard", "penalty", "accident") else field
                    for message in messages:
                        form.add_error(name if name in form.fields else None, message)
            except Conflict as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("public:exposure-manage", pk=exposure.pk)
        status = 422
    return render(request, "public/exposure_propose.html", {"form": form}, status=status)


def _manage_context(request: HttpRequest, exposure: Exposure, **extra: Any) -> dict[str, Any]:
    actions = services.available(request.user, exposure)
    labels = services.action_labels()
    return {
        "e": exposure,
        "events": exposure.events.select_related("actor").order_by("pk"),
        "actions": [
            {"code": a, "label": labels[a], "needs_reason": a in wf.NEEDS_REASON} for a in actions
        ],
        "action_labels": labels,
        "reason_form": extra.pop("reason_form", None) or f.ReasonForm(),
        **extra,
    }


def _visible_or_404(request: HttpRequest, pk: int) -> Exposure:
    _require_regulator(request.user)
    exposure = (
        services.visible_exposures(request.user)
        .select_related("enterprise", "proposed_by", "approved_by", "hazard", "penalty", "accident")
        .filter(pk=pk)
        .first()
    )
    if exposure is None:
        raise Http404(_("No such exposure board entry in your scope."))
    return exposure


@login_required
@require_GET
def exposure_manage(request: HttpRequest, pk: int) -> HttpResponse:
    exposure = _visible_or_404(request, pk)
    return render(request, "public/exposure_manage.html", _manage_context(request, exposure))


@login_required
@require_POST
def exposure_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    exposure = _visible_or_404(request, pk)
    if action not in wf.ACTIONS:
        raise Http404(_("No such step."))
    reason_form = f.ReasonForm(request.POST) if action in wf.NEEDS_REASON else None
    error = ""
    status = 409
    try:
        services.exposure_step(
            actor=_actor(request),
            exposure_id=pk,
            action=action,
            reason=request.POST.get("reason"),
        )
    except ValidationFailed as exc:
        error = " ".join(m for v in exc.errors.values() for m in v)
        status = 422
    except Forbidden as exc:
        error, status = str(exc), 403
    except Conflict as exc:
        error = str(exc)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    else:
        return redirect("public:exposure-manage", pk=pk)
    exposure.refresh_from_db()
    context = _manage_context(request, exposure, error=error, reason_form=reason_form)
    return render(request, "public/exposure_manage.html", context, status=status)

"""Hazard pages: a hazard with its history and its next steps, the report form (made for
a phone: photograph, describe, submit), one form per workflow step, a photo, and the
similar-hazards fragment of the report form.

Reads start from `scoping.visible(user, Model)`; writes go through
`services.hazard_report` / `services.hazard_act`. A refused step is shown with the
service's own reason (who may take it, or which state it needs), never a bare 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from anjian.accounts.models import ENTERPRISE_ROLES
from anjian.core import scoping, uploads
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.registry.models import Enterprise, Industry
from anjian.risks.models import RiskUnit

from .. import explain, reference, services
from .. import rechecks as rechecks_service
from .. import workflow as wf
from ..forms import ReportForm, field_for, step_form
from ..models import (
    ACTION_LABELS,
    EvaluatorKind,
    Hazard,
    HazardEvent,
    HazardPhoto,
    Level,
    PhotoKind,
    Source,
    SuspensionScope,
)
from .deadlines import deadline_context
from .ledger import STEP_HELP, _row_flags

ENTERPRISE_SOURCE = Source.SELF_CHECK
REGULATOR_SOURCE = Source.GOVERNMENT_INSPECTION


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def _put_errors(form, errors: dict[str, list[str]]) -> None:
    shown = set(form.fields)
    for key, texts in errors.items():
        target = field_for(form, key)
        for text in texts:
            form.add_error(target if target in shown else None, text)


def _hazard(user, pk: int) -> Hazard:
    return get_object_or_404(
        scoping.visible(user, Hazard).select_related(
            "enterprise", "enterprise__division", "risk_unit", "control_measure"
        ),
        pk=pk,
    )


# --- one hazard ------------------------------------------------------------------------------


@login_required
def hazard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    hazard = _hazard(user, pk)
    events = list(
        HazardEvent.objects.filter(hazard=hazard)
        .select_related("actor")
        .prefetch_related(Prefetch("photos", queryset=HazardPhoto.objects.order_by("id")))
        .order_by("at", "id")
    )
    photos = list(hazard.photos.order_by("uploaded_at", "id"))
    options = explain.step_options(hazard, user)
    review = getattr(hazard, "accountability_review", None) if hazard.is_major else None
    today = timezone.localdate()
    rechecks = list(
        rechecks_service.visible_rechecks(user)
        .filter(hazard=hazard)
        .select_related("relapse_hazard", "done_by")
        .order_by("-sampled_on", "-id")
    )
    return render(
        request,
        "hazards/detail.html",
        {
            **deadline_context(user, hazard),
            "rechecks": rechecks,
            "may_notice": hazard.enterprise_id == user.enterprise_id
            or user.role not in ENTERPRISE_ROLES,
            "hazard": hazard,
            "enterprise": hazard.enterprise,
            "events": events,
            "before_photos": [p for p in photos if p.kind == PhotoKind.BEFORE],
            "after_photos": [p for p in photos if p.kind == PhotoKind.AFTER],
            "mine": [o for o in options if o.allowed],
            "waiting": [o for o in options if not o.allowed],
            "path": explain.path(hazard),
            "flags": _row_flags(hazard, today),
            "plan": _plan_rows(hazard),
            "stop": _stop_rows(hazard),
            "reviewer": _reviewer(hazard),
            "review": review,
            "action_labels": {k: str(v) for k, v in ACTION_LABELS.items()},
            "state_labels": {
                **{s: explain.state_label(s) for s in wf.STATES},
                **{s: s for s in wf.RETIRED_STATES},
            },
            "section": "hazards",
        },
    )


def _reviewer(hazard: Hazard) -> str:
    """Who accepts or reviews this hazard, in words."""
    if hazard.review_department_id:
        return hazard.review_department.name
    if hazard.review_division_id:
        return _("%(division)s (safety committee office or grid officer)") % {
            "division": hazard.review_division.name
        }
    return _("the enterprise itself (16号令 第十五条)")


def _stop_rows(hazard: Hazard) -> list[tuple[str, str]]:
    """The stop, the evaluation and the application to resume, as label/value rows."""
    rows: list[tuple[str, str]] = []
    stop = hazard.suspension or {}
    if stop:
        rows.append(
            (_("stopped"), f"{SuspensionScope(stop['scope']).label} {stop.get('part', '')}".strip())
        )
        how = _("order of a regulator") if stop.get("ordered") else _("decided by the enterprise")
        rows.append((_("stopped by"), f"{stop.get('by', '')}（{how}）"))
        rows.append(
            (_("people withdrawn, others moved away, warnings set"), stop.get("withdrawal", ""))
        )
    ev = hazard.evaluation or {}
    if ev:
        rows.append(
            (
                _("evaluated by"),
                f"{EvaluatorKind(ev['evaluator_kind']).label}：{ev.get('evaluator', '')} · {ev.get('evaluated_on', '')}",
            )
        )
        rows.append((_("conclusion"), ev.get("conclusion", "")))
    if hazard.resume_applied_at:
        rows.append(
            (
                _("applied to resume at"),
                timezone.localtime(hazard.resume_applied_at).strftime("%Y-%m-%d %H:%M"),
            )
        )
    if hazard.review_due_on:
        rows.append((_("on-site review due on"), hazard.review_due_on.isoformat()))
    if hazard.resumed_at:
        rows.append(
            (_("resumed at"), timezone.localtime(hazard.resumed_at).strftime("%Y-%m-%d %H:%M"))
        )
    return rows


def _plan_rows(hazard: Hazard) -> list[tuple[str, str]]:
    if not hazard.remediation_plan:
        return []
    labels = services.plan_part_labels()
    return [(labels[p], hazard.remediation_plan.get(p, "")) for p in services.PLAN_PARTS]


@login_required
def hazard_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step of the workflow. GET shows its form, or why it is refused; POST applies
    it through the service, which checks everything again under the row lock."""
    user = request.user
    hazard = _hazard(user, pk)
    if action not in services.HANDLERS:
        raise Http404(_("No such step."))
    refusal = explain.step_refusal(hazard, action, user)
    form = step_form(
        action,
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        hazard=hazard,
    )
    if "major_item" in form.fields:  # the determination: the lists of its industry first
        form.fields["major_item"].choices = items_for_enterprise(
            form.fields["major_item"].choices, hazard.enterprise
        )
    status = 200
    if request.method == "POST" and refusal is None and form.is_valid():
        expected = request.POST.get("version")
        try:
            services.hazard_act(
                actor=_actor(request),
                hazard_id=hazard.pk,
                action=action,
                data=form.service_data(),
                expected_version=int(expected) if expected and expected.isdigit() else None,
                photos=form.photos(),
            )
        except ValidationFailed as exc:
            _put_errors(form, exc.errors)
            status = 422
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except (Conflict, Forbidden) as exc:
            refusal = (409 if isinstance(exc, Conflict) else 403, str(exc))
            hazard = _hazard(user, pk)
        else:
            messages.success(
                request,
                _("%(number)s: %(action)s done.")
                % {"number": hazard.number, "action": explain.action_label(action)},
            )
            return redirect("hazards:detail", pk=hazard.pk)
    if refusal is not None:
        status = refusal[0]
    step = wf.transition(hazard.state, action)
    return render(
        request,
        "hazards/step.html",
        {
            "hazard": hazard,
            "enterprise": hazard.enterprise,
            "action": action,
            "title": explain.action_label(action),
            "form": form,
            "refusal": refusal[1] if refusal else "",
            "needs": STEP_HELP.get(action, ""),
            "target_label": explain.state_label(step.target) if step else "",
            "multipart": "photos" in form.fields,
            "danger": action in explain.REFUSING,
            "section": "hazards",
        },
        status=status,
    )


@login_required
@require_GET
def hazard_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    photo = get_object_or_404(
        scoping.visible(request.user, HazardPhoto).filter(hazard_id=pk), pk=photo_pk
    )
    return uploads.serve_file(
        request,
        photo.image,
        file_type=uploads.get_type(photo.image_format),
        download_name=f"{photo.hazard_id}-{photo.pk}",
    )


# --- reporting -------------------------------------------------------------------------------


def items_for_enterprise(choices: Any, enterprise: Enterprise) -> list[Any]:
    """The determination-list choices narrowed to the lists for the enterprise's industry
    (a chemical plant is not offered the 工贸 items). When no list covers its industry
    the whole set stays: the officer may still cite the one that fits."""
    industry = Industry.objects.filter(pk=enterprise.industry_id).values_list("code", flat=True)
    code = industry.first() or ""
    wanted = {item.id for item in reference.items_for_industry(code)} if code else set()
    if not wanted:
        return list(choices)
    out: list[Any] = []
    for value, label in choices:
        if isinstance(label, list | tuple):  # a list's group of items
            group = [(v, text) for v, text in label if v in wanted]
            if group:
                out.append((value, group))
        elif not value or value in wanted:  # the blank choice
            out.append((value, label))
    return out


@login_required
def hazard_report(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    enterprise = get_object_or_404(scoping.visible(user, Enterprise), pk=pk)
    if not services.may_report(user, enterprise):
        raise PermissionDenied(
            _(
                "Only the enterprise's staff or the regulators supervising it may report its hazards."
            )
        )
    mine = services.parties(user, enterprise)
    units = list(
        scoping.visible(user, RiskUnit)
        .filter(enterprise=enterprise)
        .order_by("name")
        .only("pk", "name")
    )
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        may_decide=bool(mine & {wf.LEAD_OFFICER, wf.COORDINATOR}),
        default_source=ENTERPRISE_SOURCE if user.enterprise_id else REGULATOR_SOURCE,
    )
    if "major_item" in form.fields:
        form.fields["major_item"].choices = items_for_enterprise(
            form.fields["major_item"].choices, enterprise
        )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            hazard = services.hazard_report(
                actor=_actor(request),
                enterprise_id=enterprise.pk,
                data=form.service_data(),
                photos=form.photos(),
            )
        except ValidationFailed as exc:
            _put_errors(form, exc.errors)
            status = 422
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            if hazard.level == Level.MAJOR:
                text = _(
                    "Major hazard %(number)s entered in the ledger; an expert of the "
                    "jurisdiction confirms it next."
                )
            else:
                text = _("Hazard %(number)s entered in the ledger.")
            messages.success(request, text % {"number": hazard.number})
            return redirect("hazards:detail", pk=hazard.pk)
    return render(
        request,
        "hazards/report.html",
        {"enterprise": enterprise, "form": form, "section": "hazards"},
        status=status,
    )


# The similar-hazards lookup reads this much of the description: enough to match on,
# and a bound on the work whatever is sent.
SIMILAR_TEXT_LIMIT = 2000


@login_required
@require_http_methods(["GET", "POST"])
def similar_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """Likely duplicates of what is being typed, as a fragment for the report form.
    The form POSTs (a description of thousands of characters in a URL meets HTTP 414,
    at nginx first); the lookup only reads, within the caller's scope."""
    params = request.POST if request.method == "POST" else request.GET
    description = (params.get("description") or "").strip()[:SIMILAR_TEXT_LIMIT]
    unit = params.get("risk_unit_id") or ""
    found: list = []
    if len(description) >= 4:
        try:
            found = services.similar_hazards(
                actor=_actor(request),
                enterprise_id=pk,
                description=description,
                unit_id=int(unit) if unit.isdigit() else None,
                hazard_type=(params.get("hazard_type") or "")[:16],
                limit=5,
            )
        except NotFound as exc:
            raise Http404(str(exc)) from exc
    return render(request, "hazards/_similar.html", {"found": found})

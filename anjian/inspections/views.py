"""Pages of enforcement inspections.

Public, without sign-in (双随机、一公开): the published draws, one draw with its seed,
parameters, selected enterprises (name and credit code) and inspectors' names, its
canonical record to download and a button that re-runs the draw on the server.

Signed in: the inspection list (scoped; enterprise staff see theirs once announced or
started), an inspection with its steps, the plan form (with the first inspector's
department when there is one, 首查负责制), the draw form, and the on-site page for a
phone: findings (each a hazard), check items, signatures drawn on a canvas, position and
time; drafts kept in the browser and re-sent with the same token."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anjian.accounts.models import ENTERPRISE_ROLES, Role, User
from anjian.core import scoping, uploads
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.hazards.models import Category, Handling, HazardType
from anjian.registry.models import Department, Enterprise, Industry
from anjian.risks.models import Colour

from . import services
from . import workflow as wf
from .models import Draw, Finding, Inspection, Kind, Signature, SignerKind

PAGE_SIZE = 30


def is_regulator(user: Any) -> bool:
    return scoping.is_active_user(user) and user.is_regulator


def _require_user(user: Any) -> None:
    if not (
        scoping.is_active_user(user)
        and (user.is_regulator or user.role in ENTERPRISE_ROLES or user.role == Role.PLATFORM_ADMIN)
    ):
        raise PermissionDenied(_("Your role does not use this page."))


def _require_officer(user: Any) -> None:
    if not (
        scoping.is_active_user(user) and user.role == Role.DEPARTMENT_OFFICER and user.department_id
    ):
        raise PermissionDenied(_("Only a department officer plans inspections and draws."))


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def item_result_labels() -> dict[str, str]:
    """The results of a check item as the on-site form offers them and the inspection's
    page shows them (the stored value is the code)."""
    return {
        "normal": _("normal"),
        "problem": _("problem found"),
        "not_checked": _("not checked"),
        "other": _("other"),
    }


# --- public: 一公开 ------------------------------------------------------------------------


@require_GET
def public_draws(request: HttpRequest) -> HttpResponse:
    qs = (
        services.public_draws()
        .annotate(selected=Count("inspections"))
        .order_by("-published_at", "-pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "inspections/public_draws.html", {"page": page})


def _public_draw(pk: int) -> Draw:
    draw = services.public_draws().filter(pk=pk).first()
    if draw is None:
        raise Http404(_("No such published draw."))
    return draw


def _selections(draw: Draw) -> list[dict[str, Any]]:
    """The record's selections with the enterprises' names and inspectors' names (two
    queries whatever the size)."""
    try:
        record = json.loads(draw.canonical)
        rows = record["selections"]
    except (ValueError, KeyError, TypeError):
        return []
    codes = [row[0] for row in rows]
    names = dict(Enterprise.objects.filter(uscc__in=codes).values_list("uscc", "name"))
    industries = _industry_names({row[1].partition("|")[2] for row in rows})
    ids = {i for row in rows for i in row[5]}
    people = {
        services.inspector_code(u.pk): str(u)
        for u in User.objects.filter(pk__in=[int(i[1:]) for i in ids if i[1:].isdigit()])
    }
    return [
        {
            "code": row[0],
            "name": names.get(row[0], ""),
            "stratum": row[1],
            "stratum_label": _stratum_label(row[1], industries),
            "reason": row[2],
            "forced_reason": row[3],
            "key": row[4],
            "inspectors": [people.get(i, i) for i in row[5]],
        }
        for row in rows
    ]


def _industry_names(codes: set[str]) -> dict[str, str]:
    return dict(Industry.objects.filter(code__in=codes).values_list("code", "name"))


def _stratum_label(stratum: str, industries: dict[str, str]) -> str:
    """A stratum ("colour|industry" in the record) in words: the record keeps the codes,
    the page shows what a reader knows (一般风险（黄） · 危险化学品)."""
    colour, _sep, industry = stratum.partition("|")
    colours = dict(Colour.choices)
    parts = [str(colours.get(colour, colour)), industries.get(industry, industry)]
    return " · ".join(p for p in parts if p)


def _verified(draw: Draw) -> services.DrawCheck:
    """The verification of a draw, cached by its record and digest: anyone may press the
    button, and a county's draw takes most of a second to re-run."""
    key = (
        "inspections:verify:"
        + hashlib.sha256(
            f"{draw.pk}|{draw.digest}|".encode() + draw.canonical.encode("utf-8")
        ).hexdigest()
    )
    check = cache.get(key)
    if check is None:
        check = services.draw_verify(draw)
        cache.set(key, check, 3600)
    return check


@require_http_methods(["GET", "POST"])
def public_draw(request: HttpRequest, pk: int) -> HttpResponse:
    draw = _public_draw(pk)
    check = _verified(draw) if request.method == "POST" else None
    try:
        record = json.loads(draw.canonical)
    except ValueError:
        record = {}
    return render(
        request,
        "inspections/public_draw.html",
        {
            "draw": draw,
            "record": record,
            "selections": _selections(draw),
            "check": check,
            "candidates": len(record.get("candidates", [])),
            "roster": len(record.get("inspectors", [])),
            "conflicts": len(record.get("conflicts", [])),
            "last_inspectors": len(record.get("last_inspectors", [])),
        },
        status=200,
    )


@require_GET
def public_draw_json(request: HttpRequest, pk: int) -> HttpResponse:
    draw = _public_draw(pk)
    response = HttpResponse(draw.canonical.encode("utf-8"), content_type="application/json")
    response["Content-Disposition"] = (
        f'attachment; filename="draw-{draw.pk}-{draw.digest[:12]}.json"'
    )
    return response


# --- the list and one inspection ---------------------------------------------------------


def _listed(user: Any):
    return (
        services.visible_inspections(user)
        .select_related("enterprise", "lead_department")
        .prefetch_related("inspectors")
        .order_by("-planned_on", "-pk")
    )


@login_required
@require_GET
def inspection_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_user(user)
    qs = _listed(user)
    state = request.GET.get("state") or ""
    if state in wf.STATES:
        qs = qs.filter(state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/list.html",
        {
            "page": page,
            "state": state,
            "state_labels": services.state_labels(),
            "may_plan": user.role == Role.DEPARTMENT_OFFICER and bool(user.department_id),
        },
    )


def _load(request: HttpRequest, pk: int) -> Inspection:
    _require_user(request.user)
    inspection = (
        services.visible_inspections(request.user)
        .select_related("enterprise", "lead_department", "draw")
        .prefetch_related(
            "inspectors",
            "participating_departments",
            Prefetch("findings", queryset=Finding.objects.select_related("hazard")),
            "signatures",
        )
        .filter(pk=pk)
        .first()
    )
    if inspection is None:
        raise Http404(_("No such inspection in your scope."))
    return inspection


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=4000, widget=forms.Textarea)
    version = forms.IntegerField(widget=forms.HiddenInput)


class StartForm(forms.Form):
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)


def _detail(request: HttpRequest, inspection: Inspection, refusal: str = "", status: int = 200):
    actions = services.available_actions(request.user, inspection)
    forms_ = {
        wf.START: StartForm(initial={"version": inspection.version}),
        wf.CANCEL: CancelForm(initial={"version": inspection.version}),
    }
    return render(
        request,
        "inspections/detail.html",
        {
            "inspection": inspection,
            "actions": [
                {"action": a, "label": services.action_labels()[a], "form": forms_[a]}
                for a in actions
                if a in forms_
            ],
            "onsite": inspection.state == wf.IN_PROGRESS
            and wf.INSPECTOR in services.parties(request.user, inspection),
            "events": inspection.events.select_related("actor"),
            "state_labels": services.state_labels(),
            "action_labels": services.action_labels(),
            "item_labels": item_result_labels(),
            "matter_name": _industry_names({inspection.matter}).get(inspection.matter, ""),
            "lead": services.first_lead(inspection.enterprise_id, inspection.matter),
            "refusal": refusal,
        },
        status=status,
    )


@login_required
@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _load(request, pk))


@login_required
@require_POST
def inspection_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    inspection = _load(request, pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        if action == wf.START:
            services.inspection_start(
                actor=_actor(request),
                inspection_id=pk,
                latitude=request.POST.get("latitude"),
                longitude=request.POST.get("longitude"),
                expected_version=version,
            )
            return redirect("inspections:onsite", pk=pk)
        if action == wf.CANCEL:
            services.inspection_cancel(
                actor=_actor(request),
                inspection_id=pk,
                reason=request.POST.get("reason"),
                expected_version=version,
            )
            return redirect("inspections:detail", pk=pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except Forbidden as exc:
        return _detail(request, inspection, str(exc), status=403)
    except Conflict as exc:
        return _detail(request, inspection, str(exc), status=409)
    except ValidationFailed as exc:
        text = " ".join(m for v in exc.errors.values() for m in v)
        return _detail(request, inspection, text, status=400)
    raise Http404(_("No such step."))


@login_required
@require_GET
def signature_image(request: HttpRequest, pk: int) -> HttpResponse:
    _require_user(request.user)
    signature = Signature.objects.filter(
        pk=pk, inspection__in=services.visible_inspections(request.user)
    ).first()
    if signature is None:
        raise Http404(_("Not found."))
    return uploads.serve_file(
        request, signature.image, download_name=f"signature-{signature.pk}", file_type=uploads.PNG
    )


# --- planning ----------------------------------------------------------------------------


class PlanForm(forms.Form):
    enterprise = forms.TypedChoiceField(label=gettext_lazy("enterprise"), coerce=int)
    kind = forms.ChoiceField(
        label=gettext_lazy("kind"),
        choices=[(k, label) for k, label in Kind.choices if k != Kind.DOUBLE_RANDOM],
    )
    matter = forms.CharField(
        label=gettext_lazy("matter"),
        required=False,
        max_length=32,
        help_text=gettext_lazy("Industry or topic code; empty: the enterprise's industry."),
    )
    planned_on = forms.DateField(
        label=gettext_lazy("planned date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    inspectors = forms.TypedMultipleChoiceField(
        label=gettext_lazy("inspectors"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    participating_departments = forms.TypedMultipleChoiceField(
        label=gettext_lazy("participating departments (joint inspection)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].choices = list(
            scoping.visible_enterprises(user).order_by("name").values_list("pk", "name")[:2000]
        )
        departments = scoping.visible_departments(user).exclude(pk=user.department_id)
        self.fields["participating_departments"].choices = list(
            departments.order_by("name").values_list("pk", "name")
        )
        officers = User.objects.filter(
            is_active=True,
            role=Role.DEPARTMENT_OFFICER,
            department__in=scoping.visible_departments(user),
        ).select_related("department")
        self.fields["inspectors"].choices = [
            (u.pk, f"{u} · {u.department.name}") for u in officers.order_by("department_id", "pk")
        ]


def _lead_for(user: User, form: PlanForm) -> Any:
    """The first inspector's department for the enterprise and matter the form names."""
    raw = form.data.get("enterprise") or form.initial.get("enterprise")
    try:
        enterprise = scoping.visible_enterprises(user).select_related("industry").get(pk=int(raw))
    except (TypeError, ValueError, Enterprise.DoesNotExist):
        return None
    matter = (form.data.get("matter") or "").strip() or (
        enterprise.industry.code if enterprise.industry_id else "general"
    )
    return services.first_lead(enterprise.pk, matter)


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_officer(user)
    initial = {"enterprise": request.GET.get("enterprise"), "inspectors": [user.pk]}
    form = PlanForm(user, request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_plan(
                actor=_actor(request),
                enterprise_id=data["enterprise"],
                kind=data["kind"],
                planned_on=data["planned_on"],
                inspector_ids=data["inspectors"],
                matter=data["matter"],
                participating_department_ids=data["participating_departments"],
            )
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        except ValidationFailed as exc:
            for field, errs in exc.errors.items():
                for err in errs:
                    form.add_error(field if field in form.fields else None, err)
            status = 400
        else:
            messages.success(request, _("Inspection planned."))
            return redirect("inspections:detail", pk=inspection.pk)
    elif request.method == "POST":
        status = 400
    lead = _lead_for(user, form)
    return render(
        request,
        "inspections/plan.html",
        {
            "form": form,
            "lead": lead,
            "lead_is_other": lead is not None and lead.department_id != user.department_id,
        },
        status=status,
    )


class DrawForm(forms.Form):
    seed = forms.CharField(
        label=gettext_lazy("seed"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("The text announced before the draw; empty: one is generated."),
    )
    sample_size = forms.IntegerField(label=gettext_lazy("enterprises to draw"), min_value=0)
    inspectors_per_inspection = forms.IntegerField(
        label=gettext_lazy("inspectors per inspection"), min_value=wf.MIN_INSPECTORS, initial=2
    )
    planned_on = forms.DateField(
        label=gettext_lazy("planned date"), widget=forms.DateInput(attrs={"type": "date"})
    )


@login_required
@require_http_methods(["GET", "POST"])
def draw_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_officer(user)
    form = DrawForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draw = services.draw_run(
                actor=_actor(request),
                department_id=user.department_id,
                seed=data["seed"],
                sample_size=data["sample_size"],
                inspectors_per_inspection=data["inspectors_per_inspection"],
                planned_on=data["planned_on"],
            )
        except ValidationFailed as exc:
            for field, errs in exc.errors.items():
                for err in errs:
                    form.add_error(field if field in form.fields else None, err)
            status = 400
        else:
            messages.success(request, _("Draw published."))
            return redirect("inspections:public-draw", pk=draw.pk)
    elif request.method == "POST":
        status = 400
    department = Department.objects.get(pk=user.department_id)
    conflicts = services.draw_conflicts(user.department_id, services.draw_enterprises(user)).count()
    return render(
        request,
        "inspections/draw_new.html",
        {
            "form": form,
            "department": department,
            "forced_rule": services.FORCED_RULE,
            "conflicts": conflicts,
        },
        status=status,
    )


# --- on site -----------------------------------------------------------------------------


def _onsite_inspection(request: HttpRequest, pk: int) -> Inspection:
    inspection = _load(request, pk)
    if wf.INSPECTOR not in services.parties(request.user, inspection):
        raise PermissionDenied(_("Only the inspection's inspectors work on site."))
    return inspection


def _onsite(
    request: HttpRequest,
    inspection: Inspection,
    *,
    errors: dict[str, list[str]] | None = None,
    refusal: str = "",
    status: int = 200,
    finding_token: str = "",
    conclude_token: str = "",
) -> HttpResponse:
    return render(
        request,
        "inspections/onsite.html",
        {
            "inspection": inspection,
            "findings": inspection.findings.all(),
            "recorded_tokens": " ".join(f.client_token for f in inspection.findings.all()),
            "finding_token": finding_token or uuid.uuid4().hex,
            "conclude_token": conclude_token or uuid.uuid4().hex,
            "hazard_types": HazardType.choices,
            "categories": Category.choices,
            "handlings": Handling.choices,
            "item_results": list(item_result_labels().items()),
            "item_rows": range(5),
            "inspectors": inspection.inspectors.all(),
            "errors": errors or {},
            "refusal": refusal,
            "state_labels": services.state_labels(),
        },
        status=status,
    )


@login_required
@require_GET
def onsite(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _onsite_inspection(request, pk)
    if inspection.state != wf.IN_PROGRESS:
        return redirect("inspections:detail", pk=pk)
    return _onsite(request, inspection)


def _refused(request, inspection, exc, **tokens) -> HttpResponse:
    if isinstance(exc, NotFound):
        raise Http404(str(exc)) from exc
    if isinstance(exc, ValidationFailed):
        return _onsite(request, inspection, errors=exc.errors, status=400, **tokens)
    status = 403 if isinstance(exc, Forbidden) else 409
    return _onsite(request, inspection, refusal=str(exc), status=status, **tokens)


@login_required
@require_POST
def finding_new(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _onsite_inspection(request, pk)
    post = request.POST
    token = post.get("client_token", "")
    data = {
        name: post.get(name, "") for name in services.FINDING_FIELDS if post.get(name, "") != ""
    }
    try:
        services.finding_record(
            actor=_actor(request),
            inspection_id=pk,
            client_token=token,
            data=data,
            photos=request.FILES.getlist("photos"),
        )
    except (NotFound, Forbidden, Conflict, ValidationFailed) as exc:
        return _refused(request, inspection, exc, finding_token=token)
    messages.success(request, _("Finding recorded as a hazard."))
    return redirect("inspections:onsite", pk=pk)


@login_required
@require_POST
def conclude(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _onsite_inspection(request, pk)
    post = request.POST
    token = post.get("client_token", "")
    items = [
        {"text": text, "result": result, "note": note}
        for text, result, note in zip(
            post.getlist("item_text"),
            post.getlist("item_result"),
            post.getlist("item_note"),
            strict=False,
        )
        if text.strip()
    ]
    signatures = [
        {"kind": SignerKind.INSPECTOR, "user_id": u.pk, "image": post.get(f"sig_inspector_{u.pk}")}
        for u in inspection.inspectors.all()
    ]
    signatures.append(
        {
            "kind": SignerKind.REPRESENTATIVE,
            "name": post.get("representative_name", ""),
            "image": post.get("sig_representative"),
        }
    )
    try:
        services.inspection_conclude(
            actor=_actor(request),
            inspection_id=pk,
            client_token=token,
            conclusion=post.get("conclusion"),
            items=items,
            signatures=signatures,
            latitude=post.get("latitude"),
            longitude=post.get("longitude"),
        )
    except (NotFound, Forbidden, Conflict, ValidationFailed) as exc:
        return _refused(request, inspection, exc, conclude_token=token)
    messages.success(request, _("Inspection concluded."))
    return redirect("inspections:detail", pk=pk)

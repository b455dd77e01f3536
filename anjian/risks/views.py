"""Risk pages: an enterprise's risk units, assessments, events and measures, its
four-colour site map, its major hazard installations, its safety code with the public
verification page and QR code; for regulators the jurisdiction map and the list of
enterprises by supervision class.

Reads start from `scoping.visible(user, Model)`; writes go through anjian.risks.services
with `Actor.for_user(user, "web")`. Service errors become field errors on the form
(ValidationFailed), 404 (NotFound: unknown or out of scope), the 403 page (Forbidden:
the role may only read) or a message (Conflict). The one exception to scoping is the
public code page: whoever holds a code's random token (printed as the QR code) may see
that code's colour and validity, and nothing personal.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from anjian.core import scoping, uploads
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.sections import REGISTRY_ROLES, require_section
from anjian.diagnosis.services import current_diagnoses
from anjian.registry import geometry
from anjian.registry.models import Enterprise

from . import major_hazard, methods, regrade, services, supervision
from . import safety_code as code_rules
from .forms import (
    AssessmentForm,
    ControlMeasureForm,
    InstallationForm,
    RiskEventForm,
    RiskObjectForm,
    RiskUnitForm,
    SitePlanForm,
    SupervisionFilterForm,
    UnitAreaForm,
    substance_formset,
)
from .models import (
    Assessment,
    CheckTask,
    ControlMeasure,
    InstallationGrading,
    MajorHazardInstallation,
    ReassessmentProposal,
    RiskEvent,
    RiskState,
    RiskUnit,
    SafetyCode,
    SitePlan,
)
from .templatetags.risks_ui import COLOURS, code_name, decimal_text, level_word, term_label

PAGE_SIZE = 25
TASKS_SHOWN = 50
HISTORY_SHOWN = 20
CODE_HISTORY_PAGE = 10
# The jurisdiction map never ships more points than this; beyond it, enterprises are
# counted per grid cell (0.01°, then 0.1°, then 1°) and the page says so.
MAX_POINTS = 20_000
# The four colours of the rules keep their hues, but differ in lightness too (dark red,
# mid orange, light yellow, dark blue) and each has its own symbol, so they stay apart for
# colour-blind readers and on a black-and-white print.
MAP_HEX = {
    "red": "#b42318",
    "orange": "#f97316",
    "yellow": "#fde047",
    "blue": "#1d4ed8",
    "none": "#98a2b3",
}
MAP_SYMBOL = {
    "red": "triangle",
    "orange": "diamond",
    "yellow": "circle",
    "blue": "rect",
    "none": "circle",
}
STATUS_WORDS = {
    "valid": ("有效", "valid"),
    "superseded": ("已被取代", "superseded"),
    "expired": ("已过期", "expired"),
}


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def _pick(pair: tuple[str, str]) -> str:
    from .forms import chinese

    return pair[0] if chinese() else pair[1]


def put_errors(form: forms.Form, errors: dict[str, list[str]], where=None) -> None:
    """A service's errors on the form: on the field when the form shows it, else at the
    top of the form. `where` maps a service key to a form field name."""
    shown = {name for name, field in form.fields.items() if not field.widget.is_hidden}
    for key, texts in errors.items():
        target = where(key) if where else key
        for text in texts:
            form.add_error(target if target in shown else None, text)


def _refuse(exc: Exception):
    """NotFound → 404, Forbidden → 403."""
    if isinstance(exc, NotFound):
        raise Http404(str(exc)) from exc
    raise PermissionDenied(str(exc)) from exc


def _form_call(form: forms.Form, call: Callable[[], Any], where=None) -> tuple[bool, Any]:
    """Run one service call for a submitted form: (True, its result); or its field errors
    put back on the form and (False, None); unknown or out of scope → 404, not allowed →
    403."""
    try:
        return True, call()
    except ValidationFailed as exc:
        put_errors(form, exc.errors, where)
    except (NotFound, Forbidden) as exc:
        _refuse(exc)
    return False, None


def _enterprise(user, pk: int) -> Enterprise:
    require_section(user, "enterprises")
    return get_object_or_404(
        scoping.visible(user, Enterprise).select_related("division", "industry"), pk=pk
    )


def _require_manage(user, enterprise: Enterprise) -> None:
    if not scoping.can_manage_risks(user, enterprise):
        raise PermissionDenied(
            _(
                "You may view these risk records but not change them: that is for the "
                "enterprise's principal, its safety officer or an expert."
            )
        )


def _require_regulator(user) -> None:
    if not (user.is_authenticated and user.is_active and user.role in REGISTRY_ROLES):
        raise PermissionDenied(_("Your role does not use this page."))


def _profiles() -> dict[str, methods.Profile]:
    return {p.name: p for p in methods.profiles()}


# --- the safety code --------------------------------------------------------------------------


def _policy(label: str) -> code_rules.Policy | None:
    return next((p for p in code_rules.policies() if p.label == label), None)


def code_explanation(code: SafetyCode) -> dict[str, Any]:
    """Why the code has its colour, from its stored terms and its policy's thresholds."""
    policy = _policy(code.policy)
    direct = [t for t in code.terms if t.get("direct_red")]
    reason = ""
    if direct:
        reason = _("Red at once because of: %(terms)s") % {
            "terms": "、".join(term_label(t) for t in direct)
        }
    elif policy is not None:
        values = {"score": code.score, "red": policy.red, "yellow": policy.yellow}
        if code.colour == "red":
            reason = _("Score %(score)s reaches the red threshold %(red)s.") % values
        elif code.colour == "yellow":
            reason = _("Score %(score)s is at least %(yellow)s and below %(red)s.") % values
        else:
            reason = _("Score %(score)s is below the yellow threshold %(yellow)s.") % values
    if code.reason and (get_language() or "").startswith("zh"):
        # The words stored with the code: a later policy edit must not re-explain it.
        reason = code.reason
    rules = ""
    if policy is not None:
        rules = _(
            "Red at %(red)s points or more, yellow at %(yellow)s or more, blue below; "
            "a code is valid for %(days)s days after it is computed."
        ) % {"red": policy.red, "yellow": policy.yellow, "days": policy.valid_days}
    return {
        "reason": reason,
        "rules": rules,
        "tracked": [t for t in code.terms if t.get("tracked", True)],
        "untracked": [t for t in code.terms if not t.get("tracked", True)],
    }


def public_code_url(request: HttpRequest, code: SafetyCode) -> str:
    return request.build_absolute_uri(reverse("risks:code-verify", args=[code.token]))


def qr_svg(url: str, scale: int = 4) -> str:
    """An inline SVG QR code (segno): only the URL is encoded, nothing else is shown."""
    return segno.make(url, error="m").svg_inline(scale=scale, border=2, svgclass="qr-svg")


def code_status(code: SafetyCode, state: RiskState | None, now=None) -> dict[str, Any]:
    """valid / expired / superseded, with the date that decides it."""
    now = now or timezone.now()
    if state is not None and state.code_id == code.pk:
        if state.valid_until and state.valid_until > now:
            key, until, superseded_at = "valid", state.valid_until, None
        else:
            key, until, superseded_at = "expired", state.valid_until, None
    else:
        later = (
            SafetyCode.objects.filter(enterprise_id=code.enterprise_id)
            .filter(
                Q(computed_at__gt=code.computed_at)
                | Q(computed_at=code.computed_at, pk__gt=code.pk)
            )
            .order_by("computed_at", "pk")
            .values_list("computed_at", flat=True)
            .first()
        )
        key, until, superseded_at = "superseded", None, later
    return {
        "key": key,
        "label": _pick(STATUS_WORDS[key]),
        "until": until,
        "superseded_at": superseded_at,
    }


# --- the enterprise's risk page ------------------------------------------------------------------


def _units_with_latest(user, enterprise: Enterprise) -> list[RiskUnit]:
    """The enterprise's units with their latest assessment and open proposal, in three
    queries however many units there are."""
    latest = (
        Assessment.objects.filter(unit=OuterRef("pk")).order_by("-assessed_at", "-id").values("pk")
    )
    units = list(
        scoping.visible(user, RiskUnit)
        .filter(enterprise=enterprise)
        .select_related("risk_object")
        .annotate(
            latest_id=Subquery(latest[:1]),
            has_open_proposal=Exists(
                ReassessmentProposal.objects.filter(unit=OuterRef("pk"), resolved_at__isnull=True)
            ),
        )
        .order_by("name", "pk")
    )
    ids = [u.latest_id for u in units if u.latest_id]
    assessments = scoping.visible(user, Assessment).in_bulk(ids) if ids else {}
    for unit in units:
        unit.latest = assessments.get(unit.latest_id)
    return units


def _requirement(state: RiskState | None, profile: str | None = None, diagnosis=None):
    colour = diagnosis.colour if diagnosis is not None else ""
    if state is None:
        return supervision.requirement("", "", profile, colour)
    return supervision.requirement(state.highest_colour, state.code_colour, profile, colour)


@login_required
def enterprise_risks(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    enterprise = _enterprise(user, pk)
    units = _units_with_latest(user, enterprise)
    state = (
        scoping.visible(user, RiskState)
        .select_related("code")
        .filter(enterprise=enterprise)
        .first()
    )
    code = state.code if state and state.code_id else None
    diagnosis = current_diagnoses([enterprise.pk]).get(enterprise.pk)
    history_qs = scoping.visible(user, SafetyCode).filter(enterprise=enterprise)
    if code is not None:
        history_qs = history_qs.exclude(pk=code.pk)
    # Paged: a code is recomputed after every step, so an enterprise collects hundreds.
    history_page = Paginator(history_qs, CODE_HISTORY_PAGE).get_page(request.GET.get("history"))
    history = list(history_page.object_list)
    proposals = list(
        scoping.visible(user, ReassessmentProposal)
        .filter(unit__enterprise=enterprise, resolved_at__isnull=True)
        .select_related("unit")
    )
    installations = list(
        scoping.visible(user, MajorHazardInstallation).filter(enterprise=enterprise)
    )
    tasks_qs = (
        scoping.visible(user, CheckTask)
        .filter(enterprise=enterprise, active=True)
        .select_related("measure", "installation")
        .order_by("next_due", "pk")
    )
    tasks = list(tasks_qs[: TASKS_SHOWN + 1])
    more_tasks = tasks_qs.count() - TASKS_SHOWN if len(tasks) > TASKS_SHOWN else 0
    plan = scoping.visible(user, SitePlan).filter(enterprise=enterprise).first()
    today = timezone.localdate()
    for installation in installations:
        installation.overdue = bool(installation.reassess_by and installation.reassess_by < today)
    colour_counts = dict.fromkeys(COLOURS, 0)
    for unit in units:
        if unit.colour in colour_counts:
            colour_counts[unit.colour] += 1
    context: dict[str, Any] = {
        "enterprise": enterprise,
        "units": units,
        "colour_counts": [
            {"colour": c, "label": level_word(c), "count": colour_counts[c]} for c in COLOURS
        ],
        "unassessed": sum(1 for u in units if not u.colour),
        "state": state,
        "code": code,
        "history": history,
        "history_page": history_page,
        "proposals": proposals,
        "installations": installations,
        "tasks": tasks[:TASKS_SHOWN],
        "more_tasks": more_tasks,
        "plan": plan,
        "diagnosis": diagnosis,
        "requirement": _requirement(state, None, diagnosis),
        "profiles": _profiles(),
        "can_manage": scoping.can_manage_risks(user, enterprise),
        "now": timezone.now(),
    }
    if code is not None:
        url = public_code_url(request, code)
        context.update(
            {
                "explanation": code_explanation(code),
                "public_url": url,
                "qr": mark_safe(qr_svg(url)),  # segno's SVG of our own URL
                "status": code_status(code, state),
            }
        )
    return render(request, "risks/enterprise_risks.html", context)


@login_required
@require_POST
def code_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    """Compute the code now (normally after every change and on the schedule)."""
    enterprise = _enterprise(request.user, pk)
    _require_manage(request.user, enterprise)
    services.safety_code_recompute(enterprise_id=enterprise.pk, trigger="manual")
    messages.success(request, _("The safety code was recomputed."))
    return redirect("risks:enterprise", pk=enterprise.pk)


# --- objects and units -----------------------------------------------------------------------


@login_required
def object_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    enterprise = _enterprise(user, pk)
    _require_manage(user, enterprise)
    form = RiskObjectForm(request.POST or None, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        ok, obj = _form_call(
            form,
            lambda: services.risk_object_create(
                actor=_actor(request), enterprise_id=enterprise.pk, **form.service_data()
            ),
        )
        if ok:
            messages.success(
                request, _("Risk analysis object %(name)s added.") % {"name": obj.name}
            )
            target = reverse("risks:unit-create", args=[enterprise.pk]) + f"?object={obj.pk}"
            return redirect(target)
    return render(
        request,
        "risks/form.html",
        {
            "enterprise": enterprise,
            "form": form,
            "title": _("New risk analysis object"),
            "submit": _("Add object"),
            "help": _(
                "An object is what is analysed: a major hazard installation, a device, an "
                "area or a process. Its units are assessed and graded."
            ),
        },
    )


@login_required
def unit_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    enterprise = _enterprise(user, pk)
    _require_manage(user, enterprise)
    initial = {"risk_object_id": request.GET.get("object", "")}
    form = RiskUnitForm(request.POST or None, enterprise=enterprise, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, unit = _form_call(
            form,
            lambda: services.risk_unit_create(
                actor=_actor(request), enterprise_id=enterprise.pk, data=form.service_data()
            ),
        )
        if ok:
            messages.success(
                request,
                _("Risk unit %(name)s added; assess it to give it a colour.") % {"name": unit.name},
            )
            return redirect("risks:unit-detail", pk=unit.pk)
    return render(
        request,
        "risks/unit_form.html",
        {
            "enterprise": enterprise,
            "form": form,
            "unit": None,
            "has_objects": enterprise.risk_objects.exists(),
        },
    )


def _visible_unit(user, pk: int) -> RiskUnit:
    require_section(user, "enterprises")
    return get_object_or_404(
        scoping.visible(user, RiskUnit).select_related("enterprise", "risk_object"), pk=pk
    )


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = _visible_unit(user, pk)
    enterprise = unit.enterprise
    _require_manage(user, enterprise)
    conflict, status = "", 200
    initial = {
        "name": unit.name,
        "risk_object_id": str(unit.risk_object_id),
        "responsible_department": unit.responsible_department,
        "responsible_person": unit.responsible_person,
        "control_level": unit.control_level,
        "hazard_factors": unit.hazard_factors,
        "version": unit.version,
    }
    form = RiskUnitForm(request.POST or None, enterprise=enterprise, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_unit_update(
                actor=_actor(request),
                unit_id=unit.pk,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationFailed as exc:
            put_errors(form, exc.errors)
        except Conflict as exc:
            conflict, status = str(exc), 409
        except (NotFound, Forbidden) as exc:
            _refuse(exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("risks:unit-detail", pk=unit.pk)
    return render(
        request,
        "risks/unit_form.html",
        {
            "enterprise": enterprise,
            "form": form,
            "unit": unit,
            "conflict": conflict,
            "has_objects": True,
        },
        status=status,
    )


def _unit_page(
    request: HttpRequest,
    unit: RiskUnit,
    *,
    assess_form: AssessmentForm | None = None,
    event_form: RiskEventForm | None = None,
    measure_form: tuple[int, ControlMeasureForm] | None = None,
    area_form: UnitAreaForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    enterprise = unit.enterprise
    can_manage = scoping.can_manage_risks(user, enterprise)
    assessments = list(
        scoping.visible(user, Assessment).filter(unit=unit).select_related("assessed_by")[:50]
    )
    events = list(
        scoping.visible(user, RiskEvent)
        .filter(unit=unit)
        .prefetch_related(
            Prefetch(
                "measures",
                queryset=ControlMeasure.objects.order_by("pk").prefetch_related(
                    Prefetch("tasks", queryset=CheckTask.objects.order_by("pk"))
                ),
            )
        )
    )
    for event in events:
        if measure_form and measure_form[0] == event.pk:
            event.measure_form = measure_form[1]
        else:
            event.measure_form = ControlMeasureForm(prefix=f"m{event.pk}")
    proposal = (
        scoping.visible(user, ReassessmentProposal)
        .filter(unit=unit, resolved_at__isnull=True)
        .first()
    )
    plan = scoping.visible(user, SitePlan).filter(enterprise=enterprise).first()
    # The other units' areas, faint, so a new area is drawn in relation to them.
    others = []
    if plan is not None:
        others = [
            u
            for u in scoping.visible(user, RiskUnit)
            .filter(enterprise=enterprise)
            .exclude(pk=unit.pk)
            .only("pk", "name", "colour", "area")
            if u.area
        ]
    profiles = _profiles()
    if area_form is None:
        area_form = UnitAreaForm(initial={"area": "\n".join(f"{x}, {y}" for x, y in unit.area)})
    return render(
        request,
        "risks/unit_detail.html",
        {
            "enterprise": enterprise,
            "unit": unit,
            "latest": assessments[0] if assessments else None,
            "assessments": assessments,
            "events": events,
            "proposal": proposal,
            "plan": plan,
            "others": others,
            "label_size": max(12, round((plan.width if plan else 1000) / 55)),
            "profiles": profiles,
            "can_manage": can_manage,
            "assess_form": assess_form or AssessmentForm(),
            "event_form": event_form or RiskEventForm(),
            "area_form": area_form,
        },
        status=status,
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_page(request, _visible_unit(request.user, pk))


def _unit_for_write(request: HttpRequest, pk: int) -> RiskUnit:
    unit = _visible_unit(request.user, pk)
    _require_manage(request.user, unit.enterprise)
    return unit


@login_required
@require_POST
def unit_assess(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for_write(request, pk)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        ok, assessment = _form_call(
            form,
            lambda: services.risk_unit_assess(
                actor=_actor(request), unit_id=unit.pk, **form.service_args()
            ),
            where=form.error_field,
        )
        if ok:
            # Name the level the unit ends up with: coupling rules may raise it above the
            # assessment's own (the unit page shows the raised one).
            unit.refresh_from_db(fields=["colour", "coupling_note"])
            values = {
                "method": assessment.method.upper(),
                "score": assessment.score,
                "level": level_word(unit.colour),
                "assessed": level_word(assessment.colour),
                "class": assessment.class_number,
                "profile": assessment.profile,
                "rules": unit.coupling_note,
            }
            if unit.colour == assessment.colour:
                text = _(
                    "Assessed by %(method)s: %(score)s → %(level)s (class %(class)s), profile %(profile)s."
                )
            else:
                text = _(
                    "Assessed by %(method)s: %(score)s → %(assessed)s (class %(class)s), profile "
                    "%(profile)s; raised by coupling (%(rules)s), the unit is now %(level)s."
                )
            messages.success(request, text % values)
            return redirect(reverse("risks:unit-detail", args=[unit.pk]) + "#assessments")
    return _unit_page(request, unit, assess_form=form)


@login_required
@require_POST
def event_create(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for_write(request, pk)
    form = RiskEventForm(request.POST)
    if form.is_valid():
        ok, event = _form_call(
            form,
            lambda: services.risk_event_create(
                actor=_actor(request), unit_id=unit.pk, **form.service_data()
            ),
        )
        if ok:
            messages.success(
                request,
                _("Risk event %(name)s added; now add its control measures.")
                % {"name": event.name},
            )
            return redirect(reverse("risks:unit-detail", args=[unit.pk]) + f"#event-{event.pk}")
    return _unit_page(request, unit, event_form=form)


@login_required
@require_POST
def measure_create(request: HttpRequest, pk: int) -> HttpResponse:
    require_section(request.user, "enterprises")
    event = get_object_or_404(
        scoping.visible(request.user, RiskEvent).select_related("unit", "unit__enterprise"),
        pk=pk,
    )
    unit = event.unit
    _require_manage(request.user, unit.enterprise)
    form = ControlMeasureForm(request.POST, prefix=f"m{event.pk}")
    if form.is_valid():
        ok, measure = _form_call(
            form,
            lambda: services.control_measure_create(
                actor=_actor(request), event_id=event.pk, data=form.service_data()
            ),
        )
        if ok:
            messages.success(
                request,
                _("Measure added; its check task “%(task)s” is scheduled.")
                % {"task": measure.check_content},
            )
            return redirect(reverse("risks:unit-detail", args=[unit.pk]) + f"#event-{event.pk}")
    return _unit_page(request, unit, measure_form=(event.pk, form))


@login_required
@require_POST
def unit_area(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for_write(request, pk)
    form = UnitAreaForm(request.POST)
    if form.is_valid():
        ok = _form_call(
            form,
            lambda: services.unit_area_set(
                actor=_actor(request), unit_id=unit.pk, points=form.cleaned_data["area"]
            ),
        )[0]
        if ok:
            messages.success(request, _("The unit's area on the site plan was saved."))
            return redirect(reverse("risks:unit-detail", args=[unit.pk]) + "#area")
    return _unit_page(request, unit, area_form=form)


# --- site plan and the four-colour map ----------------------------------------------------------


@login_required
def siteplan_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    enterprise = _enterprise(user, pk)
    _require_manage(user, enterprise)
    form = SitePlanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        ok = _form_call(
            form,
            lambda: services.site_plan_upload(
                actor=_actor(request),
                enterprise_id=enterprise.pk,
                upload=form.cleaned_data["image"],
            ),
        )[0]
        if ok:
            messages.success(
                request,
                _("Site plan uploaded. Draw each unit's area on its page to colour the map."),
            )
            return redirect("risks:site-map", pk=enterprise.pk)
    plan = scoping.visible(user, SitePlan).filter(enterprise=enterprise).first()
    return render(
        request,
        "risks/form.html",
        {
            "enterprise": enterprise,
            "form": form,
            "multipart": True,
            "title": _("Upload the site plan"),
            "submit": _("Upload"),
            "help": _(
                "The plan is the background of the four-colour map: each unit's area is "
                "drawn on it in the unit's colour. A new upload replaces the old plan; the "
                "areas are kept as fractions of the image, so use the same framing."
            )
            if plan
            else _(
                "The plan is the background of the four-colour map: each unit's area is "
                "drawn on it in the unit's colour."
            ),
        },
    )


@login_required
@require_GET
def siteplan_image(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan image, to those who see the enterprise (media files are not public)."""
    enterprise = _enterprise(request.user, pk)
    plan = scoping.visible(request.user, SitePlan).filter(enterprise=enterprise).first()
    if plan is None or not plan.image:
        raise Http404(_("No site plan has been uploaded."))
    # The type comes from the stored bytes: plans uploaded before names were random may
    # still be called "plan.html".
    return uploads.serve_file(
        request, plan.image, download_name=f"site-plan-{enterprise.pk}", max_age=300
    )


@login_required
def site_map(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    enterprise = _enterprise(user, pk)
    plan = scoping.visible(user, SitePlan).filter(enterprise=enterprise).first()
    units = list(
        scoping.visible(user, RiskUnit).filter(enterprise=enterprise).order_by("name", "pk")
    )
    drawn = [u for u in units if u.area]
    # Higher colours last, so they are drawn on top of lower ones where areas overlap.
    rank = {c: i for i, c in enumerate(COLOURS)}
    drawn.sort(key=lambda u: -rank.get(u.colour, 4))
    return render(
        request,
        "risks/site_map.html",
        {
            "enterprise": enterprise,
            "plan": plan,
            "drawn": drawn,
            "undrawn": [u for u in units if not u.area],
            "legend": [{"colour": c, "level": level_word(c)} for c in COLOURS],
            "can_manage": scoping.can_manage_risks(user, enterprise),
            "printed_at": timezone.now(),
            "label_size": max(12, round((plan.width if plan else 1000) / 55)),
        },
    )


# --- major hazard installations ------------------------------------------------------------------


def _grading_trigger(trigger: str) -> str:
    labels = {
        "create": _("Created"),
        "change": _("Edited"),
        regrade.TRIGGER_GB18218_BETA: _("Re-graded: GB 18218-2018 β by hazard category"),
    }
    return labels.get(trigger, trigger)


def _ratio_text(quantity, critical) -> str:
    try:
        return decimal_text(Fraction(quantity) / Fraction(critical))
    except (ZeroDivisionError, TypeError, ValueError):
        return "—"


@login_required
def installation_list(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    enterprise = _enterprise(user, pk)
    installations = list(
        scoping.visible(user, MajorHazardInstallation)
        .filter(enterprise=enterprise)
        .prefetch_related(
            Prefetch("substances"),
            Prefetch("tasks", queryset=CheckTask.objects.order_by("pk")),
            # The latest gradings of each installation, one query for the page.
            Prefetch(
                "gradings",
                queryset=InstallationGrading.objects.order_by("-recorded_at", "-id")[
                    :HISTORY_SHOWN
                ],
                to_attr="history",
            ),
        )
    )
    today = timezone.localdate()
    for installation in installations:
        installation.overdue = bool(installation.reassess_by and installation.reassess_by < today)
        installation.lines = [
            {
                "substance": s,
                "q": methods.render_number(s.quantity),
                "Q": methods.render_number(s.critical_quantity),
                "beta": methods.render_number(s.beta),
                "beta_source": s.beta_source,
                "ratio": _ratio_text(s.quantity, s.critical_quantity),
            }
            for s in installation.substances.all()
        ]
        for grading in installation.history:
            grading.trigger_label = _grading_trigger(grading.trigger)
        # The three 包保 tasks are created from services.GUARANTOR_TASKS; match them by
        # their content, not by the person's name (one person may hold two roles).
        by_content = {t.content: t for t in installation.tasks.all()}
        installation.guarantors = [
            {
                "role": MajorHazardInstallation._meta.get_field(key).verbose_name,
                "name": getattr(installation, key),
                "task": by_content.get(content),
            }
            for key, content, *_rest in services.GUARANTOR_TASKS
        ]
    return render(
        request,
        "risks/installation_list.html",
        {
            "enterprise": enterprise,
            "installations": installations,
            "can_manage": scoping.can_manage_risks(user, enterprise),
            "today": today,
        },
    )


def _substance_row(substance) -> dict[str, str]:
    """A stored substance as a form row. Q and β are left blank when they are the GB 18218
    tables' own values, so an edit keeps following the tables; values that were given
    (a substance the tables do not list) are shown."""
    row = major_hazard.lookup(substance.cas or substance.name)
    q = methods.render_number(substance.critical_quantity)
    beta = methods.render_number(substance.beta)
    if row is not None:
        if (
            row.critical_quantity is not None
            and Fraction(substance.critical_quantity) == row.critical_quantity
        ):
            q = ""
        if substance.beta_source:  # recorded since risks 0004
            from_tables = substance.beta_source != "given"
        else:  # 表3 β, else 表4 by the row's category
            from_tables = (
                Fraction(substance.beta)
                == major_hazard.resolve(major_hazard.Item(row.cas, 1, 1)).beta
            )
        if from_tables:
            beta = ""
    return {
        "substance": substance.cas or substance.name,
        "quantity": methods.render_number(substance.quantity),
        "critical_quantity": q,
        "beta": beta,
    }


def _installation_form(request, enterprise, installation=None):
    user = request.user
    _require_manage(user, enterprise)
    if installation is None:
        initial, rows = {}, []
    else:
        initial = {
            name: getattr(installation, name)
            for name in (
                "name",
                "code",
                "unit_kind",
                "people_500m",
                "principal_person",
                "technical_person",
                "operational_person",
            )
        }
        rows = [_substance_row(s) for s in installation.substances.all()]
    post = request.POST if request.method == "POST" else None
    form = InstallationForm(post, initial=initial)
    formset = substance_formset(post, initial=rows)
    substance_errors: list[str] = []
    if post is not None:
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            data = form.service_data()
            data["substances"] = [row for f in formset if (row := f.row())]
            try:
                saved = services.installation_save(
                    actor=_actor(request),
                    enterprise_id=enterprise.pk,
                    data=data,
                    installation_id=installation.pk if installation else None,
                )
            except ValidationFailed as exc:
                substance_errors = exc.errors.pop("substances", [])
                put_errors(form, exc.errors)
            except (NotFound, Forbidden) as exc:
                _refuse(exc)
            else:
                grade = saved.grade_name or _("not a major hazard installation")
                messages.success(
                    request,
                    _("Saved: Σq/Q = %(total)s, %(grade)s.")
                    % {"total": decimal_text(saved.total) or "—", "grade": grade},
                )
                return redirect(
                    reverse("risks:installation-list", args=[enterprise.pk])
                    + f"#installation-{saved.pk}"
                )
    return render(
        request,
        "risks/installation_form.html",
        {
            "enterprise": enterprise,
            "installation": installation,
            "form": form,
            "formset": formset,
            "substance_errors": substance_errors,
        },
    )


@login_required
def installation_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _installation_form(request, _enterprise(request.user, pk))


@login_required
def installation_edit(request: HttpRequest, pk: int, installation_pk: int) -> HttpResponse:
    enterprise = _enterprise(request.user, pk)
    installation = get_object_or_404(
        scoping.visible(request.user, MajorHazardInstallation).filter(enterprise=enterprise),
        pk=installation_pk,
    )
    return _installation_form(request, enterprise, installation)


# --- regulators: jurisdiction map and supervision by class --------------------------------------


def _colour_of_state():
    return Coalesce("risk_state__highest_colour", Value(""), output_field=CharField())


@login_required
def jurisdiction_map(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_regulator(user)
    enterprises = scoping.visible(user, Enterprise)
    rows = enterprises.annotate(c=_colour_of_state()).values("c").annotate(n=Count("pk")).order_by()
    counts = {row["c"]: row["n"] for row in rows}
    figures = enterprises.aggregate(
        total=Count("pk"),
        located=Count("pk", filter=Q(longitude__isnull=False, latitude__isnull=False)),
    )
    legend = [{"colour": c, "level": level_word(c), "count": counts.get(c, 0)} for c in COLOURS] + [
        {"colour": "none", "level": level_word(""), "count": counts.get("", 0)}
    ]
    return render(
        request,
        "risks/jurisdiction_map.html",
        {
            "areas": township_areas(user),
            "legend": legend,
            "series": [
                {
                    "colour": row["colour"],
                    "name": row["level"],
                    "hex": MAP_HEX[row["colour"]],
                    "symbol": MAP_SYMBOL[row["colour"]],
                }
                for row in legend
            ],
            "figures": figures,
            "max_points": MAX_POINTS,
            "printed_at": timezone.now(),
        },
    )


def township_areas(user: Any) -> list[dict[str, Any]]:
    """The townships in the user's scope that have an area, as rings with the point where
    the name is written (anjian.registry.geometry; generated in the demo)."""
    out = []
    rows = (
        scoping.visible_divisions(user)
        .filter(level="township", boundary__isnull=False)
        .order_by("code")
        .values_list("name", "boundary")
    )
    for name, shape in rows:
        try:
            ring = [(float(x), float(y)) for x, y in shape["coordinates"][0]]
        except (KeyError, IndexError, TypeError, ValueError):
            continue  # not a GeoJSON Polygon: leave it off the map rather than fail
        if len(ring) < 4:
            continue
        label = geometry.centroid(ring[:-1])
        out.append({"name": name, "ring": ring, "label": [label[0], label[1]]})
    return out


@login_required
@require_GET
def jurisdiction_map_data(request: HttpRequest) -> JsonResponse:
    """The enterprises in scope with coordinates, coloured by their highest unit colour.
    At most MAX_POINTS points: beyond that, counts per grid cell ("aggregated")."""
    user = request.user
    _require_regulator(user)
    located = scoping.visible(user, Enterprise).filter(
        longitude__isnull=False, latitude__isnull=False
    )
    total = located.count()
    detail = reverse("risks:enterprise", args=[0]).replace("/0/", "/{id}/")
    if total <= MAX_POINTS:
        points = [
            [float(lon), float(lat), colour or "none", pk, name]
            for pk, name, lon, lat, colour in located.values_list(
                "pk", "name", "longitude", "latitude", "risk_state__highest_colour"
            ).order_by("pk")
        ]
        return JsonResponse(
            {"mode": "points", "total": total, "points": points, "detail_url": detail}
        )
    cells: list = []
    cell_size = None
    for precision in (2, 1, 0):
        rows = list(
            located.annotate(
                x=Round("longitude", precision),
                y=Round("latitude", precision),
                c=_colour_of_state(),
            )
            .values("x", "y", "c")
            .annotate(n=Count("pk"))
            .order_by()
        )
        cell_size = 10.0**-precision
        cells = rows
        if len(rows) <= MAX_POINTS:
            break
    points = [[float(r["x"]), float(r["y"]), r["c"] or "none", r["n"]] for r in cells[:MAX_POINTS]]
    return JsonResponse(
        {
            "mode": "aggregated",
            "total": total,
            "cell": cell_size,
            "points": points,
            "note": _(
                "%(total)s enterprises are more than %(max)s points: each dot counts the "
                "enterprises of one colour in a %(cell)s° cell."
            )
            % {"total": total, "max": MAX_POINTS, "cell": cell_size},
        }
    )


def supervision_class():
    """The enterprise's supervision class in SQL, the same rule as
    supervision.enterprise_class: the highest of its unit colour, its code and its
    diagnosis (the one that counts, kept on diagnosis_state), yellow when there is none."""

    def either(colour: str) -> Q:
        return (
            Q(risk_state__highest_colour=colour)
            | Q(risk_state__code_colour=colour)
            | Q(diagnosis_state__colour=colour)
        )

    return Case(
        When(either("red"), then=Value("red")),
        When(either("orange"), then=Value("orange")),
        When(either("yellow"), then=Value("yellow")),
        When(either("blue"), then=Value("blue")),
        default=Value("yellow"),
        output_field=CharField(),
    )


def _class_rank():
    return Case(
        *[When(sclass=c, then=Value(i)) for i, c in enumerate(COLOURS)],
        default=Value(9),
        output_field=IntegerField(),
    )


@login_required
def supervision_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_regulator(user)
    form = SupervisionFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    profile = data.get("profile") or supervision.default_profile()
    qs = scoping.visible(user, Enterprise).annotate(sclass=supervision_class())
    q = (data.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__startswith=q.upper()))
    counts = {
        row["sclass"]: row["n"] for row in qs.values("sclass").annotate(n=Count("pk")).order_by()
    }
    chosen = data.get("cls") or ""
    if chosen:
        qs = qs.filter(sclass=chosen)
    ids = (
        qs.annotate(rank=_class_rank()).order_by("rank", "name", "pk").values_list("pk", flat=True)
    )
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = (
        scoping.visible(user, Enterprise)
        .filter(pk__in=list(page.object_list))
        .select_related("risk_state", "division", "division__parent", "industry")
        .in_bulk()
    )
    diagnoses = current_diagnoses(list(page.object_list))  # one query for the page
    items = []
    for pk in page.object_list:
        enterprise = rows.get(pk)
        if enterprise is None:
            continue
        # A missing one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
        state = getattr(enterprise, "risk_state", None)
        items.append(
            {
                "enterprise": enterprise,
                "state": state,
                "diagnosis": diagnoses.get(pk),
                "requirement": _requirement(state, profile, diagnoses.get(pk)),
            }
        )
    page.object_list = items
    requirements = [
        {
            "colour": c,
            "level": level_word(c),
            "count": counts.get(c, 0),
            "requirement": supervision.requirement(c, "", profile),
        }
        for c in COLOURS
    ]
    return render(
        request,
        "risks/supervision_list.html",
        {
            "form": form,
            "page": page,
            "chosen": chosen,
            "classes": requirements,
            "total": sum(counts.values()),
            "profile": profile,
        },
    )


# --- the public verification page and the QR code ---------------------------------------------


@never_cache
@require_GET
def code_verify(request: HttpRequest, token: str) -> HttpResponse:
    """Public: no login. Shows what the printed code claims and whether it still holds:
    the enterprise's name, its masked credit code, colour, score, dates and policy."""
    code = SafetyCode.objects.select_related("enterprise").filter(token=token).first()
    if code is None:
        raise Http404(_("No such safety code."))
    state = RiskState.objects.filter(enterprise_id=code.enterprise_id).first()
    status = code_status(code, state)
    return render(
        request,
        "risks/code_verify.html",
        {
            "code": code,
            "enterprise": code.enterprise,
            "status": status,
            "colour_name": code_name(code.colour),
            "checked_at": state.checked_at if state and state.code_id == code.pk else None,
        },
    )


@require_GET
def code_qr(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    """The QR code of the public page, as SVG or PNG, for printing."""
    code = SafetyCode.objects.filter(token=token).only("token").first()
    if code is None or kind not in ("svg", "png"):
        raise Http404(_("No such safety code."))
    qr = segno.make(public_code_url(request, code), error="m")
    out = io.BytesIO()
    if kind == "png":
        qr.save(out, kind="png", scale=10, border=4)
        content_type = "image/png"
    else:
        qr.save(out, kind="svg", scale=10, border=4)
        content_type = "image/svg+xml"
    response = HttpResponse(out.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="safety-code-{code.token[:8]}.{kind}"'
    return response


REASSESS_WARNING_DAYS = 90


@login_required
@require_GET
def installations_due(request: HttpRequest) -> HttpResponse:
    """Major hazard installations in the regulator's scope by their re-assessment date
    (安监总局令第40号 第十一条: every 3 years): overdue first, then those due within 90 days."""
    user = request.user
    _require_regulator(user)
    today = timezone.localdate()
    soon = today + dt.timedelta(days=REASSESS_WARNING_DAYS)
    qs = (
        scoping.visible(user, MajorHazardInstallation)
        .select_related("enterprise")
        .order_by(F("reassess_by").asc(nulls_first=True), "pk")
    )
    show = request.GET.get("show", "due")
    counts = {
        "overdue": qs.filter(reassess_by__lt=today).count(),
        "soon": qs.filter(reassess_by__gte=today, reassess_by__lte=soon).count(),
        "all": qs.count(),
    }
    if show == "due":
        qs = qs.filter(Q(reassess_by__lte=soon) | Q(reassess_by__isnull=True))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for installation in page.object_list:
        installation.days_left = (
            (installation.reassess_by - today).days if installation.reassess_by else None
        )
        installation.overdue_days = (
            -installation.days_left
            if (installation.days_left is not None and installation.days_left < 0)
            else 0
        )
    return render(
        request,
        "risks/installations_due.html",
        {"page": page, "counts": counts, "show": show, "warning_days": REASSESS_WARNING_DAYS},
    )

"""Pages of accidents (issue 13 items 1 and 9), scoped by
anjian.core.scoping.visible_accidents: the list with filters by grade, type and state;
the quick report form for a phone (the device's position when allowed); one accident
with its report versions, grade and why, deadlines and late flags, and the steps the
user may take now (follow-up, investigation, extension, persons held accountable,
close-out, withdrawal, concealment)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anjian.accounts.models import ENTERPRISE_ROLES, Role
from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.registry.models import Enterprise

from . import forms as f
from . import grading, services
from . import workflow as wf
from .models import Accident, AccidentReport, Investigation

PAGE_SIZE = 30


def _require_user(user: Any) -> None:
    if not (
        scoping.is_active_user(user)
        and (user.is_regulator or user.role in ENTERPRISE_ROLES or user.role == Role.PLATFORM_ADMIN)
    ):
        raise PermissionDenied(_("Your role does not use this page."))


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _add_errors(form: Any, exc: ValidationFailed, aliases: dict[str, str] | None = None) -> None:
    for field, messages in exc.errors.items():
        name = (aliases or {}).get(field, field)
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


# --- list ----------------------------------------------------------------------------------


@login_required
@require_GET
def accident_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_user(user)
    form = f.FilterForm(request.GET or None)
    qs = services.visible_accidents(user).select_related("division", "enterprise")
    active: dict[str, str] = {}
    if form.is_valid():
        for name in ("grade", "gb6441_type", "state"):
            value = form.cleaned_data.get(name)
            if value:
                qs = qs.filter(**{name: value})
                active[name] = value
    page = Paginator(qs.order_by("-occurred_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accidents/list.html",
        {
            "page": page,
            "form": form,
            "query": "&".join(f"{k}={v}" for k, v in active.items()),
            "may_report": services.may_report(user),
            "type_names": grading.GB6441_TYPE_NAMES,
        },
    )


# --- the quick report ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def accident_report(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not services.may_report(user):
        raise PermissionDenied(
            _("Only a regulator or the enterprise's staff may report an accident.")
        )
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = f.QuickReportForm(
        user, request.POST or None, initial={"occurred_at": now, "learned_at": now}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        fields: dict[str, Any] = {
            name: data.get(name)
            for name in (
                "occurred_at",
                "learned_at",
                "place",
                "gb6441_type",
                "road_or_fire",
                "latitude",
                "longitude",
                *services.FIGURE_FIELDS,
                "direct_loss_yuan",
                *services.TEXT_FIELDS,
            )
        }
        if not form.for_enterprise:
            fields["division_id"] = data["division"].pk if data.get("division") else None
            fields["industry_id"] = data["industry"].pk if data.get("industry") else None
            uscc = (data.get("enterprise_uscc") or "").strip().upper()
            if uscc:
                enterprise = Enterprise.objects.filter(uscc=uscc).values_list("pk", flat=True)
                found = enterprise.first()
                if found is None:
                    form.add_error("enterprise_uscc", _("No such enterprise in your jurisdiction."))
                fields["enterprise_id"] = found
        if not form.errors:
            try:
                accident = services.accident_report(actor=_actor(request), **fields)
            except ValidationFailed as exc:
                _add_errors(
                    form,
                    exc,
                    {"enterprise": "enterprise_uscc", "latitude": "", "longitude": ""},
                )
            else:
                return redirect("accidents:detail", pk=accident.pk)
    return render(
        request,
        "accidents/report.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


# --- one accident --------------------------------------------------------------------------


def _load(request: HttpRequest, pk: int) -> Accident:
    _require_user(request.user)
    accident = (
        services.visible_accidents(request.user)
        .select_related("division", "enterprise", "industry", "reported_by")
        .prefetch_related(
            Prefetch("reports", queryset=AccidentReport.objects.select_related("by")),
            "accountable_persons",
        )
        .filter(pk=pk)
        .first()
    )
    if accident is None:
        raise Http404(_("No such accident in your scope."))
    return accident


def _ids(action: str) -> str:
    """Each step's form on the detail page has its own element ids (several share field
    names such as version and measures; a label must point at its own form's field)."""
    return f"id_{action}_%s"


def _forms(accident: Accident, bound: dict[str, Any]) -> dict[str, Any]:
    v = {"version": accident.version}
    current = {
        name: getattr(accident, name) for name in (*services.FIGURE_FIELDS, "direct_loss_yuan")
    }
    made = {
        wf.FOLLOWUP: lambda: f.FollowupForm(initial={**v, **current}, auto_id=_ids(wf.FOLLOWUP)),
        wf.INVESTIGATE: lambda: f.VersionForm(initial=v, auto_id=_ids(wf.INVESTIGATE)),
        wf.EXTEND: lambda: f.ExtendForm(initial=v, auto_id=_ids(wf.EXTEND)),
        wf.ACCOUNTABLE: lambda: f.AccountableForm(initial=v, auto_id=_ids(wf.ACCOUNTABLE)),
        wf.CLOSE: lambda: f.CloseForm(
            services.checklist_labels(), initial=v, auto_id=_ids(wf.CLOSE)
        ),
        wf.WITHDRAW: lambda: f.ReasonForm(initial=v, auto_id=_ids(wf.WITHDRAW)),
        wf.CONCEAL: lambda: f.NoteForm(initial=v, auto_id=_ids(wf.CONCEAL)),
    }
    return {action: bound.get(action) or build() for action, build in made.items()}


def _detail(
    request: HttpRequest,
    accident: Accident,
    *,
    bound: dict[str, Any] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    investigation = Investigation.objects.filter(accident=accident).first()
    actions = services.available(request.user, accident, investigation)
    forms_ = _forms(accident, bound or {})
    labels = services.action_labels()
    criteria = services.criterion_labels()
    return render(
        request,
        "accidents/detail.html",
        {
            "accident": accident,
            "type_name": grading.GB6441_TYPE_NAMES.get(accident.gb6441_type, ""),
            "why": [criteria.get(c, c) for c in accident.decided_by],
            "reports": sorted(accident.reports.all(), key=lambda r: -r.number),
            "investigation": investigation,
            "level_label": services.level_labels().get(investigation.level, "")
            if investigation
            else services.level_labels().get(grading.investigating_level(accident.grade), ""),
            "checklist": [
                (
                    label,
                    getattr(investigation, box, False),
                    getattr(investigation, f"{box}_note", ""),
                )
                for box, label in services.checklist_labels().items()
            ]
            if investigation
            else [],
            "deadlines": services.deadlines(accident, investigation),
            "actions": [
                {"action": a, "label": labels[a], "form": forms_[a], "open": a in (bound or {})}
                for a in actions
            ],
            "events": accident.events.select_related("actor"),
            "action_labels": labels,
            "refusal": refusal,
        },
        status=status,
    )


@login_required
@require_GET
def accident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _load(request, pk))


def _call(request: HttpRequest, accident: Accident, action: str, form: Any) -> Any:
    """Call the one service of `action` with the form's values."""
    who = _actor(request)
    d = form.cleaned_data
    common = {"actor": who, "accident_id": accident.pk, "expected_version": d.get("version")}
    if action == wf.FOLLOWUP:
        return services.accident_followup(
            **common,
            **{n: d.get(n) for n in (*services.FIGURE_FIELDS, "direct_loss_yuan")},
            **{n: d.get(n) for n in services.TEXT_FIELDS},
        )
    if action == wf.INVESTIGATE:
        return services.accident_investigate(**common)
    if action == wf.EXTEND:
        return services.investigation_extend(**common, days=d["days"], reason=d["reason"])
    if action == wf.ACCOUNTABLE:
        return services.accident_accountable_add(
            **common,
            name=d["name"],
            position=d["position"],
            measure=d["measure"],
            basis=d.get("basis", ""),
        )
    if action == wf.CLOSE:
        return services.investigation_close(
            **common,
            causes=d["causes"],
            lessons=d.get("lessons", ""),
            measures=d.get("measures", ""),
            findings=d.get("findings", ""),
            checklist={box: bool(d.get(box)) for box in services.CHECKLIST},
            notes={box: d.get(f"{box}_note", "") for box in services.CHECKLIST},
        )
    if action == wf.WITHDRAW:
        return services.accident_withdraw(**common, reason=d["reason"])
    return services.accident_mark_concealed(**common, note=d["note"])


@login_required
@require_POST
def accident_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    accident = _load(request, pk)
    if action not in wf.ACTIONS:
        raise Http404(_("No such step."))
    builders = {
        wf.FOLLOWUP: lambda: f.FollowupForm(request.POST, auto_id=_ids(wf.FOLLOWUP)),
        wf.INVESTIGATE: lambda: f.VersionForm(request.POST, auto_id=_ids(wf.INVESTIGATE)),
        wf.EXTEND: lambda: f.ExtendForm(request.POST, auto_id=_ids(wf.EXTEND)),
        wf.ACCOUNTABLE: lambda: f.AccountableForm(request.POST, auto_id=_ids(wf.ACCOUNTABLE)),
        wf.CLOSE: lambda: f.CloseForm(
            services.checklist_labels(), request.POST, auto_id=_ids(wf.CLOSE)
        ),
        wf.WITHDRAW: lambda: f.ReasonForm(request.POST, auto_id=_ids(wf.WITHDRAW)),
        wf.CONCEAL: lambda: f.NoteForm(request.POST, auto_id=_ids(wf.CONCEAL)),
    }
    form = builders[action]()
    if not form.is_valid():
        return _detail(request, accident, bound={action: form}, status=400)
    try:
        _call(request, accident, action, form)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except Forbidden as exc:
        return _detail(request, accident, refusal=str(exc), status=403)
    except Conflict as exc:
        return _detail(request, accident, refusal=str(exc), status=409)
    except ValidationFailed as exc:
        _add_errors(form, exc)
        return _detail(request, accident, bound={action: form}, status=400)
    return redirect("accidents:detail", pk=pk)

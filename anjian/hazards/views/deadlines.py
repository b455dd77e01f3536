"""Deadline pages: ask for an extension (the enterprise), decide on it (the lead
department / safety committee office, or the listing authority for a major hazard),
the regulators' list of overdue hazards with their escalation level, and the list of
extension requests waiting for a decision.

Reads start from `scoping.visible`; writes go through anjian.hazards.extensions. A
refusal is shown with the service's reason; out of scope is 404.

For the hazard detail page, `deadline_context(user, hazard)` gives what its deadline
panel needs (templates/hazards/deadlines/_panel.html).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.accounts.models import Role
from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.sections import REGISTRY_ROLES

from .. import deadlines as dl
from .. import extensions, jobs
from ..models import DeadlineExtension, ExtensionState, Hazard

PAGE_SIZE = 50


class ExtensionRequestForm(forms.Form):
    new_deadline = forms.DateField(
        label=gettext_lazy("New deadline"),
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=gettext_lazy("Why the hazard cannot be fixed by the current deadline."),
    )
    required_names = ("new_deadline", "reason")
    wide_names = ("reason",)


class ExtensionDecisionForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=gettext_lazy("Required when refusing."),
    )
    required_names = ()
    wide_names = ("note",)


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def _put_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    for key, texts in errors.items():
        for text in texts:
            form.add_error(key if key in form.fields else None, text)


def _require_regulator(user) -> None:
    if not (user.is_authenticated and user.is_active and user.role in REGISTRY_ROLES):
        raise PermissionDenied(_("Your role does not use this page."))


def deadline_context(user: Any, hazard: Hazard) -> dict[str, Any]:
    """What the hazard page needs for its deadline panel."""
    today = timezone.localdate()
    standing = jobs.hazard_standing(hazard, today, jobs.deadline_policy())
    pending = extensions.pending_extension(hazard)
    return {
        "deadline_standing": standing,
        "escalation_label": jobs.level_labels().get(hazard.escalation_level, ""),
        "pending_extension": pending,
        "may_request_extension": pending is None and extensions.may_request(user, hazard),
        "may_decide_extension": pending is not None and extensions.may_decide(user, hazard),
        "extension_history": list(hazard.extensions.select_related("requested_by", "decided_by")),
    }


@login_required
def extension_request(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    hazard = get_object_or_404(
        scoping.visible(user, Hazard).select_related("enterprise__division"), pk=pk
    )
    if not extensions.may_request(user, hazard):
        refusal = (
            _("Only the enterprise's principal or safety officer may ask for an extension.")
            if user.role not in (Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER)
            else _(
                "An extension can be asked for only while the five fixes are set or "
                "rectification runs."
            )
        )
        raise PermissionDenied(refusal)
    pending = extensions.pending_extension(hazard)
    form = ExtensionRequestForm(request.POST or None)
    if request.method == "POST" and pending is None and form.is_valid():
        try:
            extensions.deadline_extension_request(
                actor=_actor(request),
                hazard_id=hazard.pk,
                new_deadline=form.cleaned_data["new_deadline"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as exc:
            _put_errors(form, exc.errors)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect("hazards:detail", pk=hazard.pk)
        except (Forbidden, NotFound) as exc:  # pragma: no cover - checked above
            raise PermissionDenied(str(exc)) from exc
        else:
            messages.success(request, _("The extension request was sent for a decision."))
            return redirect("hazards:detail", pk=hazard.pk)
    return render(
        request,
        "hazards/deadlines/request.html",
        {
            "hazard": hazard,
            "enterprise": hazard.enterprise,
            "form": form,
            "pending": pending,
            "title": _("Ask for a deadline extension"),
            **deadline_context(user, hazard),
        },
    )


@login_required
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    extension = get_object_or_404(
        scoping.visible(user, DeadlineExtension).select_related(
            "hazard__enterprise__division", "requested_by", "decided_by"
        ),
        pk=pk,
    )
    hazard = extension.hazard
    if not extensions.may_decide(user, hazard):
        raise PermissionDenied(
            _("Only the body that decides on this hazard may decide on its extension.")
        )
    form = ExtensionDecisionForm(request.POST or None)
    if request.method == "POST" and extension.pending and form.is_valid():
        decision = request.POST.get("decision")
        if decision not in ("approve", "refuse"):
            form.add_error(None, _("Choose approve or refuse."))
        else:
            try:
                extensions.deadline_extension_decide(
                    actor=_actor(request),
                    extension_id=extension.pk,
                    approve=decision == "approve",
                    note=form.cleaned_data["note"],
                )
            except ValidationFailed as exc:
                _put_errors(form, exc.errors)
            except Conflict as exc:
                messages.error(request, str(exc))
                return redirect("hazards:extension-decide", pk=extension.pk)
            except (Forbidden, NotFound) as exc:  # pragma: no cover - checked above
                raise PermissionDenied(str(exc)) from exc
            else:
                messages.success(
                    request,
                    _("The deadline was extended.")
                    if decision == "approve"
                    else _("The extension was refused."),
                )
                return redirect("hazards:detail", pk=hazard.pk)
    return render(
        request,
        "hazards/deadlines/decide.html",
        {
            "hazard": hazard,
            "enterprise": hazard.enterprise,
            "extension": extension,
            "form": form,
            "title": _("Decide on the deadline extension"),
        },
    )


@login_required
def overdue_list(request: HttpRequest) -> HttpResponse:
    """Open hazards marked overdue in the user's scope, the most escalated first."""
    user = request.user
    _require_regulator(user)
    qs = (
        scoping.visible(user, Hazard)
        .filter(overdue_since__isnull=False)
        .exclude(state="closed")
        .select_related("enterprise")
        .order_by("-escalation_level", "overdue_since", "id")
    )
    level = request.GET.get("level", "")
    if level in {"1", "2", "3"}:
        qs = qs.filter(escalation_level=int(level))
    major = request.GET.get("major") == "1"
    if major:
        qs = qs.filter(level="major")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    policy = jobs.deadline_policy()
    rows = [(h, jobs.hazard_standing(h, today, policy)) for h in page.object_list]
    return render(
        request,
        "hazards/deadlines/overdue.html",
        {
            "page": page,
            "rows": rows,
            "level": level,
            "major": major,
            "level_labels": jobs.level_labels(),
            "policy": policy,
            "max_level": dl.MAX_LEVEL,
            "section": "hazards",
        },
    )


@login_required
def extension_list(request: HttpRequest) -> HttpResponse:
    """Extension requests in the user's scope: waiting ones first."""
    user = request.user
    if not scoping.is_active_user(user):
        raise PermissionDenied(_("Your role does not use this page."))
    show = request.GET.get("show", "pending")
    qs = scoping.visible(user, DeadlineExtension).select_related(
        "hazard__enterprise", "requested_by", "decided_by"
    )
    if show != "all":
        qs = qs.filter(state=ExtensionState.REQUESTED)
    page = Paginator(qs.order_by("-requested_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    deciding = extensions.may_decide_many(user, [e.hazard for e in page.object_list])
    rows = [(e, e.pending and deciding[e.hazard_id]) for e in page.object_list]
    return render(
        request,
        "hazards/deadlines/extensions.html",
        {"page": page, "rows": rows, "show": show, "section": "hazards"},
    )

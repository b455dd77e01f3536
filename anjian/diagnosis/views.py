"""Diagnosis pages: an enterprise's diagnoses (the one that counts for supervision and the
history), one diagnosis item by item, and the scoring form.

Reads start from `scoping.visible`; the write goes through `services.diagnosis_record`
whose field errors are put back on the form (never a 500); an enterprise out of scope is
404, a role that may not record gets the 403 page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.core.errors import Forbidden, NotFound, ValidationFailed
from anjian.core.sections import require_section
from anjian.registry.models import Enterprise

from . import scoring, services
from .explain import item_rows, reason_text, situation_texts
from .forms import DiagnosisForm
from .models import Diagnosis, DiagnosisState

PAGE_SIZE = 20


def _enterprise(user, pk: int) -> Enterprise:
    require_section(user, "enterprises")
    return get_object_or_404(
        scoping.visible(user, Enterprise).select_related("division", "industry"), pk=pk
    )


def _state(user, enterprise: Enterprise) -> DiagnosisState | None:
    return (
        scoping.visible(user, DiagnosisState)
        .select_related("current")
        .filter(enterprise=enterprise)
        .first()
    )


@login_required
def diagnosis_list(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    enterprise = _enterprise(user, pk)
    state = _state(user, enterprise)
    history = (
        scoping.visible(user, Diagnosis)
        .filter(enterprise=enterprise)
        .order_by("-diagnosed_on", "-id")
    )
    page = Paginator(history, PAGE_SIZE).get_page(request.GET.get("page"))
    current = state.current if state else None
    return render(
        request,
        "diagnosis/list.html",
        {
            "enterprise": enterprise,
            "current": current,
            "current_reason": reason_text(current) if current else "",
            "page": page,
            "may_record": services.recording_kind(user, enterprise),
            "guide": scoring.load_guide(),
        },
    )


@login_required
def diagnosis_detail(request: HttpRequest, pk: int, diagnosis_pk: int) -> HttpResponse:
    user = request.user
    enterprise = _enterprise(user, pk)
    diagnosis = get_object_or_404(
        scoping.visible(user, Diagnosis).filter(enterprise=enterprise), pk=diagnosis_pk
    )
    state = _state(user, enterprise)
    later = (
        scoping.visible(user, Diagnosis)
        .filter(enterprise=enterprise, supersedes=diagnosis)
        .order_by("id")
        .first()
    )
    return render(
        request,
        "diagnosis/detail.html",
        {
            "enterprise": enterprise,
            "diagnosis": diagnosis,
            "rows": item_rows(diagnosis),
            "situations": situation_texts(diagnosis),
            "reason": reason_text(diagnosis),
            "counts": state is not None and state.current_id == diagnosis.pk,
            "later": later,
        },
    )


@login_required
def diagnosis_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    enterprise = _enterprise(user, pk)
    kind = services.recording_kind(user, enterprise)
    if kind is None:
        raise PermissionDenied(
            _(
                "You may read this enterprise's diagnoses but not record one: that is for "
                "regulators and experts of its jurisdiction, or its principal and safety "
                "officer as a self-assessment."
            )
        )
    guide = scoring.load_guide()
    form = DiagnosisForm(request.POST or None, guide=guide)
    if request.method == "POST" and form.is_valid():
        try:
            diagnosis = services.diagnosis_record(
                actor=Actor.for_user(user, "web"), enterprise=enterprise, **form.service_data()
            )
        except ValidationFailed as exc:
            form.put_errors(exc.errors)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            messages.success(
                request,
                _("Diagnosis recorded: %(score)s points, %(colour)s.")
                % {
                    "score": scoring.number_text(diagnosis.score),
                    "colour": diagnosis.get_colour_display(),
                },
            )
            return redirect("diagnosis:detail", pk=enterprise.pk, diagnosis_pk=diagnosis.pk)
    return render(
        request,
        "diagnosis/form.html",
        {
            "enterprise": enterprise,
            "form": form,
            "guide": guide,
            "self_assessment": kind == services.SELF,
        },
    )

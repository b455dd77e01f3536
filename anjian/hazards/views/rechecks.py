"""Re-check pages (回头看): the inspector's list of pending re-checks, one re-check with
its record form, and the summary of the sampling runs.

Reads start from anjian.hazards.rechecks.visible_rechecks (NOT scoping.visible: pending
re-checks are hidden from the enterprise, see that module); the result is written by
rechecks.recheck_record. Enterprise staff see the done re-checks of their own enterprise;
anyone without a role gets the 403 page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from anjian.accounts.models import ENTERPRISE_ROLES, REGULATOR_ROLES
from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .. import rechecks
from ..forms import PhotosField
from ..models import RecheckResult, RecheckRun, RecheckState

PAGE_SIZE = 25


class RecheckForm(forms.Form):
    result = forms.ChoiceField(
        label=gettext_lazy("Result"), choices=RecheckResult.choices, widget=forms.RadioSelect
    )
    findings = forms.CharField(
        label=gettext_lazy("Findings"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,  # the service says what is missing, in its words
    )
    photos = PhotosField(label=gettext_lazy("Photos"))
    required_names = frozenset({"result", "findings"})
    wide_names = frozenset({"findings", "photos"})


def _require_role(user: Any) -> None:
    if not scoping.is_active_user(user) or user.role not in (REGULATOR_ROLES | ENTERPRISE_ROLES):
        raise PermissionDenied(_("Your role does not use this page."))


@login_required
@require_GET
def recheck_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_role(user)
    is_regulator = user.role in REGULATOR_ROLES
    qs = rechecks.visible_rechecks(user).select_related(
        "hazard", "hazard__enterprise", "relapse_hazard", "done_by"
    )
    today = timezone.localdate()
    counts = qs.aggregate(
        pending=Count("pk", filter=Q(state=RecheckState.PENDING)),
        overdue=Count("pk", filter=Q(state=RecheckState.PENDING, due_on__lt=today)),
        done=Count("pk", filter=Q(state=RecheckState.DONE)),
        relapsed=Count("pk", filter=Q(result=RecheckResult.RELAPSED)),
    )
    show = request.GET.get("show") or ("pending" if is_regulator else "done")
    if show not in ("pending", "done", "relapsed"):
        show = "pending"
    if show == "pending":
        qs = qs.filter(state=RecheckState.PENDING).order_by("due_on", "pk")
    elif show == "relapsed":
        qs = qs.filter(result=RecheckResult.RELAPSED).order_by("-done_at", "-pk")
    else:
        qs = qs.filter(state=RecheckState.DONE).order_by("-done_at", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "hazards/rechecks/list.html",
        {
            "page": page,
            "show": show,
            "counts": counts,
            "today": today,
            "is_regulator": is_regulator,
            "section": "hazards",
        },
    )


def _get(user: Any, pk: int):
    found = (
        rechecks.visible_rechecks(user)
        .select_related(
            "hazard", "hazard__enterprise", "run", "run__division", "relapse_hazard", "done_by"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("No such re-check in your scope."))
    return found


@login_required
def recheck_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One re-check; GET shows the record form to an inspector while it is pending, POST
    records the result through the service (once; a second inspector gets a message)."""
    user = request.user
    _require_role(user)
    recheck = _get(user, pk)
    can_record = recheck.state == RecheckState.PENDING and rechecks.may_record(user, recheck)
    form = RecheckForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if not can_record and recheck.state == RecheckState.PENDING:
            raise PermissionDenied(
                _("Only regulators supervising the enterprise may record a re-check.")
            )
        if form.is_valid():
            try:
                done = rechecks.recheck_record(
                    actor=Actor.for_user(user, "web"),
                    recheck_id=recheck.pk,
                    result=form.cleaned_data["result"],
                    findings=form.cleaned_data["findings"],
                    photos=form.cleaned_data.get("photos") or [],
                )
            except ValidationFailed as exc:
                for key, texts in exc.errors.items():
                    for text in texts:
                        form.add_error(key if key in form.fields else None, text)
                status = 422
            except NotFound as exc:
                raise Http404(str(exc)) from exc
            except Forbidden as exc:
                raise PermissionDenied(str(exc)) from exc
            except Conflict as exc:
                messages.warning(request, str(exc))
                return redirect("hazards:recheck", pk=recheck.pk)
            else:
                if done.relapse_hazard_id:
                    messages.success(
                        request,
                        _("Relapse recorded; new hazard %(number)s reported.")
                        % {"number": done.relapse_hazard.number},
                    )
                    return redirect("hazards:detail", pk=done.relapse_hazard_id)
                messages.success(request, _("Re-check recorded: still fixed."))
                return redirect("hazards:recheck", pk=recheck.pk)
        else:
            status = 422
    return render(
        request,
        "hazards/rechecks/detail.html",
        {
            "recheck": recheck,
            "hazard": recheck.hazard,
            "form": form,
            "can_record": can_record,
            "section": "hazards",
        },
        status=status,
    )


@login_required
@require_GET
def recheck_runs(request: HttpRequest) -> HttpResponse:
    """The sampling runs of the regulator's counties (and above), newest first, with how
    many of each run's re-checks in the regulator's scope are pending, done, relapsed."""
    user = request.user
    if not scoping.is_active_user(user) or user.role not in REGULATOR_ROLES:
        raise PermissionDenied(_("Your role does not use this page."))
    mine = rechecks.visible_rechecks(user)
    runs = (
        RecheckRun.objects.filter(division__in=scoping.visible_divisions(user))
        .select_related("division")
        .annotate(
            in_scope=Count("rechecks", filter=Q(rechecks__in=mine)),
            pending=Count(
                "rechecks", filter=Q(rechecks__in=mine, rechecks__state=RecheckState.PENDING)
            ),
            relapsed=Count(
                "rechecks",
                filter=Q(rechecks__in=mine, rechecks__result=RecheckResult.RELAPSED),
            ),
        )
        .order_by("-period", "division__code")
    )
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "hazards/rechecks/runs.html", {"page": page, "section": "hazards"})

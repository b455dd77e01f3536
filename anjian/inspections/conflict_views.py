"""The page of declared conflicts of interest (利益冲突申报) for a department's inspectors
and officers: the roster's declarations (standing and withdrawn), a form to declare one
(the enterprise chosen among those in scope, narrowed by a search on name or credit
code) and a withdraw button per standing declaration. The draw page links here with the
number of standing declarations the draw will respect."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_http_methods, require_POST

from anjian.accounts.models import User
from anjian.core import scoping
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

from . import conflict_services as cs
from .views import PAGE_SIZE, _actor

# How many enterprises the form's list offers at once; a search narrows it.
CHOICES_LIMIT = 300
STATES = ("standing", "withdrawn")


class ConflictForm(forms.Form):
    inspector = forms.IntegerField(label=gettext_lazy("inspector"), widget=forms.Select)
    enterprise = forms.IntegerField(label=gettext_lazy("enterprise"), widget=forms.Select)
    reason = forms.CharField(
        label=gettext_lazy("reason"),
        max_length=cs.REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "For example: a relative works there, a former employer or client, a shareholding."
        ),
    )

    def __init__(self, user: User, search: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspector"].widget.choices = [
            (u.pk, str(u)) for u in cs.declarable_inspectors(user)
        ]
        enterprises = scoping.visible_enterprises(user)
        if search:
            enterprises = enterprises.filter(Q(name__icontains=search) | Q(uscc__icontains=search))
        rows = list(enterprises.order_by("name", "pk").values_list("pk", "name", "uscc"))
        self.more = len(rows) > CHOICES_LIMIT
        rows = rows[:CHOICES_LIMIT]
        chosen = self.data.get("enterprise") if self.is_bound else None
        if chosen and str(chosen).isdigit() and all(str(pk) != chosen for pk, _n, _u in rows):
            # Keep the posted choice on the list when the form comes back with an error.
            rows = [
                *scoping.visible_enterprises(user)
                .filter(pk=int(chosen))
                .values_list("pk", "name", "uscc"),
                *rows,
            ]
        self.fields["enterprise"].widget.choices = [
            ("", "—"),
            # The name only: a drop-down cannot mark the credit code as a code, and the
            # search above finds an enterprise by its code.
            *((pk, name) for pk, name, _uscc in rows),
        ]


def _require_inspector(user: Any) -> None:
    if not cs.is_officer(user):
        raise PermissionDenied(_("Only a department's inspectors declare conflicts of interest."))


def _page(
    request: HttpRequest, form: ConflictForm, search: str, status: int = 200, refusal: str = ""
) -> HttpResponse:
    user = request.user
    state = request.GET.get("state") or ""
    qs = cs.visible_conflicts(user).select_related(
        "inspector", "enterprise", "declared_by", "withdrawn_by"
    )
    if state in STATES:
        qs = qs.filter(withdrawn_at__isnull=state == "standing")
    page = Paginator(qs.order_by("-declared_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "inspections/conflicts.html",
        {
            "page": page,
            "state": state,
            "states": {
                "standing": pgettext("conflict of interest", "standing"),
                "withdrawn": pgettext("conflict of interest", "withdrawn"),
            },
            "form": form,
            "search": search,
            "more": form.more,
            "standing": cs.visible_conflicts(user).filter(withdrawn_at__isnull=True).count(),
            "refusal": refusal,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def conflicts(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_inspector(user)
    search = (request.GET.get("q") or "").strip()[:100]
    if request.method == "GET":
        form = ConflictForm(user, search, initial={"inspector": user.pk})
        return _page(request, form, search)
    form = ConflictForm(user, search, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            cs.conflict_declare(
                actor=_actor(request),
                inspector_id=data["inspector"],
                enterprise_id=data["enterprise"],
                reason=data["reason"],
            )
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        except ValidationFailed as exc:
            for field, errs in exc.errors.items():
                for err in errs:
                    form.add_error(field if field in form.fields else None, err)
        else:
            messages.success(request, _("Conflict of interest declared."))
            return redirect("inspections:conflicts")
    return _page(request, form, search, status=400)


@login_required
@require_POST
def conflict_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_inspector(user)
    try:
        cs.conflict_withdraw(actor=_actor(request), conflict_id=pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except Conflict as exc:
        form = ConflictForm(user, "", initial={"inspector": user.pk})
        return _page(request, form, "", status=409, refusal=str(exc))
    messages.success(request, _("Declaration withdrawn."))
    return redirect("inspections:conflicts")

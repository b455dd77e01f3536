"""Pages of the responsibility lists (全员安全生产责任制; 《安全生产法》 第二十二条): the
enterprise's list with missing signatures in red (or, for regulators, the enterprises in
scope with their missing-signature counts and overdue reports), a post's duties, the
letters signed for a post in bulk, the principal's quarterly report. Views parse, call
one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

from . import duty_rules as dr
from . import duty_services as ds


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


@login_required
@require_GET
def duty(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not scoping.is_active_user(user) or not user.role:
        raise PermissionDenied(_("Your role does not use this page."))
    enterprise = request.GET.get("enterprise") or None
    if enterprise is None and not user.enterprise_id:
        try:
            rows = ds.duty_overview(user)
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        return render(
            request, "people/duty_overview.html", {"rows": rows, "today": timezone.localdate()}
        )
    try:
        status = ds.duty_status(user, enterprise)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(
        request,
        "people/duty_list.html",
        {
            "s": status,
            "may_manage": ds.may_manage(user) and user.enterprise_id == status.enterprise.pk,
            "is_principal": ds.is_principal(user) and user.enterprise_id == status.enterprise.pk,
            "OVERDUE": dr.OVERDUE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def duty_post_new(request: HttpRequest) -> HttpResponse:
    if not ds.may_manage(request.user):
        raise PermissionDenied(
            _("Only the enterprise's principal or safety officer keeps its list.")
        )
    errors: dict[str, list[str]] = {}
    values = {"post": request.GET.get("post", ""), "duties": ""}
    if request.method == "POST":
        values = {"post": request.POST.get("post", ""), "duties": request.POST.get("duties", "")}
        try:
            ds.duty_post_save(actor=_actor(request), **values)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            return redirect("people:duty")
    return render(
        request,
        "people/duty_post_form.html",
        {"values": values, "errors": errors},
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def duty_letter(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not ds.may_manage(user):
        raise PermissionDenied(
            _("Only the enterprise's principal or safety officer records letters.")
        )
    try:
        status = ds.duty_status(user, user.enterprise_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    row = next((r for r in status.rows if r.post.pk == pk), None)
    if row is None:
        raise Http404(_("No such post in your scope."))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            created = ds.duty_letters_record(
                actor=_actor(request),
                post_id=pk,
                worker_ids=request.POST.getlist("worker"),
                year=request.POST.get("year") or None,
                signed_on=request.POST.get("signed_on") or None,
            )
        except ValidationFailed as exc:
            errors = exc.errors
        except (Conflict, Forbidden) as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            messages.success(request, _("%(n)d letters recorded.") % {"n": len(created)})
            return redirect("people:duty")
    return render(
        request,
        "people/duty_letter_form.html",
        {"row": row, "s": status, "errors": errors, "today": timezone.localdate()},
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def duty_report_new(request: HttpRequest) -> HttpResponse:
    if not ds.is_principal(request.user):
        raise PermissionDenied(_("Only the enterprise's principal reports on duty performance."))
    today = timezone.localdate()
    year, quarter = dr.last_ended_quarter(today)
    values = {"year": str(year), "quarter": str(quarter), "text": ""}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("year", "quarter", "text")}
        try:
            ds.duty_report_submit(actor=_actor(request), **values)
        except ValidationFailed as exc:
            errors = exc.errors
        except Conflict as exc:
            errors = {"quarter": [str(exc)]}
        else:
            messages.success(request, _("The quarterly report was submitted."))
            return redirect("people:duty")
    return render(
        request,
        "people/duty_report_form.html",
        {"values": values, "errors": errors, "quarters": (1, 2, 3, 4)},
        status=400 if errors else 200,
    )

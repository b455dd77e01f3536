"""Pages of the safety points (安全积分) and the responsibility lists are in
duty_views.py. Here: the points bank (ranking per enterprise and recent lines), one
worker's ledger (an employee sees only their own), and the POST-only award and reversal
forms. Views parse, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

from . import points_rules as pr
from . import points_services as ps


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def _year(value: Any) -> int:
    text = value if isinstance(value, str) else ""
    if text.isascii() and text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return timezone.localdate().year


@login_required
@require_GET
def points_bank(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not scoping.is_active_user(user) or not user.role:
        raise PermissionDenied(_("Your role does not use this page."))
    year = _year(request.GET.get("year"))
    own = getattr(user, "worker", None) if scoping.is_active_user(user) else None
    rows = ps.ranking(user, year=year)
    return render(
        request,
        "people/points_bank.html",
        {
            "rows": rows,
            "recent": ps.recent(user),
            "year": year,
            "own": own,
            "may_manage": ps.may_manage(user),
            "labels": ps.rule_labels(),
            "policy": ps.policy(),
            "severities": pr.SEVERITIES,
        },
    )


@login_required
@require_GET
def points_worker(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        ledger = ps.ledger(request.user, pk, year=_year(request.GET.get("year")))
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(
        request,
        "people/points_worker.html",
        {
            "ledger": ledger,
            "labels": ps.rule_labels(),
            "may_manage": ps.may_manage(request.user, ledger.worker.enterprise_id),
            "severities": pr.SEVERITIES,
            "policy": ps.policy(),
        },
    )


def _refused(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, NotFound):
        raise Http404(str(exc)) from exc
    if isinstance(exc, Forbidden):
        raise PermissionDenied(str(exc)) from exc
    if isinstance(exc, ValidationFailed):
        for problems in exc.errors.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.error(request, str(exc))


@login_required
@require_POST
def points_award(request: HttpRequest) -> HttpResponse:
    worker_id = request.POST.get("worker", "")
    try:
        entry = ps.points_award(
            actor=_actor(request),
            worker_id=worker_id,
            rule=request.POST.get("rule", ""),
            points=request.POST.get("points") or None,
            severity=request.POST.get("severity") or None,
            note=request.POST.get("note", ""),
        )
    except (ValidationFailed, Forbidden, NotFound, Conflict) as exc:
        _refused(request, exc)
        if ps._id(worker_id) is None:
            return redirect("people:points")
        return redirect("people:points-worker", pk=ps._id(worker_id))
    messages.success(request, _("Points recorded: %(p)+d.") % {"p": entry.points})
    return redirect("people:points-worker", pk=entry.worker_id)


@login_required
@require_POST
def points_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        back = ps.points_reverse(
            actor=_actor(request), entry_id=pk, reason=request.POST.get("reason", "")
        )
    except (ValidationFailed, Forbidden, NotFound, Conflict) as exc:
        _refused(request, exc)
        entry = ps.visible_entries(request.user).filter(pk=pk).first()
        return redirect("people:points-worker", pk=entry.worker_id)
    messages.success(request, _("The entry was reversed."))
    return redirect("people:points-worker", pk=back.worker_id)

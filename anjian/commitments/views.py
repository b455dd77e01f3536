"""Pages of the daily commitment notice.

Enterprise staff: today's notice (the form, prefilled with the previous notice's unit
states; once submitted, the notice and a correction form for the principal and safety
officer) and the enterprise's history. Regulators and the platform administrator: the
day's board in scope (on time / late / missing / due) and the differences between
declared states and what monitoring saw. Notices out of scope are 404; roles that do not
use a page get the 403 page.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from anjian.accounts.models import ENTERPRISE_ROLES
from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.sections import REGISTRY_ROLES

from . import observed, rules, services
from .forms import NoticeForm, initial_from


def is_enterprise_user(user) -> bool:
    return (
        scoping.is_active_user(user) and user.role in ENTERPRISE_ROLES and bool(user.enterprise_id)
    )


def is_regulator(user) -> bool:
    return scoping.is_active_user(user) and user.role in REGISTRY_ROLES


def _require_enterprise_user(user) -> None:
    if not is_enterprise_user(user):
        raise PermissionDenied(_("Your role does not use this page."))


def _require_regulator(user) -> None:
    if not is_regulator(user):
        raise PermissionDenied(_("Your role does not use this page."))


def _day_param(request: HttpRequest) -> dt.date:
    today = timezone.localdate()
    try:
        day = dt.date.fromisoformat(request.GET.get("date") or "")
    except ValueError:
        return today
    return min(day, today)


def _deadline_context(day: dt.date) -> dict:
    return {"deadline": rules.deadline(day, services.TZ)}


@login_required
@require_http_methods(["GET", "POST"])
def today(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_enterprise_user(user)
    enterprise_id = user.enterprise_id
    now = timezone.now()
    day = timezone.localdate(now)
    context = {
        "day": day,
        "owes": services.enterprise_owes(enterprise_id),
        "status": services.today_status(enterprise_id, now),
        "may_submit": services.may_submit(user, enterprise_id),
        **_deadline_context(day),
    }
    notice = services.current_for(enterprise_id, day)
    if notice is not None:
        if request.method == "POST":
            return redirect("commitments:correct", notice.pk)
        context["notice"] = services.get_notice(user, notice.pk)
        return render(request, "commitments/today.html", context)
    prefill = services.prefill(enterprise_id, day)
    context["previous"] = prefill["previous"]
    if not context["may_submit"]:
        return render(request, "commitments/today.html", context)
    form = NoticeForm(
        request.POST or None,
        units=prefill["units"],
        initial=initial_from(None, prefill),
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.commitment_submit(
                actor=Actor.for_user(user, "web"),
                enterprise_id=enterprise_id,
                data=form.notice_data(),
                now=now,
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors)
        except (Conflict, Forbidden) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("commitments:detail", created.pk)
    context["form"] = form
    return render(request, "commitments/today.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    try:
        notice = services.get_notice(user, pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if not services.may_submit(user, notice.enterprise_id):
        raise PermissionDenied(_("Only the enterprise's principal or safety officer corrects it."))
    if not notice.is_current:
        return redirect("commitments:detail", pk)
    prefill = services.prefill(notice.enterprise_id, notice.date)
    form = NoticeForm(
        request.POST or None,
        units=prefill["units"],
        correcting=True,
        initial=initial_from(notice, prefill),
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.commitment_correct(
                actor=Actor.for_user(user, "web"),
                commitment_id=notice.pk,
                data=form.notice_data(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors)
        except (Conflict, Forbidden) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("commitments:detail", created.pk)
    return render(
        request,
        "commitments/correct.html",
        {"form": form, "notice": notice, "day": notice.date},
    )


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notice = services.get_notice(request.user, pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    versions = (
        services.visible_notices(request.user)
        .filter(enterprise_id=notice.enterprise_id, date=notice.date)
        .select_related("submitted_by")
        .order_by("version")
    )
    return render(
        request,
        "commitments/detail.html",
        {
            "notice": notice,
            "versions": versions,
            "permit_rows": services.notice_permit_differences(notice),
            "may_correct": notice.is_current
            and services.may_submit(request.user, notice.enterprise_id),
            **_deadline_context(notice.date),
        },
    )


@login_required
@require_GET
def history(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    user = request.user
    if not (is_enterprise_user(user) or is_regulator(user)):
        raise PermissionDenied(_("Your role does not use this page."))
    try:
        enterprise, notices = services.history(user, enterprise_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    missing = services.MissingNotice.objects.filter(enterprise_id=enterprise_id).order_by("-date")[
        :60
    ]
    return render(
        request,
        "commitments/history.html",
        {
            "enterprise": enterprise,
            "notices": notices.prefetch_related("units")[:120],
            "missing": missing,
        },
    )


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    _require_regulator(request.user)
    day = _day_param(request)
    rows = services.day_board(request.user, day)
    counts = services.status_counts(rows)
    status = request.GET.get("status") or ""
    if status in rules.DAY_STATUSES:
        rows = [r for r in rows if r.status == status]
    else:
        status = ""
    q = (request.GET.get("q") or "").strip()[:64]
    if q:
        rows = [r for r in rows if q in r.enterprise.name]
    return render(
        request,
        "commitments/board.html",
        {
            "day": day,
            "rows": rows,
            "counts": counts,
            "total": sum(counts.values()),
            "status": status,
            "q": q,
            "statuses": STATUS_LABELS,
            "is_today": day == timezone.localdate(),
            **_deadline_context(day),
        },
    )


@login_required
@require_GET
def differences(request: HttpRequest) -> HttpResponse:
    _require_regulator(request.user)
    day = _day_param(request)
    rows, compared = services.differences(request.user, day)
    return render(
        request,
        "commitments/differences.html",
        {
            "day": day,
            "rows": rows,
            "compared": compared,
            "permit_rows": services.permit_differences(request.user, day),
            "available": observed.available(),
        },
    )


STATUS_LABELS = [
    (rules.ON_TIME, gettext_lazy("On time")),
    (rules.LATE, gettext_lazy("Late")),
    (rules.MISSING, gettext_lazy("Missing")),
    (rules.DUE, gettext_lazy("Due by 10:00")),
]

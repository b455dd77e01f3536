"""The in-app inbox: a user's own notifications (assignments, deadlines, escalations,
decisions), newest first, with mark read / mark all read. Every query starts from
anjian.core.notify.inbox(user), which only ever returns the user's own rows."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import notify
from .models import NotificationKind
from .scoping import is_active_user

PAGE_SIZE = 30


def _require_inbox(user) -> None:
    if not is_active_user(user):
        raise PermissionDenied(_("Your account has no inbox."))


def _safe_next(request: HttpRequest, url: str) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_inbox(user)
    qs = notify.inbox(user)
    show = request.GET.get("show", "")
    if show == "unread":
        qs = qs.filter(read_at__isnull=True)
    kind = request.GET.get("kind", "")
    if kind in NotificationKind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/inbox.html",
        {
            "page": page,
            "show": show,
            "kind": kind,
            "kinds": NotificationKind.choices,
            "unread": notify.unread_count(user),
        },
    )


@login_required
@require_POST
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; with go=1, follow its link (a local link only)."""
    _require_inbox(request.user)
    row = notify.mark_read(request.user, pk)
    if row is None:
        raise Http404(_("No such notification."))
    if request.POST.get("go") and (target := _safe_next(request, row.link)):
        return redirect(target)
    return redirect(_safe_next(request, request.POST.get("next", "")) or "inbox")


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    _require_inbox(request.user)
    n = notify.mark_all_read(request.user)
    messages.success(request, _("%(n)d notifications marked read.") % {"n": n})
    return redirect("inbox")

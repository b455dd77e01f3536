"""Credit pages: an enterprise's credit file and the watch list (重点关注: the automatic
listing from hazard figures; the list of seriously untrustworthy subjects by 应急管理部令
第11号 is a decision tied to a penalty, anjian.penalties).

Scoping: the credit file follows the enterprise's scope (scoping.visible_enterprises).
The list is a deliberate exception to duty scoping: every regulator role, whatever its
department's duties and division, sees every entry (joint punishment across departments,
安全生产法 第七十八条); enterprise staff see only their own enterprise's entries; anyone
else gets the 403 page. A regulator may open the credit file behind an entry only when
the enterprise is in their own scope.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from anjian.accounts.models import ENTERPRISE_ROLES
from anjian.core import scoping
from anjian.core.errors import NotFound

from . import services

PAGE_SIZE = 25


def may_read_list(user) -> bool:
    return scoping.is_active_user(user) and (
        user.role in services.LIST_READERS or user.role in ENTERPRISE_ROLES
    )


@login_required
@require_GET
def untrustworthy_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_read_list(user):
        raise PermissionDenied(_("Your role does not use this page."))
    qs = services.visible_entries(user).select_related(
        "enterprise", "enterprise__division", "enterprise__industry"
    )
    show = "all" if request.GET.get("show") == "all" else "current"
    current_count = qs.filter(removed_on__isnull=True).count()
    if show == "current":
        qs = qs.filter(removed_on__isnull=True)
    q = (request.GET.get("q") or "").strip()[:64]
    if q:
        qs = qs.filter(enterprise__name__icontains=q)
    page = Paginator(qs.order_by("-listed_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    ids = {e.enterprise_id for e in page.object_list}
    openable = set(
        scoping.visible_enterprises(user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    for entry in page.object_list:
        entry.can_open = entry.enterprise_id in openable
    return render(
        request,
        "credit/list.html",
        {"page": page, "show": show, "q": q, "current_count": current_count},
    )


@login_required
@require_GET
def credit_file_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        file = services.credit_file(user=request.user, enterprise_id=pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "credit/file.html", {"file": file, "enterprise": file.enterprise})


__all__ = ["credit_file_page", "untrustworthy_list"]

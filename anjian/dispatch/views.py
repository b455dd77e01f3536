"""Dispatch pages: the respondent's form (phone-friendly), the county office's month
overview with its progress, and the dispatch table with its Excel and Word downloads.

Reads start from anjian.dispatch.scope (built on anjian.core.scoping); writes go through
anjian.dispatch.services. NotFound → 404, Forbidden → 403, Conflict → a message,
ValidationFailed → field errors.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anjian.core import wordoc
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.registry.models import Division

from . import documents, policy, queries, scope, services, word
from .forms import ItemsForm, ReturnForm
from .models import DispatchForm


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def _month(text: str) -> dt.date:
    try:
        return policy.parse_month(text)
    except ValueError:
        raise Http404(_("No such month.")) from None


def _county(request: HttpRequest) -> Division:
    counties = list(scope.counties_overseen(request.user).order_by("code"))
    if not counties:
        raise PermissionDenied(_("Your role does not use this page."))
    wanted = request.GET.get("county") or request.POST.get("county")
    for c in counties:
        if wanted and str(c.pk) == wanted:
            return c
    if wanted:
        raise Http404(_("No such county."))
    own = [c for c in counties if c.pk == request.user.division_id]
    return own[0] if own else counties[0]


def _month_url(name: str, month: dt.date, county: Division) -> str:
    return reverse(name, args=[policy.month_key(month)]) + f"?county={county.pk}"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # The page itself, not a redirect: the menu's link opens a page (tests/web/test_nav_links).
    user = request.user
    if scope.counties_overseen(user).exists():
        return month_overview(request, month=policy.month_key(timezone.localdate()))
    return mine(request)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    forms = [
        f
        for f in scope.visible_forms(user).select_related("division", "department")[:60]
        if scope.may_fill(user, f)
    ]
    if not forms and scope.counties_overseen(user).exists():
        return redirect("dispatch:home")
    today = timezone.localdate()
    rows = [{"f": f, "status": queries.status(f, today)} for f in forms]
    return render(
        request,
        "dispatch/mine.html",
        {"rows": rows, "marks": documents.status_labels()},
    )


@login_required
def month_overview(request: HttpRequest, month: str) -> HttpResponse:
    the_month = _month(month)
    county = _county(request)
    today = timezone.localdate()
    forms = list(queries.forms_of(request.user, county, the_month))
    marks = documents.status_labels()
    rows = [{"f": f, "status": queries.status(f, today)} for f in forms]
    progress = queries.progress(forms, today)
    prev = (the_month - dt.timedelta(days=1)).replace(day=1)
    nxt = policy.month_end(the_month) + dt.timedelta(days=1)
    return render(
        request,
        "dispatch/month.html",
        {
            "county": county,
            "month": the_month,
            "month_key": policy.month_key(the_month),
            "due": policy.due_on(the_month, services.current_policy()),
            "rows": rows,
            "marks": marks,
            "progress": progress,
            "percent": round(100 * progress["done"] / progress["total"]) if forms else 0,
            "can_open": the_month <= policy.month_start(today),
            "prev_url": _month_url("dispatch:month", prev, county),
            "next_url": _month_url("dispatch:month", nxt, county)
            if nxt <= policy.month_start(today)
            else "",
            "table_url": _month_url("dispatch:table", the_month, county),
        },
    )


@login_required
@require_POST
def month_open(request: HttpRequest, month: str) -> HttpResponse:
    the_month = _month(month)
    county = _county(request)
    try:
        out = services.dispatch_open_month(
            actor=_actor(request), month=the_month, county_id=county.pk
        )
    except NotFound as exc:  # pragma: no cover - _county found it
        raise Http404(str(exc)) from exc
    except Forbidden as exc:  # pragma: no cover - _county checked it
        raise PermissionDenied(str(exc)) from exc
    except ValidationFailed as exc:
        messages.error(request, " ".join(t for ts in exc.errors.values() for t in ts))
    else:
        messages.success(
            request,
            _("%(n)d forms opened; the month now has %(total)d.")
            % {"n": out["created"], "total": out["total"]},
        )
    return redirect(_month_url("dispatch:month", the_month, county))


def _table(request: HttpRequest, month: str, today: dt.date | None = None) -> queries.Table:
    the_month = _month(month)
    county = _county(request)
    return queries.dispatch_table(request.user, county, the_month, today)


@login_required
def table_page(request: HttpRequest, month: str) -> HttpResponse:
    table = _table(request, month)
    rep, plat = documents.reported_labels(), documents.platform_labels()
    rows = [
        {
            "r": r,
            "reported": [(label, r.reported[k]) for k, label in rep],
            "platform": [(label, r.platform[k]) for k, label in plat],
        }
        for r in table.rows
    ]
    return render(
        request,
        "dispatch/table.html",
        {
            "table": table,
            "rows": rows,
            "rep": rep,
            "plat": plat,
            "totals": [(label, table.total_reported[k]) for k, label in rep]
            + [(label, table.total_platform[k]) for k, label in plat],
            "marks": documents.status_labels(),
            "xlsx_url": _month_url("dispatch:table-xlsx", table.month, table.county),
            "docx_url": _month_url("dispatch:table-docx", table.month, table.county),
            "month_url": _month_url("dispatch:month", table.month, table.county),
        },
    )


@login_required
def table_xlsx(request: HttpRequest, month: str) -> HttpResponse:
    table = _table(request, month)
    response = HttpResponse(
        documents.table_xlsx(table),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"dispatch-{table.county.code}-{table.month_key}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def table_docx(request: HttpRequest, month: str) -> HttpResponse:
    today = timezone.localdate()  # the marks and the document's date: the same day
    table = _table(request, month, today)
    response = HttpResponse(word.table_docx(table, today=today), content_type=wordoc.CONTENT_TYPE)
    name = f"dispatch-{table.county.code}-{table.month_key}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _form(user: Any, pk: int) -> DispatchForm:
    return get_object_or_404(
        scope.visible_forms(user).select_related(
            "division", "department", "county", "submitted_by"
        ),
        pk=pk,
    )


@login_required
def form_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    form = _form(user, pk)
    can_fill = scope.may_fill(user, form)
    items = ItemsForm.for_form(form)
    if request.method == "POST":
        if not can_fill:
            raise PermissionDenied(_("Your role does not use this page."))
        items = ItemsForm(request.POST)
        items.is_valid()
        data = {k: items.cleaned_data.get(k, "") for k in (*policy.ITEMS, "notes")}
        version = items.cleaned_data.get("version") or None
        submit = "submit" in request.POST
        try:
            if submit:
                services.dispatch_submit(
                    actor=_actor(request), form_id=form.pk, version=version, data=data
                )
            else:
                services.dispatch_save(
                    actor=_actor(request), form_id=form.pk, version=version, data=data
                )
        except NotFound as exc:  # pragma: no cover - _form found it
            raise Http404(str(exc)) from exc
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect("dispatch:form", pk=form.pk)
        except ValidationFailed as exc:
            for name, texts in exc.errors.items():
                for text in texts:
                    items.add_error(name if name in items.fields else None, text)
        else:
            messages.success(
                request,
                _("Submitted to the county's safety committee office.")
                if submit
                else _("Draft saved."),
            )
            return redirect("dispatch:form", pk=form.pk)
    actions = {
        "open": _("opened"),
        "save": _("draft saved"),
        "submit": _("submitted"),
        "return": _("returned for correction"),
    }
    events = [(e, actions.get(e.action, e.action)) for e in form.events.select_related("actor")]
    return render(
        request,
        "dispatch/form.html",
        {
            "form": form,
            "items": items,
            "can_fill": can_fill and form.state != "submitted",
            "can_return": form.state == "submitted" and scope.may_oversee(user, form.county),
            "return_form": ReturnForm(initial={"version": form.version}),
            "status": queries.status(form, timezone.localdate()),
            "marks": documents.status_labels(),
            "figures": [(label, getattr(form, k)) for k, label in documents.reported_labels()],
            "events": events,
        },
    )


@login_required
@require_POST
def form_return(request: HttpRequest, pk: int) -> HttpResponse:
    form = _form(request.user, pk)
    try:
        services.dispatch_return(
            actor=_actor(request),
            form_id=form.pk,
            reason=request.POST.get("reason", ""),
            version=request.POST.get("version") or None,
        )
    except NotFound as exc:  # pragma: no cover - _form found it
        raise Http404(str(exc)) from exc
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except (Conflict, ValidationFailed) as exc:
        text = (
            " ".join(t for ts in exc.errors.values() for t in ts)
            if isinstance(exc, ValidationFailed)
            else str(exc)
        )
        messages.error(request, text)
    else:
        messages.success(request, _("Returned for correction; the respondent has been told."))
    return redirect("dispatch:form", pk=form.pk)

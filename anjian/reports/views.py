"""Report pages: the enterprise's hazard statistics tables (list, prepare, read, sign,
download), and for regulators who has submitted them and the hazard figures of their
jurisdiction with charts and an Excel download.

Reads start from `scoping.visible`; writes go through anjian.reports.services. NotFound
→ 404, Forbidden → 403, Conflict → a message, ValidationFailed → field errors.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from anjian.accounts.models import ENTERPRISE_ROLES
from anjian.core import scoping, wordoc
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.sections import REGISTRY_ROLES
from anjian.registry.models import Division, Enterprise

from . import documents, periods, queries, services
from .forms import DueForm, FiguresForm, PeriodField, StatementForm, period_choices, period_label
from .models import HazardStatement
from .phase_summary import build_phase_summary, summary_docx

PAGE_SIZE = 50
STATEMENT_ROLES = frozenset(REGISTRY_ROLES | ENTERPRISE_ROLES)


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _require(user: Any, roles: frozenset[str]) -> None:
    if not (_active(user) and user.role in roles):
        raise PermissionDenied(_("Your role does not use this page."))


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def reports_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if _active(user) and user.role in ENTERPRISE_ROLES and user.enterprise_id:
        return redirect("reports:enterprise-statements", pk=user.enterprise_id)
    _require(user, REGISTRY_ROLES)
    return redirect("reports:figures")


# --- the enterprise's statistics tables -----------------------------------------------------


def _statement_rows(statements: list[HazardStatement], today) -> list[dict[str, Any]]:
    return [
        {
            "s": s,
            "label": period_label(s.period),
            "overdue_unsigned": not s.is_signed and s.period.is_overdue(today),
        }
        for s in statements
    ]


@login_required
def enterprise_statements(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require(user, STATEMENT_ROLES)
    enterprise = get_object_or_404(scoping.visible(user, Enterprise), pk=pk)
    today = timezone.localdate()
    statements = list(
        scoping.visible(user, HazardStatement)
        .filter(enterprise=enterprise)
        .select_related("signed_by", "prepared_by")
    )
    done = {(s.year, s.quarter) for s in statements if s.is_signed}
    # The last ended quarter and year, if the enterprise has not signed them yet.
    owed = [
        {"period": p, "label": period_label(p), "overdue": p.is_overdue(today)}
        for p in (periods.last_closed(today), periods.last_closed(today, periods.YEAR))
        if (p.year, p.quarter) not in done
    ]
    return render(
        request,
        "reports/enterprise_statements.html",
        {
            "enterprise": enterprise,
            "rows": _statement_rows(statements, today),
            "owed": owed,
            "can_prepare": services.may_prepare(user, enterprise),
        },
    )


@login_required
def statement_prepare(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require(user, STATEMENT_ROLES)
    enterprise = get_object_or_404(scoping.visible(user, Enterprise), pk=pk)
    if not services.may_prepare(user, enterprise):
        raise PermissionDenied(
            _("Only the enterprise's principal or safety officer prepares its statistics table.")
        )
    today = timezone.localdate()
    initial: dict[str, Any] = {"period": request.GET.get("period") or ""}
    draft = None
    if initial["period"]:
        try:
            chosen = periods.parse(initial["period"])
        except periods.PeriodError:
            chosen = None
        if chosen is not None:
            draft = (
                HazardStatement.objects.filter(
                    enterprise=enterprise, year=chosen.year, quarter=chosen.quarter
                )
                .order_by("-version")
                .first()
            )
            if draft is not None and not draft.is_signed:
                initial["analysis"] = draft.analysis
                initial["reason"] = draft.correction_reason
    form = StatementForm(request.POST or None, initial=initial, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            statement = services.hazard_statement_prepare(
                actor=_actor(request),
                enterprise_id=enterprise.pk,
                period=data["period"],
                analysis=data["analysis"],
                reason=data["reason"],
            )
        except ValidationFailed as exc:
            for key, texts in exc.errors.items():
                for text in texts:
                    form.add_error(key if key in form.fields else None, text)
        except Conflict as exc:
            form.add_error(None, str(exc))
        except (NotFound, Forbidden) as exc:  # pragma: no cover - checked above
            raise PermissionDenied(str(exc)) from exc
        else:
            messages.success(
                request, _("The statistics table is prepared; the principal signs it.")
            )
            return redirect("reports:statement-detail", pk=statement.pk)
    return render(
        request,
        "reports/statement_form.html",
        {"enterprise": enterprise, "form": form, "signed": draft is not None and draft.is_signed},
    )


def _statement(user: Any, pk: int) -> HazardStatement:
    _require(user, STATEMENT_ROLES)
    return get_object_or_404(
        scoping.visible(user, HazardStatement).select_related(
            "enterprise", "prepared_by", "signed_by", "corrects"
        ),
        pk=pk,
    )


@login_required
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    statement = _statement(user, pk)
    today = timezone.localdate()
    later = statement.corrected_by if hasattr(statement, "corrected_by") else None
    return render(
        request,
        "reports/statement_detail.html",
        {
            "s": statement,
            "enterprise": statement.enterprise,
            "label": period_label(statement.period),
            "figure_rows": documents.figure_rows(statement.figures),
            "breakdowns": documents.breakdown_rows(statement.figures),
            "can_sign": services.may_sign(user, statement),
            "can_prepare": services.may_prepare(user, statement.enterprise),
            "overdue_unsigned": not statement.is_signed and statement.period.is_overdue(today),
            "corrected_by": later,
        },
    )


@login_required
@require_POST
def statement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    statement = _statement(user, pk)
    revision = request.POST.get("revision", "")
    try:
        services.hazard_statement_sign(
            actor=_actor(request),
            statement_id=statement.pk,
            revision=int(revision) if revision.isdigit() else None,
        )
    except NotFound as exc:  # pragma: no cover - _statement found it
        raise Http404(str(exc)) from exc
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except (Conflict, ValidationFailed) as exc:
        text = (
            " ".join(t for texts in exc.errors.values() for t in texts)
            if isinstance(exc, ValidationFailed)
            else str(exc)
        )
        messages.error(request, text)
    else:
        messages.success(request, _("Signed and submitted to the regulators."))
    return redirect("reports:statement-detail", pk=statement.pk)


@login_required
def statement_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _statement(request.user, pk)
    if not statement.is_signed:
        raise Http404(_("Only a signed table is issued as a document."))
    name = f"hazard-statement-{statement.enterprise.uscc}-{statement.period.key}-v{statement.version}.xlsx"
    return _xlsx(documents.statement_xlsx(statement), name)


# --- regulators: who has submitted ---------------------------------------------------------


@login_required
def statements_due(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require(user, REGISTRY_ROLES)
    today = timezone.localdate()
    default = periods.last_closed(today).key
    form = DueForm(request.GET or {"period": default}, today=today)
    if not form.is_valid():
        form = DueForm({"period": default}, today=today)
        form.is_valid()
    period, status = form.cleaned_data["period"], form.cleaned_data["status"]
    qs = queries.statements_due(user, period, status, today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "e": e,
            "status": queries.statement_status(e.first_submitted_at, period, today),
        }
        for e in page.object_list
    ]
    return render(
        request,
        "reports/statements_due.html",
        {
            "form": form,
            "period": period,
            "label": period_label(period),
            "summary": queries.statements_summary(user, period, today),
            "rows": rows,
            "page": page,
            "status": status,
        },
    )


# --- regulators: the hazard figures ---------------------------------------------------------


def _figures(request: HttpRequest) -> tuple[FiguresForm, queries.Figures]:
    user = request.user
    _require(user, REGISTRY_ROLES)
    today = timezone.localdate()
    default = {"period": periods.quarter_of(today).key, "group_by": "division"}
    form = FiguresForm(request.GET or default, today=today)
    if not form.is_valid():
        form = FiguresForm(default, today=today)
        form.is_valid()
    data = form.cleaned_data
    figures = queries.regulator_figures(
        user, data["period"], data["group_by"], today=today, within=data.get("within")
    )
    return form, figures


@login_required
def figures_page(request: HttpRequest) -> HttpResponse:
    form, figures = _figures(request)
    columns = documents.column_labels()

    def cells(data: dict[str, Any]) -> list[dict[str, Any]]:
        out = []
        for key, label in columns:
            value = data[key]
            css = "num"
            if key in ("rectification_rate", "on_time_rate"):
                value = "—" if value is None else f"{value}%"
            elif key == "major_cleared":
                css = "cleared-yes" if value else "cleared-no"
                value = _("cleared") if value else _("not cleared")
            out.append({"key": key, "label": label, "value": value, "css": css})
        return out

    groups = [{"group": g, "cells": cells(g.figures)} for g in figures.groups]
    chart = {
        "labels": [g.label for g in figures.groups],
        "series": [
            {"key": key, "name": label, "data": [g.figures[key] for g in figures.groups]}
            for key, label in columns
            if key in ("found", "fixed", "overdue_open", "major_open")
        ],
        "rate": {
            "name": _("On-time rate (%)"),
            "data": [
                None if g.figures["on_time_rate"] is None else float(g.figures["on_time_rate"])
                for g in figures.groups
            ],
        },
    }
    drill = figures.group_by == "division" and figures.root is not None
    return render(
        request,
        "reports/figures.html",
        {
            "form": form,
            "figures": figures,
            "label": period_label(figures.period),
            "groups": groups,
            "total": cells(figures.total.figures),
            "columns": columns,
            "chart": chart,
            "drill": drill,
            "xlsx_url": reverse("reports:figures-xlsx") + "?" + request.GET.urlencode(),
            "up": figures.root.parent_id
            if drill and figures.root.pk != request.user.division_id
            else None,
        },
    )


@login_required
def figures_xlsx(request: HttpRequest) -> HttpResponse:
    _form, figures = _figures(request)
    name = f"hazard-figures-{figures.period.key}-{figures.group_by}.xlsx"
    return _xlsx(documents.figures_xlsx(figures), name)


# --- regulators: the phase summary (issue 13 item 7) ---------------------------------------------


class PhaseSummaryForm(forms.Form):
    period = PeriodField(label=_lazy("period"))
    division = forms.ModelChoiceField(label=_lazy("division"), queryset=Division.objects.none())

    def __init__(self, *args, user: Any, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices(
            today, running=True, asked=self.data.get("period")
        )
        divisions = scoping.visible(user, Division).exclude(level="grid")
        if getattr(user, "division_id", None):
            # Their own subtree only: no summary of a parent jurisdiction.
            divisions = divisions.filter(pk__in=scoping.subtree_ids(user.division))
        self.fields["division"].queryset = divisions.order_by("code")


def _phase_summary(request: HttpRequest):
    """The form and, when it is valid, the summary of the chosen division and period
    (a department officer's: the enterprises of their department)."""
    user = request.user
    _require(user, REGISTRY_ROLES)
    today = timezone.localdate()
    form = PhaseSummaryForm(request.GET or None, user=user, today=today)
    if not form.is_valid():
        return form, None
    department = user.department if getattr(user, "department_id", None) else None
    summary = build_phase_summary(
        form.cleaned_data["division"],
        form.cleaned_data["period"],
        today=today,
        department=department,
    )
    return form, summary


@login_required
def phase_summary_page(request: HttpRequest) -> HttpResponse:
    form, summary = _phase_summary(request)
    if request.GET and summary is None:
        division = request.GET.get("division")
        if division and "division" in form.errors:
            raise Http404  # not a division the user may report on
    return render(
        request,
        "reports/phase_summary.html",
        {
            "form": form,
            "summary": summary,
            "docx_url": reverse("reports:phase-summary-docx") + "?" + request.GET.urlencode(),
        },
    )


@login_required
def phase_summary_docx(request: HttpRequest) -> HttpResponse:
    _form, summary = _phase_summary(request)
    if summary is None:
        raise Http404
    content = summary_docx(summary)
    response = HttpResponse(content, content_type=wordoc.CONTENT_TYPE)
    name = f"phase-summary-{summary.division.code}-{summary.period.key}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

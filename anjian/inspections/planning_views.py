"""Pages of the enforcement plan (issue 12 item 4): the year plan by month (due / done /
outstanding, with a bar chart), the workload per inspector, the overdue enterprises with
a link to plan an inspection, and the Excel export of all three.

Who: a department officer sees their own department's plan; a coordinator (安委办) picks
any department they see (anjian.core.scoping.visible_departments) and gets its plan over
the enterprises of their jurisdiction. Everyone else gets 403. The enterprises are the
department's duty (lead or cooperating) read through scoping.visible_enterprises, closed
ones left out, as the draw does. The arithmetic is planning.py (pure; its docstring says
where each number comes from); this module only reads the inputs, in a fixed number of
queries whatever the county's size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from anjian.accounts.models import Role, User
from anjian.core import scoping, xlsx
from anjian.registry.models import Department, DutyAssignment, EnterpriseStatus
from anjian.risks import supervision
from anjian.risks.views import supervision_class

from . import planning, services
from . import workflow as wf
from .models import Inspection

PAGE_SIZE = 50
YEARS_BACK = 5


def _may_read(user: Any) -> bool:
    if not scoping.is_active_user(user):
        return False
    if user.role == Role.DEPARTMENT_OFFICER:
        return bool(user.department_id)
    return user.role == Role.COORDINATOR


def _departments(user: Any) -> QuerySet[Department]:
    """The departments whose plan the user may read."""
    if user.role == Role.DEPARTMENT_OFFICER:
        return Department.objects.filter(pk=user.department_id)
    return scoping.visible_departments(user)


class PlanFilter(forms.Form):
    department = forms.TypedChoiceField(
        label=gettext_lazy("department"), coerce=int, required=False
    )
    year = forms.IntegerField(label=gettext_lazy("year"), required=False)
    per_inspection = forms.IntegerField(
        label=gettext_lazy("inspectors per inspection"),
        min_value=planning.MIN_PER_INSPECTION,
        max_value=10,
        required=False,
    )
    max_visits = forms.IntegerField(
        label=gettext_lazy("visits per inspector per month at most"),
        min_value=1,
        max_value=1000,
        required=False,
    )
    max_enterprises = forms.IntegerField(
        label=gettext_lazy("enterprises per inspector at most"),
        min_value=1,
        max_value=1_000_000,
        required=False,
    )

    def __init__(self, departments: list[Department], today: dt.date, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]
        # The years offered move with today, so they are checked here, not as validators.
        self.years = (today.year - YEARS_BACK, today.year + 1)
        self.fields["year"].widget.attrs.update({"min": self.years[0], "max": self.years[1]})

    def clean_year(self) -> int | None:
        year = self.cleaned_data.get("year")
        low, high = self.years
        if year is not None and not low <= year <= high:
            raise forms.ValidationError(
                _("Choose a year from %(low)d to %(high)d.") % {"low": low, "high": high}
            )
        return year


@dataclass(frozen=True)
class EnterpriseRow:
    pk: int
    name: str
    uscc: str
    enterprise_class: str
    division: str


@dataclass
class PlanView:
    department: Department
    departments: list[Department]
    form: PlanFilter
    plan: planning.Plan
    workload: planning.Workload
    enterprises: dict[int, EnterpriseRow]
    inspectors: dict[int, User]
    may_plan: bool

    def query(self, **extra: Any) -> str:
        """The filter as a query string (the department, year and limits chosen)."""
        params = {
            "department": self.department.pk,
            "year": self.plan.year,
            "per_inspection": self.workload.per_inspection,
            "max_visits": self.workload.max_visits,
            "max_enterprises": self.workload.max_enterprises,
            **extra,
        }
        return urlencode(params)


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return (
        timezone.make_aware(dt.datetime(year, 1, 1)),
        timezone.make_aware(dt.datetime(year + 1, 1, 1)),
    )


def _department_inspections(department: Department, enterprises: QuerySet) -> QuerySet:
    """The department's concluded inspections (lead, or joined) of these enterprises; one
    row per inspection (the joined ones by subquery, so no duplicate from the join)."""
    joined = Inspection.participating_departments.through.objects.filter(
        department_id=department.pk
    ).values("inspection_id")
    return Inspection.objects.filter(
        Q(lead_department_id=department.pk) | Q(pk__in=joined),
        state=wf.CONCLUDED,
        enterprise_id__in=enterprises.values("pk"),
    )


def _per_year() -> dict[str, int]:
    return {
        cls: supervision.requirement(cls, "").inspections_per_year
        for cls in ("red", "orange", "yellow", "blue")
    }


def build(request: HttpRequest) -> PlanView:
    """Read the inputs of the plan the request asks for and compute it."""
    user = request.user
    if not _may_read(user):
        raise PermissionDenied(_("Only department officers and coordinators read the plan."))
    today = timezone.localdate()
    departments = list(_departments(user).order_by("name", "pk"))
    defaults = {
        "year": today.year,
        "per_inspection": planning.MIN_PER_INSPECTION,
        "max_visits": planning.DEFAULT_MAX_VISITS,
        "max_enterprises": planning.DEFAULT_MAX_ENTERPRISES,
        "department": user.department_id,
    }
    form = PlanFilter(departments, today, request.GET or None, initial=defaults)
    data = form.cleaned_data if form.is_valid() else getattr(form, "cleaned_data", {})
    chosen = data.get("department")
    if chosen:
        department = next((d for d in departments if d.pk == chosen), None)
    elif user.role == Role.DEPARTMENT_OFFICER or departments:
        department = next(
            (d for d in departments if d.pk == user.department_id),
            departments[0] if departments else None,
        )
    else:
        department = None
    if department is None:
        raise Http404(_("No such department in your scope."))
    year = data.get("year") or today.year
    as_of = min(today, dt.date(year, 12, 31))

    duty = DutyAssignment.objects.filter(enterprise_id=OuterRef("pk"), department_id=department.pk)
    enterprises = (
        scoping.visible_enterprises(user)
        .filter(Exists(duty))
        .exclude(status=EnterpriseStatus.CLOSED)
    )
    rows = {
        pk: EnterpriseRow(pk, name, uscc, cls, division or "")
        for pk, name, uscc, cls, division in enterprises.annotate(sclass=supervision_class())
        .order_by("pk")
        .values_list("pk", "name", "uscc", "sclass", "division__name")
    }
    inspections = _department_inspections(department, enterprises)
    end_of_as_of = timezone.make_aware(dt.datetime.combine(as_of, dt.time.min)) + dt.timedelta(
        days=1
    )
    last = {
        pk: timezone.localdate(when)
        for pk, when in inspections.filter(concluded_at__lt=end_of_as_of)
        .values("enterprise_id")
        .annotate(last=Max("concluded_at"))
        .values_list("enterprise_id", "last")
        .order_by()
    }
    start, end = _year_bounds(year)
    in_year = inspections.filter(concluded_at__gte=start, concluded_at__lt=end)
    done: dict[int, list[int]] = {}
    for pk, when in in_year.values_list("enterprise_id", "concluded_at"):
        done.setdefault(pk, []).append(timezone.localtime(when).month)
    per_year = _per_year()
    plan = planning.compute_plan(
        (
            planning.PlanEnterprise(
                id=row.pk,
                per_year=per_year[row.enterprise_class],
                enterprise_class=row.enterprise_class,
                last_inspected=last.get(row.pk),
                done_months=tuple(done.get(row.pk, ())),
            )
            for row in rows.values()
        ),
        year=year,
        as_of=as_of,
    )
    roster = list(services.roster(department.pk))
    visits = dict(
        Inspection.inspectors.through.objects.filter(
            inspection_id__in=in_year.values("pk"), user_id__in=[u.pk for u in roster]
        )
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
        .order_by()
    )
    load = planning.workload(
        plan.due_by_month,
        [u.pk for u in roster],
        enterprises=plan.enterprises,
        per_inspection=data.get("per_inspection") or planning.MIN_PER_INSPECTION,
        max_visits=data.get("max_visits") or planning.DEFAULT_MAX_VISITS,
        max_enterprises=data.get("max_enterprises") or planning.DEFAULT_MAX_ENTERPRISES,
        done=visits,
    )
    return PlanView(
        department=department,
        departments=departments,
        form=form,
        plan=plan,
        workload=load,
        enterprises=rows,
        inspectors={u.pk: u for u in roster},
        may_plan=user.role == Role.DEPARTMENT_OFFICER and user.department_id == department.pk,
    )


# --- labels ------------------------------------------------------------------------------


def class_labels() -> dict[str, str]:
    return {
        "red": pgettext("supervision class", "red"),
        "orange": pgettext("supervision class", "orange"),
        "yellow": pgettext("supervision class", "yellow"),
        "blue": pgettext("supervision class", "blue"),
    }


def month_label(month: int) -> str:
    return pgettext("month", "Month %(m)d") % {"m": month}


def _per_inspector(fraction: Any) -> str:
    return "—" if fraction is None else f"{float(fraction):.1f}"


# --- pages -------------------------------------------------------------------------------


@login_required
@require_GET
def plan_year(request: HttpRequest) -> HttpResponse:
    view = build(request)
    plan = view.plan
    labels = [month_label(m.month) for m in plan.months]
    chart = {
        "labels": labels,
        "series": [
            {"name": _("due"), "data": [m.due for m in plan.months]},
            {"name": _("done"), "data": [m.done for m in plan.months]},
        ],
    }
    names = class_labels()
    return render(
        request,
        "inspections/planning/year.html",
        {
            "v": view,
            "plan": plan,
            "months": list(zip(labels, plan.months, strict=True)),
            "classes": [
                (names.get(c.enterprise_class, c.enterprise_class), c) for c in plan.classes
            ],
            "chart": chart,
            "overdue_count": len(plan.overdue),
            "never_count": sum(1 for o in plan.overdue if o.never_inspected),
            "per_inspector": _per_inspector(view.workload.enterprises_per_inspector),
            "q": view.query(),
            "tab": "year",
        },
    )


@login_required
@require_GET
def plan_workload(request: HttpRequest) -> HttpResponse:
    view = build(request)
    load = view.workload
    labels = [month_label(m) for m in range(1, 13)]
    rows = [
        {
            "user": view.inspectors[i.id],
            "load": i,
            "cells": list(zip(labels, i.visits, strict=True)),
            "overloaded": load.is_overloaded(i),
        }
        for i in load.inspectors
    ]
    return render(
        request,
        "inspections/planning/workload.html",
        {
            "v": view,
            "plan": view.plan,
            "load": load,
            "labels": labels,
            "visits_cells": list(zip(labels, load.visits_by_month, strict=True)),
            "rows": rows,
            "per_inspector": _per_inspector(load.enterprises_per_inspector),
            "q": view.query(),
            "tab": "workload",
        },
    )


@login_required
@require_GET
def plan_overdue(request: HttpRequest) -> HttpResponse:
    view = build(request)
    page = Paginator(view.plan.overdue, PAGE_SIZE).get_page(request.GET.get("page"))
    names = class_labels()
    rows = [
        {
            "o": o,
            "e": view.enterprises[o.id],
            "class_label": names.get(o.enterprise_class, o.enterprise_class),
        }
        for o in page.object_list
    ]
    return render(
        request,
        "inspections/planning/overdue.html",
        {
            "v": view,
            "plan": view.plan,
            "page": page,
            "rows": rows,
            "q": view.query(),
            "tab": "overdue",
        },
    )


@login_required
@require_GET
def plan_export(request: HttpRequest) -> HttpResponse:
    view = build(request)
    content = export_workbook(view)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="plan-{view.department.pk}-{view.plan.year}.xlsx"'
    )
    return response


def export_workbook(view: PlanView) -> bytes:
    """The plan in four sheets: by month, by class, per inspector, overdue enterprises."""
    plan, load = view.plan, view.workload
    names = class_labels()
    book = Workbook()
    sheet = book.active
    sheet.title = _("plan by month")[:31]
    xlsx.append(sheet, [view.department.name, plan.year, _("as of"), plan.as_of.isoformat()])
    xlsx.append(
        sheet,
        [_("month"), _("due"), _("done"), _("cumulative due"), _("cumulative done"),
         _("outstanding")],
    )  # fmt: skip
    for m in plan.months:
        xlsx.append(
            sheet,
            [m.month, m.due, m.done, m.cumulative_due, m.cumulative_done, m.outstanding],
        )
    xlsx.append(sheet, [_("Total"), plan.due, plan.done, None, None, plan.remaining])

    sheet = book.create_sheet(_("by class")[:31])
    xlsx.append(
        sheet, [_("class"), _("inspections per year"), _("enterprises"), _("due"), _("done")]
    )
    for c in plan.classes:
        xlsx.append(
            sheet,
            [names.get(c.enterprise_class, c.enterprise_class), c.per_year, c.enterprises, c.due,
             c.done],
        )  # fmt: skip

    sheet = book.create_sheet(_("workload")[:31])
    xlsx.append(
        sheet,
        [_("inspector"), *[month_label(m) for m in range(1, 13)], _("planned visits"),
         _("visits done"), _("overloaded")],
    )  # fmt: skip
    for i in load.inspectors:
        xlsx.append(
            sheet,
            [str(view.inspectors[i.id]), *i.visits, i.total, i.done,
             _("yes") if load.is_overloaded(i) else ""],
        )  # fmt: skip
    xlsx.append(sheet, [_("Total"), *load.visits_by_month, load.visits])

    sheet = book.create_sheet(_("overdue")[:31])
    xlsx.append(
        sheet,
        [_("enterprise"), _("credit code"), _("division"), _("class"), _("last inspected"),
         _("due on"), _("days overdue")],
    )  # fmt: skip
    for o in plan.overdue:
        e = view.enterprises[o.id]
        xlsx.append(
            sheet,
            [e.name, e.uscc, e.division, names.get(o.enterprise_class, o.enterprise_class),
             o.last_inspected.isoformat() if o.last_inspected else _("never"),
             o.due_on.isoformat(), o.days_overdue],
        )  # fmt: skip
    return xlsx.save(book)

"""Registry pages: enterprises, divisions, departments, supervision gaps, duty disputes.

Reads start from `scoping.visible(user, Model)`; writes go through the services with
`Actor.for_user(user, "web")`. Service errors become: field errors on the form
(ValidationFailed), 404 (NotFound), the 403 page (Forbidden) or a message (Conflict).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anjian.core import scoping
from anjian.core.audit import Actor
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.sections import may_use, require_section
from anjian.hazards import services as hazard_services
from anjian.registry.queries import ListFilters, lead_exists, list_count

from . import services
from .forms import (
    DisputeDecideForm,
    DisputeFilterForm,
    DisputeRaiseForm,
    EnterpriseFilterForm,
    EnterpriseForm,
)
from .models import (
    Department,
    DisputeStatus,
    Division,
    DivisionLevel,
    DutyAssignment,
    DutyDispute,
    DutyRole,
    DutyRule,
    Enterprise,
    Industry,
    Licence,
)

PAGE_SIZE = 25
# A division tree larger than this is drawn down to townships; grids are on their pages.
MAX_TREE_NODES = 1500


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, "web")


def put_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """Put a service's errors on the form: on the field when the form shows it, else at
    the top of the form."""
    shown = {name for name, field in form.fields.items() if not field.widget.is_hidden}
    for key, texts in errors.items():
        for text in texts:
            form.add_error(key if key in shown else None, text)


def _page(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


# --- enterprises ------------------------------------------------------------------------------


def _lead_prefetch() -> Prefetch:
    """The lead duty of each enterprise on a page. The enterprises come from the scoped
    queryset, and an enterprise's duties are visible with it (scoping.visible for
    DutyAssignment is exactly that), so the prefetch needs no scope filter of its own."""
    return Prefetch(
        "duties",
        queryset=DutyAssignment.objects.filter(role=DutyRole.LEAD).select_related("department"),
        to_attr="lead_duties",
    )


def list_filters(user, form: EnterpriseFilterForm) -> ListFilters:
    """The list filters the form holds, checked against the user's scope (invalid ones are
    ignored and shown as errors on the form)."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    division_ids = None
    if data.get("division") in form.division_ids:  # the user's scope, loaded by the form
        division_ids = scoping.subtree_ids(Division(pk=data["division"]))
    industry_ids = None
    if data.get("industry"):
        industry_ids = list(
            Industry.objects.filter(
                Q(pk=data["industry"]) | Q(parent_id=data["industry"])
            ).values_list("pk", flat=True)
        )
    department = data.get("department")
    return ListFilters(
        q=(data.get("q") or "").strip(),
        division_ids=division_ids,
        industry_ids=industry_ids,
        department_id=department if department in form.department_ids else None,
        flag=data.get("flag") or "",
        status=data.get("status") or "",
        code=data.get("code") or "",
    )


def filtered_enterprises(user, form: EnterpriseFilterForm):
    """The user's enterprises narrowed by the list filters."""
    return list_filters(user, form).apply(scoping.visible(user, Enterprise))


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, "enterprises")
    form = EnterpriseFilterForm(request.GET, user=user)
    filters = list_filters(user, form)
    # Page through ids only (an index scan), then load the page's 25 rows with their
    # division, industry and lead department: joins never run over the whole scope.
    ids = (
        filters.apply(scoping.visible(user, Enterprise))
        .order_by("-id")
        .values_list("pk", flat=True)
    )
    paginator = Paginator(ids, PAGE_SIZE)
    # The total from the enterprise rollup where it can answer (list_count): set before
    # the paginator counts, so it never runs COUNT(*) over the scope.
    paginator.count = list_count(user, filters, ids)
    page = paginator.get_page(request.GET.get("page"))
    # The page's ids as a subquery of the rows' query: one query, the joins on 25 rows.
    page.object_list = list(
        scoping.visible(user, Enterprise)
        .filter(pk__in=page.object_list)
        .select_related("division", "division__parent", "industry")
        .prefetch_related(_lead_prefetch())
        .order_by("-id")
    )
    filtered = any(
        request.GET.get(name)
        for name in ("q", "division", "industry", "department", "flag", "status", "code")
    )
    return render(
        request,
        "registry/enterprise_list.html",
        {
            "form": form,
            "page": page,
            "filtered": filtered,
            "can_create": user.role in scoping.ENTERPRISE_EDITORS,
        },
    )


def _visible_enterprise(user, pk: int) -> Enterprise:
    return get_object_or_404(
        scoping.visible(user, Enterprise).select_related(
            "division", "industry", "industry__parent"
        ),
        pk=pk,
    )


def division_path(user, division: Division) -> list[Division]:
    """The division and its ancestors the user may see, root first."""
    return list(
        scoping.visible(user, Division)
        .filter(pk__in=scoping.ancestor_ids(division))
        .with_tree_fields()
        .order_by("tree_depth")
    )


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_section(user, "enterprises")
    enterprise = _visible_enterprise(user, pk)
    today = timezone.localdate()
    licences = scoping.visible(user, Licence).filter(enterprise=enterprise).order_by("expires_on")
    duties = (
        scoping.visible(user, DutyAssignment)
        .filter(enterprise=enterprise)
        .select_related("department", "department__division")
        .order_by("role", "department__kind")
    )
    disputes = []
    if may_use(user, "disputes"):
        disputes = list(
            scoping.visible(user, DutyDispute)
            .filter(enterprise=enterprise)
            .select_related("raised_by_department", "decided_lead")[:10]
        )
    return render(
        request,
        "registry/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "path": division_path(user, enterprise.division),
            "licences": [{"licence": lic, "days_left": lic.days_left(today)} for lic in licences],
            "duties": duties,
            "has_lead": any(d.role == DutyRole.LEAD for d in duties),
            "disputes": disputes,
            "can_edit": scoping.can_change_enterprise(user, enterprise),
            "can_dispute": scoping.can_raise_dispute(user),
            "may_report_hazard": hazard_services.may_report(user, enterprise),
        },
    )


@login_required
def enterprise_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, "enterprises")
    if user.role not in scoping.ENTERPRISE_EDITORS:
        raise PermissionDenied(_("Your role may not register enterprises."))
    if request.method == "POST":
        form = EnterpriseForm(request.POST, user=user)
        if form.is_valid():
            try:
                enterprise = services.enterprise_create(
                    actor=_actor(request), data=form.service_data()
                )
            except ValidationFailed as exc:
                put_errors(form, exc.errors)
            except Forbidden as exc:
                raise PermissionDenied(str(exc)) from exc
            else:
                messages.success(
                    request, _("Enterprise %(name)s registered.") % {"name": enterprise.name}
                )
                return redirect("enterprise-detail", pk=enterprise.pk)
    else:
        form = EnterpriseForm(user=user)
    return render(request, "registry/enterprise_form.html", {"form": form, "enterprise": None})


@login_required
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_section(user, "enterprises")
    enterprise = _visible_enterprise(user, pk)
    if not scoping.can_change_enterprise(user, enterprise):
        raise PermissionDenied(_("You may view this enterprise but not change it."))
    conflict = ""
    status = 200
    if request.method == "POST":
        form = EnterpriseForm(request.POST, user=user, instance=enterprise)
        if form.is_valid():
            data = form.service_data()
            missing = form.missing_choices()
            if missing:
                # Leaving a required choice out would mean "unchanged" to the service.
                for name in missing:
                    form.add_error(name, _("This field is required."))
                try:
                    services.clean_enterprise_data(data, actor=_actor(request), instance=enterprise)
                except ValidationFailed as exc:
                    put_errors(form, exc.errors)
            elif not (set(form.changed_data) - {"version"}):
                messages.info(request, _("Nothing was changed."))
                return redirect("enterprise-detail", pk=enterprise.pk)
            else:
                try:
                    services.enterprise_update(
                        actor=_actor(request),
                        enterprise_id=enterprise.pk,
                        data=data,
                        expected_version=form.cleaned_data.get("version"),
                    )
                except ValidationFailed as exc:
                    put_errors(form, exc.errors)
                except Conflict as exc:
                    conflict = str(exc)
                    status = 409
                except NotFound as exc:
                    raise Http404(str(exc)) from exc
                except Forbidden as exc:
                    raise PermissionDenied(str(exc)) from exc
                else:
                    messages.success(request, _("Changes saved."))
                    return redirect("enterprise-detail", pk=enterprise.pk)
    else:
        form = EnterpriseForm(user=user, instance=enterprise)
    return render(
        request,
        "registry/enterprise_form.html",
        {
            "form": form,
            "enterprise": enterprise,
            "conflict": conflict,
        },
        status=status,
    )


# --- divisions --------------------------------------------------------------------------------


def _enterprise_counts(user, division_ids: list[int] | None = None) -> dict[int, int]:
    """Enterprises in the user's scope per division, in one aggregate query."""
    qs = scoping.visible(user, Enterprise)
    if division_ids is not None:
        qs = qs.filter(division_id__in=division_ids)
    return dict(qs.order_by().values_list("division_id").annotate(n=Count("id")))


@login_required
def division_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, "divisions")
    nodes = list(scoping.visible(user, Division).with_tree_fields())
    trimmed = False
    if len(nodes) > MAX_TREE_NODES:
        nodes = [n for n in nodes if n.level != DivisionLevel.GRID]
        trimmed = True
    own = _enterprise_counts(user)
    by_id = {n.pk: n for n in nodes}
    children: dict[int | None, list[Division]] = defaultdict(list)
    for node in nodes:
        node.own_count = own.get(node.pk, 0)
        node.total = 0
        node.kids = []
        parent = node.parent_id if node.parent_id in by_id else None
        children[parent].append(node)
    # Subtree totals: the tree query lists parents before children, so walk it backwards.
    all_ids = set(own)
    if trimmed:
        # Grids were left out: count their enterprises on their township.
        grids = dict(
            Division.objects.filter(pk__in=all_ids - set(by_id)).values_list("pk", "parent_id")
        )
        for grid_id, parent_id in grids.items():
            if parent_id in by_id:
                by_id[parent_id].own_count += own.get(grid_id, 0)
    for node in reversed(nodes):
        node.total += node.own_count
        node.kids = children.get(node.pk, [])
        if node.parent_id in by_id:
            by_id[node.parent_id].total += node.total
    roots = children.get(None, [])
    return render(
        request,
        "registry/division_list.html",
        {
            "roots": roots,
            "trimmed": trimmed,
            "home_id": user.division_id,
            # A small tree opens fully; a larger one down to the counties (townships shut).
            "open_depth": 99 if len(nodes) <= 30 else 3,
        },
    )


@login_required
def division_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_section(user, "divisions")
    division = get_object_or_404(scoping.visible(user, Division), pk=pk)
    visible = scoping.visible(user, Division)
    child_list = list(visible.filter(parent=division).order_by("code"))
    subtree = scoping.subtree_ids(division)
    counts = _enterprise_counts(user, subtree)
    # Each counted division belongs to the subtree of exactly one child (or is the node).
    per_child: dict[int, int] = defaultdict(int)
    if counts:
        for node in Division.objects.filter(pk__in=list(counts)).with_tree_fields():
            path = [int(p) for p in node.tree_path]
            if division.pk in path and path.index(division.pk) + 1 < len(path):
                per_child[path[path.index(division.pk) + 1]] += counts[node.pk]
    for child in child_list:
        child.total = per_child.get(child.pk, 0)
    departments = scoping.visible(user, Department).filter(division=division)
    return render(
        request,
        "registry/division_detail.html",
        {
            "division": division,
            "path": division_path(user, division),
            "children": child_list,
            "total": sum(counts.values()),
            "own_count": counts.get(division.pk, 0),
            "departments": departments,
        },
    )


# --- departments ------------------------------------------------------------------------------


@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, "departments")
    departments = list(scoping.visible(user, Department).select_related("division"))
    figures = {
        row["department_id"]: row
        for row in scoping.visible(user, DutyAssignment)
        .order_by()
        .values("department_id")
        .annotate(
            lead=Count("id", filter=Q(role=DutyRole.LEAD)),
            cooperating=Count("id", filter=Q(role=DutyRole.COOPERATING)),
        )
    }
    for dep in departments:
        row = figures.get(dep.pk, {})
        dep.lead_count = row.get("lead", 0)
        dep.cooperating_count = row.get("cooperating", 0)
    return render(request, "registry/department_list.html", {"departments": departments})


@login_required
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_section(user, "departments")
    department = get_object_or_404(
        scoping.visible(user, Department).select_related("division"), pk=pk
    )
    around = scoping.ancestor_ids(department.division) + scoping.subtree_ids(department.division)
    rules = (
        DutyRule.objects.filter(department_kind=department.kind)
        .filter(Q(division__isnull=True) | Q(division_id__in=around))
        .select_related("industry", "industry__parent", "division")
        .order_by("role", "industry__sort")
    )
    figures = (
        scoping.visible(user, DutyAssignment)
        .filter(department=department)
        .aggregate(
            lead=Count("id", filter=Q(role=DutyRole.LEAD)),
            cooperating=Count("id", filter=Q(role=DutyRole.COOPERATING)),
        )
    )
    return render(
        request,
        "registry/department_detail.html",
        {
            "department": department,
            "lead_rules": [r for r in rules if r.role == DutyRole.LEAD],
            "cooperating_rules": [r for r in rules if r.role == DutyRole.COOPERATING],
            "figures": figures,
        },
    )


# --- supervision gaps -------------------------------------------------------------------------


def industries_without_lead(user) -> list[Industry]:
    """Industries for which the rule table (defaults plus the decisions that apply where
    the user sits) names no lead department: every enterprise of them is a gap."""
    chain = scoping.ancestor_ids(user.division) if user.division_id else []
    has_rules: set[int] = set()
    has_lead: set[int] = set()
    for industry_id, role in DutyRule.objects.filter(
        Q(division__isnull=True) | Q(division_id__in=chain)
    ).values_list("industry_id", "role"):
        has_rules.add(industry_id)
        if role == DutyRole.LEAD:
            has_lead.add(industry_id)
    industries = list(Industry.objects.order_by("sort", "code"))
    parent = {i.pk: i.parent_id for i in industries}
    gaps = []
    for industry in industries:
        node: int | None = industry.pk
        decided = False
        while node is not None:
            if node in has_rules:  # the first level with any rule decides
                decided = node in has_lead
                break
            node = parent.get(node)
        if not decided:
            gaps.append(industry)
    return gaps


@login_required
def gaps(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, "gaps")
    gap_enterprises = scoping.visible(user, Enterprise).filter(~lead_exists())
    by_industry = list(
        gap_enterprises.order_by()
        .values("industry_id", "industry__name", "industry__code")
        .annotate(n=Count("id"))
        .order_by("-n", "industry__code")
    )
    sample = gap_enterprises.select_related("division", "industry").order_by("-id")[:50]
    open_disputes = None
    if may_use(user, "disputes"):
        open_disputes = list(
            scoping.visible(user, DutyDispute)
            .filter(status=DisputeStatus.OPEN)
            .select_related("enterprise", "industry", "raised_by_department")[:20]
        )
    return render(
        request,
        "registry/gaps.html",
        {
            "by_industry": by_industry,
            "total": sum(row["n"] for row in by_industry),
            "sample": sample,
            "no_lead_industries": industries_without_lead(user),
            "open_disputes": open_disputes,
            "can_raise": scoping.can_raise_dispute(user),
            "can_decide": scoping.can_decide_dispute(user),
        },
    )


# --- duty disputes ----------------------------------------------------------------------------


def _dispute_queryset(user):
    return scoping.visible(user, DutyDispute).select_related(
        "jurisdiction",
        "enterprise",
        "industry",
        "raised_by_department",
        "proposed_department",
        "decided_lead",
        "created_by",
        "decided_by",
    )


@login_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, "disputes")
    form = DisputeFilterForm(request.GET)
    qs = _dispute_queryset(user).order_by("-created_at", "-id")
    if form.is_valid() and form.cleaned_data.get("status"):
        qs = qs.filter(status=form.cleaned_data["status"])
    return render(
        request,
        "registry/dispute_list.html",
        {
            "form": form,
            "page": _page(request, qs),
            "can_raise": scoping.can_raise_dispute(user),
        },
    )


@login_required
def dispute_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_section(user, "disputes")
    if not scoping.can_raise_dispute(user):
        raise PermissionDenied(
            _("Only department officers and the safety committee office raise duty disputes.")
        )
    if request.method == "POST":
        form = DisputeRaiseForm(request.POST, user=user)
        if form.is_valid():
            try:
                dispute = services.dispute_raise(actor=_actor(request), **form.service_kwargs())
            except ValidationFailed as exc:
                put_errors(form, exc.errors)
            except Forbidden as exc:
                raise PermissionDenied(str(exc)) from exc
            else:
                messages.success(
                    request, _("Dispute raised; the safety committee office will decide.")
                )
                return redirect("dispute-detail", pk=dispute.pk)
    else:
        initial: dict[str, Any] = {}
        for key, field in (
            ("enterprise", "enterprise_id"),
            ("industry", "industry_id"),
            ("kind", "kind"),
        ):
            if request.GET.get(key):
                initial[field] = request.GET[key]
        form = DisputeRaiseForm(initial=initial, user=user)
    enterprise_id = form["enterprise_id"].value()
    enterprise = None
    if enterprise_id:
        try:
            enterprise = scoping.visible(user, Enterprise).filter(pk=int(enterprise_id)).first()
        except (TypeError, ValueError):
            enterprise = None
    return render(
        request,
        "registry/dispute_form.html",
        {
            "form": form,
            "enterprise": enterprise,
            "enterprise_id": enterprise_id,
        },
    )


def _dispute_page(
    request: HttpRequest,
    dispute: DutyDispute,
    *,
    decide_form: DisputeDecideForm | None = None,
    status: int = 200,
    problem: str = "",
) -> HttpResponse:
    user = request.user
    can_decide = scoping.can_decide_dispute(user) and dispute.status == DisputeStatus.OPEN
    if can_decide and decide_form is None:
        initial = {}
        if dispute.proposed_department_id:
            initial["decided_lead_id"] = str(dispute.proposed_department_id)
        decide_form = DisputeDecideForm(initial=initial, user=user)
    current_duties = []
    if dispute.enterprise_id:
        current_duties = list(
            scoping.visible(user, DutyAssignment)
            .filter(enterprise_id=dispute.enterprise_id)
            .select_related("department")
        )
    return render(
        request,
        "registry/dispute_detail.html",
        {
            "dispute": dispute,
            "decide_form": decide_form if can_decide else None,
            "can_withdraw": dispute.status == DisputeStatus.OPEN
            and dispute.created_by_id == user.pk,
            "current_duties": current_duties,
            "enterprise_visible": bool(dispute.enterprise_id)
            and scoping.visible(user, Enterprise).filter(pk=dispute.enterprise_id).exists(),
            "problem": problem,
        },
        status=status,
    )


@login_required
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_section(request.user, "disputes")
    dispute = get_object_or_404(_dispute_queryset(request.user), pk=pk)
    return _dispute_page(request, dispute)


@login_required
@require_POST
def dispute_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_section(user, "disputes")
    dispute = get_object_or_404(_dispute_queryset(user), pk=pk)
    form = DisputeDecideForm(request.POST, user=user)
    if form.is_valid():
        try:
            services.dispute_decide(
                actor=_actor(request), dispute_id=dispute.pk, **form.service_kwargs()
            )
        except ValidationFailed as exc:
            put_errors(form, exc.errors)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        except Conflict as exc:
            return _dispute_page(request, dispute, status=409, problem=str(exc))
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("dispute-detail", pk=dispute.pk)
    return _dispute_page(request, dispute, decide_form=form)


@login_required
@require_POST
def dispute_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_section(user, "disputes")
    dispute = get_object_or_404(_dispute_queryset(user), pk=pk)
    try:
        services.dispute_withdraw(actor=_actor(request), dispute_id=dispute.pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except Conflict as exc:
        return _dispute_page(request, dispute, status=409, problem=str(exc))
    messages.success(request, _("Dispute withdrawn."))
    return redirect("dispute-detail", pk=dispute.pk)

"""/enterprises: the scoped register, its detail, and writes through the registry services."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from anjian.core.errors import NotFound
from anjian.core.scoping import subtree_ids, visible
from anjian.registry import services
from anjian.registry.models import (
    Division,
    DutyAssignment,
    DutyRole,
    Enterprise,
    Industry,
)
from anjian.registry.queries import ListFilters, list_count

from .common import actor, caller
from .schemas import (
    EnterpriseCreateIn,
    EnterpriseDetail,
    EnterpriseFilters,
    EnterprisePage,
    EnterprisePatchIn,
    ErrorOut,
    ValidationErrorOut,
)

router = Router(tags=["enterprises"])


def list_queryset(qs: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    """What a page of the list needs, in a fixed number of queries whatever its size."""
    leads = DutyAssignment.objects.filter(role=DutyRole.LEAD).select_related("department")
    return qs.select_related("division", "industry").prefetch_related(
        Prefetch("duties", queryset=leads, to_attr="lead_duties")
    )


def detail_queryset(qs: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    return qs.select_related("division", "industry").prefetch_related(*_detail_prefetches())


def _detail_prefetches() -> list[str | Prefetch]:
    return [
        "licences",
        Prefetch("duties", queryset=DutyAssignment.objects.select_related("department")),
    ]


def _industry_and_children(industry_id: int) -> list[int]:
    # Reference data (a few dozen rows): walk the parent map in Python, any depth.
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Industry.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, todo = [], [industry_id]
    while todo:
        node = todo.pop()
        if node in found:
            continue
        found.append(node)
        todo.extend(children.get(node, []))
    return found


def list_filters(f: EnterpriseFilters, request: HttpRequest) -> ListFilters:
    """The query's filters checked against the caller's scope."""
    division_ids = None
    if f.division is not None:
        # The division must be one the caller may see; an unknown one simply matches nothing.
        division = visible(caller(request), Division).filter(pk=f.division).first()
        division_ids = subtree_ids(division)
    return ListFilters(
        q=(f.q or "").strip(),
        division_ids=division_ids,
        industry_ids=None if f.industry is None else _industry_and_children(f.industry),
        department_id=f.department,
        flag=f.flag.value if f.flag is not None else "",
        status=f.status.value if f.status is not None else "",
    )


def filter_enterprises(
    qs: QuerySet[Enterprise], f: EnterpriseFilters, request: HttpRequest
) -> QuerySet[Enterprise]:
    """Narrow an already scoped queryset; a filter can only ever remove rows."""
    return list_filters(f, request).apply(qs)


@router.get(
    "/enterprises",
    response={200: EnterprisePage, 422: ValidationErrorOut},
    summary="List enterprises in your scope",
)
def enterprise_list(request: HttpRequest, filters: Query[EnterpriseFilters]) -> dict:
    user = caller(request)
    checked = list_filters(filters, request)
    qs = checked.apply(visible(user, Enterprise))
    offset, limit = filters.offset, filters.limit
    # The page's ids in a subquery (an index scan over the id order, narrow rows), the
    # joins for those rows only: a deep page no longer joins every row it skips. The
    # total from the enterprise rollup where it can answer (list_count).
    page_ids = qs.order_by("-id").values("pk")[offset : offset + limit]
    items = list(list_queryset(Enterprise.objects.filter(pk__in=page_ids)).order_by("-id"))
    return {"count": list_count(user, checked, qs), "items": items}


@router.get(
    "/enterprises/{enterprise_id}",
    response={200: EnterpriseDetail, 404: ErrorOut, 422: ValidationErrorOut},
    summary="One enterprise with its licences and duties",
)
def enterprise_detail(request: HttpRequest, enterprise_id: int) -> Enterprise:
    qs = detail_queryset(visible(caller(request), Enterprise))
    enterprise = qs.filter(pk=enterprise_id).first()
    if enterprise is None:
        # The services' wording: out of scope and unknown are not told apart.
        raise NotFound(_("No such enterprise in your jurisdiction."))
    return enterprise


def _rendered(enterprise: Enterprise) -> Enterprise:
    # The service hands back the row it wrote; load what the detail shows onto it.
    prefetch_related_objects([enterprise], "division", "industry", *_detail_prefetches())
    return enterprise


@router.post(
    "/enterprises",
    response={201: EnterpriseDetail, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Register an enterprise",
)
def enterprise_create(
    request: HttpRequest, payload: EnterpriseCreateIn, response: HttpResponse
) -> Status:
    enterprise = services.enterprise_create(actor=actor(request), data=payload.service_data())
    response["Location"] = reverse(
        "api-v1:enterprise_detail", kwargs={"enterprise_id": enterprise.pk}
    )
    return Status(201, _rendered(enterprise))


@router.patch(
    "/enterprises/{enterprise_id}",
    response={
        200: EnterpriseDetail,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Change some fields of an enterprise",
)
def enterprise_update(
    request: HttpRequest, enterprise_id: int, payload: EnterprisePatchIn
) -> Enterprise:
    enterprise = services.enterprise_update(
        actor=actor(request),
        enterprise_id=enterprise_id,
        data=payload.service_data(),
        expected_version=payload.version,
    )
    return _rendered(enterprise)

"""/enterprises: the scoped register, its detail, and writes through the registry services."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
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
from anjian.registry.search import enterprise_search

from .common import actor, caller, page
from .schemas import (
    EnterpriseCreateIn,
    EnterpriseDetail,
    EnterpriseFilters,
    EnterprisePage,
    EnterprisePatchIn,
    ErrorOut,
    Flag,
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


def filter_enterprises(
    qs: QuerySet[Enterprise], f: EnterpriseFilters, request: HttpRequest
) -> QuerySet[Enterprise]:
    """Narrow an already scoped queryset; a filter can only ever remove rows."""
    if f.q and f.q.strip():
        q = f.q.strip()
        qs = qs.filter(enterprise_search(q))
    if f.division is not None:
        # The division must be one the caller may see; an unknown one simply matches nothing.
        division = visible(caller(request), Division).filter(pk=f.division).first()
        qs = qs.filter(division_id__in=subtree_ids(division))
    if f.industry is not None:
        qs = qs.filter(industry_id__in=_industry_and_children(f.industry))
    if f.department is not None:
        supervised = DutyAssignment.objects.filter(
            enterprise_id=OuterRef("pk"), department_id=f.department
        )
        qs = qs.filter(Exists(supervised))
    if f.flag is not None:
        qs = qs.filter(
            {
                Flag.MAJOR_HAZARD: Q(has_major_hazard=True),
                Flag.KEY_PROCESS: Q(has_key_process=True),
                Flag.KEY_CHEMICAL: Q(has_key_chemical=True),
                Flag.TWO_KEY_ONE_MAJOR: Q(has_major_hazard=True)
                | Q(has_key_process=True)
                | Q(has_key_chemical=True),
            }[f.flag]
        )
    if f.status is not None:
        qs = qs.filter(status=f.status)
    return qs


@router.get(
    "/enterprises",
    response={200: EnterprisePage, 422: ValidationErrorOut},
    summary="List enterprises in your scope",
)
def enterprise_list(request: HttpRequest, filters: Query[EnterpriseFilters]) -> dict:
    qs = filter_enterprises(visible(caller(request), Enterprise), filters, request)
    return page(list_queryset(qs), filters.limit, filters.offset)


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

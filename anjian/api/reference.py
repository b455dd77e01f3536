"""/divisions, /departments, /industries and /me."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from anjian.accounts.models import User
from anjian.core.errors import Forbidden, NotFound
from anjian.core.scoping import ancestor_ids, subtree_ids, visible
from anjian.registry.models import Department, Division, Industry

from .common import caller, page
from .schemas import (
    DepartmentFilters,
    DepartmentOut,
    DepartmentPage,
    DivisionDetail,
    DivisionFilters,
    DivisionPage,
    ErrorOut,
    IndustryOut,
    MeOut,
)

router = Router()


# --- divisions --------------------------------------------------------------------------


@router.get("/divisions", response=DivisionPage, tags=["divisions"], summary="Divisions you see")
def division_list(request: HttpRequest, filters: Query[DivisionFilters]) -> dict:
    qs = visible(caller(request), Division)
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    return page(qs, filters.limit, filters.offset)


@router.get(
    "/divisions/{division_id}",
    response={200: DivisionDetail, 404: ErrorOut},
    tags=["divisions"],
    summary="One division with its path from the root and its children",
)
def division_detail(request: HttpRequest, division_id: int) -> dict:
    scoped = visible(caller(request), Division)
    division = scoped.filter(pk=division_id).first()
    if division is None:
        raise NotFound(_("Unknown division, or outside your jurisdiction."))
    chain = ancestor_ids(division)[:-1]  # root first, without the division itself
    rank = {pk: i for i, pk in enumerate(chain)}
    path = sorted(scoped.filter(pk__in=chain), key=lambda d: rank[d.pk])
    return {
        "id": division.pk,
        "code": division.code,
        "name": division.name,
        "level": division.level,
        "parent_id": division.parent_id,
        "path": path,
        "children": list(scoped.filter(parent_id=division.pk)),
    }


# --- departments ------------------------------------------------------------------------


@router.get(
    "/departments", response=DepartmentPage, tags=["departments"], summary="Departments you see"
)
def department_list(request: HttpRequest, filters: Query[DepartmentFilters]) -> dict:
    user = caller(request)
    qs = visible(user, Department).select_related("division")
    if filters.division is not None:
        division = visible(user, Division).filter(pk=filters.division).first()
        qs = qs.filter(division_id__in=subtree_ids(division))
    if filters.kind is not None:
        qs = qs.filter(kind=filters.kind)
    return page(qs.order_by("division__code", "kind", "pk"), filters.limit, filters.offset)


@router.get(
    "/departments/{department_id}",
    response={200: DepartmentOut, 404: ErrorOut},
    tags=["departments"],
    summary="One department",
)
def department_detail(request: HttpRequest, department_id: int) -> Department:
    department = (
        visible(caller(request), Department)
        .select_related("division")
        .filter(pk=department_id)
        .first()
    )
    if department is None:
        raise NotFound(_("Unknown department, or outside your jurisdiction."))
    return department


# --- industries (reference data) --------------------------------------------------------


@router.get(
    "/industries",
    response={200: list[IndustryOut], 403: ErrorOut},
    tags=["reference"],
    summary="Industries and business types (the same for everyone)",
)
def industry_list(request: HttpRequest) -> list[Industry]:
    # Not jurisdiction data, so no scoping rule; but an account without a role (not yet
    # set up, or stripped of it) gets nothing from the platform.
    if not caller(request).role:
        raise Forbidden(_("Your account has no role; ask the security administrator."))
    return list(Industry.objects.all())


# --- me ---------------------------------------------------------------------------------


@router.get("/me", response=MeOut, tags=["me"], summary="Who you are and where you sit")
def me(request: HttpRequest) -> User:
    return caller(request)

"""Who sees and who fills which monthly dispatch form, built on anjian.core.scoping.

* the county's safety committee office (a coordinator whose division is the county, or
  above it) sees every form of the county, opens the month and returns forms;
* a township's forms are filled by the township's coordinator (乡镇安委办: a coordinator
  whose division is the township), who sees only the township's forms;
* a department's forms are filled and seen by its officers;
* the platform administrator reads all; anyone else (grid officers, experts, enterprise
  staff, no role) sees nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from anjian.accounts.models import Role
from anjian.core import scoping
from anjian.registry.models import Division, DivisionLevel

from .models import DispatchForm


def _subtree(user: Any) -> list[int]:
    cache = getattr(user, "_dispatch_subtree", None)
    if cache is None:
        cache = scoping.subtree_ids(user.division)
        user._dispatch_subtree = cache
    return cache


def visible_forms(user: Any) -> QuerySet[DispatchForm]:
    qs = DispatchForm.objects.all()
    if not scoping.is_active_user(user):
        return qs.none()
    if user.role == Role.PLATFORM_ADMIN:
        return qs
    if user.role == Role.COORDINATOR and user.division_id:
        ids = _subtree(user)
        return qs.filter(Q(county_id__in=ids) | Q(division_id__in=ids))
    if user.role == Role.DEPARTMENT_OFFICER and user.department_id:
        return qs.filter(department_id=user.department_id)
    return qs.none()


def may_fill(user: Any, form: DispatchForm) -> bool:
    if not scoping.is_active_user(user):
        return False
    if form.division_id:
        return user.role == Role.COORDINATOR and user.division_id == form.division_id
    return user.role == Role.DEPARTMENT_OFFICER and user.department_id == form.department_id


def may_oversee(user: Any, county: Division) -> bool:
    """The county's safety committee office (or one above it)."""
    return bool(
        scoping.is_active_user(user)
        and user.role == Role.COORDINATOR
        and user.division_id
        and county.pk in _subtree(user)
    )


def counties_overseen(user: Any) -> QuerySet[Division]:
    """The counties whose dispatch the user runs (their own, or those below a city)."""
    if not (scoping.is_active_user(user) and user.role == Role.COORDINATOR and user.division_id):
        return Division.objects.none()
    return Division.objects.filter(pk__in=_subtree(user), level=DivisionLevel.COUNTY)

"""The one place that decides what a user may see and change.

Every query a user can trigger (pages, API, exports) starts from `visible(user, Model)`;
views never filter by hand. Rules:

* enterprise staff → their own enterprise and what hangs on it;
* rows placed by a division (SCOPE_DIVISION_PATH: accidents, often outside any
  enterprise) → regulators their division's subtree, staff their enterprise's rows;
* coordinator (安委办), grid officer, expert → their division's subtree;
* department officer → enterprises in their division's subtree that their department
  supervises (lead or cooperating);
* platform administrator → the registry (back-office data), all of it;
* security administrator → users; audit administrator → the audit log (三员分立);
* anyone else (no role, inactive, anonymous) → nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from anjian.accounts.models import ENTERPRISE_ROLES, Role

if TYPE_CHECKING:
    from anjian.accounts.models import User
    from anjian.registry.models import Division, Enterprise

SUBTREE_ROLES = frozenset({Role.COORDINATOR, Role.GRID_OFFICER, Role.EXPERT})
# Who may create and change registry data, and where.
ENTERPRISE_EDITORS = frozenset(
    {Role.PLATFORM_ADMIN, Role.COORDINATOR, Role.DEPARTMENT_OFFICER, Role.GRID_OFFICER}
)


def is_active_user(user: Any) -> bool:
    """Signed in, active and holding a role: anyone else sees nothing."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.role)


_active = is_active_user


def subtree_ids(division: Division | None) -> list[int]:
    """Ids of a division and all below it, in one recursive query."""
    from anjian.registry.models import Division

    if division is None:
        return []
    return list(
        Division.objects.descendants(division, include_self=True).values_list("pk", flat=True)
    )


def ancestor_ids(division: Division | None) -> list[int]:
    from anjian.registry.models import Division

    if division is None:
        return []
    return list(
        Division.objects.ancestors(division, include_self=True).values_list("pk", flat=True)
    )


def _user_subtree(user: User) -> list[int]:
    # Cached on the user object, i.e. per request: one recursive query, however many
    # scoped querysets a page builds.
    cache = getattr(user, "_anjian_subtree", None)
    if cache is None:
        cache = subtree_ids(user.division)
        user._anjian_subtree = cache
    return cache


def _user_ancestors(user: User) -> list[int]:
    cache = getattr(user, "_anjian_ancestors", None)
    if cache is None:
        division = user.enterprise.division if user.role in ENTERPRISE_ROLES else user.division
        cache = ancestor_ids(division)
        user._anjian_ancestors = cache
    return cache


def visible_enterprises(user: User) -> QuerySet[Enterprise]:
    from anjian.registry.models import DutyAssignment, Enterprise

    qs = Enterprise.objects.all()
    if not _active(user):
        return qs.none()
    role = user.role
    if role == Role.PLATFORM_ADMIN:
        return qs
    if role in ENTERPRISE_ROLES:
        return qs.filter(pk=user.enterprise_id) if user.enterprise_id else qs.none()
    if role in SUBTREE_ROLES:
        return qs.filter(division_id__in=_user_subtree(user))
    if role == Role.DEPARTMENT_OFFICER and user.department_id:
        supervised = DutyAssignment.objects.filter(
            enterprise_id=OuterRef("pk"), department_id=user.department_id
        )
        return qs.filter(Exists(supervised), division_id__in=_user_subtree(user))
    return qs.none()


def grouped_scope(user: User) -> tuple[list[int] | None] | None:
    """For counters kept per group of enterprises (grid, industry, duties; the hazard
    rollup): `(grid ids,)` the user's view is the union of (None: every grid), or None
    when it is not such a union and the rows must be counted one by one (enterprise
    staff see one enterprise; a department officer also sees rows outside its duty,
    SCOPE_DEPARTMENT_PATH; anyone else sees nothing)."""
    if not _active(user):
        return None
    if user.role == Role.PLATFORM_ADMIN:
        return (None,)
    if user.role in SUBTREE_ROLES:
        return (_user_subtree(user),)
    return None


def department_duty_scope(user: User) -> tuple[list[int], int] | None:
    """For a department officer: `(grid ids, department id)`, its enterprises being those
    in these grids its department holds a duty for (what counters kept per grid and set
    of duties can sum; the rows it reviews outside that duty, SCOPE_DEPARTMENT_PATH, are
    not in it). None for anyone else."""
    if _active(user) and user.role == Role.DEPARTMENT_OFFICER and user.department_id:
        return _user_subtree(user), int(user.department_id)
    return None


def visible_divisions(user: User) -> QuerySet[Division]:
    from anjian.registry.models import Division

    qs = Division.objects.all()
    if not _active(user):
        return qs.none()
    if user.role in {Role.PLATFORM_ADMIN, Role.SECURITY_ADMIN}:
        return qs
    if user.role in ENTERPRISE_ROLES:
        if user.enterprise_id is None:
            return qs.none()
        return qs.filter(pk__in=_user_ancestors(user))
    if user.division_id is None or user.role == Role.AUDIT_ADMIN:
        return qs.none()
    return qs.filter(pk__in=_user_subtree(user) + _user_ancestors(user))


def visible_departments(user: User) -> QuerySet:
    from anjian.registry.models import Department

    if not _active(user) or user.role == Role.AUDIT_ADMIN:
        return Department.objects.none()
    if user.role in ENTERPRISE_ROLES:
        if user.enterprise_id is None:
            return Department.objects.none()
        # Staff see the departments that supervise their enterprise.
        return Department.objects.filter(duties__enterprise_id=user.enterprise_id).distinct()
    return Department.objects.filter(division__in=visible_divisions(user))


def visible_disputes(user: User) -> QuerySet:
    from anjian.registry.models import DutyDispute

    qs = DutyDispute.objects.all()
    if not _active(user):
        return qs.none()
    if user.role == Role.PLATFORM_ADMIN:
        return qs
    if user.role == Role.COORDINATOR:
        return qs.filter(jurisdiction_id__in=_user_subtree(user) + _user_ancestors(user))
    if user.role == Role.DEPARTMENT_OFFICER and user.department_id:
        d = user.department_id
        return qs.filter(
            Q(raised_by_department_id=d)
            | Q(proposed_department_id=d)
            | Q(decided_lead_id=d)
            | Q(enterprise__duties__department_id=d)
        ).distinct()
    return qs.none()


def _in_divisions(user: User, model: type[Model], division_path: str) -> QuerySet:
    """Rows placed by a division rather than an enterprise (SCOPE_DIVISION_PATH): an
    accident happens somewhere, often outside any registered enterprise. A regulator
    (a department too: an accident is reported to every department where it happened,
    493号令 第九条) sees the rows in their division's subtree; enterprise staff the rows
    of their own enterprise (at SCOPE_ENTERPRISE_OF_ROW, when the model names one); the
    platform administrator all; anyone else nothing."""
    qs = model.objects.all()
    if not _active(user):
        return qs.none()
    if user.role == Role.PLATFORM_ADMIN:
        return qs
    if user.role in ENTERPRISE_ROLES:
        path = getattr(model, "SCOPE_ENTERPRISE_OF_ROW", None)
        if not (path and user.enterprise_id):
            return qs.none()
        return qs.filter(**{f"{path}_id": user.enterprise_id})
    if (user.role in SUBTREE_ROLES or user.role == Role.DEPARTMENT_OFFICER) and user.division_id:
        return qs.filter(**{f"{division_path}_id__in": _user_subtree(user)})
    return qs.none()


def placed_scope(user: User) -> tuple[list[int] | None] | None:
    """For counters of rows placed by a division (SCOPE_DIVISION_PATH), kept per division:
    `(division ids,)` the user sees (None: all), or None when the user's view is not a
    set of divisions (enterprise staff see their enterprise's rows; anyone else nothing).
    The same rule as _in_divisions."""
    if not _active(user):
        return None
    if user.role == Role.PLATFORM_ADMIN:
        return (None,)
    if (user.role in SUBTREE_ROLES or user.role == Role.DEPARTMENT_OFFICER) and user.division_id:
        return (_user_subtree(user),)
    return None


def visible_accidents(user: User) -> QuerySet:
    """Accidents (anjian.accidents), by the division rule above. Looked up by name: the
    ground floor imports no capability."""
    from django.apps import apps

    return visible(user, apps.get_model("accidents", "Accident"))


def visible_users(user: User) -> QuerySet:
    from anjian.accounts.models import User as UserModel

    if _active(user) and user.role == Role.SECURITY_ADMIN:
        return UserModel.objects.all()
    if _active(user):
        return UserModel.objects.filter(pk=user.pk)
    return UserModel.objects.none()


def visible_audit(user: User) -> QuerySet:
    from anjian.core.models import AuditEntry

    if _active(user) and user.role == Role.AUDIT_ADMIN:
        return AuditEntry.objects.all()
    return AuditEntry.objects.none()


def visible(user: User, model: type[Model]) -> QuerySet:
    """The scoped queryset of `model` for `user`."""
    from anjian.accounts.models import User as UserModel
    from anjian.core.models import AuditEntry
    from anjian.registry import models as reg

    table = {
        reg.Enterprise: visible_enterprises,
        reg.Division: visible_divisions,
        reg.Department: visible_departments,
        reg.DutyDispute: visible_disputes,
        UserModel: visible_users,
        AuditEntry: visible_audit,
    }
    if model is reg.Licence:
        return reg.Licence.objects.filter(enterprise__in=visible_enterprises(user))
    if model is reg.DutyAssignment:
        return reg.DutyAssignment.objects.filter(enterprise__in=visible_enterprises(user))
    # Rows placed by a division, with or without an enterprise (accidents).
    division_path = getattr(model, "SCOPE_DIVISION_PATH", None)
    if division_path:
        return _in_divisions(user, model, division_path)
    # Everything hanging on an enterprise declares the path to it and follows its scope.
    path = getattr(model, "SCOPE_ENTERPRISE_PATH", None)
    if path:
        return _hanging_on_enterprises(user, model, path)
    if model not in table:
        raise LookupError(f"no scoping rule for {model.__name__}")
    return table[model](user)


def _hanging_on_enterprises(user: User, model: type[Model], path: str) -> QuerySet:
    """Rows of `model` whose enterprise (at `path`) the user sees. The same scope as
    visible_enterprises, written so that a large table (2,000,000 hazards) is read well:
    an enterprise user's rows by equality on the key; the platform administrator's with
    no condition; anyone else's as a correlated EXISTS, so an ordered, limited query
    walks its own index and checks the scope row by row instead of first collecting
    every row of every enterprise in scope and sorting them (what `IN (subquery)` makes
    SQLite do)."""

    qs = model.objects.all()
    if not _active(user):
        return qs.none()
    if user.role == Role.PLATFORM_ADMIN:
        return qs
    if user.role in ENTERPRISE_ROLES:
        if not user.enterprise_id:
            return qs.none()
        qs = qs.filter(**{f"{path}_id": user.enterprise_id})
        # Rows the enterprise must not see yet, whoever asks for them (an unannounced
        # inspection before it starts: anjian.inspections.models).
        hidden = getattr(model, "SCOPE_ENTERPRISE_HIDDEN", None)
        return qs.exclude(hidden) if hidden is not None else qs
    if user.role not in SUBTREE_ROLES and user.role != Role.DEPARTMENT_OFFICER:
        return qs.none()
    scope = visible_enterprises(user).filter(pk=OuterRef(f"{path}_id"))
    # A department also sees the rows it answers for outside its duty
    # (SCOPE_DEPARTMENT_PATH: the hazards it reviews, found by its inspector on a joint
    # inspection of an enterprise another department supervises; 谁检查谁复查).
    department_path = getattr(model, "SCOPE_DEPARTMENT_PATH", None)
    if department_path and user.role == Role.DEPARTMENT_OFFICER and user.department_id:
        return qs.filter(Exists(scope) | Q(**{f"{department_path}_id": user.department_id}))
    return qs.filter(Exists(scope))


# --- what a user may change --------------------------------------------------------------


def can_create_enterprise_in(user: User, division: Division) -> bool:
    if not _active(user) or user.role not in ENTERPRISE_EDITORS:
        return False
    if user.role == Role.PLATFORM_ADMIN:
        return True
    return division.pk in _user_subtree(user)


def can_change_enterprise(user: User, enterprise: Enterprise) -> bool:
    if not _active(user) or user.role not in ENTERPRISE_EDITORS:
        return False
    if user.role == Role.PLATFORM_ADMIN:
        return True
    if user.role == Role.DEPARTMENT_OFFICER:
        # Only the lead department edits the record; cooperating ones read it.
        return enterprise.duties.filter(
            department_id=user.department_id, role="lead"
        ).exists() and enterprise.division_id in _user_subtree(user)
    return enterprise.division_id in _user_subtree(user)


RISK_EDITORS = frozenset({Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER})


def can_manage_risks(user: User, enterprise: Enterprise) -> bool:
    """Risk grading is the enterprise's own duty (主体责任): its principal and safety
    officer keep it; an expert in whose jurisdiction it lies may assess and help."""
    if not _active(user):
        return False
    if user.role in RISK_EDITORS:
        return user.enterprise_id == enterprise.pk
    if user.role == Role.EXPERT:
        return enterprise.division_id in _user_subtree(user)
    return False


def can_raise_dispute(user: User) -> bool:
    return _active(user) and user.role in {Role.DEPARTMENT_OFFICER, Role.COORDINATOR}


def can_decide_dispute(user: User) -> bool:
    return _active(user) and user.role == Role.COORDINATOR


def can_override_duty(user: User) -> bool:
    return _active(user) and user.role in {Role.COORDINATOR, Role.PLATFORM_ADMIN}

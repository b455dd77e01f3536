"""Pages of monitoring and early warning (监测预警): the boards (boards.py), the alarm
list, detail and actions (alarms.py), a point's history chart (points.py).

Regulators (and the platform administrator) use the jurisdiction board; enterprise staff
use their enterprise's board. Objects out of scope are 404; roles that use no
monitoring page get the 403 page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from anjian.accounts.models import ENTERPRISE_ROLES
from anjian.core import scoping
from anjian.core.sections import REGISTRY_ROLES


def is_enterprise_user(user) -> bool:
    return (
        scoping.is_active_user(user) and user.role in ENTERPRISE_ROLES and bool(user.enterprise_id)
    )


def is_regulator(user) -> bool:
    return scoping.is_active_user(user) and user.role in REGISTRY_ROLES


def uses_monitoring(user) -> bool:
    return is_regulator(user) or is_enterprise_user(user)


def require_monitoring(user) -> None:
    if not uses_monitoring(user):
        raise PermissionDenied(_("Your role does not use this page."))


def require_regulator(user) -> None:
    if not is_regulator(user):
        raise PermissionDenied(_("Your role does not use this page."))

"""The supplies warning job (issue 14 item 3): tells the keepers of each supply record
about its expiry, shortage or state, once per supply and warning (run it daily from cron
as `anjian manage emergency_supplies_check`, or enqueue the django-tasks task
`anjian.emergency.tasks.supplies_check`).

Who is told: for a warehouse an enterprise keeps, that enterprise's principal and safety
officers; for a government warehouse, the coordinators (安委办) of its division, or of the
nearest division above it that has any.

Remembering what was sent needs no table of its own: each warning told leaves an audit
entry (action "warned", object type "emergency.supplywarning", object id
resource_rules.sent_key: supply, kind and the fact warned about). The job skips a warning
whose entry exists, so a second run sends nothing new; a new expiry date, a new minimum
or a new state is a new warning. Each supply is done in its own transaction with its row
locked, and the entry is looked for again under the lock, so two runs at once tell each
warning once.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import Role, User
from anjian.core import scoping
from anjian.core.audit import Actor, audit_append
from anjian.core.models import AuditEntry, NotificationKind
from anjian.core.notify import notify
from anjian.registry.models import Division

from . import resource_rules as rules
from .models import Supply
from .resource_services import facts, notice_days, warned_supplies, warning_labels

logger = logging.getLogger(__name__)

SENT_ACTION = "warned"
SENT_TYPE = "emergency.supplywarning"


def keepers(warehouse: Any) -> list[User]:
    """The people told about a warehouse's supplies."""
    if warehouse.enterprise_id:
        return list(
            User.objects.filter(
                is_active=True,
                enterprise_id=warehouse.enterprise_id,
                role__in=(Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER),
            ).order_by("pk")
        )
    # The nearest division (itself, then upwards) with a coordinator.
    ids = scoping.ancestor_ids(warehouse.division)
    parents = dict(Division.objects.filter(pk__in=ids).values_list("pk", "parent_id"))
    ancestors, at = [], warehouse.division_id
    while at in parents and at not in ancestors:
        ancestors.append(at)
        at = parents[at]
    coordinators = list(
        User.objects.filter(is_active=True, role=Role.COORDINATOR, division_id__in=ancestors)
    )
    for division_id in ancestors:
        found = [u for u in coordinators if u.division_id == division_id]
        if found:
            return sorted(found, key=lambda u: u.pk)
    return []


def _already(keys: list[str]) -> set[str]:
    return set(
        AuditEntry.objects.filter(
            object_type=SENT_TYPE, action=SENT_ACTION, object_id__in=keys
        ).values_list("object_id", flat=True)
    )


def _message(supply: Supply, warning: rules.Warning) -> tuple[str, str]:
    label = warning_labels()[warning.kind]
    title = _("Emergency supplies: %(kind)s %(warning)s") % {
        "kind": supply.kind.name,
        "warning": label,
    }
    parts = [
        _("Warehouse %(name)s") % {"name": supply.warehouse.name},
        _("quantity %(q)s, minimum %(m)s") % {"q": supply.quantity, "m": supply.minimum},
    ]
    if supply.expires_on:
        parts.append(_("expires on %(d)s") % {"d": supply.expires_on.isoformat()})
    if supply.batch:
        parts.append(_("batch %(b)s") % {"b": supply.batch})
    return title, "; ".join(parts)


def _warn_one(supply_id: int, *, today: dt.date, days: int, actor: Actor) -> int:
    with transaction.atomic():
        supply = (
            Supply.objects.select_for_update(of=("self",))
            .select_related("kind", "warehouse", "warehouse__division")
            .get(pk=supply_id)
        )
        found = rules.supply_warnings(facts(supply), today=today, notice_days=days)
        keys = {rules.sent_key(supply.pk, w): w for w in found}
        new = [(k, w) for k, w in keys.items() if k not in _already(list(keys))]
        if not new:
            return 0
        people = keepers(supply.warehouse)
        link = reverse("emergency:supply-warnings")
        for key, warning in new:
            title, body = _message(supply, warning)
            kind = (
                NotificationKind.DEADLINE
                if warning.kind in (rules.EXPIRED, rules.EXPIRING)
                else NotificationKind.OTHER
            )
            notify(
                recipients=people,
                kind=kind,
                title=title,
                body=body,
                link=f"{link}?kind={warning.kind}",
                object_label=supply.warehouse.name,
            )
            audit_append(
                actor=actor,
                action=SENT_ACTION,
                object_type=SENT_TYPE,
                object_id=key,
                summary=title[:255],
                changes={
                    "supply": supply.pk,
                    "kind": warning.kind,
                    "recipients": [u.pk for u in people],
                },
            )
        return len(new)


def supplies_check_run(*, today: dt.date | None = None, days: int | None = None) -> dict[str, int]:
    """Tell every new warning; counts of supplies seen, warnings told, failures."""
    today = today or timezone.localdate()
    days = notice_days() if days is None else days
    actor = Actor.system("job", "emergency_supplies_check")
    ids = list(
        warned_supplies(None, today=today, days=days).order_by("pk").values_list("pk", flat=True)
    )
    out = {"supplies": 0, "warned": 0, "failed": 0}
    for supply_id in ids:
        out["supplies"] += 1
        try:
            out["warned"] += _warn_one(supply_id, today=today, days=days, actor=actor)
        except Exception:
            logger.exception("the supply warnings of supply %s failed", supply_id)
            out["failed"] += 1
    return out

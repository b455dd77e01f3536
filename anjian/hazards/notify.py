"""Who is told about what in the hazard loop, and the people behind each audience.

The rules are the table STEP_RULES below: (step, condition) → (audience, kind). The
services call `after_step(...)`, which registers the notification on commit: a step that
rolls back tells nobody, and a failure to notify never undoes a committed step (it is
logged). The deadline job and the extension services use the same audiences.

Audiences (who exactly, resolved from the registry and the users):
* managers     — the enterprise's principal(s) and safety officer(s) (active users);
* principals   — the enterprise's principal(s) only;
* acceptors    — the body that reviews the hazard (it found, ordered, stopped or listed
                 it: officers of that department, or the coordinators / grid officers of
                 that division); for a hazard the enterprise accepts itself, its
                 managers (a major one: its principals);
* deciders     — who decides on a deadline extension (anjian.hazards.extensions):
                 the reviewing body; else the lead department's officers or, for an
                 enterprise without one, the nearest safety committee office;
* regulators   — lead department officers + the nearest coordinator(s);
* grid         — grid officers whose grid or township covers the enterprise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from anjian.accounts.models import Role, User
from anjian.core.models import NotificationKind
from anjian.core.notify import notify
from anjian.core.scoping import ancestor_ids
from anjian.registry.models import Division, DivisionLevel, DutyRole, Enterprise

from . import workflow as wf
from .models import Hazard, Level

logger = logging.getLogger("anjian.notify")

MANAGER_ROLES = wf.PARTY_ROLES[wf.ENTERPRISE_MANAGER]

# --- audiences -------------------------------------------------------------------------------

MANAGERS = "managers"
PRINCIPALS = "principals"
ACCEPTORS = "acceptors"
DECIDERS = "deciders"
REGULATORS = "regulators"
GRID = "grid"
LEAD_OFFICERS = "lead_officers"
COORDINATORS = "coordinators"


def _active() -> Any:
    return User.objects.filter(is_active=True)


def enterprise_managers(enterprise: Enterprise) -> list[User]:
    return list(
        _active().filter(
            enterprise_id=enterprise.pk,
            role__in=[Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER],
        )
    )


def enterprise_principals(enterprise: Enterprise) -> list[User]:
    return list(_active().filter(enterprise_id=enterprise.pk, role=Role.ENTERPRISE_PRINCIPAL))


def lead_officers(enterprise: Enterprise) -> list[User]:
    """Officers of the enterprise's lead department(s) whose division covers it."""
    return list(
        _active()
        .filter(
            role=Role.DEPARTMENT_OFFICER,
            department__duties__enterprise_id=enterprise.pk,
            department__duties__role=DutyRole.LEAD,
            division_id__in=ancestor_ids(enterprise.division),
        )
        .distinct()
    )


def nearest_coordinators(division: Division | None) -> list[User]:
    """The safety committee office (coordinators) of the nearest division at or above
    `division` that has one (the county's, for an enterprise in a grid)."""
    if division is None:
        return []
    chain = ancestor_ids(division)  # root first, the division itself last
    found: dict[int, list[User]] = {}
    for user in _active().filter(role=Role.COORDINATOR, division_id__in=chain):
        found.setdefault(user.division_id, []).append(user)
    for pk in reversed(chain):
        if pk in found:
            return found[pk]
    return []


def grid_officers(enterprise: Enterprise) -> list[User]:
    """Grid officers whose grid (or township) is the enterprise's or above it."""
    ids = list(
        Division.objects.ancestors(enterprise.division, include_self=True)
        .filter(level__in=[DivisionLevel.GRID, DivisionLevel.TOWNSHIP])
        .values_list("pk", flat=True)
    )
    return list(_active().filter(role=Role.GRID_OFFICER, division_id__in=ids))


def review_authority(hazard: Hazard) -> list[User]:
    if hazard.review_department_id:
        return list(
            _active().filter(
                role=Role.DEPARTMENT_OFFICER, department_id=hazard.review_department_id
            )
        )
    if hazard.review_division_id:
        return list(
            _active().filter(
                role__in=[Role.COORDINATOR, Role.GRID_OFFICER],
                division_id=hazard.review_division_id,
            )
        )
    return []


def acceptors(hazard: Hazard) -> list[User]:
    """Who accepts (or reviews) the hazard's rectification."""
    if not hazard.enterprise_accepts:
        return review_authority(hazard)
    if hazard.level == Level.MAJOR:
        return enterprise_principals(hazard.enterprise)
    return enterprise_managers(hazard.enterprise)


def deciders(hazard: Hazard) -> list[User]:
    """Who decides on the hazard's deadline extensions."""
    if not hazard.enterprise_accepts:
        return review_authority(hazard)
    enterprise = hazard.enterprise
    # The lead department's officers; for an enterprise without one (a supervision gap)
    # the safety committee office, so that the request still reaches somebody.
    return lead_officers(enterprise) or nearest_coordinators(enterprise.division)


AUDIENCES: dict[str, Callable[[Hazard], list[User]]] = {
    MANAGERS: lambda h: enterprise_managers(h.enterprise),
    PRINCIPALS: lambda h: enterprise_principals(h.enterprise),
    ACCEPTORS: acceptors,
    DECIDERS: deciders,
    REGULATORS: lambda h: lead_officers(h.enterprise) + nearest_coordinators(h.enterprise.division),
    GRID: lambda h: grid_officers(h.enterprise),
    LEAD_OFFICERS: lambda h: lead_officers(h.enterprise),
    COORDINATORS: lambda h: nearest_coordinators(h.enterprise.division),
}


def audience(name: str, hazard: Hazard) -> list[User]:
    return AUDIENCES[name](hazard)


# --- the step table --------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    action: str
    when: str  # a condition name of CONDITIONS
    audience: str
    kind: str


ASSIGNMENT, DECISION, OTHER = (
    NotificationKind.ASSIGNMENT.value,
    NotificationKind.DECISION.value,
    NotificationKind.OTHER.value,
)

# Who is told after which step. One row per (step, condition, audience); the person who
# took the step is never told about their own step.
STEP_RULES: tuple[Rule, ...] = (
    # A regulator (or an employee) found it: the enterprise's managers have to deal
    # with it. A manager's own report needs no message.
    Rule(wf.REPORT, "not_by_manager", MANAGERS, ASSIGNMENT),
    # A major hazard: the county and the lead department must know at once.
    Rule(wf.REPORT, "major", REGULATORS, OTHER),
    Rule(wf.MAKE_MAJOR, "always", REGULATORS, OTHER),
    Rule(wf.MAKE_MAJOR, "always", MANAGERS, DECISION),
    # Submitted: the acceptors (the reviewing body, or the enterprise's own acceptor)
    # have work.
    Rule(wf.SUBMIT, "always", ACCEPTORS, ASSIGNMENT),
    # The plan completes a major hazard's report (16号令 第十四条第二款 (三)).
    Rule(wf.SET_PLAN, "always", REGULATORS, OTHER),
    # A stop, an application to resume (the 10-day clock starts), the review.
    Rule(wf.SUSPEND, "always", REGULATORS, OTHER),
    Rule(wf.SUSPEND, "always", MANAGERS, DECISION),
    Rule(wf.APPLY_RESUME, "always", ACCEPTORS, ASSIGNMENT),
    Rule(wf.ORDER, "always", MANAGERS, ASSIGNMENT),
    Rule(wf.REOPEN, "always", MANAGERS, ASSIGNMENT),
    # Decisions on the enterprise's hazard.
    Rule(wf.CONFIRM_MAJOR, "always", MANAGERS, DECISION),
    Rule(wf.DISMISS_MAJOR, "always", MANAGERS, DECISION),
    Rule(wf.LIST, "always", MANAGERS, DECISION),
    Rule(wf.ACCEPT, "always", MANAGERS, DECISION),
    Rule(wf.REJECT, "always", MANAGERS, DECISION),
    Rule(wf.REVIEW_PASS, "always", MANAGERS, DECISION),
    Rule(wf.REVIEW_FAIL, "always", MANAGERS, DECISION),
)

CONDITIONS: dict[str, Callable[[Hazard, Any], bool]] = {
    "always": lambda h, user: True,
    "major": lambda h, user: h.level == Level.MAJOR,
    "not_by_manager": lambda h, user: user is None or user.role not in MANAGER_ROLES,
}


def step_titles() -> dict[str, str]:
    """The inbox title of each step ("%(number)s" is the hazard's number)."""
    return {
        wf.REPORT: _("Hazard %(number)s reported"),
        wf.MAKE_MAJOR: _("Hazard %(number)s determined as major"),
        wf.SUBMIT: _("Hazard %(number)s submitted for acceptance"),
        wf.CONFIRM_MAJOR: _("Hazard %(number)s confirmed as major"),
        wf.DISMISS_MAJOR: _("Hazard %(number)s is not major after all"),
        wf.LIST: _("Hazard %(number)s listed for supervision"),
        wf.ACCEPT: _("Hazard %(number)s accepted and closed"),
        wf.REJECT: _("Hazard %(number)s rejected at acceptance"),
        wf.REVIEW_PASS: _("Hazard %(number)s passed the on-site review"),
        wf.SET_PLAN: _("Remediation plan of major hazard %(number)s set"),
        wf.SUSPEND: _("Production stopped for hazard %(number)s"),
        wf.APPLY_RESUME: _("Application to resume production for hazard %(number)s"),
        wf.ORDER: _("Rectification ordered for hazard %(number)s"),
        wf.REOPEN: _("Hazard %(number)s reopened"),
        wf.REVIEW_FAIL: _("Hazard %(number)s failed the on-site review"),
    }


def hazard_link(hazard: Hazard) -> str:
    try:
        return reverse("hazards:detail", args=[hazard.pk])
    except NoReverseMatch:  # pragma: no cover - the detail page is always there
        return ""


def hazard_label(hazard: Hazard) -> str:
    return f"{hazard.number} {hazard.enterprise.name}"


def recipients_for_step(hazard: Hazard, action: str, user: Any) -> list[tuple[str, list[User]]]:
    """(kind, people) per matching rule, without the person who took the step."""
    out = []
    for rule in STEP_RULES:
        if rule.action == action and CONDITIONS[rule.when](hazard, user):
            people = [p for p in audience(rule.audience, hazard) if user is None or p.pk != user.pk]
            if people:
                out.append((rule.kind, people))
    return out


def tell(
    hazard: Hazard,
    people: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
) -> int:
    rows = notify(
        recipients=people,
        kind=kind,
        title=title,
        body=body,
        link=hazard_link(hazard),
        object_label=hazard_label(hazard),
    )
    return len(rows)


def _step_body(hazard: Hazard, action: str, note: str) -> str:
    parts = [hazard.enterprise.name, hazard.description[:200]]
    if note:
        parts.append(note[:500])
    return "\n".join(p for p in parts if p)


def notify_step(hazard_id: int, action: str, user_id: int | None) -> int:
    """Tell the people the table names about a step just committed."""
    titles = step_titles()
    if action not in titles:
        return 0
    hazard = Hazard.objects.select_related("enterprise__division").get(pk=hazard_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    event = hazard.events.filter(action=action).order_by("-at", "-id").first()
    note = event.note if event is not None else ""
    sent = 0
    with transaction.atomic():
        for kind, people in recipients_for_step(hazard, action, user):
            sent += tell(
                hazard,
                people,
                kind,
                titles[action] % {"number": hazard.number},
                _step_body(hazard, action, note),
            )
    return sent


def after_step(hazard: Hazard, action: str, actor: Any) -> None:
    """Called by the services inside the step's transaction: notify once it commits."""
    hazard_id, user_id = hazard.pk, getattr(actor, "user_id", None)

    def run() -> None:
        try:
            notify_step(hazard_id, action, user_id)
        except Exception:
            logger.exception("notifying step %s of hazard %s failed", action, hazard_id)

    transaction.on_commit(run)

"""Who is told about what in the hazard loop, and the people behind each audience.

Two rules decide who is told after a step:

* the hand-off (`waited_for`): the hazard now waits for whoever may take the steps
  that follow in the workflow table (anjian.hazards.workflow) — the parties of the
  transitions out of its new state whose guard passes. Whoever starts being waited
  for at this step gets an assignment (a to-do, shown on their home page). Exceptions,
  each with its reason, are NOT_WAITED and `_enterprise_own_work` below;
* the news (STEP_RULES): (step, condition) → (audience, kind), for people who are
  told without being waited for (the regulators of a major hazard, the enterprise of
  a decision, the reporter of a closure or rejection).

A person gets one inbox row per step: a to-do when they are waited for, else the news.
The services call `after_step(...)`, which registers the notification on commit: a step that
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
* grid         — grid officers whose grid or township covers the enterprise;
* reporter     — who reported the hazard.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anjian.accounts.models import Role, User
from anjian.core.models import Notification, NotificationKind
from anjian.core.notify import notify
from anjian.core.scoping import ancestor_ids
from anjian.registry.models import Division, DivisionLevel, DutyRole, Enterprise

from . import workflow as wf
from .models import ACTION_LABELS, Hazard, Level

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
REPORTER = "reporter"


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


def experts(enterprise: Enterprise) -> list[User]:
    """Experts whose jurisdiction (their division or one above) covers the enterprise."""
    return list(
        _active().filter(role=Role.EXPERT, division_id__in=ancestor_ids(enterprise.division))
    )


def reporter(hazard: Hazard) -> list[User]:
    return list(_active().filter(pk=hazard.reported_by_id)) if hazard.reported_by_id else []


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
    REPORTER: reporter,
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

# Who is told after which step, besides the people it now waits for (`waited_for`).
# One row per (step, condition, audience); the person who took the step is never told
# about their own step.
STEP_RULES: tuple[Rule, ...] = (
    # A major hazard: the county and the lead department must know at once (16号令
    # 第十四条).
    Rule(wf.REPORT, "major", REGULATORS, OTHER),
    Rule(wf.MAKE_MAJOR, "always", REGULATORS, OTHER),
    Rule(wf.MAKE_MAJOR, "always", MANAGERS, DECISION),
    # The plan completes a major hazard's report (16号令 第十四条第二款 (三)).
    Rule(wf.SET_PLAN, "always", REGULATORS, OTHER),
    # A stop is news for the regulators and, when ordered, a decision for the enterprise.
    Rule(wf.SUSPEND, "always", REGULATORS, OTHER),
    Rule(wf.SUSPEND, "always", MANAGERS, DECISION),
    # An order (整改指令书) is new work for the enterprise even though the hazard was
    # already waiting for it: an explicit assignment.
    Rule(wf.ORDER, "always", MANAGERS, ASSIGNMENT),
    # Decisions on the enterprise's hazard.
    Rule(wf.CONFIRM_MAJOR, "always", MANAGERS, DECISION),
    Rule(wf.DISMISS_MAJOR, "always", MANAGERS, DECISION),
    Rule(wf.LIST, "always", MANAGERS, DECISION),
    Rule(wf.FIX_ON_SPOT, "always", MANAGERS, DECISION),
    Rule(wf.ACCEPT, "always", MANAGERS, DECISION),
    Rule(wf.REJECT, "always", MANAGERS, DECISION),
    Rule(wf.REVIEW_PASS, "always", MANAGERS, DECISION),
    Rule(wf.REVIEW_FAIL, "always", MANAGERS, DECISION),
    # Whoever reported the hazard (an employee above all) learns how it ended.
    Rule(wf.FIX_ON_SPOT, "always", REPORTER, DECISION),
    Rule(wf.ACCEPT, "always", REPORTER, DECISION),
    Rule(wf.REVIEW_PASS, "always", REPORTER, DECISION),
    Rule(wf.REJECT, "always", REPORTER, DECISION),
)

CONDITIONS: dict[str, Callable[[Hazard, Any], bool]] = {
    "always": lambda h, user: True,
    "major": lambda h, user: h.level == Level.MAJOR,
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
        wf.FIX_ON_SPOT: _("Hazard %(number)s fixed on the spot and closed"),
        wf.SET_FIVE_FIXES: _("Five fixes of hazard %(number)s set"),
        wf.START_RECTIFICATION: _("Rectification of hazard %(number)s started"),
        wf.REPORT_TO_WORKERS: _("Major hazard %(number)s reported to the workers' congress"),
        wf.RESUME: _("Production resumed after hazard %(number)s"),
        wf.EVALUATE: _("Remedy of hazard %(number)s evaluated"),
        wf.ACCOUNTABILITY_REVIEW: _("Accountability review of hazard %(number)s recorded"),
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


# --- hand-offs: who the hazard waits for ------------------------------------------------------

# Steps nobody is waited for although they follow in the table: a regulator's own
# decision to determine a hazard major, order, stop or reopen (安全生产法 第六十五条 gives
# the power, not a duty to act on every hazard); the expert's dismissal, the other
# answer to the confirmation they are already asked for; fixing on the spot, the other
# way to the five fixes the managers are already asked for.
NOT_WAITED: frozenset[str] = frozenset(
    {wf.MAKE_MAJOR, wf.ORDER, wf.SUSPEND, wf.REOPEN, wf.DISMISS_MAJOR, wf.FIX_ON_SPOT}
)

# The enterprise's own parties. One manager's step does not hand the enterprise's next
# step to the other managers: they run their own rectification (16号令 第十五条). The
# enterprise's acceptor is the exception: acceptance is the second pair of eyes.
ENTERPRISE_SIDE: frozenset[str] = frozenset(
    {wf.ENTERPRISE_MANAGER, wf.ENTERPRISE_PRINCIPAL, wf.ENTERPRISE_STAFF}
)

# What a step changed in the facts the guards read, undone: the facts before the step,
# so that only a waiting that starts with this step is announced (an expert asked to
# confirm is not asked again at every later step).
_BEFORE: dict[str, Callable[[wf.Facts], wf.Facts]] = {
    wf.MAKE_MAJOR: lambda f: replace(f, level=wf.GENERAL, confirmed=False, listed=False),
    wf.DISMISS_MAJOR: lambda f: replace(f, level=wf.MAJOR),
    wf.CONFIRM_MAJOR: lambda f: replace(f, confirmed=False),
    wf.LIST: lambda f: replace(f, listed=False),
    wf.SET_PLAN: lambda f: replace(f, planned=False),
    wf.SUSPEND: lambda f: replace(f, stop_ordered=False),
    wf.ACCOUNTABILITY_REVIEW: lambda f: replace(f, reviewed=False),
}


# Steps in parallel (the workflow's docstring: listing, an order, an expert's opinion, the
# report to the workers' congress): the same in-place row in several states. Waiting for
# one starts when the hazard is reported or when a step makes its guard hold (a hazard
# determined major awaits confirmation), not each time the state moves back to where it
# is possible (a rejected major hazard does not ask the expert again).
PARALLEL: frozenset[str] = frozenset(
    a
    for a in wf.ACTIONS
    if len(wf.states_with(a)) > 1
    and all(t.source == t.target for t in wf.TRANSITIONS if t.action == a)
)


def waits(state: str, facts: wf.Facts) -> frozenset[tuple[str, str]]:
    """(action, party) pairs a hazard in this state waits for: the table's transitions
    out of the state whose guard passes, without the NOT_WAITED steps."""
    return frozenset(
        (t.action, party)
        for t in wf.transitions_from(state)
        if t.action not in NOT_WAITED and wf.guard_passes(t.guard, facts)
        for party in t.parties
    )


def new_waits(
    action: str, before_state: str, after_state: str, after: wf.Facts
) -> frozenset[tuple[str, str]]:
    """The waitings that start with this step."""
    before = _BEFORE.get(action, lambda f: f)(after)
    was = waits(before_state, before)
    if before_state != wf.START:
        was |= {(a, p) for a, p in waits(after_state, before) if a in PARALLEL}
    return waits(after_state, after) - was


def party_people(party: str, hazard: Hazard) -> list[User]:
    """The people behind a party of the table, for telling them (not for permissions:
    a coordinator is the nearest safety committee office, not every one above it)."""
    enterprise = hazard.enterprise
    if party in (wf.ENTERPRISE_MANAGER, wf.ENTERPRISE_STAFF):
        return enterprise_managers(enterprise)  # employees only report
    if party == wf.ENTERPRISE_PRINCIPAL:
        return enterprise_principals(enterprise)
    if party == wf.ENTERPRISE_ACCEPTOR:
        return acceptors(hazard) if hazard.enterprise_accepts else []
    if party == wf.REVIEW_AUTHORITY:
        return review_authority(hazard)
    if party == wf.LEAD_OFFICER:
        return lead_officers(enterprise)
    if party == wf.COORDINATOR:
        return nearest_coordinators(enterprise.division)
    if party == wf.GRID_OFFICER:
        return grid_officers(enterprise)
    if party == wf.EXPERT:
        return experts(enterprise)
    return []  # INSPECTOR: any regulator may, nobody in particular is waited for


def _enterprise_own_work(party: str, user: Any) -> bool:
    return party in ENTERPRISE_SIDE and user is not None and user.role in MANAGER_ROLES


def waited_for(
    hazard: Hazard, action: str, user: Any, before_state: str
) -> dict[int, tuple[User, list[str]]]:
    """person id → (person, the actions they are now waited for), without the actor."""
    from .services import _facts  # the services import this module

    out: dict[int, tuple[User, list[str]]] = {}
    for step, party in sorted(new_waits(action, before_state, hazard.state, _facts(hazard))):
        if _enterprise_own_work(party, user):
            continue
        for person in party_people(party, hazard):
            if user is not None and person.pk == user.pk:
                continue
            todo = out.setdefault(person.pk, (person, []))[1]
            if step not in todo:
                todo.append(step)
    return out


def recipients_for_step(hazard: Hazard, action: str, user: Any) -> list[tuple[str, list[User]]]:
    """(kind, people) per matching news rule, without the person who took the step."""
    out = []
    for rule in STEP_RULES:
        if rule.action == action and CONDITIONS[rule.when](hazard, user):
            people = [p for p in audience(rule.audience, hazard) if user is None or p.pk != user.pk]
            if people:
                out.append((rule.kind, people))
    return out


KIND_ORDER = (ASSIGNMENT, DECISION, OTHER)  # of two rules for one person, the first wins


def told_after_step(
    hazard: Hazard, action: str, user: Any, before_state: str
) -> dict[int, tuple[User, str, list[str]]]:
    """Everyone told about this step, once each: person id → (person, kind, the actions
    they are waited for — empty for news only)."""
    told: dict[int, tuple[User, str, list[str]]] = {}
    for kind, people in recipients_for_step(hazard, action, user):
        for person in people:
            known = told.get(person.pk)
            if known is None or KIND_ORDER.index(kind) < KIND_ORDER.index(known[1]):
                told[person.pk] = (person, kind, [])
    for pk, (person, todo) in waited_for(hazard, action, user, before_state).items():
        told[pk] = (person, ASSIGNMENT, todo)
    return told


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


def _todo_title(hazard: Hazard, todo: list[str]) -> str:
    steps = _(" / ").join(str(ACTION_LABELS.get(a, a)) for a in todo)
    return _("Hazard %(number)s waits for you: %(steps)s") % {
        "number": hazard.number,
        "steps": steps,
    }


def still_waited(hazard: Hazard) -> set[int]:
    """Ids of everyone the hazard waits for in its present state."""
    from .services import _facts  # the services import this module

    return {
        person.pk
        for _step, party in waits(hazard.state, _facts(hazard))
        for person in party_people(party, hazard)
    }


def _settle(hazard: Hazard, user: User | None) -> int:
    """A step settles the to-dos it answered: the actor's own about this hazard, and those
    of everyone the hazard no longer waits for (the other experts once one has confirmed,
    the other officers of the deciding body once one has listed it). They leave the home
    page's list; the inbox keeps them, read. Whoever is still waited for keeps theirs."""
    waiting = still_waited(hazard)
    rows = Notification.objects.filter(
        link=hazard_link(hazard), kind=ASSIGNMENT, read_at__isnull=True
    )
    answered = rows.exclude(recipient_id__in=waiting)
    if user is not None:
        answered = answered | rows.filter(recipient_id=user.pk)
    return answered.update(read_at=timezone.now())


def notify_step(hazard_id: int, action: str, user_id: int | None) -> int:
    """Tell the people waited for, and the people the news rules name, about a step just
    committed: one inbox row each. The rows are written in the platform's language (zh-hans),
    whatever language the person who took the step reads the pages in."""
    with translation.override(settings.LANGUAGE_CODE):
        return _notify_step(hazard_id, action, user_id)


def _notify_step(hazard_id: int, action: str, user_id: int | None) -> int:
    titles = step_titles()
    hazard = Hazard.objects.select_related("enterprise__division").get(pk=hazard_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    event = hazard.events.filter(action=action).order_by("-at", "-id").first()
    note = event.note if event is not None else ""
    before_state = (event.from_state if event is not None else "") or wf.START
    what = titles.get(action, "") % {"number": hazard.number} if action in titles else ""
    body = _step_body(hazard, action, note)
    groups: dict[tuple[str, str, str], list[User]] = {}
    for person, kind, todo in told_after_step(hazard, action, user, before_state).values():
        if todo:
            key = (kind, _todo_title(hazard, todo), "\n".join(p for p in (what, body) if p))
        else:
            key = (kind, what, body)
        groups.setdefault(key, []).append(person)
    sent = 0
    with transaction.atomic():
        _settle(hazard, user)
        for (kind, title, text), people in groups.items():
            sent += tell(hazard, people, kind, title, text)
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

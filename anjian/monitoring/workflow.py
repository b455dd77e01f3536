"""The alarm lifecycle as one table (like anjian.hazards.workflow). Pure: no Django import.

    raised ──acknowledge──► acknowledged ──handle──► handled ──close──► closed

* acknowledge (确认): who, when — the enterprise's staff on duty (principal, safety
  officer, employee) or a regulator whose scope covers the enterprise;
* handle (处置): what was done, with an optional evidence photo — the enterprise's staff;
* close (关闭): the enterprise's principal or safety officer, once the engine has seen
  the condition end (an alarm still present cannot be closed; it is cleared by the
  readings, not by a person).

Clearing (the condition ended) is the engine's, independent of these states: an alarm
can clear before anyone acknowledges it, and it still has to be acknowledged and handled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

RAISED = "raised"
ACKNOWLEDGED = "acknowledged"
HANDLED = "handled"
CLOSED = "closed"
STATES: tuple[str, ...] = (RAISED, ACKNOWLEDGED, HANDLED, CLOSED)
OPEN_STATES: tuple[str, ...] = (RAISED, ACKNOWLEDGED, HANDLED)

ACKNOWLEDGE = "acknowledge"
HANDLE = "handle"
CLOSE = "close"
ACTIONS: tuple[str, ...] = (ACKNOWLEDGE, HANDLE, CLOSE)

# Parties: who a user is in relation to one alarm (the services add the relation: the
# point's enterprise, a regulator's scope).
ENTERPRISE_STAFF = "enterprise_staff"
ENTERPRISE_MANAGER = "enterprise_manager"
REGULATOR = "regulator"

PARTY_ROLES: dict[str, frozenset[str]] = {
    ENTERPRISE_STAFF: frozenset(
        {"enterprise_principal", "enterprise_safety_officer", "enterprise_employee"}
    ),
    ENTERPRISE_MANAGER: frozenset({"enterprise_principal", "enterprise_safety_officer"}),
    REGULATOR: frozenset({"coordinator", "department_officer", "grid_officer", "expert"}),
}


@dataclass(frozen=True)
class Facts:
    cleared: bool  # the engine saw the condition end


GUARDS: dict[str, Callable[[Facts], bool]] = {
    "always": lambda f: True,
    "cleared": lambda f: f.cleared,
}


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    parties: frozenset[str]
    guard: str = "always"


TRANSITIONS: tuple[Transition, ...] = (
    Transition(RAISED, ACKNOWLEDGE, ACKNOWLEDGED, frozenset({ENTERPRISE_STAFF, REGULATOR})),
    Transition(ACKNOWLEDGED, HANDLE, HANDLED, frozenset({ENTERPRISE_STAFF})),
    Transition(HANDLED, CLOSE, CLOSED, frozenset({ENTERPRISE_MANAGER}), "cleared"),
)
TABLE: dict[tuple[str, str], Transition] = {(t.source, t.action): t for t in TRANSITIONS}


def parties_of(role: str, same_enterprise: bool, in_scope: bool) -> frozenset[str]:
    """The parties a user with this role is, given whether the alarm is of their own
    enterprise (enterprise staff) or in their scope (regulators)."""
    out = set()
    for party, roles in PARTY_ROLES.items():
        if role not in roles:
            continue
        if (party == REGULATOR and in_scope) or (party != REGULATOR and same_enterprise):
            out.add(party)
    return frozenset(out)


def step(state: str, action: str) -> Transition | None:
    return TABLE.get((state, action))


def available(state: str, facts: Facts, parties: frozenset[str]) -> list[str]:
    return [
        t.action
        for t in TRANSITIONS
        if t.source == state and t.parties & parties and GUARDS[t.guard](facts)
    ]


__all__ = [
    "ACKNOWLEDGE",
    "ACKNOWLEDGED",
    "ACTIONS",
    "CLOSE",
    "CLOSED",
    "HANDLE",
    "HANDLED",
    "OPEN_STATES",
    "RAISED",
    "STATES",
    "TABLE",
    "TRANSITIONS",
    "Facts",
    "available",
    "parties_of",
    "step",
]

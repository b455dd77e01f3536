"""An accident's life as one table (like anjian.inspections.workflow). Pure: no Django
import.

    reported ──investigate──► investigating ──close──► closed
        └──withdraw──► withdrawn

* report (快报): creates the accident in `reported` (the service, not a transition);
* followup (续报): new figures as a new version, while reported or investigating, by the
  reporter, the unit's staff or the authority;
* investigate: the authority opens the investigation (国务院令第493号 第十九条);
* extend: once, while investigating (第二十九条: up to 60 days);
* accountable: a person held accountable is recorded, while investigating;
* close: the 四不放过 close-out, all four boxes ticked;
* withdraw: a quick report made by mistake, before any investigation, by its reporter
  or the authority; kept, never deleted;
* conceal: the authority flags an accident as concealed (瞒报), once.

The parties: REPORTER (who made the quick report), UNIT (staff of the accident's
enterprise), AUTHORITY (a coordinator or department officer whose division subtree holds
the accident's division).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

REPORTED = "reported"
INVESTIGATING = "investigating"
CLOSED = "closed"
WITHDRAWN = "withdrawn"
STATES: tuple[str, ...] = (REPORTED, INVESTIGATING, CLOSED, WITHDRAWN)

FOLLOWUP = "followup"
INVESTIGATE = "investigate"
EXTEND = "extend"
ACCOUNTABLE = "accountable"
CLOSE = "close"
WITHDRAW = "withdraw"
CONCEAL = "conceal"
ACTIONS: tuple[str, ...] = (FOLLOWUP, INVESTIGATE, EXTEND, ACCOUNTABLE, CLOSE, WITHDRAW, CONCEAL)
# Not a transition: the first event of every accident.
REPORT = "report"

REPORTER = "reporter"
UNIT = "unit"
AUTHORITY = "authority"


@dataclass(frozen=True)
class Facts:
    extended: bool = False  # the investigation's one extension is used
    concealed: bool = False
    checklist_done: bool = False  # all four 四不放过 boxes (the close form's, or stored)


GUARDS: dict[str, Callable[[Facts], bool]] = {
    "always": lambda f: True,
    "not_extended": lambda f: not f.extended,
    "not_concealed": lambda f: not f.concealed,
    "checklist_done": lambda f: f.checklist_done,
}


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    parties: frozenset[str]
    guard: str = "always"


_ANYONE = frozenset({REPORTER, UNIT, AUTHORITY})
_AUTH = frozenset({AUTHORITY})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(REPORTED, FOLLOWUP, REPORTED, _ANYONE),
    Transition(INVESTIGATING, FOLLOWUP, INVESTIGATING, _ANYONE),
    Transition(REPORTED, INVESTIGATE, INVESTIGATING, _AUTH),
    Transition(INVESTIGATING, EXTEND, INVESTIGATING, _AUTH, "not_extended"),
    Transition(INVESTIGATING, ACCOUNTABLE, INVESTIGATING, _AUTH),
    Transition(INVESTIGATING, CLOSE, CLOSED, _AUTH, "checklist_done"),
    Transition(REPORTED, WITHDRAW, WITHDRAWN, frozenset({REPORTER, AUTHORITY})),
    Transition(REPORTED, CONCEAL, REPORTED, _AUTH, "not_concealed"),
    Transition(INVESTIGATING, CONCEAL, INVESTIGATING, _AUTH, "not_concealed"),
    Transition(CLOSED, CONCEAL, CLOSED, _AUTH, "not_concealed"),
)
TABLE: dict[tuple[str, str], Transition] = {(t.source, t.action): t for t in TRANSITIONS}


def step(state: str, action: str) -> Transition | None:
    return TABLE.get((state, action))


def available(state: str, facts: Facts, parties: frozenset[str]) -> list[str]:
    """The actions a user with `parties` may take now. The close is offered while
    investigating whatever the boxes say (the form ticks them), so it is listed without
    its guard."""
    out = []
    for t in TRANSITIONS:
        if t.source != state or not t.parties & parties:
            continue
        if t.guard != "checklist_done" and not GUARDS[t.guard](facts):
            continue
        out.append(t.action)
    return out


__all__ = [
    "ACCOUNTABLE",
    "ACTIONS",
    "AUTHORITY",
    "CLOSE",
    "CLOSED",
    "CONCEAL",
    "EXTEND",
    "FOLLOWUP",
    "GUARDS",
    "INVESTIGATE",
    "INVESTIGATING",
    "REPORT",
    "REPORTED",
    "REPORTER",
    "STATES",
    "TABLE",
    "TRANSITIONS",
    "UNIT",
    "WITHDRAW",
    "WITHDRAWN",
    "Facts",
    "Transition",
    "available",
    "step",
]

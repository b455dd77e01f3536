"""A special-work permit's life as one table (like anjian.emergency.plan_workflow). Pure:
no Django import. Rules: standards.md A14 (GB 30871-2022).

    draft ──issue──► issued ──start──► working ──close──► closed
      │                │                  │
      │ (checks fail)  └──cancel──┐       └──cancel──► cancelled
      ▼                           ▼
    refused                   cancelled
    draft ──cancel──► cancelled

* apply: the enterprise's principal or safety officer (or an employee) drafts the permit;
* issue: the principal or safety officer; the service checks the operators' certificates
  and the gas analysis; a failing check ends in `refused` (REFUSE, with the reasons),
  not in an error: an unlicensed operator caught is a record, not a typo;
* start: the work begins (a fresh gas analysis where one is required);
* close: the work done and the site checked; cancel: before or during the work.

Parties: UNIT (the enterprise's principal or safety officer), STAFF (any of its staff).
"""

from __future__ import annotations

from dataclasses import dataclass

DRAFT = "draft"
ISSUED = "issued"
WORKING = "working"
CLOSED = "closed"
CANCELLED = "cancelled"
REFUSED = "refused"
STATES: tuple[str, ...] = (DRAFT, ISSUED, WORKING, CLOSED, CANCELLED, REFUSED)
OPEN: frozenset[str] = frozenset({DRAFT, ISSUED, WORKING})

APPLY = "apply"  # the first event (not a transition)
ISSUE = "issue"
REFUSE = "refuse"  # the outcome of ISSUE when a check fails
START = "start"
CLOSE = "close"
CANCEL = "cancel"
ANALYSE = "analyse"  # append a gas analysis (no state change)
ACTIONS: tuple[str, ...] = (ISSUE, START, CLOSE, CANCEL, ANALYSE)

UNIT = "unit"
STAFF = "staff"


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    parties: frozenset[str]


_UNIT = frozenset({UNIT})
_STAFF = frozenset({UNIT, STAFF})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(DRAFT, ISSUE, ISSUED, _UNIT),
    Transition(DRAFT, REFUSE, REFUSED, _UNIT),
    Transition(ISSUED, START, WORKING, _STAFF),
    Transition(WORKING, CLOSE, CLOSED, _UNIT),
    Transition(DRAFT, CANCEL, CANCELLED, _STAFF),
    Transition(ISSUED, CANCEL, CANCELLED, _UNIT),
    Transition(WORKING, CANCEL, CANCELLED, _UNIT),
    *(Transition(s, ANALYSE, s, _STAFF) for s in (DRAFT, ISSUED, WORKING)),
)
TABLE: dict[tuple[str, str], Transition] = {(t.source, t.action): t for t in TRANSITIONS}


def step(state: str, action: str) -> Transition | None:
    return TABLE.get((state, action))


def available(state: str, parties: frozenset[str]) -> list[str]:
    """The actions a user with `parties` may take now (REFUSE is ISSUE's outcome)."""
    return [
        t.action
        for t in TRANSITIONS
        if t.source == state and t.parties & parties and t.action != REFUSE
    ]

"""A drill's life as one table (like anjian.accidents.workflow). Pure: no Django import.

    (plan) ──► planned ──start──► running ──finish──► done ──evaluate──► evaluated
                  └──cancel──► cancelled
    (order) ─► ordered ──acknowledge──► ordered ──start──► running …
                  └──cancel (the regulator)──► cancelled

* plan: the enterprise plans a drill of its own (a service, not a transition);
* order: a regulator orders an unannounced drill (不打招呼); the clock runs from the order
  (a service, not a transition);
* acknowledge: the enterprise confirms it has the order (once; acknowledged_at);
* start, finish: the drill begins (started_at) and ends (ended_at, participants); an
  ordered drill may be started without a separate acknowledgement (the start answers
  the order);
* evaluate: the evaluation and its findings (notes, hazards, plan revision triggers);
* cancel: a planned drill by the enterprise; an ordered one only by the regulator side.

The parties: UNIT (the enterprise's principal or safety officer), AUTHORITY (a coordinator
or department officer whose division subtree holds the enterprise), ORDERER (AUTHORITY of
an unannounced drill: the side that ordered it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

PLANNED = "planned"
ORDERED = "ordered"
RUNNING = "running"
DONE = "done"
EVALUATED = "evaluated"
CANCELLED = "cancelled"
STATES: tuple[str, ...] = (PLANNED, ORDERED, RUNNING, DONE, EVALUATED, CANCELLED)

ACKNOWLEDGE = "acknowledge"
START = "start"
FINISH = "finish"
EVALUATE = "evaluate"
CANCEL = "cancel"
ACTIONS: tuple[str, ...] = (ACKNOWLEDGE, START, FINISH, EVALUATE, CANCEL)
# Not transitions: the first event of a drill.
PLAN = "plan"
ORDER = "order"

UNIT = "unit"
AUTHORITY = "authority"
ORDERER = "orderer"


@dataclass(frozen=True)
class Facts:
    acknowledged: bool = False


GUARDS: dict[str, Callable[[Facts], bool]] = {
    "always": lambda f: True,
    "not_acknowledged": lambda f: not f.acknowledged,
}


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    parties: frozenset[str]
    guard: str = "always"


_UNIT = frozenset({UNIT})
_UNIT_OR_ORDERER = frozenset({UNIT, ORDERER})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(ORDERED, ACKNOWLEDGE, ORDERED, _UNIT, "not_acknowledged"),
    Transition(PLANNED, START, RUNNING, _UNIT),
    Transition(ORDERED, START, RUNNING, _UNIT),
    Transition(RUNNING, FINISH, DONE, _UNIT),
    # The regulator who ordered a drill may evaluate it as well as the enterprise.
    Transition(DONE, EVALUATE, EVALUATED, _UNIT_OR_ORDERER),
    Transition(PLANNED, CANCEL, CANCELLED, _UNIT),
    Transition(ORDERED, CANCEL, CANCELLED, frozenset({ORDERER})),
)
TABLE: dict[tuple[str, str], Transition] = {(t.source, t.action): t for t in TRANSITIONS}


def step(state: str, action: str) -> Transition | None:
    return TABLE.get((state, action))


def available(state: str, facts: Facts, parties: frozenset[str]) -> list[str]:
    """The actions a user with `parties` may take now."""
    return [
        t.action
        for t in TRANSITIONS
        if t.source == state and t.parties & parties and GUARDS[t.guard](facts)
    ]


__all__ = [
    "ACKNOWLEDGE",
    "ACTIONS",
    "AUTHORITY",
    "CANCEL",
    "CANCELLED",
    "DONE",
    "EVALUATE",
    "EVALUATED",
    "FINISH",
    "GUARDS",
    "ORDER",
    "ORDERED",
    "ORDERER",
    "PLAN",
    "PLANNED",
    "RUNNING",
    "START",
    "STATES",
    "TABLE",
    "TRANSITIONS",
    "UNIT",
    "Facts",
    "Transition",
    "available",
    "step",
]

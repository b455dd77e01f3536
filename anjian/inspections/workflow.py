"""The inspection lifecycle as one table (like anjian.monitoring.workflow). Pure: no
Django import.

    planned ──start──► in_progress ──conclude──► concluded
       └──cancel──► cancelled

* start (到达现场): one of the inspection's inspectors, on site, and only with at least
  two inspectors — 《行政处罚法》(2021) 第四十二条 "执法人员不得少于两人" (article
  number from memory as in draw.py: UNCONFIRMED against the text; the two-person rule
  itself was found in stored pages);
* conclude: one of its inspectors, with the signatures;
* cancel: before it starts, by one of its inspectors or an officer of its department.
Findings are recorded while in progress, by its inspectors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

PLANNED = "planned"
IN_PROGRESS = "in_progress"
CONCLUDED = "concluded"
CANCELLED = "cancelled"
STATES: tuple[str, ...] = (PLANNED, IN_PROGRESS, CONCLUDED, CANCELLED)

START = "start"
CONCLUDE = "conclude"
CANCEL = "cancel"
ACTIONS: tuple[str, ...] = (START, CONCLUDE, CANCEL)
# Not a state change: an event of its own kind in the history.
FINDING = "finding"
PLAN = "plan"

MIN_INSPECTORS = 2  # 行政处罚法 第四十二条 (UNCONFIRMED number, see above)

# Parties: who a user is for one inspection (the services add the relation).
INSPECTOR = "inspector"  # listed as one of its inspectors
DEPARTMENT_OFFICER = "department_officer"  # officer of its lead or a participating department


@dataclass(frozen=True)
class Facts:
    inspectors: int


GUARDS: dict[str, Callable[[Facts], bool]] = {
    "always": lambda f: True,
    "two_inspectors": lambda f: f.inspectors >= MIN_INSPECTORS,
}


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    parties: frozenset[str]
    guard: str = "always"


TRANSITIONS: tuple[Transition, ...] = (
    Transition(PLANNED, START, IN_PROGRESS, frozenset({INSPECTOR}), "two_inspectors"),
    Transition(IN_PROGRESS, CONCLUDE, CONCLUDED, frozenset({INSPECTOR}), "two_inspectors"),
    Transition(PLANNED, CANCEL, CANCELLED, frozenset({INSPECTOR, DEPARTMENT_OFFICER})),
)
TABLE: dict[tuple[str, str], Transition] = {(t.source, t.action): t for t in TRANSITIONS}


def step(state: str, action: str) -> Transition | None:
    return TABLE.get((state, action))


def available(state: str, facts: Facts, parties: frozenset[str]) -> list[str]:
    return [
        t.action
        for t in TRANSITIONS
        if t.source == state and t.parties & parties and GUARDS[t.guard](facts)
    ]


__all__ = [
    "ACTIONS",
    "CANCEL",
    "CANCELLED",
    "CONCLUDE",
    "CONCLUDED",
    "DEPARTMENT_OFFICER",
    "INSPECTOR",
    "IN_PROGRESS",
    "MIN_INSPECTORS",
    "PLANNED",
    "START",
    "STATES",
    "TABLE",
    "TRANSITIONS",
    "Facts",
    "available",
    "step",
]

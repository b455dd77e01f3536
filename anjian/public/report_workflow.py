"""A whistleblower report's life as one table (like anjian.accidents.workflow). Pure.

    received ──triage──► triaged ──verify──► verifying ──conclude──► concluded
        │                  │                                          │
        └──duplicate──►  duplicate ◄──duplicate                   reward──► reward_decided ──pay──► paid

* triage: assign the handling department (the coordinator, or an officer of it);
* duplicate: the same matter as an earlier report: linked, closed, no reward;
* verify: a hazard, inspection or accident linked (or a hazard created);
* conclude: substantiated or not, with reasons;
* reward: only a substantiated report of a rewarded matter (standards.md A9);
* pay: the payment reference;
* extend: once, while open (60 + up to 30 days: the 2012 text; 2018 UNCONFIRMED);
* message: a question to the reporter, while not closed.

Parties: HANDLER (a coordinator of the report's division subtree, or — once a department
is assigned — that department's officers; before that any department officer in scope).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

RECEIVED = "received"
TRIAGED = "triaged"
DUPLICATE = "duplicate"
VERIFYING = "verifying"
CONCLUDED = "concluded"
REWARD_DECIDED = "reward_decided"
PAID = "paid"
STATES = (RECEIVED, TRIAGED, DUPLICATE, VERIFYING, CONCLUDED, REWARD_DECIDED, PAID)
OPEN_STATES = frozenset({RECEIVED, TRIAGED, VERIFYING})

TRIAGE = "triage"
MARK_DUPLICATE = "duplicate"
VERIFY = "verify"
CONCLUDE = "conclude"
REWARD = "reward"
PAY = "pay"
EXTEND = "extend"
MESSAGE = "message"
ACTIONS = (TRIAGE, MARK_DUPLICATE, VERIFY, CONCLUDE, REWARD, PAY, EXTEND, MESSAGE)
# Not transitions: the first event, the reporter's answer, naming oneself, a reveal.
SUBMIT = "submit"
ANSWER = "answer"
IDENTIFY = "identify"
REVEAL = "reveal"
REMIND = "remind"
OVERDUE = "overdue"

HANDLER = "handler"
REWARDED_MATTERS = frozenset({"major_hazard", "violation", "concealed_accident"})


@dataclass(frozen=True)
class Facts:
    extended: bool = False
    substantiated: bool = False
    rewardable_matter: bool = False


GUARDS: dict[str, Callable[[Facts], bool]] = {
    "always": lambda f: True,
    "not_extended": lambda f: not f.extended,
    "rewardable": lambda f: f.substantiated and f.rewardable_matter,
}


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    guard: str = "always"


TRANSITIONS: tuple[Transition, ...] = (
    Transition(RECEIVED, TRIAGE, TRIAGED),
    Transition(RECEIVED, MARK_DUPLICATE, DUPLICATE),
    Transition(TRIAGED, MARK_DUPLICATE, DUPLICATE),
    Transition(TRIAGED, VERIFY, VERIFYING),
    Transition(VERIFYING, VERIFY, VERIFYING),  # a further link
    Transition(VERIFYING, CONCLUDE, CONCLUDED),
    Transition(CONCLUDED, REWARD, REWARD_DECIDED, "rewardable"),
    Transition(REWARD_DECIDED, PAY, PAID),
    *(Transition(s, EXTEND, s, "not_extended") for s in (RECEIVED, TRIAGED, VERIFYING)),
    *(Transition(s, MESSAGE, s) for s in (RECEIVED, TRIAGED, VERIFYING, CONCLUDED)),
)
TABLE: dict[tuple[str, str], Transition] = {(t.source, t.action): t for t in TRANSITIONS}


def step(state: str, action: str) -> Transition | None:
    return TABLE.get((state, action))


def allowed(state: str, action: str, facts: Facts) -> bool:
    t = step(state, action)
    return bool(t and GUARDS[t.guard](facts))


def available(state: str, facts: Facts) -> list[str]:
    return [t.action for t in TRANSITIONS if t.source == state and GUARDS[t.guard](facts)]

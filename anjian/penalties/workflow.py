"""The penalty decision and the suspension order as transition tables (like
anjian.inspections.workflow). Pure: no Django import.

Penalty (行政处罚决定)::

    draft ──notify──► noticed ──decide──► decided ──execute──► executed
                                             └──revoke──► revoked ◄──revoke──┘

* notify (行政处罚告知): the party is told the facts, basis and its rights;
* decide: the decision is made; a FINE first passes the no-double-fine check (行政处罚法
  第二十九条, anjian.inspections.penalties.find_double_penalty) in the service;
* execute: carried out (fine paid, measure served); revoke: set aside (撤销/确认无效) —
  a revoked fine no longer blocks another, and a listing resting on it may be revoked.

Suspension order (责令停产停业整顿) with the resume-production review (复产验收)::

    ordered ──rectify──► rectifying ──request_review──► review_requested ──resume──► resumed
                            ▲                                 └──extend──► extended
                            └──────────── (extended) request_review ───────────┘

The enterprise (or the department for it) starts rectifying and asks for the review; the
department reviews: resumed (final) or extended (rectify longer, then ask again).
"""

from __future__ import annotations

from dataclasses import dataclass

# --- parties ------------------------------------------------------------------------------

DEPARTMENT = "department"  # an officer of the deciding department
SUBJECT = "subject"  # staff of the enterprise the measure is on

# --- penalty ------------------------------------------------------------------------------

DRAFT = "draft"
NOTICED = "noticed"
DECIDED = "decided"
EXECUTED = "executed"
REVOKED = "revoked"
PENALTY_STATES: tuple[str, ...] = (DRAFT, NOTICED, DECIDED, EXECUTED, REVOKED)
# Decisions in force: they count against a second fine.
IN_FORCE: frozenset[str] = frozenset({DECIDED, EXECUTED})

NOTIFY = "notify"
DECIDE = "decide"
EXECUTE = "execute"
REVOKE = "revoke"
PENALTY_ACTIONS: tuple[str, ...] = (NOTIFY, DECIDE, EXECUTE, REVOKE)

# --- suspension ---------------------------------------------------------------------------

ORDERED = "ordered"
RECTIFYING = "rectifying"
REVIEW_REQUESTED = "review_requested"
RESUMED = "resumed"
EXTENDED = "extended"
SUSPENSION_STATES: tuple[str, ...] = (ORDERED, RECTIFYING, REVIEW_REQUESTED, RESUMED, EXTENDED)

RECTIFY = "rectify"
REQUEST_REVIEW = "request_review"
RESUME = "resume"
EXTEND = "extend"
SUSPENSION_ACTIONS: tuple[str, ...] = (RECTIFY, REQUEST_REVIEW, RESUME, EXTEND)


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    parties: frozenset[str]


_DEPT = frozenset({DEPARTMENT})
_BOTH = frozenset({DEPARTMENT, SUBJECT})

PENALTY_TRANSITIONS: tuple[Transition, ...] = (
    Transition(DRAFT, NOTIFY, NOTICED, _DEPT),
    Transition(NOTICED, DECIDE, DECIDED, _DEPT),
    Transition(DECIDED, EXECUTE, EXECUTED, _DEPT),
    Transition(DECIDED, REVOKE, REVOKED, _DEPT),
    Transition(EXECUTED, REVOKE, REVOKED, _DEPT),
)
SUSPENSION_TRANSITIONS: tuple[Transition, ...] = (
    Transition(ORDERED, RECTIFY, RECTIFYING, _BOTH),
    Transition(RECTIFYING, REQUEST_REVIEW, REVIEW_REQUESTED, _BOTH),
    Transition(EXTENDED, REQUEST_REVIEW, REVIEW_REQUESTED, _BOTH),
    Transition(REVIEW_REQUESTED, RESUME, RESUMED, _DEPT),
    Transition(REVIEW_REQUESTED, EXTEND, EXTENDED, _DEPT),
)
PENALTY_TABLE = {(t.source, t.action): t for t in PENALTY_TRANSITIONS}
SUSPENSION_TABLE = {(t.source, t.action): t for t in SUSPENSION_TRANSITIONS}


def step(table: dict[tuple[str, str], Transition], state: str, action: str) -> Transition | None:
    return table.get((state, action))


def available(
    table: dict[tuple[str, str], Transition], state: str, parties: frozenset[str]
) -> list[str]:
    return [
        t.action for (source, _a), t in table.items() if source == state and t.parties & parties
    ]

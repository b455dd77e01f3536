"""An exposure board entry's life (曝光台, issue 15 item 3) as one table. Pure: no Django
import.

    proposed ──approve──► approved ──publish──► published ──withdraw──► withdrawn
        └──reject──► rejected

* propose: the service creates the entry in `proposed` (not a transition): a department
  officer or a coordinator whose scope holds the hazard, penalty or accident that grounds
  it;
* approve / reject: a coordinator (安委办) of the enterprise's jurisdiction who is NOT
  the proposer (four eyes); a rejection gives its reason;
* publish: a coordinator of the jurisdiction (the approver may publish);
* withdraw: a coordinator of the jurisdiction, with a reason (the matter was remedied, the
  ground was revoked, an error). A withdrawn entry leaves the public list; its public page
  says only that the entry was withdrawn and when, without enterprise or summary.

The parties: PROPOSER (who proposed it) and JURISDICTION (a coordinator whose division
subtree holds the enterprise). The four-eyes rule is the guard `not_proposer`.
"""

from __future__ import annotations

from dataclasses import dataclass

PROPOSED = "proposed"
APPROVED = "approved"
REJECTED = "rejected"
PUBLISHED = "published"
WITHDRAWN = "withdrawn"
STATES: tuple[str, ...] = (PROPOSED, APPROVED, REJECTED, PUBLISHED, WITHDRAWN)
# What the public sees: the list and the page show published entries only.
PUBLIC_STATES: tuple[str, ...] = (PUBLISHED,)
# An entry that still stands (a ground may be proposed again only when none stands).
LIVE_STATES: tuple[str, ...] = (PROPOSED, APPROVED, PUBLISHED)

PROPOSE = "propose"  # not a transition: the first event
APPROVE = "approve"
REJECT = "reject"
PUBLISH = "publish"
WITHDRAW = "withdraw"
ACTIONS: tuple[str, ...] = (APPROVE, REJECT, PUBLISH, WITHDRAW)
# Actions that need a written reason.
NEEDS_REASON = frozenset({REJECT, WITHDRAW})

PROPOSER = "proposer"
JURISDICTION = "jurisdiction"


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    parties: frozenset[str]
    # The actor must not be the proposer (approval by a second person).
    not_proposer: bool = False


_JUR = frozenset({JURISDICTION})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(PROPOSED, APPROVE, APPROVED, _JUR, not_proposer=True),
    Transition(PROPOSED, REJECT, REJECTED, _JUR, not_proposer=True),
    Transition(APPROVED, PUBLISH, PUBLISHED, _JUR),
    Transition(PUBLISHED, WITHDRAW, WITHDRAWN, _JUR),
)


def step(state: str, action: str) -> Transition | None:
    """The transition `action` takes from `state`, or None (an illegal step)."""
    for found in TRANSITIONS:
        if found.source == state and found.action == action:
            return found
    return None


def allowed(found: Transition, parties: frozenset[str]) -> bool:
    """May someone who is `parties` take this step? (PROPOSER in parties and
    not_proposer: no, whatever else they are.)"""
    if not found.parties & parties:
        return False
    return not (found.not_proposer and PROPOSER in parties)


def available(state: str, parties: frozenset[str]) -> list[str]:
    """The actions someone who is `parties` may take now, in table order."""
    return [t.action for t in TRANSITIONS if t.source == state and allowed(t, parties)]

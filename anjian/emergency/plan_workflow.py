"""An emergency plan's life as one table (like anjian.accidents.workflow). Pure: no
Django import. Rules: standards.md A10 (《生产安全事故应急预案管理办法》).

    draft ──sign──► issued ──submit──► submitted ──file──► filed
                                           │  ▲
                                     return│  │submit
                                           ▼  │
                                         returned
    (a version in force) ──revise──► a new draft version; signing it supersedes the old

* edit: the draft's content, by the unit;
* sign: the principal signs and issues (第二十四条); the filing clock starts (第二十六条);
* submit: for filing (备案) with a regulator, by the principal or the safety officer;
* file / return: the filing department's officer or the coordinator of that division
  (materials missing are told all at once, 一次性告知); no answer within 5 working days
  and the plan counts as filed (the job, not a transition of a user);
* revise: a new version (第三十六条), once per version; evaluate: the 3-year evaluation
  (第三十五条); trigger: a reason to revise is raised (by the unit or a regulator), on
  any version: the triggers of a series are answered by the next version signed.

The parties: PRINCIPAL (the enterprise's principal), UNIT (its principal or safety
officer), FILER (the filing department's officer or the coordinator over the filing
division), REGULATOR (any regulator who sees the plan).
"""

from __future__ import annotations

from dataclasses import dataclass

DRAFT = "draft"
ISSUED = "issued"
SUBMITTED = "submitted"
RETURNED = "returned"
FILED = "filed"
SUPERSEDED = "superseded"
STATES: tuple[str, ...] = (DRAFT, ISSUED, SUBMITTED, RETURNED, FILED, SUPERSEDED)
# A version that is the plan in force (signed, not yet replaced).
IN_FORCE: frozenset[str] = frozenset({ISSUED, SUBMITTED, RETURNED, FILED})

EDIT = "edit"
SIGN = "sign"
SUBMIT = "submit"
FILE = "file"
RETURN = "return"
REVISE = "revise"
EVALUATE = "evaluate"
TRIGGER = "trigger"
ACTIONS: tuple[str, ...] = (EDIT, SIGN, SUBMIT, FILE, RETURN, REVISE, EVALUATE, TRIGGER)
# Not transitions of a user: the first event of every version, the job's deemed filing
# and the old version's replacement when the new one is signed.
CREATE = "create"
DEEM_FILED = "deem_filed"
SUPERSEDE = "supersede"

PRINCIPAL = "principal"
UNIT = "unit"
FILER = "filer"
REGULATOR = "regulator"


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    parties: frozenset[str]


_PRINCIPAL = frozenset({PRINCIPAL})
_UNIT = frozenset({UNIT})
_FILER = frozenset({FILER})
_UNIT_OR_REGULATOR = frozenset({UNIT, REGULATOR, FILER})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(DRAFT, EDIT, DRAFT, _UNIT),
    Transition(DRAFT, SIGN, ISSUED, _PRINCIPAL),
    Transition(ISSUED, SUBMIT, SUBMITTED, _UNIT),
    Transition(RETURNED, SUBMIT, SUBMITTED, _UNIT),
    Transition(SUBMITTED, FILE, FILED, _FILER),
    Transition(SUBMITTED, RETURN, RETURNED, _FILER),
    *(Transition(s, REVISE, s, _UNIT) for s in (ISSUED, SUBMITTED, RETURNED, FILED)),
    *(Transition(s, EVALUATE, s, _UNIT) for s in (ISSUED, SUBMITTED, RETURNED, FILED)),
    # A trigger raised on an old version (a drill of the version then in force) counts
    # for the series: it is answered by the next version signed.
    *(Transition(s, TRIGGER, s, _UNIT_OR_REGULATOR) for s in STATES),
)
TABLE: dict[tuple[str, str], Transition] = {(t.source, t.action): t for t in TRANSITIONS}


def step(state: str, action: str) -> Transition | None:
    return TABLE.get((state, action))


def available(state: str, parties: frozenset[str], *, revised: bool = False) -> list[str]:
    """The actions a user with `parties` may take now; `revised`: a next version of this
    one exists already (a version is revised once)."""
    out = []
    for t in TRANSITIONS:
        if t.source != state or not t.parties & parties:
            continue
        if t.action == REVISE and revised:
            continue
        out.append(t.action)
    return out

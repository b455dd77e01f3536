"""The hazard workflow (隐患排查治理闭环) as one table. Pure: no Django import, so the
pages, the API, the CLI and the tests read the same rules.

A row is (from state, action) → (to state, parties allowed, guard). The services resolve
*parties* (who the user is in relation to this hazard: the enterprise's principal, the
lead department's officer, the authority that listed it …) and evaluate the *guard*
(a predicate on the hazard row: general or major, fixed on the spot, …). Data checks
(the five fixes, evidence, reasons) belong to the action and are done by the service.

General hazard:  reported → fixes_set → rectifying → submitted → closed
                                            ↑______reject______|
                 reported → closed directly when fixed on the spot (with an "after" photo)
Major hazard:    reported → confirmed (expert) → listed (挂牌督办) → fixes_set (with the
                 remediation plan) → rectifying → submitted → closed (on-site review by
                 the listing authority) → accountability review (a record; stays closed)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

# --- states ------------------------------------------------------------------------------

START = "new"  # before the hazard exists; only "report" leaves it, and it is never stored
REPORTED = "reported"
CONFIRMED = "confirmed"  # major: an expert confirmed the determination
LISTED = "listed"  # major: listed for government supervision (挂牌督办)
FIXES_SET = "fixes_set"  # the five fixes (五定) are set
RECTIFYING = "rectifying"
SUBMITTED = "submitted"  # submitted for acceptance (general) or on-site review (major)
CLOSED = "closed"  # accepted and closed (验收销号 / 核销)

STATES: tuple[str, ...] = (REPORTED, CONFIRMED, LISTED, FIXES_SET, RECTIFYING, SUBMITTED, CLOSED)
OPEN_STATES: tuple[str, ...] = tuple(s for s in STATES if s != CLOSED)

# Levels and handling types, as stored (t_yhzlxx DANGER_LEVEL, DANGER_MANAGE_TYPE).
GENERAL, MAJOR = "general", "major"
ON_SPOT, BY_DEADLINE = "on_spot", "deadline"

# --- actions -----------------------------------------------------------------------------

REPORT = "report"
FIX_ON_SPOT = "fix_on_spot"
SET_FIVE_FIXES = "set_five_fixes"
START_RECTIFICATION = "start"
SUBMIT = "submit"
ACCEPT = "accept"
REJECT = "reject"
MAKE_MAJOR = "make_major"
CONFIRM_MAJOR = "confirm_major"
DISMISS_MAJOR = "dismiss_major"
LIST = "list"
REVIEW_PASS = "review_pass"  # noqa: S105 - an action name, not a password
REVIEW_FAIL = "review_fail"
ACCOUNTABILITY_REVIEW = "accountability_review"

ACTIONS: tuple[str, ...] = (
    REPORT,
    FIX_ON_SPOT,
    MAKE_MAJOR,
    CONFIRM_MAJOR,
    DISMISS_MAJOR,
    LIST,
    SET_FIVE_FIXES,
    START_RECTIFICATION,
    SUBMIT,
    ACCEPT,
    REJECT,
    REVIEW_PASS,
    REVIEW_FAIL,
    ACCOUNTABILITY_REVIEW,
)

# --- parties: who a user is in relation to one hazard ------------------------------------

ENTERPRISE_MANAGER = "enterprise_manager"  # principal or safety officer of its enterprise
ENTERPRISE_STAFF = "enterprise_staff"  # any staff of its enterprise (employees included)
INSPECTOR = "inspector"  # any regulator whose scope covers the enterprise
COORDINATOR = "coordinator"  # 安委办 whose jurisdiction covers the enterprise
LEAD_OFFICER = "lead_officer"  # officer of the enterprise's lead department
GRID_OFFICER = "grid_officer"  # grid officer whose grid covers the enterprise
EXPERT = "expert"  # expert whose jurisdiction covers the enterprise
LISTING_AUTHORITY = "listing_authority"  # the body that listed the hazard (挂牌督办)

# The roles (anjian.accounts.models.Role values) that can ever be each party; the
# services add the relation (same enterprise, lead department, same listing body …).
PARTY_ROLES: dict[str, frozenset[str]] = {
    ENTERPRISE_MANAGER: frozenset({"enterprise_principal", "enterprise_safety_officer"}),
    ENTERPRISE_STAFF: frozenset(
        {"enterprise_principal", "enterprise_safety_officer", "enterprise_employee"}
    ),
    INSPECTOR: frozenset({"coordinator", "department_officer", "grid_officer", "expert"}),
    COORDINATOR: frozenset({"coordinator"}),
    LEAD_OFFICER: frozenset({"department_officer"}),
    GRID_OFFICER: frozenset({"grid_officer"}),
    EXPERT: frozenset({"expert"}),
    LISTING_AUTHORITY: frozenset({"coordinator", "department_officer"}),
}

# --- guards: predicates on the hazard row ------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the guards look at, taken from the hazard row by the service."""

    level: str
    handling: str
    reviewed: bool = False  # a closed major hazard already has its accountability review


GUARDS: dict[str, Callable[[Facts], bool]] = {
    "always": lambda f: True,
    "general": lambda f: f.level == GENERAL,
    "major": lambda f: f.level == MAJOR,
    # Only a general hazard handled on the spot may skip the five fixes.
    "general_on_spot": lambda f: f.level == GENERAL and f.handling == ON_SPOT,
    # One accountability review per closed major hazard.
    "major_not_reviewed": lambda f: f.level == MAJOR and not f.reviewed,
}

# --- the table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    parties: frozenset[str]
    guard: str = "always"
    needs: str = ""  # what the step's data must carry (for the table and the pages)


def _t(
    source: str, action: str, target: str, parties: Iterable[str], guard: str, needs: str
) -> Transition:
    return Transition(source, action, target, frozenset(parties), guard, needs)


_REPORTERS = (ENTERPRISE_STAFF, INSPECTOR)
_ACCEPTORS = (LEAD_OFFICER, COORDINATOR, GRID_OFFICER)
_DECIDERS = (LEAD_OFFICER, COORDINATOR)  # who may decide a hazard is major, and list it

TRANSITIONS: tuple[Transition, ...] = (
    _t(
        START,
        REPORT,
        REPORTED,
        _REPORTERS,
        "always",
        "description, type, category, source, handling; a list item makes it major",
    ),
    _t(
        REPORTED,
        FIX_ON_SPOT,
        CLOSED,
        [ENTERPRISE_MANAGER],
        "general_on_spot",
        "at least one 'after' photo (this step or earlier)",
    ),
    _t(
        REPORTED,
        MAKE_MAJOR,
        REPORTED,
        _DECIDERS,
        "general",
        "reason (officer's decision); optionally a list item",
    ),
    _t(
        FIXES_SET,
        MAKE_MAJOR,
        REPORTED,
        _DECIDERS,
        "general",
        "reason; the major path starts again",
    ),
    _t(
        RECTIFYING,
        MAKE_MAJOR,
        REPORTED,
        _DECIDERS,
        "general",
        "reason; the major path starts again",
    ),
    _t(
        SUBMITTED,
        MAKE_MAJOR,
        REPORTED,
        _DECIDERS,
        "general",
        "reason; the major path starts again",
    ),
    _t(REPORTED, CONFIRM_MAJOR, CONFIRMED, [EXPERT], "major", "expert opinion"),
    _t(REPORTED, DISMISS_MAJOR, REPORTED, [EXPERT], "major", "reason; becomes general"),
    _t(CONFIRMED, LIST, LISTED, _DECIDERS, "major", "deadline, public notice text"),
    _t(
        REPORTED,
        SET_FIVE_FIXES,
        FIXES_SET,
        [ENTERPRISE_MANAGER],
        "general",
        "owner, measures, funds, deadline, contingency plan",
    ),
    _t(
        LISTED,
        SET_FIVE_FIXES,
        FIXES_SET,
        [ENTERPRISE_MANAGER],
        "major",
        "the five fixes and the six-part remediation plan",
    ),
    _t(FIXES_SET, START_RECTIFICATION, RECTIFYING, [ENTERPRISE_MANAGER], "always", ""),
    _t(
        RECTIFYING,
        SUBMIT,
        SUBMITTED,
        [ENTERPRISE_MANAGER],
        "always",
        "evidence note and an 'after' photo, or an explicit reason for no photo",
    ),
    _t(SUBMITTED, ACCEPT, CLOSED, _ACCEPTORS, "general", "optional comment"),
    _t(SUBMITTED, REJECT, RECTIFYING, _ACCEPTORS, "general", "reasons"),
    _t(SUBMITTED, REVIEW_PASS, CLOSED, [LISTING_AUTHORITY], "major", "on-site review findings"),
    _t(SUBMITTED, REVIEW_FAIL, RECTIFYING, [LISTING_AUTHORITY], "major", "reasons"),
    _t(
        CLOSED,
        ACCOUNTABILITY_REVIEW,
        CLOSED,
        [COORDINATOR],
        "major_not_reviewed",
        "findings, persons held accountable, date",
    ),
)

TABLE: dict[tuple[str, str], Transition] = {(t.source, t.action): t for t in TRANSITIONS}
if len(TABLE) != len(TRANSITIONS):  # pragma: no cover - a typo in the table above
    raise RuntimeError("duplicate (state, action) in the hazard workflow")


def transition(state: str, action: str) -> Transition | None:
    return TABLE.get((state, action))


def transitions_from(state: str) -> tuple[Transition, ...]:
    return tuple(t for t in TRANSITIONS if t.source == state)


def states_with(action: str) -> tuple[str, ...]:
    """The states in which `action` exists at all (for "cannot X while Y" messages)."""
    return tuple(t.source for t in TRANSITIONS if t.action == action)


def guard_passes(name: str, facts: Facts) -> bool:
    return GUARDS[name](facts)


def available(state: str, facts: Facts, parties: Iterable[str]) -> tuple[Transition, ...]:
    """The steps a user who is these parties may take now on a hazard in this state."""
    mine = frozenset(parties)
    return tuple(
        t for t in transitions_from(state) if t.parties & mine and guard_passes(t.guard, facts)
    )


def reachable(start: str = START) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        state = todo.pop()
        for t in transitions_from(state):
            if t.target not in seen:
                seen.add(t.target)
                todo.append(t.target)
    return seen


def rows() -> list[tuple[str, str, str, str, str, str]]:
    """The table as text rows (from, action, to, parties, guard, needs) for docs and pages."""
    return [
        (t.source, t.action, t.target, ", ".join(sorted(t.parties)), t.guard, t.needs)
        for t in TRANSITIONS
    ]

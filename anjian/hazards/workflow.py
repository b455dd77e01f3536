"""The hazard workflow (隐患排查治理闭环) as one table. Pure: no Django import, so the
pages, the API, the CLI and the tests read the same rules.

A row is (from state, action) → (to state, parties allowed, guard). The services resolve
*parties* (who the user is in relation to this hazard: the enterprise's principal, the
lead department's officer, the authority that reviews it …) and evaluate the *guard*
(a predicate on the hazard row: general or major, listed, stopped by an order …). Data
checks (the five fixes, evidence, reasons) belong to the action and are done by the
service.

The rules each row follows (docs/hazard-rules.md has the article-by-article table):

General hazard (一般事故隐患, 16号令 第三条): the enterprise remedies it at once (第十五条
第一款) and, when it found the hazard itself, accepts it itself — the national table
t_yhzlxx keeps the enterprise's own acceptor (CHECK_ACCEPT_PERSON):
    reported → fixes_set → rectifying → submitted → closed (accepted by the enterprise)
    reported → closed directly when fixed on the spot (with an "after" photo)
A hazard found by a government inspection, or one a regulator ordered rectified (整改
指令, 安全生产法 第六十五条), is reviewed (整改复查) by that department instead: the
*review authority*. Regulators see everything in scope, sample closed hazards (回头看)
and may reopen one.

Major hazard (重大事故隐患): reported at once to the supervising department with its
state and causes, harm and difficulty, and the remediation plan (16号令 第十四条), and to
the workers' congress (安全生产法 第四十一条); the principal makes and carries out the
six-part plan without waiting (第十五条第二款):
    reported → fixes_set (the plan) → rectifying → submitted → closed
Where safety cannot be ensured meanwhile, people are withdrawn and production or use of
the affected part stops (第十六条): the state "suspended". A stop the enterprise decided
itself ends when it resumes; a stop ordered by a regulator, or any stop of a listed
hazard, ends only through
    suspended → evaluated (评估, 第十八条) → resume_applied (书面申请) → closed (现场审查
    within 10 days and 核销, 第二十三条)
Listing for supervision (挂牌督办, 第二十条), an order (整改指令书), an expert's opinion
and the report to the workers' congress are steps in parallel: they change no state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

# --- states ------------------------------------------------------------------------------

START = "new"  # before the hazard exists; only "report" leaves it, and it is never stored
REPORTED = "reported"
FIXES_SET = "fixes_set"  # the five fixes (五定) are set; for a major hazard the plan too
RECTIFYING = "rectifying"
SUSPENDED = "suspended"  # major: production or use of the affected part stopped (第十六条)
EVALUATED = "evaluated"  # major, stopped: the remedy was evaluated (第十八条)
RESUME_APPLIED = "resume_applied"  # major, stopped: written application to resume filed
SUBMITTED = "submitted"  # submitted for acceptance or review
CLOSED = "closed"  # accepted and closed (验收销号 / 核销)

STATES: tuple[str, ...] = (
    REPORTED,
    FIXES_SET,
    RECTIFYING,
    SUSPENDED,
    EVALUATED,
    RESUME_APPLIED,
    SUBMITTED,
    CLOSED,
)
OPEN_STATES: tuple[str, ...] = tuple(s for s in STATES if s != CLOSED)
# States of earlier versions, folded into REPORTED by migration 0007 (an expert's
# confirmation and the listing are parallel steps now, not gates).
RETIRED_STATES: dict[str, str] = {"confirmed": REPORTED, "listed": REPORTED}

# Levels and handling types, as stored (t_yhzlxx DANGER_LEVEL, DANGER_MANAGE_TYPE).
GENERAL, MAJOR = "general", "major"
ON_SPOT, BY_DEADLINE = "on_spot", "deadline"

# --- actions -----------------------------------------------------------------------------

REPORT = "report"
FIX_ON_SPOT = "fix_on_spot"
SET_FIVE_FIXES = "set_five_fixes"
SET_PLAN = "set_plan"  # major: the principal's six-part remediation plan with the five fixes
START_RECTIFICATION = "start"
SUBMIT = "submit"
ACCEPT = "accept"
REJECT = "reject"
MAKE_MAJOR = "make_major"
CONFIRM_MAJOR = "confirm_major"
DISMISS_MAJOR = "dismiss_major"
ORDER = "order"  # a regulator orders rectification (整改指令书) and so reviews it
LIST = "list"
REPORT_TO_WORKERS = "report_to_workers"  # 职工大会或者职工代表大会
SUSPEND = "suspend"  # 停产停业 / 停止使用
RESUME = "resume"  # the enterprise ends a stop it decided itself
EVALUATE = "evaluate"  # 评估 of the remedy of a stopped hazard
APPLY_RESUME = "apply_resume"  # written application to resume production
REVIEW_PASS = "review_pass"  # noqa: S105 - an action name, not a password
REVIEW_FAIL = "review_fail"
REOPEN = "reopen"
ACCOUNTABILITY_REVIEW = "accountability_review"

ACTIONS: tuple[str, ...] = (
    REPORT,
    FIX_ON_SPOT,
    MAKE_MAJOR,
    CONFIRM_MAJOR,
    DISMISS_MAJOR,
    ORDER,
    LIST,
    REPORT_TO_WORKERS,
    SET_FIVE_FIXES,
    SET_PLAN,
    SUSPEND,
    START_RECTIFICATION,
    SUBMIT,
    ACCEPT,
    REJECT,
    RESUME,
    EVALUATE,
    APPLY_RESUME,
    REVIEW_PASS,
    REVIEW_FAIL,
    REOPEN,
    ACCOUNTABILITY_REVIEW,
)

# --- parties: who a user is in relation to one hazard ------------------------------------

ENTERPRISE_MANAGER = "enterprise_manager"  # principal or safety officer of its enterprise
ENTERPRISE_PRINCIPAL = "enterprise_principal"  # principal (主要负责人) of its enterprise
ENTERPRISE_STAFF = "enterprise_staff"  # any staff of its enterprise (employees included)
# The enterprise's acceptor of a hazard it accepts itself (no review authority): its
# managers; for a major hazard its principal only.
ENTERPRISE_ACCEPTOR = "enterprise_acceptor"
INSPECTOR = "inspector"  # any regulator whose scope covers the enterprise
COORDINATOR = "coordinator"  # 安委办 whose jurisdiction covers the enterprise
LEAD_OFFICER = "lead_officer"  # officer of the enterprise's lead department
GRID_OFFICER = "grid_officer"  # grid officer whose grid covers the enterprise
EXPERT = "expert"  # expert whose jurisdiction covers the enterprise
# The body that found the hazard on an inspection, ordered it rectified or listed it:
# it reviews the rectification (整改复查 / 现场审查).
REVIEW_AUTHORITY = "review_authority"

# The roles (anjian.accounts.models.Role values) that can ever be each party; the
# services add the relation (same enterprise, lead department, the reviewing body …).
PARTY_ROLES: dict[str, frozenset[str]] = {
    ENTERPRISE_MANAGER: frozenset({"enterprise_principal", "enterprise_safety_officer"}),
    ENTERPRISE_PRINCIPAL: frozenset({"enterprise_principal"}),
    ENTERPRISE_STAFF: frozenset(
        {"enterprise_principal", "enterprise_safety_officer", "enterprise_employee"}
    ),
    ENTERPRISE_ACCEPTOR: frozenset({"enterprise_principal", "enterprise_safety_officer"}),
    INSPECTOR: frozenset({"coordinator", "department_officer", "grid_officer", "expert"}),
    COORDINATOR: frozenset({"coordinator"}),
    LEAD_OFFICER: frozenset({"department_officer"}),
    GRID_OFFICER: frozenset({"grid_officer"}),
    EXPERT: frozenset({"expert"}),
    REVIEW_AUTHORITY: frozenset({"coordinator", "department_officer", "grid_officer"}),
}

# --- guards: predicates on the hazard row ------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the guards look at, taken from the hazard row by the service."""

    level: str
    handling: str
    reviewed: bool = False  # a closed major hazard already has its accountability review
    confirmed: bool = False  # an expert confirmed the major determination
    listed: bool = False  # listed for supervision (挂牌督办)
    planned: bool = False  # the six-part remediation plan is set
    has_authority: bool = False  # a regulator reviews it (found, ordered or listed)
    stop_ordered: bool = False  # the stop was ordered by a regulator


def _major(f: Facts) -> bool:
    return f.level == MAJOR


def _regulator_stop(f: Facts) -> bool:
    """A stop that only a regulator's on-site review ends (安全生产法 第六十五条, 16号令
    第十八条, 第二十三条)."""
    return f.stop_ordered or f.listed


GUARDS: dict[str, Callable[[Facts], bool]] = {
    "always": lambda f: True,
    "general": lambda f: f.level == GENERAL,
    "major": _major,
    # Only a general hazard handled on the spot may skip the five fixes.
    "general_on_spot": lambda f: f.level == GENERAL and f.handling == ON_SPOT,
    # One accountability review per closed major hazard.
    "major_not_reviewed": lambda f: _major(f) and not f.reviewed,
    "major_unconfirmed": lambda f: _major(f) and not f.confirmed,
    # An expert may not undo a listing: the listing body decided.
    "major_not_listed": lambda f: _major(f) and not f.listed,
    "major_without_plan": lambda f: _major(f) and not f.planned,
    # A regulator takes over the review only where none reviews yet.
    "no_authority": lambda f: not f.has_authority,
    # Ending a stop: the enterprise itself when it decided the stop (and has its plan);
    # else evaluation (required for a listed hazard, 第十八条), the written application
    # and the on-site review.
    "self_stopped_planned": lambda f: f.planned and not _regulator_stop(f),
    "stop_ordered_planned": lambda f: f.planned and _regulator_stop(f),
    "ordered_unlisted_planned": lambda f: f.planned and f.stop_ordered and not f.listed,
    "stop_ordered": _regulator_stop,
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
    rule: str = ""  # the article it follows (docs/hazard-rules.md)


def _t(
    source: str,
    action: str,
    target: str,
    parties: Iterable[str],
    guard: str,
    needs: str,
    rule: str = "",
) -> Transition:
    return Transition(source, action, target, frozenset(parties), guard, needs, rule)


def _in_place(
    states: Iterable[str], action: str, parties: Iterable[str], guard: str, needs: str, rule: str
) -> tuple[Transition, ...]:
    """A step taken in parallel: the same row in each of these states, state unchanged."""
    return tuple(_t(s, action, s, parties, guard, needs, rule) for s in states)


_REPORTERS = (ENTERPRISE_STAFF, INSPECTOR)
_DECIDERS = (LEAD_OFFICER, COORDINATOR)  # who may decide a hazard is major, order, list
_ACCEPTORS = (ENTERPRISE_ACCEPTOR, REVIEW_AUTHORITY)
# Open states before the remedy is handed in, where parallel steps make sense.
_WORKING = (REPORTED, FIXES_SET, RECTIFYING, SUSPENDED, EVALUATED)

TRANSITIONS: tuple[Transition, ...] = (
    _t(
        START,
        REPORT,
        REPORTED,
        _REPORTERS,
        "always",
        "name, description, type, category, check kind, source, handling; a major hazard "
        "also its cause and an analysis of its harm and how hard it is to remedy; a list "
        "item makes it major",
        "16号令 第十条、第十四条; 安全生产法 第四十一条",
    ),
    _t(
        REPORTED,
        FIX_ON_SPOT,
        CLOSED,
        _ACCEPTORS,
        "general_on_spot",
        "at least one 'after' photo (this step or earlier)",
        "16号令 第十五条第一款",
    ),
    *(
        _t(
            s,
            MAKE_MAJOR,
            REPORTED,
            _DECIDERS,
            "general",
            "reason (officer's decision); optionally a list item; the major path starts again",
            "16号令 第三条",
        )
        for s in (REPORTED, FIXES_SET, RECTIFYING, SUBMITTED)
    ),
    *_in_place(
        (REPORTED, FIXES_SET, RECTIFYING, SUSPENDED),
        CONFIRM_MAJOR,
        [EXPERT],
        "major_unconfirmed",
        "expert opinion (optional step)",
        "",
    ),
    _t(
        REPORTED,
        DISMISS_MAJOR,
        REPORTED,
        [EXPERT],
        "major_not_listed",
        "reason; becomes general",
        "16号令 第三条",
    ),
    *_in_place(
        (REPORTED, FIXES_SET, RECTIFYING, SUSPENDED),
        ORDER,
        _DECIDERS,
        "no_authority",
        "the order's requirements (整改指令书); the ordering department then reviews",
        "16号令 第二十条; 安全生产法 第六十五条",
    ),
    *_in_place(
        _WORKING,
        LIST,
        _DECIDERS,
        "major_not_listed",
        "deadline, public notice text; the listing body then reviews",
        "16号令 第二十条",
    ),
    *_in_place(
        (*_WORKING, RESUME_APPLIED, SUBMITTED),
        REPORT_TO_WORKERS,
        [ENTERPRISE_MANAGER],
        "major",
        "the body told (职工大会 / 职工代表大会), date, what was reported",
        "安全生产法 第四十一条",
    ),
    _t(
        REPORTED,
        SET_FIVE_FIXES,
        FIXES_SET,
        [ENTERPRISE_MANAGER],
        "general",
        "owner, measures, funds, deadline, contingency plan",
        "16号令 第十五条第一款",
    ),
    _t(
        REPORTED,
        SET_PLAN,
        FIXES_SET,
        [ENTERPRISE_PRINCIPAL],
        "major",
        "the five fixes and the six-part remediation plan",
        "16号令 第十五条第二款",
    ),
    _t(
        SUSPENDED,
        SET_PLAN,
        SUSPENDED,
        [ENTERPRISE_PRINCIPAL],
        "major_without_plan",
        "the five fixes and the six-part remediation plan",
        "16号令 第十五条第二款",
    ),
    *(
        _t(
            s,
            SUSPEND,
            SUSPENDED,
            (ENTERPRISE_MANAGER, *_DECIDERS, REVIEW_AUTHORITY),
            "major",
            "scope (whole / part / equipment), the part stopped, people withdrawn and "
            "warning set; by a regulator it is an order",
            "16号令 第十六条; 安全生产法 第六十五条",
        )
        for s in (REPORTED, FIXES_SET, RECTIFYING)
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
    _t(
        SUBMITTED,
        ACCEPT,
        CLOSED,
        _ACCEPTORS,
        "always",
        "comment; the enterprise's acceptor is not the person who did the fix where it "
        "has another manager",
        "16号令 第十五条; 国家隐患治理信息表的验收人; 安全生产法 第六十五条 (复查)",
    ),
    _t(SUBMITTED, REJECT, RECTIFYING, _ACCEPTORS, "always", "reasons"),
    _t(
        SUSPENDED,
        RESUME,
        RECTIFYING,
        [ENTERPRISE_PRINCIPAL],
        "self_stopped_planned",
        "why safety is ensured now",
        "16号令 第十六条",
    ),
    _t(
        SUSPENDED,
        EVALUATE,
        EVALUATED,
        [ENTERPRISE_MANAGER],
        "stop_ordered_planned",
        "who evaluated (the enterprise's experts or a qualified body), date, conclusion",
        "16号令 第十八条",
    ),
    _t(
        EVALUATED,
        APPLY_RESUME,
        RESUME_APPLIED,
        [ENTERPRISE_PRINCIPAL],
        "stop_ordered",
        "the written application; the review is due within 10 days",
        "16号令 第十八条、第二十三条",
    ),
    _t(
        SUSPENDED,
        APPLY_RESUME,
        RESUME_APPLIED,
        [ENTERPRISE_PRINCIPAL],
        "ordered_unlisted_planned",
        "the written application; the review is due within 10 days",
        "安全生产法 第六十五条",
    ),
    _t(
        RESUME_APPLIED,
        REVIEW_PASS,
        CLOSED,
        [REVIEW_AUTHORITY],
        "always",
        "on-site review findings and date: written off (核销), production resumes",
        "16号令 第二十三条",
    ),
    _t(
        RESUME_APPLIED,
        REVIEW_FAIL,
        SUSPENDED,
        [REVIEW_AUTHORITY],
        "always",
        "reasons; the stop goes on",
        "16号令 第二十三条",
    ),
    _t(
        CLOSED,
        REOPEN,
        RECTIFYING,
        (*_DECIDERS, GRID_OFFICER, REVIEW_AUTHORITY),
        "always",
        "reason and a new deadline; the reopening body then reviews",
        "安全生产法 第六十五条",
    ),
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

"""The list of seriously untrustworthy subjects by the rules (issue 12 item 10). Pure: no
Django import.

Source: 《安全生产严重失信主体名单管理办法》(应急管理部令第11号, adopted 2023-07-17, issued
2023-08-08, in force 2023-10-01). What was read, and from where (stored pages; the
official mem.gov.cn text itself was not reachable past its 第五条):
  * 第一条–第五条: read in full copies (kmsl.gov.cn 2024-12-31; a mirror of the
    mem.gov.cn notice). 第三条: 严重失信 is a behaviour for which the unit, body or person
    "因生产安全事故或者违反安全生产法律法规，受到行政处罚，并且性质恶劣、情节严重" — hence
    no listing without a penalty decision. 第四条第二款: "按照'谁处罚、谁决定、谁负责'的
    原则，由作出行政处罚决定的应急管理部门负责严重失信主体名单管理工作" — hence only the
    penalising department proposes, decides, publishes and removes.
  * The listing situations: a news report of 2023-08-11 (ccin.com.cn, "9种情形") quotes
    five accident situations in full (A1–A5 below, verbatim as quoted) and the first of
    four non-accident ones only in part. The article numbers of these situations were NOT
    seen (they follow 第五条, but which article holds each group is UNVERIFIED, so
    `article` is left empty rather than guessed). V2 is known from a headline of a
    2023-08-31 report ("承担安全评价、认证、检测、检验职责的机构及其直接责任人员租借资质、
    挂靠、出具虚假报告或者证书的"), V1 from the cut quote; V3 and V4 only from summaries
    (../shared/domain/standards.md A13: refusing to carry out a penalty or a suspension
    order, and the like) — their texts are UNVERIFIED and `may_list` refuses them unless
    the caller explicitly accepts an unverified text.
  * Procedure, period and repair: a report (中新网, 2024) on 山西's implementing rules of
    the order: notice to the party before listing, a written decision, publication on the
    national credit platforms and the department's website, a listing period of 3 years
    after which the deciding body removes the subject and stops publication, early removal
    on application after 12 months listed when conditions are met, and revocation of an
    early removal obtained by concealment or fraud, restoring the listing. These are the
    province's words about its rules under the order: the order's own article numbers and
    the statement period's length are UNVERIFIED. 国办发〔2020〕49号 四(八) (stored page):
    before deciding, tell the party the reasons, the basis and its rights; verify an
    objection and answer within the set period.
  * Period counting: 《民法典》第二百零一条, 第二百零二条 (verified, stored pages): the
    first day is not counted; the last day is the corresponding day of the last month, or
    that month's last day. Working days: the `chinese_calendar` package (the State
    Council's published holidays and make-up days), weekdays for a year it does not know.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

# --- the situations ----------------------------------------------------------------------

ACCIDENT = "accident"  # 发生生产安全事故的
VIOLATION = "violation"  # 未发生生产安全事故，但因安全生产违法行为受到行政处罚的

ORDER = "《安全生产严重失信主体名单管理办法》(应急管理部令第11号)"
SOURCE_NEWS_2023 = "ccin.com.cn 2023-08-11, quoting the order (9 situations: 5 + 4)"


@dataclass(frozen=True)
class Situation:
    code: str
    group: str  # ACCIDENT | VIOLATION
    item: int  # (一)… within its group as the order numbers them
    text: str  # as quoted; "…" where the quote stopped
    verified: bool  # the text is complete and quoted from the order (not a summary)
    article: str = ""  # left empty: the article number was not seen (UNVERIFIED)
    source: str = SOURCE_NEWS_2023


SITUATIONS: tuple[Situation, ...] = (
    Situation(
        "A1",
        ACCIDENT,
        1,
        "发生特别重大、重大生产安全事故的生产经营单位及其主要负责人，以及经调查认定对该事故"
        "发生负有责任，应当列入名单的其他单位和人员",
        True,
    ),
    Situation(
        "A2",
        ACCIDENT,
        2,
        "12个月内累计发生2起以上较大生产安全事故的生产经营单位及其主要负责人",
        True,
    ),
    Situation(
        "A3",
        ACCIDENT,
        3,
        "发生生产安全事故，情节特别严重、影响特别恶劣，依照《中华人民共和国安全生产法》第一百"
        "一十四条的规定被处以罚款数额2倍以上5倍以下罚款的生产经营单位及其主要负责人",
        True,
    ),
    Situation("A4", ACCIDENT, 4, "瞒报、谎报生产安全事故的生产经营单位及其有关责任人员", True),
    Situation(
        "A5",
        ACCIDENT,
        5,
        "发生生产安全事故后，不立即组织抢救或者在事故调查处理期间擅离职守或者逃匿的生产经营"
        "单位主要负责人",
        True,
    ),
    Situation(
        "V1",
        VIOLATION,
        1,
        "未依法取得安全生产相关许可或者许可被暂扣、吊销期间从事相关生产经营活动的生产经营单位"
        "及其主……",
        False,
    ),
    Situation(
        "V2",
        VIOLATION,
        2,
        "承担安全评价、认证、检测、检验职责的机构及其直接责任人员租借资质、挂靠、出具虚假报告"
        "或者证书的",
        False,
        source="kl007.cn 2023-08-31 headline; the item number is UNVERIFIED",
    ),
    Situation(
        "V3",
        VIOLATION,
        3,
        "（UNVERIFIED）拒不执行行政处罚或者停产停业整顿等决定的情形 — from summaries only",
        False,
        source="../shared/domain/standards.md A13 (summary); item number UNVERIFIED",
    ),
    Situation(
        "V4",
        VIOLATION,
        4,
        "（UNVERIFIED）第四种非事故情形 — its text was not found",
        False,
        source="the news report counts four non-accident situations; text not found",
    ),
)
BY_CODE: dict[str, Situation] = {s.code: s for s in SITUATIONS}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""  # a code when refused


def may_list(
    situation: str | Situation,
    has_penalty_decision: bool,
    *,
    penalising_department: str = "",
    deciding_department: str = "",
    accept_unverified_text: bool = False,
) -> Decision:
    """Whether a subject may be proposed for the list: only in a situation the order names
    (not from hazard figures: that is the watch list, 重点关注), only after an administrative
    penalty (第三条), and only by the department that imposed it (第四条第二款)."""
    found = BY_CODE.get(situation if isinstance(situation, str) else situation.code)
    if found is None:
        return Decision(False, "unknown_situation")
    if not has_penalty_decision:
        return Decision(False, "no_penalty_decision")
    if deciding_department and deciding_department != penalising_department:
        return Decision(False, "not_penalising_department")
    if not found.verified and not accept_unverified_text:
        return Decision(False, "situation_text_unverified")
    return Decision(True)


# --- periods -----------------------------------------------------------------------------

LISTING_YEARS = 3  # 管理期限为3年 (provincial report on the order; article UNVERIFIED)
EARLY_REPAIR_MONTHS = 12  # 列入名单满12个月 may apply (same source; UNVERIFIED in the order)
# The party's time to state its case after the notice. The order's figure was NOT found;
# 5 working days is a placeholder for the department to confirm (UNVERIFIED).
STATEMENT_WORKING_DAYS = 5


def add_months(day: dt.date, months: int) -> dt.date:
    """The last day of a period of `months` months counted after `day` (民法典 第二百零一条,
    第二百零二条): the corresponding day, else the last day of that month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # every month has 28 days


def listing_end(decided_on: dt.date, *, years: int = LISTING_YEARS) -> dt.date:
    """The listing period's last day: decided 2024-03-10 → 2027-03-10 (the period starts
    the next day and ends on the corresponding day); decided 2024-02-29 → 2027-02-28.
    The subject leaves the list the day after (see `expired`). Calendar days: the period
    is in years. 民法典 第二百零三条 (a last day on a holiday moves on) governs a time
    limit for acting and is not applied to a listing term."""
    return add_months(decided_on, 12 * years)


def expired(decided_on: dt.date, today: dt.date, *, years: int = LISTING_YEARS) -> bool:
    return today > listing_end(decided_on, years=years)


def _default_is_workday(day: dt.date) -> bool:
    try:
        import chinese_calendar

        return bool(chinese_calendar.is_workday(day))
    except (ImportError, NotImplementedError):  # a year the calendar does not know
        return day.weekday() < 5


def statement_deadline(
    notified_on: dt.date,
    *,
    working_days: int = STATEMENT_WORKING_DAYS,
    is_workday: Callable[[dt.date], bool] = _default_is_workday,
) -> dt.date:
    """The last day to state one's case: `working_days` working days counted after the
    day of notice (the day of notice is not counted, 民法典 第二百零一条)."""
    day, left = notified_on, working_days
    while left:
        day += dt.timedelta(days=1)
        left -= is_workday(day)
    return day


@dataclass(frozen=True)
class RepairFacts:
    """What the application for early removal (信用修复) shows. The conditions besides the
    12 months are from the provincial report's words ("纠正失信行为、消除不良影响") and
    国办发〔2020〕49号; the order's exact list is UNVERIFIED."""

    listed_on: dt.date
    applied_on: dt.date
    penalty_fulfilled: bool  # 已履行行政处罚决定 (fine paid, suspension served)
    violation_corrected: bool  # 纠正失信行为 (the hazard or violation put right)
    effects_removed: bool  # 消除不良影响
    commitment_made: bool = True  # 信用承诺 (UNVERIFIED as a condition of the order)
    new_listing_situation: bool = False  # a new situation during the listing


def may_repair_early(facts: RepairFacts) -> Decision:
    if facts.applied_on <= add_months(facts.listed_on, EARLY_REPAIR_MONTHS):
        return Decision(False, "listed_under_12_months")
    if facts.new_listing_situation:
        return Decision(False, "new_situation_during_listing")
    if not facts.penalty_fulfilled:
        return Decision(False, "penalty_not_fulfilled")
    if not facts.violation_corrected:
        return Decision(False, "violation_not_corrected")
    if not facts.effects_removed:
        return Decision(False, "effects_not_removed")
    if not facts.commitment_made:
        return Decision(False, "no_credit_commitment")
    return Decision(True)


# --- the workflow ------------------------------------------------------------------------

PROPOSED = "proposed"  # 拟列入
NOTIFIED = "notified"  # 已告知: the statement period (陈述申辩) runs
LISTED = "listed"  # 作出列入决定
PUBLISHED = "published"  # 公示
REPAIR_APPLIED = "repair_applied"  # 申请提前移出 (信用修复)
REMOVED_EXPIRED = "removed_expired"  # 期满移出
REMOVED_REPAIRED = "removed_repaired"  # 修复后提前移出
REVOKED = "revoked"  # 列入决定撤销 (the penalty set aside)
WITHDRAWN = "withdrawn"  # 不予列入 (e.g. the statement accepted)
STATES: tuple[str, ...] = (
    PROPOSED,
    NOTIFIED,
    LISTED,
    PUBLISHED,
    REPAIR_APPLIED,
    REMOVED_EXPIRED,
    REMOVED_REPAIRED,
    REVOKED,
    WITHDRAWN,
)
FINAL: frozenset[str] = frozenset({REMOVED_EXPIRED, REVOKED, WITHDRAWN})

NOTIFY = "notify"
DECIDE = "decide"
WITHDRAW = "withdraw"
PUBLISH = "publish"
EXPIRE = "expire"
APPLY_REPAIR = "apply_repair"
APPROVE_REPAIR = "approve_repair"
REJECT_REPAIR = "reject_repair"
RESTORE = "restore"  # an early removal obtained by fraud is undone (provincial report)
REVOKE = "revoke"
ACTIONS: tuple[str, ...] = (
    NOTIFY,
    DECIDE,
    WITHDRAW,
    PUBLISH,
    EXPIRE,
    APPLY_REPAIR,
    APPROVE_REPAIR,
    REJECT_REPAIR,
    RESTORE,
    REVOKE,
)

# Parties: who a user is for one listing.
PENALISING_DEPARTMENT = "penalising_department"  # 谁处罚、谁决定、谁负责 (第四条第二款)
SUBJECT = "subject"  # the listed unit, body or person
OTHER_DEPARTMENT = "other_department"  # may read the list; never acts on it


@dataclass(frozen=True)
class Facts:
    """What the guards look at; the services fill it from the records."""

    today: dt.date
    listing: Decision = Decision(True)  # may_list(...) for the proposal
    notified_on: dt.date | None = None
    statement_received: bool = False  # the party stated its case …
    statement_reviewed: bool = False  # … and the department examined it (复核)
    decided_on: dt.date | None = None
    repair: Decision = Decision(False, "no_application")  # may_repair_early(...)
    repair_fraud_found: bool = False
    penalty_set_aside: bool = False  # 行政处罚决定被撤销/确认无效 (UNVERIFIED in the order)
    statement_working_days: int = STATEMENT_WORKING_DAYS


def _statement_done(f: Facts) -> bool:
    if f.notified_on is None:
        return False
    if f.statement_received:
        return f.statement_reviewed  # a stated case is examined before deciding
    return f.today > statement_deadline(f.notified_on, working_days=f.statement_working_days)


GUARDS: dict[str, tuple[Callable[[Facts], bool], str]] = {
    "always": (lambda f: True, ""),
    "may_list": (lambda f: f.listing.allowed, "may_not_list"),
    "statement_done": (_statement_done, "statement_period_running"),
    "expired": (
        lambda f: f.decided_on is not None and expired(f.decided_on, f.today),
        "listing_period_not_over",
    ),
    "repair_ok": (lambda f: f.repair.allowed, "repair_conditions_not_met"),
    "fraud": (lambda f: f.repair_fraud_found, "no_fraud_found"),
    "set_aside": (lambda f: f.penalty_set_aside, "penalty_not_set_aside"),
}


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    parties: frozenset[str]
    guard: str = "always"


_DEPT = frozenset({PENALISING_DEPARTMENT})
TRANSITIONS: tuple[Transition, ...] = (
    Transition(PROPOSED, NOTIFY, NOTIFIED, _DEPT, "may_list"),
    Transition(PROPOSED, WITHDRAW, WITHDRAWN, _DEPT),
    Transition(NOTIFIED, DECIDE, LISTED, _DEPT, "statement_done"),
    Transition(NOTIFIED, WITHDRAW, WITHDRAWN, _DEPT),
    Transition(LISTED, PUBLISH, PUBLISHED, _DEPT),
    Transition(LISTED, REVOKE, REVOKED, _DEPT, "set_aside"),
    Transition(PUBLISHED, EXPIRE, REMOVED_EXPIRED, _DEPT, "expired"),
    Transition(PUBLISHED, APPLY_REPAIR, REPAIR_APPLIED, frozenset({SUBJECT})),
    Transition(PUBLISHED, REVOKE, REVOKED, _DEPT, "set_aside"),
    Transition(REPAIR_APPLIED, APPROVE_REPAIR, REMOVED_REPAIRED, _DEPT, "repair_ok"),
    Transition(REPAIR_APPLIED, REJECT_REPAIR, PUBLISHED, _DEPT),
    Transition(REPAIR_APPLIED, EXPIRE, REMOVED_EXPIRED, _DEPT, "expired"),
    Transition(REMOVED_REPAIRED, RESTORE, PUBLISHED, _DEPT, "fraud"),
)
TABLE: dict[tuple[str, str], Transition] = {(t.source, t.action): t for t in TRANSITIONS}


@dataclass(frozen=True)
class Outcome:
    ok: bool
    target: str = ""
    reason: str = ""  # illegal_transition | not_allowed_party | a guard's reason


def transition(state: str, action: str, party: str, facts: Facts) -> Outcome:
    """One step, or why not: the table first, then who, then the guard."""
    found = TABLE.get((state, action))
    if found is None:
        return Outcome(False, reason="illegal_transition")
    if party not in found.parties:
        return Outcome(False, reason="not_allowed_party")
    check, reason = GUARDS[found.guard]
    if not check(facts):
        # The listing refusal says why (e.g. no_penalty_decision), not only "may_not_list".
        if found.guard == "may_list" and facts.listing.reason:
            reason = facts.listing.reason
        return Outcome(False, reason=reason)
    return Outcome(True, target=found.target)


def available(state: str, party: str, facts: Facts) -> list[str]:
    return [a for a in ACTIONS if transition(state, a, party, facts).ok]


__all__ = [
    "ACTIONS",
    "BY_CODE",
    "FINAL",
    "SITUATIONS",
    "STATES",
    "TABLE",
    "TRANSITIONS",
    "Decision",
    "Facts",
    "Outcome",
    "RepairFacts",
    "Situation",
    "add_months",
    "available",
    "expired",
    "listing_end",
    "may_list",
    "may_repair_early",
    "statement_deadline",
    "transition",
]

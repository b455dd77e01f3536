"""Training and certificate rules (issue 15 item 5), pure: no Django import, tested directly.

Sources: 《特种作业人员安全技术培训考核管理规定》 (原国家安全监管总局令第30号, as amended)
for 特种作业操作证; 《生产经营单位安全培训规定》 (原国家安全监管总局令第3号, as amended) for
training hours. See ../shared/domain/standards.md A14.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

# certificate_status() answers
VALID = "valid"
REVIEW_DUE = "review_due"
EXPIRED = "expired"
REVOKED = "revoked"
STATUSES = (VALID, REVIEW_DUE, EXPIRED, REVOKED)
# Statuses under which the holder may still do the work (a review that is due but not
# overdue leaves the certificate in force until its review date).
USABLE = frozenset({VALID, REVIEW_DUE})

# 第30号令 第二十二条: the review is applied for within the 60 days before it falls due
# (UNVERIFIED against the text here: the article number and the 60 days are from memory).
REVIEW_WINDOW_DAYS = 60


def certificate_status(
    expires_on: dt.date, review_due: dt.date | None, state: str, today: dt.date
) -> str:
    """valid / review_due / expired / revoked as of `today`.

    * revoked — the certificate was revoked (撤销/注销), whatever its dates;
    * expired — `today` is after `expires_on` (the certificate is in force on its last
      day), or after `review_due` without a review: 第30号令 第二十六条 makes a
      certificate not reviewed in time invalid (“未按期复审的，特种作业操作证失效”);
    * review_due — `review_due` is today or within the next REVIEW_WINDOW_DAYS days
      (第二十二条: apply within 60 days before it falls due); still usable for work;
    * valid — otherwise.
    """
    if state == REVOKED:
        return REVOKED
    if today > expires_on:
        return EXPIRED
    if review_due is not None:
        if today > review_due:
            return EXPIRED
        if (review_due - today).days <= REVIEW_WINDOW_DAYS:
            return REVIEW_DUE
    return VALID


# --- certificate dates ---------------------------------------------------------------------

SPECIAL_WORK_VALID_YEARS = 6  # 第30号令 第十九条: 有效期为6年, 在全国范围内有效
SPECIAL_WORK_REVIEW_YEARS = 3  # 第二十一条: 每3年复审1次
# 第二十一条: 10 years or more of the same work without violation, with the issuer's
# consent: reviewed every 6 years.
EXTENDED_REVIEW_YEARS = 6
# The principal's and safety manager's 考核合格 proof: 第3号令 sets no validity; local
# rules commonly use 3 years. UNCONFIRMED default, setting ANJIAN_QUALIFICATION_VALID_YEARS.
QUALIFICATION_VALID_YEARS = 3


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (29 February → 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def special_work_dates(
    issued_on: dt.date, *, extended_review: bool = False
) -> tuple[dt.date, dt.date | None]:
    """(expires_on, first review due) of a 特种作业操作证 issued on `issued_on`: the last
    day of validity is the day before the anniversary. With the extended review (6 years)
    the review coincides with expiry, so no separate review date is kept."""
    expires = add_years(issued_on, SPECIAL_WORK_VALID_YEARS) - dt.timedelta(days=1)
    if extended_review:
        return expires, None
    return expires, add_years(issued_on, SPECIAL_WORK_REVIEW_YEARS) - dt.timedelta(days=1)


# 第30号令 第二十四条 (UNVERIFIED article number): a passed review is stamped and
# registered by the issuer; 第二十六条: a certificate not reviewed in time, or that fails
# its review, is invalid. The next review falls 3 years after the one just passed.


def next_review_due(review_due: dt.date, expires_on: dt.date) -> dt.date | None:
    """The review after a passed one that fell due on `review_due`: the same day three
    years on, or none when that is not before the certificate expires (then the holder
    renews the certificate instead: a 6-year certificate has one review, at 3 years)."""
    following = add_years(review_due, SPECIAL_WORK_REVIEW_YEARS)
    return following if following < expires_on else None


def review_problems(
    review_due: dt.date | None,
    expires_on: dt.date,
    state: str,
    reviewed_on: dt.date,
    today: dt.date,
) -> list[str]:
    """Why a review on `reviewed_on` cannot be recorded (machine codes; the service turns
    them into messages): no review due, revoked, the date in the future, before the window
    (第二十二条: applied for within 60 days before it falls due), or after the review fell
    due (the certificate lapsed then: 第二十六条)."""
    if state == REVOKED:
        return ["revoked"]
    if review_due is None:
        return ["none_due"]
    problems = []
    if reviewed_on > today:
        problems.append("future")
    if reviewed_on > review_due or reviewed_on > expires_on:
        problems.append("lapsed")
    elif (review_due - reviewed_on).days > REVIEW_WINDOW_DAYS:
        problems.append("too_early")
    return problems


def qualification_expiry(issued_on: dt.date, years: int = QUALIFICATION_VALID_YEARS) -> dt.date:
    return add_years(issued_on, years) - dt.timedelta(days=1)


# --- training hours (《生产经营单位安全培训规定》 第3号令) ----------------------------------

# The industries whose hours are higher: 煤矿、非煤矿山、危险化学品、烟花爆竹、金属冶炼
# (第九条, 第十三条). Registry industry codes; 金属冶炼 is read as 冶金 and 有色.
HIGH_RISK_INDUSTRIES = frozenset(
    {"HR-COAL", "HR-MINE", "HR-HAZCHEM", "HR-FIREWORKS", "HR-IT-MET", "HR-IT-NFM"}
)

INDUCTION_KINDS = ("induction_company", "induction_workshop", "induction_team")
MANAGER_ROLES = ("principal", "safety_manager")


@dataclass(frozen=True)
class Hours:
    induction: Decimal  # 第十三条: new staff, before taking up the post
    annual: Decimal  # other staff, every year
    manager_initial: Decimal  # 第九条: principals and safety managers, first training
    manager_annual: Decimal  # 第九条: their yearly refresher


# 第十三条: induction at least 24 (72 in high-risk); high-risk yearly refresher at least 20.
# 第九条: principals and safety managers initial 32 / yearly 12 (48 / 16 in high-risk).
# Verified against stored copies of the text (third-party transcriptions of 第九条 and
# 第十三条). The ordinary sector's 8 hours a year for other staff is NOT in 第3号令 (which
# sets a yearly figure only for the high-risk sectors); it is the brief's figure and
# several provinces' rules (e.g. 4-8 hours): UNCONFIRMED, a local default.
ORDINARY = Hours(Decimal(24), Decimal(8), Decimal(32), Decimal(12))
HIGH_RISK = Hours(Decimal(72), Decimal(20), Decimal(48), Decimal(16))


def required_hours(industry_code: str | None) -> Hours:
    return HIGH_RISK if industry_code in HIGH_RISK_INDUSTRIES else ORDINARY


@dataclass(frozen=True)
class Course:
    kind: str
    hours: Decimal
    held_on: dt.date
    passed: bool = True


@dataclass(frozen=True)
class Compliance:
    induction_levels: tuple[str, ...]  # the levels done (passed)
    induction_missing: tuple[str, ...]
    induction_hours: Decimal
    induction_required: Decimal
    annual_hours: Decimal  # this year's hours counting toward the refresher
    annual_required: Decimal
    manager_role: str = ""  # principal / safety_manager, when the worker is one
    manager_initial_hours: Decimal = Decimal(0)
    manager_initial_required: Decimal = Decimal(0)
    problems: tuple[str, ...] = field(default=())

    @property
    def compliant(self) -> bool:
        return not self.problems

    @property
    def induction_complete(self) -> bool:
        return "induction" not in self.problems


def training_compliance(
    courses: list[Course],
    *,
    industry_code: str | None,
    year: int,
    manager_role: str = "",
) -> Compliance:
    """One worker's training against 第3号令 for `year`.

    * induction (三级安全教育, 第十二条/第十三条): all three levels passed, and their hours
      together at least the induction requirement;
    * annual: the passed hours held in `year` (refresher, or the manager's training for a
      principal/safety manager) at least the yearly requirement; the year of induction
      counts the induction (a newcomer needs no refresher in the year he is inducted);
    * manager_role "principal"/"safety_manager": the initial training hours (their kind's
      courses, ever) at least 32/48 and the yearly hours at least 12/16.
    Problems: "induction", "annual", "manager_initial".
    """
    need = required_hours(industry_code)
    passed = [c for c in courses if c.passed]
    levels = tuple(k for k in INDUCTION_KINDS if any(c.kind == k for c in passed))
    missing = tuple(k for k in INDUCTION_KINDS if k not in levels)
    induction_hours = sum((c.hours for c in passed if c.kind in INDUCTION_KINDS), Decimal(0))
    problems: list[str] = []
    if missing or induction_hours < need.induction:
        problems.append("induction")
    inducted_this_year = any(c.kind in INDUCTION_KINDS and c.held_on.year == year for c in passed)
    this_year = [c for c in passed if c.held_on.year == year]
    manager_initial = Decimal(0)
    manager_initial_required = Decimal(0)
    if manager_role in MANAGER_ROLES:
        annual_required = need.manager_annual
        mine = [c for c in passed if c.kind == manager_role]
        manager_initial = sum((c.hours for c in mine), Decimal(0))
        manager_initial_required = need.manager_initial
        if manager_initial < need.manager_initial:
            problems.append("manager_initial")
        first_year = min((c.held_on.year for c in mine), default=None)
        annual = sum((c.hours for c in this_year if c.kind in (manager_role, "annual")), Decimal(0))
        # The year of the initial training is its own refresher.
        if first_year == year:
            annual = max(annual, manager_initial)
    else:
        annual_required = need.annual
        annual = sum((c.hours for c in this_year if c.kind == "annual"), Decimal(0))
        if inducted_this_year:
            annual = max(annual, induction_hours)
    if annual < annual_required:
        problems.append("annual")
    return Compliance(
        induction_levels=levels,
        induction_missing=missing,
        induction_hours=induction_hours,
        induction_required=need.induction,
        annual_hours=annual,
        annual_required=annual_required,
        manager_role=manager_role if manager_role in MANAGER_ROLES else "",
        manager_initial_hours=manager_initial,
        manager_initial_required=manager_initial_required,
        problems=tuple(problems),
    )


# --- certificate numbers ---------------------------------------------------------------------


def special_work_number_problems(number: str, id_number: str, check: object) -> list[str]:
    """The 特种作业操作证 number is the holder's 居民身份证号码 (UNVERIFIED here against
    第30号令's text; it is the practice of the national certificate query system).
    `check` is idcard.problems. Codes: the id card codes, plus "mismatch" when the
    worker's id number is known and differs."""
    out = list(check(number))  # type: ignore[operator]
    if not out and id_number and id_number.upper() != number.upper():
        out.append("mismatch")
    return out


# --- warnings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateWarning:
    which: str  # "expiry" or "review"
    stage: str  # "notice" (within the notice days) or "due" (the day itself, or past it)
    on: dt.date  # the date warned about: a new date is a new warning

    def key(self, certificate_id: int) -> str:
        return f"{certificate_id}:{self.which}:{self.stage}:{self.on.isoformat()}"


def certificate_warnings(
    expires_on: dt.date,
    review_due: dt.date | None,
    state: str,
    today: dt.date,
    notice_days: int = 30,
) -> list[CertificateWarning]:
    """The warnings due as of `today`: for the end of validity and for the review, a
    notice `notice_days` before, and one on the day (or after, when the job missed it).
    Only the latest stage is returned (a job first run after the day sends "due" only). A
    revoked certificate raises nothing; a review on or after expiry is covered by expiry."""
    if state == REVOKED:
        return []
    out = []
    dates = [("expiry", expires_on)]
    if review_due is not None and review_due < expires_on:
        dates.append(("review", review_due))
    for which, on in dates:
        left = (on - today).days
        if left <= 0:
            out.append(CertificateWarning(which, "due", on))
        elif left <= notice_days:
            out.append(CertificateWarning(which, "notice", on))
    return out

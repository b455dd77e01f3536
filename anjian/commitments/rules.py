"""The daily risk judgement and commitment notice (安全风险研判与承诺公告) as rules. PURE:
no Django imports; pages, services and the job call these with plain values.

Sources, and what could not be verified:

* 应急管理部《关于全面实施危险化学品企业安全风险研判与承诺公告制度的通知》(应急〔2018〕74号),
  as published on gov.cn on 2018-09-19 (xinwen/2018-09/19/content_5323440): hazardous-chemical
  producers, dealers with storage and holders of a use licence judge their safety risks every
  day (shift hand-over, workshop and plant dispatch meetings), in particular "生产装置的安全运行
  状态、高危生产活动及作业的安全风险可控状态和危险化学品罐区、仓库等重大危险源的安全运行状态",
  and sign and announce a commitment, level by level up to the principal. The system was to be in
  place by 2018-11-30. Only the press summary was found in the stored pages, not the notice's
  annex (the announcement form); the field list below follows the issue and
  ../shared/domain/national-schema.md: units running / stopped / under maintenance, counts of
  special work by kind (hot work by grade), trial runs, start-ups and shut-downs.
* The 10:00 deadline: a provincial notice of 广东省应急管理厅 reads "每日10时前通过省危险化学品安全
  生产风险监测预警系统填报公告承诺"; the national text stating 10:00 was NOT verified here
  (national-schema.md and the issue give 10:00). Local time is the platform's time zone.
* The commitment's wording (DEFAULT_COMMITMENT) is the form in common use ("今天我公司已进行安全
  风险研判……"); NOT verified against the notice's annex.
* Special work: GB 30871-2022《危险化学品企业特殊作业安全规范》, eight kinds (动火, 受限空间,
  盲板抽堵, 高处, 吊装, 临时用电, 动土, 断路), hot work graded 特级 / 一级 / 二级 (from
  ../shared/domain/standards.md; the standard's text itself was not at hand).
* Who owes a notice: enterprises with a major hazard installation (the issue). A closed
  enterprise owes nothing; a suspended one still declares its (stopped) units — local decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DEADLINE = dt.time(10, 0)

RUNNING = "running"
STOPPED = "stopped"
MAINTENANCE = "maintenance"
UNIT_STATES = (RUNNING, STOPPED, MAINTENANCE)

# Day status of one enterprise's notice.
ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"  # the deadline passed and nothing was submitted
DUE = "due"  # not submitted yet, the deadline has not passed
DAY_STATUSES = (ON_TIME, LATE, MISSING, DUE)

# GB 30871-2022: the eight kinds of special work, hot work by grade. (field, 中文)
SPECIAL_WORK = (
    ("hot_work_special", "特级动火作业"),
    ("hot_work_first", "一级动火作业"),
    ("hot_work_second", "二级动火作业"),
    ("confined_space", "受限空间作业"),
    ("blind_plate", "盲板抽堵作业"),
    ("work_at_height", "高处作业"),
    ("lifting", "吊装作业"),
    ("temporary_power", "临时用电作业"),
    ("excavation", "动土作业"),
    ("road_closure", "断路作业"),
)
SPECIAL_WORK_FIELDS = tuple(name for name, _zh in SPECIAL_WORK)
# Trial runs (试生产), start-ups (开车) and shut-downs (停车) of the day.
OPERATION_FIELDS = ("trial_runs", "start_ups", "shut_downs")
COUNT_FIELDS = SPECIAL_WORK_FIELDS + OPERATION_FIELDS
COUNT_MAX = 999

DEFAULT_COMMITMENT = (
    "今天我公司已进行安全风险研判，各项安全风险防控措施已落实到位，"
    "我承诺所有生产装置处于安全运行状态，罐区、仓库等重大危险源安全风险得到有效管控。"
)

# A unit declared on a notice: ("installation", pk) or ("risk_unit", pk).
UnitKey = tuple[str, int]
INSTALLATION = "installation"
RISK_UNIT = "risk_unit"


def deadline(day: dt.date, tz: str | dt.tzinfo) -> dt.datetime:
    """The moment the notice of `day` is due (10:00 local)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return dt.datetime.combine(day, DEADLINE, tzinfo=zone)


def is_late(submitted_at: dt.datetime, day: dt.date, tz: str | dt.tzinfo) -> bool:
    """Late when submitted after 10:00 of its day; at 10:00:00 exactly it is on time."""
    return submitted_at > deadline(day, tz)


def day_status(
    day: dt.date,
    now: dt.datetime,
    first_submitted_at: dt.datetime | None,
    tz: str | dt.tzinfo,
) -> str:
    """On time / late by the day's FIRST submission (a later correction does not make an
    on-time notice late); without one, missing once the deadline passed, else due."""
    if first_submitted_at is not None:
        return LATE if is_late(first_submitted_at, day, tz) else ON_TIME
    return MISSING if now > deadline(day, tz) else DUE


def owes_notice(*, has_major_hazard: bool, major_installations: int, closed: bool) -> bool:
    """An enterprise owes a daily notice when it has a major hazard installation (flagged on
    the registry record or identified as such in its installations) and is not closed."""
    return not closed and (has_major_hazard or major_installations > 0)


def prefill_states(
    keys: Iterable[UnitKey], previous: Mapping[UnitKey, str] | None
) -> dict[UnitKey, str]:
    """Each unit's state as declared on the previous notice; running for a unit not seen."""
    previous = previous or {}
    return {key: previous.get(key, RUNNING) for key in keys}


def validate_counts(counts: Mapping[str, object]) -> dict[str, str]:
    """Field → problem for each count that is not a whole number in 0…COUNT_MAX."""
    problems: dict[str, str] = {}
    for name in COUNT_FIELDS:
        value = counts.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int):
            problems[name] = "not_a_whole_number"
        elif not 0 <= value <= COUNT_MAX:
            problems[name] = "out_of_range"
    return problems


# --- declared against observed ------------------------------------------------------------


@dataclass(frozen=True)
class Observation:
    """What the platform saw on one unit during the day. None = not observable (no
    monitoring data model, or no point on the unit)."""

    points: int = 0
    readings_seen: bool | None = None
    alarms_raised: int | None = None


READINGS_WHILE_STOPPED = "readings_while_stopped"
ALARMS_WHILE_STOPPED = "alarms_while_stopped"
ALARMS_WHILE_MAINTENANCE = "alarms_while_maintenance"
DIFFERENCE_KINDS = (READINGS_WHILE_STOPPED, ALARMS_WHILE_STOPPED, ALARMS_WHILE_MAINTENANCE)


@dataclass(frozen=True)
class Difference:
    unit: UnitKey
    declared: str
    kind: str
    alarms: int = 0


def compare(
    declared: Mapping[UnitKey, str], observed: Mapping[UnitKey, Observation | None]
) -> list[Difference]:
    """The differences between what an enterprise declared and what monitoring saw:
    a unit declared stopped whose process points still report readings; alarms raised on a
    unit declared stopped or under maintenance. A unit without an observation yields none."""
    out: list[Difference] = []
    for key, state in declared.items():
        seen = observed.get(key)
        if seen is None:
            continue
        if state == STOPPED and seen.readings_seen:
            out.append(Difference(key, state, READINGS_WHILE_STOPPED))
        if seen.alarms_raised and state in (STOPPED, MAINTENANCE):
            kind = ALARMS_WHILE_STOPPED if state == STOPPED else ALARMS_WHILE_MAINTENANCE
            out.append(Difference(key, state, kind, alarms=seen.alarms_raised))
    return out

"""Responsibility lists (全员安全生产责任制, 《安全生产法》(2021) 第二十二条: the list
names each post's responsible people, scope and assessment standard, and the enterprise
checks that it is carried out), without Django.

* A post in the list without duties is flagged.
* Every active worker signs the year's responsibility letter (安全生产责任书) for the post
  they hold. A worker's post is Worker.post, matched to ResponsibilityPost.post by name
  (spaces, full-width ones too, ignored); a worker whose post is not in the list is
  flagged as well (the list is incomplete).
* The principal reports on duty performance once per quarter. Due within
  REPORT_DAYS_AFTER_QUARTER days after the quarter ends: a local default (no national
  figure), kept here to change in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

REPORT_DAYS_AFTER_QUARTER = 15

NOT_DUE = "not_due"  # the quarter has not ended
DUE = "due"  # ended, within the days allowed
OVERDUE = "overdue"
SUBMITTED = "submitted"


def post_key(name: str) -> str:
    return "".join(name.split()).replace("\u3000", "").casefold()


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_start(year: int, quarter: int) -> dt.date:
    _check_quarter(quarter)
    return dt.date(year, 3 * quarter - 2, 1)


def quarter_end(year: int, quarter: int) -> dt.date:
    _check_quarter(quarter)
    if quarter == 4:
        return dt.date(year, 12, 31)
    return dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)


def report_due(year: int, quarter: int) -> dt.date:
    return quarter_end(year, quarter) + dt.timedelta(days=REPORT_DAYS_AFTER_QUARTER)


def last_ended_quarter(today: dt.date) -> tuple[int, int]:
    year, quarter = quarter_of(today)
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def report_status(year: int, quarter: int, *, submitted: bool, today: dt.date) -> str:
    if submitted:
        return SUBMITTED
    if today <= quarter_end(year, quarter):
        return NOT_DUE
    return DUE if today <= report_due(year, quarter) else OVERDUE


def _check_quarter(quarter: int) -> None:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter: 1 to 4")


@dataclass(frozen=True)
class WorkerLine:
    worker_id: int
    post: str


@dataclass(frozen=True)
class DutyCheck:
    posts_without_duties: list[str]
    unsigned: list[int]  # workers whose post is listed but who have no letter this year
    unlisted: list[int]  # workers whose post is not in the list (or who have none)
    signed: list[int]

    @property
    def missing(self) -> int:
        return len(self.unsigned) + len(self.unlisted)


def check(
    *,
    posts: Mapping[str, str],
    workers: Iterable[WorkerLine],
    signed: Iterable[tuple[int, str]],
) -> DutyCheck:
    """posts: {post name: duties} of the active posts; workers: the active workers;
    signed: (worker id, post name) of this year's letters."""
    listed = {post_key(name): name for name in posts}
    done = {(w, post_key(p)) for w, p in signed}
    without = sorted(name for name, duties in posts.items() if not duties.strip())
    unsigned, unlisted, ok = [], [], []
    for line in workers:
        key = post_key(line.post)
        if not key or key not in listed:
            unlisted.append(line.worker_id)
        elif (line.worker_id, key) in done:
            ok.append(line.worker_id)
        else:
            unsigned.append(line.worker_id)
    return DutyCheck(without, unsigned, unlisted, ok)

"""The special work a daily commitment notice (风险研判与承诺公告, anjian.commitments)
declares, against the permits this platform recorded for that enterprise and day
(anjian.people.permit_services.permit_counts). The commitments app may call `compare`
where it shows a notice (e.g. beside `commitments.services.differences`); nothing here
writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .permit_services import COUNT_FIELDS, permit_counts


def compare(
    enterprise_id: int, day: dt.date, declared: Mapping[str, Any]
) -> list[tuple[str, int, int]]:
    """(field, declared, recorded) for each DailyCommitment special-work field whose
    declared count differs from the permits recorded. A notice may rightly declare more
    (permits kept on paper); fewer declared than recorded is the telling case."""
    recorded = permit_counts(enterprise_id, day)
    out = []
    for name, count in recorded.items():
        value = declared.get(name, 0)
        said = value if isinstance(value, int) else getattr(value, "real", 0)
        if said != count:
            out.append((name, int(said), count))
    return out


def compare_notice(notice: Any) -> list[tuple[str, int, int]]:
    """The same for a DailyCommitment row (its special-work fields read by name)."""
    declared = {name: getattr(notice, name, 0) for name in COUNT_FIELDS.values()}
    for name in ("hot_work_special", "hot_work_first", "hot_work_second"):
        declared[name] = getattr(notice, name, 0)
    return compare(notice.enterprise_id, notice.date, declared)

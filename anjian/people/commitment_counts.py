"""The special work a daily commitment notice (风险研判与承诺公告, anjian.commitments)
declares, against the permits this platform recorded for that enterprise and day
(anjian.people.permit_services.permit_counts). The commitments app shows the differences
on a notice's page and beside `commitments.services.differences`; nothing here writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from .permit_services import COUNT_FIELDS, permit_counts, permit_counts_many


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
    return compare(notice.enterprise_id, notice.date, declared_of(notice))


def declared_of(notice: Any) -> dict[str, int]:
    declared = {name: getattr(notice, name, 0) for name in COUNT_FIELDS.values()}
    for name in ("hot_work_special", "hot_work_first", "hot_work_second"):
        declared[name] = getattr(notice, name, 0)
    return declared


def compare_notices(notices: Iterable[Any], day: dt.date) -> dict[int, list[tuple[str, int, int]]]:
    """compare for many notices of one day (notice pk → differences), with one grouped
    query for the permits instead of one per notice."""
    notices = list(notices)
    recorded = permit_counts_many((n.enterprise_id for n in notices), day)
    out: dict[int, list[tuple[str, int, int]]] = {}
    for n in notices:
        declared = declared_of(n)
        diffs = [
            (name, int(declared.get(name, 0) or 0), count)
            for name, count in recorded[n.enterprise_id].items()
            if int(declared.get(name, 0) or 0) != count
        ]
        if diffs:
            out[n.pk] = diffs
    return out

"""The accident rollup in the database (anjian.accidents.tally for the arithmetic): kept
by the accident services in their transaction, moved when the registry changes an
enterprise's lead department, rebuilt and checked by a job, read by the statistics.

* `accident_tally_apply(old=…, new=…)`: an accident changed (`fact_of` before and after).
* `accident_tally_regroup(enterprise_ids=…)`: lead departments changed in the registry.
* `accident_tally_check()`, `accident_tally_rebuild()`: the full recount, compared or
  written (`anjian manage accident_tally`).
* `window_rows(...)`: the counters of a window per group, for anjian.accidents.statistics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from anjian.core.counters import counters_add, lock_tables

from . import tally
from . import workflow as wf
from .models import Accident, AccidentCount, AccidentCountDay, AccidentLeadKey

FACT_FIELDS = (
    "occurred_at",
    "division_id",
    "industry_id",
    "enterprise_id",
    "gb6441_type",
    "grade",
    "deaths",
    "serious_injuries",
    "minor_injuries",
    "missing",
    "direct_loss_yuan",
    "state",
)


def _fact(values: tuple, lead: int) -> tally.Fact:
    occurred, division, industry, enterprise, kind, grade, d, s, m, missing, loss, state = values
    return tally.Fact(
        occurred_on=timezone.localdate(occurred),
        division=division,
        industry=industry or 0,
        lead=lead if enterprise else 0,
        at_enterprise=enterprise is not None,
        kind=kind,
        grade=grade,
        deaths=d,
        serious_injuries=s,
        minor_injuries=m,
        missing=missing,
        loss=loss,
        withdrawn=state == wf.WITHDRAWN,
    )


def current_leads(enterprise_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Each enterprise's lead department now (0: none), from the registry."""
    from anjian.registry.models import DutyAssignment, DutyRole

    duties = DutyAssignment.objects.filter(role=DutyRole.LEAD).order_by()
    if enterprise_ids is not None:
        duties = duties.filter(enterprise_id__in=list(enterprise_ids))
    return dict(duties.values_list("enterprise_id", "department_id"))


def _stored_lead(enterprise_id: int | None) -> int:
    if enterprise_id is None:
        return 0
    lead = AccidentLeadKey.objects.filter(pk=enterprise_id).values_list("lead", flat=True).first()
    if lead is not None:
        return lead
    AccidentLeadKey.objects.get_or_create(
        enterprise_id=enterprise_id,
        defaults={"lead": current_leads([enterprise_id]).get(enterprise_id, 0)},
    )
    return AccidentLeadKey.objects.values_list("lead", flat=True).get(pk=enterprise_id)


def fact_of(accident_id: int) -> tally.Fact:
    """The accident as stored now (call before and after a change, row locked)."""
    values = Accident.objects.filter(pk=accident_id).values_list(*FACT_FIELDS).get()
    return _fact(values, _stored_lead(values[3]))


def _add(monthly: tally.Table, daily: tally.Table) -> None:
    date = connection.ops.adapt_datefield_value
    counters_add(
        AccidentCount,
        (*tally.KEY, "month"),
        tally.COUNTERS,
        [
            (*k[:-1], date(k[-1]), *(c.get(n, 0) for n in tally.COUNTERS))
            for k, c in sorted(monthly.items())
        ],
    )
    counters_add(
        AccidentCountDay,
        (*tally.KEY, "day"),
        tally.COUNTERS,
        [
            (*k[:-1], date(k[-1]), *(c.get(n, 0) for n in tally.COUNTERS))
            for k, c in sorted(daily.items())
        ],
    )


def accident_tally_apply(*, old: tally.Fact | None, new: tally.Fact | None) -> None:
    """Move the counters from an accident's old facts to its new ones (in the caller's
    transaction)."""
    monthly, daily = tally.change(old, new)
    if monthly or daily:
        _add(monthly, daily)


def accident_tally_regroup(*, enterprise_ids: Iterable[int] | None = None) -> int:
    """Move the counters of the accidents of enterprises whose lead department changed
    (None: look at every enterprise). Returns how many enterprises moved. Idempotent."""
    moved = 0
    with transaction.atomic():
        stored = AccidentLeadKey.objects.select_for_update().order_by("pk")
        if enterprise_ids is not None:
            stored = stored.filter(pk__in=list(enterprise_ids))
        old = dict(stored.values_list("pk", "lead"))
        if not old:
            return 0
        now = current_leads(old)
        changed = [pk for pk, lead in old.items() if now.get(pk, 0) != lead]
        for pk in changed:
            rows = Accident.objects.filter(enterprise_id=pk).order_by().values_list(*FACT_FIELDS)
            for values in rows:
                accident_tally_apply(old=_fact(values, old[pk]), new=_fact(values, now.get(pk, 0)))
            AccidentLeadKey.objects.filter(pk=pk).update(lead=now.get(pk, 0))
            moved += 1
    return moved


# --- the full recount ---------------------------------------------------------------------


def _recount() -> tuple[tally.Table, tally.Table, dict[int, int]]:
    leads = current_leads()
    facts = (
        _fact(values, leads.get(values[3], 0))
        for values in Accident.objects.order_by()
        .values_list(*FACT_FIELDS)
        .iterator(chunk_size=20000)
    )
    monthly, daily = tally.tally(facts)
    with_accidents = set(
        Accident.objects.filter(enterprise__isnull=False)
        .order_by()
        .values_list("enterprise_id", flat=True)
        .distinct()
    )
    return monthly, daily, {pk: leads.get(pk, 0) for pk in with_accidents}


def _stored() -> tuple[tally.Table, tally.Table, dict[int, int]]:
    out: list[tally.Table] = []
    for model, column in ((AccidentCount, "month"), (AccidentCountDay, "day")):
        table: tally.Table = {}
        for row in model.objects.order_by().values_list(*tally.KEY, column, *tally.COUNTERS):
            counters = {
                n: v for n, v in zip(tally.COUNTERS, row[-len(tally.COUNTERS) :], strict=True) if v
            }
            if counters:
                table[tuple(row[: -len(tally.COUNTERS)])] = counters
        out.append(table)
    return out[0], out[1], dict(AccidentLeadKey.objects.values_list("pk", "lead"))


def _differences(expected, stored) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for name, want, have in (
        ("monthly", expected[0], stored[0]),
        ("daily", expected[1], stored[1]),
    ):
        wrong = [k for k in set(want) | set(have) if want.get(k) != have.get(k)]
        report[name] = {
            "rows_expected": len(want),
            "rows_stored": len(have),
            "rows_wrong": len(wrong),
            "examples": [
                {"key": [str(p) for p in k], "expected": want.get(k, {}), "stored": have.get(k, {})}
                for k in sorted(wrong, key=str)[:20]
            ],
        }
    stale = [pk for pk, lead in expected[2].items() if stored[2].get(pk, lead) != lead]
    report["keys_stale"] = len(stale)
    report["ok"] = not (report["monthly"]["rows_wrong"] or report["daily"]["rows_wrong"] or stale)
    return report


def accident_tally_check() -> dict[str, Any]:
    with transaction.atomic():
        lock_tables(AccidentCount, AccidentCountDay, AccidentLeadKey)
        return _differences(_recount(), _stored())


def accident_tally_rebuild() -> dict[str, Any]:
    """Replace the counters by a full recount when they differ; returns what differed."""
    with transaction.atomic():
        lock_tables(AccidentCount, AccidentCountDay, AccidentLeadKey)
        expected = _recount()
        report = _differences(expected, _stored())
        if report["ok"]:
            return report
        for model in (AccidentCount, AccidentCountDay, AccidentLeadKey):
            model.objects.all().delete()
        for model, column, table in (
            (AccidentCount, "month", expected[0]),
            (AccidentCountDay, "day", expected[1]),
        ):
            model.objects.bulk_create(
                [
                    model(**dict(zip(tally.KEY, k[:-1], strict=True)), **{column: k[-1]}, **c)
                    for k, c in table.items()
                ],
                batch_size=5000,
            )
        AccidentLeadKey.objects.bulk_create(
            [AccidentLeadKey(enterprise_id=pk, lead=lead) for pk, lead in expected[2].items()],
            batch_size=5000,
        )
    return report


# --- reading ------------------------------------------------------------------------------


def window_filter(
    start: dt.date, end: dt.date, month: str = "month", day: str = "day"
) -> tuple[Q | None, Q | None]:
    """The rows of the window [start, end]: (monthly filter, daily filter), either None."""
    whole, partial = tally.split(start, end)
    monthly = None if whole is None else Q(**{f"{month}__gte": whole[0], f"{month}__lte": whole[1]})
    daily = None if partial is None else Q(**{f"{day}__gte": partial[0], f"{day}__lte": partial[1]})
    return monthly, daily


def scoped(divisions: list[int] | None, dim: str) -> tuple[QuerySet, QuerySet]:
    """The monthly and daily counter rows of one dimension in the divisions (None: all)."""
    monthly = AccidentCount.objects.filter(dim=dim).order_by()
    daily = AccidentCountDay.objects.filter(dim=dim).order_by()
    if divisions is not None:
        monthly = monthly.filter(division__in=divisions)
        daily = daily.filter(division__in=divisions)
    return monthly, daily


def sums(prefix: str) -> dict[str, Any]:
    """The statistics' Counts as sums of counter rows (of one window: the caller filters)."""
    return {f"{prefix}{name}": Sum(name) for name in tally.COUNTERS}

"""The hazard rollup in the database: kept up to date by the hazard services (in their
transaction, with the hazard row locked), moved when the registry regroups an enterprise,
rebuilt and checked by a job, and read by the figures (anjian.reports.tally for the
arithmetic and the definitions).

* `hazard_tally_apply(enterprise_id=…, old=…, new=…)`: a hazard changed (old/new are
  `fact_of` before and after; None when it did not exist). Adds the difference with
  INSERT … ON CONFLICT … DO UPDATE SET n = n + excluded.n, so two transactions adding to
  one counter row both count (the row lock of the upsert serialises them).
* `hazard_tally_regroup(enterprise_ids=…)`: the registry changed enterprises' grid,
  industry or duties: their counters move to the new group.
* `hazard_tally_recount()`, `hazard_tally_check()`, `hazard_tally_rebuild()`: the full
  recount from the hazard table, the comparison, the repair (`anjian manage hazard_tally`).
* `tally_counts(...)`: the figures of a window per group, as hazard_figures.Counts.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, Sum

from anjian.core.counters import counters_add, lock_tables

from . import hazard_figures as hf
from . import tally
from .models import HazardDueDay, HazardNow, HazardTally, HazardTallyKey

KEY_FIELDS = ("division", "industry", "lead", "duties")


@dataclass(frozen=True)
class Key:
    division: int
    industry: int = 0
    lead: int = 0
    duties: str = ","

    def values(self) -> tuple[Any, ...]:
        return (self.division, self.industry, self.lead, self.duties)


def _tz() -> dt.tzinfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _local(moment: dt.datetime | None, tz: dt.tzinfo) -> dt.date | None:
    return None if moment is None else moment.astimezone(tz).date()


def fact_of(hazard: Any) -> tally.Fact:
    """The rollup's view of a hazard row (or of the values of one)."""
    tz = _tz()
    return _fact(
        hazard.reported_at,
        hazard.closed_at,
        hazard.deadline,
        hazard.level,
        hazard.funds,
        hazard.listed_at,
        tz,
    )


def _fact(reported, closed, deadline, level, funds, listed, tz) -> tally.Fact:
    return tally.Fact(
        reported_on=_local(reported, tz),  # type: ignore[arg-type]
        closed_on=_local(closed, tz),
        deadline=deadline,
        major=level == hf.MAJOR,
        funds=funds,
        listed_on=_local(listed, tz),
    )


# --- group keys ---------------------------------------------------------------------------


def current_keys(enterprise_ids: Iterable[int] | None = None) -> dict[int, Key]:
    """The group each enterprise belongs to now, from the registry (None: all)."""
    from anjian.registry.models import Enterprise
    from anjian.registry.tally import duty_departments

    enterprises = Enterprise.objects.order_by()
    ids = None if enterprise_ids is None else list(enterprise_ids)
    if ids is not None:
        enterprises = enterprises.filter(pk__in=ids)
    lead, held = duty_departments(ids)
    out = {}
    for pk, division_id, industry_id in enterprises.values_list(
        "pk", "division_id", "industry_id"
    ).iterator(chunk_size=20000):
        members = sorted(held.get(pk, ()))
        out[pk] = Key(
            division=division_id,
            industry=industry_id or 0,
            lead=lead.get(pk, 0),
            duties="," + "".join(f"{d}," for d in members),
        )
    return out


def _stored_key(enterprise_id: int) -> Key:
    """The key the enterprise's counters sit under, made from the registry the first time."""
    row = HazardTallyKey.objects.filter(pk=enterprise_id).values_list(*KEY_FIELDS).first()
    if row is not None:
        return Key(*row)
    key = current_keys([enterprise_id])[enterprise_id]
    _, _created = HazardTallyKey.objects.get_or_create(
        enterprise_id=enterprise_id, defaults=dict(zip(KEY_FIELDS, key.values(), strict=True))
    )
    row = HazardTallyKey.objects.filter(pk=enterprise_id).values_list(*KEY_FIELDS).get()
    return Key(*row)


# --- adding to the counters ---------------------------------------------------------------


def _add(key: Key, monthly: tally.Monthly, daily: tally.Daily) -> None:
    date = connection.ops.adapt_datefield_value
    counters_add(
        HazardTally,
        (*KEY_FIELDS, "month", "origin"),
        tally.MONTHLY,
        [
            (*key.values(), date(m), date(o), *(c.get(n, 0) for n in tally.MONTHLY))
            for (m, o), c in sorted(monthly.items())
        ],
    )
    counters_add(
        HazardDueDay,
        (*KEY_FIELDS, "day"),
        tally.DAILY,
        [
            (*key.values(), date(d), *(c.get(n, 0) for n in tally.DAILY))
            for d, c in sorted(daily.items())
        ],
    )
    now = tally.now_of(monthly)
    if any(now.values()):
        counters_add(
            HazardNow, KEY_FIELDS, tally.NOW, [(*key.values(), *(now[n] for n in tally.NOW))]
        )


def hazard_tally_apply(
    *, enterprise_id: int, old: tally.Fact | None, new: tally.Fact | None
) -> None:
    """Move the counters from a hazard's old facts to its new ones (inside the caller's
    transaction: the hazard and its counters change together or not at all)."""
    monthly, daily = tally.change(old, new)
    if monthly or daily:
        _add(_stored_key(enterprise_id), monthly, daily)


def hazard_tally_added(hazards: Iterable[Any]) -> None:
    """Count hazards inserted in bulk (an import), in the caller's transaction."""
    by_enterprise: dict[int, list[tally.Fact]] = defaultdict(list)
    for hazard in hazards:
        by_enterprise[hazard.enterprise_id].append(fact_of(hazard))
    for enterprise_id, facts in sorted(by_enterprise.items()):
        monthly, daily = tally.tally(facts)
        _add(_stored_key(enterprise_id), monthly, daily)


def _facts_of(enterprise_ids: list[int]) -> dict[int, list[tally.Fact]]:
    from anjian.hazards.models import Hazard

    tz = _tz()
    out: dict[int, list[tally.Fact]] = defaultdict(list)
    rows = (
        Hazard.objects.filter(enterprise_id__in=enterprise_ids)
        .order_by()
        .values_list(
            "enterprise_id", "reported_at", "closed_at", "deadline", "level", "funds", "listed_at"
        )
    )
    for enterprise_id, *values in rows.iterator(chunk_size=20000):
        out[enterprise_id].append(_fact(*values, tz))
    return out


def hazard_tally_regroup(*, enterprise_ids: Iterable[int] | None = None) -> int:
    """Move the counters of enterprises whose grid, industry or duties changed to their
    new group (None: look at every enterprise). Returns how many moved. Idempotent."""
    ids = None if enterprise_ids is None else sorted(set(enterprise_ids))
    moved = 0
    with transaction.atomic():
        stored = HazardTallyKey.objects.select_for_update().order_by("pk")
        if ids is not None:
            stored = stored.filter(pk__in=ids)
        old = {pk: Key(*rest) for pk, *rest in stored.values_list("pk", *KEY_FIELDS)}
        if not old:
            return 0
        now = current_keys(old)
        changed = [pk for pk in old if pk in now and now[pk] != old[pk]]
        for start in range(0, len(changed), 500):
            chunk = changed[start : start + 500]
            facts = _facts_of(chunk)
            for pk in chunk:
                monthly, daily = tally.tally(facts.get(pk, ()))
                negative = (
                    {k: {n: -v for n, v in c.items()} for k, c in monthly.items()},
                    {k: {n: -v for n, v in c.items()} for k, c in daily.items()},
                )
                _add(old[pk], *negative)
                _add(now[pk], monthly, daily)
                HazardTallyKey.objects.filter(pk=pk).update(
                    **dict(zip(KEY_FIELDS, now[pk].values(), strict=True))
                )
                moved += 1
    return moved


# --- the full recount ---------------------------------------------------------------------


@dataclass
class Recount:
    monthly: dict[tuple[Key, dt.date, dt.date], dict[str, int]]
    daily: dict[tuple[Key, dt.date], dict[str, int]]
    keys: dict[int, Key]
    now: dict[Key, dict[str, int]] = field(default_factory=dict)


def hazard_tally_recount() -> Recount:
    """Every counter counted again from the hazard table, under the registry's groups."""
    from anjian.hazards.models import Hazard

    tz = _tz()
    with_hazards = set(Hazard.objects.order_by().values_list("enterprise_id", flat=True).distinct())
    keys = {pk: k for pk, k in current_keys().items() if pk in with_hazards}
    monthly: dict[tuple[Key, dt.date, dt.date], dict[str, int]] = {}
    daily: dict[tuple[Key, dt.date], dict[str, int]] = {}
    rows = Hazard.objects.order_by().values_list(
        "enterprise_id", "reported_at", "closed_at", "deadline", "level", "funds", "listed_at"
    )
    for enterprise_id, *values in rows.iterator(chunk_size=20000):
        key = keys[enterprise_id]
        m, d = tally.contributions(_fact(*values, tz))
        for (month, origin), counters in m.items():
            tally.merge(monthly, {(key, month, origin): counters})
        for day, counters in d.items():
            tally.merge(daily, {(key, day): counters})
    monthly = tally._clean(monthly)
    per_key: dict[Key, dict[Any, dict[str, int]]] = defaultdict(dict)
    for (key, month, origin), counters in monthly.items():
        per_key[key][(month, origin)] = counters
    now = {key: tally.now_of(rows) for key, rows in per_key.items()}
    now = {key: c for key, c in now.items() if any(c.values())}
    return Recount(monthly, tally._clean(daily), keys, now)


def _stored() -> Recount:
    monthly = {}
    for row in (
        HazardTally.objects.order_by()
        .values(*KEY_FIELDS, "month", "origin", *tally.MONTHLY)
        .iterator(chunk_size=20000)
    ):
        counters = {n: row[n] for n in tally.MONTHLY if row[n]}
        if counters:
            key = Key(*(row[f] for f in KEY_FIELDS))
            monthly[(key, row["month"], row["origin"])] = counters
    daily = {}
    for row in (
        HazardDueDay.objects.order_by()
        .values(*KEY_FIELDS, "day", *tally.DAILY)
        .iterator(chunk_size=20000)
    ):
        counters = {n: row[n] for n in tally.DAILY if row[n]}
        if counters:
            daily[(Key(*(row[f] for f in KEY_FIELDS)), row["day"])] = counters
    keys = {pk: Key(*rest) for pk, *rest in HazardTallyKey.objects.values_list("pk", *KEY_FIELDS)}
    now = {}
    for row in HazardNow.objects.order_by().values_list(*KEY_FIELDS, *tally.NOW):
        counters = dict(zip(tally.NOW, row[len(KEY_FIELDS) :], strict=True))
        if any(counters.values()):
            now[Key(*row[: len(KEY_FIELDS)])] = counters
    return Recount(monthly, daily, keys, now)


def _differences(expected: Recount, stored: Recount, limit: int = 20) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("monthly", "daily"):
        want, have = getattr(expected, name), getattr(stored, name)
        wrong = [k for k in set(want) | set(have) if want.get(k) != have.get(k)]
        out[name] = {
            "rows_expected": len(want),
            "rows_stored": len(have),
            "rows_wrong": len(wrong),
            "examples": [
                {
                    "key": [str(p) for p in (k[0].values() + k[1:])],
                    "expected": want.get(k, {}),
                    "stored": have.get(k, {}),
                }
                for k in sorted(wrong, key=str)[:limit]
            ],
        }
    moved = [pk for pk, key in expected.keys.items() if stored.keys.get(pk, key) != key]
    out["keys_stale"] = len(moved)
    now_wrong = [
        k for k in set(expected.now) | set(stored.now) if expected.now.get(k) != stored.now.get(k)
    ]
    out["now_rows_wrong"] = len(now_wrong)
    out["ok"] = not (
        out["monthly"]["rows_wrong"] or out["daily"]["rows_wrong"] or moved or now_wrong
    )
    return out


def hazard_tally_check() -> dict[str, Any]:
    """Compare the counters with a full recount; changes nothing."""
    with transaction.atomic():
        lock_tables(HazardTally, HazardDueDay, HazardTallyKey, HazardNow)
        return _differences(hazard_tally_recount(), _stored())


def hazard_tally_rebuild() -> dict[str, Any]:
    """Replace the counters by a full recount (the repair, and the first load). Returns
    what was wrong before, as hazard_tally_check does."""
    with transaction.atomic():
        lock_tables(HazardTally, HazardDueDay, HazardTallyKey, HazardNow)
        expected = hazard_tally_recount()
        report = _differences(expected, _stored())
        if report["ok"]:
            return report
        for model in (HazardTally, HazardDueDay, HazardTallyKey, HazardNow):
            model.objects.all().delete()
        HazardNow.objects.bulk_create(
            [
                HazardNow(**dict(zip(KEY_FIELDS, key.values(), strict=True)), **c)
                for key, c in expected.now.items()
            ],
            batch_size=5000,
        )
        HazardTallyKey.objects.bulk_create(
            [
                HazardTallyKey(enterprise_id=pk, **dict(zip(KEY_FIELDS, k.values(), strict=True)))
                for pk, k in expected.keys.items()
            ],
            batch_size=5000,
        )
        HazardTally.objects.bulk_create(
            [
                HazardTally(
                    **dict(zip(KEY_FIELDS, key.values(), strict=True)),
                    month=month,
                    origin=origin,
                    **counters,
                )
                for (key, month, origin), counters in expected.monthly.items()
            ],
            batch_size=5000,
        )
        HazardDueDay.objects.bulk_create(
            [
                HazardDueDay(**dict(zip(KEY_FIELDS, key.values(), strict=True)), day=day, **c)
                for (key, day), c in expected.daily.items()
            ],
            batch_size=5000,
        )
    return report


# --- reading ------------------------------------------------------------------------------


GROUP_COLUMNS = {"division": "division", "industry": "industry", "department": "lead", None: None}


def usable(start: dt.date, end: dt.date, on: dt.date, today: dt.date) -> bool:
    """Monthly counters describe `on` exactly when nothing after it within its month can
    exist: `on` is the period's last day, or today (see anjian.reports.tally)."""
    return start.day == 1 and on in (end, today)


def tally_counts(
    *,
    start: dt.date,
    end: dt.date,
    on: dt.date,
    divisions: list[int] | None = None,
    department: int | None = None,
    group_by: str | None = None,
    industries: list[int] | None = None,
    lead: int | None = None,
) -> dict[Any, dict[str, Any]]:
    """Per group (grid id, industry id, lead department id; None for a total; 0 keys
    become None), the window's figures: hazard_figures.Counts plus open and listed.

    Three reads, none of them over all history: the monthly counters from the period's
    first month on (the period's flows; found-and-fixed; and the months after the as-of
    day's, which the stocks subtract), the all-time sums per group (HazardNow), and the
    daily overdue counters of the days after the as-of day within its month."""
    window = tally.Window(start, end, on)
    om = window.on_month
    month_end = tally.month_end(on)
    scope = Q()
    if divisions is not None:
        scope &= Q(division__in=divisions)
    if department is not None:
        scope &= Q(duties__contains=f",{int(department)},")
    # The hazard ledger's filters (anjian.hazards.ledger.chip_counts): an industry with
    # its sub-sectors, the lead department.
    if industries is not None:
        scope &= Q(industry__in=industries)
    if lead is not None:
        scope &= Q(lead=int(lead))
    column = GROUP_COLUMNS[group_by]
    in_period = Q(month__lte=end)
    after = Q(month__gt=om)
    monthly = HazardTally.objects.filter(scope, month__gte=start).order_by()
    aggregates = {
        "found": Sum("found", filter=in_period),
        "major_found": Sum("major_found", filter=in_period),
        "fixed": Sum("fixed", filter=in_period),
        "on_time": Sum("on_time", filter=in_period),
        "major_fixed": Sum("major_fixed", filter=in_period),
        "funds_cents": Sum("funds_cents", filter=in_period),
        "listed": Sum("listed", filter=in_period),
        "found_fixed": Sum("fixed", filter=Q(origin__gte=start, origin__lte=end, month__lte=om)),
        "open_after": Sum(F("found") - F("fixed"), filter=after),
        "major_after": Sum(F("major_found") - F("major_fixed"), filter=after),
        "due_after": Sum(F("due_in") - F("due_out"), filter=after),
    }
    # Aliased: an aggregate named like a column would shadow it in the next expression.
    aliased = {f"t_{name}": expression for name, expression in aggregates.items()}
    now = HazardNow.objects.filter(scope).order_by()
    totals = {"t_open": Sum("open"), "t_major": Sum("major_open"), "t_due": Sum("due")}
    daily = HazardDueDay.objects.filter(scope, day__gt=on, day__lte=month_end).order_by()
    due = {"t_due_days": Sum(F("due_in") - F("due_out"))}
    if column is None:
        rows = {None: monthly.aggregate(**aliased)}
        nows = {None: now.aggregate(**totals)}
        days = {None: daily.aggregate(**due)}
    else:
        rows = {r[column]: r for r in monthly.values(column).annotate(**aliased)}
        nows = {r[column]: r for r in now.values(column).annotate(**totals)}
        days = {r[column]: r for r in daily.values(column).annotate(**due)}
    out: dict[Any, dict[str, Any]] = {}
    for group in set(rows) | set(nows) | set(days):
        row = rows.get(group) or {}
        n = nows.get(group) or {}
        values = {name: int(row.get(f"t_{name}") or 0) for name in aggregates}
        later_days = int((days.get(group) or {}).get("t_due_days") or 0)
        values["open"] = int(n.get("t_open") or 0) - values.pop("open_after")
        values["major_open"] = int(n.get("t_major") or 0) - values.pop("major_after")
        values["overdue_open"] = int(n.get("t_due") or 0) - values.pop("due_after") - later_days
        out[group or None] = values
    return out


def counts_of(values: Mapping[str, Any]) -> hf.Counts:
    """hazard_figures.Counts from a tally_counts row."""
    return hf.Counts(
        **{name: int(values.get(name, 0)) for name in hf.COUNT_FIELDS},
        funds=(Decimal(int(values.get("funds_cents", 0))) / 100).quantize(hf.CENT),
    )

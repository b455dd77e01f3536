"""The enterprise rollup: how many enterprises per group (grid, lead department, the set
of departments with a duty, status, key-supervision flags, safety-code colour), for the
home page's key figures, the safety-code tile and the lists' totals.

Why: the figures tile counted the user's whole scope on every home page view (one
aggregate over every enterprise in scope with an anti-join on the duties for the
supervision gaps): 100-300 ms at 100,000 enterprises on PostgreSQL, more on a busy
machine. The counters answer the same figures by summing a few thousand rows.

* `enterprise_tally_refresh(enterprise_ids=…)`: the registry services call it inside
  their transaction after changing enterprises (created; grid, status or flags changed;
  duties rederived or overridden). It compares each enterprise's stored group with the
  registry and moves its count; idempotent, so calling it for an unchanged enterprise
  costs two small queries and changes nothing.
* `enterprise_tally_recolour(colours=…)`: the risk services after safety codes changed
  colour (one enterprise, or a batch of the daily job): only the colour column moves.
* `enterprise_tally_check()` / `enterprise_tally_rebuild()`: compare with a full recount
  / rewrite (`anjian manage enterprise_tally [--check | --repair]`, nightly; the demo and
  the benchmark load in bulk and rebuild once).
* `tally_figures(user)`: the figures of the user's scope, or None when the scope is not
  a union of groups (the caller then counts the enterprise table).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import astuple, dataclass, replace
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum

from anjian.core import scoping
from anjian.core.counters import counters_add, lock_tables

from .models import (
    TALLY_KEY_FIELDS,
    DutyAssignment,
    DutyRole,
    Enterprise,
    EnterpriseStatus,
    EnterpriseTally,
    EnterpriseTallyKey,
)

KEY_FIELDS = TALLY_KEY_FIELDS
CHUNK = 2000


@dataclass(frozen=True)
class Key:
    division: int
    industry: int
    lead: int
    duties: str
    status: str
    major_hazard: bool
    key_process: bool
    key_chemical: bool
    code_colour: str = ""

    def values(self) -> tuple[Any, ...]:
        return astuple(self)


def _chunks(ids: list[int], size: int = CHUNK) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def duty_departments(
    enterprise_ids: list[int] | None = None,
) -> tuple[dict[int, int], dict[int, set[int]]]:
    """(enterprise → lead department, enterprise → every department with a duty), from
    the duty assignments (None: all enterprises); shared by the rollups' group keys."""
    duties = DutyAssignment.objects.order_by()
    if enterprise_ids is not None:
        duties = duties.filter(enterprise_id__in=enterprise_ids)
    lead: dict[int, int] = {}
    held: dict[int, set[int]] = defaultdict(set)
    for enterprise_id, department_id, role in duties.values_list(
        "enterprise_id", "department_id", "role"
    ).iterator(chunk_size=20000):
        held[enterprise_id].add(department_id)
        if role == DutyRole.LEAD:
            lead[enterprise_id] = department_id
    return lead, held


def current_keys(enterprise_ids: Iterable[int] | None = None) -> dict[int, Key]:
    """The group each enterprise belongs to now, from the registry (None: all)."""
    enterprises = Enterprise.objects.order_by()
    ids = None if enterprise_ids is None else list(enterprise_ids)
    if ids is not None:
        enterprises = enterprises.filter(pk__in=ids)
    lead, held = duty_departments(ids)
    out = {}
    rows = enterprises.values_list(
        "pk",
        "division_id",
        "industry_id",
        "status",
        "has_major_hazard",
        "has_key_process",
        "has_key_chemical",
        # The risk state's one-to-one back to the enterprise (a LEFT JOIN): the colour is
        # read where the registry's other groups are, without the registry importing the
        # risk app. NULL: no code computed yet.
        "risk_state__code_colour",
    )
    for pk, division_id, industry_id, status, major, process, chemical, colour in rows.iterator(
        chunk_size=20000
    ):
        out[pk] = Key(
            division=division_id,
            industry=industry_id,
            lead=lead.get(pk, 0),
            duties="," + "".join(f"{d}," for d in sorted(held.get(pk, ()))),
            status=status,
            major_hazard=major,
            key_process=process,
            key_chemical=chemical,
            code_colour=colour or "",
        )
    return out


def _locked_keys(ids: list[int]) -> dict[int, Key]:
    """The stored groups of these enterprises, locked in id order (so two moves cannot
    deadlock): a concurrent move of the same enterprise waits, then sees this one's."""
    return {
        pk: Key(*rest)
        for pk, *rest in EnterpriseTallyKey.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", *KEY_FIELDS)
    }


def enterprise_tally_refresh(*, enterprise_ids: Iterable[int]) -> int:
    """Count these enterprises under their group now (inside the caller's transaction:
    the registry and its counters change together or not at all). Returns how many
    enterprises moved. Idempotent."""
    ids = sorted(set(enterprise_ids))
    moved = 0
    with transaction.atomic():
        for chunk in _chunks(ids):
            stored = _locked_keys(chunk)
            now = current_keys(chunk)
            delta: Counter[Key] = Counter()
            changed = []
            for pk in chunk:
                old, new = stored.get(pk), now.get(pk)
                if old == new:
                    continue
                if old is not None:
                    delta[old] -= 1
                if new is not None:
                    delta[new] += 1
                changed.append(pk)
            if not changed:
                continue
            counters_add(
                EnterpriseTally,
                KEY_FIELDS,
                ("n",),
                [(*key.values(), n) for key, n in sorted(delta.items(), key=_order) if n],
            )
            EnterpriseTallyKey.objects.filter(pk__in=changed).delete()
            EnterpriseTallyKey.objects.bulk_create(
                [_key_row(pk, now[pk]) for pk in changed if pk in now]
            )
            moved += len(changed)
    return moved


def enterprise_tally_recolour(*, colours: Mapping[int, str]) -> int:
    """The risk services' move: these enterprises' safety codes now have these colours
    (enterprise id → colour). Only the colour of each stored group changes, so the
    registry is not read again (refresh reads every group column; the daily job recolours
    up to 100,000 enterprises a night). Enterprises without a stored group yet are
    refreshed. Inside the caller's transaction; idempotent; returns how many moved."""
    ids = sorted(colours)
    moved = 0
    unknown: list[int] = []
    with transaction.atomic():
        for chunk in _chunks(ids):
            stored = _locked_keys(chunk)
            unknown.extend(pk for pk in chunk if pk not in stored)
            delta: Counter[Key] = Counter()
            to_colour: dict[str, list[int]] = defaultdict(list)
            for pk, old in stored.items():
                colour = colours[pk] or ""
                if old.code_colour == colour:
                    continue
                delta[old] -= 1
                delta[replace(old, code_colour=colour)] += 1
                to_colour[colour].append(pk)
            counters_add(
                EnterpriseTally,
                KEY_FIELDS,
                ("n",),
                [(*key.values(), n) for key, n in sorted(delta.items(), key=_order) if n],
            )
            for colour, pks in to_colour.items():
                EnterpriseTallyKey.objects.filter(pk__in=pks).update(code_colour=colour)
                moved += len(pks)
        if unknown:
            moved += enterprise_tally_refresh(enterprise_ids=unknown)
    return moved


def _order(item: tuple[Key, int]) -> tuple[Any, ...]:
    # Counter rows are upserted in a fixed order, so two transactions that touch the same
    # rows take their locks in the same order.
    return item[0].values()


def _key_row(pk: int, key: Key) -> EnterpriseTallyKey:
    return EnterpriseTallyKey(enterprise_id=pk, **dict(zip(KEY_FIELDS, key.values(), strict=True)))


# --- the full recount -----------------------------------------------------------------------


def _stored() -> tuple[dict[Key, int], dict[int, Key]]:
    counts = {
        Key(*row[:-1]): row[-1]
        for row in EnterpriseTally.objects.exclude(n=0).values_list(*KEY_FIELDS, "n")
    }
    keys = {
        pk: Key(*rest)
        for pk, *rest in EnterpriseTallyKey.objects.values_list("pk", *KEY_FIELDS).iterator(
            chunk_size=20000
        )
    }
    return counts, keys


def _differences(
    expected: tuple[dict[Key, int], dict[int, Key]],
    stored: tuple[dict[Key, int], dict[int, Key]],
    limit: int = 20,
) -> dict[str, Any]:
    (want, want_keys), (have, have_keys) = expected, stored
    wrong = [k for k in set(want) | set(have) if want.get(k, 0) != have.get(k, 0)]
    stale = [pk for pk in set(want_keys) | set(have_keys) if want_keys.get(pk) != have_keys.get(pk)]
    return {
        "rows_expected": len(want),
        "rows_stored": len(have),
        "rows_wrong": len(wrong),
        "keys_stale": len(stale),
        "examples": [
            {"key": list(k.values()), "expected": want.get(k, 0), "stored": have.get(k, 0)}
            for k in sorted(wrong, key=lambda k: tuple(map(str, k.values())))[:limit]
        ],
        "ok": not (wrong or stale),
    }


def _recount() -> tuple[dict[Key, int], dict[int, Key]]:
    keys = current_keys()
    return dict(Counter(keys.values())), keys


def enterprise_tally_check() -> dict[str, Any]:
    """Compare the counters with a full recount of the registry; changes nothing."""
    with transaction.atomic():
        lock_tables(EnterpriseTally, EnterpriseTallyKey)
        return _differences(_recount(), _stored())


def enterprise_tally_rebuild() -> dict[str, Any]:
    """Replace the counters by a full recount when they differ (the repair, and the first
    load after a bulk import). Returns what was wrong before, as the check does."""
    with transaction.atomic():
        lock_tables(EnterpriseTally, EnterpriseTallyKey)
        expected = _recount()
        report = _differences(expected, _stored())
        if report["ok"]:
            return report
        EnterpriseTally.objects.all().delete()
        EnterpriseTallyKey.objects.all().delete()
        counts, keys = expected
        EnterpriseTally.objects.bulk_create(
            [
                EnterpriseTally(**dict(zip(KEY_FIELDS, key.values(), strict=True)), n=n)
                for key, n in counts.items()
            ],
            batch_size=5000,
        )
        EnterpriseTallyKey.objects.bulk_create(
            [_key_row(pk, key) for pk, key in keys.items()], batch_size=5000
        )
    return report


# --- reading ----------------------------------------------------------------------------------


def tally_scope(user: Any) -> Q | None:
    """The user's enterprises as a condition on the counter rows, when they are a union of
    groups (scoping.visible_enterprises says who sees what); None otherwise."""
    grouped = scoping.grouped_scope(user)
    if grouped is not None:
        (divisions,) = grouped
        return Q() if divisions is None else Q(division__in=divisions)
    duty = scoping.department_duty_scope(user)
    if duty is not None:
        # The enterprises in the officer's subtree its department holds a duty for (the
        # subtree from scoping's per-request cache: the page's other tiles share it).
        divisions, department = duty
        return Q(division__in=divisions) & Q(duties__contains=f",{department},")
    return None


def tally_figures(user: Any) -> dict[str, int] | None:
    """The key figures of the user's scope (the names registry.home_tiles.figures uses),
    summed from the counters; None when the scope is not a union of groups."""
    scope = tally_scope(user)
    if scope is None:
        return None
    two_key = Q(major_hazard=True) | Q(key_process=True) | Q(key_chemical=True)
    sums = {
        "total": Sum("n"),
        "two_key": Sum("n", filter=two_key),
        "major_hazard": Sum("n", filter=Q(major_hazard=True)),
        "key_process": Sum("n", filter=Q(key_process=True)),
        "key_chemical": Sum("n", filter=Q(key_chemical=True)),
        "gaps": Sum("n", filter=Q(lead=0)),
        **{
            f"status_{value}": Sum("n", filter=Q(status=value)) for value in EnterpriseStatus.values
        },
    }
    row = EnterpriseTally.objects.filter(scope).aggregate(**sums)
    return {name: int(value or 0) for name, value in row.items()}


def tally_colours(user: Any) -> dict[str, int] | None:
    """The enterprises of the user's scope by safety-code colour (those without a code
    left out), summed from the counters; None when the scope is not a union of groups."""
    scope = tally_scope(user)
    if scope is None:
        return None
    rows = (
        EnterpriseTally.objects.filter(scope)
        .exclude(code_colour="")
        .values("code_colour")
        .annotate(total=Sum("n"))
        .order_by()
    )
    return {row["code_colour"]: int(row["total"]) for row in rows if row["total"]}


__all__ = [
    "KEY_FIELDS",
    "Key",
    "current_keys",
    "enterprise_tally_check",
    "enterprise_tally_rebuild",
    "enterprise_tally_recolour",
    "enterprise_tally_refresh",
    "tally_colours",
    "tally_figures",
    "tally_scope",
]

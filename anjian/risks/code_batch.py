"""The daily safety-code job's batch plan and writes (used by
services.safety_codes_recompute_all; not a public API).

One batch = a range of enterprise ids. The plan reads what is stored (one query), computes
every code (memoised per distinct inputs: at 100,000 enterprises there are a few hundred
distinct input combinations) and compares with the stored code without decoding the same
stored JSON twice. The writes are set-based:

* PostgreSQL: history rows by COPY with ids taken from the table's sequence beforehand;
  states by one `UPDATE … FROM unnest(arrays)` and one `INSERT … SELECT unnest(arrays) ON
  CONFLICT DO NOTHING`; validity by one `UPDATE … WHERE enterprise_id = ANY(array)`. A
  fixed SQL text with a few array parameters instead of Django's bulk_update (a CASE per
  row and field) or one statement per row.
* SQLite: the ORM's bulk_create and one executemany (already the fast path there).

Concurrency: batches take a transaction-level advisory lock (PostgreSQL; SQLite's
IMMEDIATE transactions serialise writers anyway), so two runs at once take turns batch by
batch and the second finds nothing to change. Against other writers (a single recompute),
a state moves to a new code only if its code is still the one the plan read (`code_id IS
NOT DISTINCT FROM` the old id, re-checked by PostgreSQL after waiting for the other
writer's row lock); the history row of a move that lost is deleted in the same
transaction, so a change is never recorded twice.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from anjian.registry.tally import enterprise_tally_recolour

from . import safety_code as code_rules
from .models import RiskState, SafetyCode, new_verify_token


@dataclass(frozen=True)
class Computed:
    """One computed code, shared by every enterprise with the same inputs."""

    colour: str
    score: str
    terms: list[dict[str, Any]]
    terms_json: str
    policy: str
    reason: str


@dataclass
class Move:
    enterprise_id: int
    highest_colour: str
    code_colour: str
    old_code_id: int | None  # None: no state row yet (or a state without a code)
    code: Computed | None  # None: the code stays, only the highest colour moved
    new_state: bool = False
    new_code_id: int | None = None


@dataclass
class Plan:
    enterprise_ids: list[int]
    moves: list[Move] = field(default_factory=list)
    # States that exist and keep their values: they only get a new validity.
    unchanged: list[int] = field(default_factory=list)
    # Enterprises whose code colour changes (or gets its first one): counted by colour in
    # the enterprise rollup (anjian.registry.tally), from the colour the batch leaves.
    recoloured: list[int] = field(default_factory=list)


class Memo:
    """Per-job caches: computed codes by inputs, parsed stored terms by their text, and
    whether a stored text equals a computed code's terms."""

    def __init__(self, policy: code_rules.Policy) -> None:
        self.policy = policy
        self.computed: dict[code_rules.Inputs, Computed] = {}
        self.same: dict[tuple[str, str], bool] = {}
        self.parsed: dict[str, Any] = {}

    def compute(self, inputs: code_rules.Inputs) -> Computed:
        found = self.computed.get(inputs)
        if found is None:
            result = code_rules.compute(inputs, self.policy)
            terms = result.as_dict()["terms"]
            found = Computed(
                colour=result.colour,
                score=str(result.score),
                terms=terms,
                terms_json=json.dumps(terms, ensure_ascii=False),
                policy=result.policy,
                reason=result.reason[:255],
            )
            self.computed[inputs] = found
        return found

    def terms_equal(self, stored: Any, computed: Computed) -> bool:
        # PostgreSQL hands jsonb over as text (Django's loader), SQLite stores text; a
        # backend that decodes JSON itself gives a list.
        if not isinstance(stored, str):
            return stored == computed.terms
        key = (stored, computed.terms_json)
        same = self.same.get(key)
        if same is None:
            parsed = self.parsed.get(stored)
            if parsed is None:
                parsed = self.parsed[stored] = json.loads(stored)
            same = self.same[key] = parsed == computed.terms
        return same


def read_states(lo: int, hi: int) -> dict[int, tuple]:
    """(highest colour, code id, colour, score, terms text, policy) per enterprise with a
    state in [lo, hi], one query; terms stay undecoded (Memo.terms_equal decodes each
    distinct text once)."""
    connection = transaction.get_connection()
    q = connection.ops.quote_name
    state, code = RiskState._meta.db_table, SafetyCode._meta.db_table
    sql = (
        f"SELECT s.{q('enterprise_id')}, s.{q('highest_colour')}, s.{q('code_id')}, "  # noqa: S608 - identifiers from the models, values bound
        f"c.{q('colour')}, c.{q('score')}, c.{q('terms')}, c.{q('policy')} "
        f"FROM {q(state)} s LEFT JOIN {q(code)} c ON c.{q('id')} = s.{q('code_id')} "
        f"WHERE s.{q('enterprise_id')} >= %s AND s.{q('enterprise_id')} <= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [lo, hi])
        return {row[0]: row[1:] for row in cursor.fetchall()}


def plan_batch(enterprise_ids: list[int], inputs: dict[int, code_rules.Inputs], memo: Memo) -> Plan:
    """What the batch must write; reads the stored states, writes nothing."""
    stored = read_states(enterprise_ids[0], enterprise_ids[-1])
    plan = Plan(enterprise_ids)
    for pk in enterprise_ids:
        computed = memo.compute(inputs[pk])
        highest = inputs[pk].highest_unit_colour
        row = stored.get(pk)
        if row is None:
            plan.moves.append(Move(pk, highest, computed.colour, None, computed, new_state=True))
            plan.recoloured.append(pk)
            continue
        old_highest, code_id, colour, score, terms, policy = row
        if colour != computed.colour:
            plan.recoloured.append(pk)
        code_changed = (
            code_id is None
            or colour != computed.colour
            or score != computed.score
            or policy != computed.policy
            or not memo.terms_equal(terms, computed)
        )
        if code_changed:
            plan.moves.append(Move(pk, highest, computed.colour, code_id, computed))
        elif old_highest != highest:
            plan.moves.append(Move(pk, highest, computed.colour, code_id, None))
        else:
            plan.unchanged.append(pk)
    return plan


# pg_advisory_xact_lock key: the job's batches, from any process, one at a time.
BATCH_LOCK = 0x616E_6A69_616E_5343  # "anjianSC"


def lock_batch() -> None:
    """Serialise batches of concurrent runs (PostgreSQL; SQLite serialises writers by its
    IMMEDIATE transactions): the second run's batch then reads what the first wrote and
    finds nothing to change, instead of two runs racing on the same rows (which the
    conditional writes below would also survive, at the price of possible deadlocks)."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BATCH_LOCK])


def apply_plan(plan: Plan, *, trigger: str, now: dt.datetime, valid_until: dt.datetime) -> int:
    """Write the plan inside the caller's transaction; returns the history rows written."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        written = _apply_postgresql(connection, plan, trigger, now, valid_until)
    else:
        written = _apply_orm(connection, plan, trigger, now, valid_until)
    if plan.recoloured:
        # Idempotent: a colour already counted is not moved again, so a move another run
        # won is counted once. The colours are read back from the states this batch left
        # (a move lost to another writer keeps that writer's colour).
        enterprise_tally_recolour(
            colours=dict(
                RiskState.objects.filter(enterprise_id__in=plan.recoloured).values_list(
                    "enterprise_id", "code_colour"
                )
            )
        )
    return written


def _history_row(move: Move, trigger: str, now: dt.datetime) -> SafetyCode:
    code = move.code
    assert code is not None
    return SafetyCode(
        id=move.new_code_id,
        enterprise_id=move.enterprise_id,
        colour=code.colour,
        score=code.score,
        terms=code.terms,
        policy=code.policy,
        reason=code.reason,
        computed_at=now,
        trigger=trigger,
    )


def _apply_orm(connection, plan, trigger, now, valid_until) -> int:
    """Any backend (SQLite in practice): writers are serialised, so the plan read in this
    transaction is still current; the conditional WHERE keeps the rule the same anyway."""
    q = connection.ops.quote_name
    table = q(RiskState._meta.db_table)
    # Same rule as PostgreSQL's conditional UPDATE: a move stands only if the state still
    # points at the code the plan read (it may have been planned in another transaction).
    now_stored = dict(
        RiskState.objects.filter(
            enterprise_id__in=[m.enterprise_id for m in plan.moves]
        ).values_list("enterprise_id", "code_id")
    )
    plan.moves = [
        m
        for m in plan.moves
        if (m.new_state and m.enterprise_id not in now_stored)
        or (
            not m.new_state
            and m.enterprise_id in now_stored
            and now_stored[m.enterprise_id] == m.old_code_id
        )
    ]
    with_code = [m for m in plan.moves if m.code is not None]
    created = SafetyCode.objects.bulk_create([_history_row(m, trigger, now) for m in with_code])
    for move, code in zip(with_code, created, strict=True):
        move.new_code_id = code.pk
    new_states = [m for m in plan.moves if m.new_state]
    RiskState.objects.bulk_create(
        [
            RiskState(
                enterprise_id=m.enterprise_id,
                highest_colour=m.highest_colour,
                code_id=m.new_code_id,
                code_colour=m.code_colour,
                checked_at=now,
                valid_until=valid_until,
            )
            for m in new_states
        ]
    )
    moved = [m for m in plan.moves if not m.new_state]
    if moved:
        sql = (
            f"UPDATE {table} SET {q('highest_colour')} = %s, {q('code_id')} = %s, "  # noqa: S608 - identifiers from the model, values bound
            f"{q('code_colour')} = %s, {q('checked_at')} = %s, {q('valid_until')} = %s "
            f"WHERE {q('enterprise_id')} = %s"
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                sql,
                [
                    (
                        m.highest_colour,
                        m.new_code_id or m.old_code_id,
                        m.code_colour,
                        now,
                        valid_until,
                        m.enterprise_id,
                    )
                    for m in moved
                ],
            )
    if plan.unchanged:
        RiskState.objects.filter(enterprise_id__in=plan.unchanged).update(
            checked_at=now, valid_until=valid_until
        )
    return len(created)


_CODE_COLUMNS = (
    "id",
    "enterprise_id",
    "colour",
    "score",
    "terms",
    "policy",
    "reason",
    "computed_at",
    "trigger",
    "token",
)


def _apply_postgresql(connection, plan, trigger, now, valid_until) -> int:
    q = connection.ops.quote_name
    state_table, code_table = q(RiskState._meta.db_table), q(SafetyCode._meta.db_table)
    with_code = [m for m in plan.moves if m.code is not None]
    with connection.cursor() as cursor:
        if with_code:
            # Ids from the table's own sequence, so the rows can be loaded by COPY (which
            # returns nothing) and the states pointed at them.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [SafetyCode._meta.db_table, len(with_code)],
            )
            for move, (new_id,) in zip(with_code, cursor.fetchall(), strict=True):
                move.new_code_id = new_id
            # History first: the state's foreign key may be checked immediately (an
            # enclosing transaction may have run SET CONSTRAINTS ALL IMMEDIATE, as
            # audit_append does). Rows of moves that lose the race are deleted below.
            columns = ", ".join(q(c) for c in _CODE_COLUMNS)
            # COPY is PostgreSQL's bulk load path; the raw psycopg cursor provides it.
            with cursor.cursor.copy(f"COPY {code_table} ({columns}) FROM STDIN") as copy:
                for m in with_code:
                    code = m.code
                    copy.write_row(
                        (
                            m.new_code_id,
                            m.enterprise_id,
                            code.colour,
                            code.score,
                            code.terms_json,
                            code.policy,
                            code.reason,
                            now,
                            trigger,
                            new_verify_token(),
                        )
                    )
        won: set[int] = set()
        moved = [m for m in plan.moves if not m.new_state]
        if moved:
            cursor.execute(
                f"UPDATE {state_table} AS s SET {q('highest_colour')} = v.highest, "  # noqa: S608 - identifiers from the model, values bound
                f"{q('code_id')} = v.new_code, {q('code_colour')} = v.colour, "
                f"{q('checked_at')} = %s, {q('valid_until')} = %s "
                "FROM unnest(%s::bigint[], %s::varchar[], %s::bigint[], %s::varchar[], "
                "%s::bigint[]) AS v(enterprise_id, highest, new_code, colour, old_code) "
                f"WHERE s.{q('enterprise_id')} = v.enterprise_id "
                f"AND s.{q('code_id')} IS NOT DISTINCT FROM v.old_code "
                f"RETURNING s.{q('enterprise_id')}",
                [
                    now,
                    valid_until,
                    [m.enterprise_id for m in moved],
                    [m.highest_colour for m in moved],
                    [m.new_code_id or m.old_code_id for m in moved],
                    [m.code_colour for m in moved],
                    [m.old_code_id for m in moved],
                ],
            )
            won.update(pk for (pk,) in cursor.fetchall())
        new_states = [m for m in plan.moves if m.new_state]
        if new_states:
            cursor.execute(
                f"INSERT INTO {state_table} ({q('enterprise_id')}, {q('highest_colour')}, "  # noqa: S608 - identifiers from the model, values bound
                f"{q('code_id')}, {q('code_colour')}, {q('checked_at')}, {q('valid_until')}) "
                "SELECT v.enterprise_id, v.highest, v.new_code, v.colour, %s, %s "
                "FROM unnest(%s::bigint[], %s::varchar[], %s::bigint[], %s::varchar[]) "
                "AS v(enterprise_id, highest, new_code, colour) "
                f"ON CONFLICT ({q('enterprise_id')}) DO NOTHING RETURNING {q('enterprise_id')}",
                [
                    now,
                    valid_until,
                    [m.enterprise_id for m in new_states],
                    [m.highest_colour for m in new_states],
                    [m.new_code_id for m in new_states],
                    [m.code_colour for m in new_states],
                ],
            )
            won.update(pk for (pk,) in cursor.fetchall())
        lost = [m.new_code_id for m in with_code if m.enterprise_id not in won]
        if lost:
            # Another writer moved these states first: their rows say it already.
            cursor.execute(
                f"DELETE FROM {code_table} WHERE {q('id')} = ANY(%s::bigint[])",  # noqa: S608 - identifiers from the model, values bound
                [lost],
            )
        if plan.unchanged:
            cursor.execute(
                f"UPDATE {state_table} SET {q('checked_at')} = %s, {q('valid_until')} = %s "  # noqa: S608 - identifiers from the model, values bound
                f"WHERE {q('enterprise_id')} = ANY(%s::bigint[])",
                [now, valid_until, plan.unchanged],
            )
    return len(with_code) - len(lost)

"""Benchmark hazards: N hazards (2,000,000 by default) over the benchmark county's
enterprises, for timing the ledger, the detail page and the figures at that size.

This is benchmark data, NOT written through the services: rows go in with raw bulk
inserts (executemany in big transactions on SQLite, COPY on PostgreSQL), without audit
entries per hazard (one audit entry records the load) and with two events per hazard
(the report and the latest step) rather than every step. Rows are otherwise shaped as
the services write them: numbers continue the (county, year) counters, which are moved
on, so a hazard reported afterwards through the services gets the next number.

Distributions (benchmark choice, not a rule): reported over the last 3 years, slightly
more in recent months; ~0.5% major; ~25% of general hazards fixed on the spot; hazards
reported more than 120 days ago are almost all closed, recent ones often open, ~5% open
overall; deadlines 7-45 days after the report (majors 30-120), ~12% closed late, open
hazards past their deadline are overdue. Enterprises get hazards in proportion to a
log-normal weight (a few report many, most a handful).

    python bench/hazards_data.py --hazards 2000000        (into the bench database)
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import math
import random
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

YEARS = 3
MAJOR_SHARE = 0.005
ON_SPOT_SHARE = 0.25
RECENT_DAYS = 120
OPEN_RECENT = 0.40  # share of hazards reported in the last RECENT_DAYS still open
OPEN_OLD = 0.005  # share of older hazards still open (long overdue)
LATE_SHARE = 0.12
OPEN_STATES = [("reported", 20), ("fixes_set", 15), ("rectifying", 50), ("submitted", 15)]
# Listing is a parallel step (hazards.workflow): a listed major hazard may be in any open
# state; "reported" holds the ones listed before their plan.
MAJOR_OPEN_STATES = [
    ("reported", 35),
    ("fixes_set", 15),
    ("rectifying", 40),
    ("submitted", 10),
]
# (type, category, description, location, measures); the words vary the text search.
TEXTS = [
    ("equipment", "things", "储罐呼吸阀堵塞，阻火器锈蚀", "储罐区", "清理呼吸阀，更换阻火器"),
    ("instrument", "things", "可燃气体检测报警仪未定期检定", "装卸站台", "送检报警仪"),
    ("electrical", "things", "配电箱门缺失，线路私拉乱接", "机修车间", "规范临时用电"),
    ("fire", "things", "消防通道被货物堵塞", "仓库", "清理通道并划线"),
    ("fire", "things", "灭火器压力不足，未按月检查", "办公楼", "更换灭火器"),
    ("safety", "people", "动火作业未办理作业票", "合成车间", "补办作业票并培训"),
    ("safety", "people", "高处作业未系安全带", "厂房屋面", "落实监护人制度"),
    ("process", "management", "操作规程未及时修订", "中控室", "修订操作规程"),
    ("layout", "things", "危险化学品仓库与办公区间距不足", "厂区东侧", "调整存储位置"),
    ("equipment", "things", "起重机限位器失效", "装配车间", "修复限位器"),
    ("safety", "management", "有限空间作业未检测气体", "污水处理池", "配备气体检测仪"),
    ("electrical", "things", "防爆区域使用非防爆灯具", "粉料包装车间", "更换防爆灯具"),
    ("equipment", "things", "压力表超期未校验", "锅炉房", "更换压力表并送检"),
    ("safety", "management", "安全警示标志缺失", "厂区道路", "补设警示标志"),
    ("other", "management", "应急演练记录不全", "安全科", "补充演练记录"),
    ("equipment", "things", "叉车制动失灵仍在使用", "成品仓库", "停用维修叉车"),
    ("fire", "things", "疏散指示标志损坏", "员工宿舍", "更换疏散指示"),
    ("safety", "people", "特种作业人员无证上岗", "焊接车间", "停止作业并取证"),
]
SOURCES = ["self_check"] * 6 + ["enterprise_inspection"] * 2 + ["government_inspection"] * 2


def _pick(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([s for s, _ in table], [w for _, w in table])[0]


class Plan:
    """Pure: the rows of one batch as dicts of Python values (no Django)."""

    def __init__(self, seed: int, now: dt.datetime, enterprises: list[tuple[int, int]]):
        self.rng = random.Random(seed)
        self.now = now
        self.enterprises = enterprises  # (id, numbering division id)
        weights = [math.exp(self.rng.gauss(0, 1.0)) for _ in enterprises]
        self.cum = list(itertools.accumulate(weights))
        self.span = dt.timedelta(days=365 * YEARS)

    def enterprise(self) -> tuple[int, int]:
        x = self.rng.random() * self.cum[-1]
        return self.enterprises[bisect.bisect_left(self.cum, x)]

    def reported_at(self, i: int, total: int) -> dt.datetime:
        """Chronological over the window (ids follow report time, as in real use), a
        little denser in recent months: u**0.85 stretches the old end."""
        u = (i + self.rng.random()) / total
        return self.now - self.span * (1 - u**0.85)

    def row(self, i: int, total: int) -> dict[str, Any]:
        rng = self.rng
        ent, county = self.enterprise()
        reported = self.reported_at(i, total)
        age = (self.now - reported).days
        major = rng.random() < MAJOR_SHARE
        on_spot = not major and rng.random() < ON_SPOT_SHARE
        text = TEXTS[rng.randrange(len(TEXTS))]
        open_share = OPEN_RECENT if age < RECENT_DAYS else OPEN_OLD
        if major:
            open_share = max(open_share, 0.2)
        is_open = rng.random() < open_share
        if on_spot:
            state = "reported" if is_open else "closed"
        elif is_open:
            state = _pick(rng, MAJOR_OPEN_STATES if major else OPEN_STATES)
        else:
            state = "closed"
        row: dict[str, Any] = {
            "enterprise_id": ent,
            "county": county,
            "source": SOURCES[rng.randrange(len(SOURCES))],
            "hazard_type": text[0],
            "category": text[1],
            "level": "major" if major else "general",
            "handling": "on_spot" if on_spot else "deadline",
            "description": f"{text[2]}（{text[3]}第{rng.randint(1, 30)}处）",
            "location": text[3],
            "state": state,
            "reported_at": reported,
            "deadline": None,
            "closed_at": None,
            "measures": "",
            "major_basis": "list_item" if major else "",
            "listed_at": None,
            "listing_deadline": None,
            "steps": 0,
        }
        fixes = state != "reported" and not on_spot
        if major and (state != "reported" or rng.random() < 0.6):
            row["listed_at"] = reported + dt.timedelta(days=rng.uniform(2, 8))
            row["listing_deadline"] = (row["listed_at"] + dt.timedelta(days=120)).date()
        if fixes:
            set_at = (row["listed_at"] or reported) + dt.timedelta(days=rng.uniform(0.1, 3))
            days = rng.randint(30, 110) if major else rng.randint(7, 45)
            row["deadline"] = (set_at + dt.timedelta(days=days)).date()
            row["measures"] = text[4]
            row["funds"] = Decimal(rng.choice((500, 1200, 3000, 8000, 20000)))
        if state == "closed":
            if on_spot:
                closed = reported + dt.timedelta(minutes=rng.randint(10, 240))
            else:
                end = dt.datetime.combine(row["deadline"], dt.time(9), tzinfo=reported.tzinfo)
                if rng.random() < LATE_SHARE:
                    closed = end + dt.timedelta(days=rng.uniform(1, 40))
                else:
                    closed = reported + (end - reported) * rng.uniform(0.2, 1.0)
            row["closed_at"] = min(closed, self.now)
        row["steps"] = {
            "reported": 0,
            "fixes_set": 1,
            "rectifying": 2,
            "submitted": 3,
            "closed": 1 if on_spot else 4,
        }[state] + (1 if row["listed_at"] else 0)
        # The record's UUID (t_yhzlxx DANGER_ID), reproducible from the seed.
        row["uuid"] = uuid.UUID(int=rng.getrandbits(128), version=4)
        return row


LAST_ACTION = {  # the step that brought a hazard to its state (for the second event)
    "fixes_set": ("set_five_fixes", "reported"),
    "rectifying": ("start", "fixes_set"),
    "submitted": ("submit", "rectifying"),
    "closed": ("accept", "submitted"),
}


def generate(
    total: int,
    *,
    seed: int = 7,
    batch: int = 50_000,
    with_events: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Append `total` hazards (and their events) to the current database. Needs the
    registry (enterprises) and one coordinator user (the acceptor of closed hazards)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from anjian.accounts.models import Role, User
    from anjian.core.audit import Actor, audit_append
    from anjian.hazards.models import Hazard, HazardCounter, HazardEvent
    from anjian.registry.models import Division, DivisionLevel, Enterprise

    started = time.perf_counter()
    now = timezone.now()
    parents = {
        pk: (parent, level, code)
        for pk, parent, level, code in Division.objects.values_list(
            "pk", "parent_id", "level", "code"
        )
    }

    def county(division_id: int) -> int:
        current = division_id
        while current is not None:
            parent, level, _code = parents[current]
            if level == DivisionLevel.COUNTY:
                return current
            current = parent
        return division_id

    enterprises = [
        (pk, county(division))
        for pk, division in Enterprise.objects.values_list("pk", "division_id")
    ]
    if not enterprises:
        raise RuntimeError("no enterprises: build the bench county first")
    acceptor = User.objects.filter(role=Role.COORDINATOR).order_by("pk").first()
    plan = Plan(seed, now, enterprises)
    counters = {
        (c.division_id, c.year): c.last for c in HazardCounter.objects.all()
    }  # continue the numbers the demo (or an earlier load) took

    fields = list(Hazard._meta.concrete_fields)
    columns = [f.column for f in fields]
    local = timezone.get_current_timezone()
    today = timezone.localdate(now)
    postgres = connection.vendor == "postgresql"

    assert now.utcoffset() == dt.timedelta(0)  # every time below is now ± a timedelta: UTC

    def adapt_dt(value: dt.datetime | None):
        # COPY takes Python datetimes as they are; SQLite stores Django's UTC text
        # (ops.adapt_datetimefield_value: naive UTC, str()), done here without its checks.
        if value is None or postgres:
            return value
        return str(value.replace(tzinfo=None))

    def adapt_date(value: dt.date | None):
        return None if value is None else (value if postgres else value.isoformat())

    # Constant values for the columns this generator does not set (new columns added by
    # other features keep working: their default, as Django would write it).
    constants: dict[str, Any] = {}
    for f in fields:
        if f.has_default():
            value = f.get_default()
            if f.get_internal_type() == "JSONField":
                value = json.dumps(value)
            elif isinstance(value, dt.datetime):
                value = adapt_dt(value)
            constants[f.name] = value
        else:
            constants[f.name] = None if f.null else ""
    constants["updated_at"] = adapt_dt(now)
    event_fields = list(HazardEvent._meta.concrete_fields)
    event_columns = [f.column for f in event_fields]
    event_constants: dict[str, Any] = {
        f.name: (
            json.dumps(f.get_default())
            if f.get_internal_type() == "JSONField"
            else f.get_default()
            if f.has_default()
            else (None if f.null else "")
        )
        for f in event_fields
    }
    event_constants.update(actor_label="bench-loader", via="bench", data=json.dumps({}))

    def event(pk: int, hazard_id: int, action: str, source: str, target: str, at) -> tuple:
        values = dict(
            event_constants,
            id=pk,
            hazard=hazard_id,
            action=action,
            from_state=source,
            to_state=target,
            at=adapt_dt(at),
        )
        return tuple(values[f.name] for f in event_fields)

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM hazards_hazard")
        next_id = cursor.fetchone()[0] + 1
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM hazards_hazardevent")
        next_event = cursor.fetchone()[0] + 1
        dropped: list[str] = []
        if not postgres:
            cursor.execute("PRAGMA cache_size = -400000")  # 400 MB page cache for the load
            if total >= 100_000:
                # A big load: drop the secondary indexes and build them once at the end
                # (a sorted build instead of 2,000,000 random B-tree inserts each).
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT"
                    " NULL AND tbl_name IN ('hazards_hazard', 'hazards_hazardevent')"
                )
                for name, sql in cursor.fetchall():
                    if " UNIQUE " not in sql.upper():
                        dropped.append(sql)
                        cursor.execute(f'DROP INDEX "{name}"')

    done = events_written = 0
    try:
        while done < total:
            count = min(batch, total - done)
            hazard_rows: list[tuple] = []
            event_rows: list[tuple] = []
            for i in range(done, done + count):
                r = plan.row(i, total)
                year = r["reported_at"].astimezone(local).year  # the year services number in
                key = (r["county"], year)
                counters[key] = counters.get(key, 0) + 1
                number = f"{parents[r['county']][2]}-{year}-{counters[key]:05d}"
                closed = r["state"] == "closed"
                # Listed, or found by a government inspection: the county reviews it and
                # its coordinator accepts; else the enterprise accepts its own hazard
                # (16号令 第十五条; no enterprise accounts in the bench county).
                reviewed = bool(r["listed_at"]) or r["source"] == "government_inspection"
                values = dict(constants)
                values.update(
                    id=next_id,
                    number=number,
                    uuid=r["uuid"] if postgres else r["uuid"].hex,
                    name=r["description"][:40],
                    registered_at=adapt_dt(r["reported_at"]),
                    review_division=r["county"] if reviewed else None,
                    review_basis=("listed" if r["listed_at"] else "found") if reviewed else "",
                    enterprise=r["enterprise_id"],
                    source=r["source"],
                    hazard_type=r["hazard_type"],
                    category=r["category"],
                    level=r["level"],
                    handling=r["handling"],
                    description=r["description"],
                    location=r["location"],
                    state=r["state"],
                    major_basis=r["major_basis"],
                    liable_person="安全员" if r["deadline"] else "",
                    measures=r["measures"],
                    funds=str(r["funds"]) if r.get("funds") is not None else None,
                    deadline=adapt_date(r["deadline"]),
                    contingency_plan="加强巡检" if r["deadline"] else "",
                    listed_by=acceptor.pk if r["listed_at"] and acceptor else None,
                    listing_division=r["county"] if r["listed_at"] else None,
                    listed_at=adapt_dt(r["listed_at"]),
                    listing_deadline=adapt_date(r["listing_deadline"]),
                    accepted_by=acceptor.pk
                    if closed and reviewed and r["handling"] != "on_spot" and acceptor
                    else None,
                    accepted_at=adapt_dt(r["closed_at"]),
                    closed_at=adapt_dt(r["closed_at"]),
                    reported_at=adapt_dt(r["reported_at"]),
                    version=1 + r["steps"],
                )
                overdue = r["deadline"] and not closed and r["deadline"] < today
                if overdue and "overdue_since" in values:
                    values["overdue_since"] = adapt_date(r["deadline"] + dt.timedelta(days=1))
                hazard_rows.append(tuple(values[f.name] for f in fields))
                if with_events:
                    event_rows.append(
                        event(next_event, next_id, "report", "", "reported", r["reported_at"])
                    )
                    next_event += 1
                    if r["state"] != "reported":
                        action, source = LAST_ACTION[r["state"]]
                        if r["handling"] == "on_spot":
                            action, source = "fix_on_spot", "reported"
                        at = r["closed_at"] or r["listed_at"] or r["reported_at"]
                        event_rows.append(
                            event(next_event, next_id, action, source, r["state"], at)
                        )
                        next_event += 1
                next_id += 1
            with transaction.atomic(), connection.cursor() as cursor:
                _write(cursor, "hazards_hazard", columns, hazard_rows, postgres)
                if event_rows:
                    _write(cursor, "hazards_hazardevent", event_columns, event_rows, postgres)
            done += count
            events_written += len(event_rows)
            if progress:
                progress("基准隐患", done, total)

    finally:
        with connection.cursor() as cursor:
            for sql in dropped:  # even after a failed load
                cursor.execute(sql)
    with transaction.atomic():
        for (division_id, year), last in counters.items():
            HazardCounter.objects.update_or_create(
                division_id=division_id, year=year, defaults={"last": last}
            )
        with connection.cursor() as cursor:
            if postgres:
                for table in ("hazards_hazard", "hazards_hazardevent"):
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT MAX(id) FROM {table}))"
                    )
        audit_append(
            actor=Actor.system("bench", "bench-loader"),
            action="bench_load",
            object_type="hazards.hazard",
            object_id="-",
            summary=f"{total} benchmark hazards",
            changes={"hazards": total, "events": events_written, "seed": seed},
        )
    write_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        if postgres:
            # VACUUM as well: rows that went in by COPY are not yet marked all-visible, so
            # index-only scans would still visit the heap. A table grown over years has
            # been vacuumed many times; the benchmark measures that steady state.
            # VACUUM cannot run inside a transaction (a test's): ANALYZE below suffices
            # there.
            for table in ("hazards_hazard", "hazards_hazardevent"):
                if not connection.in_atomic_block:
                    cursor.execute(f"VACUUM (ANALYZE) {table}")
        cursor.execute("ANALYZE")
    analyzed = time.perf_counter()
    # The rows went in past the services that keep the statistics' rollup: count it
    # again, as the nightly repair would (anjian.reports.tally_services).
    from anjian.reports.tally_services import hazard_tally_rebuild

    hazard_tally_rebuild()
    return {
        "hazards": total,
        "events": events_written,
        "seconds": round(write_seconds, 1),
        "hazards_per_second": round(total / write_seconds, 1) if write_seconds else None,
        "analyze_seconds": round(analyzed - started - write_seconds, 1),
        "rollup_seconds": round(time.perf_counter() - analyzed, 1),
        "database": connection.vendor,
    }


def _write(cursor, table: str, columns: list[str], rows: list[tuple], postgres: bool) -> None:
    cols = ", ".join(f'"{c}"' for c in columns)
    if postgres:
        with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        cursor.cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)  # noqa: S608


def main() -> int:
    import argparse
    import os
    import sys
    from pathlib import Path

    parser = argparse.ArgumentParser()
    parser.add_argument("--hazards", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    sys.path.insert(0, str(root / "bench"))
    from run import setup_django

    setup_django(fresh=False)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.settings")
    from anjian.demo.generator import stderr_progress

    print(json.dumps(generate(args.hazards, seed=args.seed, progress=stderr_progress)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

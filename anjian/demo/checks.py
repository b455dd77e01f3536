"""The demo's self-check records (隐患排查记录) with planted fabricators, then one
authenticity run, so the regulators' ranked list and the enterprises' authenticity pages
have something true to show (issue 12 item 2).

A sample of the county's enterprises with risk units (about 60, never the demo
enterprise, which the user fills in by hand) gets the last 60 days of checks from
anjian.checks.synthetic: each synthetic enterprise is laid onto a demo enterprise (its
site moved onto the enterprise's position, its units onto the enterprise's risk units),
each synthetic task becomes a control measure with its check task and items, each
checker an enterprise employee. Records are bulk inserts shaped as check_start and
check_submit write them: one per task and period, submitted, on time or late by the
period's end, the device's clock and position, one answer per item with its photo hash.

The synthetic problems found by others (inspections, grid officers, the public) become
hazards of the ledger at the same risk units, reported by the county's safety committee
office on the day found, so the `blind_normal` pattern (months of "all normal" where
others find problems) is there to be caught. What the demo leaves out: the synthetic
sensor alarms (no monitoring points are made for these enterprises; the alarm signal is
tested on the scorer's own data), "hazard found" answers open no hazard here (the hazard
ledger's demo has its own), and photos are their perceptual hashes without the image
files.

`build_demo_checks` returns what it planted (DemoChecks.planted: enterprise pks with
their patterns) for the precision/recall test, and writes the same to
`VAR_DIR/demo/checks_planted.json` when asked.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from anjian.checks import periods, synthetic
from anjian.checks.models import AnswerStatus, CheckAnswer, CheckRecord, TaskItem
from anjian.core.audit import Actor, audit_append
from anjian.registry.models import Enterprise
from anjian.risks.models import CheckTask, ControlMeasure, RiskEvent, RiskUnit

SEED_OFFSET = 12_002
DAYS = 60
SAMPLE = 60
FABRICATING_SHARE = 0.3
# Synthetic cycle → the check task's (cycle, cycle unit).
CYCLES = {"day": (1, "day"), "week": (7, "day"), "month": (1, "month")}
CHECK_ITEMS = (
    "安全通道是否畅通",
    "消防器材是否完好有效",
    "设备运行参数是否正常",
    "安全防护装置是否齐全",
    "作业人员是否按规定佩戴劳动防护用品",
    "电气线路是否完好、无私拉乱接",
    "警示标志是否清晰齐全",
    "有无跑冒滴漏",
)


@dataclass
class DemoChecks:
    enterprises: list[int] = field(default_factory=list)  # loaded (scored) enterprise pks
    planted: dict[int, tuple[str, ...]] = field(default_factory=dict)  # pk -> patterns
    records: int = 0
    findings: int = 0  # hazards found by others at the loaded enterprises' units
    run_id: int | None = None


# Who found it, in the synthetic data → the hazard's source. A grid officer's finding is a
# government one; all three count as "found by someone else" (scoring.FINDING_SOURCES).
_FINDING_SOURCE = {
    "inspection": "government_inspection",
    "grid_officer": "government_inspection",
    "report": "public_report",
}


def _report_findings(
    findings: list[synthetic.Finding],
    laid: dict[str, tuple[int, dict[str, int]]],
    now: dt.datetime,
) -> int:
    """The synthetic problems found by others, as hazards of the ledger at the risk units
    the synthetic units were laid onto: reported by the county's safety committee office
    through hazard_report, on the day found (the demo's shifted clock), so the
    "all normal while others find problems" signal has what it needs."""
    from anjian.accounts.models import Role
    from anjian.demo.hazards import _shifted_clock, texts_for_industry
    from anjian.hazards import services as hazard_services

    reporter = (
        get_user_model()
        .objects.filter(role=Role.COORDINATOR, is_active=True)
        .order_by("pk")
        .first()
    )
    if reporter is None:
        return 0
    actor = Actor.for_user(reporter, "demo")
    # The ledger demo's texts for the trade: no tank farm at a restaurant.
    industries = dict(
        Enterprise.objects.filter(pk__in=[e for e, _m in laid.values()]).values_list(
            "pk", "industry__code"
        )
    )
    made = 0
    for n, finding in enumerate(sorted(findings, key=lambda f: (f.at, f.enterprise, f.unit))):
        where = laid.get(finding.enterprise)
        if where is None or finding.unit not in where[1] or finding.at > now:
            continue
        enterprise_id, unit_map = where
        texts = texts_for_industry(industries.get(enterprise_id) or "")
        kind, category, text, _cause, place, _measures = texts[n % len(texts)]
        with _shifted_clock(finding.at):
            hazard_services.hazard_report(
                actor=actor,
                enterprise_id=enterprise_id,
                data={
                    "source": _FINDING_SOURCE.get(finding.by, "government_inspection"),
                    "hazard_type": kind,
                    "category": category,
                    "handling": "deadline",
                    "description": text,
                    "location": place,
                    "risk_unit_id": unit_map[finding.unit],
                },
            )
        made += 1
    return made


def planted_file() -> Path:
    return Path(settings.VAR_DIR) / "demo" / "checks_planted.json"


def build_demo_checks(
    *,
    seed: int,
    demo_enterprise: Enterprise | None,
    sample: int = SAMPLE,
    days: int = DAYS,
    now: dt.datetime | None = None,
    write_file: bool = False,
) -> DemoChecks:
    from anjian.checks.scoring import authenticity_run

    now = now or timezone.now()
    rng = random.Random(seed + SEED_OFFSET)
    units_of: dict[int, list[int]] = {}
    for enterprise_id, unit_id in (
        RiskUnit.objects.filter(enterprise__latitude__isnull=False)
        .exclude(enterprise_id=getattr(demo_enterprise, "pk", None))
        .order_by("enterprise_id", "pk")
        .values_list("enterprise_id", "pk")
    ):
        units_of.setdefault(enterprise_id, []).append(unit_id)
    chosen = sorted(rng.sample(sorted(units_of), min(sample, len(units_of))))
    out = DemoChecks()
    if not chosen:
        return out
    start = timezone.localdate(now) - dt.timedelta(days=days)
    data = synthetic.generate(
        enterprises=len(chosen),
        seed=seed,
        fabricating_share=FABRICATING_SHARE,
        days=days,
        start=start,
    )
    positions = {
        pk: (float(lat), float(lon))
        for pk, lat, lon in Enterprise.objects.filter(pk__in=chosen).values_list(
            "pk", "latitude", "longitude"
        )
    }
    codes = sorted({s.enterprise for s in data.sites})
    sites = {s.enterprise: s for s in data.sites}
    by_enterprise: dict[str, list[synthetic.CheckRecord]] = {}
    for record in data.records:
        by_enterprise.setdefault(record.enterprise, []).append(record)

    actor = Actor.system("demo", "demo-loader")
    laid: dict[str, tuple[int, dict[str, int]]] = {}
    with transaction.atomic():
        for code, enterprise_id in zip(codes, chosen, strict=True):
            mix = data.patterns.get(code, ())
            records = by_enterprise.get(code, [])
            if not records:
                continue
            made, unit_map = _load_enterprise(
                enterprise_id,
                units_of[enterprise_id],
                records,
                sites[code],
                positions[enterprise_id],
                rng,
                now,
            )
            out.enterprises.append(enterprise_id)
            out.records += made
            laid[code] = (enterprise_id, unit_map)
            if code in data.planted:
                out.planted[enterprise_id] = mix
        audit_append(
            actor=actor,
            action="demo_load",
            object_type="checks.checkrecord",
            object_id=f"{len(out.enterprises)} enterprises",
            summary=f"{out.records} self-check records",
            changes={
                "seed": seed,
                "enterprises": out.enterprises,
                "planted": {str(k): list(v) for k, v in out.planted.items()},
            },
        )
    out.findings = _report_findings(data.findings, laid, now)
    run, _created = authenticity_run(period_days=90, now=now)
    out.run_id = run.pk
    if write_file:
        path = planted_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed: a reader never sees half a file.
        partial = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
        partial.write_text(
            json.dumps(
                {
                    "enterprises": out.enterprises,
                    "planted": {str(k): list(v) for k, v in out.planted.items()},
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
        partial.replace(path)
    return out


def demo_planted() -> DemoChecks:
    """What the last demo load planted, from its audit entry (the demo's own record)."""
    from anjian.core.models import AuditEntry

    entry = (
        AuditEntry.objects.filter(action="demo_load", object_type="checks.checkrecord")
        .order_by("-pk")
        .first()
    )
    if entry is None:
        return DemoChecks()
    changes = entry.changes or {}
    return DemoChecks(
        enterprises=[int(pk) for pk in changes.get("enterprises", [])],
        planted={int(k): tuple(v) for k, v in (changes.get("planted") or {}).items()},
    )


def _item(k: int) -> str:
    return f"{CHECK_ITEMS[k % len(CHECK_ITEMS)]}（{k + 1}）"


def _load_enterprise(
    enterprise_id: int,
    unit_ids: list[int],
    records: list[synthetic.CheckRecord],
    site: synthetic.Site,
    position: tuple[float, float],
    rng: random.Random,
    now: dt.datetime,
) -> tuple[int, dict[str, int]]:
    """One synthetic enterprise onto a demo enterprise; returns the records written and
    where each synthetic unit was laid (risk unit pk)."""
    # Tasks: one measure and check task per synthetic task, on the risk unit its
    # synthetic unit is laid onto (a unit may carry several).
    synthetic_units = sorted({r.unit for r in records})
    unit_map = {u: unit_ids[i % len(unit_ids)] for i, u in enumerate(synthetic_units)}
    events = RiskEvent.objects.bulk_create(
        [RiskEvent(unit_id=unit_map[u], name="日常隐患排查") for u in synthetic_units]
    )
    event_of = {u: e.pk for u, e in zip(synthetic_units, events, strict=True)}
    tasks: dict[str, tuple[str, int, str]] = {}  # code -> (unit, items, cycle)
    for r in records:
        tasks.setdefault(r.task, (r.unit, r.items, r.cycle))
    task_codes = sorted(tasks)
    kinds = {"day": "日检", "week": "周检", "month": "月检"}
    contents = {
        code: f"{CHECK_ITEMS[i % len(CHECK_ITEMS)]}（{kinds[tasks[code][2]]}）"
        for i, code in enumerate(task_codes)
    }
    measures = ControlMeasure.objects.bulk_create(
        [
            ControlMeasure(
                event_id=event_of[tasks[code][0]],
                description="定期巡检",
                classification="maintenance",
                check_content=contents[code],
            )
            for code in task_codes
        ]
    )
    check_tasks = CheckTask.objects.bulk_create(
        [
            CheckTask(
                enterprise_id=enterprise_id,
                measure=measure,
                content=contents[code],
                cycle=CYCLES[tasks[code][2]][0],
                cycle_unit=CYCLES[tasks[code][2]][1],
                responsible_person="安全员",
                next_due=periods.period_containing(now, *CYCLES[tasks[code][2]]).end,
            )
            for code, measure in zip(task_codes, measures, strict=True)
        ]
    )
    task_of = dict(zip(task_codes, check_tasks, strict=True))
    items: list[TaskItem] = []
    for code in task_codes:
        count = tasks[code][1]
        if count > 1:
            items += [
                TaskItem(task=task_of[code], position=k + 1, content=_item(k)) for k in range(count)
            ]
    item_of = {(i.task_id, i.position): i.pk for i in TaskItem.objects.bulk_create(items)}

    # Checkers: the enterprise's employees with no password (they never sign in).
    User = get_user_model()
    checker_codes = sorted({r.checker for r in records})
    users = []
    for index in range(len(checker_codes)):
        user = User(
            username=f"demo-check-{enterprise_id}-{index}",
            role="enterprise_employee",
            enterprise_id=enterprise_id,
            display_name=f"巡检员{index + 1}",
        )
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users)
    user_of = {code: u.pk for code, u in zip(checker_codes, users, strict=True)}

    # Positions move with the site: the synthetic offsets are kept, the place is ours.
    dlat, dlon = position[0] - site.lat, position[1] - site.lon
    values: list[dict] = []
    answers: dict[tuple[int, dt.datetime], list[tuple[str, str]]] = {}
    for r in records:
        task = task_of[r.task]
        period = periods.period_containing(r.due_at, task.cycle, task.cycle_unit)
        if (task.pk, period.start) in answers or r.submitted_at > now:
            continue  # two synthetic occurrences in one of our periods: the first stands
        values.append(
            {
                "task": task.pk,
                "enterprise": enterprise_id,
                "period_start": period.start,
                "period_end": period.end,
                "state": "submitted",
                "timing": periods.timing(r.submitted_at, period),
                "checker": user_of[r.checker],
                "device_id": r.device.replace(r.enterprise, f"E{enterprise_id}")[:64],
                "client_token": uuid.UUID(int=rng.getrandbits(128), version=4),
                "started_at": r.started_at,
                "submitted_at": r.submitted_at,
                "device_started_at": r.started_at,
                "device_submitted_at": r.submitted_at,
                "lat": round(r.lat + dlat, 6),
                "lon": round(r.lon + dlon, 6),
                "accuracy": round(rng.uniform(5, 30), 1),
                "note": r.note,
            }
        )
        photos = list(r.photos)
        answers[(task.pk, period.start)] = [
            (a, photos[k] if k < len(photos) else "") for k, a in enumerate(r.answers)
        ]
    _insert(CheckRecord, values)
    content_of = {t.pk: t.content for t in check_tasks}
    # Answers that are not "normal" carry a note, as check_submit requires.
    hazard_notes = {
        AnswerStatus.HAZARD_FOUND: "发现隐患，已通知整改",
        AnswerStatus.NOT_CHECKED: "设备停用，未检查",
        AnswerStatus.OTHER: "见备注",
    }
    # About ten answers a record: one executemany of plain tuples, not a model instance
    # each (the demo stays within seconds); the columns are those CheckAnswer writes.
    answer_rows: list[dict] = []
    for pk, task_id, period_start in CheckRecord.objects.filter(
        enterprise_id=enterprise_id
    ).values_list("pk", "task_id", "period_start"):
        given = answers[(task_id, period_start)]
        multi = len(given) > 1
        for k, (status, photo) in enumerate(given):
            answer_rows.append(
                {
                    "record": pk,
                    "position": k + 1,
                    "item": item_of.get((task_id, k + 1)),
                    "content": _item(k) if multi else content_of[task_id],
                    "status": status,
                    "note": hazard_notes.get(status, ""),
                    "photo_dhash": photo,
                }
            )
    _insert(CheckAnswer, answer_rows)
    return len(values), unit_map


def _insert(model, rows: list[dict]) -> None:
    """Rows of plain values in multi-row INSERTs (a model instance a row costs seconds at
    ten answers a record); fields left out take their defaults."""
    if not rows:
        return
    names = list(rows[0])
    fields = [model._meta.get_field(n) for n in names]
    omitted = [f for f in model._meta.concrete_fields if f.name not in names and not f.primary_key]
    defaults = [f.get_db_prep_save(f.get_default(), connection) for f in omitted]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in [*fields, *omitted])
    marks = ", ".join(["%s"] * (len(fields) + len(omitted)))
    table = connection.ops.quote_name(model._meta.db_table)
    # Only times and UUIDs differ between Python and the database; ints, floats and
    # text go as they are (preparing every value costs more than the insert).
    prepared = [f.get_internal_type() in ("DateTimeField", "UUIDField") for f in fields]
    values = [
        [
            *(
                f.get_db_prep_save(row[n], connection) if prep else row[n]
                for f, n, prep in zip(fields, names, prepared, strict=True)
            ),
            *defaults,
        ]
        for row in rows
    ]
    if connection.vendor == "postgresql":
        # COPY: multi-row INSERTs of 150,000 answers take a minute there, COPY seconds.
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in values:
                copy.write_row(row)
        return
    # Multi-row statements under SQLite's 32,766 parameters.
    with connection.cursor() as cursor:
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 (names, not data)
                + ", ".join([f"({marks})"] * len(chunk)),
                [value for row in chunk for value in row],
            )


def adopt_demo_checklist(*, demo_enterprise: Enterprise | None, safety_officer) -> None:
    """The demo enterprise's safety officer adopts the library's list for its industry,
    weekly at its first risk unit, through the same service as the page, and adds an item
    of its own: the check-list pages and today's checks then show a real adoption."""
    from anjian.checks import checklist_services as cs

    if demo_enterprise is None or safety_officer is None:
        return
    enterprise = Enterprise.objects.select_related("industry__parent").get(pk=demo_enterprise.pk)
    lists = cs.lists_for(safety_officer, enterprise).filter(enterprise__isnull=True)
    checklist = lists.order_by("pk").first()
    if checklist is None:
        return
    unit = RiskUnit.objects.filter(enterprise=enterprise).order_by("pk").first()
    actor = Actor.for_user(safety_officer, "demo")
    adoption = cs.checklist_adopt(
        actor=actor,
        checklist_id=checklist.pk,
        enterprise_id=enterprise.pk,
        data={
            "cycle": 1,
            "cycle_unit": "week",
            "responsible_person": safety_officer.display_name or safety_officer.username,
            "unit_id": unit.pk if unit else None,
            "positions": [i.position for i in checklist.items.order_by("position")[:8]],
        },
    )
    cs.task_item_add(
        actor=actor,
        task_id=adoption.task_id,
        data={"content": "装卸区静电接地报警仪是否完好有效", "basis": "企业安全生产管理制度"},
    )

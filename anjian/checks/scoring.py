"""The authenticity scorer (anjian.checks.authenticity, pure) on the database.

* `scorer_inputs` — the scorer's input for a set of enterprises and a period, read in a
  fixed number of queries (records, answers, sites, alarms, findings; values_list and
  iterator, no N+1):
    - records: submitted CheckRecords by submission time, with their answers (status,
      photo dHash); the unit is the task's risk unit ("u<id>") or its major hazard
      installation ("i<id>"), so alarms and findings meet records at the same place;
    - sites: the registry's enterprise position;
    - alarms: monitoring alarms of a point at a risk unit or installation, raised..cleared
      (still active: until the end of the period);
    - findings by others: hazards at a risk unit found by a government inspection, a
      public report or a sensor alarm, at their reported_at.
* `authenticity_run` — the daily job: scores every enterprise with records in the last
  `period_days`, stores the run, each enterprise's score and signals, and each flagged
  record; then recomputes the scored enterprises' safety codes (their term
  "self-check authenticity"). Idempotent per local day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from anjian.core.audit import Actor, audit_append
from anjian.hazards.models import Hazard, Source
from anjian.monitoring.models import Alarm
from anjian.registry.models import Enterprise

from . import authenticity
from .models import (
    AuthenticityRun,
    CheckAnswer,
    CheckRecord,
    EnterpriseAuthenticity,
    RecordFlag,
    RecordState,
)

logger = logging.getLogger(__name__)
JOB_ACTOR = Actor.system("job", "self-check authenticity job")
DEFAULT_PERIOD_DAYS = 90
# Who counts as "someone else" finding a problem at the unit: not the enterprise's own
# self-checks or inspections, which are what is being judged.
FINDING_SOURCES = (Source.GOVERNMENT_INSPECTION, Source.PUBLIC_REPORT, Source.SENSOR_ALARM)
_STATUSES = frozenset(authenticity.ANSWERS)
_BATCH = 2000


@dataclass
class ScorerInput:
    records: list[authenticity.CheckRecord] = field(default_factory=list)
    sites: list[authenticity.Site] = field(default_factory=list)
    alarms: list[authenticity.AlarmSpan] = field(default_factory=list)
    findings: list[authenticity.Finding] = field(default_factory=list)


def unit_key(risk_unit_id: int | None, installation_id: int | None) -> str:
    """The scorer's unit: the risk unit when there is one, else the installation."""
    if risk_unit_id:
        return f"u{risk_unit_id}"
    if installation_id:
        return f"i{installation_id}"
    return ""


def _cycle(cycle: int, unit: str) -> str:
    # The scorer knows day / week / month; it does not read the cycle for any signal,
    # so the nearest one is enough.
    if unit in ("month", "year"):
        return "month"
    if unit == "day" and cycle >= 7:
        return "week"
    return "day"


def _photo(value: str) -> str | None:
    if len(value) != 16:
        return None
    try:
        int(value, 16)
    except ValueError:
        return None
    return value.lower()


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _BATCH):
        yield ids[start : start + _BATCH]


def scorer_inputs(
    *, enterprise_ids: Iterable[int], since: dt.datetime, until: dt.datetime
) -> ScorerInput:
    """The scorer's records and context for these enterprises, records submitted in
    [since, until]. Five queries per batch of 2,000 enterprises."""
    out = ScorerInput()
    for chunk in _chunks(sorted(set(enterprise_ids))):
        _read_chunk(chunk, since, until, out)
    return out


def _read_chunk(ids: list[int], since: dt.datetime, until: dt.datetime, out: ScorerInput) -> None:
    submitted = CheckRecord.objects.filter(
        enterprise_id__in=ids,
        state=RecordState.SUBMITTED,
        submitted_at__gte=since,
        submitted_at__lte=until,
    )
    answers: dict[int, list[str]] = defaultdict(list)
    notes: dict[int, list[str]] = defaultdict(list)
    photos: dict[int, list[str]] = defaultdict(list)
    for record_id, status, note, dhash in (
        CheckAnswer.objects.filter(record__in=submitted)
        .order_by("record_id", "position")
        .values_list("record_id", "status", "note", "photo_dhash")
        .iterator(chunk_size=5000)
    ):
        answers[record_id].append(status if status in _STATUSES else "other")
        if note:
            notes[record_id].append(note)
        if dhash and (value := _photo(dhash)):
            photos[record_id].append(value)
    for (
        pk,
        enterprise_id,
        checker_id,
        device_id,
        task_id,
        risk_unit_id,
        installation_id,
        cycle,
        cycle_unit,
        due_at,
        started_at,
        device_started_at,
        submitted_at,
        note,
        lat,
        lon,
    ) in (
        submitted.order_by("pk")
        .values_list(
            "pk",
            "enterprise_id",
            "checker_id",
            "device_id",
            "task_id",
            "task__measure__event__unit_id",
            "task__installation_id",
            "task__cycle",
            "task__cycle_unit",
            "period_end",
            "started_at",
            "device_started_at",
            "submitted_at",
            "note",
            "lat",
            "lon",
        )
        .iterator(chunk_size=5000)
    ):
        given = answers.get(pk)
        if not given:  # a submitted record always has answers; skip a broken one
            continue
        text = "；".join(part for part in (note.strip(), *notes.get(pk, ())) if part)
        out.records.append(
            authenticity.CheckRecord(
                id=str(pk),
                enterprise=str(enterprise_id),
                checker=str(checker_id),
                # No device id (an old page): the checker's own, so it never looks shared.
                device=device_id or f"unknown:{checker_id}",
                unit=unit_key(risk_unit_id, installation_id) or f"t{task_id}",
                task=str(task_id),
                cycle=_cycle(cycle, cycle_unit),
                due_at=due_at,
                # The start the device claims: back-dating is claimed on the device.
                started_at=device_started_at or started_at or submitted_at,
                submitted_at=submitted_at,
                items=len(given),
                answers=tuple(given),
                note=text,
                # No position given: NaN is never "far" (no evidence either way).
                lat=math.nan if lat is None else float(lat),
                lon=math.nan if lon is None else float(lon),
                photos=tuple(photos.get(pk, ())),
            )
        )
    for pk, lat, lon in Enterprise.objects.filter(
        pk__in=ids, latitude__isnull=False, longitude__isnull=False
    ).values_list("pk", "latitude", "longitude"):
        out.sites.append(authenticity.Site(str(pk), float(lat), float(lon)))
    for enterprise_id, risk_unit_id, installation_id, raised, cleared in (
        Alarm.objects.filter(enterprise_id__in=ids, raised_at__lte=until)
        .exclude(cleared_at__lt=since)
        .exclude(point__risk_unit__isnull=True, point__installation__isnull=True)
        .values_list(
            "enterprise_id",
            "point__risk_unit_id",
            "point__installation_id",
            "raised_at",
            "cleared_at",
        )
        .iterator(chunk_size=5000)
    ):
        end = cleared or until
        # A point at a unit inside an installation: the alarm is at both places.
        for key in {unit_key(risk_unit_id, None), unit_key(None, installation_id)} - {""}:
            out.alarms.append(authenticity.AlarmSpan(str(enterprise_id), key, raised, end))
    for enterprise_id, risk_unit_id, at, source in (
        Hazard.objects.filter(
            enterprise_id__in=ids,
            risk_unit__isnull=False,
            source__in=FINDING_SOURCES,
            reported_at__gte=since,
            reported_at__lte=until,
        )
        .values_list("enterprise_id", "risk_unit_id", "reported_at", "source")
        .iterator(chunk_size=5000)
    ):
        out.findings.append(
            authenticity.Finding(str(enterprise_id), unit_key(risk_unit_id, None), at, source)
        )


def _thresholds_json(th: authenticity.Thresholds) -> dict:
    return {
        f.name: dict(getattr(th, f.name))
        if f.name in ("weights", "full_shares")
        else getattr(th, f.name)
        for f in dataclasses.fields(th)
    }


def _json_safe(value):
    """Evidence as JSON: NaN positions (no position given) become null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def authenticity_run(
    *,
    period_days: int = DEFAULT_PERIOD_DAYS,
    now: dt.datetime | None = None,
    thresholds: authenticity.Thresholds | None = None,
    recompute_codes: bool = True,
) -> tuple[AuthenticityRun, bool]:
    """Score every enterprise with submitted records in the last `period_days` and store
    the results. Returns (run, created): today's run if there is one already."""
    if not 1 <= period_days <= 366:
        raise ValueError("period_days must be between 1 and 366")
    now = now or timezone.now()
    day = timezone.localdate(now)
    existing = AuthenticityRun.objects.filter(day=day).first()
    if existing is not None:
        return existing, False
    th = thresholds or authenticity.Thresholds()
    since = now - dt.timedelta(days=period_days)
    ids = list(
        CheckRecord.objects.filter(
            state=RecordState.SUBMITTED, submitted_at__gte=since, submitted_at__lte=now
        )
        .order_by()
        .values_list("enterprise_id", flat=True)
        .distinct()
    )
    data = scorer_inputs(enterprise_ids=ids, since=since, until=now)
    scores = authenticity.score(data.records, data.sites, data.alarms, data.findings, th)
    per_enterprise: dict[str, int] = defaultdict(int)
    flagged_per_enterprise: dict[str, int] = defaultdict(int)
    record_enterprise = {r.id: r.enterprise for r in data.records}
    for r in data.records:
        per_enterprise[r.enterprise] += 1
    flagged_records = [r for r in scores.records if r.flag]
    for r in flagged_records:
        flagged_per_enterprise[record_enterprise[r.id]] += 1
    try:
        with transaction.atomic():
            run = AuthenticityRun.objects.create(
                day=day,
                started_at=now,
                finished_at=timezone.now(),
                period_from=since,
                period_to=now,
                period_days=period_days,
                enterprises=len(scores.enterprises),
                flagged_enterprises=sum(e.flag for e in scores.enterprises),
                records=len(scores.records),
                flagged_records=len(flagged_records),
                thresholds=_thresholds_json(th),
            )
            EnterpriseAuthenticity.objects.bulk_create(
                [
                    EnterpriseAuthenticity(
                        run=run,
                        enterprise_id=int(e.enterprise),
                        score=e.score,
                        flag=e.flag,
                        records=per_enterprise[e.enterprise],
                        flagged_records=flagged_per_enterprise[e.enterprise],
                        signals=_json_safe([s.as_dict() for s in e.signals]),
                    )
                    for e in scores.enterprises
                ],
                batch_size=_BATCH,
            )
            RecordFlag.objects.bulk_create(
                [
                    RecordFlag(
                        run=run,
                        record_id=int(r.id),
                        enterprise_id=int(record_enterprise[r.id]),
                        signals=_json_safe([s.as_dict() for s in r.signals]),
                    )
                    for r in flagged_records
                ],
                batch_size=_BATCH,
            )
            audit_append(
                actor=JOB_ACTOR,
                action="authenticity_run",
                obj=run,
                summary=f"{run.day:%Y-%m-%d} {run.flagged_enterprises}/{run.enterprises}",
                changes={
                    "period_days": period_days,
                    "enterprises": run.enterprises,
                    "flagged_enterprises": run.flagged_enterprises,
                    "records": run.records,
                    "flagged_records": run.flagged_records,
                },
            )
    except IntegrityError:
        # Another worker stored today's run first: that one stands.
        return AuthenticityRun.objects.get(day=day), False
    if recompute_codes:
        _recompute_codes([int(e.enterprise) for e in scores.enterprises])
    return run, True


def _recompute_codes(enterprise_ids: list[int]) -> None:
    from anjian.risks.services import safety_code_recompute

    for enterprise_id in enterprise_ids:
        try:
            safety_code_recompute(enterprise_id=enterprise_id, trigger="authenticity")
        except Exception:  # one enterprise's code must not stop the others'
            logger.exception("safety code of enterprise %s after authenticity", enterprise_id)

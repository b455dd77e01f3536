"""Authenticity of self-check records (issue 12 item 2): signals that a check was not
really done, each with its evidence, and a score per enterprise. Pure: no Django.

The seed report found over 60% of one province's self-check records faked or
perfunctory. The scorer looks for the traces fabrication leaves; none of them proves a
fake alone, so every signal carries its figures and record ids for a regulator to judge.

Signals (stable codes; evidence is a dict of figures and record ids, so a page can
render it in Chinese):

    identical_answers          >= identical_min_records records of one checker with the
                               same answers and the same informative note text
    normal_despite_findings    a run of >= normal_min_days of records without a hazard at a
                               unit while others (inspections, reports) or sensor alarms
                               found >= normal_min_problems problems there in that run
    alarm_during_normal_check  a sensor alarm at the unit was active during a check whose
                               answers are all "normal"
    burst                      records for >= burst_min_due_days different due days
                               submitted by one checker within burst_window_s
    back_dated                 claimed on time (started_at <= due_at) but submitted
                               >= backdate_min_lag_s after the due time
    too_short                  fewer than min_seconds_per_item seconds per item
    far_from_site              position > far_distance_m from the enterprise's nearest site
    photo_reused               a photo within photo_max_distance bits (Hamming distance of
                               the 64-bit perceptual hash) of a photo of another record
    shared_device              one device used in several enterprises, or by two checkers
                               at overlapping times (or handed over in < device_handover_s)

A record is flagged when it carries any signal.

Enterprise score (0-100, 100 = trustworthy), over the enterprise's N records:

    share_s   = (records carrying signal s) / N
    penalty_s = weight_s * min(1, share_s / full_share_s)
    score     = 100 * (1 - flagged_share / 2) * prod_s (1 - penalty_s)

so the strongest signals set the ceiling (one signal on its full share takes weight_s of
the score away) and the share of flagged records drags further; an isolated honest
oddity (one GPS glitch in 300 records) costs a point or two. The enterprise is flagged
when score < flag_below. Enterprises without records are not scored.

Every figure is in `Thresholds`; they are this project's judgement, calibrated on the
synthetic data of `anjian.checks.synthetic`, not regulation.

Cost: grouping by enterprise, checker, unit and device once (sorts inside groups); photo
reuse compares only hashes that share one of four 16-bit bands (pigeonhole: two 64-bit
hashes within 3 bits of each other agree exactly on at least one of four bands).
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

ANSWERS = ("normal", "hazard_found", "not_checked", "other")  # CHECK_STATUS 0-3 of t_yhpcjl
CYCLES = ("day", "week", "month")
# Evidence lists stop here: the figures say how many there are, the ids are examples.
EVIDENCE_IDS = 20
EVIDENCE_EXAMPLES = 5

SIGNALS = (
    "identical_answers",
    "normal_despite_findings",
    "alarm_during_normal_check",
    "burst",
    "back_dated",
    "too_short",
    "far_from_site",
    "photo_reused",
    "shared_device",
)


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """One submitted self-check (a `t_yhpcjl` record with what the phone took)."""

    id: str
    enterprise: str
    checker: str
    device: str
    unit: str
    task: str
    cycle: str
    due_at: datetime
    started_at: datetime  # claimed by the device
    submitted_at: datetime  # received by the server
    items: int
    answers: tuple[str, ...]
    note: str
    lat: float
    lon: float
    photos: tuple[str, ...]  # 16 hex digits: a 64-bit perceptual hash each


@dataclass(frozen=True, slots=True)
class Site:
    enterprise: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class AlarmSpan:
    enterprise: str
    unit: str
    start: datetime  # "from" in the file
    end: datetime  # "to" in the file


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem at a unit found by someone else (an inspection, a report)."""

    enterprise: str
    unit: str
    at: datetime
    by: str


@dataclass(frozen=True)
class Thresholds:
    """Our judgement, not regulation: each value says why it was chosen."""

    # A checker writes the same non-trivial sentence with the same answers 8 times in a
    # quarter only by copying; fewer repeats happen with stock phrases and a short list.
    identical_min_records: int = 8
    # Shorter notes ("正常", "无异常", "未见异常") are what honest checkers type every day;
    # 10 characters is a sentence, and a repeated sentence is a copy.
    identical_min_note_chars: int = 10
    # "Months of all normal": eight weeks without a hazard at a unit is long enough that a
    # problem found there by others in that time should have been seen by the checker.
    normal_min_days: float = 56.0
    # One external finding can be a problem that arose between checks; two in the run
    # means the checks did not look.
    normal_min_problems: int = 2
    # A checker filling in a month of daily checks does it in one sitting: 15 minutes.
    burst_window_s: float = 15 * 60
    # Due days in one sitting: an honest checker may do today's daily, this week's and
    # this month's checks together (3 due days) or catch up after two days offline; 5 is
    # past any honest catch-up.
    burst_min_due_days: int = 5
    # Dropped connections and offline phones delay a submission by hours; a day after the
    # due time for a check claimed on time is a check written afterwards.
    backdate_min_lag_s: float = 24 * 3600
    # Looking at an item and tapping its answer takes more than 5 seconds; less is
    # tapping through the list without looking.
    min_seconds_per_item: float = 5.0
    # GPS jitter is tens of metres, a large plant a few hundred; 1 km is elsewhere.
    far_distance_m: float = 1000.0
    # Re-encoding, resizing or a cropped margin moves a 64-bit pHash by a few bits; two
    # photos of a real scene taken on different days differ by far more than 3.
    photo_max_distance: int = 3
    # A check longer than an hour is a dropped connection, not a person holding the
    # device, so only its first hour counts when looking for overlapping use.
    device_max_hold_s: float = 3600.0
    # Handing a phone over, signing out and in takes more than a minute; less between two
    # checkers' records is one person filling in both.
    device_handover_s: float = 60.0
    # Enterprise flag below this score: on the synthetic data honest enterprises score
    # 80 and up (their noise: GPS glitches, quick checkers, offline phones) and subtle
    # fabricators 70 and below; 75 sits between.
    flag_below: float = 75.0
    # weight_s: how much of the score one signal takes away at its full share. Signals
    # that have honest explanations (GPS glitches, an alarm about another item) weigh
    # less than those that do not (a burst, a reused photo).
    weights: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType(
            {
                "identical_answers": 0.6,
                "normal_despite_findings": 0.6,
                "alarm_during_normal_check": 0.4,
                "burst": 0.7,
                "back_dated": 0.6,
                "too_short": 0.5,
                "far_from_site": 0.5,
                "photo_reused": 0.6,
                "shared_device": 0.6,
            }
        )
    )
    # full_share_s: the share of an enterprise's records carrying s at which s takes its
    # whole weight. Alarms are rare, so a few overlapping checks are already the pattern;
    # bursts, back-dating and a copied sentence at 10% of records are a habit, not an
    # accident; seconds per item are rarely below the line by honest haste.
    full_shares: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType(
            {
                "identical_answers": 0.1,
                "normal_despite_findings": 0.2,
                "alarm_during_normal_check": 0.05,
                "burst": 0.1,
                "back_dated": 0.1,
                "too_short": 0.08,
                "far_from_site": 0.15,
                "photo_reused": 0.1,
                "shared_device": 0.15,
            }
        )
    )


@dataclass(frozen=True, slots=True)
class Signal:
    name: str
    evidence: Mapping[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "evidence": dict(self.evidence)}


@dataclass(frozen=True, slots=True)
class RecordScore:
    id: str
    flag: bool
    signals: tuple[Signal, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "flag": self.flag, "signals": [s.as_dict() for s in self.signals]}


@dataclass(frozen=True, slots=True)
class EnterpriseScore:
    enterprise: str
    score: float
    flag: bool
    signals: tuple[Signal, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "enterprise": self.enterprise,
            "score": self.score,
            "flag": self.flag,
            "signals": [s.as_dict() for s in self.signals],
        }


@dataclass(frozen=True, slots=True)
class Scores:
    enterprises: tuple[EnterpriseScore, ...]  # ranked: lowest score first
    records: tuple[RecordScore, ...]  # by id

    def as_dict(self) -> dict[str, Any]:
        return {
            "enterprises": [e.as_dict() for e in self.enterprises],
            "records": [r.as_dict() for r in self.records],
        }


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _ids(records: Sequence[CheckRecord], indices: Iterable[int]) -> list[str]:
    return sorted(records[i].id for i in indices)[:EVIDENCE_IDS]


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (mean Earth radius 6,371,008.8 m)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(a)))


class _Hits:
    """Signals found so far, per record index: {index: {name: evidence}}."""

    def __init__(self) -> None:
        self.by_record: dict[int, dict[str, Mapping[str, Any]]] = defaultdict(dict)
        # Enterprise-level evidence groups: {(enterprise, name): [group evidence, ...]}.
        self.groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)

    def add(self, index: int, name: str, evidence: Mapping[str, Any]) -> None:
        # The first evidence of a kind on a record is kept: detectors run in a fixed
        # order over sorted input, so which one is first is deterministic.
        self.by_record[index].setdefault(name, evidence)

    def group(self, enterprise: str, name: str, evidence: dict[str, Any]) -> None:
        self.groups[(enterprise, name)].append(evidence)


_SPACES = re.compile(r"\s+")


def _identical(records: Sequence[CheckRecord], th: Thresholds, hits: _Hits) -> None:
    groups: dict[tuple[str, str, tuple[str, ...], str], list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        note = _SPACES.sub(" ", r.note).strip()
        if len(note) >= th.identical_min_note_chars:
            groups[(r.enterprise, r.checker, r.answers, note)].append(i)
    for (enterprise, checker, answers, note), members in sorted(groups.items()):
        if len(members) < th.identical_min_records:
            continue
        evidence = {
            "checker": checker,
            "note": note,
            "answers": Counter(answers).most_common(),
            "records": len(members),
            "ids": _ids(records, members),
        }
        hits.group(enterprise, "identical_answers", evidence)
        for i in members:
            hits.add(i, "identical_answers", evidence)


def _by(records: Sequence[CheckRecord], key) -> dict[Any, list[int]]:
    groups: dict[Any, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        groups[key(r)].append(i)
    return groups


def _normal_despite_findings(
    records: Sequence[CheckRecord],
    alarms: Mapping[tuple[str, str], list[AlarmSpan]],
    findings: Mapping[tuple[str, str], list[Finding]],
    th: Thresholds,
    hits: _Hits,
) -> None:
    min_span = th.normal_min_days * 86400
    for (enterprise, unit), members in sorted(
        _by(records, lambda r: (r.enterprise, r.unit)).items()
    ):
        unit_alarms = alarms.get((enterprise, unit), [])
        unit_findings = findings.get((enterprise, unit), [])
        if len(unit_alarms) + len(unit_findings) < th.normal_min_problems:
            continue
        alarm_starts = [a.start for a in unit_alarms]
        finding_times = [f.at for f in unit_findings]
        members.sort(key=lambda i: (records[i].started_at, records[i].id))
        runs: list[list[int]] = [[]]
        for i in members:
            if "hazard_found" in records[i].answers:
                runs.append([])
            else:
                runs[-1].append(i)
        for run in runs:
            if not run:
                continue
            first, last = records[run[0]], records[run[-1]]
            if (last.started_at - first.started_at).total_seconds() < min_span:
                continue
            lo, hi = first.started_at, last.submitted_at
            in_alarms = unit_alarms[
                bisect.bisect_left(alarm_starts, lo) : bisect.bisect_right(alarm_starts, hi)
            ]
            in_findings = unit_findings[
                bisect.bisect_left(finding_times, lo) : bisect.bisect_right(finding_times, hi)
            ]
            if len(in_alarms) + len(in_findings) < th.normal_min_problems:
                continue
            evidence = {
                "unit": unit,
                "from": _iso(lo),
                "to": _iso(hi),
                "days": round((hi - lo).total_seconds() / 86400, 1),
                "records": len(run),
                "findings": [{"at": _iso(f.at), "by": f.by} for f in in_findings][:EVIDENCE_IDS],
                "alarms": [{"from": _iso(a.start), "to": _iso(a.end)} for a in in_alarms][
                    :EVIDENCE_IDS
                ],
                "ids": _ids(records, run),
            }
            hits.group(enterprise, "normal_despite_findings", evidence)
            for i in run:
                hits.add(i, "normal_despite_findings", evidence)


def _alarm_during_normal(
    records: Sequence[CheckRecord],
    alarms: Mapping[tuple[str, str], list[AlarmSpan]],
    hits: _Hits,
) -> None:
    index: dict[tuple[str, str], tuple[list[datetime], list[AlarmSpan], float]] = {}
    for key, spans in alarms.items():
        longest = max((a.end - a.start).total_seconds() for a in spans)
        index[key] = ([a.start for a in spans], spans, longest)
    for i, r in enumerate(records):
        found = index.get((r.enterprise, r.unit))
        if found is None or any(a != "normal" for a in r.answers):
            continue
        starts, spans, longest = found
        # Alarms starting after the submission cannot overlap; of those before, only the
        # ones starting within the longest alarm's length of the check's start can.
        upper = bisect.bisect_right(starts, r.submitted_at)
        j = upper - 1
        while j >= 0 and (r.started_at - spans[j].start).total_seconds() <= longest:
            span = spans[j]
            if span.end >= r.started_at:
                hits.add(
                    i,
                    "alarm_during_normal_check",
                    {
                        "unit": r.unit,
                        "check_from": _iso(r.started_at),
                        "check_to": _iso(r.submitted_at),
                        "alarm_from": _iso(span.start),
                        "alarm_to": _iso(span.end),
                        "items": r.items,
                    },
                )
                break
            j -= 1


def _burst(records: Sequence[CheckRecord], th: Thresholds, hits: _Hits) -> None:
    for (enterprise, checker), members in sorted(
        _by(records, lambda r: (r.enterprise, r.checker)).items()
    ):
        if len(members) < th.burst_min_due_days:
            continue
        members.sort(key=lambda i: (records[i].submitted_at, records[i].id))
        due_days: Counter = Counter()
        marked = [False] * len(members)
        last_marked = -1
        left = 0
        for right, i in enumerate(members):
            due_days[records[i].due_at.date()] += 1
            now = records[i].submitted_at
            while (now - records[members[left]].submitted_at).total_seconds() > th.burst_window_s:
                day = records[members[left]].due_at.date()
                due_days[day] -= 1
                if not due_days[day]:
                    del due_days[day]
                left += 1
            if len(due_days) >= th.burst_min_due_days:
                for k in range(max(left, last_marked + 1), right + 1):
                    marked[k] = True
                last_marked = right
        # Contiguous marked records are one sitting.
        sittings: list[list[int]] = []
        for k, flag in enumerate(marked):
            if flag:
                if k > 0 and marked[k - 1]:
                    sittings[-1].append(members[k])
                else:
                    sittings.append([members[k]])
        for sitting in sittings:
            dues = sorted(records[i].due_at for i in sitting)
            evidence = {
                "checker": checker,
                "submitted_from": _iso(records[sitting[0]].submitted_at),
                "submitted_to": _iso(records[sitting[-1]].submitted_at),
                "minutes": round(
                    (
                        records[sitting[-1]].submitted_at - records[sitting[0]].submitted_at
                    ).total_seconds()
                    / 60,
                    1,
                ),
                "records": len(sitting),
                "due_days": len({d.date() for d in dues}),
                "due_from": _iso(dues[0]),
                "due_to": _iso(dues[-1]),
                "ids": _ids(records, sitting),
            }
            hits.group(enterprise, "burst", evidence)
            for i in sitting:
                hits.add(i, "burst", evidence)


def _per_record(
    records: Sequence[CheckRecord],
    sites: Mapping[str, list[Site]],
    th: Thresholds,
    hits: _Hits,
) -> None:
    for i, r in enumerate(records):
        if r.started_at <= r.due_at:
            lag = (r.submitted_at - r.due_at).total_seconds()
            if lag >= th.backdate_min_lag_s:
                hits.add(
                    i,
                    "back_dated",
                    {
                        "due_at": _iso(r.due_at),
                        "started_at": _iso(r.started_at),
                        "submitted_at": _iso(r.submitted_at),
                        "hours_after_due": round(lag / 3600, 1),
                    },
                )
        seconds = (r.submitted_at - r.started_at).total_seconds()
        if seconds < th.min_seconds_per_item * r.items:
            hits.add(
                i,
                "too_short",
                {
                    "seconds": round(seconds, 1),
                    "items": r.items,
                    "seconds_per_item": round(seconds / r.items, 2),
                    "threshold": th.min_seconds_per_item,
                },
            )
        places = sites.get(r.enterprise)
        if places:
            distance, site = min(
                ((haversine_m(r.lat, r.lon, s.lat, s.lon), s) for s in places),
                key=lambda pair: (pair[0], pair[1].lat, pair[1].lon),
            )
            if distance > th.far_distance_m:
                hits.add(
                    i,
                    "far_from_site",
                    {
                        "distance_m": round(distance),
                        "lat": r.lat,
                        "lon": r.lon,
                        "site_lat": site.lat,
                        "site_lon": site.lon,
                        "threshold_m": th.far_distance_m,
                    },
                )


def _photo_reuse(records: Sequence[CheckRecord], th: Thresholds, hits: _Hits) -> None:
    users: dict[int, set[int]] = defaultdict(set)  # hash -> record indices
    for i, r in enumerate(records):
        for photo in r.photos:
            users[int(photo, 16)].add(i)
    unique = sorted(users)
    near: dict[int, dict[int, int]] = defaultdict(dict)  # hash -> {other hash: distance}
    if th.photo_max_distance > 0:
        # Pigeonhole over 4 bands of 16 bits finds every pair within 3 bits; a larger
        # threshold would need more (narrower) bands.
        bands = 4 if th.photo_max_distance <= 3 else th.photo_max_distance + 1
        width = 64 // bands
        mask = (1 << width) - 1
        for band in range(bands):
            shift = band * width
            buckets: dict[int, list[int]] = defaultdict(list)
            for h in unique:
                buckets[(h >> shift) & mask].append(h)
            for bucket in buckets.values():
                for a_pos in range(len(bucket) - 1):
                    a = bucket[a_pos]
                    for b in bucket[a_pos + 1 :]:
                        distance = (a ^ b).bit_count()
                        if distance <= th.photo_max_distance:
                            near[a][b] = distance
                            near[b][a] = distance
    for h in unique:
        neighbours = near.get(h, {})
        sharing = set(users[h])
        for other in neighbours:
            sharing |= users[other]
        if len(sharing) < 2:
            continue
        for i in sorted(users[h]):
            others = sorted((records[j].id, j) for j in sharing if j != i)
            examples = []
            for other_id, j in others[:5]:
                # The other record's photo nearest to this one, ties by value.
                distance, photo = min(((h ^ int(p, 16)).bit_count(), p) for p in records[j].photos)
                examples.append({"id": other_id, "photo": photo, "distance": distance})
            hits.add(
                i,
                "photo_reused",
                {
                    "photo": format(h, "016x"),
                    "other_records": len(others),
                    "enterprises": sorted({records[j].enterprise for _, j in others}),
                    "examples": examples,
                },
            )


def _shared_device(records: Sequence[CheckRecord], th: Thresholds, hits: _Hits) -> None:
    for device, members in sorted(_by(records, lambda r: r.device).items()):
        enterprises = sorted({records[i].enterprise for i in members})
        checkers = sorted({records[i].checker for i in members})
        if len(enterprises) >= 2:
            evidence = {
                "device": device,
                "enterprises": enterprises,
                "checkers": checkers[:EVIDENCE_IDS],
                "records": len(members),
                "ids": _ids(records, members),
            }
            for enterprise in enterprises:
                hits.group(enterprise, "shared_device", evidence)
            for i in members:
                hits.add(i, "shared_device", evidence)
            continue
        if len(checkers) < 2:
            continue
        members.sort(key=lambda i: (records[i].started_at, records[i].id))
        active: list[tuple[datetime, int]] = []  # (end of use, index), a heap
        involved: dict[int, set[int]] = defaultdict(set)
        for i in members:
            r = records[i]
            # Finished more than a handover before this start: no longer in use.
            while active and (r.started_at - active[0][0]).total_seconds() >= th.device_handover_s:
                heapq.heappop(active)
            for _, j in active:
                if records[j].checker != r.checker:
                    involved[i].add(j)
                    involved[j].add(i)
            duration = (r.submitted_at - r.started_at).total_seconds()
            end = r.started_at + timedelta(seconds=max(0.0, min(duration, th.device_max_hold_s)))
            heapq.heappush(active, (end, i))
        if not involved:
            continue
        enterprise = enterprises[0]
        group = {
            "device": device,
            "enterprises": enterprises,
            "checkers": sorted({records[i].checker for i in involved}),
            "records": len(involved),
            "ids": _ids(records, involved),
        }
        hits.group(enterprise, "shared_device", group)
        for i in sorted(involved):
            hits.add(
                i,
                "shared_device",
                {
                    "device": device,
                    "checker": records[i].checker,
                    "with": [
                        {"id": other_id, "checker": checker}
                        for other_id, checker in sorted(
                            {(records[j].id, records[j].checker) for j in involved[i]}
                        )[:5]
                    ],
                    "checkers": group["checkers"],
                },
            )


def score(
    records: Iterable[CheckRecord],
    sites: Iterable[Site] = (),
    alarms: Iterable[AlarmSpan] = (),
    findings: Iterable[Finding] = (),
    thresholds: Thresholds | None = None,
) -> Scores:
    """Every record's signals and every enterprise's score (see the module docstring)."""
    th = thresholds or Thresholds()
    ordered = sorted(records, key=lambda r: r.id)
    site_map: dict[str, list[Site]] = defaultdict(list)
    for s in sites:
        site_map[s.enterprise].append(s)
    alarm_map: dict[tuple[str, str], list[AlarmSpan]] = defaultdict(list)
    for a in alarms:
        alarm_map[(a.enterprise, a.unit)].append(a)
    for spans in alarm_map.values():
        spans.sort(key=lambda a: (a.start, a.end))
    finding_map: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        finding_map[(f.enterprise, f.unit)].append(f)
    for found in finding_map.values():
        found.sort(key=lambda f: (f.at, f.by))

    hits = _Hits()
    _identical(ordered, th, hits)
    _normal_despite_findings(ordered, alarm_map, finding_map, th, hits)
    _alarm_during_normal(ordered, alarm_map, hits)
    _burst(ordered, th, hits)
    _per_record(ordered, site_map, th, hits)
    _photo_reuse(ordered, th, hits)
    _shared_device(ordered, th, hits)

    record_scores = []
    totals: Counter = Counter()
    flagged: Counter = Counter()
    per_signal: dict[str, Counter] = defaultdict(Counter)
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    details: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for i, r in enumerate(ordered):
        totals[r.enterprise] += 1
        found = hits.by_record.get(i, {})
        if found:
            flagged[r.enterprise] += 1
        for name in found:
            per_signal[r.enterprise][name] += 1
            if len(examples[(r.enterprise, name)]) < EVIDENCE_IDS:
                examples[(r.enterprise, name)].append(r.id)
            if len(details[(r.enterprise, name)]) < EVIDENCE_EXAMPLES:
                details[(r.enterprise, name)].append({"id": r.id, **found[name]})
        record_scores.append(
            RecordScore(
                id=r.id,
                flag=bool(found),
                signals=tuple(Signal(name, found[name]) for name in sorted(found)),
            )
        )

    enterprise_scores = []
    for enterprise in sorted(totals):
        total = totals[enterprise]
        flagged_share = flagged[enterprise] / total
        value = 1 - flagged_share / 2
        signals = []
        for name, count in per_signal[enterprise].items():
            share = count / total
            penalty = th.weights[name] * min(1.0, share / th.full_shares[name])
            value *= 1 - penalty
            evidence: dict[str, Any] = {
                "records": count,
                "of": total,
                "share": round(share, 4),
                "penalty": round(penalty, 4),
                "ids": examples[(enterprise, name)],
            }
            groups = hits.groups.get((enterprise, name))
            if groups:
                evidence["groups"] = groups[:EVIDENCE_IDS]
                evidence["group_count"] = len(groups)
            else:  # record by record: the first records' own figures
                evidence["examples"] = details[(enterprise, name)]
            signals.append((-penalty, name, Signal(name, evidence)))
        signals.sort(key=lambda item: (item[0], item[1]))
        result = round(100 * value, 1)
        enterprise_scores.append(
            EnterpriseScore(
                enterprise=enterprise,
                score=result,
                flag=result < th.flag_below,
                signals=tuple(s for _, _, s in signals),
            )
        )
    enterprise_scores.sort(key=lambda e: (e.score, e.enterprise))
    return Scores(enterprises=tuple(enterprise_scores), records=tuple(record_scores))

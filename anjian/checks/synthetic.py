"""Seeded synthetic self-check records with planted fabricators. Pure: no Django.

For the scorer's precision/recall test and, later, the demo: N enterprises with a site,
units (some clean, some with problems that inspections, reports and sensor alarms find),
checkers with their phones (some teams share a tablet in shifts), daily / weekly /
monthly tasks over `days` days, and honest behaviour with its noise: hazards found where
there are some, a few late, missed or offline-synced checks, GPS jitter and the odd GPS
glitch, quick checkers, and honest checkers who always answer "normal" at a clean unit.

A planted share of enterprises fabricates, each with its own mix of one to three of
PATTERNS, each applied to a share of its records (some subtle: a fifth of one checker's
records). The same seed gives the same data; nothing reads the clock or the hash seed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from anjian.checks.authenticity import AlarmSpan, CheckRecord, Finding, Site
from anjian.checks.scorefile import dump_lines

CST = timezone(timedelta(hours=8))  # Asia/Shanghai, no daylight saving since 1991

PATTERNS = (
    "identical",  # copy-pasted note and answers
    "blind_normal",  # all normal at units where others find problems
    "burst",  # a week or a month of daily checks filled in at one sitting
    "backdate",  # yesterday's check written today, claimed on time
    "tap_through",  # seconds per item
    "remote",  # filled in at the office, kilometres away
    "photo_reuse",  # the same few photos again
    "shared_device",  # one person fills everyone's checks on one phone
)

_STOCK_NOTES = (
    "经检查，各项安全措施落实到位，未发现隐患。",
    "设备运行正常，安全设施完好，作业人员持证上岗。",
    "现场检查无异常，消防器材齐全有效，通道畅通。",
    "各岗位巡检到位，未发现违章作业和安全隐患。",
)
_SHORT_NOTES = ("正常", "无异常", "未见异常", "良好")
_HAZARDS = ("灭火器压力不足", "安全通道堆放杂物", "法兰密封处渗漏", "接地线松动", "防护罩缺失")


@dataclass
class SyntheticData:
    records: list[CheckRecord]
    sites: list[Site]
    alarms: list[AlarmSpan]
    findings: list[Finding]
    planted: frozenset[str]
    patterns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # planted -> mix

    def lines(self) -> Iterator[str]:
        """The JSON-lines form of the scorer's file contract."""
        return dump_lines(self.records, self.sites, self.alarms, self.findings)


@dataclass
class _Unit:
    code: str
    lat: float
    lon: float
    item_hazard: float  # chance per item of a real hazard on a given check (0: clean)
    problems: list[datetime] = field(default_factory=list)  # findings and alarm starts
    alarms: list[tuple[datetime, datetime]] = field(default_factory=list)


@dataclass
class _Task:
    code: str
    unit: _Unit
    cycle: str
    items: int
    checker: int


def _offset(lat: float, lon: float, metres: float, rng: random.Random) -> tuple[float, float]:
    """A point about `metres` away in a random direction (flat-earth is fine at km scale)."""
    bearing = rng.uniform(0, 6.283185307179586)
    north, east = metres * math.cos(bearing), metres * math.sin(bearing)
    return lat + north / 111_195.0, lon + east / (111_195.0 * math.cos(lat * 0.017453292519943295))


def _at(day: date, hour: float) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CST) + timedelta(seconds=int(hour * 3600))


def _s(moment: datetime) -> datetime:
    """Whole seconds, as phones and servers record them."""
    return moment.replace(microsecond=0)


def _occurrences(
    task: _Task, start: date, days: int, rng: random.Random
) -> list[tuple[date, date]]:
    """(day the check is done, due day) for each period of the task."""
    out = []
    length = {"day": 1, "week": 7, "month": 30}[task.cycle]
    for first in range(0, days - length + 1, length):
        due = start + timedelta(days=first + length - 1)
        done = start + timedelta(days=first + rng.randrange(length))
        out.append((done, due))
    return out


def generate(
    *,
    enterprises: int = 60,
    seed: int = 1,
    fabricating_share: float = 0.3,
    days: int = 91,
    start: date = date(2026, 1, 5),
) -> SyntheticData:
    rng = random.Random(seed)
    codes = [f"SYN{seed:04d}E{i:04d}" for i in range(enterprises)]
    planted_count = round(enterprises * fabricating_share)
    planted = set(rng.sample(codes, planted_count))
    mixes: dict[str, tuple[str, ...]] = {}
    for code in sorted(planted):
        count = rng.choice((1, 1, 2, 2, 3))
        mixes[code] = tuple(sorted(rng.sample(PATTERNS, count)))
    records: list[CheckRecord] = []
    sites: list[Site] = []
    alarms: list[AlarmSpan] = []
    findings: list[Finding] = []
    for index, code in enumerate(codes):
        _enterprise(
            code,
            random.Random(f"{seed}:{index}"),
            mixes.get(code, ()),
            start,
            days,
            records,
            sites,
            alarms,
            findings,
        )
    records.sort(key=lambda r: r.id)
    return SyntheticData(records, sites, alarms, findings, frozenset(planted), mixes)


def _enterprise(
    code: str,
    rng: random.Random,
    mix: tuple[str, ...],
    start: date,
    days: int,
    records: list[CheckRecord],
    sites: list[Site],
    alarms: list[AlarmSpan],
    findings: list[Finding],
) -> None:
    site_lat, site_lon = 30.7 + rng.random() * 0.4, 119.7 + rng.random() * 0.5
    sites.append(Site(code, round(site_lat, 6), round(site_lon, 6)))

    units: list[_Unit] = []
    for u in range(rng.randint(2, 5)):
        lat, lon = _offset(site_lat, site_lon, rng.uniform(20, 300), rng)
        dirty = rng.random() < 0.45 or (u == 0 and "blind_normal" in mix)
        units.append(_Unit(f"{code}-U{u}", lat, lon, rng.uniform(0.02, 0.05) if dirty else 0.0))
    for unit in units:
        if unit.item_hazard:
            for _ in range(rng.randint(2, 4)):
                at = _at(start + timedelta(days=rng.randrange(days)), rng.uniform(9, 16))
                by = rng.choice(("inspection", "report", "grid_officer"))
                findings.append(Finding(code, unit.code, at, by))
                unit.problems.append(at)
            for _ in range(rng.randint(1, 4)):
                begin = _at(start + timedelta(days=rng.randrange(days)), rng.uniform(0, 24))
                span = (begin, _s(begin + timedelta(minutes=rng.uniform(20, 360))))
                unit.alarms.append(span)
                unit.problems.append(begin)
        elif rng.random() < 0.2:  # a sensor glitch at a clean unit
            begin = _at(start + timedelta(days=rng.randrange(days)), rng.uniform(0, 24))
            unit.alarms.append((begin, _s(begin + timedelta(minutes=rng.uniform(5, 30)))))
        for begin, finish in unit.alarms:
            alarms.append(AlarmSpan(code, unit.code, begin, finish))

    checker_count = rng.randint(2, 4)
    checkers = [f"{code}-C{c}" for c in range(checker_count)]
    devices = [f"{code}-P{c}" for c in range(checker_count)]
    # Morning or afternoon rounds; a team tablet is shared in shifts (honest).
    windows = [(8.0, 11.0) if c % 2 == 0 else (13.5, 16.0) for c in range(checker_count)]
    if rng.random() < 0.3:
        devices[1] = devices[0] = f"{code}-TAB"
    tasks: list[_Task] = []
    for u, unit in enumerate(units):
        # Daily rounds go round the checkers; weekly and monthly checks to anyone.
        tasks.append(_Task(f"{unit.code}-D", unit, "day", rng.randint(4, 12), u % checker_count))
        tasks.append(
            _Task(f"{unit.code}-W", unit, "week", rng.randint(10, 20), rng.randrange(checker_count))
        )
        tasks.append(
            _Task(
                f"{unit.code}-M", unit, "month", rng.randint(15, 30), rng.randrange(checker_count)
            )
        )

    # The fabricators' settings, drawn once per enterprise.
    subtle = rng.random() < 0.35
    intensity = rng.uniform(0.2, 0.35) if subtle else rng.uniform(0.45, 1.0)
    # Fabricating checkers are among those with daily rounds (the bulk of the records).
    rounds = sorted({t.checker for t in tasks if t.cycle == "day"})
    targets = set(rng.sample(rounds, 1 if subtle else rng.randint(1, len(rounds))))
    stock = rng.choice(_STOCK_NOTES)
    office = _offset(site_lat, site_lon, rng.uniform(2000, 15000), rng)
    photo_pool = [rng.getrandbits(64) for _ in range(rng.randint(2, 5))]
    office_device = f"{code}-OFFICE"

    planned: list[tuple[_Task, date, date]] = []
    for task in tasks:
        planned.extend((task, done, due) for done, due in _occurrences(task, start, days, rng))
    planned.sort(key=lambda p: (p[1], p[0].code))

    # Burst periods: per target checker, 7-to-30-day stretches filled in afterwards.
    burst_days: dict[int, dict[date, datetime]] = {}
    if "burst" in mix:
        for c in targets:
            stretch = rng.choice((7, 14, 30))
            marks: dict[date, datetime] = {}
            starts = range(0, days - stretch + 1, stretch)
            # At least one stretch, or a "fabricator" would have fabricated nothing.
            forced = rng.choice(starts)
            for first in starts:
                if first == forced or rng.random() < intensity:
                    sitting = _at(start + timedelta(days=first + stretch), rng.uniform(9, 17))
                    for d in range(stretch):
                        marks[start + timedelta(days=first + d)] = sitting
            burst_days[c] = marks
    office_days = {
        start + timedelta(days=d)
        for d in range(days)
        if "shared_device" in mix and rng.random() < intensity
    }
    sittings: dict[datetime, datetime] = {}  # burst sitting -> next free moment
    office_clock: dict[date, datetime] = {}

    for number, (task, done, due_day) in enumerate(planned):
        if rng.random() < 0.03:  # missed (shows as missed, not here)
            continue
        c = task.checker
        unit = task.unit
        due_at = _at(due_day, 18.0)
        window = windows[c]
        started = _at(done, rng.uniform(*window))
        if rng.random() < 0.03:  # honest and late: done the next morning, shows as late
            started = _at(done + timedelta(days=1), rng.uniform(8, 10))
        seconds = task.items * rng.uniform(15, 50)
        if rng.random() < 0.003:  # a quick checker on an easy list
            seconds = task.items * rng.uniform(3.5, 5)
        submitted = started + timedelta(seconds=seconds)
        roll = rng.random()
        if roll < 0.02:  # dropped connection, sent when back in range
            submitted += timedelta(minutes=rng.uniform(10, 300))
        elif roll < 0.023:  # phone offline in a basement for a day
            submitted += timedelta(hours=rng.uniform(26, 40))
        lat, lon = _offset(unit.lat, unit.lon, abs(rng.gauss(0, 25)), rng)
        if rng.random() < 0.008:  # GPS glitch (multipath indoors)
            lat, lon = _offset(unit.lat, unit.lon, rng.uniform(1200, 3000), rng)
        device = devices[c]

        # What an honest checker sees: real hazards, more so right after others found
        # a problem, and an alarm going off during the check.
        recent = any(timedelta(0) <= started - p <= timedelta(days=3) for p in unit.problems)
        alarm_now = any(a <= submitted and b >= started for a, b in unit.alarms)
        answers = [
            "hazard_found" if rng.random() < unit.item_hazard else "normal"
            for _ in range(task.items)
        ]
        if (recent and unit.item_hazard and rng.random() < 0.7) or (
            alarm_now and rng.random() < 0.85
        ):
            answers[rng.randrange(task.items)] = "hazard_found"
        for k in range(task.items):
            roll = rng.random()
            if roll < 0.004:
                answers[k] = "not_checked"
            elif roll < 0.007:
                answers[k] = "other"
        if "hazard_found" in answers:
            note = f"{rng.choice(_HAZARDS)}（第{answers.index('hazard_found') + 1}项），已通知整改"
        else:
            roll = rng.random()
            if roll < 0.6:
                note = ""
            elif roll < 0.85:
                note = rng.choice(_SHORT_NOTES)
            else:
                note = f"压力{rng.uniform(0.2, 0.8):.2f}MPa，温度{rng.randint(12, 35)}℃，运行平稳"
        photos = [
            format(rng.getrandbits(64), "016x")
            for _ in range(rng.choice((0, 1, 1, 2)) + (task.cycle == "month"))
        ]

        # Fabrication, pattern by pattern.
        cheat = c in targets
        if "blind_normal" in mix and unit.item_hazard:
            answers, note = ["normal"] * task.items, rng.choice(("", *_SHORT_NOTES))
        if "identical" in mix and cheat and rng.random() < intensity:
            answers, note = ["normal"] * task.items, stock
        if "tap_through" in mix and cheat and rng.random() < intensity:
            submitted = started + timedelta(seconds=task.items * rng.uniform(0.8, 3.5))
        if "remote" in mix and cheat and rng.random() < intensity:
            lat, lon = _offset(office[0], office[1], abs(rng.gauss(0, 30)), rng)
        if "photo_reuse" in mix and cheat and rng.random() < intensity:
            base = rng.choice(photo_pool)
            for _ in range(rng.randint(0, 2)):
                base ^= 1 << rng.randrange(64)
            photos = [format(base, "016x")]
        if "backdate" in mix and cheat and task.cycle == "day" and rng.random() < intensity:
            started = _at(due_day, rng.uniform(*window))
            submitted = due_at + timedelta(hours=rng.uniform(30, 100))
        marks = burst_days.get(c, {})
        if task.cycle == "day" and done in marks:
            sitting = marks[done]
            moment = sittings.get(sitting, sitting)
            started = _at(done, rng.uniform(*window))
            submitted = moment + timedelta(seconds=rng.uniform(15, 60))
            sittings[sitting] = submitted
        if done in office_days and task.cycle == "day":
            # One person at the office phone fills in everyone's daily checks in a row.
            clock = office_clock.get(done, _at(done, 16.5))
            started = clock + timedelta(seconds=rng.uniform(5, 40))
            submitted = started + timedelta(seconds=task.items * rng.uniform(6, 12))
            office_clock[done] = submitted
            device = office_device

        records.append(
            CheckRecord(
                id=f"{code}-R{number:05d}",
                enterprise=code,
                checker=checkers[c],
                device=device,
                unit=unit.code,
                task=task.code,
                cycle=task.cycle,
                due_at=_s(due_at),
                started_at=_s(started),
                submitted_at=_s(submitted),
                items=task.items,
                answers=tuple(answers),
                note=note,
                lat=round(lat, 6),
                lon=round(lon, 6),
                photos=tuple(photos),
            )
        )

"""The double-random draw (双随机、一公开): which enterprises are inspected, by whom,
reproducible by anyone from a published seed. Pure: no Django, no clock, no OS randomness.

What the rules ask (sources; what could not be verified is marked):
  * 国办发〔2015〕58号《国务院办公厅关于推广随机抽查规范事中事后监管的通知》, 二(二):
    a "双随机" mechanism that draws the inspected subjects at random from a register of
    subjects and the inspectors at random from a register of inspectors (通过摇号等方式),
    to limit the department's discretion. 二(三): the rate and frequency are set locally;
    subjects with many complaints or serious violations are checked more (here: the caller
    marks them `forced`). 二(四): the draw and its results are made public (一公开) — hence
    the published seed, the canonical record and its digest. Read from the State Council
    text as stored (gov.cn, 2015-08-05) and from a 2016 summary of it.
  * 国发〔2019〕5号 (部门联合"双随机、一公开"监管): random checks as the basic means,
    targeted checks (重点监管) as the complement; the rate differs by credit/risk class.
    Here: strata by colour (the enterprise's risk class) with a rate per colour, and the
    required enterprises forced in on top of the random part. Read from summaries only;
    the article numbering was not verified.
  * Two or more inspectors: 《行政处罚法》(2021) 第四十二条 "执法人员不得少于两人" and the
    recusal of an inspector with an interest in the case (第四十三条) — article numbers
    from memory, UNCONFIRMED against the text; the two-person rule and the recusal rule
    themselves were found in stored pages. Local 双随机 rules (e.g. a 司法行政 implementing
    rule) say "随机抽取2名以上检查人员; 有利害关系的应当依法回避".
  * Not the one who inspected last time: a local practice (e.g. 利州区 2020: "确保每次
    '双随机'人员不同"), not a national article. UNCONFIRMED as a national rule.
  * 应急管理部: 应急〔2021〕23号《关于加强安全生产执法工作的意见》 asks for 分级分类,
    精准执法; the stored excerpt did not contain its wording on 双随机 (UNCONFIRMED).

How it works (docs/double-random-draw.md tells it step by step for a member of the
public):
  1. Normalise: strings to Unicode NFC; every list sorted by its code, so the order in
     which the caller passes them does not matter.
  2. Key every enterprise: K(e) = HMAC-SHA256(key = UTF-8(seed),
     msg = UTF-8("enterprise|" + code)). `random.Random` is not used: its algorithms are
     an implementation detail of CPython that may change; HMAC-SHA256 is a fixed standard
     (RFC 2104, FIPS 180-4) that anyone can compute with `openssl dgst -hmac`.
  3. Strata: (colour, industry). Forced enterprises are always in and are not part of
     the random pool, so each pooled enterprise of a stratum has the same, publishable
     chance a_h / N_h.
  4. Allocation (Hamilton / largest remainder, exact `Fraction` arithmetic):
     sample size n: quota q_h = n·N_h / ΣN; rates by colour: q_h = rate·N_h and
     n = ⌊Σq_h + ½⌋. Each stratum gets ⌊q_h⌋, the n − Σ⌊q_h⌋ seats left go one each to
     the strata with the largest q_h − ⌊q_h⌋ (ties: smaller HMAC(seed, "stratum|colour|
     industry") first). The allocations sum to n exactly.
  5. Within a stratum the pooled enterprises are sorted by K(e) (bytes, ascending; the
     code breaks a tie) and the first a_h are drawn.
  6. Inspectors: the roster is the active inspectors (of `department` if given). The
     selected enterprises are staffed in ascending K(e). For each, the k eligible
     inspectors with the smallest (load so far, HMAC(seed, "inspector|" + load + "|" + id))
     are taken; an inspector declared in conflict with the enterprise or among its last
     inspectors is not eligible (with `match_division`, nor one whose division code is not
     a prefix of the enterprise's). The per-load key reshuffles the order at every level
     of workload, so the pairs differ from round to round, and nobody gets more than
     cap = ⌈k·S / R⌉ + 1 inspections (S selected, R roster). An enterprise that cannot be
     staffed raises `UnstaffableError` naming it and why; nothing is half-drawn.
  7. Digest: SHA-256 of a canonical JSON (sorted keys, no spaces, UTF-8) of the
     normalised inputs and the outputs. Publishing seed, inputs and digest lets anyone
     re-run `run_draw` (or the steps by hand) and compare (`verify_draw`).

Cost: one HMAC per enterprise and one per inspection assigned, one sort, a heap over the
roster: O(N log N + S·k·log R), no loop over enterprises × inspectors.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import json
import math
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from itertools import pairwise
from typing import Any

try:
    # The C function behind hmac.digest (same bytes), without its Python wrapper: a third
    # of the draw's time at 100,000 enterprises. Falls back where it is missing.
    from _hashlib import hmac_digest as _hmac_digest
except ImportError:  # pragma: no cover
    _hmac_digest = hmac.digest

ALGORITHM = "anjian-double-random-v1"
# Highest risk first (GLOSSARY: 红/橙/黄/蓝). The order of the published strata only.
COLOURS = ("red", "orange", "yellow", "blue")
COLOUR_RANK = {colour: rank for rank, colour in enumerate(COLOURS)}
MIN_INSPECTORS = 2  # 行政处罚法: 执法人员不得少于两人 (article number UNCONFIRMED, see above)
DRAWN = "drawn"
FORCED = "forced"


class DrawError(ValueError):
    """Bad input for a draw. `code` names the problem for the pages to translate;
    `details` carries the offending values."""

    def __init__(self, code: str, message: str, /, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class Unstaffable:
    """An enterprise the roster cannot staff: `reason` is "too_few_eligible" (fewer
    eligible inspectors than needed whatever the assignment) or "workload_cap" (enough
    eligible ones exist, but all of them already carry `cap` inspections)."""

    enterprise: str
    reason: str
    eligible: int
    needed: int
    excluded: tuple[str, ...]


class UnstaffableError(DrawError):
    def __init__(self, unstaffable: tuple[Unstaffable, ...], cap: int) -> None:
        listing = "; ".join(
            f"{u.enterprise}: {u.reason}, {u.eligible} eligible of {u.needed} needed"
            + (f", excluded {', '.join(u.excluded)}" if u.excluded else "")
            for u in unstaffable
        )
        super().__init__(
            "unstaffable",
            f"{len(unstaffable)} selected enterprise(s) cannot be staffed "
            f"(workload cap {cap} inspections per inspector): {listing}",
            enterprises=[u.enterprise for u in unstaffable],
            cap=cap,
        )
        self.unstaffable = unstaffable
        self.cap = cap


# Inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """An enterprise in the register of subjects (检查对象名录库)."""

    code: str  # 统一社会信用代码
    colour: str  # red / orange / yellow / blue
    industry: str
    division: str  # division code (GB/T 2260 and below): a prefix is an ancestor
    forced: bool = False
    forced_reason: str = ""  # required when forced: e.g. "overdue", "red", "complaints"


@dataclass(frozen=True)
class Inspector:
    """An inspector in the register of inspectors (执法检查人员名录库)."""

    id: str
    department: str
    division: str
    active: bool = True


@dataclass(frozen=True)
class Conflict:
    """A declared conflict of interest: this inspector never inspects this enterprise."""

    inspector: str
    enterprise: str


@dataclass(frozen=True)
class DrawParameters:
    """Exactly one of `sample_size` (enterprises drawn at random, forced ones come on top)
    and `rates` (colour → share of each stratum's pool, exact: Fraction or its text such
    as "1/10" or "0.1"; every colour present needs one)."""

    seed: str
    sample_size: int | None = None
    rates: Mapping[str, Fraction | str | int] | None = None
    inspectors_per_inspection: int = MIN_INSPECTORS
    department: str | None = None  # only this department's inspectors form the roster
    match_division: bool = False  # an inspector only inside their own division subtree


# Outputs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StratumAllocation:
    stratum: str  # "colour|industry"
    colour: str
    industry: str
    pool: int  # enterprises of the stratum that could be drawn (not forced)
    forced: int
    quota: Fraction  # the exact share before rounding
    drawn: int


@dataclass(frozen=True)
class Selection:
    code: str
    stratum: str
    reason: str  # "drawn" or "forced"
    forced_reason: str
    key: str  # K(e) in hex: anyone can recompute it from the seed and the code
    inspectors: tuple[str, ...]


@dataclass(frozen=True)
class DrawResult:
    algorithm: str
    parameters: DrawParameters
    strata: tuple[StratumAllocation, ...]
    selections: tuple[Selection, ...]  # in staffing order (ascending key)
    sample_size: int  # enterprises drawn at random (forced ones not counted)
    roster: int
    workload_cap: int
    digest: str = field(default="")

    def selected(self) -> dict[str, Selection]:
        return {s.code: s for s in self.selections}


@dataclass(frozen=True)
class Verification:
    ok: bool
    published: str
    recomputed: str


# The keyed order ------------------------------------------------------------------------


def keyed(seed: str, message: str) -> bytes:
    """HMAC-SHA256(key = UTF-8(seed), msg = UTF-8(message)): the only source of order.
    Same bytes on every machine and Python version (RFC 2104 / FIPS 180-4)."""
    return _hmac_digest(seed.encode("utf-8"), message.encode("utf-8"), "sha256")


def enterprise_key(seed: str, code: str) -> bytes:
    return keyed(seed, "enterprise|" + code)


def inspector_key(seed: str, load: int, inspector: str) -> bytes:
    return keyed(seed, f"inspector|{load}|{inspector}")


def stratum_key(seed: str, stratum: str) -> bytes:
    return keyed(seed, "stratum|" + stratum)


def _nfc(text: str) -> str:
    # The same visible text can be different code points (e.g. composed vs decomposed
    # characters); NFC makes the HMAC input the same bytes wherever the list was typed.
    return unicodedata.normalize("NFC", text)


def _fraction(value: Fraction | str | int) -> Fraction:
    # Fraction("0.1") is exactly 1/10; a float would carry its binary error.
    if isinstance(value, float):
        raise DrawError("rate_float", f"give rate {value!r} as text or a Fraction, not a float")
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError) as exc:
        raise DrawError("rate_invalid", f"rate {value!r} is not a number", rate=str(value)) from exc


def _text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


# Normalisation --------------------------------------------------------------------------


# Rows, not dataclasses, inside the draw: 100,000 tuples build and sort several times
# faster than frozen dataclasses, and they are already the published JSON arrays.
CandidateRow = tuple[str, str, str, str, bool, str]  # code colour industry division forced reason
InspectorRow = tuple[str, str, str, bool]  # id department division active


@dataclass(frozen=True)
class _Inputs:
    candidates: list[CandidateRow]  # sorted by code
    inspectors: list[InspectorRow]  # sorted by id
    conflicts: list[tuple[str, str]]  # (inspector, enterprise), sorted by enterprise
    last_inspectors: list[tuple[str, tuple[str, ...]]]
    parameters: DrawParameters
    rates: dict[str, Fraction] | None


def _normalise(
    candidates: Iterable[Candidate],
    inspectors: Iterable[Inspector],
    parameters: DrawParameters,
    conflicts: Iterable[Conflict],
    last_inspectors: Mapping[str, Iterable[str]],
) -> _Inputs:
    seed = _nfc(parameters.seed)
    if not seed:
        raise DrawError("seed_empty", "the seed must not be empty")
    k = parameters.inspectors_per_inspection
    if isinstance(k, bool) or not isinstance(k, int) or k < MIN_INSPECTORS:
        raise DrawError(
            "too_few_inspectors",
            f"an inspection needs at least {MIN_INSPECTORS} inspectors, got {k!r}",
            inspectors_per_inspection=k,
        )
    if (parameters.sample_size is None) == (parameters.rates is None):
        raise DrawError("size_or_rates", "give exactly one of sample_size and rates")
    rates: dict[str, Fraction] | None = None
    if parameters.rates is not None:
        rates = {}
        for colour, value in parameters.rates.items():
            if colour not in COLOUR_RANK:
                raise DrawError("colour_unknown", f"unknown colour {colour!r}", colour=colour)
            rate = _fraction(value)
            if not 0 <= rate <= 1:
                raise DrawError(
                    "rate_range", f"rate for {colour} must be in [0, 1], got {value}", colour=colour
                )
            rates[colour] = rate
    elif isinstance(parameters.sample_size, bool) or not isinstance(parameters.sample_size, int):
        raise DrawError("sample_size_invalid", "sample_size must be an integer")
    elif parameters.sample_size < 0:
        raise DrawError("sample_size_invalid", "sample_size must not be negative")

    norm = unicodedata.normalize
    cands: list[CandidateRow] = sorted(
        (
            norm("NFC", c.code),
            c.colour,
            norm("NFC", c.industry),
            norm("NFC", c.division),
            bool(c.forced),
            norm("NFC", c.forced_reason),
        )
        for c in candidates
    )
    seen_prev = None
    colours_in_pool: set[str] = set()
    for code, colour, _, _, forced, reason in cands:
        if code == seen_prev:
            raise DrawError("code_duplicate", f"enterprise {code} listed twice", code=code)
        seen_prev = code
        if forced:
            if not reason:
                raise DrawError(
                    "forced_without_reason", f"enterprise {code} is forced in without a reason"
                )
        else:
            colours_in_pool.add(colour)
    if cands and not cands[0][0]:
        raise DrawError("code_empty", "an enterprise without a code")
    unknown = {row[1] for row in cands} - COLOUR_RANK.keys()
    if unknown:
        bad = next(row[0] for row in cands if row[1] in unknown)
        raise DrawError("colour_unknown", f"enterprise {bad}: unknown colour", code=bad)
    if rates is not None:
        missing = sorted(colours_in_pool - rates.keys(), key=COLOUR_RANK.__getitem__)
        if missing:
            raise DrawError(
                "rate_missing", f"no rate for colour(s) {', '.join(missing)}", colours=missing
            )

    insps: list[InspectorRow] = sorted(
        (norm("NFC", i.id), norm("NFC", i.department), norm("NFC", i.division), bool(i.active))
        for i in inspectors
    )
    if insps and not insps[0][0]:
        raise DrawError("inspector_empty", "an inspector without an id")
    for before, after in pairwise(insps):
        if before[0] == after[0]:
            raise DrawError(
                "inspector_duplicate", f"inspector {after[0]} listed twice", id=after[0]
            )

    confl = sorted(
        {(norm("NFC", c.inspector), norm("NFC", c.enterprise)) for c in conflicts},
        key=lambda c: (c[1], c[0]),
    )
    last = sorted(
        (norm("NFC", code), tuple(sorted({norm("NFC", i) for i in ids})))
        for code, ids in last_inspectors.items()
    )
    department = None if parameters.department is None else _nfc(parameters.department)
    params = DrawParameters(
        seed=seed,
        sample_size=parameters.sample_size,
        rates=None
        if rates is None
        else dict(sorted(rates.items(), key=lambda r: COLOUR_RANK[r[0]])),
        inspectors_per_inspection=k,
        department=department,
        match_division=bool(parameters.match_division),
    )
    return _Inputs(cands, insps, confl, last, params, rates)


# Allocation -----------------------------------------------------------------------------


def allocate(
    quotas: Mapping[str, Fraction], total: int, tie_keys: Mapping[str, bytes]
) -> dict[str, int]:
    """Largest-remainder (Hamilton) rounding of exact quotas to integers summing to
    `total`: each gets ⌊q⌋, then the seats left go one each to the largest fractional
    parts, ties by `tie_keys` ascending (then by name). Needs Σ⌊q⌋ ≤ total ≤ Σ⌈q⌉."""
    floors = {name: q.numerator // q.denominator for name, q in quotas.items()}
    left = total - sum(floors.values())
    order = sorted(quotas, key=lambda name: (-(quotas[name] - floors[name]), tie_keys[name], name))
    eligible = [name for name in order if quotas[name] > floors[name]]
    if left < 0 or left > len(eligible):
        raise DrawError("allocation", f"cannot round quotas to {total}", total=total)
    for name in eligible[:left]:
        floors[name] += 1
    return floors


# The draw -------------------------------------------------------------------------------


def run_draw(
    *,
    candidates: Iterable[Candidate],
    inspectors: Iterable[Inspector],
    parameters: DrawParameters,
    conflicts: Iterable[Conflict] = (),
    last_inspectors: Mapping[str, Iterable[str]] | None = None,
) -> DrawResult:
    """Draw the enterprises and staff each with inspectors; see the module docstring."""
    return _run(_normalise(candidates, inspectors, parameters, conflicts, last_inspectors or {}))


def _run(inputs: _Inputs) -> DrawResult:
    params = inputs.parameters
    seed = params.seed
    seed_bytes = seed.encode("utf-8")
    k = params.inspectors_per_inspection
    digest_of = _hmac_digest

    # Steps 2-3: keys and strata, one pass.
    pools: dict[str, list[tuple[bytes, str]]] = defaultdict(list)
    forced_by_stratum: dict[str, int] = defaultdict(int)
    stratum_of: dict[str, str] = {}
    chosen: list[tuple[bytes, str, str, str]] = []  # (key, code, reason, forced_reason)
    for code, colour, industry, _, forced, reason in inputs.candidates:
        key = digest_of(seed_bytes, ("enterprise|" + code).encode("utf-8"), "sha256")
        stratum = colour + "|" + industry
        stratum_of[code] = stratum
        if forced:
            chosen.append((key, code, FORCED, reason))
            forced_by_stratum[stratum] += 1
        else:
            pools[stratum].append((key, code))

    # Step 4: allocation.
    strata = sorted(
        set(pools) | set(forced_by_stratum),
        key=lambda s: (COLOUR_RANK[s.split("|", 1)[0]], s.split("|", 1)[1]),
    )
    pool_size = {s: len(pools.get(s, ())) for s in strata}
    population = sum(pool_size.values())
    if inputs.rates is not None:
        quotas = {
            s: inputs.rates.get(s.split("|", 1)[0], Fraction(0)) * pool_size[s] for s in strata
        }
        total_quota = sum(quotas.values(), Fraction(0))
        n = math.floor(total_quota + Fraction(1, 2))  # round half up, exactly
    else:
        n = params.sample_size or 0
        if n > population:
            raise DrawError(
                "sample_too_large",
                f"sample size {n} exceeds the {population} enterprises that can be drawn",
                sample_size=n,
                pool=population,
            )
        quotas = {
            s: Fraction(n * pool_size[s], population) if population else Fraction(0) for s in strata
        }
    drawn_counts = allocate(quotas, n, {s: stratum_key(seed, s) for s in strata})

    # Step 5: the first a_h of each stratum's pool in keyed order.
    for s in strata:
        take = drawn_counts[s]
        if take:
            chosen.extend((key, code, DRAWN, "") for key, code in heapq.nsmallest(take, pools[s]))
    chosen.sort()

    # Step 6: staffing.
    roster = [
        row
        for row in inputs.inspectors
        if row[3] and (params.department is None or row[1] == params.department)
    ]
    total_slots = k * len(chosen)
    if chosen and not roster:
        raise UnstaffableError(
            tuple(Unstaffable(code, "too_few_eligible", 0, k, ()) for _, code, _, _ in chosen), 0
        )
    cap = (total_slots + len(roster) - 1) // len(roster) + 1 if roster else 0
    staffed = _staff(inputs, roster, chosen, stratum_of, cap)

    allocations = tuple(
        StratumAllocation(
            stratum=s,
            colour=s.split("|", 1)[0],
            industry=s.split("|", 1)[1],
            pool=pool_size[s],
            forced=forced_by_stratum.get(s, 0),
            quota=quotas[s],
            drawn=drawn_counts[s],
        )
        for s in strata
    )
    selections = tuple(
        Selection(
            code=code,
            stratum=stratum_of[code],
            reason=reason,
            forced_reason=forced_reason,
            key=key.hex(),
            inspectors=staffed[code],
        )
        for key, code, reason, forced_reason in chosen
    )
    result = DrawResult(
        algorithm=ALGORITHM,
        parameters=params,
        strata=allocations,
        selections=selections,
        sample_size=n,
        roster=len(roster),
        workload_cap=cap,
    )
    return replace(result, digest=_digest(inputs, result))


def _staff(
    inputs: _Inputs,
    roster: list[InspectorRow],
    chosen: list[tuple[bytes, str, str, str]],
    stratum_of: Mapping[str, str],
    cap: int,
) -> dict[str, tuple[str, ...]]:
    """Step 6. One heap of (load, key, id) per inspector division ("" for all when
    divisions are not matched); an enterprise looks at the heaps of its division's
    prefixes, so the work per enterprise is a few heap operations, never the roster."""
    params = inputs.parameters
    seed_bytes = params.seed.encode("utf-8")
    k = params.inspectors_per_inspection
    digest_of = _hmac_digest
    heaps: dict[str, list[tuple[int, bytes, str]]] = defaultdict(list)
    for iid, _, division, _ in roster:
        home = division if params.match_division else ""
        key = digest_of(seed_bytes, f"inspector|0|{iid}".encode(), "sha256")
        heaps[home].append((0, key, iid))
    for heap in heaps.values():
        heapq.heapify(heap)

    # Exclusions are looked up for the selected enterprises only (a tenth of the register).
    conflicts: dict[str, list[str]] = defaultdict(list)
    for inspector, enterprise in inputs.conflicts:
        conflicts[enterprise].append(inspector)
    last = dict(inputs.last_inspectors)
    division_of = {row[0]: row[3] for row in inputs.candidates} if params.match_division else {}
    heaps_for: dict[str, list[list[tuple[int, bytes, str]]]] = {}

    staffed: dict[str, tuple[str, ...]] = {}
    failures: list[Unstaffable] = []
    for _, code, _, _ in chosen:
        division = division_of[code] if params.match_division else ""
        applicable = heaps_for.get(division)
        if applicable is None:
            applicable = [heaps[p] for p in _prefixes(division) if p in heaps]
            heaps_for[division] = applicable
        out = {*conflicts.get(code, ()), *last.get(code, ())}
        picked: list[tuple[tuple[int, bytes, str], list]] = []
        aside: list[tuple[tuple[int, bytes, str], list]] = []
        blocked = False
        while len(picked) < k:
            best = None
            for heap in applicable:
                if heap and (best is None or heap[0] < best[0]):
                    best = heap
            if best is None:
                break
            item = heapq.heappop(best)
            if item[0] >= cap:
                # The smallest load left is at the cap: nobody eligible has room.
                heapq.heappush(best, item)
                blocked = True
                break
            (aside if item[2] in out else picked).append((item, best))
        for item, heap in aside:
            heapq.heappush(heap, item)
        if len(picked) < k:
            for item, heap in picked:
                heapq.heappush(heap, item)
            eligible = sum(1 for heap in applicable for _, _, iid in heap if iid not in out)
            failures.append(
                Unstaffable(
                    enterprise=code,
                    reason="workload_cap" if blocked and eligible >= k else "too_few_eligible",
                    eligible=eligible,
                    needed=k,
                    excluded=tuple(sorted(out)),
                )
            )
            continue
        for (load, _, iid), heap in picked:
            new_key = digest_of(seed_bytes, f"inspector|{load + 1}|{iid}".encode(), "sha256")
            heapq.heappush(heap, (load + 1, new_key, iid))
        staffed[code] = tuple(sorted(iid for (_, _, iid), _ in picked))
    if failures:
        raise UnstaffableError(tuple(failures), cap)
    return staffed


def _prefixes(division: str) -> list[str]:
    # "" (every inspector when divisions are not matched) and each leading part of the
    # code: an inspector of division d covers the enterprises whose division starts with d.
    return [division[:end] for end in range(len(division) + 1)]


# Publication ----------------------------------------------------------------------------


def canonical_record(inputs: _Inputs, result: DrawResult) -> dict[str, Any]:
    """What is published and hashed. Rows are arrays (not objects) to keep 100,000
    enterprises small; the field order is in `fields`."""
    params = inputs.parameters
    return {
        "algorithm": result.algorithm,
        "parameters": {
            "seed": params.seed,
            "sample_size": params.sample_size,
            "rates": None
            if inputs.rates is None
            else {colour: _text(rate) for colour, rate in inputs.rates.items()},
            "inspectors_per_inspection": params.inspectors_per_inspection,
            "department": params.department,
            "match_division": params.match_division,
        },
        "fields": {
            "candidates": ["code", "colour", "industry", "division", "forced", "forced_reason"],
            "inspectors": ["id", "department", "division", "active"],
            "conflicts": ["inspector", "enterprise"],
            "last_inspectors": ["enterprise", "inspectors"],
            "strata": ["stratum", "pool", "forced", "quota", "drawn"],
            "selections": ["code", "stratum", "reason", "forced_reason", "key", "inspectors"],
        },
        # Tuples encode as JSON arrays: the rows go in as they are.
        "candidates": inputs.candidates,
        "inspectors": inputs.inspectors,
        "conflicts": inputs.conflicts,
        "last_inspectors": inputs.last_inspectors,
        "sample_size": result.sample_size,
        "roster": result.roster,
        "workload_cap": result.workload_cap,
        "strata": [[a.stratum, a.pool, a.forced, _text(a.quota), a.drawn] for a in result.strata],
        "selections": [
            [s.code, s.stratum, s.reason, s.forced_reason, s.key, list(s.inspectors)]
            for s in result.selections
        ],
    }


def canonical_json(record: Mapping[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8 (not \\u escapes): one byte string per record."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def _digest(inputs: _Inputs, result: DrawResult) -> str:
    return hashlib.sha256(canonical_json(canonical_record(inputs, result))).hexdigest()


def publish(
    *,
    candidates: Iterable[Candidate],
    inspectors: Iterable[Inspector],
    parameters: DrawParameters,
    conflicts: Iterable[Conflict] = (),
    last_inspectors: Mapping[str, Iterable[str]] | None = None,
) -> tuple[DrawResult, bytes]:
    """Run the draw and return it with the canonical JSON whose SHA-256 is its digest:
    the file to put on the public page."""
    inputs = _normalise(candidates, inspectors, parameters, conflicts, last_inspectors or {})
    result = _run(inputs)
    return result, canonical_json(canonical_record(inputs, result))


def verify_draw(
    *,
    candidates: Iterable[Candidate],
    inspectors: Iterable[Inspector],
    parameters: DrawParameters,
    published: DrawResult | str,
    conflicts: Iterable[Conflict] = (),
    last_inspectors: Mapping[str, Iterable[str]] | None = None,
) -> Verification:
    """Re-run the draw from the published inputs and seed; it verifies when the digest
    (and, given a result, every selection) is the same."""
    again = run_draw(
        candidates=candidates,
        inspectors=inspectors,
        parameters=parameters,
        conflicts=conflicts,
        last_inspectors=last_inspectors,
    )
    if isinstance(published, str):
        return Verification(published == again.digest, published, again.digest)
    same = published.digest == again.digest and published.selections == again.selections
    return Verification(same, published.digest, again.digest)

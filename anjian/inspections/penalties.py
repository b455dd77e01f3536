"""Penalties without double punishment (一事不再罚, issue 12 item 9). Pure: no Django.

Sources (what could not be verified against an official text is marked UNVERIFIED):
  * 《中华人民共和国行政处罚法》(2021 修订) 第二十九条: "对当事人的同一个违法行为，不得给予
    两次以上罚款的行政处罚。同一个违法行为违反多个法律规范应当给予罚款处罚的，按照罚款
    数额高的规定处罚。" Quoted in a stored abstract (scholarmate.com, on the 2021 law);
    the wording matches the brief. Only FINES are barred: a warning, an order to suspend,
    a licence measure stay possible (the sentence names 罚款 only).
  * 同 第三十六条: "违法行为在二年内未被发现的，不再给予行政处罚；涉及公民生命健康安全、
    金融安全且有危害后果的，上述期限延长至五年。法律另有规定的除外。前款规定的期限，从违法
    行为发生之日起计算；违法行为有连续或者继续状态的，从行为终了之日起计算。" (stored
    普法 page quoting 第36–38条). See `limitation_expired`.
  * 同 第九条 (kinds of penalty: 警告、通报批评; 罚款、没收违法所得、没收非法财物; 暂扣许可证件、
    降低资质等级、吊销许可证件; 限制开展生产经营活动、责令停产停业、责令关闭、限制从业; 行政
    拘留) — the list is from memory of the 2021 text, article number UNVERIFIED; the 1996
    list (警告, 罚款, 没收, 责令停产停业, 暂扣或者吊销许可证, 行政拘留) was seen in a stored page.
  * 《民法典》第二百零一条/第二百零二条 (counting periods in years: the first day is not
    counted; the last day is the corresponding day, or the month's last day) and
    第一千二百五十九条 ("以上"、"以下"、"以内"、"届满" include the number) — verified in
    stored pages; used for the window and the limitation.
  * Subject keys: USCC per GB 32100-2015 (anjian.registry.uscc); ID numbers per
    GB 11643-1999 (check digit ISO 7064 MOD 11-2: weights 2^(17-i) mod 11, "10X98765432");
    vehicle plates per GA 36-2018 — its text was NOT available: the formats below come
    from a stored news explainer (太平洋汽车网) on new-energy plates, UNVERIFIED against
    the standard. Special plates (挂, 学, 警, 港, 澳, 使, 领, military) are not accepted.
  * Clause keys: 《立法法》 numbering (条、款、项、目); a 项 is written "（二）".

The matching rule for "the same violation" (documented in
docs/penalties-and-untrustworthy-list.md):
  A prior penalty blocks a candidate FINE when all of these hold:
  1. both are fines (罚款; on an organisation or on a responsible person);
  2. the same subject key (normalised USCC, plate or ID number);
  3. the prior is in force (not revoked) and was decided within `window_days` of the
     candidate's date (inclusive, either side; counted in calendar days);
  4. the facts overlap: their time spans intersect (closed intervals) AND the place
     matches — equal location codes when both carry one (a code is authoritative: two
     different codes never match), otherwise the normalised place texts have a
     similarity ≥ `place_threshold` (rapidfuzz ratio, 0–100);
  5. and EITHER they share a violated clause (same law and article; 款 and 项 equal
     where both give them — one left out matches any),
     OR (第二十九条 second sentence, one act breaking several norms) the candidate names
     the same act: the same `act_ref` (e.g. the finding or case it comes from), or the
     descriptions have a similarity ≥ `act_threshold`. Different clauses with merely
     overlapping time and place are two acts (e.g. overloading and no permit), and are
     NOT blocked.
  The evidence names the prior, its department and why it matched; for rule 5b it also
  gives both amounts, since the law then asks for the higher one (a human decision: the
  first decision is not topped up here).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from rapidfuzz import fuzz

from anjian.registry import uscc as uscc_rules

# --- penalty kinds -----------------------------------------------------------------------

WARNING = "warning"
NOTICE_OF_CRITICISM = "criticism"
FINE = "fine"
CONFISCATION = "confiscation"
SUSPENSION = "suspension"
LICENCE_SUSPENSION = "licence_suspension"
LICENCE_REVOCATION = "licence_revocation"
CLOSURE = "closure"
PERSON_FINE = "person_fine"

# Legal names as they appear in decisions (行政处罚法 第九条, see above).
LEGAL_NAMES: dict[str, str] = {
    WARNING: "警告",
    NOTICE_OF_CRITICISM: "通报批评",
    FINE: "罚款",
    CONFISCATION: "没收违法所得、没收非法财物",
    SUSPENSION: "责令停产停业整顿",
    LICENCE_SUSPENSION: "暂扣许可证件",
    LICENCE_REVOCATION: "吊销许可证件",
    CLOSURE: "责令关闭",
    PERSON_FINE: "对主要负责人（有关责任人员）罚款",
}
KINDS: tuple[str, ...] = tuple(LEGAL_NAMES)
# 第二十九条 bars a second 罚款 only: a fine on a responsible person is a 罚款 too (its
# subject key is then the person's ID number, so it never meets the company's fine).
FINE_KINDS: frozenset[str] = frozenset({FINE, PERSON_FINE})


# --- subject keys ------------------------------------------------------------------------

USCC = "uscc"
PLATE = "plate"
PERSON = "person"


class SubjectKeyError(ValueError):
    """An identifier that is not a valid USCC, plate or ID number; `code` says why."""

    def __init__(self, kind: str, code: str, value: str) -> None:
        super().__init__(f"{kind}: {code}: {value!r}")
        self.kind, self.code, self.value = kind, code, value


@dataclass(frozen=True, order=True)
class SubjectKey:
    kind: str  # uscc | plate | person
    value: str  # normalised


def _fold(raw: str) -> str:
    # NFKC folds full-width letters/digits (ＡＢ１) and the ideographic space to ASCII.
    return unicodedata.normalize("NFKC", raw or "")


def uscc_key(raw: str) -> SubjectKey:
    result = uscc_rules.validate(_fold(raw))
    if not result.valid:
        raise SubjectKeyError(USCC, result.error, raw)
    return SubjectKey(USCC, result.code)


# 31 mainland provincial abbreviations used as the first character of a plate.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_SERIAL = "0-9A-HJ-NP-Z"  # the letters I and O are not used (UNVERIFIED, see docstring)
_ORDINARY = re.compile(rf"[{PROVINCES}][A-Z][{_SERIAL}]{{5}}")
# New-energy: small vehicles D/F first then 1 letter-or-digit and 4 digits; large vehicles
# 5 digits then D/F (D pure electric, F other) — from the news explainer, UNVERIFIED.
_NEW_ENERGY = re.compile(rf"[{PROVINCES}][A-Z](?:[DF][{_SERIAL}][0-9]{{4}}|[0-9]{{5}}[DF])")
_PLATE_NOISE = re.compile(r"[\s·•・.\-_]")


def plate_key(raw: str) -> SubjectKey:
    value = _PLATE_NOISE.sub("", _fold(raw)).upper()
    if not value:
        raise SubjectKeyError(PLATE, "empty", raw)
    if len(value) == 7 and _ORDINARY.fullmatch(value):
        return SubjectKey(PLATE, value)
    if len(value) == 8 and _NEW_ENERGY.fullmatch(value):
        return SubjectKey(PLATE, value)
    if value[0] not in PROVINCES:
        raise SubjectKeyError(PLATE, "province", raw)
    if len(value) not in (7, 8):
        raise SubjectKeyError(PLATE, "length", raw)
    raise SubjectKeyError(PLATE, "format", raw)


_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, …
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 check character (ISO 7064 MOD 11-2)."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def person_key(raw: str) -> SubjectKey:
    value = _fold(raw).strip().replace(" ", "").upper()
    if len(value) != 18:
        raise SubjectKeyError(PERSON, "length", raw)
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise SubjectKeyError(PERSON, "char", raw)
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise SubjectKeyError(PERSON, "birth_date", raw) from None
    if id_check_digit(value[:17]) != value[17]:
        raise SubjectKeyError(PERSON, "check", raw)
    return SubjectKey(PERSON, value)


def subject_key(raw: str, kind: str | None = None) -> SubjectKey:
    """Normalise and validate; without `kind`, guess it from the shape (a plate starts
    with a province character, an ID number has 17 digits first, else a USCC)."""
    if kind == USCC:
        return uscc_key(raw)
    if kind == PLATE:
        return plate_key(raw)
    if kind == PERSON:
        return person_key(raw)
    if kind is not None:
        raise ValueError(f"unknown subject kind {kind!r}")
    folded = _fold(raw).strip()
    if folded[:1] in PROVINCES:
        return plate_key(raw)
    compact = folded.replace(" ", "")
    if len(compact) == 18 and compact[:17].isdigit() and compact[17] in "0123456789Xx":
        try:
            return person_key(raw)
        except SubjectKeyError:
            pass  # an all-digit USCC is possible too
    return uscc_key(raw)


# --- legal clause keys -------------------------------------------------------------------

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_to_int(text: str) -> int:
    """Chinese numerals as used in article numbers (一百零一, 十二, 二十, 一千零一) or
    Arabic digits → int. Exact; anything else raises ValueError."""
    text = _fold(text).strip()
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _DIGITS and ch not in _UNITS for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    total, digit, last_unit = 0, None, 10_000
    for ch in text:
        if ch in _DIGITS:
            if digit is not None:
                raise ValueError(f"two digits in a row: {text!r}")
            digit = _DIGITS[ch] or None  # 零 only marks a skipped place
        else:
            unit = _UNITS[ch]
            if unit >= last_unit:
                raise ValueError(f"units out of order: {text!r}")
            # "十二" means 12: a bare leading 十 is one ten.
            total += (digit if digit is not None else 1) * unit
            digit, last_unit = None, unit
    return total + (digit or 0)


def int_to_chinese(n: int) -> str:
    """The article form: 101 → 一百零一, 12 → 十二, 20 → 二十, 110 → 一百一十."""
    if not 0 < n < 10_000:
        raise ValueError(f"out of range: {n}")
    names = "零一二三四五六七八九"
    out, zero = [], False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(names[d] + name)
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text


@dataclass(frozen=True, order=True)
class ClauseKey:
    law: str  # short name: 《》 and 中华人民共和国 dropped, no spaces
    article: int
    paragraph: int | None = None  # 款
    item: int | None = None  # 项

    def label(self) -> str:
        text = f"《{self.law}》第{int_to_chinese(self.article)}条"
        if self.paragraph is not None:
            text += f"第{int_to_chinese(self.paragraph)}款"
        if self.item is not None:
            text += f"第（{int_to_chinese(self.item)}）项"
        return text


_NUM = r"[0-9〇零一二两三四五六七八九十百千]+"
_CLAUSE = re.compile(
    rf"《?(?P<law>[^《》第]+?)》?\s*第\s*(?P<article>{_NUM})\s*条"
    rf"(?:\s*第\s*(?P<paragraph>{_NUM})\s*款)?"
    rf"(?:\s*第?\s*[(（]?\s*(?P<item>{_NUM})\s*[)）]?\s*项)?"
)


def normalise_law(name: str) -> str:
    name = re.sub(r"\s+", "", _fold(name)).strip("《》")
    return name.removeprefix("中华人民共和国")


def parse_clause(text: str) -> ClauseKey:
    """ "《安全生产法》第一百零一条第（二）项" and "安全生产法 第101条 第2项" give the same
    key. Raises ValueError when the whole text is not one clause."""
    folded = _fold(text).strip().rstrip("。；;，,")
    match = _CLAUSE.fullmatch(folded)
    if not match:
        raise ValueError(f"not a clause: {text!r}")
    law = normalise_law(match["law"])
    if not law:
        raise ValueError(f"no law named: {text!r}")
    return ClauseKey(
        law=law,
        article=chinese_to_int(match["article"]),
        paragraph=chinese_to_int(match["paragraph"]) if match["paragraph"] else None,
        item=chinese_to_int(match["item"]) if match["item"] else None,
    )


def same_clause(a: ClauseKey, b: ClauseKey) -> bool:
    """Same law and article; 款 and 项 equal where both are given (one left out matches:
    decisions often cite "第101条第2项" for an article of one paragraph)."""

    def part(x: int | None, y: int | None) -> bool:
        return x is None or y is None or x == y

    return (
        a.law == b.law
        and a.article == b.article
        and part(a.paragraph, b.paragraph)
        and part(a.item, b.item)
    )


# --- facts and penalties -----------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """An act as the decision states it: when (a span; a single moment has start == end),
    where (a code when there is one: a unit, site or road-section code; else text), what."""

    start: dt.datetime
    end: dt.datetime
    location_code: str = ""
    place: str = ""
    description: str = ""
    act_ref: str = ""  # the finding / case the act comes from, when known

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("facts end before they start")


@dataclass(frozen=True)
class Penalty:
    id: str
    department: str
    subject: SubjectKey
    kind: str
    clauses: tuple[ClauseKey, ...]
    facts: Facts
    decided_on: dt.date
    amount: Decimal | None = None  # yuan, for fines
    revoked: bool = False  # 撤销/确认无效: no longer counts

    def __post_init__(self) -> None:
        if self.kind not in LEGAL_NAMES:
            raise ValueError(f"unknown penalty kind {self.kind!r}")
        if self.kind in FINE_KINDS:
            # Exact money: a float would let 0.1 + 0.2 differ from 0.3 in the comparison.
            if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
                raise TypeError("a fine's amount is a finite Decimal")
            if self.amount <= 0:
                raise ValueError("a fine's amount is positive")
        if not self.clauses:
            raise ValueError("a penalty names its legal basis (at least one clause)")

    @property
    def is_fine(self) -> bool:
        return self.kind in FINE_KINDS


# --- the check ---------------------------------------------------------------------------

SAME_CLAUSE = "same_clause"
SAME_ACT_SEVERAL_NORMS = "same_act_several_norms"
PLACE_THRESHOLD = 85.0
ACT_THRESHOLD = 90.0


@dataclass(frozen=True)
class Evidence:
    prior_id: str
    department: str
    decided_on: dt.date
    rule: str  # SAME_CLAUSE or SAME_ACT_SEVERAL_NORMS
    reasons: tuple[str, ...]  # readable, one per condition met
    clauses: tuple[ClauseKey, ...] = ()  # the shared clauses (SAME_CLAUSE)
    prior_amount: Decimal | None = None
    candidate_amount: Decimal | None = None
    # 第二十九条 second sentence: the fine of the higher norm is the one to give.
    candidate_higher: bool = False


@dataclass(frozen=True)
class DoublePenaltyCheck:
    blocked: bool
    evidence: tuple[Evidence, ...] = ()
    # Kinds that stay possible for the same act: every kind that is not a fine.
    other_measures_allowed: tuple[str, ...] = field(
        default_factory=lambda: tuple(k for k in KINDS if k not in FINE_KINDS)
    )


def _text(value: str) -> str:
    return re.sub(r"[\s\W_]+", "", _fold(value).lower())


def similarity(a: str, b: str) -> float:
    """0–100 on the folded text without spaces or punctuation; empty text matches nothing."""
    x, y = _text(a), _text(b)
    return float(fuzz.ratio(x, y)) if x and y else 0.0


def spans_overlap(a: Facts, b: Facts) -> bool:
    return a.start <= b.end and b.start <= a.end


def place_match(a: Facts, b: Facts, threshold: float = PLACE_THRESHOLD) -> tuple[bool, str]:
    if a.location_code and b.location_code:
        same = a.location_code.strip().upper() == b.location_code.strip().upper()
        return same, f"location code {a.location_code} {'=' if same else '≠'} {b.location_code}"
    score = similarity(a.place, b.place)
    return score >= threshold, f"place similarity {score:.0f} (threshold {threshold:.0f})"


def same_act(a: Facts, b: Facts, threshold: float = ACT_THRESHOLD) -> tuple[bool, str]:
    if a.act_ref and b.act_ref:
        same = a.act_ref == b.act_ref
        return same, f"act reference {a.act_ref} {'=' if same else '≠'} {b.act_ref}"
    score = similarity(a.description, b.description)
    return score >= threshold, f"description similarity {score:.0f} (threshold {threshold:.0f})"


def find_double_penalty(
    candidate: Penalty,
    prior_penalties: Iterable[Penalty],
    window_days: int,
    *,
    place_threshold: float = PLACE_THRESHOLD,
    act_threshold: float = ACT_THRESHOLD,
) -> DoublePenaltyCheck:
    """The prior fines that bar `candidate` (行政处罚法 第二十九条), with their evidence,
    by the rule in the module docstring. A candidate that is not a fine is never barred."""
    if window_days < 0:
        raise ValueError("window_days is not negative")
    if not candidate.is_fine:
        return DoublePenaltyCheck(blocked=False)
    found: list[Evidence] = []
    for prior in prior_penalties:
        if prior.id == candidate.id or not prior.is_fine or prior.revoked:
            continue
        if prior.subject != candidate.subject:
            continue
        gap = abs((candidate.decided_on - prior.decided_on).days)
        if gap > window_days:  # 以内 includes the number (民法典 第一千二百五十九条)
            continue
        if not spans_overlap(candidate.facts, prior.facts):
            continue
        placed, place_reason = place_match(candidate.facts, prior.facts, place_threshold)
        if not placed:
            continue
        common = [c for c in candidate.clauses if any(same_clause(c, p) for p in prior.clauses)]
        reasons = [
            f"same subject {candidate.subject.kind} {candidate.subject.value}",
            f"decided {gap} days apart (window {window_days})",
            "time spans overlap",
            place_reason,
        ]
        if common:
            reasons.append("same clause " + "、".join(c.label() for c in common))
            found.append(
                Evidence(
                    prior.id,
                    prior.department,
                    prior.decided_on,
                    SAME_CLAUSE,
                    tuple(reasons),
                    tuple(common),
                    prior.amount,
                    candidate.amount,
                )
            )
            continue
        one_act, act_reason = same_act(candidate.facts, prior.facts, act_threshold)
        if one_act:
            reasons.append(act_reason + ": one act, several norms")
            assert prior.amount is not None and candidate.amount is not None  # fines
            found.append(
                Evidence(
                    prior.id,
                    prior.department,
                    prior.decided_on,
                    SAME_ACT_SEVERAL_NORMS,
                    tuple(reasons),
                    (),
                    prior.amount,
                    candidate.amount,
                    candidate_higher=candidate.amount > prior.amount,
                )
            )
    found.sort(key=lambda e: (e.decided_on, e.prior_id))  # the first fine shown first
    return DoublePenaltyCheck(blocked=bool(found), evidence=tuple(found))


# --- limitation (第三十六条) --------------------------------------------------------------


def add_years(day: dt.date, years: int) -> dt.date:
    """The last day of a period of `years` years starting after `day` (民法典 第二百零一条:
    the first day is not counted; 第二百零二条: the corresponding day, else the month's
    last day): 2024-02-29 + 1 year → 2025-02-28."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def limitation_expired(
    act_ended_on: dt.date, discovered_on: dt.date, *, life_health_harm: bool = False
) -> bool:
    """True when the act was not discovered within two years (five when it endangered
    life or health with harmful consequences) of its end (第三十六条). A law providing
    otherwise (法律另有规定) is for the caller."""
    last_day = add_years(act_ended_on, 5 if life_health_harm else 2)
    return discovered_on > last_day


__all__ = [
    "ACT_THRESHOLD",
    "FINE_KINDS",
    "KINDS",
    "LEGAL_NAMES",
    "PLACE_THRESHOLD",
    "SAME_ACT_SEVERAL_NORMS",
    "SAME_CLAUSE",
    "ClauseKey",
    "DoublePenaltyCheck",
    "Evidence",
    "Facts",
    "Penalty",
    "SubjectKey",
    "SubjectKeyError",
    "add_years",
    "chinese_to_int",
    "find_double_penalty",
    "int_to_chinese",
    "limitation_expired",
    "parse_clause",
    "person_key",
    "plate_key",
    "same_clause",
    "subject_key",
    "uscc_key",
]

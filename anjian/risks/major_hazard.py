"""GB 18218-2018 《危险化学品重大危险源辨识》: identification and grading. Pure: no Django.

Identification (standards.md A4.1): a unit is a 重大危险源 when
    S = q₁/Q₁ + q₂/Q₂ + … + qₙ/Qₙ ≥ 1          (inclusive: S = 1 is major, S19 丁库房)
Grading (A4.2), only for units that are major:
    R = α · (β₁·q₁/Q₁ + … + βₙ·qₙ/Qₙ)
    一级 R ≥ 100, 二级 50 ≤ R < 100, 三级 10 ≤ R < 50, 四级 R < 10 — including R < 1,
    which α = 0.5 makes possible for S = 1 (A12.6; one published implementation wrongly
    calls that "not major").

Everything is fractions.Fraction: 7/10 + 1/5 + 1/10 is exactly 1, while the same sum in
float is 0.9999999999999999 and would wrongly clear an ammonia–chlorine–hydrogen unit.

Where Q and β come from, in order:
    Q: given by the user > 表1 row (by CAS, name or alias) > 表2 category (a profile may
       override a 表2 row; gb18218-2018-w4-200 does for W4)
    β: given by the user > 表3 (named toxic gases, folded into the 表1 rows here)
       > 表4 by the category given with the item (W5.1/W5.2 depend on how a liquid is
         worked, which a table row cannot know)
       > 表4 by the 表1 row's own category
       > 表4 by the category of an unnamed substance ("W5.1:100").
Every 表1 row carries its hazard category (表2/表4 symbol); a row without one is a load
error (`tables()` raises), never a silent β = 1 (standards.md A4.2). The only β = 1
"default" left is for a substance that is in no table, given with its own Q but neither
β nor category: the line then says beta_source "default".

The substance data (data/gb18218_table1.json) is keyed by CAS number because the public
transcriptions garble names (A12.5); it must still be checked against the official PDF.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Any

from anjian.risks.methods import (
    DATA_DIR,
    Profile,
    RiskInputError,
    get_profile,
    render_approx,
    render_decimal,
    render_number,
)

CAS_PATTERN = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")


@dataclass(frozen=True)
class Substance:
    """A row of 表1 (with its 表3 β when the substance is a named toxic gas)."""

    cas: str
    name: str
    aliases: tuple[str, ...]
    critical_quantity: Fraction | None  # Q in tonnes; None: not in standards.md
    q_source: str
    beta: Fraction | None  # None: not in 表3
    beta_source: str
    category: str  # 表2/表4 symbol: gives β (表4) when the substance is not in 表3
    category_source: str  # how the category was decided
    category_unverified: bool  # a judgement or derived from GHS criteria, not read
    other_categories: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Category:
    """A row of 表2 (Q by hazard category) joined with 表4 (β by the same category)."""

    symbol: str
    title: str
    critical_quantity: Fraction | None  # None: only a profile can set it
    q_source: str
    beta: Fraction
    beta_source: str
    note: str = ""


@dataclass(frozen=True)
class Item:
    """One hazardous chemical in a unit, as entered: q is the actual (design-maximum)
    quantity in tonnes; critical_quantity (Q), beta and category are optional overrides."""

    substance: str
    quantity: Any
    critical_quantity: Any = None
    beta: Any = None
    category: str | None = None


@dataclass(frozen=True)
class Line:
    """An item resolved against the tables, with where each number came from."""

    given: str
    cas: str | None
    name: str
    category: str | None
    quantity: Fraction
    critical_quantity: Fraction
    q_source: str  # "given", "表1 S15 …", "表2 W2 S15"
    beta: Fraction
    beta_source: str  # "given", "表3 S14 S15", "表4 W2 S15", "default"
    # Where the category came from: "表1" (the row's own), "given", "表2" (an unnamed
    # substance named by its symbol); "" when there is none.
    category_from: str = ""
    category_unverified: bool = False

    @property
    def ratio(self) -> Fraction:
        return self.quantity / self.critical_quantity

    def as_dict(self) -> dict[str, Any]:
        return {
            "given": self.given,
            "cas": self.cas,
            "name": self.name,
            "category": self.category,
            "q": render_decimal(self.quantity),
            "Q": render_decimal(self.critical_quantity),
            "Q_source": self.q_source,
            "beta": render_decimal(self.beta),
            "beta_source": self.beta_source,
            "category_from": self.category_from,
            "category_unverified": self.category_unverified,
            "q/Q": render_number(self.ratio),
        }


@dataclass(frozen=True)
class Identification:
    lines: tuple[Line, ...]
    total: Fraction  # S = Σ q/Q, exact
    is_major: bool
    profile: str
    profile_version: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sum": render_number(self.total),
            "sum_approx": render_approx(self.total),
            "is_major": self.is_major,
            "profile": self.profile,
            "profile_version": self.profile_version,
            "substances": [line.as_dict() for line in self.lines],
        }


@dataclass(frozen=True)
class Grading:
    identification: Identification
    alpha: Fraction
    people: int | None  # None when α was given directly
    r: Fraction | None  # None when the unit is not major: only major units are graded
    grade_number: int | None
    grade_name: str | None

    @property
    def is_major(self) -> bool:
        return self.identification.is_major

    @property
    def total(self) -> Fraction:
        return self.identification.total

    def as_dict(self) -> dict[str, Any]:
        ident = self.identification.as_dict()
        return {
            "sum": ident["sum"],
            "sum_approx": ident["sum_approx"],
            "is_major": self.is_major,
            "people": self.people,
            "alpha": render_decimal(self.alpha),
            "R": None if self.r is None else render_number(self.r),
            "R_approx": None if self.r is None else render_approx(self.r),
            "grade": self.grade_name,
            "grade_number": self.grade_number,
            "profile": ident["profile"],
            "profile_version": ident["profile_version"],
            "substances": ident["substances"],
        }


# ---------------------------------------------------------------- tables


def cas_check_digit_ok(cas: str) -> bool:
    """CAS check digit: Σ (digit × position counted from the right, starting at 1) mod 10."""
    match = CAS_PATTERN.match(cas)
    if not match:
        return False
    digits = (match.group(1) + match.group(2))[::-1]
    return sum(int(d) * i for i, d in enumerate(digits, start=1)) % 10 == int(match.group(3))


def _key(text: str) -> str:
    # NFKC folds full-width digits, hyphens and letters (７６６４－４１－７, ＬＰＧ) typed on a
    # Chinese keyboard; spaces inside a name carry no meaning.
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _fraction(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


@dataclass(frozen=True)
class Tables:
    substances: tuple[Substance, ...]
    categories: tuple[Category, ...]
    by_key: dict[str, Substance]  # CAS, name and every alias, through _key
    by_symbol: dict[str, Category]


@cache
def tables() -> Tables:
    with (DATA_DIR / "gb18218_table1.json").open(encoding="utf-8") as handle:
        raw = json.load(handle)
    categories = tuple(
        Category(
            symbol=row["symbol"],
            title=row["title"],
            critical_quantity=_fraction(row.get("q")),
            q_source=row.get("q_source") or "",
            beta=Fraction(row["beta"]),
            beta_source=row.get("beta_source") or "",
            note=row.get("note", ""),
        )
        for row in raw["table2"]
    )
    symbols = {c.symbol for c in categories}
    substances = []
    for row in raw["table1"]:
        # A named substance without its hazard category would silently take β = 1, the
        # error this field exists to prevent: refuse to load instead.
        if not row.get("category"):
            raise ValueError(f"gb18218_table1.json: {row['cas']} has no hazard category")
        for symbol in (row["category"], *row.get("other_categories", ())):
            if symbol not in symbols:
                raise ValueError(f"gb18218_table1.json: {row['cas']}: unknown category {symbol}")
        substances.append(
            Substance(
                cas=row["cas"],
                name=row["name"],
                aliases=tuple(row.get("aliases", ())),
                critical_quantity=_fraction(row.get("q")),
                q_source=row.get("q_source") or "",
                beta=_fraction(row.get("beta")),
                beta_source=row.get("beta_source") or "",
                category=row["category"],
                category_source=row.get("category_source") or "",
                category_unverified=bool(row.get("category_unverified", True)),
                other_categories=tuple(row.get("other_categories", ())),
                note=row.get("note", ""),
            )
        )
    by_key: dict[str, Substance] = {}
    for substance in substances:
        for text in (substance.cas, substance.name, *substance.aliases):
            key = _key(text)
            # A name shared by two rows would make a lookup depend on file order.
            if key in by_key:
                raise ValueError(f"gb18218_table1.json: '{text}' names two substances")
            by_key[key] = substance
    by_symbol = {_key(c.symbol): c for c in categories}
    if set(by_symbol) & set(by_key):
        raise ValueError("gb18218_table1.json: a category symbol is also a substance name")
    return Tables(tuple(substances), categories, by_key, by_symbol)


def lookup(text: str) -> Substance | None:
    """A 表1 substance by CAS number, Chinese name or alias (液氨, 氨气, 氨 → 7664-41-7)."""
    return tables().by_key.get(_key(text or ""))


def category(symbol: str) -> Category | None:
    return tables().by_symbol.get(_key(symbol or ""))


def _profile(profile: str | Profile | None) -> Profile:
    return profile if isinstance(profile, Profile) else get_profile("major-hazard", profile)


def category_q(cat: Category, profile: Profile) -> Fraction | None:
    """表2 Q, or the profile's value for a row it overrides (gb18218-2018-w4-200: W4)."""
    override = profile.extra.get("table2_q", {}).get(cat.symbol)
    return Fraction(override) if override is not None else cat.critical_quantity


def category_q_source(cat: Category, profile: Profile) -> str:
    override = profile.extra.get("table2_q", {}).get(cat.symbol)
    if override is None:
        return f"表2 {cat.symbol} {cat.q_source}"
    if Fraction(override) == cat.critical_quantity:
        return f"表2 {cat.symbol} {cat.q_source} ({profile.name})"
    return f"表2 {cat.symbol} {profile.name}"


# ---------------------------------------------------------------- input checks


def to_fraction(value: Any, field_name: str) -> Fraction:
    """Exact number from int, str ("0.5", "1/3"), Decimal, Fraction or float (via repr)."""
    if isinstance(value, bool) or value is None:
        raise RiskInputError("not_number", field_name, value=value)
    try:
        if isinstance(value, Fraction | int | Decimal):
            result = Fraction(value)
        elif isinstance(value, float | str):
            result = Fraction(unicodedata.normalize("NFKC", str(value)).strip())
        else:
            raise TypeError
    except (ValueError, TypeError, ZeroDivisionError, ArithmeticError):
        # Fraction refuses "nan", "inf", "abc" and "1/0" alike.
        raise RiskInputError("not_number", field_name, value=value) from None
    return result


def _as_item(item: Item | Sequence[Any]) -> Item:
    if isinstance(item, Item):
        return item
    return Item(*item)


def resolve(item: Item | Sequence[Any], profile: str | Profile | None = None) -> Line:
    """Resolve one item against 表1–表4; refuses what cannot be computed honestly."""
    item = _as_item(item)
    chosen = _profile(profile)
    given = (item.substance or "").strip()
    label = given or "?"
    quantity = to_fraction(item.quantity, f"q({label})")
    if quantity < 0:
        raise RiskInputError("negative", f"q({label})", value=render_decimal(quantity))

    substance = lookup(given)
    if substance is None and CAS_PATTERN.match(_key(given)) and not cas_check_digit_ok(_key(given)):
        raise RiskInputError("bad_cas", "substance", value=given)
    cat = None
    if item.category:
        cat = category(item.category)
        if cat is None:
            raise RiskInputError(
                "unknown_category",
                "category",
                value=item.category,
                allowed=", ".join(c.symbol for c in tables().categories),
            )
    elif substance is None:
        cat = category(given)  # "W5.1:100" means 100 t of an unnamed W5.1 liquid

    if item.critical_quantity is not None and str(item.critical_quantity).strip() != "":
        critical = to_fraction(item.critical_quantity, f"Q({label})")
        if critical <= 0:
            raise RiskInputError("not_positive", f"Q({label})", value=render_decimal(critical))
        q_source = "given"
    elif substance is not None:
        # A 表1 substance never falls back to its 表2 category: 表1 has its own Q, and the
        # category Q could be tenfold off. Without the row's Q the user must give it.
        if substance.critical_quantity is None:
            raise RiskInputError(
                "no_critical_quantity", f"Q({label})", value=f"{substance.name} {substance.cas}"
            )
        critical, q_source = substance.critical_quantity, f"表1 {substance.q_source}"
    elif cat is not None and (table_q := category_q(cat, chosen)) is not None:
        critical = table_q
        q_source = category_q_source(cat, chosen)
    else:
        raise RiskInputError("unknown_substance", "substance", value=label)

    # The category that gives β (表4): the one given with the item, else the 表1 row's.
    category_from, unverified = "", False
    if cat is not None:
        category_from = "given" if item.category else "表2"
    elif substance is not None:
        cat = category(substance.category)
        if cat is None:  # tables() checks every row's symbol; this cannot happen
            raise AssertionError(f"{substance.cas}: unknown category {substance.category}")
        category_from, unverified = "表1", substance.category_unverified

    if item.beta is not None and str(item.beta).strip() != "":
        beta = to_fraction(item.beta, f"beta({label})")
        if beta <= 0:
            raise RiskInputError("not_positive", f"beta({label})", value=render_decimal(beta))
        beta_source = "given"
    elif substance is not None and substance.beta is not None:
        beta, beta_source = substance.beta, f"表3 {substance.beta_source}"
    elif cat is not None:
        beta, beta_source = cat.beta, f"表4 {cat.symbol} {cat.beta_source}"
    else:
        # In no table, Q given, no category: the one case left without a basis for β.
        beta, beta_source = Fraction(1), "default"

    return Line(
        given=given,
        cas=substance.cas if substance else (given if CAS_PATTERN.match(given) else None),
        name=substance.name if substance else (cat.title if cat and not item.category else given),
        category=cat.symbol if cat else None,
        quantity=quantity,
        critical_quantity=critical,
        q_source=q_source,
        beta=beta,
        beta_source=beta_source,
        category_from=category_from,
        category_unverified=unverified,
    )


# ---------------------------------------------------------------- identification, grading


def identify(
    items: Iterable[Item | Sequence[Any]], profile: str | Profile | None = None
) -> Identification:
    chosen = _profile(profile)
    lines = tuple(resolve(item, chosen) for item in items)
    if not lines:
        raise RiskInputError("no_items", "substance")
    total = sum((line.ratio for line in lines), Fraction(0))
    return Identification(lines, total, total >= 1, chosen.name, chosen.version)


def alpha_for_people(people: Any, profile: str | Profile | None = None) -> Fraction:
    """α from the 常住人口 within 500 m of the site boundary (100 counts as "100人以上")."""
    chosen = _profile(profile)
    count = _people(people)
    for row in chosen.extra["alpha"]:  # highest threshold first
        if count >= row["min_people"]:
            return Fraction(row["alpha"])
    raise AssertionError("the α table must end at 0 people")


def _people(people: Any) -> int:
    if isinstance(people, bool):
        raise RiskInputError("people_not_integer", "people", value=people)
    try:
        count = Fraction(str(people).strip()) if not isinstance(people, int) else Fraction(people)
    except (ValueError, ZeroDivisionError):
        raise RiskInputError("people_not_integer", "people", value=people) from None
    if count < 0 or count.denominator != 1:
        raise RiskInputError("people_not_integer", "people", value=people)
    return int(count)


def allowed_alphas(profile: str | Profile | None = None) -> tuple[Fraction, ...]:
    return tuple(Fraction(row["alpha"]) for row in _profile(profile).extra["alpha"])


def grade_of(r: Fraction, profile: str | Profile | None = None) -> tuple[int, str]:
    """Grade number and name of an R value. Any R below the last threshold is 四级,
    R < 1 included: grading applies to units already identified as major."""
    for row in _profile(profile).extra["grades"]:
        if "ge" not in row or r >= Fraction(row["ge"]):
            return int(row["grade"]), row["name"]
    raise AssertionError("the grade table must end with an open band")


def grade(
    items: Iterable[Item | Sequence[Any]],
    *,
    alpha: Any = None,
    people: Any = None,
    profile: str | Profile | None = None,
) -> Grading:
    """Identify, then grade if major. Exactly one of alpha and people must be given."""
    chosen = _profile(profile)
    if alpha is not None and people is not None:
        raise RiskInputError("alpha_and_people", "alpha")
    if alpha is None and people is None:
        raise RiskInputError("alpha_required", "people")
    count = None
    if people is not None:
        count = _people(people)
        factor = alpha_for_people(count, chosen)
    else:
        factor = to_fraction(alpha, "alpha")
        allowed = allowed_alphas(chosen)
        # α is a table value, not a free weight: a typed 1.3 is a mistake, not a policy.
        if factor not in allowed:
            raise RiskInputError(
                "alpha_not_in_table",
                "alpha",
                value=render_decimal(factor),
                allowed=", ".join(render_decimal(a) for a in allowed),
            )
    ident = identify(items, chosen)
    if not ident.is_major:
        return Grading(ident, factor, count, None, None, None)
    r = factor * sum((line.beta * line.ratio for line in ident.lines), Fraction(0))
    number, name = grade_of(r, chosen)
    return Grading(ident, factor, count, r, number, name)


def parse_spec(spec: str) -> Item:
    """NAME:q[:Q[:beta]] as typed on the command line; an empty Q or β means "from the
    tables" (氨:3::2). A full-width colon is accepted: it is what a Chinese IME types."""
    parts = unicodedata.normalize("NFKC", spec).split(":")
    if not 2 <= len(parts) <= 4 or not parts[0].strip() or not parts[1].strip():
        raise RiskInputError("bad_spec", "substance", value=spec)
    name, quantity, *rest = (p.strip() for p in parts)
    critical = rest[0] if rest and rest[0] else None
    beta = rest[1] if len(rest) > 1 and rest[1] else None
    return Item(name, quantity, critical, beta)

"""The hazard ledger query (隐患台账): one set of filters and one query shared by the
ledger page, the API, the Excel export and the benchmark.

`parse_filters` turns request parameters (a QueryDict or a plain dict) into
`LedgerFilters` plus field errors; it never raises. `ledger_search` starts from
`scoping.visible(user, Hazard)`, so a filter can only ever remove rows; `ledger_counts`
gives the filter chips' numbers in one aggregate query.

Built to stay fast at millions of rows (see Hazard.Meta.indexes): the scope and the
filters are conditions on the hazard row or sub-selects of ids (enterprises of a division
subtree, an industry, a lead department), never joins that multiply rows; the list is
ordered by (reported_at, id) so a page is a walk down an index.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core import scoping
from anjian.core.choices import choice_values, choose_one_of
from anjian.registry.models import Division, DutyAssignment, DutyRole, Enterprise, Industry

from . import workflow as wf
from .models import Category, Handling, Hazard, HazardType, Level, Source, State

# Pseudo-state: every state but closed.
OPEN = "open"
STATE_CHOICES: tuple[str, ...] = (OPEN, *wf.STATES)
MAX_ID = 2**63 - 1  # beyond a signed 64-bit integer no row can match (and SQLite overflows)
MAX_Q = 200
MAX_STATES = 20
MAX_NAME_MATCHES = 500  # enterprises matched by name, looked up as a list of ids
# A hazard number, whole or its beginning: "330101-2026-00001", "330101-2026" (numbers are
# <division code>-<year>-<serial>, services.allocate_number).
NUMBER_RE = re.compile(r"^\d{6,12}-\d{0,4}(-\d*)?$")
FULL_NUMBER_RE = re.compile(r"^\d{6,12}-\d{4}-\d{5,}$")  # sequence: 5 digits, more past 99,999

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class LedgerFilters:
    q: str = ""
    states: tuple[str, ...] = ()  # any of these; "open" stands for every state but closed
    level: str = ""
    source: str = ""
    hazard_type: str = ""
    category: str = ""
    handling: str = ""
    enterprise: int | None = None
    division: int | None = None  # the division and everything below it
    industry: int | None = None  # the industry and its sub-sectors
    department: int | None = None  # the enterprise's lead department
    overdue: bool | None = None  # deadline before today and not closed
    listed: bool | None = None  # listed for supervision (挂牌督办), now or before
    reported_from: dt.date | None = None
    reported_to: dt.date | None = None
    deadline_from: dt.date | None = None
    deadline_to: dt.date | None = None

    def as_params(self) -> dict[str, Any]:
        """The filters back as request parameters (for links: next page, export)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, "", ()):
                continue
            if f.name == "states":
                out["state"] = list(value)
            elif isinstance(value, bool):
                out[f.name] = "true" if value else "false"
            elif isinstance(value, dt.date):
                out[f.name] = value.isoformat()
            else:
                out[f.name] = str(value)
        return out

    @property
    def is_empty(self) -> bool:
        return self == LedgerFilters()


# The parameter names parse_filters reads ("state" may repeat or be comma-separated).
PARAMS: tuple[str, ...] = (
    "q",
    "state",
    "level",
    "source",
    "hazard_type",
    "category",
    "handling",
    "enterprise",
    "division",
    "industry",
    "department",
    "overdue",
    "listed",
    "reported_from",
    "reported_to",
    "deadline_from",
    "deadline_to",
)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _values(data: Mapping[str, Any], name: str) -> list[Any]:
    """All values of a parameter: QueryDict.getlist, a list in a dict, or one value."""
    getlist = getattr(data, "getlist", None)
    if callable(getlist):
        return list(getlist(name))
    value = data.get(name)
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _one(data: Mapping[str, Any], name: str) -> Any:
    """The last non-empty value (a form may send a parameter twice); None if none."""
    values = [v for v in _values(data, name) if not (isinstance(v, str) and not v.strip())]
    return values[-1] if values else None


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def filter_labels() -> dict[str, str]:
    """What a filter is called on the page, for its error messages (never the parameter)."""
    return {
        "q": _("Search"),
        "state": _("state"),
        "level": _("level"),
        "source": _("source"),
        "hazard_type": _("type"),
        "category": _("category"),
        "handling": _("handling"),
        "enterprise": _("enterprise"),
        "division": _("division"),
        "industry": _("industry"),
        "department": _("department"),
        "overdue": _("overdue"),
        "listed": _("listed"),
        "reported_from": _("reported from"),
        "reported_to": _("reported to"),
        "deadline_from": _("deadline from"),
        "deadline_to": _("deadline to"),
    }


def _parse_choice(errors: Errors, data: Mapping[str, Any], name: str, choices: Any) -> str:
    value = _one(data, name)
    if value is None:
        return ""
    if isinstance(value, str) and value.strip() in choice_values(choices):
        return value.strip()
    _add(errors, name, choose_one_of(choices))
    return ""


def _parse_id(errors: Errors, data: Mapping[str, Any], name: str) -> int | None:
    value = _one(data, name)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        _add(errors, name, _("Enter a whole number."))
        return None
    if not 1 <= number <= MAX_ID:
        _add(errors, name, _("Enter a whole number."))
        return None
    return number


def _parse_bool(errors: Errors, data: Mapping[str, Any], name: str) -> bool | None:
    value = _one(data, name)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str | int) else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    _add(errors, name, _("Must be true or false."))
    return None


def _parse_date(errors: Errors, data: Mapping[str, Any], name: str) -> dt.date | None:
    value = _one(data, name)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    _add(errors, name, _("Enter a date (YYYY-MM-DD)."))
    return None


def _parse_states(errors: Errors, data: Mapping[str, Any]) -> tuple[str, ...]:
    out: list[str] = []
    bad = False
    for value in _values(data, "state"):
        if not isinstance(value, str):
            bad = True
            continue
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            if part not in STATE_CHOICES:
                bad = True
            elif part not in out:
                out.append(part)
    if bad:
        _add(
            errors,
            "state",
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(STATE_CHOICES)},
        )
        return ()
    return tuple(out[:MAX_STATES])


def parse_filters(data: Mapping[str, Any] | None) -> tuple[LedgerFilters, Errors]:
    """Filters from request parameters, and {parameter: [message]} for the values that
    could not be used (those filters are left out). Unknown parameters are ignored (a page
    URL also carries page numbers and the like). Never raises on any input."""
    data = data if data is not None else {}
    errors: Errors = {}
    q = _one(data, "q")
    if q is not None and not isinstance(q, str):
        _add(errors, "q", _("Enter text."))
        q = ""
    q = (q or "").strip()
    if any(ord(ch) < 32 for ch in q):
        _add(errors, "q", _("Enter text (no control characters)."))
        q = ""
    elif len(q) > MAX_Q:
        _add(errors, "q", _("At most %(n)d characters.") % {"n": MAX_Q})
        q = ""
    filters = LedgerFilters(
        q=q,
        states=_parse_states(errors, data),
        level=_parse_choice(errors, data, "level", Level),
        source=_parse_choice(errors, data, "source", Source),
        hazard_type=_parse_choice(errors, data, "hazard_type", HazardType),
        category=_parse_choice(errors, data, "category", Category),
        handling=_parse_choice(errors, data, "handling", Handling),
        enterprise=_parse_id(errors, data, "enterprise"),
        division=_parse_id(errors, data, "division"),
        industry=_parse_id(errors, data, "industry"),
        department=_parse_id(errors, data, "department"),
        overdue=_parse_bool(errors, data, "overdue"),
        listed=_parse_bool(errors, data, "listed"),
        reported_from=_parse_date(errors, data, "reported_from"),
        reported_to=_parse_date(errors, data, "reported_to"),
        deadline_from=_parse_date(errors, data, "deadline_from"),
        deadline_to=_parse_date(errors, data, "deadline_to"),
    )
    for start, end in (("reported_from", "reported_to"), ("deadline_from", "deadline_to")):
        a, b = getattr(filters, start), getattr(filters, end)
        if a is not None and b is not None and a > b:
            _add(errors, end, _("The end date must not be before the start date."))
            filters = replace(filters, **{end: None})
    return filters, errors


# --- the query ----------------------------------------------------------------------------


def overdue_q(today: dt.date | None = None) -> Q:
    """Open and past its deadline (the five fixes' deadline; a hazard without one is not
    overdue yet)."""
    today = today or timezone.localdate()
    return Q(deadline__lt=today) & ~Q(state=wf.CLOSED)


def is_overdue(hazard: Hazard, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(hazard.deadline and hazard.deadline < today and hazard.state != wf.CLOSED)


def _industry_subtree(industry_id: int) -> list[int]:
    # Reference data (a few dozen rows): walk the parent map in Python, any depth.
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Industry.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found: list[int] = []
    todo = [industry_id]
    while todo:
        node = todo.pop()
        if node in found:
            continue
        found.append(node)
        todo.extend(children.get(node, []))
    return found


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _text_q(q: str, user: Any = None) -> Q:
    """A hazard number (or its beginning) looks up the unique index; any other text
    matches part of the description or the location, or part of the enterprise's name."""
    if FULL_NUMBER_RE.match(q):
        return Q(number=q)  # the unique index, whatever the planner thinks of the rest
    if NUMBER_RE.match(q):
        # A range, not LIKE 'q%': SQLite's LIKE ignores case and PostgreSQL's needs a
        # pattern-ops index, so neither would use the unique index on the number.
        return Q(number__gte=q, number__lt=q + "\uffff")
    # The enterprises first, as a list of ids: every branch of the OR is then a condition
    # an index answers (on PostgreSQL a bitmap OR of the number, the trigram indexes of
    # description and location, and enterprise_id), not a filter over every row.
    named = Enterprise.objects.filter(name__icontains=q).values("pk")
    # Looked up once per request: the ledger page filters twice (the rows and the
    # chips), and at 100,000 enterprises the name match is a scan of them (~0.1 s).
    # Cached on the user object like the scope's division subtree (anjian.core.scoping).
    cache: dict[str, list[int]] = {}
    if user is not None:
        cache = getattr(user, "_anjian_ledger_names", None) or {}
        user._anjian_ledger_names = cache
    ids = cache.get(q)
    if ids is None:
        ids = list(named.values_list("pk", flat=True)[: MAX_NAME_MATCHES + 1])
        cache[q] = ids
    by_name = Q(enterprise_id__in=named if len(ids) > MAX_NAME_MATCHES else ids)
    return Q(number=q) | Q(description__icontains=q) | Q(location__icontains=q) | by_name


def _state_q(states: tuple[str, ...]) -> Q | None:
    if not states:
        return None
    wanted = set(wf.OPEN_STATES) if OPEN in states else set()
    wanted |= {s for s in states if s != OPEN}
    if wanted == set(wf.STATES):
        return None
    return Q(state__in=sorted(wanted))


def _filtered(user: Any, f: LedgerFilters, *, with_state: bool = True) -> QuerySet[Hazard]:
    qs = scoping.visible(user, Hazard)
    if f.q:
        qs = qs.filter(_text_q(f.q, user))
    if with_state:
        state = _state_q(f.states)
        if state is not None:
            qs = qs.filter(state)
        if f.overdue is True:
            qs = qs.filter(overdue_q())
        elif f.overdue is False:
            qs = qs.exclude(overdue_q())
    for name in ("level", "source", "hazard_type", "category", "handling"):
        value = getattr(f, name)
        if value:
            qs = qs.filter(**{name: value})
    if f.enterprise is not None:
        qs = qs.filter(enterprise_id=f.enterprise)
    if f.division is not None:
        division = Division.objects.filter(pk=f.division).first()
        below = Enterprise.objects.filter(division_id__in=scoping.subtree_ids(division))
        qs = qs.filter(enterprise_id__in=below.values("pk"))
    if f.industry is not None:
        of_industry = Enterprise.objects.filter(industry_id__in=_industry_subtree(f.industry))
        qs = qs.filter(enterprise_id__in=of_industry.values("pk"))
    if f.department is not None:
        led = DutyAssignment.objects.filter(
            enterprise_id=OuterRef("enterprise_id"),
            department_id=f.department,
            role=DutyRole.LEAD,
        )
        qs = qs.filter(Exists(led))
    if f.listed is True:
        qs = qs.filter(listed_at__isnull=False)
    elif f.listed is False:
        qs = qs.filter(listed_at__isnull=True)
    if f.reported_from is not None:
        qs = qs.filter(reported_at__gte=_day_start(f.reported_from))
    if f.reported_to is not None:
        qs = qs.filter(reported_at__lt=_day_start(f.reported_to + dt.timedelta(days=1)))
    if f.deadline_from is not None:
        qs = qs.filter(deadline__gte=f.deadline_from)
    if f.deadline_to is not None:
        qs = qs.filter(deadline__lte=f.deadline_to)
    return qs


ORDER = ("-reported_at", "-id")  # newest report first; the keyset cursors follow it
REVERSE = ("reported_at", "id")


def ledger_search(user: Any, filters: LedgerFilters | None = None) -> QuerySet[Hazard]:
    """The caller's hazards matching the filters, newest report first, with what a ledger
    row shows (enterprise, risk unit) in the same query."""
    filters = filters or LedgerFilters()
    return _filtered(user, filters).select_related("enterprise", "risk_unit").order_by(*ORDER)


# What a row of the ledger page shows (templates/hazards/ledger.html, _badges.html):
# the page loads only these. A hazard row has some 75 columns, four of them JSON that
# Python decodes on every row, and the enterprise row 20 more; a page of 50 built the
# full objects (a third of the page's time under load).
PAGE_FIELDS = (
    "id",
    "number",
    "description",
    "location",
    "hazard_type",
    "state",
    "level",
    "listed_at",
    "deadline",
    "reported_at",
    "enterprise_id",
    "enterprise__id",
    "enterprise__name",
)


def page_rows(qs: QuerySet[Hazard]) -> QuerySet[Hazard]:
    """ledger_search's query reduced to what the ledger page shows."""
    return qs.select_related(None).select_related("enterprise").only(*PAGE_FIELDS)


# Totals are counted up to this many rows: beyond it a ledger is "10,000+" (an exact
# COUNT over 2,000,000 rows costs a second on PostgreSQL and more on SQLite, and nobody
# pages through ten thousand rows without narrowing the filters).
COUNT_CAP = 10_000


def capped_count(qs: QuerySet[Hazard], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(rows, True) when there are more than `cap` rows, else (the exact count, False)."""
    n = qs.order_by().values("pk")[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


# Pages: the next / previous links carry the place of the row they continue from (a
# keyset cursor), so page 500 reached by them costs what the first page costs, where
# OFFSET walks every row before it (25,000 rows at page 500: most of a second at
# 2,000,000 hazards). Only the links that name a page without a row to continue from use
# OFFSET: "first" (page 1) and "last", offered when the total is exact, i.e. at most
# COUNT_CAP rows before it. A page number typed by hand still works, by OFFSET.
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_CURSOR_RE = re.compile(r"^(-?\d{1,19})\.(\d{1,19})$")


@dataclass(frozen=True)
class Cursor:
    """A row's place in the ledger's order (reported_at, id), as a link carries it:
    "<microseconds since 1970 UTC>.<id>" (exact: no rounding of the time)."""

    reported_at: dt.datetime
    id: int

    @classmethod
    def of(cls, hazard: Hazard) -> Cursor:
        return cls(hazard.reported_at, hazard.pk)

    def encode(self) -> str:
        micros = (self.reported_at - _EPOCH) // dt.timedelta(microseconds=1)
        return f"{micros}.{self.id}"

    @classmethod
    def decode(cls, text: Any) -> Cursor | None:
        """None for anything that is not a cursor (a link edited by hand: page 1)."""
        if not isinstance(text, str):
            return None
        match = _CURSOR_RE.match(text.strip())
        if not match:
            return None
        micros, pk = int(match.group(1)), int(match.group(2))
        if not 1 <= pk <= MAX_ID:
            return None
        try:
            moment = _EPOCH + dt.timedelta(microseconds=micros)
        except OverflowError:
            return None
        return cls(moment, pk)

    def after_q(self) -> Q:
        """Rows after this one in the ledger's order (older, or as old with a lower id).
        Written as a range on reported_at plus a condition, so both databases walk the
        (reported_at, id) index from the cursor on."""
        ts = self.reported_at
        return Q(reported_at__lte=ts) & (Q(reported_at__lt=ts) | Q(id__lt=self.id))

    def before_q(self) -> Q:
        ts = self.reported_at
        return Q(reported_at__gte=ts) & (Q(reported_at__gt=ts) | Q(id__gt=self.id))


@dataclass
class LedgerPage:
    """One page of the ledger without an exact COUNT over every row: the page's rows
    plus one tells whether there is a next page; the total is capped (COUNT_CAP).
    `next_cursor` / `previous_cursor` position the next and previous links."""

    object_list: list[Hazard]
    number: int
    per_page: int
    has_next: bool
    total: int
    total_capped: bool
    has_previous_rows: bool | None = None  # None: page > 1

    @property
    def has_previous(self) -> bool:
        if self.has_previous_rows is not None:
            return self.has_previous_rows
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return max(1, self.number - 1)

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def next_cursor(self) -> str | None:
        """The last row's place: the next page starts after it."""
        return Cursor.of(self.object_list[-1]).encode() if self.object_list else None

    @property
    def previous_cursor(self) -> str | None:
        """The first row's place: the previous page ends before it (None when the
        previous page is the first, which a plain page=1 link shows)."""
        if not self.object_list or self.previous_page_number == 1:
            return None
        return Cursor.of(self.object_list[0]).encode()

    @property
    def last_page_number(self) -> int | None:
        """Known only when the total is exact."""
        if self.total_capped:
            return None
        return max(1, -(-self.total // self.per_page))


def _page_number(number: Any) -> int:
    try:
        page = max(1, int(number))
    except (TypeError, ValueError):
        page = 1
    return min(page, 1_000_000)  # an absurd offset is not a reason to scan


def ledger_page(
    qs: QuerySet[Hazard],
    number: Any,
    per_page: int,
    *,
    after: Any = None,
    before: Any = None,
    total: tuple[int, bool] | None = None,
) -> LedgerPage:
    """Page `number` (1-based; anything unusable means 1) of a ledger query ordered as
    ledger_search orders it. With `after` (a Cursor or its text: the next link) the page
    is the rows after that row; with `before` (the previous link) the rows before it;
    `number` is then only the page's number as shown."""
    page = _page_number(number)
    if tuple(qs.query.order_by) != ORDER:  # the cursors are places in this order only
        after = before = None
    after_c = after if isinstance(after, Cursor) else Cursor.decode(after)
    before_c = (
        None if after_c else (before if isinstance(before, Cursor) else Cursor.decode(before))
    )
    if after_c is not None:
        rows = list(qs.filter(after_c.after_q())[: per_page + 1])
        if not rows:  # past the end (rows deleted meanwhile): the first page
            return ledger_page(qs, 1, per_page, total=total)
        count, capped = total if total is not None else capped_count(qs)
        page = max(2, page)
        return LedgerPage(
            rows[:per_page], page, per_page, len(rows) > per_page, count, capped, True
        )
    if before_c is not None:
        rows = list(qs.filter(before_c.before_q()).order_by(*REVERSE)[: per_page + 1])
        if len(rows) <= per_page:  # reached the newest rows: that is the first page
            return ledger_page(qs, 1, per_page, total=total)
        count, capped = total if total is not None else capped_count(qs)
        rows = rows[:per_page][::-1]
        return LedgerPage(rows, max(2, page), per_page, True, count, capped, True)
    start = (page - 1) * per_page
    rows = list(qs[start : start + per_page + 1])
    if not rows and page > 1:
        return ledger_page(qs, 1, per_page, total=total)
    count, capped = total if total is not None else capped_count(qs)
    return LedgerPage(rows[:per_page], page, per_page, len(rows) > per_page, count, capped)


@dataclass(frozen=True)
class LedgerCounts:
    total: int  # exact unless total_capped (then: at least COUNT_CAP)
    total_capped: bool
    open: int
    overdue: int
    major_open: int
    closed: int | None  # None when the total is capped (not known exactly)
    listed_open: int

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _open_q() -> Q:
    """Open: every state but closed. On PostgreSQL written as the predicate of the
    partial index of the open rows (hazard_open_chips, migration 0013), which the
    planner then answers from the index alone; SQLite keeps the list of states, which
    its (enterprise, state, ...) index answers."""
    if connection.vendor == "postgresql":
        return ~Q(state=wf.CLOSED)
    return Q(state__in=wf.OPEN_STATES)


def ledger_counts(user: Any, filters: LedgerFilters | None = None) -> LedgerCounts:
    """The filter chips' numbers: every filter applies except the chips' own dimensions
    (state and overdue), so each chip tells how many rows choosing it would show. The
    chips of open hazards (a few per cent of a ledger) are one aggregate over the open
    states' index; the total is a capped count."""
    filters = filters or LedgerFilters()
    scoped = _filtered(user, filters, with_state=False)
    # Counting "state" (never null) rather than the id lets PostgreSQL answer from the
    # covering index hazard_ledger_counts alone.
    row = scoped.filter(_open_q()).aggregate(
        open=Count("state"),
        overdue=Count("state", filter=overdue_q()),
        major_open=Count("state", filter=Q(level=Level.MAJOR)),
        listed_open=Count("state", filter=Q(listed_at__isnull=False)),
    )
    opened = {k: int(v or 0) for k, v in row.items()}
    total, capped = capped_count(scoped)
    return LedgerCounts(
        total=total,
        total_capped=capped,
        closed=None if capped else total - opened["open"],
        **opened,
    )


def _rollup_scope(user: Any, filters: LedgerFilters) -> dict[str, Any] | None:
    """The rollup groups (tally_services.tally_counts' arguments) that make up the user's
    ledger under `filters`, or None when the rollup cannot answer: the user's view is not
    a union of its groups (scoping.grouped_scope), or a filter narrows the hazards in a
    way the groups do not (only division, industry and lead department are groups;
    state and overdue are the chips' own dimensions and never narrow them)."""
    scope = scoping.grouped_scope(user)
    department = None
    if scope is not None:
        (divisions,) = scope
    else:
        # A department officer: the groups of its duty (grid and set of duties); the
        # hazards it reviews outside that duty are counted apart (chip_counts).
        duty = scoping.department_duty_scope(user)
        if duty is None:
            return None
        divisions, department = duty
    narrowing = replace(
        filters, states=(), overdue=None, division=None, industry=None, department=None
    )
    if not narrowing.is_empty:
        return None
    if filters.division is not None:
        division = Division.objects.filter(pk=filters.division).first()
        below = scoping.subtree_ids(division)
        divisions = below if divisions is None else [d for d in below if d in set(divisions)]
    out: dict[str, Any] = {"divisions": divisions}
    if department is not None:
        out["department"] = department
    if filters.industry is not None:
        out["industries"] = _industry_subtree(filters.industry)
    if filters.department is not None:
        out["lead"] = filters.department
    return out


def chip_counts(
    user: Any, filters: LedgerFilters | None = None, today: dt.date | None = None
) -> LedgerCounts:
    """The chips of the ledger page and the home tile: ledger_counts, but where the
    user's view (and the filters) is a union of the hazard rollup's groups (a county's
    regulators, the platform administrator, a department officer's duty; no filter, or a
    division, an industry, a lead department), open, overdue and major open come from
    the rollup
    (anjian.reports.tally_services: counters the hazard services move in the hazard's
    own transaction), a sum over a few thousand counter rows instead of a count over
    the 100,000s of open hazards of a county (0.3-0.6 s at 2,000,000 hazards on
    PostgreSQL). The listed ones and the capped total stay counts
    over the hazard table (small indexes). Anyone else is counted as ledger_counts."""
    from anjian.reports import tally_services

    filters = filters or LedgerFilters()
    today = today or timezone.localdate()
    start = today.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    groups = _rollup_scope(user, filters)
    if groups is None or not tally_services.usable(start, end, today, today):
        return ledger_counts(user, filters)
    values = tally_services.tally_counts(
        start=start, end=end, on=today, group_by=None, **groups
    ).get(None, {})
    scoped = _filtered(user, filters, with_state=False)
    counts = {
        "open": max(0, int(values.get("open") or 0)),
        "overdue": max(0, int(values.get("overdue_open") or 0)),
        "major_open": max(0, int(values.get("major_open") or 0)),
    }
    if "department" in groups:
        # What a department also sees: the hazards it reviews at enterprises outside its
        # duty (scoping.visible, SCOPE_DEPARTMENT_PATH), not in the groups summed above;
        # a handful, found by the review department's index.
        in_duty = scoping.visible_enterprises(user).filter(pk=OuterRef("enterprise_id"))
        outside = (
            scoped.filter(_open_q(), review_department_id=groups["department"])
            .exclude(Exists(in_duty))
            .aggregate(
                open=Count("state"),
                overdue=Count("state", filter=overdue_q(today)),
                major_open=Count("state", filter=Q(level=Level.MAJOR)),
            )
        )
        counts = {name: n + int(outside[name] or 0) for name, n in counts.items()}
    listed_open = scoped.filter(_open_q(), listed_at__isnull=False).count()
    # More open hazards than the cap: the total is capped too, without counting rows.
    total, capped = (COUNT_CAP, True) if counts["open"] > COUNT_CAP else capped_count(scoped)
    return LedgerCounts(
        total=total,
        total_capped=capped,
        closed=None if capped else max(0, total - counts["open"]),
        listed_open=listed_open,
        **counts,
    )


def page_total(filters: LedgerFilters, counts: LedgerCounts) -> tuple[int, bool] | None:
    """The ledger page's (capped) total read off the chips where they count the same rows:
    no state filter (the chips' total), only the open states (the open chip) or overdue
    alone (the overdue chip); None when the page must count its own rows."""
    if filters.overdue is None and not filters.states:
        return counts.total, counts.total_capped
    if filters.overdue is True and filters.states in ((), (OPEN,)):
        exact = counts.overdue
    elif filters.overdue is None and filters.states == (OPEN,):
        exact = counts.open
    else:
        return None
    return (COUNT_CAP, True) if exact > COUNT_CAP else (exact, False)


def home_counts(user: Any, today: dt.date | None = None) -> LedgerCounts:
    """The home tile's numbers: the ledger's chips without filters."""
    return chip_counts(user, LedgerFilters(), today)


def state_label(state: str) -> str:
    return str(State(state).label) if state in State.values else state


__all__ = [
    "COUNT_CAP",
    "OPEN",
    "PARAMS",
    "STATE_CHOICES",
    "Cursor",
    "LedgerCounts",
    "LedgerFilters",
    "LedgerPage",
    "capped_count",
    "chip_counts",
    "home_counts",
    "is_overdue",
    "ledger_counts",
    "ledger_page",
    "ledger_search",
    "overdue_q",
    "page_rows",
    "page_total",
    "parse_filters",
]

"""The ledger query: filters, bad filter values, scoping per persona, counts in one query,
and no N+1 on the list."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from anjian.hazards import ledger
from anjian.hazards.ledger import LedgerFilters, ledger_counts, ledger_search, parse_filters
from anjian.hazards.models import Hazard
from anjian.registry.models import Industry
from tests.world import EXPECTED_ENTERPRISES

from .helpers import MAJOR_ITEM, bring, report


def numbers(user, **kw) -> set[str]:
    filters = LedgerFilters(**kw)
    return set(ledger_search(user, filters).values_list("number", flat=True))


@pytest.fixture
def ledger_world(world):
    """chem_a: a general reported (A1), a general closed (A2), a major listed (A3),
    an overdue general in rectification (A4); chem_c in county Y: one reported (C1)."""
    a1 = report(world, description="呼吸阀堵塞", location="1号储罐区")
    a2 = bring(world, "general_closed")
    a3 = bring(world, "major_listed")
    a4 = bring(world, "general_rectifying")
    Hazard.objects.filter(pk=a4.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=3),
        description="消防通道堆放杂物",
        location="仓库北侧",
        source="government_inspection",
        hazard_type="fire",
        category="management",
    )
    c1 = report(world, who="principal_c", enterprise=world.chem_c, description="静电接地断开")
    Hazard.objects.filter(pk=a2.pk).update(reported_at=timezone.now() - dt.timedelta(days=40))
    world.h = {
        "a1": a1.number,
        "a2": a2.number,
        "a3": a3.number,
        "a4": a4.number,
        "c1": c1.number,
    }
    world.hz = {k: Hazard.objects.get(number=v) for k, v in world.h.items()}
    return world


def expect(world, *keys) -> set[str]:
    return {world.h[k] for k in keys}


# --- parse_filters ---------------------------------------------------------------------------


def test_given_empty_params_when_parsed_then_no_filters_and_no_errors():
    filters, errors = parse_filters(QueryDict(""))
    assert errors == {}
    assert filters == LedgerFilters() and filters.is_empty


def test_given_every_good_param_when_parsed_then_all_filters_set():
    qd = QueryDict(
        "q=%E5%91%BC%E5%90%B8&state=open&state=closed,submitted&level=major&source=self_check"
        "&hazard_type=fire&category=people&handling=deadline&enterprise=3&division=4"
        "&industry=5&department=6&overdue=true&listed=0&reported_from=2026-01-01"
        "&reported_to=2026-02-01&deadline_from=2026-03-01&deadline_to=2026-03-31"
    )
    filters, errors = parse_filters(qd)
    assert errors == {}
    assert filters.q == "呼吸"
    assert filters.states == ("open", "closed", "submitted")
    assert (filters.level, filters.source, filters.hazard_type) == ("major", "self_check", "fire")
    assert (filters.category, filters.handling) == ("people", "deadline")
    assert (filters.enterprise, filters.division, filters.industry, filters.department) == (
        3,
        4,
        5,
        6,
    )
    assert (filters.overdue, filters.listed) == (True, False)
    assert filters.reported_from == dt.date(2026, 1, 1)
    assert filters.deadline_to == dt.date(2026, 3, 31)
    again, errors = parse_filters(filters.as_params())
    assert errors == {} and again == filters


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"state": "lost"}, "state"),
        ({"state": ["open", "nope"]}, "state"),
        ({"level": "huge"}, "level"),
        ({"source": "rumour"}, "source"),
        ({"hazard_type": "x"}, "hazard_type"),
        ({"category": "x"}, "category"),
        ({"handling": "later"}, "handling"),
        ({"enterprise": "abc"}, "enterprise"),
        ({"enterprise": "-1"}, "enterprise"),
        ({"enterprise": "0"}, "enterprise"),
        ({"enterprise": "1.5"}, "enterprise"),
        ({"enterprise": "NaN"}, "enterprise"),
        ({"enterprise": "١٢"}, "enterprise"),  # Arabic-Indic digits are not an id
        ({"division": str(2**63)}, "division"),
        ({"industry": "9" * 40}, "industry"),
        ({"department": "x"}, "department"),
        ({"overdue": "maybe"}, "overdue"),
        ({"listed": "2"}, "listed"),
        ({"reported_from": "2026-13-01"}, "reported_from"),
        ({"reported_to": "yesterday"}, "reported_to"),
        ({"deadline_from": "2026-02-30"}, "deadline_from"),
        ({"deadline_to": "2026/01/01"}, "deadline_to"),
        ({"q": "a\x00b"}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": 12}, "q"),
        ({"reported_from": "2026-02-01", "reported_to": "2026-01-01"}, "reported_to"),
    ],
)
def test_given_a_bad_value_when_parsed_then_field_error_and_filter_left_out(params, field):
    filters, errors = parse_filters(params)
    assert list(errors) == [field]
    assert errors[field] and all(isinstance(m, str) and m for m in errors[field])
    default = getattr(LedgerFilters(), "states" if field == "state" else field)
    got = getattr(filters, "states" if field == "state" else field)
    assert got == default


@pytest.mark.parametrize(
    "params",
    [None, {}, {"state": None}, {"state": [1, None]}, {"unknown": "x"}, {"enterprise": True}],
)
def test_given_odd_input_when_parsed_then_never_raises(params):
    filters, errors = parse_filters(params)
    assert isinstance(filters, LedgerFilters) and isinstance(errors, dict)


def test_given_blank_values_when_parsed_then_treated_as_absent():
    filters, errors = parse_filters(QueryDict("q=&state=&level=&enterprise=&overdue="))
    assert errors == {} and filters.is_empty


# --- filters -----------------------------------------------------------------------------------


def test_given_no_filters_when_searched_then_newest_first(ledger_world):
    w = ledger_world
    rows = list(ledger_search(w.user("coordinator_x"), LedgerFilters()))
    assert [h.number for h in rows][-1] == w.h["a2"]  # reported 40 days ago
    keys = [(h.reported_at, h.pk) for h in rows]
    assert keys == sorted(keys, reverse=True)
    assert {h.number for h in rows} == expect(w, "a1", "a2", "a3", "a4")


def test_given_q_when_searched_then_number_text_location_and_enterprise_name(ledger_world):
    w = ledger_world
    user = w.user("platform_admin")
    assert numbers(user, q=w.h["a3"]) == expect(w, "a3")
    prefix = w.h["a1"].rsplit("-", 1)[0]  # "330101-2026"
    assert numbers(user, q=prefix) == expect(w, "a1", "a2", "a3", "a4")
    assert numbers(user, q="消防通道") == expect(w, "a4")
    assert numbers(user, q="仓库北") == expect(w, "a4")
    assert numbers(user, q="西县丙") == expect(w, "c1")
    assert numbers(user, q="没有这个") == set()


def test_given_state_filters_when_searched_then_one_or_several_and_open(ledger_world):
    w = ledger_world
    user = w.user("coordinator_x")
    assert numbers(user, states=("closed",)) == expect(w, "a2")
    assert numbers(user, states=("open",)) == expect(w, "a1", "a3", "a4")
    assert numbers(user, states=("reported", "listed")) == expect(w, "a1", "a3")
    assert numbers(user, states=("open", "closed")) == expect(w, "a1", "a2", "a3", "a4")


def test_given_choice_filters_when_searched_then_each_narrows(ledger_world):
    w = ledger_world
    user = w.user("platform_admin")
    assert numbers(user, level="major") == expect(w, "a3")
    assert numbers(user, level="general") == expect(w, "a1", "a2", "a4", "c1")
    assert numbers(user, source="government_inspection") == expect(w, "a4")
    assert numbers(user, hazard_type="fire") == expect(w, "a4")
    assert numbers(user, category="management") == expect(w, "a4")
    assert numbers(user, handling="deadline") == expect(w, "a1", "a2", "a3", "a4", "c1")
    assert numbers(user, handling="on_spot") == set()


def test_given_enterprise_division_industry_department_when_searched_then_narrowed(
    ledger_world,
):
    w = ledger_world
    user = w.user("platform_admin")
    assert numbers(user, enterprise=w.chem_c.pk) == expect(w, "c1")
    assert numbers(user, division=w.county_y.pk) == expect(w, "c1")
    assert numbers(user, division=w.city.pk) == expect(w, "a1", "a2", "a3", "a4", "c1")
    assert numbers(user, division=w.grid_x2.pk) == set()
    assert numbers(user, division=999999) == set()
    hazchem = Industry.objects.get(code="HR-HAZCHEM")
    assert numbers(user, industry=hazchem.pk) == expect(w, "a1", "a2", "a3", "a4", "c1")
    assert numbers(user, industry=Industry.objects.get(code="HR-CONSTR").pk) == set()
    assert numbers(user, department=w.emergency_x.pk) == expect(w, "a1", "a2", "a3", "a4")
    assert numbers(user, department=w.emergency_y.pk) == expect(w, "c1")
    assert numbers(user, department=w.housing_x.pk) == set()


def test_given_a_parent_industry_when_searched_then_sub_sectors_included(ledger_world):
    w = ledger_world
    hazchem = Industry.objects.get(code="HR-HAZCHEM")
    parent = Industry.objects.create(code="T-PARENT", name="测试父行业", category="high_risk")
    Industry.objects.filter(pk=hazchem.pk).update(parent=parent)
    assert numbers(w.user("platform_admin"), industry=parent.pk) == expect(
        w, "a1", "a2", "a3", "a4", "c1"
    )


def test_given_overdue_and_listed_when_searched_then_flags_applied(ledger_world):
    w = ledger_world
    user = w.user("coordinator_x")
    assert numbers(user, overdue=True) == expect(w, "a4")
    assert numbers(user, overdue=False) == expect(w, "a1", "a2", "a3")
    assert numbers(user, listed=True) == expect(w, "a3")
    assert numbers(user, listed=False) == expect(w, "a1", "a2", "a4")
    assert ledger.is_overdue(w.hz["a4"]) and not ledger.is_overdue(w.hz["a1"])


def test_given_a_closed_hazard_past_its_deadline_when_searched_then_not_overdue(ledger_world):
    w = ledger_world
    Hazard.objects.filter(number=w.h["a2"]).update(
        deadline=timezone.localdate() - dt.timedelta(days=30)
    )
    assert numbers(w.user("coordinator_x"), overdue=True) == expect(w, "a4")


def test_given_date_ranges_when_searched_then_inclusive_days(ledger_world):
    w = ledger_world
    user = w.user("coordinator_x")
    today = timezone.localdate()
    old_day = timezone.localdate(w.hz["a2"].reported_at)
    assert numbers(user, reported_from=today) == expect(w, "a1", "a3", "a4")
    assert numbers(user, reported_to=old_day) == expect(w, "a2")
    assert numbers(user, reported_from=old_day, reported_to=old_day) == expect(w, "a2")
    deadline = w.hz["a3"].deadline  # None: the five fixes are not set yet
    assert deadline is None
    a2_deadline = w.hz["a2"].deadline
    assert numbers(user, deadline_from=a2_deadline, deadline_to=a2_deadline) == expect(w, "a2")
    assert numbers(user, deadline_to=today) == expect(w, "a4")


def test_given_filters_combined_when_searched_then_all_apply(ledger_world):
    w = ledger_world
    filters, errors = parse_filters({"state": "open", "level": "general", "q": "储罐"})
    assert errors == {}
    found = set(ledger_search(w.user("coordinator_x"), filters).values_list("number", flat=True))
    assert found == expect(w, "a1")


# --- scoping ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(EXPECTED_ENTERPRISES))
def test_given_each_persona_when_searched_then_only_hazards_of_enterprises_in_scope(
    ledger_world, persona
):
    w = ledger_world
    user = w.user(persona)
    seen = {h.enterprise_id for h in ledger_search(user, LedgerFilters())}
    allowed = {getattr(w, name).pk for name in EXPECTED_ENTERPRISES[persona]}
    with_hazards = {w.chem_a.pk, w.chem_c.pk}
    assert seen == allowed & with_hazards
    counts = ledger_counts(user, LedgerFilters())
    assert counts.total == len(list(ledger_search(user, LedgerFilters())))


def test_given_the_outsider_when_searched_with_any_filter_then_nothing(ledger_world):
    w = ledger_world
    user = w.user("outsider")
    assert list(ledger_search(user, LedgerFilters())) == []
    assert list(ledger_search(user, LedgerFilters(enterprise=w.chem_a.pk, q=w.h["a1"]))) == []
    assert ledger_counts(user, LedgerFilters()).as_dict() == {
        "total": 0,
        "total_capped": False,
        "open": 0,
        "overdue": 0,
        "major_open": 0,
        "closed": 0,
        "listed_open": 0,
    }


def test_given_a_filter_outside_the_scope_when_searched_then_it_cannot_widen(ledger_world):
    w = ledger_world
    user = w.user("principal_a")
    assert numbers(user, enterprise=w.chem_c.pk) == set()
    assert numbers(user, division=w.county_y.pk) == set()
    assert numbers(user, q=w.h["c1"]) == set()
    assert numbers(w.user("coordinator_x"), department=w.emergency_y.pk) == set()


# --- counts -----------------------------------------------------------------------------------


def test_given_the_ledger_when_counted_then_chip_numbers(ledger_world):
    w = ledger_world
    counts = ledger_counts(w.user("coordinator_x"))
    assert counts.as_dict() == {
        "total": 4,
        "total_capped": False,
        "open": 3,
        "overdue": 1,
        "major_open": 1,
        "closed": 1,
        "listed_open": 1,
    }


def test_given_a_state_filter_when_counted_then_chips_ignore_state_but_not_others(ledger_world):
    w = ledger_world
    user = w.user("coordinator_x")
    by_state = ledger_counts(user, LedgerFilters(states=("closed",), overdue=True))
    assert by_state == ledger_counts(user)
    general = ledger_counts(user, LedgerFilters(level="general"))
    assert (general.total, general.major_open, general.open) == (3, 0, 2)


def test_given_a_user_when_counted_then_two_queries_whatever_the_filters(
    ledger_world, django_assert_num_queries
):
    """One aggregate over the open hazards (the chips) and one capped count (the total)."""
    w = ledger_world
    for persona in ("principal_a", "coordinator_x", "officer_emergency_x", "platform_admin"):
        user = w.user(persona)
        ledger_counts(user)  # the user's division subtree is cached per user object
        with django_assert_num_queries(2):
            ledger_counts(user, LedgerFilters(level="general", listed=False, overdue=True))
        with django_assert_num_queries(2):
            ledger_counts(user, LedgerFilters(q=f"330101-{timezone.localdate().year}"))
        # Text first looks up the enterprises whose name matches (a short list of ids,
        # so the search can use the indexes), then counts.
        with django_assert_num_queries(3):
            ledger_counts(user, LedgerFilters(q="储罐"))


def test_given_more_rows_than_the_cap_when_counted_then_total_is_capped(ledger_world, monkeypatch):
    from anjian.hazards import ledger

    w = ledger_world
    user = w.user("coordinator_x")
    monkeypatch.setattr(ledger, "COUNT_CAP", 2)
    monkeypatch.setattr(ledger.capped_count, "__defaults__", (2,))
    counts = ledger_counts(user)
    assert (counts.total, counts.total_capped, counts.closed) == (2, True, None)
    assert counts.open == 3  # the chips stay exact
    page = ledger.ledger_page(ledger_search(user), 1, 2)
    assert (len(page.object_list), page.has_next, page.last_page_number) == (2, True, None)
    last = ledger.ledger_page(ledger_search(user), 2, 2)
    assert (len(last.object_list), last.has_next) == (2, False)
    beyond = ledger.ledger_page(ledger_search(user), 99, 2)
    assert beyond.number == 1


# --- no N+1 -------------------------------------------------------------------------------------


def _many(world, n: int) -> None:
    for i in range(n):
        report(world, description=f"第{i}处隐患", location=f"位置{i}")


def _list_queries(user, captured: list[int]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        rows = list(ledger_search(user, LedgerFilters(states=("open",))))
        for h in rows:
            # What a ledger row shows.
            _ = (h.number, h.enterprise.name, h.risk_unit, h.state, h.deadline)
            ledger.is_overdue(h)
    captured.append(len(rows))
    return len(ctx.captured_queries)


def test_given_3_or_30_hazards_when_listed_then_same_number_of_queries(world):
    user = world.user("coordinator_x")
    ledger_search(user).count()  # warm the subtree cache
    _many(world, 3)
    sizes: list[int] = []
    few = _list_queries(user, sizes)
    _many(world, 27)
    many = _list_queries(user, sizes)
    assert sizes == [3, 30]
    assert few == many == 1


def test_given_the_list_query_when_built_then_selects_only_what_the_row_shows(world):
    qs = ledger_search(world.user("coordinator_x"))
    assert qs.query.select_related == {"enterprise": {}, "risk_unit": {}}
    assert qs.query.order_by == ("-reported_at", "-id")


def test_given_a_number_like_q_when_filtered_then_prefix_on_the_number_only(db):
    assert ledger._text_q("330101-2026-00001") == Q(number="330101-2026-00001")
    assert ledger._text_q("330101-") == Q(number__gte="330101-", number__lt="330101-" + "\uffff")
    text = ledger._text_q("储罐")
    assert text.connector == Q.OR
    assert ("description__icontains", "储罐") in text.children


def test_given_a_major_list_item_when_reported_then_major_open_counted(world):
    report(world, major_item=MAJOR_ITEM)
    assert ledger_counts(world.user("principal_a")).major_open == 1


def test_given_text_matching_many_enterprise_names_when_searched_then_still_exact(
    ledger_world, monkeypatch
):
    w = ledger_world
    monkeypatch.setattr(ledger, "MAX_NAME_MATCHES", 0)  # a sub-select instead of a list
    assert numbers(w.user("platform_admin"), q="西县丙") == expect(w, "c1")


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="PostgreSQL indexes"
)
def test_given_postgresql_when_migrated_then_trigram_and_covering_indexes_exist(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", ["hazards_hazard"]
        )
        found = dict(cursor.fetchall())
    assert "gin_trgm_ops" in found["hazard_description_trgm"]
    assert "gin_trgm_ops" in found["hazard_location_trgm"]
    assert "(enterprise_id, state, level, deadline, listed_at)" in found["hazard_ledger_counts"]
    assert "WHERE (listed_at IS NOT NULL)" in found["hazard_listed_order"]


# --- pages: keyset cursors ------------------------------------------------------------------


def test_given_a_cursor_when_encoded_then_decoded_exactly_and_junk_is_none(db):
    moment = timezone.now().replace(microsecond=123457)
    cursor = ledger.Cursor(moment, 42)
    assert ledger.Cursor.decode(cursor.encode()) == cursor
    for junk in ("", "x", "1.2.3", "1.0", "1." + "9" * 19, None, ["1.2"], "9" * 19 + ".1"):
        assert ledger.Cursor.decode(junk) is None


def test_given_next_and_previous_links_when_followed_then_the_same_pages_as_by_number(world):
    """Seven hazards, three a page, two of them reported at the same moment (the id
    breaks the tie): following the next links gives pages 2 and 3 as OFFSET does, and the
    previous links come back."""
    user = world.user("coordinator_x")
    made = [report(world, description=f"第{i}处") for i in range(7)]
    same = timezone.now() - dt.timedelta(hours=1)
    Hazard.objects.filter(pk__in=[made[2].pk, made[3].pk]).update(reported_at=same)
    qs = ledger_search(user)
    by_number = [ledger.ledger_page(qs, n, 3).object_list for n in (1, 2, 3)]
    first = ledger.ledger_page(qs, 1, 3)
    second = ledger.ledger_page(qs, 2, 3, after=first.next_cursor)
    third = ledger.ledger_page(qs, 3, 3, after=second.next_cursor)
    assert [p.object_list for p in (first, second, third)] == by_number
    assert (second.number, second.has_previous, second.has_next) == (2, True, True)
    assert (third.number, third.has_next, len(third.object_list)) == (3, False, 1)
    back = ledger.ledger_page(qs, 2, 3, before=third.previous_cursor)
    assert back.object_list == second.object_list and back.has_next
    # The previous page of page 2 is the first: a plain link, no cursor.
    assert second.previous_cursor is None
    # Before the newest row there is nothing: the first page.
    assert ledger.ledger_page(qs, 5, 3, before=first.previous_cursor or "").number == 1
    newest = ledger.Cursor.of(first.object_list[0]).encode()
    assert ledger.ledger_page(qs, 2, 3, before=newest).object_list == first.object_list
    # A cursor past the end (rows gone) falls back to the first page.
    oldest = ledger.Cursor.of(third.object_list[-1]).encode()
    assert ledger.ledger_page(qs, 4, 3, after=oldest).number == 1


def test_given_a_cursor_when_the_scope_is_narrower_then_it_only_positions(world):
    """A cursor is a place, not a permission: another user's rows stay out."""
    coordinator = world.user("coordinator_x")
    for i in range(4):
        report(world, description=f"第{i}处")
    other = report(world, who="principal_c", enterprise=world.chem_c, description="静电接地断开")
    first = ledger.ledger_page(ledger_search(coordinator), 1, 2)
    nxt = ledger.ledger_page(ledger_search(coordinator), 2, 2, after=first.next_cursor)
    assert other.pk not in {h.pk for h in first.object_list + nxt.object_list}


def test_given_the_ledger_page_when_paged_then_links_carry_cursors(client, world):
    from django.urls import reverse

    from anjian.hazards.views import ledger as ledger_views

    for i in range(5):
        report(world, description=f"第{i}处")
    client.force_login(world.user("coordinator_x"))
    url = reverse("hazards:ledger")
    original = ledger_views.PAGE_SIZE
    ledger_views.PAGE_SIZE = 2
    try:
        first = client.get(url)
        page = first.context["page"]
        html = first.content.decode()
        assert f"after={page.next_cursor}" in html and "page=2" in html
        second = client.get(url, {"page": 2, "after": page.next_cursor})
        assert second.context["page"].number == 2
        assert [h.pk for h in second.context["page"].object_list] == [
            h.pk
            for h in ledger.ledger_page(
                ledger_search(world.user("coordinator_x")), 2, 2
            ).object_list
        ]
        third = client.get(url, {"page": 3, "after": second.context["page"].next_cursor})
        assert f"before={third.context['page'].previous_cursor}" in third.content.decode()
        assert client.get(url, {"page": 2, "after": "junk"}).context["page"].number == 2
    finally:
        ledger_views.PAGE_SIZE = original


# --- the home tile: the rollup ------------------------------------------------------------------


def test_given_each_persona_when_the_home_tile_counts_then_as_the_ledger_counts(ledger_world):
    """The tile reads the rollup for a county's regulators: the same numbers as the
    ledger's chips (the fixture moved rows past the services, as the nightly repair sees)."""
    from anjian.reports.tally_services import hazard_tally_rebuild

    hazard_tally_rebuild()
    w = ledger_world
    for persona in (
        "coordinator_x",
        "platform_admin",
        "principal_a",
        "officer_emergency_x",
        "outsider",
    ):
        user = w.user(persona)
        assert ledger.home_counts(user) == ledger_counts(user), persona
    # The ledger's chips under the filters the rollup's groups answer (and the chips'
    # own state / overdue, which never narrow them).
    coordinator = w.user("coordinator_x")
    for filters in (
        LedgerFilters(division=w.town_x.pk),
        LedgerFilters(division=w.county_y.pk),
        LedgerFilters(industry=w.chem_a.industry_id, states=("closed",)),
        LedgerFilters(department=w.emergency_x.pk, overdue=True),
        LedgerFilters(department=w.emergency_y.pk),
    ):
        assert ledger.chip_counts(coordinator, filters) == ledger_counts(coordinator, filters)
    # Any other filter is counted in the hazard table.
    assert ledger.chip_counts(coordinator, LedgerFilters(level="major")).open == 1


def test_given_a_hazard_closed_through_the_services_when_the_tile_counts_then_it_moves(world):
    from .helpers import bring

    user = world.user("coordinator_x")
    before = ledger.home_counts(user)
    bring(world, "general_closed")
    bring(world, "general_rectifying")
    after = ledger.home_counts(user)
    assert (after.open - before.open, after.total - before.total) == (1, 2)
    assert after == ledger_counts(user)


def test_given_a_hazard_reviewed_outside_the_duty_when_the_officer_counts_then_it_is_added(
    ledger_world,
):
    """A department officer's chips sum the rollup over its duty, plus the open hazards it
    reviews at enterprises outside that duty (谁检查谁复查), which it sees too."""
    from anjian.core import scoping
    from anjian.reports.tally_services import hazard_tally_rebuild

    hazard_tally_rebuild()  # the fixture moved a deadline past the services
    w = ledger_world
    officer = w.user("officer_emergency_x")
    in_duty = set(scoping.visible_enterprises(officer).values_list("pk", flat=True))
    outside = next(e for e in (w.build_b, w.ess_d) if e.pk not in in_duty and e.division_id != 0)
    before = ledger.home_counts(officer)
    assert before == ledger_counts(officer)
    reviewed = report(w, who="coordinator_x", enterprise=outside, description="外单位复查")
    Hazard.objects.filter(pk=reviewed.pk).update(
        review_department=w.emergency_x,
        level="major",
        deadline=timezone.localdate() - dt.timedelta(days=1),
    )
    closed = report(w, who="coordinator_x", enterprise=outside, description="已销号")
    Hazard.objects.filter(pk=closed.pk).update(review_department=w.emergency_x, state="closed")

    after = ledger.home_counts(officer)

    assert after == ledger_counts(officer)
    assert (after.open, after.overdue, after.major_open) == (
        before.open + 1,
        before.overdue + 1,
        before.major_open + 1,
    )
    assert after.total == before.total + 2
    # Under a filter the rollup answers, the same rows.
    filters = LedgerFilters(division=outside.division_id)
    assert ledger.chip_counts(officer, filters) == ledger_counts(officer, filters)


@pytest.mark.parametrize("persona", ["coordinator_x", "officer_emergency_x", "principal_a"])
def test_given_state_filters_when_the_page_totals_then_the_chips_figure_equals_counting(
    ledger_world, client, persona
):
    from anjian.reports.tally_services import hazard_tally_rebuild

    hazard_tally_rebuild()  # the fixture moved a deadline past the services
    user = ledger_world.user(persona)
    client.force_login(user)
    for params in (
        {},
        {"state": "open"},
        {"overdue": "true"},
        {"state": "open", "overdue": "true"},
        {"state": "rectifying"},
        {"state": "open,closed"},
        {"overdue": "false"},
    ):
        filters, _ = ledger.parse_filters(QueryDict(urlencode(params)))
        page = client.get(reverse("hazards:ledger"), params).context["page"]
        assert (page.total, page.total_capped) == ledger.capped_count(
            ledger_search(user, filters)
        ), params


def test_given_chips_when_the_page_total_is_read_off_them_then_only_where_they_count_its_rows():
    counts = ledger.LedgerCounts(
        total=10, total_capped=False, open=7, overdue=3, major_open=1, closed=3, listed_open=0
    )
    assert ledger.page_total(LedgerFilters(), counts) == (10, False)
    assert ledger.page_total(LedgerFilters(states=("open",)), counts) == (7, False)
    assert ledger.page_total(LedgerFilters(overdue=True), counts) == (3, False)
    assert ledger.page_total(LedgerFilters(states=("open",), overdue=True), counts) == (3, False)
    for other in (
        LedgerFilters(states=("closed",)),
        LedgerFilters(states=("open", "closed")),
        LedgerFilters(overdue=False),
        LedgerFilters(states=("rectifying",), overdue=True),
    ):
        assert ledger.page_total(other, counts) is None
    many = replace(counts, open=ledger.COUNT_CAP + 1, overdue=ledger.COUNT_CAP + 1)
    assert ledger.page_total(LedgerFilters(overdue=True), many) == (ledger.COUNT_CAP, True)


def test_given_more_open_hazards_than_the_cap_when_chips_sum_the_rollup_then_total_capped_uncounted(
    ledger_world, monkeypatch, django_assert_num_queries
):
    from anjian.reports.tally_services import hazard_tally_rebuild

    hazard_tally_rebuild()
    user = ledger_world.user("coordinator_x")
    monkeypatch.setattr(ledger, "COUNT_CAP", 2)
    calls = []
    monkeypatch.setattr(ledger, "capped_count", lambda *a, **k: calls.append(a) or (0, False))
    counts = ledger.chip_counts(user)
    assert (counts.open, counts.total, counts.total_capped, counts.closed) == (3, 2, True, None)
    assert calls == []

"""The accidents API beyond the reports (issue 13 item 9): every step of the workflow
(investigate, extend, accountable, close, withdraw, conceal) by the party allowed to take
it; every step the table does not allow in a state refused with 409 and nothing written;
a stale version 409 (also two requests at once, PostgreSQL); the wrong party 403; an
outsider, another county, an unknown or impossible id 404; bad bodies 422 by field, never
a 500. And the statistics as JSON: the page's figures (the same function, the same
numbers), equal to a recount of the rows, scoped, with bad parameters 422."""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from anjian.accidents import services
from anjian.accidents import statistics as st
from anjian.accidents import workflow as wf
from anjian.accidents.models import Accident, AccountablePerson, Investigation
from anjian.reports.periods import Period
from tests.accidents.accident_helpers import CHECKLIST_ALL, actor, at, close, investigate, report
from tests.api.conftest import ApiClient, fields
from tests.world import build_world

pytestmark = pytest.mark.django_db

STEPS = (wf.INVESTIGATE, wf.EXTEND, wf.ACCOUNTABLE, wf.CLOSE, wf.WITHDRAW, wf.CONCEAL)
CLOSE_BODY = {
    "findings": "受限空间作业未审批",
    "causes": "未执行受限空间作业审批",
    "lessons": "严格作业许可",
    "measures": "全员培训",
    **CHECKLIST_ALL,
    "people_educated_note": "全员警示教育",
}
# A body the step's service accepts (in a state that allows the step).
BODIES: dict[str, dict[str, Any]] = {
    wf.INVESTIGATE: {},
    wf.EXTEND: {"days": 30, "reason": "需技术鉴定"},
    wf.ACCOUNTABLE: {
        "name": "张三",
        "position": "车间主任",
        "measure": "撤职",
        "basis": "第三十八条",
    },
    wf.CLOSE: CLOSE_BODY,
    wf.WITHDRAW: {"reason": "重复上报"},
    wf.CONCEAL: {"note": "医院报告发现"},
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(world):
    def for_persona(name: str) -> ApiClient:
        return ApiClient(world.token(name))

    return for_persona


def step(client: ApiClient, accident: Accident, action: str, body: dict[str, Any] | None = None):
    return client.post(
        f"/accidents/{accident.pk}/{action}", BODIES[action] if body is None else body
    )


def bring(world, state: str) -> Accident:
    """An accident of chem_a (reported by safety_a) brought to `state` through the
    services: reported, investigating, extended, closed, withdrawn or concealed."""
    accident = report(world)
    coordinator = actor(world.user("coordinator_x"))
    if state in ("investigating", "extended", "closed"):
        investigate(world, accident)
    if state == "extended":
        services.investigation_extend(
            actor=coordinator, accident_id=accident.pk, days=10, reason="鉴定"
        )
    if state == "closed":
        close(world, accident)
    if state == "withdrawn":
        services.accident_withdraw(
            actor=actor(world.user("safety_a")), accident_id=accident.pk, reason="误报"
        )
    if state == "concealed":
        services.accident_mark_concealed(actor=coordinator, accident_id=accident.pk, note="举报")
    accident.refresh_from_db()
    return accident


def snapshot(accident: Accident) -> tuple:
    """What a refused step must leave as it was."""
    accident.refresh_from_db()
    inv = Investigation.objects.filter(accident=accident).first()
    return (
        accident.state,
        accident.version,
        accident.concealed,
        accident.events.count(),
        AccountablePerson.objects.filter(accident=accident).count(),
        None if inv is None else (inv.extension_days, inv.due_on, inv.closed_at, inv.causes),
    )


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


# --- every step by the party allowed to take it ----------------------------------------------


def test_given_a_reported_accident_when_the_authority_takes_every_step_then_each_answers_the_detail(
    world, api
):
    accident = report(world)
    client = api("coordinator_x")

    with time_machine.travel(at(10), tick=False):
        opened = step(client, accident, wf.INVESTIGATE, {"version": 1})
    assert opened.status_code == 200, opened.content
    body = opened.json()
    assert (body["state"], body["version"]) == ("investigating", 2)
    assert body["investigation"]["level"] == "county"
    assert body["investigation"]["due_on"] == "2027-01-02"
    assert set(body["actions"]) >= {"extend", "accountable", "close", "conceal"}

    extended = step(client, accident, wf.EXTEND, {**BODIES[wf.EXTEND], "version": 2})
    assert extended.status_code == 200, extended.content
    body = extended.json()
    assert body["version"] == 3
    assert body["investigation"]["extension_days"] == 30
    assert body["investigation"]["extension_reason"] == "需技术鉴定"
    assert body["investigation"]["due_on"] == "2027-02-01"
    assert "extend" not in body["actions"]  # once only

    added = step(client, accident, wf.ACCOUNTABLE, {**BODIES[wf.ACCOUNTABLE], "version": 3})
    assert added.status_code == 200, added.content
    body = added.json()
    assert body["version"] == 4
    assert body["accountable_persons"] == [
        {"name": "张三", "position": "车间主任", "measure": "撤职", "basis": "第三十八条"}
    ]

    closed = step(client, accident, wf.CLOSE, {**CLOSE_BODY, "version": 4})
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert (body["state"], body["version"]) == ("closed", 5)
    assert body["investigation"]["checklist"] == CHECKLIST_ALL
    assert body["investigation"]["causes"] == "未执行受限空间作业审批"
    assert body["investigation"]["closed_at"] is not None
    assert body["actions"] == ["conceal"]

    flagged = step(client, accident, wf.CONCEAL, {**BODIES[wf.CONCEAL], "version": 5})
    assert flagged.status_code == 200, flagged.content
    body = flagged.json()
    assert (body["state"], body["concealed"], body["version"]) == ("closed", True, 6)
    assert body["actions"] == []

    assert [e["action"] for e in body["events"]] == [
        "report",
        "investigate",
        "extend",
        "accountable",
        "close",
        "conceal",
    ]
    assert {e["actor"] for e in body["events"][1:]} == {"coordinator_x"}
    assert body == client.get(f"/accidents/{accident.pk}").json()


@pytest.mark.parametrize("persona", ["coordinator_x", "officer_emergency_x"])
def test_given_the_authority_when_opening_the_investigation_then_200(world, api, persona):
    accident = report(world)

    response = step(api(persona), accident, wf.INVESTIGATE)

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "investigating"
    assert Investigation.objects.filter(accident=accident).exists()


@pytest.mark.parametrize("persona", ["safety_a", "coordinator_x"])
def test_given_the_reporter_or_the_authority_when_withdrawing_then_kept_as_withdrawn(
    world, api, persona
):
    accident = report(world)

    response = step(api(persona), accident, wf.WITHDRAW, {"reason": "重复上报", "version": 1})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["version"], body["actions"]) == ("withdrawn", 2, [])
    assert body["events"][-1]["note"] == "重复上报"
    assert Accident.objects.filter(pk=accident.pk, state="withdrawn").exists()


def test_given_a_reported_accident_when_flagged_concealed_then_it_stays_reported(world, api):
    accident = report(world)

    response = step(api("coordinator_x"), accident, wf.CONCEAL)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["concealed"]) == ("reported", True)
    assert "conceal" not in body["actions"]


def test_given_the_steps_over_the_api_then_the_audit_and_events_say_api(world, api):
    accident = report(world)

    step(api("coordinator_x"), accident, wf.INVESTIGATE)

    assert accident.events.get(action="investigate").via == "api"


# --- what the table does not allow: 409, nothing written -------------------------------------

STATES = ("reported", "investigating", "extended", "closed", "withdrawn", "concealed")


def _state_of(name: str) -> str:
    return {"extended": "investigating", "concealed": "reported"}.get(name, name)


def _refused() -> list[tuple[str, str]]:
    """Every (state, step) the table or its guard refuses: no transition from the state,
    or the one extension used, or the concealed flag set."""
    out = []
    for name in STATES:
        for action in STEPS:
            guarded = (name, action) in (("extended", wf.EXTEND), ("concealed", wf.CONCEAL))
            if guarded or wf.step(_state_of(name), action) is None:
                out.append((name, action))
    return out


@pytest.mark.parametrize(("state", "action"), _refused())
def test_given_a_step_the_state_does_not_allow_when_posted_then_409_and_nothing_changes(
    world, api, state, action
):
    accident = bring(world, state)
    before = snapshot(accident)

    response = step(api("coordinator_x"), accident, action)

    assert response.status_code == 409, (state, action, response.content)
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]
    assert snapshot(accident) == before


def test_given_the_refused_steps_then_every_action_and_state_is_covered():
    refused = _refused()
    assert {a for _s, a in refused} == set(STEPS)
    assert {s for s, _a in refused} == set(STATES)


# --- stale versions: 409 ----------------------------------------------------------------------

# (state the step is allowed in, action)
ALLOWED = [
    ("reported", wf.INVESTIGATE),
    ("investigating", wf.EXTEND),
    ("investigating", wf.ACCOUNTABLE),
    ("investigating", wf.CLOSE),
    ("reported", wf.WITHDRAW),
    ("reported", wf.CONCEAL),
]


@pytest.mark.parametrize(("state", "action"), ALLOWED)
def test_given_someone_changed_the_accident_when_stepping_with_the_old_version_then_409(
    world, api, state, action
):
    accident = bring(world, state)
    read = api("coordinator_x").get(f"/accidents/{accident.pk}").json()["version"]
    # Meanwhile the unit sends a follow-up report: the accident moves on.
    moved = api("safety_a").post(
        f"/accidents/{accident.pk}/followups",
        {"version": read, "deaths": 1, "course": "伤员转院"},
    )
    assert moved.status_code == 200, moved.content
    before = snapshot(accident)

    response = step(api("coordinator_x"), accident, action, {**BODIES[action], "version": read})

    assert response.status_code == 409, response.content
    assert response.json()["detail"] == zh(
        "Somebody else changed this record first; reload and try again."
    )
    assert snapshot(accident) == before

    fresh = step(api("coordinator_x"), accident, action, {**BODIES[action], "version": read + 1})
    assert fresh.status_code == 200, fresh.content


needs_postgres = pytest.mark.skipif(
    "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
    reason="row locks need PostgreSQL; SQLite serialises writers instead",
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_given_two_requests_with_the_same_version_when_raced_then_one_200_one_409(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build_world()
    accident = bring(world, "investigating")
    clients = [
        ApiClient(world.token("coordinator_x")),
        ApiClient(world.token("officer_emergency_x")),
    ]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def run(i: int) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            body = {**BODIES[wf.ACCOUNTABLE], "name": f"责任人{i}", "version": accident.version}
            statuses.append(step(clients[i], accident, wf.ACCOUNTABLE, body).status_code)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [200, 409]
    assert AccountablePerson.objects.filter(accident=accident).count() == 1
    assert Accident.objects.get(pk=accident.pk).version == accident.version + 1


# --- the wrong party: 403; out of scope: 404 --------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "state", "action"),
    [
        ("principal_a", "reported", wf.INVESTIGATE),
        ("safety_a", "reported", wf.CONCEAL),
        ("grid_x1", "reported", wf.INVESTIGATE),
        ("expert_x", "reported", wf.WITHDRAW),
        ("principal_a", "reported", wf.WITHDRAW),  # staff of the unit, not the reporter
        ("safety_a", "investigating", wf.EXTEND),
        ("principal_a", "investigating", wf.ACCOUNTABLE),
        ("grid_x1", "investigating", wf.CLOSE),
    ],
)
def test_given_a_party_the_step_is_not_for_when_posted_then_403_and_nothing_changes(
    world, api, persona, state, action
):
    accident = bring(world, state)
    client = api(persona)
    assert client.get(f"/accidents/{accident.pk}").status_code == 200  # they see it
    before = snapshot(accident)

    response = step(client, accident, action)

    assert response.status_code == 403, response.content
    assert isinstance(response.json()["detail"], str)
    assert snapshot(accident) == before


@pytest.mark.parametrize("persona", ["outsider", "coordinator_y", "principal_c", "audit_admin"])
@pytest.mark.parametrize("action", STEPS)
def test_given_someone_outside_the_scope_when_stepping_then_404_like_an_unknown_id(
    world, api, persona, action
):
    accident = bring(world, "investigating" if action in (wf.EXTEND, wf.CLOSE) else "reported")
    before = snapshot(accident)
    client = api(persona)

    response = step(client, accident, action)

    assert response.status_code == 404, response.content
    assert response.json() == {"detail": zh("No such accident in your scope.")}
    assert snapshot(accident) == before


@pytest.mark.parametrize("path_id", ["999999", "0", "-1", "99999999999999999999"])
@pytest.mark.parametrize("action", STEPS)
def test_given_an_unknown_or_impossible_id_when_stepping_then_404(world, api, action, path_id):
    response = api("coordinator_x").post(f"/accidents/{path_id}/{action}", BODIES[action])
    assert response.status_code == 404, response.content


@pytest.mark.parametrize("action", STEPS)
def test_given_a_path_id_that_is_no_number_when_stepping_then_422(world, api, action):
    response = api("coordinator_x").post(f"/accidents/abc/{action}", BODIES[action])
    assert response.status_code == 422
    assert "accident_id" in fields(response)


# --- bad bodies: 422 by field, never 500 -------------------------------------------------------

BAD = [
    (wf.INVESTIGATE, {"version": "1"}, "version"),
    (wf.INVESTIGATE, {"version": 1.5}, "version"),
    (wf.INVESTIGATE, {"version": True}, "version"),
    (wf.INVESTIGATE, {"version": "１"}, "version"),
    (wf.INVESTIGATE, {"level": "city"}, "level"),
    (wf.EXTEND, {"reason": "鉴定"}, "days"),
    (wf.EXTEND, {"days": 0, "reason": "鉴定"}, "days"),
    (wf.EXTEND, {"days": 61, "reason": "鉴定"}, "days"),
    (wf.EXTEND, {"days": -5, "reason": "鉴定"}, "days"),
    (wf.EXTEND, {"days": 1.5, "reason": "鉴定"}, "days"),
    (wf.EXTEND, {"days": True, "reason": "鉴定"}, "days"),
    (wf.EXTEND, {"days": "三十", "reason": "鉴定"}, "days"),
    (wf.EXTEND, {"days": "３０", "reason": "鉴定"}, "days"),
    (wf.EXTEND, {"days": 10**30, "reason": "鉴定"}, "days"),
    (wf.EXTEND, {"days": [30], "reason": "鉴定"}, "days"),
    (wf.EXTEND, {"days": 30}, "reason"),
    (wf.EXTEND, {"days": 30, "reason": "   "}, "reason"),
    (wf.EXTEND, {"days": 30, "reason": 12}, "reason"),
    (wf.EXTEND, {"days": 30, "reason": "长" * 4001}, "reason"),
    (wf.ACCOUNTABLE, {"position": "主任", "measure": "撤职"}, "name"),
    (wf.ACCOUNTABLE, {"name": "张" * 65, "position": "主任", "measure": "撤职"}, "name"),
    (wf.ACCOUNTABLE, {"name": "张三", "position": 5, "measure": "撤职"}, "position"),
    (wf.ACCOUNTABLE, {"name": "张三", "position": "主" * 129, "measure": "撤职"}, "position"),
    (wf.ACCOUNTABLE, {"name": "张三", "position": "主任", "measure": ""}, "measure"),
    (wf.ACCOUNTABLE, {"name": "张三", "position": "主任", "measure": "撤职", "basis": {}}, "basis"),
    (wf.CLOSE, {**CLOSE_BODY, "causes": ""}, "causes"),
    (wf.CLOSE, {**CLOSE_BODY, "causes": None}, "causes"),
    (wf.CLOSE, {**CLOSE_BODY, "findings": 1}, "findings"),
    (wf.CLOSE, {**CLOSE_BODY, "lessons": "教" * 4001}, "lessons"),
    (wf.CLOSE, {**CLOSE_BODY, "causes_found": False}, "causes_found"),
    (wf.CLOSE, {k: v for k, v in CLOSE_BODY.items() if k != "measures_taken"}, "measures_taken"),
    (wf.CLOSE, {**CLOSE_BODY, "people_educated": "yes"}, "people_educated"),
    (wf.CLOSE, {**CLOSE_BODY, "people_educated": 1}, "people_educated"),
    (wf.CLOSE, {**CLOSE_BODY, "responsible_dealt_with": None}, "responsible_dealt_with"),
    (wf.CLOSE, {**CLOSE_BODY, "causes_found_note": "注" * 1001}, "causes_found_note"),
    (wf.CLOSE, {**CLOSE_BODY, "measures_taken_note": 3}, "measures_taken_note"),
    (wf.CLOSE, {**CLOSE_BODY, "checklist": CHECKLIST_ALL}, "checklist"),
    (wf.WITHDRAW, {}, "reason"),
    (wf.WITHDRAW, {"reason": ["误报"]}, "reason"),
    (wf.WITHDRAW, {"reason": "误报", "version": "v1"}, "version"),
    (wf.CONCEAL, {}, "note"),
    (wf.CONCEAL, {"note": " \n "}, "note"),
    (wf.CONCEAL, {"note": False}, "note"),
]


@pytest.mark.parametrize(("action", "body", "field"), BAD)
def test_given_a_bad_body_when_stepping_then_422_names_the_field_and_nothing_changes(
    world, api, action, body, field
):
    state = "investigating" if action in (wf.EXTEND, wf.ACCOUNTABLE, wf.CLOSE) else "reported"
    accident = bring(world, state)
    before = snapshot(accident)

    response = step(api("coordinator_x"), accident, action, body)

    assert response.status_code == 422, response.content
    assert field in fields(response), response.content
    assert snapshot(accident) == before


def test_given_several_problems_when_closing_then_all_of_them_are_answered_at_once(world, api):
    accident = bring(world, "investigating")

    response = step(api("coordinator_x"), accident, wf.CLOSE, {"causes_found": True})

    assert response.status_code == 422
    assert set(fields(response)) == {
        "causes",
        "responsible_dealt_with",
        "measures_taken",
        "people_educated",
    }


@pytest.mark.parametrize("raw", ["[]", '"close"', "1", "null", "{not json"])
@pytest.mark.parametrize("action", STEPS)
def test_given_a_body_that_is_no_json_object_when_stepping_then_400_or_422(world, api, action, raw):
    accident = bring(world, "reported")
    before = snapshot(accident)

    response = api("coordinator_x").post(f"/accidents/{accident.pk}/{action}", raw=raw)

    assert response.status_code in (400, 422), response.content
    assert "detail" in response.json()
    assert snapshot(accident) == before


# --- the statistics as JSON ------------------------------------------------------------------

TODAY = at(1, 12, month=12)  # 2026-12-01, local


def when(year: int, month: int, day: int) -> dict[str, dt.datetime]:
    occurred = timezone.make_aware(dt.datetime(year, month, day, 9, 0))
    return {"occurred_at": occurred, "learned_at": occurred + dt.timedelta(minutes=10)}


@pytest.fixture
def accidents(world):
    """County X: four accidents this year (one 较大 at chem_a, one at build_b, one on a
    township road outside any enterprise, one directly in the county), two in the same
    days of 2025, one in 2024 and one withdrawn; county Y: one."""
    made = [
        report(world, **when(2026, 3, 5), deaths=1, minor_injuries=2, direct_loss_yuan="100000"),
        report(
            world,
            **when(2026, 7, 10),
            deaths=3,
            serious_injuries=1,
            direct_loss_yuan="2000000.50",
        ),
        report(
            world,
            "coordinator_x",
            **when(2026, 5, 1),
            enterprise_id=world.build_b.pk,
            deaths=0,
            serious_injuries=2,
            gb6441_type="09",
        ),
        report(
            world,
            "coordinator_x",
            **when(2026, 8, 1),
            division_id=world.town_x.pk,
            deaths=1,
            missing=1,
            gb6441_type="02",
            road_or_fire=True,
            place="东镇 公路",
        ),
        report(
            world,
            "coordinator_x",
            **when(2026, 2, 1),
            division_id=world.county_x.pk,
            deaths=0,
            minor_injuries=3,
            gb6441_type="01",
            place="县城",
        ),
        report(world, **when(2025, 4, 1), deaths=2, direct_loss_yuan="50000"),
        report(
            world,
            "coordinator_x",
            **when(2025, 6, 1),
            division_id=world.town_x.pk,
            deaths=1,
            gb6441_type="02",
            place="县道",
        ),
        report(world, **when(2025, 12, 20), deaths=7),  # after the same days last year
        report(world, **when(2024, 6, 1), deaths=4),
        report(world, "principal_c", **when(2026, 6, 1), deaths=1),
    ]
    mistake = report(world, **when(2026, 10, 1), deaths=5)
    services.accident_withdraw(
        actor=actor(world.user("safety_a")), accident_id=mistake.pk, reason="重复上报"
    )
    return made


def statistics(client: ApiClient, **params: Any):
    with time_machine.travel(TODAY, tick=False):
        return client.get("/accidents/statistics", **params)


def as_json(figures: st.Figures) -> dict[str, Any]:
    """The figures as the API must send them: decimals as exact text, dates ISO."""

    def plain(values: dict[str, Any]) -> dict[str, Any]:
        return {k: format(v, "f") if isinstance(v, Decimal) else v for k, v in values.items()}

    data = figures.as_dict()
    return {
        **data,
        "groups": [plain(g) for g in data["groups"]],
        "total": plain(data["total"]),
    }


@pytest.mark.parametrize("group_by", st.GROUP_BY)
@pytest.mark.parametrize("period", ["2026", "2026Q3"])
def test_given_a_regulator_when_reading_the_statistics_then_the_figures_are_the_pages(
    world, api, accidents, group_by, period
):
    response = statistics(api("coordinator_x"), period=period, group_by=group_by)

    assert response.status_code == 200, response.content
    body = response.json()
    user = world.user("coordinator_x")
    expected = st.accident_figures(
        user, Period(2026, 0 if period == "2026" else 3), group_by, today=TODAY.date()
    )
    assert body == as_json(expected)

    page = Client()
    page.force_login(user)
    with time_machine.travel(TODAY, tick=False):
        shown = page.get(reverse("accidents:figures"), {"period": period, "group_by": group_by})
    assert shown.status_code == 200
    assert body == as_json(shown.context["figures"])


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def recount(user, key_of, first: dt.date, last: dt.date) -> dict[Any, dict[str, Any]]:
    """Per key: the sums of the rows the user may see, not withdrawn, that occurred
    between `first` and `last` (inclusive), counted one by one."""
    out: dict[Any, dict[str, Any]] = defaultdict(
        lambda: {
            "accidents": 0,
            "deaths": 0,
            "serious_injuries": 0,
            "minor_injuries": 0,
            "missing": 0,
            "direct_loss_yuan": Decimal("0.00"),
            "larger_plus": 0,
            "larger_plus_deaths": 0,
        }
    )
    for a in services.visible_accidents(user):
        if a.state == "withdrawn" or not first <= _local_day(a.occurred_at) <= last:
            continue
        for key in (key_of(a), "total"):
            row = out[key]
            row["accidents"] += 1
            for name in ("deaths", "serious_injuries", "minor_injuries", "missing"):
                row[name] += getattr(a, name)
            row["direct_loss_yuan"] += a.direct_loss_yuan
            if a.grade in st.LARGER_PLUS:
                row["larger_plus"] += 1
                row["larger_plus_deaths"] += a.deaths
    return out


def _division_key(world):
    def key(a: Accident) -> int:
        # Rolled up to the county's children: the township, or the county itself.
        if a.division_id in (world.grid_x1.pk, world.grid_x2.pk, world.town_x.pk):
            return world.town_x.pk
        return a.division_id

    return key


@pytest.mark.parametrize("group_by", ["type", "grade", "division"])
def test_given_the_statistics_then_every_figure_equals_a_recount_of_the_rows(
    world, api, accidents, group_by
):
    user = world.user("coordinator_x")
    key_of = {
        "type": lambda a: a.gb6441_type,
        "grade": lambda a: a.grade,
        "division": _division_key(world),
    }[group_by]
    now = recount(user, key_of, dt.date(2026, 1, 1), dt.date(2026, 12, 1))
    before = recount(user, key_of, dt.date(2025, 1, 1), dt.date(2025, 12, 1))

    body = statistics(api("coordinator_x"), period="2026", group_by=group_by).json()

    rows = {g["key"]: g for g in body["groups"]}
    rows["total"] = body["total"]
    assert {k for k in rows if rows[k]["accidents"] or rows[k]["accidents_prev"]} == set(now) | set(
        before
    )
    for key, row in rows.items():
        for name, value in now.get(key, now.default_factory()).items():
            was = before.get(key, before.default_factory())[name]
            text = isinstance(value, Decimal)
            assert row[name] == (format(value, "f") if text else value), (key, name)
            assert row[f"{name}_prev"] == (format(was, "f") if text else was), (key, name)
            change = value - was
            assert row[f"{name}_change"] == (format(change, "f") if text else change)
    total = body["total"]
    assert (total["accidents"], total["accidents_prev"]) == (5, 2)
    assert (total["deaths"], total["larger_plus"], total["larger_plus_deaths"]) == (5, 1, 3)
    assert total["direct_loss_yuan"] == "2100000.50"
    assert total["accidents_pct"] == "150.0"
    assert (body["from"], body["to"]) == ("2026-01-01", "2026-12-01")
    assert (body["last_year_from"], body["last_year_to"]) == ("2025-01-01", "2025-12-01")
    assert body["within"] == {"id": world.county_x.pk, "name": world.county_x.name}
    assert len(body["trend"]) == 24 and body["trend"][-1]["month"] == "2026-12"


def test_given_the_division_grouping_then_rates_and_workforce_are_decimal_text(
    world, api, accidents
):
    body = statistics(api("coordinator_x"), period="2026").json()

    town = next(g for g in body["groups"] if g["key"] == world.town_x.pk)
    assert town["workforce"] == sum(e.employees for e in (world.chem_a, world.build_b, world.ess_d))
    assert isinstance(town["per_thousand_deaths"], str)
    assert Decimal(town["per_thousand_deaths"]) == (
        Decimal(1 + 3) * 1000 / town["workforce"]
    ).quantize(Decimal("0.0001"))


def test_given_within_a_township_then_its_grids_are_the_groups(world, api, accidents):
    body = statistics(
        api("coordinator_x"), period="2026", group_by="division", within=world.town_x.pk
    ).json()

    assert body["within"]["id"] == world.town_x.pk
    keys = {g["key"] for g in body["groups"]}
    assert keys >= {world.grid_x1.pk, world.grid_x2.pk}
    assert world.county_x.pk not in keys
    assert body["total"]["accidents"] == 4  # the county's own accident is outside


def test_given_no_period_then_this_year(world, api, accidents):
    body = statistics(api("coordinator_x")).json()
    assert (body["period"], body["group_by"]) == ("2026", "division")


def test_given_another_county_then_only_its_own_accidents_count(world, api, accidents):
    body = statistics(api("coordinator_y"), period="2026", group_by="type").json()

    assert body["total"]["accidents"] == 1 and body["total"]["deaths"] == 1
    assert body["within"]["id"] == world.county_y.pk
    # Asking for the other county's division falls back to one's own.
    again = statistics(api("coordinator_y"), period="2026", within=world.county_x.pk).json()
    assert again["within"]["id"] == world.county_y.pk
    assert again["total"]["accidents"] == 1


@pytest.mark.parametrize("persona", ["outsider", "principal_a", "safety_a", "audit_admin"])
def test_given_no_regulator_when_reading_the_statistics_then_403(world, api, accidents, persona):
    response = statistics(api(persona), period="2026")
    assert response.status_code == 403
    assert response.json() == {"detail": zh("Your role does not use this page.")}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "2026Q5"}, "period"),
        ({"period": "last year"}, "period"),
        ({"period": "1999"}, "period"),
        ({"period": ""}, "period"),
        ({"period": "2" * 17}, "period"),
        ({"group_by": "county"}, "group_by"),
        ({"within": "x"}, "within"),
        ({"within": 0}, "within"),
        ({"within": 2**64}, "within"),
    ],
)
def test_given_bad_parameters_when_reading_the_statistics_then_422_by_field(
    world, api, params, field
):
    response = statistics(api("coordinator_x"), **params)
    assert response.status_code == 422, response.content
    assert field in fields(response)


def test_given_the_openapi_document_then_the_steps_and_the_statistics_are_in_it(world):
    doc = ApiClient().get("/openapi.json").json()

    paths = doc["paths"]
    for action in STEPS:
        operation = paths[f"/api/v1/accidents/{{accident_id}}/{action}"]["post"]
        assert {"200", "400", "403", "404", "409", "422"} <= set(operation["responses"])
    statistics_op = paths["/api/v1/accidents/statistics"]["get"]
    assert {p["name"] for p in statistics_op["parameters"]} == {"period", "group_by", "within"}
    schema = doc["components"]["schemas"]["AccidentStatisticsOut"]
    assert {"from", "to", "groups", "total", "trend"} <= set(schema["properties"])
    close_body = doc["components"]["schemas"]["AccidentCloseIn"]["properties"]
    assert close_body["causes_found"]["type"] == "boolean"

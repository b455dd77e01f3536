"""The penalties API: penalties in scope (a draft hidden from the enterprise, an ID number
masked), bad filters 422, and the published untrustworthy list without sign-in, never
with an ID number."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from anjian.inspections import penalties as rules
from anjian.inspections import untrustworthy as ut
from anjian.penalties import services
from tests.penalties.helpers import actor, at, decided_penalty, draft, listing_to

from .conftest import ApiClient, fields

PERSON_ID = "11010519491231002X"  # GB 11643-1999's published example


@pytest.fixture
def decided(world):
    return decided_penalty(world)


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("officer_emergency_x", True),
        ("coordinator_x", True),
        ("principal_a", True),
        ("coordinator_y", False),
        ("principal_c", False),
        ("outsider", False),
    ],
)
def test_given_a_decided_penalty_when_personas_read_then_only_those_in_scope_see_it(
    api, decided, persona, sees
):
    client = api(persona)
    listed = client.get("/penalties")
    assert listed.status_code == 200
    assert [p["id"] for p in listed.json()["items"]] == ([decided.pk] if sees else [])
    assert client.get(f"/penalties/{decided.pk}").status_code == (200 if sees else 404)


def test_given_a_decided_fine_then_the_detail_gives_amount_clauses_and_history(api, decided):
    body = api("principal_a").get(f"/penalties/{decided.pk}").json()
    assert body["kind"] == rules.FINE and body["amount"] == "20000.00"
    assert body["state"] == "decided" and body["number"] == decided.number
    assert body["clauses"] and "第一百零一条" in body["clauses"][0]
    assert [e["action"] for e in body["events"]][-1] == "decide"
    assert body["actions"] == []  # the enterprise takes no step of a penalty


def test_given_a_draft_then_the_enterprise_does_not_see_it(api, world):
    penalty = draft(world)
    assert api("principal_a").get("/penalties").json()["count"] == 0
    assert api("principal_a").get(f"/penalties/{penalty.pk}").status_code == 404
    assert api("officer_emergency_x").get(f"/penalties/{penalty.pk}").status_code == 200


def test_given_a_penalty_on_a_person_then_the_id_number_is_masked(api, world):
    penalty = draft(
        world,
        kind=rules.PERSON_FINE,
        subject_kind=rules.PERSON,
        subject_value=PERSON_ID,
        subject_name="王五",
        responsible_person="王五",
    )
    response = api("officer_emergency_x").get(f"/penalties/{penalty.pk}")
    assert response.status_code == 200
    assert PERSON_ID not in response.content.decode()
    assert response.json()["subject"] == penalty.subject_shown


def test_given_filters_when_listing_penalties_then_they_apply(api, world, decided):
    other = draft(world, kind=rules.WARNING, amount=None)
    client = api("officer_emergency_x")

    def ids(**params):
        response = client.get("/penalties", **params)
        assert response.status_code == 200, response.content
        return {p["id"] for p in response.json()["items"]}

    assert ids() == {decided.pk, other.pk}
    assert ids(state="decided") == {decided.pk}
    assert ids(kind="warning") == {other.pk}
    assert ids(department=world.emergency_x.pk, enterprise=world.chem_a.pk) == {
        decided.pk,
        other.pk,
    }
    assert ids(**{"from": "2026-11-20", "to": "2026-11-20"}) == {decided.pk}
    assert ids(**{"from": "2026-11-21"}) == set()


def test_given_bad_filters_when_listing_penalties_then_422_naming_them(api, world):
    response = api("coordinator_x").get(
        "/penalties", state="final", kind="lashes", enterprise=-1, **{"from": "soon"}
    )
    assert response.status_code == 422
    assert {"state", "kind", "enterprise", "from"} <= set(fields(response))


def test_given_published_listings_when_read_without_sign_in_then_no_id_number(world):
    officer = actor(world.user("officer_emergency_x"))
    company = listing_to(
        world,
        services.listing_propose(
            actor=officer, penalty_id=decided_penalty(world).pk, situation="A4"
        ),
        ut.PUBLISHED,
        dt.date(2026, 12, 1),
    )
    person_penalty = decided_penalty(
        world,
        kind=rules.PERSON_FINE,
        subject_kind=rules.PERSON,
        subject_value=PERSON_ID,
        subject_name="王五",
        responsible_person="王五",
    )
    person = listing_to(
        world,
        services.listing_propose(actor=officer, penalty_id=person_penalty.pk, situation="A5"),
        ut.PUBLISHED,
        dt.date(2026, 12, 1),
    )
    later = decided_penalty(world, facts_start=at(9, 9), facts_end=at(9, 11))  # another act
    services.listing_propose(actor=officer, penalty_id=later.pk, situation="A4")
    response = ApiClient().get("/untrustworthy/public")
    assert response.status_code == 200
    items = {i["id"]: i for i in response.json()["items"]}
    assert set(items) == {company.pk, person.pk}  # a proposed listing is not published
    assert items[company.pk]["credit_code"] == world.chem_a.uscc
    assert items[person.pk]["credit_code"] is None
    assert items[person.pk]["subject_name"] == "王五"
    text = json.dumps(response.json(), ensure_ascii=False)
    assert PERSON_ID not in text and PERSON_ID[-6:] not in text


def test_given_no_token_when_reading_penalties_then_401(world):
    assert ApiClient().get("/penalties").status_code == 401

"""Penalty pages: the new-penalty form, the decide form refusing a second fine with the
first shown, the suspension and listing steps, the public list (no ID number ever), and
scoping (the outsider sees nothing)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from anjian.inspections import penalties as rules
from anjian.inspections import untrustworthy as ut
from anjian.penalties import services
from anjian.penalties import workflow as wf
from anjian.penalties.models import Penalty, Suspension
from tests.world import PASSWORD

from .helpers import (
    CLAUSE,
    PLATE,
    actor,
    add_fire_officer,
    decide,
    decided_penalty,
    draft,
    listing_to,
    notify,
)

PERSON_ID = "11010519491231002X"  # GB 11643-1999's published example


def login(client, world, name):
    assert client.login(username=name, password=PASSWORD)
    return client


def test_given_an_officer_when_posting_the_new_form_then_a_draft_is_made(client, world):
    login(client, world, "officer_emergency_x")
    assert client.get(reverse("penalties:new")).status_code == 200
    response = client.post(
        reverse("penalties:new"),
        {
            "subject_kind": rules.USCC,
            "subject_value": world.chem_a.uscc,
            "subject_name": world.chem_a.name,
            "kind": rules.FINE,
            "amount": "10000",
            "clauses": CLAUSE,
            "facts_start": "2026-11-03T09:00",
            "facts_end": "2026-11-03T11:00",
            "place": "罐区",
            "description": "未对重大危险源进行监控",
        },
    )
    penalty = Penalty.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "penalties:detail", args=[penalty.pk]
    )
    assert penalty.enterprise == world.chem_a and penalty.state == wf.DRAFT


def test_given_a_bad_clause_when_posting_the_new_form_then_the_field_error_is_shown(client, world):
    login(client, world, "officer_emergency_x")
    data = {
        "subject_kind": rules.USCC,
        "subject_value": world.chem_a.uscc,
        "subject_name": world.chem_a.name,
        "kind": rules.FINE,
        "amount": "10000",
        "clauses": "乱写",
        "facts_start": "2026-11-03T09:00",
        "facts_end": "2026-11-03T11:00",
        "place": "罐区",
        "description": "未对重大危险源进行监控",
    }
    response = client.post(reverse("penalties:new"), data)
    assert response.status_code == 400
    assert "clauses" in response.context["form"].errors
    assert not Penalty.objects.exists()


def test_given_a_first_fine_when_another_department_decides_on_the_page_then_the_first_is_shown(
    client, world
):
    add_fire_officer(world)
    first = decided_penalty(
        world, subject_kind=rules.PLATE, subject_value=PLATE, subject_name="张三"
    )
    second = draft(
        world, "officer_fire_x", subject_kind=rules.PLATE, subject_value=PLATE, subject_name="张三"
    )
    notify(world, second, "officer_fire_x")
    login(client, world, "officer_fire_x")
    response = client.post(
        reverse("penalties:act", args=[second.pk, wf.DECIDE]),
        {"number": "东消罚〔2026〕9号", "decided_on": "2026-11-21"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="double-fine"' in html
    assert first.number in html and world.emergency_x.name in html and "20000" in html
    second.refresh_from_db()
    assert second.state == wf.NOTICED


def test_given_a_suspension_when_the_enterprise_and_department_step_through_pages_then_resumed(
    client, world
):
    penalty = decide(world, draft(world, kind=rules.SUSPENSION, amount=None))
    url = lambda a: reverse("penalties:suspension-act", args=[penalty.pk, a])  # noqa: E731
    login(client, world, "principal_a")
    assert client.get(reverse("penalties:detail", args=[penalty.pk])).status_code == 200
    assert client.post(url(wf.RECTIFY)).status_code == 302
    assert client.post(url(wf.REQUEST_REVIEW)).status_code == 302
    assert client.post(url(wf.RESUME)).status_code == 403
    login(client, world, "officer_emergency_x")
    assert client.post(url(wf.RESUME)).status_code == 302
    assert Suspension.objects.get().state == wf.RESUMED


def test_given_an_officer_when_proposing_and_walking_a_listing_on_pages_then_it_is_published(
    client, world
):
    penalty = decided_penalty(world)
    login(client, world, "officer_emergency_x")
    response = client.post(reverse("penalties:listing-new", args=[penalty.pk]), {"situation": "A4"})
    assert response.status_code == 302
    listing = penalty.listings.get()
    assert (
        client.post(reverse("penalties:listing-act", args=[listing.pk, ut.NOTIFY])).status_code
        == 302
    )
    # Deciding today is refused while the statement period runs.
    response = client.post(reverse("penalties:listing-act", args=[listing.pk, ut.DECIDE]))
    assert response.status_code == 409 and 'id="listing-refusal"' in response.content.decode()


def test_given_published_listings_when_anyone_opens_the_public_page_then_no_id_number_is_shown(
    client, world
):
    company = listing_to(
        world,
        services.listing_propose(
            actor=actor(world.user("officer_emergency_x")),
            penalty_id=decided_penalty(world).pk,
            situation="A4",
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
        services.listing_propose(
            actor=actor(world.user("officer_emergency_x")),
            penalty_id=person_penalty.pk,
            situation="A5",
        ),
        ut.PUBLISHED,
        dt.date(2026, 12, 1),
    )
    response = client.get(reverse("penalties:public-listings"))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.chem_a.name in html and world.chem_a.uscc in html and "王五" in html
    assert PERSON_ID not in html and PERSON_ID[:6] not in html.replace(world.chem_a.uscc, "")
    assert world.emergency_x.name in html and company.ends_on.isoformat() in html
    assert person.state == ut.PUBLISHED


def test_given_penalties_when_personas_open_the_pages_then_each_sees_its_own(client, world):
    penalty = decided_penalty(world)
    detail = reverse("penalties:detail", args=[penalty.pk])
    login(client, world, "principal_a")
    assert client.get(detail).status_code == 200
    assert penalty.subject_name in client.get(reverse("penalties:list")).content.decode()
    login(client, world, "principal_c")
    assert client.get(detail).status_code == 404
    assert penalty.subject_name not in client.get(reverse("penalties:list")).content.decode()
    login(client, world, "officer_housing_x")
    assert client.get(detail).status_code == 404
    assert client.get(reverse("penalties:new")).status_code == 200
    login(client, world, "principal_a")
    assert client.get(reverse("penalties:new")).status_code == 403
    login(client, world, "outsider")
    assert client.get(reverse("penalties:list")).status_code == 403
    assert client.get(detail).status_code == 403
    assert client.get(reverse("penalties:listings")).status_code == 403


@pytest.mark.parametrize("name", ["penalties:list", "penalties:listings"])
def test_given_many_rows_when_listing_then_the_query_count_is_bounded(
    client, world, name, django_assert_max_num_queries
):
    for _ in range(5):
        penalty = decided_penalty(world, kind=rules.WARNING, amount=None)
        services.listing_propose(
            actor=actor(world.user("officer_emergency_x")), penalty_id=penalty.pk, situation="A4"
        )
    login(client, world, "officer_emergency_x")
    with django_assert_max_num_queries(12):
        assert client.get(reverse(name)).status_code == 200

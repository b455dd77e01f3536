"""Exposure board pages: the public list and entry without sign-in (published only, no
personal data; withdrawn: a notice without enterprise or summary), the regulators'
pages scoped, the proposal form and the steps through forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.public.models import Exposure
from tests.penalties.helpers import decided_penalty
from tests.public.exposure_helpers import SUMMARY, propose, walk
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

PHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(client, name):
    assert client.login(username=name, password=PASSWORD)
    return client


def test_given_entries_when_anonymous_reads_board_then_published_only_without_personal_data(
    world, client
):
    published = walk(world, propose(world), "published")
    proposed = propose(world, "coordinator_x", ground="accident")
    withdrawn = walk(world, propose(world, ground="major_hazard_overdue"), "withdrawn")
    page = client.get(reverse("public:exposures"), headers={"user-agent": PHONE_UA})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-exposure="{published.pk}"' in html
    assert f'data-exposure="{proposed.pk}"' not in html
    assert f'data-exposure="{withdrawn.pk}"' not in html
    assert world.chem_a.name in html and world.chem_a.uscc in html
    # The enterprise's people (法定代表人 张三, 主要负责人 李四) and the users never appear.
    for personal in ("张三", "李四", "officer_emergency_x", "coordinator_x"):
        assert personal not in html
    assert 'name="viewport"' in html

    detail = client.get(reverse("public:exposure", args=[published.pk]))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert SUMMARY in body and world.chem_a.uscc in body
    for personal in ("张三", "李四", "officer_emergency_x", "coordinator_x"):
        assert personal not in body

    gone = client.get(reverse("public:exposure", args=[withdrawn.pk]))
    assert gone.status_code == 410
    text = gone.content.decode()
    assert 'id="exposure-withdrawn"' in text
    assert world.chem_a.name not in text and SUMMARY not in text

    assert client.get(reverse("public:exposure", args=[proposed.pk])).status_code == 404
    assert client.get(reverse("public:exposure", args=[999999])).status_code == 404
    only_accidents = client.get(reverse("public:exposures"), {"ground": "accident"})
    assert f'data-exposure="{published.pk}"' not in only_accidents.content.decode()


def test_given_regulator_pages_when_personas_open_them_then_scoped(world, client):
    exposure = propose(world)
    url = reverse("public:exposure-manage", args=[exposure.pk])
    assert client.get(reverse("public:exposure-manage-list")).status_code == 302  # sign in
    login(client, "coordinator_x")
    listing = client.get(reverse("public:exposure-manage-list"))
    assert (
        listing.status_code == 200 and f'data-exposure="{exposure.pk}"' in listing.content.decode()
    )
    detail = client.get(url).content.decode()
    assert 'data-action="approve"' in detail and 'data-action="reject"' in detail
    client.logout()
    login(client, "coordinator_y")
    assert client.get(url).status_code == 404
    assert (
        f'data-exposure="{exposure.pk}"'
        not in client.get(reverse("public:exposure-manage-list")).content.decode()
    )
    client.logout()
    for who in ("principal_a", "outsider"):
        login(client, who)
        assert client.get(reverse("public:exposure-manage-list")).status_code == 403
        assert client.get(url).status_code in (403, 404)
        client.logout()
    login(client, "grid_x1")
    assert client.get(reverse("public:exposure-candidates")).status_code == 403


def test_given_officer_when_proposing_through_form_then_entry_or_field_errors(world, client):
    penalty = decided_penalty(world)
    login(client, "officer_emergency_x")
    candidates = client.get(reverse("public:exposure-candidates")).content.decode()
    assert f'data-link-id="{penalty.pk}"' in candidates
    form = {"ground": "serious_violation", "link_id": penalty.pk, "title": "", "summary": ""}
    refused = client.post(
        reverse("public:exposure-propose"), {**form, "summary": SUMMARY + "电话13812345678"}
    )
    assert refused.status_code == 422 and not Exposure.objects.exists()
    done = client.post(reverse("public:exposure-propose"), {**form, "summary": SUMMARY})
    exposure = Exposure.objects.get()
    assert done.status_code == 302 and done.url == reverse(
        "public:exposure-manage", args=[exposure.pk]
    )
    # The proposer has no step on their own proposal (not a coordinator; four eyes).
    assert 'data-action="approve"' not in client.get(done.url).content.decode()
    again = client.post(reverse("public:exposure-propose"), {**form, "summary": SUMMARY})
    assert again.status_code == 422 and Exposure.objects.count() == 1


def test_given_coordinator_when_stepping_through_forms_then_moves_or_refuses(world, client):
    exposure = propose(world)
    act = lambda action, **data: client.post(  # noqa: E731
        reverse("public:exposure-act", args=[exposure.pk, action]), data
    )
    login(client, "coordinator_x")
    assert act("publish").status_code == 409
    assert act("approve").status_code == 302
    assert act("approve").status_code == 409
    assert act("publish").status_code == 302
    assert act("withdraw", reason="").status_code == 422
    assert act("withdraw", reason="企业已整改到位，经复核撤下").status_code == 302
    assert Exposure.objects.get(pk=exposure.pk).state == "withdrawn"
    assert act("fly").status_code == 404
    own = propose(world, "coordinator_x", ground="major_hazard_overdue")
    refused = client.post(reverse("public:exposure-act", args=[own.pk, "approve"]))
    assert refused.status_code == 403

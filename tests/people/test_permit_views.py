"""The permit pages: apply from a form, the list (regulator's overview with refusals for
unlicensed operators), a refused permit's page, the steps' POSTs, and scoping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from anjian.people import permit_services as ps
from anjian.people.models import Permit
from tests.people.permit_helpers import actor, apply, crew, gas, worker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client(world, name: str) -> Client:
    c = Client()
    c.force_login(world.user(name))
    return c


def test_pages_from_apply_to_refusal_and_scoping(world):
    a, _b, g = crew(world)
    c = worker(world.chem_a, "无证工")
    unit = client(world, "safety_a")
    assert unit.get(reverse("people:permit-new")).status_code == 200
    start = (timezone.localtime() + dt.timedelta(minutes=10)).replace(second=0, microsecond=0)
    form = {
        "kind": "hot_work",
        "grade": "second",
        "place": "罐区",
        "content": "焊接",
        "planned_start": start.strftime("%Y-%m-%dT%H:%M"),
        "planned_end": (start + dt.timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M"),
        "workers": [str(a.pk), str(c.pk)],
        "guardian": str(g.pk),
    }
    bad = unit.post(reverse("people:permit-new"), {**form, "guardian": str(a.pk)})
    assert bad.status_code == 422 and Permit.objects.count() == 0
    r = unit.post(reverse("people:permit-new"), form)
    assert r.status_code == 302
    p = Permit.objects.get()
    r = unit.post(
        reverse("people:permit-gas", args=[p.pk]),
        {"analyst": "赵", "combustible_pct": "0.1", "combustible_lel_pct": "5"},
    )
    assert r.status_code == 302 and p.analyses.get().passed
    principal = client(world, "principal_a")
    principal.post(reverse("people:permit-act", args=[p.pk]), {"action": "issue"})
    p.refresh_from_db()
    assert p.state == "refused"
    page = principal.get(reverse("people:permit", args=[p.pk])).content.decode()
    assert 'id="permit-refusal"' in page and "无证工" in page and "licence-missing" in page
    listing = client(world, "coordinator_x").get(reverse("people:permits")).content.decode()
    assert 'id="permit-overview"' in listing and "东县甲化工有限公司" in listing
    assert 'class="unlicensed-count">1<' in listing
    for name in ("coordinator_y", "outsider"):
        other = client(world, name)
        assert other.get(reverse("people:permit", args=[p.pk])).status_code == 404
        assert (
            other.post(reverse("people:permit-act", args=[p.pk]), {"action": "cancel"}).status_code
            == 404
        )
        assert p.number not in other.get(reverse("people:permits")).content.decode()
    assert client(world, "coordinator_x").get(reverse("people:permit-new")).status_code == 404


def test_the_steps_post_from_the_permit_page(world):
    a, b, g = crew(world)
    p = apply(world, [a, b], g)
    gas(world, p)
    ps.permit_issue(actor=actor(world, "principal_a"), permit_id=p.pk)
    unit = client(world, "safety_a")
    url = reverse("people:permit-act", args=[p.pk])
    unit.post(url, {"action": "start"})
    p.refresh_from_db()
    assert p.state == "working"
    unit.post(url, {"action": "close"})  # site not checked: refused with a message
    p.refresh_from_db()
    assert p.state == "working"
    unit.post(url, {"action": "close", "site_checked": "on"})
    p.refresh_from_db()
    assert p.state == "closed"
    assert unit.post(url, {"action": "bogus"}).status_code == 404

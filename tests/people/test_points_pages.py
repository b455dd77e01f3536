"""The points and responsibility-list pages: the bank, a worker's ledger (an employee's
own only), award and reversal by POST, the duty list with missing signatures in red,
the regulators' table, the forms; refusals as 403/404 and scoping."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from anjian.people import duty_rules as dr
from anjian.people import duty_services as ds
from anjian.people.models import DutyReport, PointEntry, ResponsibilityLetter, ResponsibilityPost
from tests.people.points_helpers import act, crew

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(client, world, name):
    client.force_login(world.user(name))
    return client


def test_given_the_safety_officer_when_awarding_and_reversing_on_the_pages_then_the_ledger(
    client, world
):
    c = crew(world)
    login(client, world, "safety_a")
    r = client.post(
        reverse("people:points-award"),
        {"worker": c["wang"].pk, "rule": "manual", "points": "8", "note": "发现泄漏及时报告"},
    )
    assert r.status_code == 302
    entry = PointEntry.objects.get()
    assert entry.points == 8
    page = client.get(reverse("people:points-worker", args=[c["wang"].pk]))
    assert page.status_code == 200 and 'id="points-award-form"' in page.content.decode()
    assert "发现泄漏及时报告" in page.content.decode()
    r = client.post(reverse("people:points-reverse", args=[entry.pk]), {"reason": "录入错误"})
    assert r.status_code == 302 and PointEntry.objects.filter(reverses=entry).exists()
    r = client.post(reverse("people:points-reverse", args=[entry.pk]), {"reason": "again"})
    assert r.status_code == 302 and PointEntry.objects.count() == 2
    bank = client.get(reverse("people:points"))
    assert bank.status_code == 200 and 'id="points-ranking"' in bank.content.decode()


def test_given_a_bad_award_on_the_page_then_nothing_is_written(client, world):
    c = crew(world)
    login(client, world, "safety_a")
    client.post(
        reverse("people:points-award"),
        {"worker": c["wang"].pk, "rule": "manual", "points": "0", "note": "x"},
    )
    client.post(
        reverse("people:points-award"),
        {"worker": "abc", "rule": "manual", "points": "3", "note": "x"},
    )
    assert not PointEntry.objects.exists()
    assert client.get(reverse("people:points-award")).status_code == 405


def test_given_an_employee_when_opening_ledgers_then_only_their_own(client, world):
    c = crew(world)
    login(client, world, "employee_a")
    bank = client.get(reverse("people:points")).content.decode()
    assert 'id="points-own"' in bank and "赵六" not in bank
    assert client.get(reverse("people:points-worker", args=[c["wang"].pk])).status_code == 200
    assert client.get(reverse("people:points-worker", args=[c["zhao"].pk])).status_code == 404
    r = client.post(
        reverse("people:points-award"),
        {"worker": c["wang"].pk, "rule": "manual", "points": "5", "note": "x"},
    )
    assert r.status_code == 403


@pytest.mark.parametrize("who", ["coordinator_y", "principal_c"])
def test_given_the_other_county_when_opening_a_ledger_then_404(client, world, who):
    c = crew(world)
    login(client, world, who)
    assert client.get(reverse("people:points-worker", args=[c["wang"].pk])).status_code == 404
    assert "王五" not in client.get(reverse("people:points")).content.decode()


def test_given_the_outsider_when_opening_the_pages_then_403(client, world):
    login(client, world, "outsider")
    assert client.get(reverse("people:points")).status_code == 403
    assert client.get(reverse("people:duty")).status_code == 403


def test_given_the_duty_pages_when_used_by_the_enterprise_then_missing_signatures_in_red(
    client, world
):
    c = crew(world)
    login(client, world, "safety_a")
    r = client.post(
        reverse("people:duty-post-new"), {"post": "操作工", "duties": "严格执行操作规程"}
    )
    assert r.status_code == 302
    post = ResponsibilityPost.objects.get()
    form = client.get(reverse("people:duty-letter", args=[post.pk]))
    assert form.status_code == 200
    r = client.post(reverse("people:duty-letter", args=[post.pk]), {"worker": [c["wang"].pk]})
    assert r.status_code == 302 and ResponsibilityLetter.objects.count() == 1
    page = client.get(reverse("people:duty")).content.decode()
    assert 'class="duty-missing duty-unsigned"' in page and "赵六" in page
    assert 'id="duty-unlisted"' in page  # 钱七 (电工)
    bad = client.post(reverse("people:duty-letter", args=[post.pk]), {"worker": [c["qian"].pk]})
    assert bad.status_code == 400
    assert client.get(reverse("people:duty-report-new")).status_code == 403  # not the principal


def test_given_the_principal_when_reporting_the_quarter_then_once(client, world):
    login(client, world, "principal_a")
    y, q = dr.last_ended_quarter(timezone.localdate())
    body = {"year": str(y), "quarter": str(q), "text": "本季度履职情况"}
    assert client.post(reverse("people:duty-report-new"), body).status_code == 302
    assert client.post(reverse("people:duty-report-new"), body).status_code == 400
    assert DutyReport.objects.count() == 1


def test_given_a_regulator_when_opening_the_duty_page_then_the_table_of_enterprises(client, world):
    crew(world)
    ds.duty_post_save(actor=act(world, "safety_a"), post="操作工", duties="x")
    login(client, world, "coordinator_x")
    page = client.get(reverse("people:duty")).content.decode()
    assert (
        'id="duty-overview"' in page
        and "东县甲化工有限公司" in page
        and "西县丙化工有限公司" not in page
    )
    one = client.get(reverse("people:duty") + f"?enterprise={world.chem_a.pk}")
    assert one.status_code == 200 and "王五" in one.content.decode()
    assert client.get(reverse("people:duty") + f"?enterprise={world.chem_c.pk}").status_code == 404
    assert client.get(reverse("people:duty-post-new")).status_code == 403

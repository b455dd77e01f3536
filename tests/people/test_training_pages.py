"""The worker, training and certificate pages: scope (another county and an outsider see
nothing; 404 outside it), the id number masked everywhere except the keepers' edit page,
forms that write through the services (422 on bad input), the certificates list with the
expired first, the compliance tables, and a fixed number of queries whatever the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from anjian.core.audit import Actor
from anjian.people import training_services as ts
from anjian.people import worker_services as ws
from anjian.people.models import Certificate, TrainingRecord, Worker
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

ID_A = "330101198506151231"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(name):
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


def act(world, name="safety_a"):
    return Actor.for_user(world.user(name), "test")


def worker(world, name="王五", number=ID_A):
    return ws.worker_create(actor=act(world), data={"name": name, "id_number": number})


def cert(world, w, expires_on, number):
    return ts.certificate_create(
        actor=act(world),
        worker_id=w.pk,
        data={
            "kind": "principal",
            "number": number,
            "issued_on": "2020-01-01",
            "expires_on": expires_on.isoformat(),
        },
    )


def many(world, n=5):
    today = timezone.localdate()
    start = Worker.objects.count()
    for i in range(start, start + n):
        w = ws.worker_create(actor=act(world), data={"name": f"职工{i}"})
        cert(world, w, today + dt.timedelta(days=i * 20 - 10), f"N{i}")
        ts.training_create(
            actor=act(world),
            worker_id=w.pk,
            data={"kind": "annual", "title": "年度", "hours": "8", "held_on": today.isoformat()},
        )


def test_given_a_worker_then_the_id_number_is_masked_except_on_the_keepers_edit_page(world):
    w = worker(world)
    for name in ("safety_a", "coordinator_x", "employee_a"):
        client = login(name)
        for url in (reverse("people:workers"), reverse("people:worker", args=[w.pk])):
            body = client.get(url).content.decode()
            assert ID_A not in body and "3301**********1231" in body
    edit = login("principal_a").get(reverse("people:worker-edit", args=[w.pk]))
    assert edit.status_code == 200 and ID_A in edit.content.decode()
    assert login("coordinator_x").get(reverse("people:worker-edit", args=[w.pk])).status_code == 403


@pytest.mark.parametrize("name", ["coordinator_y", "principal_c", "outsider"])
def test_given_another_county_or_outsider_then_nothing_and_404(world, name):
    w = worker(world)
    cert(world, w, timezone.localdate(), "X1")
    client = login(name)
    assert "王五" not in client.get(reverse("people:workers")).content.decode()
    assert "王五" not in client.get(reverse("people:certificates")).content.decode()
    assert "王五" not in client.get(reverse("people:training-compliance")).content.decode()
    assert client.get(reverse("people:worker", args=[w.pk])).status_code == 404
    url = reverse("people:training-compliance") + f"?enterprise={world.chem_a.pk}"
    response = client.get(url)
    # Enterprise staff always see their own enterprise's table; others get 404 outside scope.
    assert response.status_code == (200 if name == "principal_c" else 404)
    assert "王五" not in response.content.decode()


def test_given_the_forms_when_posted_then_written_and_bad_input_422(world):
    client = login("safety_a")
    assert client.get(reverse("people:worker-new")).status_code == 200
    bad = client.post(
        reverse("people:worker-new"), {"name": "王五", "id_number": "330101198506151232"}
    )
    assert bad.status_code == 422
    response = client.post(reverse("people:worker-new"), {"name": "王五", "id_number": ID_A})
    w = Worker.objects.get(name="王五")
    assert response.status_code == 302 and w.id_number == ID_A
    url = reverse("people:training-new", args=[w.pk])
    assert client.post(url, {"kind": "annual", "title": "", "hours": "x"}).status_code == 422
    ok = client.post(
        url,
        {
            "kind": "induction_company",
            "title": "公司级",
            "hours": "24",
            "held_on": "2025-03-01",
            "passed": "on",
        },
    )
    assert ok.status_code == 302 and TrainingRecord.objects.filter(worker=w).count() == 1
    url = reverse("people:certificate-new", args=[w.pk])
    wrong = client.post(
        url,
        {
            "kind": "special_work",
            "category": "电工作业",
            "item": "低压电工作业",
            "number": "33010119850615124X",
            "issued_on": "2024-03-01",
        },
    )
    assert wrong.status_code == 422  # not the holder's id number
    ok = client.post(
        url,
        {
            "kind": "special_work",
            "category": "电工作业",
            "item": "低压电工作业",
            "number": ID_A,
            "issued_on": "2024-03-01",
        },
    )
    assert ok.status_code == 302 and Certificate.objects.get(worker=w).review_due == dt.date(
        2027, 2, 28
    )
    edit = client.post(
        reverse("people:worker-edit", args=[w.pk]),
        {"name": "王五", "id_number": ID_A, "post": "电工"},
    )
    w.refresh_from_db()
    assert edit.status_code == 302 and w.active is False and w.post == "电工"  # box unticked: left
    assert login("coordinator_x").get(url).status_code == 403
    assert login("coordinator_x").get(reverse("people:worker-new")).status_code == 403


def test_given_certificates_then_the_expired_come_first_and_the_status_filters(world):
    today = timezone.localdate()
    w = worker(world)
    later = cert(world, w, today + dt.timedelta(days=400), "L1")
    soon = cert(world, w, today + dt.timedelta(days=5), "S1")
    gone = cert(world, w, today - dt.timedelta(days=1), "G1")
    client = login("coordinator_x")
    body = client.get(reverse("people:certificates")).content.decode()
    order = [body.index(f'data-certificate="{c.pk}"') for c in (gone, soon, later)]
    assert order == sorted(order)
    body = client.get(reverse("people:certificates"), {"status": "expired"}).content.decode()
    assert f'data-certificate="{gone.pk}"' in body and f'data-certificate="{later.pk}"' not in body
    assert "pt-status-expired" in body


def test_given_compliance_pages_then_enterprise_table_and_regulators_summary(world):
    many(world, 2)
    body = login("safety_a").get(reverse("people:training-compliance")).content.decode()
    assert 'id="compliance-workers"' in body and "职工0" in body
    body = login("coordinator_x").get(reverse("people:training-compliance")).content.decode()
    assert f'data-enterprise="{world.chem_a.pk}"' in body
    url = reverse("people:training-compliance") + f"?enterprise={world.chem_a.pk}"
    assert "职工1" in login("coordinator_x").get(url).content.decode()


@pytest.mark.parametrize(
    "url_name", ["people:workers", "people:certificates", "people:training-compliance"]
)
def test_given_many_rows_when_listing_then_the_queries_do_not_grow(
    world, url_name, django_assert_max_num_queries
):
    many(world, 2)
    client = login("coordinator_x")
    url = reverse(url_name)
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        assert client.get(url).status_code == 200
    many(world, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200

"""Recording a special-work certificate's review (复审, 第30号令): the rule at its
boundaries, the service's refusals, the worker page's form and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from anjian.core.audit import Actor
from anjian.core.errors import Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.people import training_rules as rules
from anjian.people import training_services as ts
from anjian.people.models import Certificate
from tests.api.conftest import ApiClient

from .permit_helpers import licence, worker

pytestmark = pytest.mark.django_db

D = dt.date


# --- the rule ------------------------------------------------------------------------------


def test_given_the_first_review_of_a_6_year_certificate_when_passed_then_none_follows():
    # Issued 2020-03-01: expires 2026-02-28, first review due 2023-02-28.
    expires, due = rules.special_work_dates(D(2020, 3, 1))
    assert (expires, due) == (D(2026, 2, 28), D(2023, 2, 28))
    assert rules.next_review_due(due, expires) is None


def test_given_a_longer_validity_when_passed_then_the_next_review_3_years_on():
    assert rules.next_review_due(D(2023, 2, 28), D(2029, 2, 27)) == D(2026, 2, 28)
    # A next review on the expiry day itself is no review: the certificate is renewed.
    assert rules.next_review_due(D(2023, 2, 27), D(2026, 2, 27)) is None
    assert rules.next_review_due(D(2024, 2, 29), D(2030, 1, 1)) == D(2027, 2, 28)


@pytest.mark.parametrize(
    ("reviewed_on", "problems"),
    [
        (D(2026, 1, 1), []),  # exactly 60 days before it falls due (2026-03-02)
        (D(2025, 12, 31), ["too_early"]),  # 61 days before
        (D(2026, 3, 2), []),  # on the day it falls due
        (D(2026, 3, 3), ["lapsed"]),  # a day late: the certificate lapsed (第二十六条)
    ],
)
def test_given_review_dates_at_the_window_boundaries_then_problems(reviewed_on, problems):
    got = rules.review_problems(
        D(2026, 3, 2), D(2029, 1, 1), rules.VALID, reviewed_on, D(2026, 6, 1)
    )
    assert got == problems


def test_given_a_future_revoked_or_no_review_then_refused():
    today = D(2026, 1, 10)
    assert rules.review_problems(
        D(2026, 2, 1), D(2029, 1, 1), rules.VALID, D(2026, 1, 11), today
    ) == ["future"]
    assert rules.review_problems(D(2026, 2, 1), D(2029, 1, 1), rules.REVOKED, today, today) == [
        "revoked"
    ]
    assert rules.review_problems(None, D(2029, 1, 1), rules.VALID, today, today) == ["none_due"]


# --- the service ---------------------------------------------------------------------------


def _actor(world, name="safety_a") -> Actor:
    return Actor.for_user(world.user(name), "test")


def _cert(world, *, review_in=20, expires_in=1500) -> Certificate:
    return licence(worker(world.chem_a, "张焊工"), review_in=review_in, expires_in=expires_in)


def test_given_a_due_review_when_passed_then_next_due_3_years_on_and_audited(world):
    cert = _cert(world)
    old_due = cert.review_due
    today = timezone.localdate()
    got = ts.certificate_review(
        actor=_actor(world), certificate_id=cert.pk, data={"reviewed_on": today, "passed": True}
    )
    assert got.reviewed_on == today
    assert got.review_due == rules.add_years(old_due, 3)
    assert got.state == "valid" and ts.status_of(got) == "valid"
    entry = AuditEntry.objects.filter(action="review").latest("pk")
    assert entry.changes["passed"] is True
    assert entry.changes["review_due"] == [old_due.isoformat(), got.review_due.isoformat()]


def test_given_a_review_not_passed_then_invalid_with_the_reason(world):
    cert = _cert(world)
    with pytest.raises(ValidationFailed) as exc:
        ts.certificate_review(
            actor=_actor(world),
            certificate_id=cert.pk,
            data={"reviewed_on": timezone.localdate(), "passed": "0"},
        )
    assert "note" in exc.value.errors
    got = ts.certificate_review(
        actor=_actor(world),
        certificate_id=cert.pk,
        data={"reviewed_on": timezone.localdate(), "passed": "0", "note": "体检不合格"},
    )
    assert got.state == "revoked" and ts.status_of(got) == "revoked"
    with pytest.raises(ValidationFailed) as exc:
        ts.certificate_review(
            actor=_actor(world),
            certificate_id=cert.pk,
            data={"reviewed_on": timezone.localdate(), "passed": True},
        )
    assert "reviewed_on" in exc.value.errors


def test_given_a_lapsed_certificate_when_reviewed_then_refused_and_unchanged(world):
    cert = _cert(world, review_in=-1)
    with pytest.raises(ValidationFailed) as exc:
        ts.certificate_review(
            actor=_actor(world),
            certificate_id=cert.pk,
            data={"reviewed_on": timezone.localdate(), "passed": True},
        )
    assert list(exc.value.errors) == ["reviewed_on"]
    cert.refresh_from_db()
    assert cert.reviewed_on is None and ts.status_of(cert) == "expired"


def test_given_bad_input_then_every_field_error_at_once(world):
    cert = _cert(world)
    with pytest.raises(ValidationFailed) as exc:
        ts.certificate_review(
            actor=_actor(world), certificate_id=cert.pk, data={"reviewed_on": "x", "colour": 1}
        )
    assert set(exc.value.errors) == {"reviewed_on", "passed", "colour"}


def test_given_other_personas_then_refused_or_not_found(world):
    cert = _cert(world)
    data = {"reviewed_on": timezone.localdate(), "passed": True}
    with pytest.raises(Forbidden):
        ts.certificate_review(actor=_actor(world, "employee_a"), certificate_id=cert.pk, data=data)
    for name in ("outsider", "principal_c"):
        with pytest.raises(NotFound):
            ts.certificate_review(actor=_actor(world, name), certificate_id=cert.pk, data=data)
    cert.refresh_from_db()
    assert cert.reviewed_on is None


# --- the page and the API ------------------------------------------------------------------


def _client(world, name: str) -> Client:
    client = Client()
    client.force_login(world.user(name))
    return client


def test_given_the_worker_page_when_a_review_is_posted_then_saved_and_shown(world):
    cert = _cert(world)
    client = _client(world, "safety_a")
    page = client.get(reverse("people:worker", args=[cert.worker_id])).content.decode()
    url = reverse("people:certificate-review", args=[cert.pk])
    assert url in page
    assert client.get(url).status_code == 200
    bad = client.post(url, {"reviewed_on": "", "passed": "1"})
    assert bad.status_code == 422
    day = timezone.localdate().isoformat()
    done = client.post(url, {"reviewed_on": day, "passed": "1"})
    assert done.status_code == 302
    cert.refresh_from_db()
    assert cert.reviewed_on == timezone.localdate()
    assert _client(world, "employee_a").get(url).status_code == 403
    assert _client(world, "outsider").get(url).status_code == 404


def test_given_the_revoke_form_when_posted_then_revoked_and_no_more_actions(world):
    cert = _cert(world)
    client = _client(world, "safety_a")
    url = reverse("people:certificate-revoke", args=[cert.pk])
    assert client.post(url, {"reason": ""}).status_code == 422
    assert client.post(url, {"reason": "离职注销"}).status_code == 302
    cert.refresh_from_db()
    assert cert.state == "revoked"
    again = client.post(url, {"reason": "再次"})
    assert again.status_code == 422 and 'role="alert"' in again.content.decode()
    page = client.get(reverse("people:worker", args=[cert.worker_id])).content.decode()
    assert reverse("people:certificate-review", args=[cert.pk]) not in page


def test_given_the_api_when_reviewing_and_revoking_then_200_422_409_404(world):
    cert = _cert(world)
    keeper = ApiClient(world.token("safety_a"))
    day = timezone.localdate().isoformat()
    bad = keeper.post(f"/certificates/{cert.pk}/review", {"passed": True, "extra": 1})
    assert bad.status_code == 422
    ok = keeper.post(f"/certificates/{cert.pk}/review", {"reviewed_on": day, "passed": True})
    assert ok.status_code == 200 and ok.json()["status"] == "valid"
    assert (
        ok.json()["review_due"]
        == rules.add_years(timezone.localdate() + dt.timedelta(days=20), 3).isoformat()
    )
    assert keeper.post(f"/certificates/{cert.pk}/revoke", {"reason": "离职"}).status_code == 200
    assert keeper.post(f"/certificates/{cert.pk}/revoke", {"reason": "离职"}).status_code == 409
    outsider = ApiClient(world.token("outsider"))
    assert outsider.post(f"/certificates/{cert.pk}/revoke", {"reason": "x"}).status_code == 404

"""The special work a daily commitment notice declares, shown against the permits recorded
(issue 15 item 6: permit counts feed the daily commitment notice)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from anjian.commitments import services as cs
from anjian.people import permit_services as ps

from ..commitments.helpers import submit
from .permit_helpers import actor, apply, crew, worker


def _today_at(hour: int) -> str:
    day = timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour))).isoformat()


@pytest.fixture
def lifting_today(world):
    """An issued lifting permit for chem_a, planned within today."""
    _a, _b, g = crew(world)
    p = apply(
        world,
        [worker(world.chem_a, "架子工")],
        g,
        kind="lifting",
        grade="first",
        planned_start=_today_at(1),
        planned_end=_today_at(2),
    )
    ps.permit_issue(actor=actor(world, "principal_a"), permit_id=p.pk)
    return p


def _page(world, persona: str, url: str) -> str:
    client = Client()
    client.force_login(world.user(persona))
    return client.get(url).content.decode()


def test_given_a_permit_not_declared_when_regulator_opens_differences_then_undeclared_work(
    world, lifting_today
):
    notice = submit(world, states={}, now=timezone.now())
    rows = cs.permit_differences(world.user("coordinator_x"), timezone.localdate())
    assert [(r.notice.pk, r.field, r.declared, r.recorded, r.undeclared) for r in rows] == [
        (notice.pk, "lifting", 0, 1, True)
    ]
    html = _page(world, "coordinator_x", reverse("commitments:differences"))
    assert 'id="permit-differences"' in html and 'data-field="lifting"' in html
    detail = _page(world, "principal_a", reverse("commitments:detail", args=[notice.pk]))
    assert 'data-field="lifting"' in detail


def test_given_declared_as_permitted_when_compared_then_no_difference(world, lifting_today):
    notice = submit(world, states={}, now=timezone.now(), lifting=1)
    assert cs.notice_permit_differences(notice) == []
    detail = _page(world, "principal_a", reverse("commitments:detail", args=[notice.pk]))
    assert 'id="permit-differences"' not in detail


def test_given_more_declared_than_permitted_then_listed_but_not_undeclared(world, lifting_today):
    notice = submit(world, states={}, now=timezone.now(), lifting=1, work_at_height=2)
    (row,) = cs.notice_permit_differences(notice)
    assert (row.field, row.declared, row.recorded, row.undeclared) == (
        "work_at_height",
        2,
        0,
        False,
    )


def test_given_many_notices_when_differences_built_then_one_permit_query(
    world, lifting_today, django_assert_max_num_queries
):
    submit(world, states={}, now=timezone.now())
    user = world.user("coordinator_x")
    with django_assert_max_num_queries(4):
        cs.permit_differences(user, timezone.localdate())


def test_given_an_outsider_when_differences_built_then_nothing(world, lifting_today):
    submit(world, states={}, now=timezone.now())
    assert cs.permit_differences(world.user("coordinator_y"), timezone.localdate()) == []

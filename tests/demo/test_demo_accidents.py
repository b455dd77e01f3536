"""The demo has accidents: about forty over the last 24 months in the demo county, entered
through the accident services under a shifted clock (each step on its own day), mostly
一般 with two 较大, some outside any enterprise, types that fit the industry, follow-ups,
investigations and closed 四不放过 close-outs, one duplicate withdrawn; the same seed gives
the same accidents; and the statistics page shows them to the county's coordinator."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from anjian.accidents import statistics as st
from anjian.accidents.models import Accident, AccidentEvent, AccidentReport, Investigation
from anjian.accounts.models import User
from anjian.demo.accidents import TYPES_BY_INDUSTRY, build_demo_accidents
from anjian.demo.generator import build_demo
from anjian.reports.periods import Period
from tests import clock

# The demo is built at ten and every test runs at ten of that day: its dates are relative
# to the day it was built on, and a module run across midnight would see two days.
pytestmark = pytest.mark.usefixtures("clock_at_ten")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo county for the module, rolled back at the end."""
    with clock.at_ten(), django_db_blocker.unblock(), transaction.atomic():
        build_demo(enterprises=80, seed=5)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def db_demo(demo, db):
    return demo


def signature(qs) -> list[tuple]:
    return list(
        qs.order_by("occurred_at", "pk").values_list(
            "occurred_at", "gb6441_type", "deaths", "serious_injuries", "grade", "state"
        )
    )


def test_given_the_demo_when_built_then_about_forty_accidents_over_24_months(db_demo):
    today = timezone.localdate()
    counted = Accident.objects.exclude(state="withdrawn")
    assert 38 <= counted.count() <= 42
    days = [timezone.localdate(a) for a in counted.values_list("occurred_at", flat=True)]
    assert min(days) >= today - dt.timedelta(days=731) and max(days) < today
    grades = list(counted.values_list("grade", flat=True))
    assert grades.count("larger") == 2 and grades.count("general") == len(grades) - 2
    outside = counted.filter(enterprise__isnull=True).count()
    assert 5 <= outside <= 20
    assert Accident.objects.filter(state="withdrawn").count() == 1


def test_given_the_demo_when_built_then_types_fit_the_industry(db_demo):
    for code, kind in Accident.objects.filter(enterprise__isnull=False).values_list(
        "enterprise__industry__code", "gb6441_type"
    ):
        assert kind in TYPES_BY_INDUSTRY.get(code, ("20",)), (code, kind)


def test_given_the_demo_when_built_then_each_step_happened_on_its_own_day(db_demo):
    assert AccidentReport.objects.filter(kind="followup").exists()
    closed = Investigation.objects.filter(closed_at__isnull=False)
    assert closed.exists()
    assert Accident.objects.filter(state="investigating").exists()
    for inv in closed.select_related("accident"):
        assert inv.opened_at > inv.accident.reported_at
        assert inv.closed_at > inv.opened_at
        assert all([inv.causes_found, inv.responsible_dealt_with, inv.measures_taken])
    # Quick reports at their shifted time: some late, most on time.
    late = Accident.objects.filter(late_quick_report=True).count()
    assert 0 < late < Accident.objects.count() / 2
    first = AccidentEvent.objects.filter(action="report").order_by("at").first()
    assert first.at < timezone.now() - dt.timedelta(days=60)


def test_given_the_demo_when_the_coordinator_opens_the_statistics_then_the_accidents_are_there(
    db_demo,
):
    coordinator = User.objects.get(username="anweiban")
    today = timezone.localdate()
    figures = st.accident_figures(coordinator, Period(today.year), "division", today=today)
    total = figures.total.figures
    this_year = Accident.objects.exclude(state="withdrawn").filter(
        occurred_at__gte=timezone.make_aware(dt.datetime(today.year, 1, 1))
    )
    assert total["accidents"] == this_year.count()
    assert sum(m["accidents"] for m in figures.trend) >= total["accidents"]
    client = Client()
    client.force_login(coordinator)
    assert client.get(reverse("accidents:figures")).status_code == 200


def test_given_the_same_seed_when_built_again_then_the_same_accidents_fast(db_demo):
    coordinator = User.objects.get(username="anweiban")
    last = Accident.objects.order_by("-pk").values_list("pk", flat=True).first()
    before = signature(Accident.objects.filter(pk__lte=last))
    started = time.perf_counter()
    again = build_demo_accidents(seed=5, coordinator=coordinator)
    seconds = time.perf_counter() - started
    assert again.accidents and min(again.accidents) > last
    assert signature(Accident.objects.filter(pk__gt=last)) == before
    assert seconds < 10

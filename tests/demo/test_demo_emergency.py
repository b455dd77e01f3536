"""The demo has emergency management: the demo plant's plans in every filing state (one
filed by the county emergency bureau, one awaiting its check, one overdue for filing, a
disposal card in draft), drills with an evaluated one whose finding triggers a revision
and an unannounced one pending, county rescue resources with some expired or short
supplies, an incident being responded to with the nearest teams called, and an
allocation plan; the coordinator's overview counts them."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from anjian.accounts.models import User
from anjian.demo.generator import build_demo
from anjian.emergency.models import (
    AllocationRun,
    Drill,
    DrillState,
    Incident,
    Plan,
    PlanState,
    ResponseCall,
    RevisionTrigger,
    Supply,
)
from anjian.emergency.overview import overview_figures
from tests import clock

# The demo is built at ten and every test runs at ten of that day: its dates are relative
# to the day it was built on, and a module run across midnight would see two days.
pytestmark = pytest.mark.usefixtures("clock_at_ten")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with clock.at_ten(), django_db_blocker.unblock(), transaction.atomic():
        build_demo(enterprises=40, seed=7)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def db_demo(demo, db):
    return demo


def test_given_the_demo_when_loaded_then_plans_are_in_every_filing_state(db_demo):
    states = set(Plan.objects.values_list("state", flat=True))
    assert {PlanState.FILED, PlanState.SUBMITTED, PlanState.ISSUED, PlanState.DRAFT} <= states
    filed = Plan.objects.get(state=PlanState.FILED)
    assert filed.filing_number and filed.filed_by.username == "yingji"
    assert RevisionTrigger.objects.filter(drill__isnull=False).exists()


def test_given_the_demo_when_loaded_then_drills_resources_incident_and_allocation_exist(db_demo):
    assert Drill.objects.filter(unannounced=True, state=DrillState.ORDERED).count() == 1
    assert Drill.objects.filter(state=DrillState.EVALUATED).exists()
    assert Supply.objects.count() > 50
    incident = Incident.objects.get()
    assert incident.plans.exists()
    assert ResponseCall.objects.filter(incident=incident).count() == 2
    run = AllocationRun.objects.get()
    assert run.result["shipments"]


def test_given_the_demo_when_the_coordinator_opens_the_overview_then_the_figures_show(db_demo):
    coordinator = User.objects.get(username="anweiban")
    figures = overview_figures(coordinator)
    assert figures["plans"] == 3 and figures["plans_filing_overdue"] == 1
    assert figures["incidents_active"] == 1 and figures["drills_ordered"] == 1
    assert figures["supplies_expired"] + figures["supplies_short"] > 0
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("emergency:overview"))
    assert page.status_code == 200 and b'data-figure="plans_filing_overdue"' in page.content


# --- the people and the public (issue 15), from the same demo -------------------------------


def test_given_the_demo_when_loaded_then_a_permit_is_refused_for_an_unlicensed_welder(db_demo):
    from anjian.people.models import Certificate, Permit, PermitState, Worker

    assert Worker.objects.count() == 8
    assert Certificate.objects.count() == 3
    states = set(Permit.objects.values_list("state", flat=True))
    assert states == {PermitState.ISSUED, PermitState.REFUSED}
    refused = Permit.objects.get(state=PermitState.REFUSED)
    assert "李明" in refused.refusal


def test_given_the_demo_when_loaded_then_reports_keep_the_identity_sealed(db_demo):
    from anjian.public.models import Exposure, ExposureState, Report

    named = Report.objects.get(anonymous=False)
    assert named.identity_cipher and b"13900000000" not in bytes(named.identity_cipher)
    assert Report.objects.get(anonymous=True).state == "triaged"
    assert Exposure.objects.filter(state=ExposureState.PUBLISHED).count() <= 1

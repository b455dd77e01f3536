"""A hand-built set of hazards for the report tests, made through the hazard services;
only their dates are then moved (a deadline into the past, a report into the previous
quarter), which no service may do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from anjian.accounts.models import Role, User
from anjian.hazards.models import Hazard
from anjian.reports import periods
from anjian.reports.tally_services import hazard_tally_rebuild
from tests.hazards.helpers import GENERAL_PATH, MAJOR_ITEM, do, photo, report


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def extra_users(world):
    """build_b's safety officer (the world has no staff of build_b) and a city coordinator."""
    world.users["safety_b"] = User.objects.create_user(
        username="safety_b", role=Role.ENTERPRISE_SAFETY_OFFICER, enterprise=world.build_b
    )
    world.users["coordinator_city"] = User.objects.create_user(
        username="coordinator_city", role=Role.COORDINATOR, division=world.city
    )
    return world


@dataclass
class Dataset:
    today: dt.date
    period: periods.Period
    hazards: dict[str, Hazard]


def close_general(world, hazard, manager: str, acceptor: str):
    for who, action in GENERAL_PATH:
        who = manager if who == "safety_a" else acceptor
        hazard = do(world, who, hazard, action, False)
    return hazard


def set_dates(hazard: Hazard, **values) -> None:
    """Move a hazard's dates past the services, and count the rollup again as the nightly
    repair would (anjian.reports.tally_services)."""
    Hazard.objects.filter(pk=hazard.pk).update(**values)
    hazard_tally_rebuild()


@pytest.fixture
def dataset(extra_users):
    """In the current quarter, as of today:

    chem_a (county X, grid 1, hazardous chemicals, emergency leads)
      g1 general, closed on time (funds 1500)        found, fixed, on time
      g2 general, closed after its deadline (1500)   found, fixed, late
      g4 general, rectifying, deadline yesterday     found, overdue open
      m1 major, reported                             found, major open
      old general, reported last quarter, closed now (1500) fixed on time, not found
    build_b (county X, grid 2, construction, housing leads)
      b1 general, fixed on the spot                  found, fixed, on time
      b2 major, reported                             found, major open
    ess_d (county X, grid 1, energy storage, no lead department)
      d1 general, reported                           found
    chem_c (county Y)
      c1 general, reported; c2 major, reported       found; major open
    """
    world = extra_users
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    period = periods.quarter_of(today)
    h: dict[str, Hazard] = {}
    # chem_a found these itself, so it accepts them itself: its principal (the safety
    # officer did the fix).
    h["g1"] = close_general(world, report(world), "safety_a", "principal_a")
    g2 = report(world)
    for who, action in GENERAL_PATH[:3]:
        g2 = do(world, who, g2, action, False)
    set_dates(g2, deadline=yesterday)
    h["g2"] = do(world, "principal_a", g2, "accept", False)
    g4 = report(world)
    for who, action in GENERAL_PATH[:2]:
        g4 = do(world, who, g4, action, False)
    set_dates(g4, deadline=yesterday)
    h["g4"] = g4
    h["m1"] = report(world, major_item=MAJOR_ITEM)
    old = report(world)
    set_dates(old, reported_at=timezone.now() - dt.timedelta(days=(today - period.start).days + 5))
    h["old"] = close_general(world, old, "safety_a", "principal_a")
    # Found by the safety committee office on an inspection: it reviews the fix on the
    # spot, not build_b.
    b1 = report(world, who="coordinator_x", enterprise=world.build_b, handling="on_spot")
    h["b1"] = do(world, "coordinator_x", b1, "fix_on_spot", False)
    h["b2"] = report(world, who="coordinator_x", enterprise=world.build_b, major_item=MAJOR_ITEM)
    h["d1"] = report(world, who="grid_x1", enterprise=world.ess_d)
    h["c1"] = report(world, who="principal_c", enterprise=world.chem_c)
    h["c2"] = report(world, who="coordinator_y", enterprise=world.chem_c, major_item=MAJOR_ITEM)
    for key, hazard in h.items():
        hazard.refresh_from_db()
        assert (hazard.state == "closed") == (key in {"g1", "g2", "old", "b1"}), key
    return Dataset(today, period, h)


@pytest.fixture
def photo_upload():
    return photo()

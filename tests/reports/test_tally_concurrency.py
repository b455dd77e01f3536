"""Two hazards reported for one enterprise at the same moment add to the same counter rows:
the upsert takes the row's lock, so both count. PostgreSQL only (SQLite has one writer)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from anjian.reports.models import HazardTally
from anjian.reports.tally_services import hazard_tally_check
from tests.hazards.helpers import report

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)


@pytest.mark.django_db(transaction=True)
def test_given_two_reports_at_once_when_both_commit_then_both_are_counted():
    from tests.world import build_world

    world = build_world()
    report(world)  # the enterprise's group key and this month's counter row exist
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def one() -> None:
        try:
            barrier.wait()
            report(world)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    found = sum(
        HazardTally.objects.filter(division=world.chem_a.division_id).values_list(
            "found", flat=True
        )
    )
    assert found == 5
    assert hazard_tally_check()["ok"]

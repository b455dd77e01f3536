"""Two departments deciding a fine for the same act at the same moment: the subject's lock
row makes them take turns, so exactly one wins and the other is shown the first fine.
PostgreSQL only (SQLite has one writer and no row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from anjian.inspections import penalties as rules
from anjian.penalties import services
from anjian.penalties import workflow as wf
from anjian.penalties.models import Penalty

from .helpers import PLATE, actor, add_fire_officer, draft

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)


@pytest.mark.django_db(transaction=True)
def test_given_two_departments_when_they_decide_the_same_fine_at_once_then_one_wins():
    from tests.world import build_world

    world = build_world()
    add_fire_officer(world)
    plate = {"subject_kind": rules.PLATE, "subject_value": PLATE, "subject_name": "张三"}
    drafts = [draft(world, "officer_emergency_x", **plate), draft(world, "officer_fire_x", **plate)]
    officers = ["officer_emergency_x", "officer_fire_x"]
    for p, officer in zip(drafts, officers, strict=True):
        services.penalty_notify(actor=actor(world.user(officer)), penalty_id=p.pk)
    barrier = threading.Barrier(2)
    results: dict[int, str] = {}

    def decide(i: int) -> None:
        try:
            barrier.wait()
            services.penalty_decide(
                actor=actor(world.user(officers[i])), penalty_id=drafts[i].pk, number=f"罚-{i}"
            )
            results[i] = "won"
        except services.DoublePenalty:
            results[i] = "refused"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results.values()) == ["refused", "won"]
    assert Penalty.objects.filter(state=wf.DECIDED).count() == 1

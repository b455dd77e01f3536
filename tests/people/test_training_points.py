"""A passed course earns safety points once (the training service calls the points hook in
its transaction); a failed one earns none."""

from __future__ import annotations

import pytest

from anjian.core.audit import Actor
from anjian.people.models import PointEntry, Worker
from anjian.people.training_services import training_create

pytestmark = pytest.mark.django_db


def _course(world, worker, passed: bool, hours: str = "8"):
    return training_create(
        actor=Actor.for_user(world.user("safety_a"), "web"),
        worker_id=worker.pk,
        data={
            "kind": "annual",
            "title": "年度再培训",
            "hours": hours,
            "held_on": "2026-03-01",
            "passed": passed,
        },
    )


def test_given_a_passed_course_when_recorded_then_points_for_its_hours(world):
    worker = Worker.objects.create(enterprise=world.chem_a, name="赵一", post="操作工")
    record = _course(world, worker, True)
    entry = PointEntry.objects.get(worker=worker)
    assert (entry.source, entry.source_id, entry.points) == ("training", record.pk, 8)


def test_given_a_failed_course_when_recorded_then_no_points(world):
    worker = Worker.objects.create(enterprise=world.chem_a, name="钱二", post="操作工")
    _course(world, worker, False)
    assert not PointEntry.objects.filter(worker=worker).exists()

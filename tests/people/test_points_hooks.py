"""Safety points earned where the work is done (issue 15 item 4): a hazard a worker
reported and that was closed (real), a self-check finding, a drill taken part in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from anjian.core.errors import ValidationFailed
from anjian.emergency import drill_services as ds
from anjian.people import points_services as ps
from anjian.people.models import PointEntry, Worker

from ..emergency.drill_helpers import planned, put, who
from ..hazards.helpers import act, photo, report

pytestmark = pytest.mark.django_db


def _worker(world, user: str | None, name: str, enterprise=None) -> Worker:
    return Worker.objects.create(
        enterprise=enterprise or world.chem_a,
        name=name,
        user=world.user(user) if user else None,
    )


def _entries(worker: Worker) -> list[tuple[str, int, str]]:
    return list(worker.points.order_by("pk").values_list("rule", "points", "source"))


def _close_on_spot(world, reporter: str, **over):
    hazard = report(world, reporter, handling="on_spot", **over)
    return act(world, "safety_a", hazard, "fix_on_spot", {"note": "已清理"}, photos=[photo()])


def test_given_a_worker_reports_a_hazard_when_it_closes_then_points_once(world):
    w = _worker(world, "employee_a", "张三")
    hazard = report(world, "employee_a", handling="on_spot", source="enterprise_inspection")
    assert _entries(w) == []  # reported, not yet shown real
    hazard = act(world, "safety_a", hazard, "fix_on_spot", {"note": "已清理"}, photos=[photo()])
    assert _entries(w) == [("hazard_report", 10, "hazard")]
    event = hazard.events.latest("pk")
    assert event.data["points_entry"] == w.points.get().pk
    again = ps.points_for_hazard(hazard)  # a second call (a retried job) adds nothing
    assert again is not None and again.pk == w.points.get().pk
    assert PointEntry.objects.count() == 1


def test_given_a_self_check_finding_when_it_closes_then_the_self_check_rule(world):
    w = _worker(world, "employee_a", "张三")
    _close_on_spot(world, "employee_a", source="self_check")
    assert _entries(w) == [("self_check_finding", 5, "hazard")]


def test_given_a_reporter_without_a_worker_record_then_no_points(world):
    _worker(world, None, "李四")
    _close_on_spot(world, "safety_a")
    assert PointEntry.objects.count() == 0


def test_given_a_worker_who_left_when_the_hazard_closes_then_no_points(world):
    w = _worker(world, "employee_a", "张三")
    hazard = report(world, "employee_a", handling="on_spot")
    Worker.objects.filter(pk=w.pk).update(active=False)
    act(world, "safety_a", hazard, "fix_on_spot", {"note": "已清理"}, photos=[photo()])
    assert PointEntry.objects.count() == 0


# --- drills ------------------------------------------------------------------------------


def _running(world):
    return put(planned(world), "running")


def test_given_named_workers_when_a_drill_finishes_then_each_earns_drill_points(world):
    a, b = _worker(world, None, "甲"), _worker(world, None, "乙")
    drill = _running(world)
    ds.drill_finish(
        actor=who(world, "principal_a"), drill_id=drill.pk, participants=12, workers=[a.pk, b.pk]
    )
    assert _entries(a) == _entries(b) == [("drill", 3, "drill")]
    assert drill.events.latest("pk").data["workers"] == sorted([a.pk, b.pk])


@pytest.mark.parametrize("bad", ["x", [True], ["1"]])
def test_given_malformed_workers_then_a_field_error(world, bad):
    drill = _running(world)
    with pytest.raises(ValidationFailed) as exc:
        ds.drill_finish(
            actor=who(world, "principal_a"), drill_id=drill.pk, participants=5, workers=bad
        )
    assert list(exc.value.errors) == ["workers"]


def test_given_another_enterprises_worker_or_too_few_participants_then_refused(world):
    mine = _worker(world, None, "甲")
    theirs = _worker(world, None, "丙", enterprise=world.chem_c)
    drill = _running(world)
    with pytest.raises(ValidationFailed) as exc:
        ds.drill_finish(
            actor=who(world, "principal_a"), drill_id=drill.pk, participants=5, workers=[theirs.pk]
        )
    assert list(exc.value.errors) == ["workers"]
    other = _worker(world, None, "乙")
    with pytest.raises(ValidationFailed) as exc:
        ds.drill_finish(
            actor=who(world, "principal_a"),
            drill_id=drill.pk,
            participants=1,
            workers=[mine.pk, other.pk],
        )
    assert list(exc.value.errors) == ["participants"]
    drill.refresh_from_db()
    assert drill.state == "running" and PointEntry.objects.count() == 0


def test_given_the_drill_page_when_finished_with_workers_ticked_then_points(world):
    a = _worker(world, None, "甲")
    drill = _running(world)
    client = Client()
    client.force_login(world.user("principal_a"))
    page = client.get(reverse("emergency:drill", args=[drill.pk])).content.decode()
    assert f'value="{a.pk}"' in page
    response = client.post(
        reverse("emergency:drill-act", args=[drill.pk, "finish"]),
        {"participants": "8", "workers": [str(a.pk)]},
    )
    assert response.status_code == 302
    assert _entries(a) == [("drill", 3, "drill")]

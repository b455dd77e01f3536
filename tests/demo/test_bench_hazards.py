"""The benchmark's hazard generator (bench/hazards_data.py) at a small scale, so the code
that fills 2,000,000 rows cannot rot: rows load through the ORM, numbers and counters
agree, the mix is the one described."""

import importlib.util
from collections import Counter
from pathlib import Path

from django.utils import timezone

from anjian.core.audit import audit_verify
from anjian.hazards import workflow as wf
from anjian.hazards.models import Hazard, HazardCounter, HazardEvent
from anjian.reports.tally_services import hazard_tally_check

PATH = Path(__file__).resolve().parents[2] / "bench" / "hazards_data.py"


def _module():
    spec = importlib.util.spec_from_file_location("bench_hazards_data", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_given_a_county_when_1000_bench_hazards_generated_then_rows_are_valid(world):
    generated = _module().generate(1000, seed=3, batch=300)
    assert generated["hazards"] == Hazard.objects.count() == 1000
    assert generated["events"] == HazardEvent.objects.count()
    # Loaded past the services, the statistics' rollup is counted again afterwards.
    assert hazard_tally_check()["ok"]
    states = Counter(Hazard.objects.values_list("state", flat=True))
    assert set(states) <= set(wf.STATES)
    assert states[wf.CLOSED] > 800 and sum(states.values()) - states[wf.CLOSED] > 10
    # Every hazard loads through the ORM with sane dates; closed ones have closed_at.
    now = timezone.now()
    for hazard in Hazard.objects.all():
        assert hazard.reported_at <= now
        assert (hazard.closed_at is not None) == (hazard.state == wf.CLOSED)
        if hazard.closed_at:
            assert hazard.reported_at <= hazard.closed_at <= now
        if hazard.handling == "deadline" and hazard.state not in ("reported", "confirmed"):
            assert hazard.deadline is not None
    assert Hazard.objects.filter(deadline__lt=timezone.localdate()).exclude(state=wf.CLOSED)
    # The first event of each hazard is its report.
    firsts = HazardEvent.objects.filter(action=wf.REPORT).count()
    assert firsts == 1000


def test_given_bench_hazards_then_numbers_unique_counters_agree_and_more_continue(world):
    module = _module()
    module.generate(400, seed=1, batch=150)
    module.generate(200, seed=2, batch=150)  # a second load continues the numbers
    numbers = list(Hazard.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 600
    per_year = Counter(n.rsplit("-", 1)[0] for n in numbers)
    counters = {
        f"{c.division.code}-{c.year}": c.last for c in HazardCounter.objects.select_related()
    }
    assert counters == dict(per_year)
    assert audit_verify().ok


def test_given_bench_hazards_then_the_coordinator_sees_them_and_the_outsider_none(world):
    from anjian.core import scoping

    _module().generate(300, seed=4, batch=300)
    assert scoping.visible(world.user("coordinator_x"), Hazard).exists()
    assert not scoping.visible(world.user("outsider"), Hazard).exists()

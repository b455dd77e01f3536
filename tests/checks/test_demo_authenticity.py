"""The demo plants fabricating enterprises among honest ones; one authenticity run over
their records finds them: precision and recall at enterprise level of at least 0.9, and
the regulators' ranked list shows the evidence of every flag."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from anjian.accounts.models import User
from anjian.checks.models import CheckAnswer, CheckRecord, EnterpriseAuthenticity
from anjian.checks.scoring import FINDING_SOURCES
from anjian.demo import checks as demo_checks
from anjian.demo.checks import demo_planted
from anjian.demo.generator import build_demo
from anjian.hazards.models import Hazard

# At ten: the demo is dated from the day it is built on, and a build across midnight
# would leave it a day behind the test's today.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_at_ten")]


def test_given_the_demo_when_scored_then_the_planted_fabricators_are_found(client, monkeypatch):
    spent: list[float] = []
    original = demo_checks.build_demo_checks

    def timed(**kwargs):
        started = time.perf_counter()
        try:
            return original(**kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    monkeypatch.setattr(demo_checks, "build_demo_checks", timed)
    build_demo(enterprises=200, seed=3)
    seconds = spent[0]
    planted = demo_planted()
    loaded = set(planted.enterprises)
    assert len(loaded) >= 30 and planted.planted
    scores = dict(
        EnterpriseAuthenticity.objects.filter(enterprise_id__in=loaded).values_list(
            "enterprise_id", "flag"
        )
    )
    assert set(scores) == loaded
    flagged = {pk for pk, flag in scores.items() if flag}
    truth = set(planted.planted)
    hits = len(flagged & truth)
    precision = hits / len(flagged) if flagged else 0.0
    recall = hits / len(truth)
    print(
        f"\ndemo authenticity: {len(loaded)} enterprises, {len(truth)} planted, "
        f"{len(flagged)} flagged, precision {precision:.3f}, recall {recall:.3f} "
        f"(checks and the run took {seconds:.1f} s)"
    )
    assert precision >= 0.9 and recall >= 0.9

    # Problems found by others are in the ledger at the units, so an enterprise planted
    # with "all normal where others find problems" is caught by that signal.
    assert Hazard.objects.filter(
        enterprise_id__in=loaded, source__in=FINDING_SOURCES, risk_unit__isnull=False
    ).exists()
    blind = {pk for pk, mix in planted.planted.items() if "blind_normal" in mix}
    assert blind
    signals_of = dict(
        EnterpriseAuthenticity.objects.filter(enterprise_id__in=blind).values_list(
            "enterprise_id", "signals"
        )
    )
    for pk in blind:
        assert "normal_despite_findings" in {s["name"] for s in signals_of[pk]}, pk

    # The records look like the services wrote them: submitted, timed, answered.
    sample = CheckRecord.objects.filter(enterprise_id__in=loaded)
    assert not sample.exclude(state="submitted").exists()
    assert not sample.filter(timing="").exists()
    assert CheckAnswer.objects.filter(record__enterprise_id__in=loaded).count() >= sample.count()

    # The ranked list (flagged only) shows each flagged enterprise with its evidence.
    client.force_login(User.objects.get(username="anweiban"))
    html = client.get(reverse("checks:authenticity") + "?flag=1").content.decode()
    rows = {
        int(part.split('"', 1)[0]): part
        for part in html.split('class="card au-row" data-enterprise="')[1:]
    }
    assert set(rows) == flagged
    for row in rows.values():
        assert 'data-flag="1"' in row and 'data-signal="' in row
        assert 'href="/checks/records/' in row  # the evidence links its records

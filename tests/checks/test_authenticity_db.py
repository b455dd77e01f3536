"""The authenticity scorer on the database: the daily run (stored scores, signals and
flagged records, once a day), the ranked list and an enterprise's page in scope, the
safety-code term, and the demo's planted fabricators found (precision and recall)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from anjian.checks import evidence, periods
from anjian.checks.models import (
    AuthenticityRun,
    CheckAnswer,
    CheckRecord,
    EnterpriseAuthenticity,
    RecordFlag,
)
from anjian.checks.scoring import authenticity_run, scorer_inputs
from anjian.risks import safety_code
from anjian.risks.services import gather_inputs

from .conftest import local, measure_task

pytestmark = pytest.mark.django_db
NOW = local(2026, 11, 30, 20, 0)


def _records(
    task, checker, *, days: int, burst: bool, lat=None, lon=None, now: dt.datetime = NOW
) -> list[CheckRecord]:
    """Daily records of a task, inserted as check_submit writes them: honest (each on its
    day, a minute long) or a burst (all filled in one evening, 40 s apart)."""
    rows = []
    for d in range(days):
        day = now - dt.timedelta(days=days - d)
        period = periods.period_containing(day, task.cycle, task.cycle_unit)
        if burst:
            started = period.start + dt.timedelta(hours=9)
            submitted = now - dt.timedelta(minutes=30) + dt.timedelta(seconds=40 * d)
        else:
            started = period.start + dt.timedelta(hours=9)
            submitted = started + dt.timedelta(seconds=60)
        rows.append(
            CheckRecord(
                task=task,
                enterprise_id=task.enterprise_id,
                period_start=period.start,
                period_end=period.end,
                state="submitted",
                timing=periods.timing(submitted, period),
                checker=checker,
                device_id=f"dev-{checker.pk}",
                client_token=uuid.uuid4(),
                started_at=started,
                device_started_at=started,
                submitted_at=submitted,
                lat=lat,
                lon=lon,
                note="",
            )
        )
    rows = CheckRecord.objects.bulk_create(rows)
    CheckAnswer.objects.bulk_create(
        [CheckAnswer(record=r, position=1, content=task.content, status="normal") for r in rows]
    )
    return rows


@pytest.fixture
def scored(world):
    """chem_a fills a month of daily checks in one sitting; chem_c checks daily."""
    task_a = measure_task(world, "safety_a", world.chem_a)
    task_c = measure_task(world, "principal_c", world.chem_c, "静电接地是否完好")
    _records(task_a, world.user("safety_a"), days=30, burst=True)
    _records(task_c, world.user("principal_c"), days=30, burst=False)
    run, created = authenticity_run(now=NOW)
    assert created
    return run


def test_given_records_when_the_inputs_are_built_then_each_record_carries_its_context(world):
    task = measure_task(world, "safety_a", world.chem_a)
    _records(task, world.user("safety_a"), days=3, burst=False, lat=30.25, lon=120.16)
    data = scorer_inputs(
        enterprise_ids=[world.chem_a.pk], since=NOW - dt.timedelta(days=90), until=NOW
    )
    assert len(data.records) == 3
    r = data.records[0]
    assert r.enterprise == str(world.chem_a.pk)
    assert r.unit == f"u{task.measure.event.unit_id}"
    assert r.items == 1 and r.answers == ("normal",) and r.cycle == "day"
    assert (r.lat, r.lon) == (30.25, 120.16)


def test_given_a_burst_when_the_run_scores_then_the_burster_is_flagged_and_the_honest_not(
    world, scored
):
    a = EnterpriseAuthenticity.objects.get(run=scored, enterprise=world.chem_a)
    c = EnterpriseAuthenticity.objects.get(run=scored, enterprise=world.chem_c)
    # A month filled in one evening is a burst, and its old days are back-dated too.
    assert a.flag and a.score < 75 and {s["name"] for s in a.signals} == {"burst", "back_dated"}
    assert not c.flag and c.score == 100.0 and c.signals == []
    assert RecordFlag.objects.filter(run=scored, enterprise=world.chem_a).count() >= 25
    assert not RecordFlag.objects.filter(run=scored, enterprise=world.chem_c).exists()
    assert (scored.enterprises, scored.flagged_enterprises) == (2, 1)
    assert scored.thresholds["flag_below"] == 75.0


def test_given_todays_run_when_run_again_then_it_is_returned_and_nothing_is_added(world, scored):
    again, created = authenticity_run(now=NOW + dt.timedelta(hours=1))
    assert not created and again.pk == scored.pk
    assert AuthenticityRun.objects.count() == 1
    assert EnterpriseAuthenticity.objects.count() == 2
    tomorrow, created = authenticity_run(now=NOW + dt.timedelta(days=1))
    assert created and tomorrow.pk != scored.pk


def test_given_a_run_when_the_safety_code_is_computed_then_the_term_has_the_score(world, scored):
    score = EnterpriseAuthenticity.objects.get(enterprise=world.chem_a).score
    inputs = gather_inputs([world.chem_a.pk, world.build_b.pk])
    assert inputs[world.chem_a.pk].self_check_authenticity == score
    assert inputs[world.build_b.pk].self_check_authenticity is None
    term = {t.key: t for t in safety_code.compute(inputs[world.chem_a.pk]).terms}[
        "self_check_authenticity"
    ]
    assert term.points == 15 and term.value == f"{score:.1f}"  # below 50 in the default
    none = {t.key: t for t in safety_code.compute(inputs[world.build_b.pk]).terms}[
        "self_check_authenticity"
    ]
    assert (none.points, none.value) == (0, "无数据")
    assert none.as_dict()["label"] == "自查真实性"


@pytest.mark.parametrize(
    ("score", "points"), [(None, 0), (49.9, 15), (50.0, 8), (74.9, 8), (75.0, 0), (100, 0)]
)
def test_given_a_score_when_the_term_is_computed_then_points_follow_the_bands(score, points):
    term = {
        t.key: t
        for t in safety_code.compute(safety_code.Inputs(self_check_authenticity=score)).terms
    }["self_check_authenticity"]
    assert term.points == points


def test_given_the_strict_policy_then_its_bands_weigh_more():
    strict = safety_code.get_policy("strict")
    result = safety_code.compute(safety_code.Inputs(self_check_authenticity=80.0), strict)
    assert {t.key: t.points for t in result.terms}["self_check_authenticity"] == 5


def test_given_a_regulator_when_the_list_is_shown_then_the_flag_and_its_evidence_are_there(
    client, world, scored
):
    client.force_login(world.user("coordinator_x"))
    r = client.get(reverse("checks:authenticity"))
    assert r.status_code == 200
    html = r.content.decode()
    assert f'data-enterprise="{world.chem_a.pk}" data-flag="1"' in html
    assert f'data-enterprise="{world.chem_c.pk}"' not in html  # another county
    assert 'data-signal="burst"' in html
    assert gettext("Many checks filled in at one sitting") in html
    score = EnterpriseAuthenticity.objects.get(run=scored, enterprise=world.chem_a)
    first = int(score.signals[0]["evidence"]["ids"][0])
    assert reverse("checks:detail", args=[first]) in html  # the evidence links its records


@pytest.mark.parametrize("who", ["outsider", "principal_a", "employee_a"])
def test_given_not_a_regulator_when_the_list_is_asked_then_refused(client, world, scored, who):
    client.force_login(world.user(who))
    assert client.get(reverse("checks:authenticity")).status_code == 403


def test_given_enterprise_staff_when_their_page_is_shown_then_they_see_their_own_only(
    client, world, scored
):
    client.force_login(world.user("employee_a"))
    own = client.get(reverse("checks:authenticity_enterprise", args=[world.chem_a.pk]))
    assert own.status_code == 200
    html = own.content.decode()
    assert 'id="au-score"' in html and 'data-flag="1"' in html and 'id="au-records"' in html
    assert reverse("checks:authenticity") not in html  # no link to the ranked list
    other = client.get(reverse("checks:authenticity_enterprise", args=[world.chem_c.pk]))
    assert other.status_code == 404


def test_given_an_outsider_when_an_enterprise_page_is_asked_then_refused(client, world, scored):
    client.force_login(world.user("outsider"))
    r = client.get(reverse("checks:authenticity_enterprise", args=[world.chem_a.pk]))
    assert r.status_code in (403, 404)


def test_given_a_regulator_of_another_county_then_the_list_holds_only_theirs(client, world, scored):
    client.force_login(world.user("coordinator_y"))
    html = client.get(reverse("checks:authenticity")).content.decode()
    assert f'data-enterprise="{world.chem_c.pk}"' in html
    assert f'data-enterprise="{world.chem_a.pk}"' not in html
    assert (
        client.get(reverse("checks:authenticity_enterprise", args=[world.chem_a.pk])).status_code
        == 404
    )


def test_given_more_scored_enterprises_then_the_list_costs_the_same_queries(
    client, world, scored, django_assert_max_num_queries
):
    client.force_login(world.user("platform_admin"))
    with django_assert_max_num_queries(12):
        client.get(reverse("checks:authenticity"))
    task_b = measure_task(world, "expert_x", world.build_b, "脚手架是否稳固")
    _records(task_b, world.user("safety_a"), days=20, burst=True)
    authenticity_run(now=NOW + dt.timedelta(days=1))
    with django_assert_max_num_queries(12):
        r = client.get(reverse("checks:authenticity"))
    assert r.content.decode().count('class="card au-row"') == 3


def test_given_a_burst_signal_when_rendered_then_the_sentence_has_the_figures():
    signal = {
        "name": "burst",
        "evidence": {
            "records": 30,
            "of": 30,
            "share": 1.0,
            "penalty": 0.7,
            "ids": ["5", "6"],
            "groups": [
                {
                    "checker": "7",
                    "submitted_from": "2026-11-30T12:00:00+00:00",
                    "submitted_to": "2026-11-30T12:19:00+00:00",
                    "minutes": 19.3,
                    "records": 30,
                    "due_days": 30,
                    "due_from": "2026-10-31T16:00:00+00:00",
                    "due_to": "2026-11-29T16:00:00+00:00",
                    "ids": ["5", "6"],
                }
            ],
            "group_count": 1,
        },
    }
    out = evidence.render_enterprise_signal(signal, evidence.Names(checkers={"7": "王工"}))
    assert out.ids == [5, 6]
    assert "30" in out.summary and "70.0" in out.summary
    assert "王工" in out.details[0] and "19.3" in out.details[0]
    assert "2026-11-30 20:00" in out.details[0]  # local time


def test_given_records_when_the_command_runs_twice_then_the_second_returns_the_first(world):
    import json
    from io import StringIO

    from django.core.management import call_command

    task = measure_task(world, "safety_a", world.chem_a)
    _records(task, world.user("safety_a"), days=5, burst=False, now=timezone.now())
    first, second = StringIO(), StringIO()
    call_command("checks_authenticity", "--period-days", "90", stdout=first)
    call_command("checks_authenticity", stdout=second)
    a, b = json.loads(first.getvalue()), json.loads(second.getvalue())
    assert a["created"] and not b["created"] and a["run"] == b["run"]
    assert a["enterprises"] == 1 and a["records"] >= 1

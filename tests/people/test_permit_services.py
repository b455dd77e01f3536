"""Special-work permits: apply, issue (or refuse an unlicensed operator), start, close,
cancel, gas analyses, every illegal transition, scoping and the commitment counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.people import permit_services as ps
from anjian.people import permit_workflow as wf
from anjian.people.models import GasAnalysis, Permit, PermitEvent
from tests.people.permit_helpers import GOOD_GAS, actor, apply, crew, gas, licence, worker

# Ten in the morning: the permits start in ten minutes and the overview counts today's,
# so a run at 23:55 would plan them for tomorrow.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_at_ten")]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def issued(world, kind_extra=None):
    a, b, g = crew(world)
    p = apply(world, [a, b], g, **(kind_extra or {}))
    gas(world, p)
    return ps.permit_issue(actor=actor(world, "principal_a"), permit_id=p.pk)


def test_given_licensed_operators_and_good_gas_when_issued_then_the_whole_life(world):
    p = issued(world)
    assert p.state == wf.ISSUED and p.number.startswith("DH")
    p = ps.permit_start(actor=actor(world, "employee_a"), permit_id=p.pk)
    assert p.state == wf.WORKING and p.started_at
    with pytest.raises(ValidationFailed) as e:
        ps.permit_close(actor=actor(world, "safety_a"), permit_id=p.pk)
    assert "site_checked" in e.value.errors
    p = ps.permit_close(actor=actor(world, "safety_a"), permit_id=p.pk, site_checked=True)
    assert p.state == wf.CLOSED and p.closed_by == world.user("safety_a")
    actions = list(PermitEvent.objects.filter(permit=p).values_list("action", flat=True))
    assert actions == ["apply", "analyse", "issue", "start", "close"]
    assert AuditEntry.objects.filter(action__startswith="people_permit_").count() == 5


@pytest.mark.parametrize(
    ("cert", "status"),
    [
        (None, "missing"),
        ({"expires_in": -1}, "expired"),
        ({"review_in": -1}, "expired"),
        ({"state": "revoked"}, "revoked"),
        ({"category": "电工作业"}, "wrong_category"),
    ],
)
def test_given_an_unlicensed_operator_when_issued_then_refused(world, cert, status):
    a, _b, g = crew(world)
    c = worker(world.chem_a, "无证工")
    if cert is not None:
        licence(c, **cert)
    p = apply(world, [a, c], g)
    gas(world, p)
    p = ps.permit_issue(actor=actor(world, "principal_a"), permit_id=p.pk)
    assert p.state == wf.REFUSED and "无证工" in p.refusal and "张焊工" not in p.refusal
    ev = PermitEvent.objects.get(permit=p, action="refuse")
    assert ev.data["unlicensed"] is True
    assert ev.data["operators"][0]["status"] == status
    ok = apply(world, [a], g)
    gas(world, ok)
    gas(world, ok)
    rows = ps.regulator_overview(world.user("coordinator_x"))
    assert [(r.name, r.refused_unlicensed, r.refused, r.open, r.today) for r in rows] == [
        ("东县甲化工有限公司", 1, 1, 1, 2)
    ]


def test_given_a_certificate_expiring_before_the_planned_end_then_refused(world):
    a, _b, g = crew(world)
    c = worker(world.chem_a, "将过期")
    licence(c, expires_in=1)
    start = timezone.now() + dt.timedelta(days=1)
    p = ps.permit_apply(
        actor=actor(world, "safety_a"),
        values={
            "kind": "hot_work",
            "grade": "second",
            "place": "A",
            "content": "B",
            "planned_start": start.isoformat(),
            "planned_end": (start + dt.timedelta(hours=48)).isoformat(),
            "workers": [a.pk, c.pk],
            "guardian": g.pk,
        },
    )
    gas(world, p)
    assert ps.permit_issue(actor=actor(world, "principal_a"), permit_id=p.pk).state == wf.REFUSED


def test_given_review_due_soon_the_certificate_still_counts(world):
    a, _b, g = crew(world)
    c = worker(world.chem_a, "待复审")
    licence(c, review_in=10)
    p = apply(world, [a, c], g)
    gas(world, p)
    assert ps.permit_issue(actor=actor(world, "principal_a"), permit_id=p.pk).state == wf.ISSUED


def test_given_no_or_bad_gas_when_hot_work_issued_then_refused_not_unlicensed(world):
    a, b, g = crew(world)
    p = apply(world, [a, b], g)
    p = ps.permit_issue(actor=actor(world, "principal_a"), permit_id=p.pk)
    assert p.state == wf.REFUSED
    assert PermitEvent.objects.get(permit=p, action="refuse").data["gas"] == "missing"
    p2 = apply(world, [a, b], g)
    row = gas(world, p2, combustible_pct="0.6")
    assert row.passed is False and row.findings[0]["limit"] == "0.5"
    p2 = ps.permit_issue(actor=actor(world, "principal_a"), permit_id=p2.pk)
    ev = PermitEvent.objects.get(permit=p2, action="refuse")
    assert ev.data == {"state": "refused", "unlicensed": False, "operators": [], "gas": "failed"}
    assert ps.regulator_overview(world.user("coordinator_x"))[0].refused_unlicensed == 0


def test_lifting_needs_no_special_work_certificate_nor_gas(world):
    w, g = worker(world.chem_a, "吊车工"), worker(world.chem_a, "监护")
    p = apply(world, [w], g, kind="lifting", grade="", load_t="50")
    assert p.grade == "second"
    assert ps.permit_issue(actor=actor(world, "principal_a"), permit_id=p.pk).state == wf.ISSUED


def test_given_apply_problems_then_every_field_at_once(world):
    a, b, g = crew(world)
    with pytest.raises(ValidationFailed) as e:
        apply(world, [a, b], a, hours=9, place="", bogus=1)
    assert {"guardian", "planned_end", "place", "__all__"} <= set(e.value.errors)
    with pytest.raises(ValidationFailed) as e:
        apply(world, [a], g, kind="height", grade="I", height_m="6")
    assert "grade" in e.value.errors
    with pytest.raises(ValidationFailed) as e:
        apply(world, [a], g, kind="height", grade="", height_m="1.5")
    assert "height_m" in e.value.errors
    assert apply(world, [a], g, kind="height", grade="", height_m="30.5").grade == "IV"
    assert apply(world, [a], g, grade="second", hours=72).grade == "second"
    other = worker(world.chem_c, "外企工")
    with pytest.raises(ValidationFailed) as e:
        apply(world, [other], g)
    assert "workers" in e.value.errors


def test_given_a_regulator_or_outsider_when_applying_then_forbidden(world):
    a, _b, g = crew(world)
    for name in ("coordinator_x", "outsider"):
        with pytest.raises(Forbidden):
            apply(world, [a], g, name=name)


def test_given_an_employee_when_issuing_then_forbidden(world):
    a, b, g = crew(world)
    p = apply(world, [a, b], g, name="employee_a")
    with pytest.raises(Forbidden):
        ps.permit_issue(actor=actor(world, "employee_a"), permit_id=p.pk)


def test_every_illegal_transition_is_a_conflict(world):
    p = issued(world)
    unit = actor(world, "principal_a")
    with pytest.raises(Conflict):
        ps.permit_issue(actor=unit, permit_id=p.pk)
    with pytest.raises(Conflict):
        ps.permit_close(actor=unit, permit_id=p.pk, site_checked=True)
    ps.permit_cancel(actor=unit, permit_id=p.pk, reason="天气")
    for fn, kw in (
        (ps.permit_issue, {}),
        (ps.permit_start, {}),
        (ps.permit_close, {"site_checked": True}),
        (ps.permit_cancel, {"reason": "x"}),
    ):
        with pytest.raises(Conflict):
            fn(actor=unit, permit_id=p.pk, **kw)
    with pytest.raises(Conflict):
        gas(world, p)
    a, _b, g = crew(world)
    draft = apply(world, [a], g)
    with pytest.raises(Conflict):
        ps.permit_start(actor=unit, permit_id=draft.pk)
    with pytest.raises(ValidationFailed):
        ps.permit_cancel(actor=unit, permit_id=draft.pk, reason="")
    refused = ps.permit_issue(actor=unit, permit_id=draft.pk)  # no gas: refused
    assert refused.state == wf.REFUSED
    for fn, kw in ((ps.permit_start, {}), (ps.permit_cancel, {"reason": "x"})):
        with pytest.raises(Conflict):
            fn(actor=unit, permit_id=refused.pk, **kw)


def test_given_a_stale_analysis_when_starting_then_a_fresh_one_is_needed(world):
    p = issued(world)
    later = timezone.now() + dt.timedelta(minutes=31)
    with pytest.raises(ValidationFailed) as e:
        ps.permit_start(actor=actor(world, "safety_a"), permit_id=p.pk, now=later)
    assert "analysis" in e.value.errors
    ps.gas_analysis_add(actor=actor(world, "safety_a"), permit_id=p.pk, values=GOOD_GAS, now=later)
    assert (
        ps.permit_start(actor=actor(world, "safety_a"), permit_id=p.pk, now=later).state
        == wf.WORKING
    )


def test_given_time_over_when_starting_then_conflict(world):
    p = issued(world)
    with pytest.raises(Conflict):
        ps.permit_start(
            actor=actor(world, "safety_a"),
            permit_id=p.pk,
            now=p.planned_end + dt.timedelta(seconds=1),
        )


def test_given_bad_gas_during_work_then_the_unit_is_told(world):
    p = ps.permit_start(actor=actor(world, "safety_a"), permit_id=issued(world).pk)
    row = gas(world, p, combustible_pct="0.9")
    assert not row.passed and GasAnalysis.objects.filter(permit=p).count() == 2


def test_gas_analysis_input_is_checked(world):
    a, b, g = crew(world)
    p = apply(world, [a, b], g)
    with pytest.raises(ValidationFailed) as e:
        ps.gas_analysis_add(
            actor=actor(world, "safety_a"),
            permit_id=p.pk,
            values={
                "analyst": "",
                "oxygen_pct": "101",
                "toxic": [{"name": "硫化氢", "value": "1"}],
                "passed": True,
            },
        )
    assert {"analyst", "oxygen_pct", "toxic", "__all__"} <= set(e.value.errors)


@pytest.mark.parametrize("name", ["coordinator_y", "principal_c", "outsider", "officer_housing_x"])
def test_given_another_scope_then_not_found_and_nothing_listed(world, name):
    p = issued(world)
    with pytest.raises(NotFound):
        ps.get_permit(world.user(name), p.pk)
    with pytest.raises(NotFound):
        ps.permit_cancel(actor=actor(world, name), permit_id=p.pk, reason="x")
    assert not ps.search_permits(world.user(name), {}).exists()


def test_regulator_sees_but_may_not_act(world):
    p = issued(world)
    assert ps.get_permit(world.user("coordinator_x"), p.pk) == p
    with pytest.raises(Forbidden):
        ps.permit_cancel(actor=actor(world, "coordinator_x"), permit_id=p.pk, reason="x")
    with pytest.raises(Forbidden):
        ps.regulator_overview(world.user("principal_a"))
    assert ps.regulator_overview(world.user("coordinator_y")) == []


def test_permit_counts_as_the_commitment_notice_counts(world):
    from anjian.people.commitment_counts import compare

    p = issued(world)
    a, _b, g = crew(world)
    h = apply(world, [worker(world.chem_a, "架子工")], g, kind="lifting", grade="first")
    ps.permit_issue(actor=actor(world, "principal_a"), permit_id=h.pk)
    apply(world, [a], g)  # a draft is no work
    counts = ps.permit_counts(world.chem_a.pk, timezone.localdate())
    assert counts["hot_work_first"] == 1 and counts["lifting"] == 1
    assert sum(counts.values()) == 2
    assert ps.permit_counts(world.chem_c.pk, timezone.localdate())["hot_work_first"] == 0
    declared = {**dict.fromkeys(counts, 0), "hot_work_first": 1}
    diffs = compare(world.chem_a.pk, timezone.localdate(), declared)
    assert diffs == [("lifting", 0, 1)]
    assert p.state == wf.ISSUED
    assert Permit.objects.count() == 3

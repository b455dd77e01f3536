"""The daily safety-code job's bulk path (risks.code_batch): same codes, history rows and
audit entries as the one-enterprise path, on SQLite and PostgreSQL; idempotent; a change
another writer made first is not written twice."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from anjian.core.audit import Actor, audit_verify
from anjian.core.models import AuditEntry
from anjian.registry.models import Enterprise
from anjian.risks import code_batch, services
from anjian.risks import safety_code as code_rules
from anjian.risks.models import RiskState, SafetyCode


@pytest.fixture
def varied(world):
    """Different inputs per enterprise: a yellow unit and an open major hazard at chem_a,
    nothing at the others."""
    from tests.hazards.helpers import MAJOR_ITEM, report

    a = Actor.for_user(world.user("safety_a"), "web")
    obj = services.risk_object_create(
        actor=a, enterprise_id=world.chem_a.pk, kind="area", name="罐区"
    )
    unit = services.risk_unit_create(
        actor=a,
        enterprise_id=world.chem_a.pk,
        data={
            "name": "1号储罐区",
            "risk_object_id": obj.pk,
            "responsible_department": "储运车间",
            "responsible_person": "王工",
            "control_level": "workshop",
        },
    )
    services.risk_unit_assess(
        actor=a, unit_id=unit.pk, method="lec", inputs={"L": 3, "E": 6, "C": 7}
    )
    report(world, major_item=MAJOR_ITEM)
    return world


def snapshot() -> dict[int, tuple]:
    return {
        s.enterprise_id: (
            s.highest_colour,
            s.code_colour,
            s.code.colour,
            s.code.score,
            s.code.terms,
            s.code.policy,
            s.code.reason,
        )
        for s in RiskState.objects.select_related("code")
    }


def expected(policy_name: str | None = None) -> dict[int, tuple]:
    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    inputs = services.gather_inputs(ids)
    out = {}
    for pk in ids:
        result = code_rules.compute(inputs[pk], code_rules.get_policy(policy_name))
        out[pk] = (
            inputs[pk].highest_unit_colour,
            result.colour,
            result.colour,
            str(result.score),
            result.as_dict()["terms"],
            result.policy,
            result.reason,
        )
    return out


def job_audits() -> int:
    return AuditEntry.objects.filter(action="safety_codes_recompute").count()


def test_given_varied_enterprises_when_job_runs_then_codes_match_the_rules_and_single_path(
    varied,
):
    RiskState.objects.all().delete()  # the on-commit recomputes above wrote chem_a's
    SafetyCode.objects.all().delete()
    audits, per_enterprise = job_audits(), AuditEntry.objects.filter(action="safety_code").count()

    stats = services.safety_codes_recompute_all(trigger="test", batch_size=3)

    assert stats == {"enterprises": 4, "changed": 4}
    assert snapshot() == expected()
    assert all(
        s.code.enterprise_id == s.enterprise_id for s in RiskState.objects.select_related("code")
    )
    assert set(SafetyCode.objects.values_list("trigger", flat=True)) == {"test"}
    assert SafetyCode.objects.values("token").distinct().count() == 4
    states = list(RiskState.objects.all())
    assert all(s.valid_until - s.checked_at == dt.timedelta(days=30) for s in states)
    # One summary entry for the run, none per enterprise (as before the bulk path).
    assert job_audits() == audits + 1
    assert AuditEntry.objects.filter(action="safety_code").count() == per_enterprise
    entry = AuditEntry.objects.filter(action="safety_codes_recompute").order_by("-seq").first()
    assert entry.changes == {"enterprises": 4, "changed": 4, "trigger": "test"}
    assert entry.summary == "4 / 4"
    audit_verify()
    # The one-enterprise path agrees: nothing to change, no history row.
    for pk in expected():
        services.safety_code_recompute(enterprise_id=pk, trigger="single")
    assert SafetyCode.objects.count() == 4


def test_given_codes_when_policy_changes_and_back_then_history_and_idempotent(varied):
    services.safety_codes_recompute_all(trigger="test")
    before = SafetyCode.objects.count()
    checked = dict(RiskState.objects.values_list("enterprise_id", "checked_at"))

    assert services.safety_codes_recompute_all(trigger="again") == {
        "enterprises": 4,
        "changed": 0,
    }
    assert SafetyCode.objects.count() == before
    # Unchanged codes still get a fresh validity.
    assert all(s.checked_at > checked[s.enterprise_id] for s in RiskState.objects.all())

    strict = services.safety_codes_recompute_all(trigger="strict", policy_name="strict")
    assert strict == {"enterprises": 4, "changed": 4}
    assert snapshot() == expected("strict")
    assert all(
        s.valid_until - s.checked_at == dt.timedelta(days=15) for s in RiskState.objects.all()
    )
    assert SafetyCode.objects.filter(trigger="strict").count() == 4
    states = RiskState.objects.select_related("code")
    assert {s.code.trigger for s in states} == {"strict"}
    assert services.safety_codes_recompute_all(trigger="x", policy_name="strict")["changed"] == 0

    assert services.safety_codes_recompute_all(trigger="back")["changed"] == 4
    assert snapshot() == expected()
    assert SafetyCode.objects.count() == before + 8


def test_given_a_stale_plan_when_applied_then_changes_made_meanwhile_are_not_written_twice(
    varied,
):
    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    services.safety_codes_recompute_all(trigger="test")
    RiskState.objects.filter(enterprise=varied.build_b).delete()
    memo = code_batch.Memo(code_rules.get_policy("strict"))
    with transaction.atomic():
        plan = code_batch.plan_batch(ids, services.gather_inputs(ids), memo)
    assert len(plan.moves) == 4 and not plan.unchanged
    # Meanwhile another writer moves chem_a and gives build_b a state.
    services.safety_code_recompute(
        enterprise_id=varied.chem_a.pk, trigger="other", policy_name="strict"
    )
    services.safety_code_recompute(
        enterprise_id=varied.build_b.pk, trigger="other", policy_name="strict"
    )
    history = SafetyCode.objects.count()

    now = timezone.now()
    with transaction.atomic():
        written = code_batch.apply_plan(
            plan, trigger="stale", now=now, valid_until=now + dt.timedelta(days=15)
        )

    assert written == 2
    assert SafetyCode.objects.count() == history + 2
    codes = dict(RiskState.objects.values_list("enterprise_id", "code__trigger"))
    assert codes == {
        varied.chem_a.pk: "other",
        varied.build_b.pk: "other",
        varied.chem_c.pk: "stale",
        varied.ess_d.pk: "stale",
    }
    assert snapshot() == expected("strict")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("policy_name", [None, "strict"])
def test_given_two_jobs_at_once_then_each_change_is_written_once(policy_name):
    from tests.world import build_world

    build_world()
    if policy_name:  # codes exist already; the runs move every one of them
        services.safety_codes_recompute_all(trigger="setup")
    history = SafetyCode.objects.count()
    barrier = threading.Barrier(2)
    results: dict[int, dict] = {}

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = services.safety_codes_recompute_all(
                trigger=f"run{i}", policy_name=policy_name, batch_size=2
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 2
    assert sum(r["changed"] for r in results.values()) == 4
    assert SafetyCode.objects.count() == history + 4
    assert snapshot() == expected(policy_name)
    assert services.safety_codes_recompute_all(policy_name=policy_name)["changed"] == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_given_a_job_batch_waiting_on_a_single_recompute_then_no_second_history_row():
    """The conditional UPDATE: the batch planned before the single recompute committed;
    after waiting for its row lock it finds the state moved and writes nothing for it."""
    from tests.world import build_world

    world = build_world()
    services.safety_codes_recompute_all(trigger="setup")
    planned, recomputed = threading.Event(), threading.Event()
    original = code_batch.apply_plan

    def slow_apply(plan, **kw):
        planned.set()
        assert recomputed.wait(30)
        return original(plan, **kw)

    results: dict[str, dict] = {}

    def job() -> None:
        try:
            code_batch.apply_plan = slow_apply
            results["job"] = services.safety_codes_recompute_all(
                trigger="job", policy_name="strict"
            )
        finally:
            code_batch.apply_plan = original
            connections.close_all()

    thread = threading.Thread(target=job)
    thread.start()
    try:
        assert planned.wait(30)
        services.safety_code_recompute(
            enterprise_id=world.chem_a.pk, trigger="single", policy_name="strict"
        )
    finally:
        recomputed.set()
        thread.join(60)
    assert results["job"]["changed"] == 3
    assert SafetyCode.objects.filter(enterprise=world.chem_a).count() == 2
    assert RiskState.objects.get(enterprise=world.chem_a).code.trigger == "single"


ROLLUP_READERS = ["coordinator_x", "officer_emergency_x", "grid_x1", "expert_x", "platform_admin"]


def colours() -> dict[int, str]:
    return dict(RiskState.objects.values_list("enterprise_id", "code_colour"))


def assert_rollup_counts_colours(world) -> None:
    from anjian.registry.tally import enterprise_tally_check, tally_colours

    report = enterprise_tally_check()
    assert report["ok"], report
    for name in ROLLUP_READERS:
        user = world.user(name)
        assert tally_colours(user) == services.counted_colours(user), name
        assert services.colour_counts(user) == services.counted_colours(user), name


def test_given_codes_change_colour_then_the_enterprise_rollup_counts_them(varied):
    # The one-enterprise path: a first code, then the same again (no move).
    for pk in Enterprise.objects.values_list("pk", flat=True):
        services.safety_code_recompute(enterprise_id=pk, trigger="single")
        assert_rollup_counts_colours(varied)
    services.safety_code_recompute(enterprise_id=varied.chem_a.pk, trigger="single")
    assert_rollup_counts_colours(varied)
    for pk in Enterprise.objects.values_list("pk", flat=True):
        services.safety_code_recompute(enterprise_id=pk, trigger="single", policy_name="strict")
        assert_rollup_counts_colours(varied)
    services.safety_codes_recompute_all(trigger="test")
    assert_rollup_counts_colours(varied)
    before = colours()

    services.safety_codes_recompute_all(trigger="strict", policy_name="strict")

    assert colours() != before  # the strict policy grades some enterprise another colour
    assert_rollup_counts_colours(varied)
    services.safety_codes_recompute_all(trigger="back")
    assert colours() == before
    assert_rollup_counts_colours(varied)


def test_given_staff_then_colours_are_counted_not_summed(varied):
    from anjian.registry.tally import tally_colours

    services.safety_codes_recompute_all(trigger="test")
    staff = varied.user("safety_a")
    assert tally_colours(staff) is None
    assert services.colour_counts(staff) == services.counted_colours(staff)
    assert sum(services.colour_counts(staff).values()) == 1

"""The enterprise rollup (anjian.registry.tally): kept by the registry services, equal to a
recount, and the home page's figures read from it equal the figures counted."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from anjian.core.audit import Actor
from anjian.registry import services
from anjian.registry.home_tiles import _counted, figures
from anjian.registry.models import EnterpriseTally, EnterpriseTallyKey, Industry
from anjian.registry.tally import (
    enterprise_tally_check,
    enterprise_tally_rebuild,
    enterprise_tally_recolour,
    enterprise_tally_refresh,
    tally_colours,
    tally_figures,
)
from tests.world import make_uscc

REGULATORS = ["coordinator_x", "coordinator_y", "officer_emergency_x", "grid_x1", "expert_x"]


def actor(world, name: str) -> Actor:
    return Actor.for_user(world.user(name), "web")


def new_enterprise(world, serial: int = 99, **over):
    data = {
        "name": f"东县新建化工有限公司{serial}",
        "uscc": make_uscc(serial),
        "division_id": world.grid_x1.pk,
        "address": "东镇工业园1号",
        "industry_id": Industry.objects.get(code="HR-HAZCHEM").pk,
        "scale": "small",
        "employees": 20,
        "legal_representative": "王五",
        "principal": "赵六",
        **over,
    }
    return services.enterprise_create(actor=actor(world, "coordinator_x"), data=data)


def assert_matches_recount() -> None:
    report = enterprise_tally_check()
    assert report["ok"], report


@pytest.mark.parametrize("persona", [*REGULATORS, "platform_admin"])
def test_given_the_world_when_figures_read_then_rollup_equals_counting(world, persona):
    user = world.user(persona)
    assert tally_figures(user) == _counted(user)


def test_given_services_change_enterprises_then_rollup_follows(world):
    assert_matches_recount()
    ent = new_enterprise(world, has_key_process=True)
    assert_matches_recount()
    services.enterprise_update(
        actor=actor(world, "coordinator_x"),
        enterprise_id=ent.pk,
        data={"status": "suspended", "division_id": world.grid_x2.pk, "has_key_process": False},
    )
    assert_matches_recount()
    services.duty_override(
        actor=actor(world, "coordinator_x"),
        enterprise_id=ent.pk,
        lead_department_id=None,
        cooperating_department_ids=[world.housing_x.pk],
        reason="测试",
    )
    assert_matches_recount()
    coordinator = world.user("coordinator_x")
    assert tally_figures(coordinator) == _counted(coordinator)
    assert tally_figures(coordinator)["gaps"] == 2  # ess_d and the new one


def test_given_a_rule_change_when_rederiving_all_then_rollup_follows(world):
    new_enterprise(world)
    services.duties_rederive_all(actor=actor(world, "coordinator_x"))
    assert_matches_recount()


def test_given_refresh_twice_then_counted_once(world):
    ent = new_enterprise(world)
    assert enterprise_tally_refresh(enterprise_ids=[ent.pk, ent.pk]) == 0
    assert_matches_recount()


def test_given_a_new_colour_when_recoloured_twice_then_moved_once(world):
    from anjian.risks.models import RiskState

    RiskState.objects.create(enterprise=world.chem_a, code_colour="yellow")
    # As the risk services do after writing the state: the colour moves in the rollup.
    assert enterprise_tally_recolour(colours={world.chem_a.pk: "yellow"}) == 1
    assert_matches_recount()
    assert enterprise_tally_recolour(colours={world.chem_a.pk: "yellow"}) == 0
    RiskState.objects.filter(enterprise=world.chem_a).update(code_colour="red")
    assert enterprise_tally_recolour(colours={world.chem_a.pk: "red"}) == 1
    assert_matches_recount()
    assert tally_colours(world.user("coordinator_x")) == {"red": 1}
    assert EnterpriseTallyKey.objects.get(pk=world.chem_a.pk).code_colour == "red"


def test_given_an_enterprise_not_in_the_rollup_when_recoloured_then_its_whole_group_is_counted(
    world,
):
    from anjian.risks.models import RiskState

    # As after a bulk load that has not been rebuilt yet: no keys, no counters.
    EnterpriseTally.objects.all().delete()
    EnterpriseTallyKey.objects.all().delete()
    RiskState.objects.create(enterprise=world.chem_a, code_colour="blue")
    assert enterprise_tally_recolour(colours={world.chem_a.pk: "blue"}) == 1
    key = EnterpriseTallyKey.objects.get(pk=world.chem_a.pk)
    assert (key.division, key.code_colour) == (world.chem_a.division_id, "blue")
    assert EnterpriseTally.objects.get(code_colour="blue").n == 1


def test_given_a_stale_rollup_when_rebuilt_then_repaired_and_idempotent(world):
    EnterpriseTally.objects.all().update(n=7)
    EnterpriseTallyKey.objects.filter(enterprise_id=world.chem_a.pk).delete()
    report = enterprise_tally_check()
    assert not report["ok"] and report["rows_wrong"] and report["keys_stale"] == 1
    assert not enterprise_tally_rebuild()["ok"]
    assert enterprise_tally_rebuild()["ok"]  # nothing left to repair
    assert_matches_recount()
    out = io.StringIO()
    call_command("enterprise_tally", "--check", stdout=out)
    assert '"ok": true' in out.getvalue()


def test_given_home_tile_then_figures_come_from_rollup(world):
    user = world.user("coordinator_x")
    EnterpriseTally.objects.all().update(n=0)  # the tile reads the counters, not the table
    assert figures(user)["figures"]["total"] == 0
    enterprise_tally_rebuild()
    assert figures(user)["figures"]["total"] == 3


def test_given_enterprise_staff_then_no_grouped_scope(world):
    assert tally_figures(world.user("principal_a")) is None

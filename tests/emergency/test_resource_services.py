"""Resource services: who keeps what (the enterprise its own, regulators the government's
in their subtree), scoping (another county and an outsider see nothing), validation,
retiring (never deleting) and every refusal; each change audited."""

from __future__ import annotations

import pytest

from anjian.core import scoping
from anjian.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from anjian.core.models import AuditEntry
from anjian.emergency import resource_services as services
from anjian.emergency.models import RescueTeam, Supply, SupplyKind, Warehouse
from tests.emergency.test_resource_support import (
    act,
    enterprise_warehouse,
    government_warehouse,
    kind,
    supply,
    team_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_given_the_migration_then_the_catalogue_has_kinds_with_gb6441_types():
    services.ensure_supply_kinds()
    assert 30 <= SupplyKind.objects.count() <= 70
    breathing = SupplyKind.objects.get(name="正压式空气呼吸器")
    assert breathing.unit == "套" and "19" in breathing.accident_types
    assert "12" in SupplyKind.objects.get(name="大流量排水泵").accident_types
    assert services.ensure_supply_kinds() == 0  # idempotent


def test_given_enterprise_safety_officer_when_creating_team_then_kept_by_the_enterprise(world):
    team = services.team_create(
        actor=act(world, "safety_a"),
        data=team_data(roster=[{"name": "张一", "speciality": "堵漏", "phone": "138"}]),
    )
    assert team.enterprise == world.chem_a
    assert team.division == world.chem_a.division
    assert team.members == 1 and list(team.roster.values_list("name", flat=True)) == ["张一"]
    entry = AuditEntry.objects.get(object_type="emergency.rescueteam", object_id=str(team.pk))
    assert entry.action == "create" and entry.changes["roster"][0]["name"] == "张一"


def test_given_enterprise_staff_when_sending_a_division_then_it_is_ignored(world):
    team = services.team_create(
        actor=act(world, "principal_a"), data=team_data(division=world.county_y.pk)
    )
    assert team.division == world.chem_a.division


def test_given_coordinator_when_creating_then_government_resource_in_own_division(world):
    house = government_warehouse(world)
    assert house.enterprise is None and house.division == world.county_x


def test_given_coordinator_when_placing_in_a_subdivision_then_allowed(world):
    team = services.team_create(
        actor=act(world, "coordinator_x"), data=team_data(division=world.town_x.pk)
    )
    assert team.division == world.town_x


def test_given_coordinator_when_placing_in_another_county_then_422(world):
    with pytest.raises(ValidationFailed) as exc:
        services.team_create(
            actor=act(world, "coordinator_x"), data=team_data(division=world.county_y.pk)
        )
    assert "division" in exc.value.errors
    assert not RescueTeam.objects.exists()


@pytest.mark.parametrize(
    "persona", ["employee_a", "grid_x1", "expert_x", "outsider", "audit_admin"]
)
def test_given_a_non_keeper_when_creating_then_forbidden(world, persona):
    with pytest.raises(Forbidden):
        services.team_create(actor=act(world, persona), data=team_data())
    assert not RescueTeam.objects.exists()


def test_given_bad_values_then_every_field_error_at_once(world):
    with pytest.raises(ValidationFailed) as exc:
        services.team_create(
            actor=act(world, "coordinator_x"),
            data={
                "name": "",
                "kind": "army",
                "specialities": ["flying"],
                "duty_phone": "",
                "latitude": "91",
                "longitude": "abc",
                "members": -1,
                "colour": "red",
            },
        )
    assert set(exc.value.errors) >= {
        "name",
        "kind",
        "specialities",
        "duty_phone",
        "latitude",
        "longitude",
        "members",
        "colour",
    }


@pytest.mark.parametrize(("lat", "lon"), [("-90", "-180"), ("90", "180"), ("0", "0")])
def test_given_boundary_coordinates_then_accepted(world, lat, lon):
    team = services.team_create(
        actor=act(world, "coordinator_x"), data=team_data(latitude=lat, longitude=lon)
    )
    assert str(team.latitude) == f"{lat}.000000"


@pytest.mark.parametrize(
    ("persona", "sees_government", "sees_enterprise"),
    [
        ("coordinator_x", True, True),
        ("officer_emergency_x", True, True),
        ("principal_a", False, True),
        ("employee_a", False, True),
        ("coordinator_y", False, False),
        ("principal_c", False, False),
        ("outsider", False, False),
    ],
)
def test_given_resources_when_personas_read_then_only_those_in_scope_see_them(
    world, persona, sees_government, sees_enterprise
):
    gov = government_warehouse(world)
    ent = enterprise_warehouse(world)
    seen = set(scoping.visible(world.user(persona), Warehouse).values_list("pk", flat=True))
    assert (gov.pk in seen) is sees_government
    assert (ent.pk in seen) is sees_enterprise


def test_given_government_resource_when_enterprise_staff_update_then_not_found(world):
    house = government_warehouse(world)
    with pytest.raises(NotFound):
        services.warehouse_update(
            actor=act(world, "principal_a"), pk=house.pk, data={"keeper": "x"}
        )


def test_given_enterprise_resource_when_regulator_updates_then_forbidden(world):
    house = enterprise_warehouse(world)
    with pytest.raises(Forbidden):
        services.warehouse_update(
            actor=act(world, "coordinator_x"), pk=house.pk, data={"keeper": "x"}
        )


def test_given_other_county_when_updating_then_not_found(world):
    house = government_warehouse(world)
    for persona in ("coordinator_y", "principal_c", "outsider"):
        with pytest.raises(NotFound):
            services.warehouse_update(actor=act(world, persona), pk=house.pk, data={"keeper": "x"})


def test_given_employee_when_updating_own_enterprise_resource_then_forbidden(world):
    house = enterprise_warehouse(world)
    with pytest.raises(Forbidden):
        services.warehouse_update(actor=act(world, "employee_a"), pk=house.pk, data={"keeper": "x"})


def test_given_a_team_when_updating_then_changes_audited_and_roster_replaced(world):
    team = services.team_create(actor=act(world, "safety_a"), data=team_data())
    updated = services.team_update(
        actor=act(world, "principal_a"),
        pk=team.pk,
        data={"leader": "王强", "roster": [{"name": "甲"}, {"name": "乙", "phone": "139"}]},
    )
    assert updated.leader == "王强" and updated.members == 2
    entry = AuditEntry.objects.get(
        object_type="emergency.rescueteam", object_id=str(team.pk), action="update"
    )
    assert entry.changes["leader"] == ["", "王强"]


def test_given_no_change_when_updating_then_no_audit_entry(world):
    team = services.team_create(actor=act(world, "safety_a"), data=team_data())
    services.team_update(actor=act(world, "safety_a"), pk=team.pk, data={"name": team.name})
    assert not AuditEntry.objects.filter(object_id=str(team.pk), action="update").exists()


def test_given_a_stale_updated_at_then_conflict(world):
    team = services.team_create(actor=act(world, "safety_a"), data=team_data())
    seen = team.updated_at.isoformat()
    services.team_update(actor=act(world, "safety_a"), pk=team.pk, data={"leader": "甲"})
    with pytest.raises(Conflict):
        services.team_update(
            actor=act(world, "safety_a"),
            pk=team.pk,
            data={"leader": "乙"},
            expected_updated_at=seen,
        )


def test_given_the_division_on_update_then_refused(world):
    house = government_warehouse(world)
    with pytest.raises(ValidationFailed) as exc:
        services.warehouse_update(
            actor=act(world, "coordinator_x"), pk=house.pk, data={"division": world.town_x.pk}
        )
    assert "division" in exc.value.errors


def test_given_a_resource_when_retired_then_kept_inactive_and_retiring_again_conflicts(world):
    for kind_name, data in (
        ("team", team_data()),
        ("warehouse", {"name": "库"}),
        ("expert", {"name": "刘洋", "phone": "13800000001"}),
        ("shelter", {"name": "广场", "capacity": 300}),
    ):
        row = services.resource_create(actor=act(world, "coordinator_x"), kind=kind_name, data=data)
        services.resource_retire(actor=act(world, "coordinator_x"), kind=kind_name, pk=row.pk)
        row.refresh_from_db()
        assert row.active is False
        with pytest.raises(Conflict):
            services.resource_retire(actor=act(world, "coordinator_x"), kind=kind_name, pk=row.pk)
        with pytest.raises(Conflict):
            services.resource_update(
                actor=act(world, "coordinator_x"), kind=kind_name, pk=row.pk, data={"name": "x"}
            )
        assert (
            AuditEntry.objects.filter(
                object_type=row._meta.label_lower, object_id=str(row.pk), action="retire"
            ).count()
            == 1
        )


def test_given_a_warehouse_when_adding_a_supply_then_kept_and_audited(world):
    house = enterprise_warehouse(world)
    row = supply(world, house, who="safety_a", expires_on="2027-01-31", batch="B1")
    assert row.kind.code == "M03-01" and row.quantity == 20
    assert AuditEntry.objects.filter(object_type="emergency.supply", object_id=str(row.pk)).exists()


def test_given_a_kind_by_code_or_name_then_found(world):
    house = government_warehouse(world)
    by_code = supply(world, house, kind="E04-03")
    by_name = supply(world, house, kind="沙袋")
    assert by_code.kind == by_name.kind == kind("E04-03")


def test_given_bad_supply_values_then_every_error(world):
    house = government_warehouse(world)
    with pytest.raises(ValidationFailed) as exc:
        services.supply_create(
            actor=act(world, "coordinator_x"),
            warehouse_id=house.pk,
            data={
                "kind": "no-such",
                "quantity": "x",
                "minimum": -1,
                "expires_on": "31/12",
                "state": "?",
            },
        )
    assert set(exc.value.errors) == {"kind", "quantity", "minimum", "expires_on", "state"}


def test_given_other_keepers_warehouse_when_adding_supply_then_refused(world):
    ent = enterprise_warehouse(world)
    gov = government_warehouse(world)
    with pytest.raises(Forbidden):
        supply(world, ent, who="coordinator_x")
    with pytest.raises(NotFound):
        supply(world, gov, who="principal_a")
    with pytest.raises(NotFound):
        supply(world, gov, who="coordinator_y")


def test_given_a_retired_warehouse_when_adding_supply_then_conflict(world):
    house = government_warehouse(world)
    services.warehouse_retire(actor=act(world, "coordinator_x"), pk=house.pk)
    with pytest.raises(Conflict):
        supply(world, house)


def test_given_a_supply_when_scrapped_then_final(world):
    house = government_warehouse(world)
    row = supply(world, house)
    services.supply_retire(actor=act(world, "coordinator_x"), pk=row.pk, reason="过期")
    row.refresh_from_db()
    assert row.state == "scrapped"
    with pytest.raises(Conflict):
        services.supply_update(actor=act(world, "coordinator_x"), pk=row.pk, data={"quantity": 1})
    with pytest.raises(Conflict):
        services.supply_retire(actor=act(world, "coordinator_x"), pk=row.pk)
    assert Supply.objects.filter(pk=row.pk).exists()

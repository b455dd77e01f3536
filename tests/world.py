"""A small two-county world with one persona per role, shared by every test module.

County X (330101) and county Y (330102) sit in one city; X has three enterprises, Y one.
Personas sit in X unless their name says Y; `outsider` has no role and must see nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from anjian.accounts.models import ApiToken, Role, User, hash_token
from anjian.checks.library import ensure_library
from anjian.registry.models import (
    Department,
    Division,
    Enterprise,
    Industry,
    Licence,
)
from anjian.registry.reference import ensure_reference
from anjian.registry.services import _rederive_duties
from anjian.registry.tally import enterprise_tally_refresh
from anjian.registry.uscc import check_character
from anjian.risks.reference import ensure_coupling_rules

PASSWORD = "correct-horse-battery-9"


def make_uscc(serial: int, division_code: str = "330101") -> str:
    first17 = f"91{division_code}{serial:09d}"
    return first17 + check_character(first17)


@dataclass
class World:
    province: Division
    city: Division
    county_x: Division
    county_y: Division
    town_x: Division
    grid_x1: Division
    grid_x2: Division
    town_y: Division
    grid_y1: Division
    emergency_x: Department
    housing_x: Department
    fire_x: Department
    emergency_y: Department
    chem_a: Enterprise  # X, grid 1, hazardous chemicals (emergency leads)
    build_b: Enterprise  # X, grid 2, construction (housing leads)
    ess_d: Enterprise  # X, grid 1, energy storage: no lead (a supervision gap)
    chem_c: Enterprise  # Y, hazardous chemicals
    users: dict[str, User]

    def user(self, name: str) -> User:
        return self.users[name]

    def token(self, name: str) -> str:
        raw = ApiToken.new_raw_key()
        ApiToken.objects.create(
            user=self.users[name], name=f"test-{name}", key_hash=hash_token(raw), prefix=raw[:8]
        )
        return raw


def division(code: str, name: str, level: str, parent: Division | None = None) -> Division:
    return Division.objects.create(code=code, name=name, level=level, parent=parent)


def enterprise(serial: int, name: str, grid: Division, industry_code: str, **extra) -> Enterprise:
    county_code = grid.code[:6]
    ent = Enterprise.objects.create(
        name=name,
        uscc=make_uscc(serial, county_code),
        division=grid,
        address=f"{grid.name}{serial}号",
        industry=Industry.objects.get(code=industry_code),
        scale="small",
        employees=50,
        legal_representative="张三",
        principal="李四",
        **extra,
    )
    _rederive_duties(ent)
    enterprise_tally_refresh(enterprise_ids=[ent.pk])  # as enterprise_create counts it
    return ent


def build_world() -> World:
    # A transactional test elsewhere on this worker may have flushed the migrations' data.
    ensure_reference()
    ensure_coupling_rules()
    ensure_library()
    province = division("330000", "测试省", "province")
    city = division("330100", "测试市", "city", province)
    county_x = division("330101", "东县", "county", city)
    county_y = division("330102", "西县", "county", city)
    town_x = division("330101001", "东镇", "township", county_x)
    grid_x1 = division("330101001001", "东镇一网格", "grid", town_x)
    grid_x2 = division("330101001002", "东镇二网格", "grid", town_x)
    town_y = division("330102001", "西镇", "township", county_y)
    grid_y1 = division("330102001001", "西镇一网格", "grid", town_y)

    def dept(div: Division, kind: str, name: str) -> Department:
        return Department.objects.create(division=div, kind=kind, name=name)

    emergency_x = dept(county_x, "emergency", "东县应急管理局")
    housing_x = dept(county_x, "housing", "东县住房和城乡建设局")
    fire_x = dept(county_x, "fire", "东县消防救援大队")
    dept(county_x, "public_security", "东县公安局")
    emergency_y = dept(county_y, "emergency", "西县应急管理局")

    chem_a = enterprise(1, "东县甲化工有限公司", grid_x1, "HR-HAZCHEM", has_major_hazard=True)
    build_b = enterprise(2, "东县乙建筑工程有限公司", grid_x2, "HR-CONSTR")
    ess_d = enterprise(4, "东县丁储能电站有限公司", grid_x1, "NB-ESS")
    chem_c = enterprise(3, "西县丙化工有限公司", grid_y1, "HR-HAZCHEM")
    Licence.objects.create(
        enterprise=chem_a,
        kind="hazchem_operation",
        number="浙T安经(2024)001",
        expires_on="2027-06-30",
    )

    def user(name: str, role: str, **where) -> User:
        u = User.objects.create_user(
            username=name, password=PASSWORD, role=role, display_name=name, **where
        )
        return u

    users = {
        "platform_admin": user("platform_admin", Role.PLATFORM_ADMIN),
        "security_admin": user("security_admin", Role.SECURITY_ADMIN),
        "audit_admin": user("audit_admin", Role.AUDIT_ADMIN),
        "coordinator_x": user("coordinator_x", Role.COORDINATOR, division=county_x),
        "coordinator_y": user("coordinator_y", Role.COORDINATOR, division=county_y),
        "officer_emergency_x": user(
            "officer_emergency_x",
            Role.DEPARTMENT_OFFICER,
            division=county_x,
            department=emergency_x,
        ),
        "officer_housing_x": user(
            "officer_housing_x", Role.DEPARTMENT_OFFICER, division=county_x, department=housing_x
        ),
        "grid_x1": user("grid_x1", Role.GRID_OFFICER, division=grid_x1),
        "expert_x": user("expert_x", Role.EXPERT, division=county_x),
        "principal_a": user("principal_a", Role.ENTERPRISE_PRINCIPAL, enterprise=chem_a),
        "safety_a": user("safety_a", Role.ENTERPRISE_SAFETY_OFFICER, enterprise=chem_a),
        "employee_a": user("employee_a", Role.ENTERPRISE_EMPLOYEE, enterprise=chem_a),
        "principal_c": user("principal_c", Role.ENTERPRISE_PRINCIPAL, enterprise=chem_c),
        "outsider": user("outsider", ""),
    }
    return World(
        province,
        city,
        county_x,
        county_y,
        town_x,
        grid_x1,
        grid_x2,
        town_y,
        grid_y1,
        emergency_x,
        housing_x,
        fire_x,
        emergency_y,
        chem_a,
        build_b,
        ess_d,
        chem_c,
        users,
    )


# Which enterprises each persona must see (by attribute name on World); the isolation
# tests check every list, detail and API endpoint against this table.
EXPECTED_ENTERPRISES: dict[str, set[str]] = {
    "platform_admin": {"chem_a", "build_b", "ess_d", "chem_c"},
    "security_admin": set(),
    "audit_admin": set(),
    "coordinator_x": {"chem_a", "build_b", "ess_d"},
    "coordinator_y": {"chem_c"},
    "officer_emergency_x": {"chem_a"},
    "officer_housing_x": {"build_b"},
    "grid_x1": {"chem_a", "ess_d"},
    "expert_x": {"chem_a", "build_b", "ess_d"},
    "principal_a": {"chem_a"},
    "safety_a": {"chem_a"},
    "employee_a": {"chem_a"},
    "principal_c": {"chem_c"},
    "outsider": set(),
}

"""A fictional county, built deterministically from a seed.

安澜县 (code 330599, not an official code: the county is fictional) sits under the real
浙江省 (330000) and 湖州市 (330500). Same seed, same county: names, credit codes and
assignments repeat exactly; licence expiry dates are relative to the load date so that
"expiring soon" stays meaningful.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from anjian.accounts.models import Role, User
from anjian.core.audit import Actor, audit_append
from anjian.registry import geometry, services
from anjian.registry.models import (
    Department,
    DepartmentKind,
    Division,
    DutyAssignment,
    Enterprise,
    Industry,
    Licence,
)
from anjian.registry.reference import ensure_reference
from anjian.registry.uscc import generate as generate_uscc
from anjian.risks.reference import ensure_coupling_rules

DEMO_PASSWORD = "anjian-demo-2026"  # noqa: S105 - printed by `make demo` on purpose
COUNTY_CODE = "330599"
COUNTY_NAME = "安澜县"
CENTRE = (Decimal("120.10"), Decimal("30.87"))

TOWNSHIPS = [
    ("001", "城关街道"),
    ("002", "安澜街道"),
    ("003", "滨湖街道"),
    ("101", "新市镇"),
    ("102", "青山镇"),
    ("103", "临溪镇"),
    ("104", "石门镇"),
    ("105", "双桥镇"),
    ("106", "白沙镇"),
    ("201", "龙潭乡"),
    ("202", "竹林乡"),
    ("203", "云岭乡"),
]

DEPARTMENTS = [
    (DepartmentKind.EMERGENCY, "应急管理局"),
    (DepartmentKind.PUBLIC_SECURITY, "公安局"),
    (DepartmentKind.TRANSPORT, "交通运输局"),
    (DepartmentKind.HOUSING, "住房和城乡建设局"),
    (DepartmentKind.FIRE, "消防救援大队"),
    (DepartmentKind.MARKET, "市场监督管理局"),
    (DepartmentKind.INDUSTRY_IT, "经济和信息化局"),
    (DepartmentKind.NATURAL_RESOURCES, "自然资源和规划局"),
    (DepartmentKind.AGRICULTURE, "农业农村局"),
    (DepartmentKind.CULTURE_TOURISM, "文化和广电旅游体育局"),
    (DepartmentKind.COMMERCE, "商务局"),
    (DepartmentKind.EDUCATION, "教育局"),
    (DepartmentKind.HEALTH, "卫生健康局"),
    (DepartmentKind.WATER, "水利局"),
    (DepartmentKind.ENERGY, "发展和改革局"),
]

# industry code → (weight, name words, licence kind or None)
INDUSTRY_MIX: dict[str, tuple[float, tuple[str, ...], str | None]] = {
    "HR-HAZCHEM": (8, ("化工", "新材料", "精细化工", "化学品"), "hazchem_operation"),
    "HR-IT-MET": (3, ("金属制品", "钢铁", "铸造"), None),
    "HR-IT-NFM": (2, ("铝业", "铜业", "有色金属"), None),
    "HR-IT-BLD": (4, ("建材", "水泥制品", "新型墙材"), None),
    "HR-IT-MCH": (8, ("机械", "精密机械", "装备制造"), None),
    "HR-IT-LGT": (5, ("家具", "食品", "包装", "纸业"), None),
    "HR-IT-TXT": (5, ("纺织", "丝绸", "印染"), None),
    "HR-IT-TOB": (0.3, ("烟草物流",), None),
    "HR-IT-COM": (4, ("商贸", "仓储", "超市"), None),
    "HR-CONSTR": (8, ("建筑工程", "建设", "市政工程"), "safety_production"),
    "HR-TRANS": (6, ("物流", "运输", "客运"), "road_transport"),
    "HR-FIRE": (5, ("商场", "宾馆", "娱乐"), None),
    "HR-GAS": (2, ("燃气", "液化气"), "gas"),
    "HR-SPEQ": (3, ("电梯工程", "锅炉", "起重设备"), "special_equipment"),
    "HR-MINE": (2, ("矿业", "石料", "砂石"), "mining"),
    "HR-COAL": (0.4, ("煤业",), "mining"),
    "NB-COLD": (2, ("冷链物流", "冷藏"), None),
    "NB-EVCHG": (1.5, ("新能源", "充电科技"), None),
    "NB-ESS": (0.6, ("储能", "储能科技"), None),
    "C": (8, ("电子", "塑料制品", "五金"), None),
    "F": (6, ("贸易", "商行", "百货"), None),
    "H": (4, ("餐饮", "酒店", "农家乐"), None),
    "G": (2, ("快递", "仓储"), None),
    "E": (2, ("装饰工程", "安装工程"), None),
    "A": (2, ("农业", "养殖", "林场"), None),
    "D": (1, ("供水", "热电"), None),
    "R": (1, ("文化传媒", "体育"), None),
    "P": (0.5, ("培训学校",), None),
    "Q": (0.5, ("医院", "养老院"), None),
}

SCALES = [("large", 2), ("medium", 10), ("small", 45), ("micro", 43)]
EMPLOYEES = {"large": (300, 2000), "medium": (100, 299), "small": (10, 99), "micro": (1, 9)}

DEMO_USERS = [
    # username, role, where, display name
    ("admin", Role.PLATFORM_ADMIN, "none", "平台管理员"),
    ("secadmin", Role.SECURITY_ADMIN, "none", "安全保密管理员"),
    ("auditor", Role.AUDIT_ADMIN, "none", "安全审计员"),
    ("anweiban", Role.COORDINATOR, "county", "县安委办 王协调"),
    ("yingji", Role.DEPARTMENT_OFFICER, "emergency", "县应急管理局 李执法"),
    ("zhujian", Role.DEPARTMENT_OFFICER, "housing", "县住建局 陈监督"),
    ("xiangzhen", Role.COORDINATOR, "township", "乡镇安委办 周协调"),
    ("wangge", Role.GRID_OFFICER, "grid", "网格员 赵网格"),
    ("zhuanjia", Role.EXPERT, "county", "专家 孙工"),
    ("qiye_fzr", Role.ENTERPRISE_PRINCIPAL, "enterprise", "企业主要负责人"),
    ("qiye_aqy", Role.ENTERPRISE_SAFETY_OFFICER, "enterprise", "企业安全管理员"),
    ("qiye_yg", Role.ENTERPRISE_EMPLOYEE, "enterprise", "企业员工"),
]

Progress = Callable[[str, int, int], None]


def stderr_progress(label: str, done: int, total: int) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


@dataclass
class DemoReport:
    enterprises: int
    seconds: float  # the whole load
    enterprise_seconds: float  # generating and writing enterprises, duties and licences
    users: list[tuple[str, str, str]]  # username, role label, password
    risks: dict | None = None

    @property
    def rate(self) -> float:
        """Enterprises per second (password hashing of the demo users is not counted)."""
        return self.enterprises / self.enterprise_seconds if self.enterprise_seconds else 0.0


def _inside(
    cell: list[tuple[float, float]],
    centre: tuple[Decimal, Decimal],
    offset: tuple[Decimal, Decimal],
) -> tuple[Decimal, Decimal]:
    """The centre moved by `offset`, pulled back toward the centre until it lies in the
    township's area (the centre always does): dots stay inside their township."""
    for factor in (Decimal(1), Decimal("0.6"), Decimal("0.3")):
        point = (centre[0] + offset[0] * factor, centre[1] + offset[1] * factor)
        if geometry.contains(cell, (float(point[0]), float(point[1]))):
            return point
    return centre


def database_is_empty() -> bool:
    return not (Division.objects.exists() or Enterprise.objects.exists())


def build_demo(
    *,
    enterprises: int = 600,
    seed: int = 20261129,
    progress: Progress | None = None,
    batch_size: int = 2000,
) -> DemoReport:
    started = time.perf_counter()
    ensure_reference()
    ensure_coupling_rules()
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    actor = Actor.system("demo", "demo-loader")
    today = timezone.localdate()

    with transaction.atomic():
        province = Division.objects.create(code="330000", name="浙江省", level="province")
        city = Division.objects.create(code="330500", name="湖州市", level="city", parent=province)
        county = Division.objects.create(
            code=COUNTY_CODE, name=COUNTY_NAME, level="county", parent=city
        )
        grids: list[Division] = []
        town_centres: dict[int, tuple[Decimal, Decimal]] = {}
        for number, name in TOWNSHIPS:
            town = Division.objects.create(
                code=COUNTY_CODE + number, name=name, level="township", parent=county
            )
            centre = (
                CENTRE[0] + Decimal(rng.randint(-900, 900)) / 10000,
                CENTRE[1] + Decimal(rng.randint(-700, 700)) / 10000,
            )
            for g in range(1, rng.randint(4, 8) + 1):
                grid = Division.objects.create(
                    code=f"{town.code}{g:03d}", name=f"{name}第{g}网格", level="grid", parent=town
                )
                grids.append(grid)
                town_centres[grid.pk] = centre
        # The townships' areas for the map: Voronoi cells of their centres in the county's
        # box (the demo has no surveyed boundaries; anjian.registry.geometry).
        towns = {grid.parent_id: grid.parent for grid in grids}
        town_centre = {grid.parent_id: town_centres[grid.pk] for grid in grids}
        town_ids = list(towns)
        sites = [(float(town_centre[t][0]), float(town_centre[t][1])) for t in town_ids]
        box = (
            float(CENTRE[0]) - 0.12,
            float(CENTRE[1]) - 0.10,
            float(CENTRE[0]) + 0.12,
            float(CENTRE[1]) + 0.10,
        )
        town_cell = dict(zip(town_ids, geometry.voronoi_cells(sites, box), strict=True))
        for town_id, cell in town_cell.items():
            towns[town_id].boundary = geometry.as_geojson(cell)
        Division.objects.bulk_update(list(towns.values()), ["boundary"])
        county.boundary = geometry.as_geojson(
            [(box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])]
        )
        county.save(update_fields=["boundary"])
        grid_cell = {grid.pk: town_cell[grid.parent_id] for grid in grids}
        departments = {
            kind: Department.objects.create(
                division=county,
                kind=kind,
                name=f"{COUNTY_NAME}{name}",
                phone=f"0572-{rng.randint(5000000, 5999999)}",
            )
            for kind, name in DEPARTMENTS
        }
        audit_append(
            actor=actor,
            action="demo_load",
            object_type="registry.division",
            object_id=COUNTY_CODE,
            summary=f"{COUNTY_NAME}: {len(grids)} grids",
            changes={"seed": seed, "grids": len(grids), "departments": len(departments)},
        )

    industries = {i.code: i for i in Industry.objects.all()}
    codes = list(INDUSTRY_MIX)
    weights = [INDUSTRY_MIX[c][0] for c in codes]
    scale_names = [s for s, _ in SCALES]
    scale_weights = [w for _, w in SCALES]
    context = services.DutyContext.load()
    used_names: set[str] = set()
    used_codes: set[str] = set()
    county_short = COUNTY_NAME.removesuffix("县")

    made = 0
    enterprise_started = time.perf_counter()
    first_hazchem: Enterprise | None = None
    while made < enterprises:
        count = min(batch_size, enterprises - made)
        batch: list[Enterprise] = []
        licence_plan: list[tuple[int, str]] = []
        for i in range(count):
            code = rng.choices(codes, weights)[0]
            _, words, licence_kind = INDUSTRY_MIX[code]
            grid = grids[rng.randrange(len(grids))]
            name = ""
            for _attempt in range(6):
                name = f"{county_short}{fake.company_prefix()}{rng.choice(words)}有限公司"
                if name not in used_names:
                    break
            else:
                name = (
                    f"{county_short}{fake.company_prefix()}{rng.choice(words)}{made + i}号有限公司"
                )
            used_names.add(name)
            uscc = generate_uscc(rng, COUNTY_CODE)
            while uscc in used_codes:
                uscc = generate_uscc(rng, COUNTY_CODE)
            used_codes.add(uscc)
            scale = rng.choices(scale_names, scale_weights)[0]
            low, high = EMPLOYEES[scale]
            centre = town_centres[grid.pk]
            hazchem = code == "HR-HAZCHEM"
            status = rng.choices(
                ["operating", "construction", "suspended", "closed"], [90, 4, 4, 2]
            )[0]
            # Drawn where the coordinates always were drawn: the same seed keeps giving the
            # same enterprises.
            position = _inside(
                grid_cell[grid.pk],
                centre,
                (Decimal(rng.randint(-250, 250)) / 10000, Decimal(rng.randint(-200, 200)) / 10000),
            )
            batch.append(
                Enterprise(
                    name=name,
                    uscc=uscc,
                    division=grid,
                    address=f"{COUNTY_NAME}{grid.parent.name if grid.parent else ''}"
                    f"{fake.street_name()}{rng.randint(1, 999)}号",
                    longitude=position[0],
                    latitude=position[1],
                    industry=industries[code],
                    scale=scale,
                    employees=rng.randint(low, high),
                    legal_representative=fake.name(),
                    principal=fake.name(),
                    principal_phone=fake.phone_number(),
                    safety_officer=fake.name(),
                    safety_officer_phone=fake.phone_number(),
                    status=status,
                    has_major_hazard=hazchem and rng.random() < 0.3,
                    has_key_process=hazchem and rng.random() < 0.35,
                    has_key_chemical=hazchem and rng.random() < 0.6,
                )
            )
            if licence_kind:
                licence_plan.append((i, licence_kind))
        with transaction.atomic():
            created = Enterprise.objects.bulk_create(batch, batch_size=batch_size)
            duties: list[DutyAssignment] = []
            for ent in created:
                duties += services.duty_rows_for(
                    ent.pk,
                    context.resolve(industry_id=ent.industry_id, division_id=ent.division_id),
                )
            DutyAssignment.objects.bulk_create(duties, batch_size=batch_size)
            licences = []
            for index, kind in licence_plan:
                ent = created[index]
                issued = today - dt.timedelta(days=rng.randint(30, 1000))
                licences.append(
                    Licence(
                        enterprise=ent,
                        kind=kind,
                        number=f"浙湖安{kind[:2].upper()}〔{issued.year}〕{rng.randint(1, 9999):04d}",
                        issuer=f"{COUNTY_NAME}{'应急管理局' if kind != 'road_transport' else '交通运输局'}",
                        issued_on=issued,
                        expires_on=today + dt.timedelta(days=rng.randint(-60, 1100)),
                    )
                )
            Licence.objects.bulk_create(licences, batch_size=batch_size)
            audit_append(
                actor=actor,
                action="demo_load",
                object_type="registry.enterprise",
                object_id=f"{created[0].pk}-{created[-1].pk}",
                summary=f"{len(created)} enterprises",
                changes={
                    "seed": seed,
                    "count": len(created),
                    "duties": len(duties),
                    "licences": len(licences),
                },
            )
        if first_hazchem is None:
            first_hazchem = next((e for e in created if e.industry.code == "HR-HAZCHEM"), None)
        made += count
        if progress:
            progress("生成企业", made, enterprises)
    if first_hazchem is None:  # a tiny demo may have no chemical plant
        first_hazchem = Enterprise.objects.order_by("pk").first()

    enterprise_seconds = time.perf_counter() - enterprise_started
    with connection.cursor() as cursor:
        # Planner statistics after a bulk load (SQLite has none until ANALYZE).
        cursor.execute("ANALYZE")
    users = _demo_users(county, departments, grids, first_hazchem, actor)
    _demo_disputes(departments, industries, users, county)
    from anjian.demo.risks import build_demo_risks

    risk_started = time.perf_counter()
    risk_stats = build_demo_risks(
        seed=seed,
        demo_enterprise=first_hazchem,
        safety_officer=users["qiye_aqy"],
        progress=progress,
    )
    risk_stats["seconds"] = round(time.perf_counter() - risk_started, 2)
    from anjian.demo.hazards import build_demo_hazards

    build_demo_hazards(seed=seed, demo_enterprise=first_hazchem, users=users, progress=progress)
    from anjian.demo.monitoring import build_demo_monitoring

    build_demo_monitoring(seed=seed, demo_enterprise=first_hazchem)
    from anjian.demo.commitments import build_demo_commitments

    build_demo_commitments(
        seed=seed, demo_enterprise=first_hazchem, principal_user=users["qiye_fzr"]
    )
    from anjian.demo.checks import build_demo_checks

    build_demo_checks(seed=seed, demo_enterprise=first_hazchem, write_file=True)
    from anjian.demo.checks import adopt_demo_checklist

    adopt_demo_checklist(demo_enterprise=first_hazchem, safety_officer=users["qiye_aqy"])
    from anjian.demo.accidents import build_demo_accidents

    build_demo_accidents(seed=seed, coordinator=users["anweiban"])
    from anjian.demo.dispatch import build_demo_dispatch

    build_demo_dispatch(users=users)
    from anjian.demo.emergency import build_demo_emergency

    build_demo_emergency(seed=seed, users=users, county=county, enterprise=first_hazchem)
    from anjian.demo.people import build_demo_people

    build_demo_people(seed=seed, users=users, county=county, enterprise=first_hazchem)
    # The demo writes hazards in bulk, past the services that keep the rollup: count it
    # once from the hazard table, as the nightly check would repair it.
    from anjian.accidents.tally_services import accident_tally_rebuild
    from anjian.registry.tally import enterprise_tally_rebuild
    from anjian.reports.tally_services import hazard_tally_rebuild

    hazard_tally_rebuild()
    accident_tally_rebuild()
    enterprise_tally_rebuild()  # the enterprises too were loaded in bulk
    return DemoReport(
        made,
        time.perf_counter() - started,
        enterprise_seconds,
        [(u, str(Role(r).label), DEMO_PASSWORD) for u, r, _w, _n in DEMO_USERS],
    )


def _demo_users(county, departments, grids, enterprise, actor) -> dict[str, User]:
    users: dict[str, User] = {}
    with transaction.atomic():
        for username, role, where, display in DEMO_USERS:
            extra: dict = {}
            if where == "county":
                extra["division"] = county
            elif where in ("emergency", "housing"):
                extra["division"] = county
                extra["department"] = departments[where]
            elif where == "township":
                # The township of the qiye_* enterprise: its safety committee office fills
                # the township's monthly dispatch.
                grid = enterprise.division if enterprise is not None else grids[0]
                extra["division"] = grid.parent or grid
            elif where == "grid":
                # The grid of the enterprise the qiye_* accounts belong to, so the grid
                # officer's path can be walked with the printed accounts.
                extra["division"] = enterprise.division if enterprise is not None else grids[0]
            elif where == "enterprise":
                extra["enterprise"] = enterprise
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                display_name=display,
                is_staff=role in (Role.PLATFORM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN),
                **extra,
            )
            users[username] = user
            audit_append(
                actor=actor, action="create", obj=user, summary=username, changes={"role": role}
            )
    return users


def _demo_disputes(departments, industries, users, county) -> None:
    """One business-type dispute the 安委办 has decided (冷链物流 → 商务局 leads) and
    one still open (储能电站), so both pages have something true to show."""
    officer = Actor.for_user(users["yingji"], "demo")
    coordinator = Actor.for_user(users["anweiban"], "demo")
    decided = services.dispute_raise(
        actor=officer,
        kind="claim_gap",
        industry_id=industries["NB-COLD"].pk,
        proposed_department_id=departments[DepartmentKind.COMMERCE].pk,
        reason="冷链物流企业无牵头监管部门，冷库氨制冷、有限空间风险无人牵头，建议由商务局牵头、交通运输和市场监管配合。",
    )
    services.dispute_decide(
        actor=coordinator,
        dispute_id=decided.pk,
        decided_lead_id=departments[DepartmentKind.COMMERCE].pk,
        decision="经县安委办会议研究，冷链物流企业由县商务局牵头监管，交通运输局、市场监督管理局配合。",
    )
    services.dispute_raise(
        actor=officer,
        kind="claim_gap",
        industry_id=industries["NB-ESS"].pk,
        proposed_department_id=departments[DepartmentKind.ENERGY].pk,
        reason="储能电站属新业态，行业主管部门不明确，建议由发展和改革局（能源）牵头，应急管理、消防配合。",
    )

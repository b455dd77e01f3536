"""Demo risk data: units with LEC assessments for the high-risk enterprises, a major
hazard installation, a drawn site plan for the demo enterprise, then every safety code.

Bulk writes for speed (the benchmark county has 100,000 enterprises); one audit entry per
batch says what was loaded. The demo enterprise's own records go through the services,
as a user's would.
"""

from __future__ import annotations

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from anjian.core.audit import Actor, audit_append
from anjian.registry.models import Enterprise
from anjian.risks import coupling, methods, services
from anjian.risks.models import (
    Assessment,
    CouplingRule,
    ObjectKind,
    RiskObject,
    RiskUnit,
)

UNIT_TEMPLATES = {
    "HR-HAZCHEM": [
        ("罐区", ["flammable_liquid", "toxic_gas"]),
        ("装卸站台", ["flammable_gas"]),
        ("反应车间", ["flammable_gas", "high_temperature"]),
        ("仓库", ["flammable_liquid"]),
    ],
    "HR-IT-MET": [
        ("熔炼车间", ["high_temperature"]),
        ("煤气区域", ["toxic_gas", "confined_space"]),
    ],
    "HR-IT-NFM": [("铝镁抛光车间", ["combustible_dust"]), ("熔铸车间", ["high_temperature"])],
    "HR-IT-MCH": [
        ("焊接车间", ["hot_work"]),
        ("喷涂车间", ["flammable_liquid", "combustible_dust"]),
    ],
    "HR-IT-LGT": [("木工车间", ["combustible_dust"]), ("锅炉房", ["pressure_vessel"])],
    "HR-IT-TXT": [
        ("纺纱车间", ["combustible_dust"]),
        ("污水处理池", ["confined_space", "toxic_gas"]),
    ],
    "HR-IT-BLD": [
        ("煤磨系统", ["combustible_dust", "high_temperature"]),
        ("窑头", ["high_temperature"]),
    ],
    "NB-COLD": [
        ("液氨制冷机房", ["ammonia_refrigeration", "toxic_gas"]),
        ("冷库", ["confined_space"]),
    ],
    "HR-GAS": [("储配站", ["flammable_gas", "pressure_vessel"])],
    "HR-CONSTR": [("塔吊作业区", ["lifting", "work_at_height"]), ("基坑", ["confined_space"])],
}
# Who controls a risk of each colour (分级管控: the higher the risk, the higher the level
# that controls it): a major (red) risk at company level; the alternatives are chosen
# at random for the bulk units.
CONTROL_LEVELS = {
    "red": ("company",),
    "orange": ("company", "workshop"),
    "yellow": ("workshop", "team"),
    "blue": ("team", "post"),
}


def control_level_for(colour: str) -> str:
    """The level that controls a unit of this colour, the highest one allowed."""
    return CONTROL_LEVELS.get(colour, ("workshop",))[0]


LEC_CHOICES = [
    ("3", "6", "7"),
    ("1", "6", "7"),
    ("3", "3", "15"),
    ("6", "6", "7"),
    ("1", "3", "3"),
    ("6", "6", "15"),
    ("0.5", "6", "15"),
    ("3", "6", "3"),
]


def build_demo_risks(
    *,
    seed: int,
    demo_enterprise: Enterprise | None,
    safety_officer,
    batch_size: int = 2000,
    progress=None,
) -> dict[str, int]:
    rng = random.Random(seed + 1)
    rules = [
        coupling.Rule(r.name, frozenset(r.factors), r.raise_levels)
        for r in CouplingRule.objects.filter(enabled=True)
    ]
    profile = methods.get_profile("lec")
    actor = Actor.system("demo", "demo-loader")
    ids = list(
        Enterprise.objects.filter(industry__code__in=UNIT_TEMPLATES)
        .order_by("pk")
        .values_list("pk", "industry__code")
    )
    units_made = 0
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        with transaction.atomic():
            objects = []
            plan = []
            for pk, code in chunk:
                if demo_enterprise is not None and pk == demo_enterprise.pk:
                    continue  # built through the services below
                templates = UNIT_TEMPLATES[code]
                for name, factors in rng.sample(templates, k=rng.randint(1, len(templates))):
                    objects.append(RiskObject(enterprise_id=pk, kind=ObjectKind.AREA, name=name))
                    plan.append((pk, name, factors))
            objects = RiskObject.objects.bulk_create(objects, batch_size=batch_size)
            units = []
            results = []
            for obj, (pk, name, factors) in zip(objects, plan, strict=True):
                result = methods.lec(*rng.choice(LEC_CHOICES), profile=profile)
                coupled = coupling.apply(result.colour, factors, rules)
                units.append(
                    RiskUnit(
                        enterprise_id=pk,
                        risk_object=obj,
                        name=name,
                        responsible_department="安全科",
                        responsible_person="安全员",
                        control_level=rng.choice(CONTROL_LEVELS.get(coupled.colour, ("workshop",))),
                        hazard_factors=sorted(factors),
                        inherent_colour=result.colour,
                        colour=coupled.colour,
                        coupling_note="、".join(coupled.fired) if coupled.raised else "",
                    )
                )
                results.append(result)
            units = RiskUnit.objects.bulk_create(units, batch_size=batch_size)
            now = timezone.now()
            Assessment.objects.bulk_create(
                [
                    Assessment(
                        unit=unit,
                        method="lec",
                        inputs={k: str(v) for k, v in r.factors},
                        score=r.score_text,
                        class_number=r.class_number,
                        level=r.level,
                        colour=r.colour,
                        profile=r.profile,
                        profile_version=r.profile_version,
                        assessed_at=now,
                        note="演示数据",
                    )
                    for unit, r in zip(units, results, strict=True)
                ],
                batch_size=batch_size,
            )
            audit_append(
                actor=actor,
                action="demo_load",
                object_type="risks.riskunit",
                object_id=f"{units[0].pk}-{units[-1].pk}" if units else "-",
                summary=f"{len(units)} risk units",
                changes={"seed": seed, "units": len(units)},
            )
            units_made += len(units)
        if progress:
            progress("风险单元", min(start + batch_size, len(ids)), len(ids))

    if demo_enterprise is not None and safety_officer is not None:
        _demo_enterprise_risks(demo_enterprise, Actor.for_user(safety_officer, "demo"))
    stats = services.safety_codes_recompute_all(trigger="demo", progress=progress)
    return {"units": units_made, **stats}


def _site_plan_png() -> bytes:
    """A drawn plant layout (roads, buildings, tank farm) so the four-colour map has a
    real image underneath; made with Pillow, no external asset."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 800), (241, 243, 239))
    draw = ImageDraw.Draw(image)
    draw.rectangle([20, 20, 1180, 780], outline=(90, 90, 90), width=6)  # fence
    draw.rectangle([20, 380, 1180, 430], fill=(205, 205, 200))  # main road
    draw.rectangle([560, 20, 610, 780], fill=(205, 205, 200))  # cross road
    for box in (
        [80, 70, 500, 340],
        [660, 70, 1120, 340],
        [80, 470, 500, 730],
        [660, 470, 900, 730],
        [940, 470, 1120, 730],
    ):
        draw.rectangle(box, fill=(225, 228, 222), outline=(120, 120, 120), width=3)
    for cx, cy in ((740, 150), (860, 150), (980, 150), (740, 270), (860, 270), (980, 270)):
        draw.ellipse([cx - 45, cy - 45, cx + 45, cy + 45], outline=(100, 100, 100), width=4)
    draw.rectangle([1130, 395, 1180, 415], fill=(80, 80, 80))  # gate
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _demo_enterprise_risks(enterprise: Enterprise, actor: Actor) -> None:
    """The demo safety officer's own plant, entered through the services."""
    installation = services.installation_save(
        actor=actor,
        enterprise_id=enterprise.pk,
        data={
            "name": "液氨、液氯储存区",
            "unit_kind": "storage",
            "people_500m": 35,
            "principal_person": enterprise.principal,
            "technical_person": "技术总监",
            "operational_person": "储运班长",
            "substances": [
                {"substance": "液氨", "quantity": "7"},
                {"substance": "液氯", "quantity": "1"},
                {"substance": "氢气", "quantity": "0.5"},
            ],
        },
    )
    services.site_plan_upload(
        actor=actor,
        enterprise_id=enterprise.pk,
        upload=SimpleUploadedFile("厂区平面图.png", _site_plan_png(), content_type="image/png"),
    )
    layout = [
        (
            "储罐区",
            ObjectKind.MAJOR_HAZARD,
            ["toxic_gas", "flammable_gas"],
            ("6", "6", "15"),
            [[0.55, 0.09], [0.93, 0.09], [0.93, 0.42], [0.55, 0.42]],
        ),
        (
            "合成车间",
            ObjectKind.PROCESS,
            ["flammable_gas", "high_temperature"],
            ("3", "6", "15"),
            [[0.07, 0.09], [0.42, 0.09], [0.42, 0.42], [0.07, 0.42]],
        ),
        (
            "粉料包装车间",
            ObjectKind.AREA,
            ["combustible_dust", "hot_work"],
            ("3", "6", "7"),
            [[0.07, 0.59], [0.42, 0.59], [0.42, 0.91], [0.07, 0.91]],
        ),
        (
            "机修车间",
            ObjectKind.AREA,
            ["hot_work"],
            ("1", "6", "7"),
            [[0.55, 0.59], [0.75, 0.59], [0.75, 0.91], [0.55, 0.91]],
        ),
        (
            "办公楼",
            ObjectKind.AREA,
            [],
            ("0.5", "6", "3"),
            [[0.78, 0.59], [0.93, 0.59], [0.93, 0.91], [0.78, 0.91]],
        ),
    ]
    for name, kind, factors, lec_inputs, area in layout:
        obj = services.risk_object_create(
            actor=actor,
            enterprise_id=enterprise.pk,
            kind=kind,
            name=name,
            installation_id=installation.pk if kind == ObjectKind.MAJOR_HAZARD else None,
        )
        unit = services.risk_unit_create(
            actor=actor,
            enterprise_id=enterprise.pk,
            data={
                "name": name,
                "risk_object_id": obj.pk,
                "responsible_department": "安全环保部",
                "responsible_person": "安全员",
                "control_level": "workshop",
                "hazard_factors": factors,
            },
        )
        services.risk_unit_assess(
            actor=actor,
            unit_id=unit.pk,
            method="lec",
            inputs=dict(zip(("L", "E", "C"), lec_inputs, strict=True)),
        )
        unit = RiskUnit.objects.get(pk=unit.pk)
        level = control_level_for(unit.colour)
        if unit.control_level != level:
            # The colour is known once assessed: the control level follows it, as the
            # safety officer would set it on the unit's page.
            services.risk_unit_update(actor=actor, unit_id=unit.pk, data={"control_level": level})
        services.unit_area_set(actor=actor, unit_id=unit.pk, points=area)
        event = services.risk_event_create(actor=actor, unit_id=unit.pk, name=f"{name}火灾爆炸")
        services.control_measure_create(
            actor=actor,
            event_id=event.pk,
            data={
                "description": f"{name}设置可燃/有毒气体检测报警并定期校验",
                "classification": "engineering",
                "check_content": "检查气体检测报警仪是否完好、在检定期内",
                "cycle": 1,
                "cycle_unit": "day",
                "responsible_person": "当班班长",
            },
        )

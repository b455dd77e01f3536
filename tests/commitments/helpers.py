"""Shared set-up of the commitment tests: a frozen clock and units on the world's
hazardous-chemicals enterprise chem_a (which has has_major_hazard=True)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from anjian.commitments import rules, services
from anjian.core.audit import Actor
from anjian.risks.models import MajorHazardInstallation, RiskObject, RiskUnit

SH = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 3, 2)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SH)


def installation(enterprise, name="液氯储罐区", **extra) -> MajorHazardInstallation:
    return MajorHazardInstallation.objects.create(
        enterprise=enterprise,
        name=name,
        unit_kind="storage",
        is_major=True,
        grade=2,
        principal_person="王主任",
        technical_person="赵工",
        operational_person="钱班长",
        **extra,
    )


def risk_unit(enterprise, name="合成车间") -> RiskUnit:
    obj = RiskObject.objects.create(enterprise=enterprise, kind="device", name=f"{name}对象")
    return RiskUnit.objects.create(
        enterprise=enterprise,
        risk_object=obj,
        name=name,
        responsible_department="生产部",
        responsible_person="孙经理",
        control_level="company",
    )


def data(states: dict, **counts) -> services.NoticeData:
    return services.NoticeData(
        principal_name="李四",
        commitment=rules.DEFAULT_COMMITMENT,
        counts={name: counts.get(name, 0) for name in rules.COUNT_FIELDS},
        states=states,
    )


def key(obj) -> rules.UnitKey:
    kind = rules.INSTALLATION if isinstance(obj, MajorHazardInstallation) else rules.RISK_UNIT
    return (kind, obj.pk)


def submit(world, user="principal_a", *, states, now, day=None, **counts):
    u = world.user(user)
    return services.commitment_submit(
        actor=Actor.for_user(u, "web"),
        enterprise_id=u.enterprise_id or world.chem_a.pk,
        data=data(states, **counts),
        day=day,
        now=now,
    )

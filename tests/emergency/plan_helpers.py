"""Helpers shared by the plan tests (tests/emergency/test_plan*.py)."""

from __future__ import annotations

from anjian.core.audit import Actor
from anjian.emergency import plan_services as ps
from anjian.emergency.models import Plan


def actor(world, name: str) -> Actor:
    return Actor.for_user(world.user(name), "web")


def draft(world, name: str = "safety_a", **extra) -> Plan:
    values = {"kind": "comprehensive", "title": "甲化工综合应急预案", **extra}
    return ps.plan_create(actor=actor(world, name), values=values)


def issued(world) -> Plan:
    plan = draft(world)
    return ps.plan_sign(actor=actor(world, "principal_a"), plan_id=plan.pk)


def submitted(world) -> Plan:
    plan = issued(world)
    return ps.plan_submit(actor=actor(world, "safety_a"), plan_id=plan.pk)


def filed(world) -> Plan:
    plan = submitted(world)
    return ps.plan_file(
        actor=actor(world, "officer_emergency_x"),
        plan_id=plan.pk,
        filing_number="东应急备〔2026〕1号",
    )

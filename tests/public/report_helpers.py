"""Shared helpers of the whistleblower report tests."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission

from anjian.core.audit import Actor
from anjian.public import report_services as services
from anjian.public.models import Report

NAME = "王举报人"
PHONE = "13900001111"
ID_NUMBER = "330101199001011234"
ADDRESS = "东镇幸福路8号"
CONTENT = "东县甲化工有限公司储罐区可燃气体报警器长期关闭，夜间违规动火作业。"


def submit(world, *, sender: str = "10.0.0.1", photos=(), **over: Any) -> tuple[Report, str]:
    data = {
        "matter": "major_hazard",
        "division": world.town_x.pk,
        "enterprise_name": world.chem_a.name,
        "place": "储罐区",
        "content": CONTENT,
        "anonymous": "1",
    }
    data.update(over)
    return services.report_submit(data=data, photos=list(photos), address=sender)


def submit_named(world, **over: Any) -> tuple[Report, str]:
    return submit(
        world,
        anonymous="0",
        name=NAME,
        phone=PHONE,
        id_number=ID_NUMBER,
        address=ADDRESS,
        **over,
    )


def actor(world, who: str) -> Actor:
    return Actor.for_user(world.user(who), "test")


def grant_reveal(user) -> None:
    user.user_permissions.add(Permission.objects.get(codename="read_reporter_identity"))
    for attr in ("_perm_cache", "_user_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)


def to_verifying(world, report: Report, who: str = "coordinator_x") -> Report:
    services.report_triage(
        actor=actor(world, who), report_id=report.pk, department_id=world.emergency_x.pk
    )
    return report

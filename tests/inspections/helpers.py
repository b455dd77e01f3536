"""Shared set-up of the inspection tests: a roster for 东县应急管理局, more hazardous
chemicals enterprises it supervises, signatures as PNG and shortcuts to the services."""

from __future__ import annotations

import base64
import datetime as dt
import io
import itertools

from PIL import Image

from anjian.accounts.models import Role, User
from anjian.core.audit import Actor
from anjian.inspections import services
from anjian.inspections.models import Inspection, SignerKind
from tests.world import PASSWORD, World, enterprise

_tokens = itertools.count(1)


def token() -> str:
    return f"tok-{next(_tokens)}"


def actor(user: User) -> Actor:
    return Actor.for_user(user, "web")


def add_roster(world: World, n: int = 3) -> list[User]:
    """Inspectors insp1…insp<n> of 东县应急管理局 (officer_emergency_x is one too)."""
    out = []
    for i in range(1, n + 1):
        user = User.objects.create_user(
            username=f"insp{i}",
            password=PASSWORD,
            role=Role.DEPARTMENT_OFFICER,
            display_name=f"检查员{i}",
            division=world.county_x,
            department=world.emergency_x,
        )
        world.users[user.username] = user
        out.append(user)
    return out


def add_chemicals(world: World, n: int = 6) -> list:
    return [
        enterprise(100 + i, f"东县化工{i}号有限公司", world.grid_x1, "HR-HAZCHEM") for i in range(n)
    ]


def png(colour: tuple[int, int, int] = (0, 0, 0)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(buf, format="PNG")
    return buf.getvalue()


def data_url(content: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(content).decode()


def plan(world: World, kind: str = "routine", inspectors=("insp1", "insp2"), **extra):
    return services.inspection_plan(
        actor=actor(world.user("officer_emergency_x")),
        enterprise_id=extra.pop("enterprise_id", world.chem_a.pk),
        kind=kind,
        planned_on=dt.date(2026, 12, 10),
        inspector_ids=[world.user(n).pk for n in inspectors],
        **extra,
    )


def signatures(inspection: Inspection, representative: str = "李四") -> list[dict]:
    sigs = [
        {"kind": SignerKind.INSPECTOR, "user_id": u.pk, "image": data_url(png())}
        for u in inspection.inspectors.all()
    ]
    sigs.append({"kind": SignerKind.REPRESENTATIVE, "name": representative, "image": png()})
    return sigs


def conclude(world: World, inspection: Inspection, by: str = "insp1", tok: str | None = None):
    return services.inspection_conclude(
        actor=actor(world.user(by)),
        inspection_id=inspection.pk,
        client_token=tok or token(),
        conclusion="未发现其他问题",
        items=[{"text": "安全管理制度", "result": "normal"}],
        signatures=signatures(inspection),
        latitude="30.1",
        longitude="120.2",
    )

"""Building hazards in every state through the services, for the hazard tests."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from anjian.core.audit import Actor
from anjian.hazards import services
from anjian.hazards.models import Hazard


def actor(world, name: str) -> Actor:
    return Actor.for_user(world.user(name), "web")


def photo(fmt: str = "PNG", name: str = "after.png", size=(8, 6)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format=fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type=f"image/{fmt.lower()}")


def in_days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def report_data(**over: Any) -> dict[str, Any]:
    data = {
        "source": "self_check",
        "hazard_type": "equipment",
        "category": "things",
        "handling": "deadline",
        "description": "1号储罐区呼吸阀堵塞",
        "cause": "长期未清理",
        "location": "1号储罐区",
    }
    data.update(over)
    return data


MAJOR_ITEM = "hc2017-12"  # no gas detection where combustible gas may leak


def five_fixes(major: bool = False, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "owner": "王工",
        "measures": "清理呼吸阀并加装阻火器",
        "funds": "1500.00",
        "deadline": in_days(10),
        "contingency_plan": "期间每班巡检两次，备用呼吸阀就位",
    }
    if major:
        data["plan"] = {
            "targets": "消除可燃气体泄漏无报警的重大隐患",
            "methods": "安装可燃气体检测报警系统并联锁",
            "funds_materials": "资金20万元，探头12只",
            "organisation": "设备部牵头，仪表班实施，李四负责",
            "time_limit": "30日内完成并调试",
            "safety_measures": "施工期间停用相关装置，配便携式检测仪，执行应急预案",
        }
    data.update(over)
    return data


def report(world, who: str = "safety_a", enterprise=None, photos=(), **over: Any) -> Hazard:
    enterprise = enterprise or world.chem_a
    return services.hazard_report(
        actor=actor(world, who),
        enterprise_id=enterprise.pk,
        data=report_data(**over),
        photos=photos,
    )


def act(world, who: str, hazard: Hazard, action: str, data=None, photos=(), **kw) -> Hazard:
    return services.hazard_act(
        actor=actor(world, who),
        hazard_id=hazard.pk,
        action=action,
        data=data or {},
        photos=photos,
        **kw,
    )


# Valid data for every step (the general / major variants differ only for the five fixes).
def step_data(action: str, major: bool) -> tuple[dict[str, Any], list]:
    notes = {
        "fix_on_spot": ({"note": "当场清理完毕"}, [photo()]),
        "make_major": ({"note": "需局部停产整改，判定为重大事故隐患"}, []),
        "confirm_major": ({"note": "专家组确认属重大事故隐患"}, []),
        "dismiss_major": ({"note": "经核实不属于判定标准情形"}, []),
        "list": ({"deadline": in_days(60), "notice": "对东县甲化工重大事故隐患挂牌督办"}, []),
        "set_five_fixes": (five_fixes(major), []),
        "start": ({}, []),
        "submit": ({"note": "已完成整改，附整改后照片"}, [photo()]),
        "accept": ({"note": "现场验收合格"}, []),
        "reject": ({"note": "阻火器型号不符"}, []),
        "review_pass": ({"note": "现场核查合格，予以核销"}, []),
        "review_fail": ({"note": "报警未联锁"}, []),
        "accountability_review": (
            {
                "findings": "巡检制度未落实",
                "persons_accountable": [
                    {"name": "赵六", "position": "设备部经理", "measure": "通报批评"}
                ],
            },
            [],
        ),
    }
    return notes[action]


def do(world, who: str, hazard: Hazard, action: str, major: bool) -> Hazard:
    data, photos = step_data(action, major)
    return act(world, who, hazard, action, data, photos)


# The paths to every state (who does each step).
GENERAL_PATH = [
    ("safety_a", "set_five_fixes"),
    ("safety_a", "start"),
    ("safety_a", "submit"),
    ("grid_x1", "accept"),
]
MAJOR_PATH = [
    ("expert_x", "confirm_major"),
    ("coordinator_x", "list"),
    ("principal_a", "set_five_fixes"),
    ("safety_a", "start"),
    ("safety_a", "submit"),
    ("coordinator_x", "review_pass"),
    ("coordinator_x", "accountability_review"),
]


# combo → (kind of hazard, how many steps of its path are taken).
COMBOS: dict[str, tuple[str, int]] = {
    "general_reported": ("general", 0),
    "general_on_spot_reported": ("on_spot", 0),
    "general_fixes_set": ("general", 1),
    "general_rectifying": ("general", 2),
    "general_submitted": ("general", 3),
    "general_closed": ("general", 4),
    "major_reported": ("major", 0),
    "major_confirmed": ("major", 1),
    "major_listed": ("major", 2),
    "major_fixes_set": ("major", 3),
    "major_rectifying": ("major", 4),
    "major_submitted": ("major", 5),
    "major_submitted_dept": ("major_dept", 5),  # listed by the lead department's officer
    "major_closed": ("major", 6),
    "major_closed_reviewed": ("major", 7),
}


def bring(world, combo: str) -> Hazard:
    """A hazard of chem_a in the state the combo names, made through the services."""
    kind, steps = COMBOS[combo]
    major = kind.startswith("major")
    if major:
        hazard = report(world, major_item=MAJOR_ITEM)
        path = MAJOR_PATH
        if kind == "major_dept":
            path = [
                ("officer_emergency_x", a) if a in ("list", "review_pass") else (w, a)
                for w, a in path
            ]
    else:
        hazard = report(world, handling="on_spot" if kind == "on_spot" else "deadline")
        path = GENERAL_PATH
    for who, action in path[:steps]:
        hazard = do(world, who, hazard, action, major)
    hazard.refresh_from_db()
    return hazard

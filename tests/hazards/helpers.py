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
        "harm_analysis": "可能导致储罐超压破裂，需停用储罐清理",
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
    today = timezone.localdate().isoformat()
    notes = {
        "fix_on_spot": ({"note": "当场清理完毕"}, [photo()]),
        "make_major": ({"note": "需局部停产整改，判定为重大事故隐患"}, []),
        "confirm_major": ({"note": "专家组确认属重大事故隐患"}, []),
        "dismiss_major": ({"note": "经核实不属于判定标准情形"}, []),
        "order": (
            {
                "note": "责令限期整改，整改完成后报我局复查",
                "document_number": "（东）应急责改〔2026〕1号",
            },
            [],
        ),
        "list": ({"deadline": in_days(60), "notice": "对东县甲化工重大事故隐患挂牌督办"}, []),
        "report_to_workers": (
            {"body": "workers_congress", "reported_on": today, "note": "通报隐患及治理方案"},
            [],
        ),
        "set_five_fixes": (five_fixes(major), []),
        "set_plan": (five_fixes(True), []),
        "suspend": (
            {
                "scope": "part",
                "part": "1号储罐区",
                "withdrawal": "撤出作业人员6人，设置警戒线",
            },
            [],
        ),
        "start": ({}, []),
        "submit": ({"note": "已完成整改，附整改后照片"}, [photo()]),
        "accept": ({"note": "现场验收合格"}, []),
        "reject": ({"note": "阻火器型号不符"}, []),
        "resume": ({"note": "报警装置已安装调试，具备安全条件"}, []),
        "evaluate": (
            {
                "evaluator_kind": "evaluation_body",
                "evaluator": "东县安全评价有限公司",
                "evaluated_on": today,
                "conclusion": "治理完成，符合安全生产条件",
            },
            [],
        ),
        "apply_resume": ({"application": "治理方案已落实，评价合格，申请恢复生产"}, []),
        "review_pass": ({"note": "现场审查合格，予以核销"}, []),
        "review_fail": ({"note": "报警未联锁"}, []),
        "reopen": ({"note": "回头看发现整改不到位", "deadline": in_days(15)}, []),
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


# The paths to every state (who does each step). The enterprise accepts what it found
# itself (its principal: the safety officer did the fix); the emergency department
# reviews what it found, ordered or stopped; the safety committee office what it listed.
GENERAL_PATH = [
    ("safety_a", "set_five_fixes"),
    ("safety_a", "start"),
    ("safety_a", "submit"),
    ("principal_a", "accept"),
]
GOV_PATH = [
    ("safety_a", "set_five_fixes"),
    ("safety_a", "start"),
    ("safety_a", "submit"),
    ("officer_emergency_x", "accept"),
]
MAJOR_PATH = [
    ("principal_a", "set_plan"),
    ("safety_a", "start"),
    ("safety_a", "submit"),
    ("principal_a", "accept"),
    ("coordinator_x", "accountability_review"),
]
LISTED_PATH = [
    ("coordinator_x", "list"),
    ("principal_a", "set_plan"),
    ("safety_a", "start"),
    ("safety_a", "submit"),
]
STOPPED_PATH = [
    ("officer_emergency_x", "suspend"),
    ("principal_a", "set_plan"),
    ("safety_a", "evaluate"),
    ("principal_a", "apply_resume"),
    ("officer_emergency_x", "review_pass"),
]
SELF_STOPPED_PATH = [("safety_a", "suspend"), ("principal_a", "set_plan")]

# combo → (kind of hazard, path, how many steps of it are taken).
COMBOS: dict[str, tuple[str, list, int]] = {
    "general_reported": ("general", GENERAL_PATH, 0),
    "general_on_spot_reported": ("on_spot", GENERAL_PATH, 0),
    "general_fixes_set": ("general", GENERAL_PATH, 1),
    "general_rectifying": ("general", GENERAL_PATH, 2),
    "general_submitted": ("general", GENERAL_PATH, 3),
    "general_closed": ("general", GENERAL_PATH, 4),
    "gov_reported": ("gov", GOV_PATH, 0),
    "gov_submitted": ("gov", GOV_PATH, 3),
    "major_reported": ("major", MAJOR_PATH, 0),
    "major_fixes_set": ("major", MAJOR_PATH, 1),
    "major_rectifying": ("major", MAJOR_PATH, 2),
    "major_submitted": ("major", MAJOR_PATH, 3),
    "major_closed": ("major", MAJOR_PATH, 4),
    "major_closed_reviewed": ("major", MAJOR_PATH, 5),
    "major_listed_submitted": ("major", LISTED_PATH, 4),
    "major_stopped": ("major", STOPPED_PATH, 1),
    "major_stopped_planned": ("major", STOPPED_PATH, 2),
    "major_evaluated": ("major", STOPPED_PATH, 3),
    "major_resume_applied": ("major", STOPPED_PATH, 4),
    "major_self_stopped": ("major", SELF_STOPPED_PATH, 2),
}


# More starting points for the other tests (not part of the matrix).
EXTRA_COMBOS: dict[str, tuple[str, list, int]] = {
    # Listed by the safety committee office, nothing else done yet (still "reported").
    "major_listed": ("major", LISTED_PATH, 1),
    # Listed by the lead (emergency) department's officer, submitted: it reviews.
    "major_submitted_dept": (
        "major",
        [("officer_emergency_x", "list"), *LISTED_PATH[1:]],
        4,
    ),
    "major_confirmed": ("major", [("expert_x", "confirm_major")], 1),
}


def bring(world, combo: str) -> Hazard:
    """A hazard of chem_a in the state the combo names, made through the services."""
    kind, path, steps = {**COMBOS, **EXTRA_COMBOS}[combo]
    major = kind == "major"
    if major:
        hazard = report(world, major_item=MAJOR_ITEM)
    elif kind == "gov":
        hazard = report(world, who="officer_emergency_x", source="government_inspection")
    else:
        hazard = report(world, handling="on_spot" if kind == "on_spot" else "deadline")
    for who, action in path[:steps]:
        hazard = do(world, who, hazard, action, major)
    hazard.refresh_from_db()
    return hazard

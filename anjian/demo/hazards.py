"""Demo hazards (隐患台账): the demo safety officer's plant gets a hazard in every state of
the closed loop, entered through the hazard services by the demo accounts; a share of the
other enterprises gets a few hazards each, written in bulk (rows valid as the services
would write them: numbers from the counter, one event per step, photos as evidence).

History is time-shifted: a hazard "reported 200 days ago" was reported, fixed and
accepted on the days its events say. For the demo plant the hazard services run under a
shifted clock (`_shifted_clock`), so every rule they check (deadlines not in the past,
the five fixes before rectification …) holds on the day of each step. The audit log keeps
the real time of loading: it records when the demo loader wrote the rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import random
import types
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from anjian.core.audit import Actor, audit_append
from anjian.hazards import reference
from anjian.hazards import services as hazard_services
from anjian.hazards import workflow as wf
from anjian.hazards.models import (
    AccountabilityReview,
    Hazard,
    HazardCounter,
    HazardEvent,
    HazardPhoto,
)
from anjian.registry.models import Division, DivisionLevel, Enterprise
from anjian.risks.models import RiskUnit

# Share of the other enterprises that get hazards in the demo (local demo choice).
OTHER_SHARE = 0.07
PER_ENTERPRISE = (1, 6)


# --- the clock -------------------------------------------------------------------------


class _ShiftedTimezone(types.SimpleNamespace):
    """Stands in for django.utils.timezone inside anjian.hazards.services: the same
    functions, with "now" moved `days_ago` into the past."""

    def __init__(self, real: types.ModuleType, at: dt.datetime) -> None:
        super().__init__()
        self._real, self._at = real, at

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def now(self) -> dt.datetime:
        return self._at

    def localtime(self, value: dt.datetime | None = None, timezone: Any = None) -> dt.datetime:
        return self._real.localtime(value if value is not None else self._at, timezone)

    def localdate(self, value: dt.datetime | None = None, timezone: Any = None) -> dt.date:
        return self._real.localdate(value if value is not None else self._at, timezone)


@contextlib.contextmanager
def _shifted_clock(at: dt.datetime) -> Iterator[None]:
    real = hazard_services.timezone
    hazard_services.timezone = _ShiftedTimezone(real, at)  # type: ignore[assignment]
    try:
        yield
    finally:
        hazard_services.timezone = real


# --- pictures --------------------------------------------------------------------------


def _photo_png(label: int, colour: tuple[int, int, int]) -> bytes:
    """A small drawn "after" photo (a repaired part on a wall) made with Pillow."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (214, 218, 210))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 170, 320, 240], fill=(160, 160, 150))  # floor
    draw.rectangle([90, 50, 230, 170], fill=colour, outline=(60, 60, 60), width=4)
    draw.ellipse([135, 85, 185, 135], fill=(240, 240, 235), outline=(60, 60, 60), width=3)
    draw.line([20, 20 + label % 30, 300, 20 + label % 30], fill=(90, 120, 90), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _upload(label: int, name: str = "整改后.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _photo_png(label, (70, 130, 180)), content_type="image/png")


# --- hazard texts ----------------------------------------------------------------------

# (type, category, description, cause, location, measures)
TEXTS: list[tuple[str, str, str, str, str, str]] = [
    (
        "equipment",
        "things",
        "储罐呼吸阀堵塞，阻火器锈蚀",
        "长期未清理检查",
        "储罐区",
        "清理呼吸阀，更换阻火器",
    ),
    (
        "instrument",
        "things",
        "可燃气体检测报警仪未定期检定",
        "检定计划未落实",
        "装卸站台",
        "送检报警仪并建立检定台账",
    ),
    (
        "electrical",
        "things",
        "配电箱门缺失，线路私拉乱接",
        "临时用电管理不到位",
        "机修车间",
        "更换配电箱门，拆除私接线路",
    ),
    (
        "fire",
        "things",
        "消防通道被货物堵塞",
        "仓储区规划不合理",
        "仓库",
        "清理通道并划线标识",
    ),
    (
        "fire",
        "things",
        "灭火器压力不足，未按月检查",
        "巡检制度未落实",
        "办公楼",
        "更换灭火器，落实月检",
    ),
    (
        "safety",
        "people",
        "动火作业未办理作业票",
        "作业人员安全意识淡薄",
        "合成车间",
        "停止作业，补办作业票并开展培训",
    ),
    (
        "safety",
        "people",
        "高处作业未系安全带",
        "现场监护缺失",
        "厂房屋面",
        "现场纠正，落实监护人制度",
    ),
    (
        "process",
        "management",
        "操作规程未及时修订",
        "工艺变更后未同步更新",
        "中控室",
        "修订操作规程并组织学习",
    ),
    (
        "layout",
        "things",
        "危险化学品仓库与办公区间距不足",
        "历史布局遗留",
        "厂区东侧",
        "调整存储位置，设置防火隔墙",
    ),
    (
        "equipment",
        "things",
        "起重机限位器失效",
        "维保不到位",
        "装配车间",
        "修复限位器并重新检验",
    ),
    (
        "safety",
        "management",
        "有限空间作业未检测气体",
        "作业审批流于形式",
        "污水处理池",
        "配备气体检测仪，严格作业审批",
    ),
    (
        "electrical",
        "things",
        "防爆区域使用非防爆灯具",
        "采购把关不严",
        "粉料包装车间",
        "更换为防爆灯具",
    ),
    (
        "equipment",
        "things",
        "压力表超期未校验",
        "台账管理缺失",
        "锅炉房",
        "更换压力表并送检",
    ),
    (
        "safety",
        "management",
        "安全警示标志缺失",
        "标志损坏未补设",
        "厂区道路",
        "补设安全警示标志",
    ),
    (
        "other",
        "management",
        "应急演练记录不全",
        "演练未按计划开展",
        "安全科",
        "补充演练并完善记录",
    ),
]
# General hazards every workplace has (fire, power, signs, drills) …
COMMON_TEXTS: list[tuple[str, str, str, str, str, str]] = [
    (
        "fire",
        "things",
        "灭火器压力不足，未按月检查",
        "巡检制度未落实",
        "办公楼",
        "更换灭火器，落实月检",
    ),
    (
        "fire",
        "things",
        "安全出口被杂物堵塞，疏散指示标志损坏",
        "日常管理松懈",
        "一层走廊",
        "清理出口，更换疏散指示标志",
    ),
    (
        "electrical",
        "things",
        "配电箱门缺失，线路私拉乱接",
        "临时用电管理不到位",
        "配电间",
        "更换配电箱门，拆除私接线路",
    ),
    ("safety", "management", "安全警示标志缺失", "标志损坏未补设", "厂区道路", "补设安全警示标志"),
    (
        "other",
        "management",
        "应急演练记录不全",
        "演练未按计划开展",
        "安全管理部门",
        "补充演练并完善记录",
    ),
]
# … and those of its trade (by registry industry code; a code matches its sub-sectors), so
# a restaurant is not given a tank farm and a machine shop not a glass furnace.
INDUSTRY_TEXTS: dict[str, list[tuple[str, str, str, str, str, str]]] = {
    "HR-HAZCHEM": [*TEXTS[:2], TEXTS[5], TEXTS[7], TEXTS[8], TEXTS[11]],
    "HR-IT-MET": [
        ("equipment", "things", "熔炼炉冷却水系统未设置断水报警", "设备改造遗漏", "熔炼车间", "加装冷却水流量及断水报警"),
        ("instrument", "things", "煤气区域一氧化碳报警仪失效", "未定期校验", "煤气区域", "更换报警仪并建立校验台账"),
        ("equipment", "things", "铸造起重机制动器磨损超标", "维保不到位", "浇铸跨", "更换制动器并重新检验"),
    ],
    "HR-IT-NFM": [
        ("safety", "management", "铝镁粉尘未按规定清扫，积尘较厚", "清扫制度未落实", "抛光车间", "落实每班清扫并记录"),
        ("equipment", "things", "熔铸炉周边地面有积水", "排水设施损坏", "熔铸车间", "修复排水设施，保持地面干燥"),
    ],
    "HR-IT-BLD": [
        ("equipment", "things", "煤磨袋式收尘器未设置温度监测", "设计缺陷", "煤磨系统", "加装温度监测及报警"),
        ("safety", "people", "清理窑头作业未办理作业审批", "作业审批流于形式", "窑头", "停止作业，补办审批并培训"),
    ],
    "HR-IT-MCH": [
        ("equipment", "things", "冲床光电保护装置失效", "维护保养不到位", "冲压车间", "修复光电保护装置并每班点检"),
        ("safety", "things", "焊接车间氧气、乙炔气瓶混放且未固定", "现场管理不到位", "焊接车间", "分开存放，设置防倒链"),
        ("fire", "things", "喷涂车间通风设施故障", "维修不及时", "喷涂车间", "修复通风设施，停用期间禁止喷涂"),
    ],
    "HR-IT-LGT": [
        ("safety", "management", "木工车间粉尘清扫不及时", "清扫制度未落实", "木工车间", "落实每班清扫并记录"),
        ("equipment", "things", "锅炉安全阀超期未校验", "台账管理缺失", "锅炉房", "送检安全阀并建立台账"),
    ],
    "HR-IT-TXT": [
        ("fire", "things", "纺纱车间棉絮堆积，电气线路未穿管保护", "清扫不及时", "纺纱车间", "清理棉絮，线路穿管保护"),
        ("safety", "management", "污水处理池有限空间未设置警示标识", "有限空间管理缺失", "污水处理池", "设置警示标识，建立有限空间台账"),
    ],
    "HR-IT-COM": [
        ("layout", "things", "仓库货物堆放超高，货架无限高标识", "仓储管理不到位", "仓库", "降低堆高，设置限高标识"),
        ("equipment", "things", "叉车未定期检验", "特种设备管理缺失", "装卸区", "送检叉车并建立台账"),
    ],
    "HR-CONSTR": [
        ("safety", "things", "脚手架连墙件缺失", "搭设不规范", "施工现场", "补设连墙件并验收"),
        ("safety", "things", "楼层临边未设防护栏杆", "防护设施拆除后未恢复", "施工楼层", "恢复临边防护"),
        ("equipment", "things", "塔吊力矩限制器失效", "维保不到位", "塔吊作业区", "修复力矩限制器并重新检验"),
    ],
    "HR-TRANS": [
        ("safety", "people", "营运车辆驾驶员连续驾驶超过4小时未休息", "动态监控不到位", "车辆动态监控平台", "落实动态监控，约谈驾驶员"),
        ("equipment", "things", "营运车辆未按期进行安全技术检验", "车辆管理台账缺失", "停车场", "送检车辆并建立台账"),
    ],
    "HR-FIRE": [
        ("fire", "things", "应急照明灯具损坏", "巡检不到位", "营业大厅", "更换应急照明灯具"),
        ("fire", "people", "消防控制室值班人员未持证上岗", "人员培训未落实", "消防控制室", "安排持证人员值班"),
    ],
    "HR-GAS": [
        ("equipment", "things", "液化石油气钢瓶超期未检", "检验计划未落实", "储配站", "停用超期钢瓶并送检"),
        ("instrument", "things", "调压箱可燃气体报警仪失效", "未定期校验", "调压站", "更换报警仪"),
    ],
    "HR-SPEQ": [
        ("equipment", "things", "电梯未按期维护保养", "维保合同到期未续签", "客梯", "落实维保单位，补做维保"),
        ("equipment", "things", "起重机械吊钩防脱钩装置缺失", "日常检查不到位", "起重作业区", "加装防脱钩装置"),
    ],
    "HR-MINE": [
        ("safety", "things", "采场边坡存在浮石", "边坡巡查不到位", "采场", "清除浮石，加强边坡巡查"),
        ("equipment", "things", "矿用自卸车制动性能不良", "维修不及时", "运输道路", "停用维修并检测"),
    ],
    "NB-COLD": [
        ("instrument", "things", "液氨制冷机房氨气浓度报警仪失效", "未定期校验", "液氨制冷机房", "更换报警仪并与风机联锁"),
        ("safety", "things", "冷库门内未设置应急开启装置", "设计缺陷", "冷库", "加装内开启装置和呼救按钮"),
    ],
    "NB-EVCHG": [
        ("electrical", "things", "充电桩接地线松脱", "巡检不到位", "充电场站", "紧固接地线并检测接地电阻"),
    ],
    "NB-ESS": [
        ("instrument", "things", "电池舱温度监测数据中断", "通讯模块故障", "储能电池舱", "修复监测通讯，人工巡检加密"),
    ],
    "H": [
        ("fire", "things", "厨房燃气管道未设置燃气泄漏报警和紧急切断装置", "改造遗漏", "后厨", "加装报警和紧急切断装置"),
        ("fire", "management", "厨房排油烟管道未定期清洗", "清洗计划未落实", "后厨", "委托清洗并建立记录"),
    ],
    "G": [
        ("layout", "things", "分拣场地货物堵塞疏散通道", "场地规划不合理", "分拣中心", "清理通道并划线标识"),
    ],
    "F": [
        ("layout", "things", "仓库货物堆放超高，货架无限高标识", "仓储管理不到位", "仓库", "降低堆高，设置限高标识"),
    ],
    "C": [
        ("equipment", "things", "机械传动部位防护罩缺失", "维修后未恢复", "生产车间", "恢复防护罩"),
    ],
    "E": [
        ("safety", "people", "高处作业未系安全带", "现场监护缺失", "施工现场", "现场纠正，落实监护人制度"),
    ],
    "D": [
        ("equipment", "things", "压力表超期未校验", "台账管理缺失", "锅炉房", "更换压力表并送检"),
    ],
    "A": [
        ("safety", "management", "农药仓库无专人管理", "管理制度缺失", "农资仓库", "明确专人管理，建立出入库台账"),
    ],
}  # fmt: skip


def texts_for_industry(code: str) -> list[tuple[str, str, str, str, str, str]]:
    """The general-hazard texts plausible for an enterprise of industry `code`: its
    trade's (the most specific code that has some) and the common ones."""
    parts = code.split("-")
    for n in range(len(parts), 0, -1):
        own = INDUSTRY_TEXTS.get("-".join(parts[:n]))
        if own:
            return own + COMMON_TEXTS
    return list(COMMON_TEXTS)


OWNERS = ["王强", "李明", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄勇", "周敏", "吴昊"]
PLAN = {
    "targets": "消除重大事故隐患，恢复装置本质安全",
    "methods": "委托有资质单位设计施工，完成后联调测试",
    "funds_materials": "专项资金已落实，材料到位",
    "organisation": "设备部牵头，安全科监督，分管副总负责",
    "time_limit": "按挂牌督办期限完成",
    "safety_measures": "治理期间停用相关设施，专人监护，执行专项应急预案",
}


def _report_data(text: tuple, *, handling: str = "deadline", unit: int | None = None, **over):
    hazard_type, category, description, cause, location, _measures = text
    data: dict[str, Any] = {
        "source": "self_check",
        "check_kind": "1",
        "hazard_type": hazard_type,
        "category": category,
        "handling": handling,
        "description": description,
        "cause": cause,
        "location": location,
    }
    if unit is not None:
        data["risk_unit_id"] = unit
    data.update(over)
    return data


# --- the demo plant: through the services -----------------------------------------------


class _Plant:
    """Steps on the demo plant's hazards, each at its own day in the past."""

    def __init__(self, users: dict[str, Any], enterprise: Enterprise, now: dt.datetime) -> None:
        self.users, self.enterprise, self.now = users, enterprise, now
        self.photo_seq = 0

    def at(self, days_ago: float) -> dt.datetime:
        return self.now - dt.timedelta(days=days_ago)

    def day(self, days_ago: float, plus: int) -> str:
        """A date `plus` days after the day `days_ago` (deadlines, as the form sends them)."""
        return (timezone.localdate(self.at(days_ago)) + dt.timedelta(days=plus)).isoformat()

    def actor(self, username: str) -> Actor:
        return Actor.for_user(self.users[username], "demo")

    def photos(self) -> list[SimpleUploadedFile]:
        self.photo_seq += 1
        return [_upload(self.photo_seq)]

    def report(self, days_ago: float, data: dict, who: str = "qiye_aqy", photos=()) -> Hazard:
        with _shifted_clock(self.at(days_ago)):
            return hazard_services.hazard_report(
                actor=self.actor(who), enterprise_id=self.enterprise.pk, data=data, photos=photos
            )

    def act(
        self, hazard: Hazard, days_ago: float, who: str, action: str, data=None, photos=()
    ) -> Hazard:
        with _shifted_clock(self.at(days_ago)):
            return hazard_services.hazard_act(
                actor=self.actor(who),
                hazard_id=hazard.pk,
                action=action,
                data=data or {},
                photos=photos,
            )

    def fixes(self, hazard: Hazard, days_ago: float, text: tuple, days: int, who="qiye_aqy"):
        return self.act(
            hazard,
            days_ago,
            who,
            wf.SET_PLAN if hazard.level == "major" else wf.SET_FIVE_FIXES,
            {
                "owner": OWNERS[hazard.pk % len(OWNERS)],
                "measures": text[5],
                "funds": "2000.00",
                "deadline": self.day(days_ago, days),
                "contingency_plan": "整改期间加强巡检，设置警戒区域",
                **({"plan": PLAN} if hazard.level == "major" else {}),
            },
        )

    def general(
        self,
        text: tuple,
        *,
        reported: float,
        steps: list[tuple[float, str]],
        deadline_days: int = 20,
        unit: int | None = None,
        who: str = "qiye_aqy",
    ) -> Hazard:
        """A general hazard reported `reported` days ago by `who`, then each (days_ago,
        action). An employee reports from the phone, with a photo of what was found."""
        photos = self.photos() if who == "qiye_yg" else ()
        hazard = self.report(reported, _report_data(text, unit=unit), who=who, photos=photos)
        for days_ago, action in steps:
            if action == wf.SET_FIVE_FIXES:
                hazard = self.fixes(hazard, days_ago, text, deadline_days)
            elif action == wf.START_RECTIFICATION:
                hazard = self.act(hazard, days_ago, "qiye_aqy", action, {"note": "已开始整改"})
            elif action == wf.SUBMIT:
                hazard = self.act(
                    hazard,
                    days_ago,
                    "qiye_aqy",
                    action,
                    {"note": f"已完成整改：{text[5]}"},
                    self.photos(),
                )
            elif action == wf.ACCEPT:
                # The enterprise accepts what it found itself (16号令 第十五条): its
                # principal, not the safety officer who did the fix.
                hazard = self.act(hazard, days_ago, "qiye_fzr", action, {"note": "验收合格"})
            elif action == wf.REJECT:
                hazard = self.act(
                    hazard,
                    days_ago,
                    "qiye_fzr",
                    action,
                    {"note": "整改不彻底，现场仍有遗留问题，请继续整改"},
                )
        return hazard


def _demo_plant_hazards(users: dict[str, Any], enterprise: Enterprise, now: dt.datetime) -> dict:
    plant = _Plant(users, enterprise, now)
    units = dict(RiskUnit.objects.filter(enterprise=enterprise).values_list("name", "pk"))
    tank = units.get("储罐区")
    made: dict[str, Hazard] = {}
    F, S, SU, A, R = (
        wf.SET_FIVE_FIXES,
        wf.START_RECTIFICATION,
        wf.SUBMIT,
        wf.ACCEPT,
        wf.REJECT,
    )

    # History first (oldest first, so numbers follow the dates within a year).
    made["closed_late"] = plant.general(
        TEXTS[2], reported=200, steps=[(199, F), (198, S), (170, SU), (168, A)], deadline_days=19
    )
    for n, back in enumerate((330, 280, 240, 150, 95, 70)):
        plant.general(
            TEXTS[(n + 7) % len(TEXTS)],
            reported=back,
            steps=[(back - 1, F), (back - 2, S), (back - 9, SU), (back - 11, A)],
        )
    made["closed_on_time"] = plant.general(
        TEXTS[3], reported=120, steps=[(119, F), (118, S), (105, SU), (103, A)]
    )

    # A major hazard (determination-list item) closed after the on-site review, with its
    # accountability review (责任倒查) by the 安委办.
    major_item = "hc2017-5" if reference.item("hc2017-5") else "hc2017-12"
    closed_major = plant.report(
        300,
        _report_data(
            (
                "equipment",
                "things",
                "一级重大危险源罐区未设置紧急切断装置",
                "设计缺陷",
                "储罐区",
                "",
            ),
            unit=tank,
            major_item=major_item,
            harm_analysis="泄漏时无法紧急切断，可能引发火灾爆炸；需停用罐区改造，整改难度较大",
        ),
    )
    closed_major = plant.act(
        closed_major,
        298,
        "zhuanjia",
        wf.CONFIRM_MAJOR,
        {"note": "专家组现场核实，确认属重大事故隐患"},
    )
    closed_major = plant.act(
        closed_major,
        296,
        "anweiban",
        wf.LIST,
        {
            "deadline": plant.day(296, 90),
            "notice": f"对{enterprise.name}罐区未设置紧急切断装置重大事故隐患挂牌督办",
        },
    )
    closed_major = plant.fixes(closed_major, 294, TEXTS[0], 75, who="qiye_fzr")
    closed_major = plant.act(closed_major, 293, "qiye_aqy", S, {"note": "治理施工开始"})
    closed_major = plant.act(
        closed_major,
        230,
        "qiye_aqy",
        SU,
        {"note": "紧急切断装置已安装并联锁调试完成"},
        plant.photos(),
    )
    closed_major = plant.act(
        closed_major, 226, "anweiban", wf.ACCEPT, {"note": "现场复查合格，予以核销"}
    )
    closed_major = plant.act(
        closed_major,
        215,
        "anweiban",
        wf.ACCOUNTABILITY_REVIEW,
        {
            "findings": "项目设计审查把关不严，投用前安全设施验收未发现缺陷",
            "persons_accountable": [
                {"name": "钱进", "position": "设备部经理", "measure": "通报批评"},
            ],
            "reviewed_on": plant.day(215, 0),
        },
    )
    made["major_closed_reviewed"] = closed_major

    # A major hazard from a determination-list item, listed by the county emergency
    # department (yingji), five fixes and plan set, rectifying: left open.
    listed = plant.report(
        45,
        _report_data(
            (
                "instrument",
                "things",
                "液氨储存区未设置有毒气体检测报警装置",
                "改造遗漏",
                "储罐区",
                "",
            ),
            unit=tank,
            major_item="hc2017-12",
            harm_analysis="液氨泄漏无法及时报警，可能造成人员中毒；需停用储存区加装报警装置",
        ),
    )
    listed = plant.act(
        listed, 43, "zhuanjia", wf.CONFIRM_MAJOR, {"note": "专家组确认属重大事故隐患"}
    )
    listed = plant.act(
        listed,
        40,
        "yingji",
        wf.LIST,
        {
            "deadline": plant.day(40, 90),
            "notice": f"对{enterprise.name}液氨储存区有毒气体检测报警缺失重大事故隐患挂牌督办",
        },
    )
    listed = plant.fixes(listed, 38, TEXTS[1], 75, who="qiye_fzr")
    made["major_listed_rectifying"] = plant.act(listed, 37, "qiye_aqy", S, {"note": "治理开始"})

    # A major hazard the county emergency department found and stopped (责令局部停产停业,
    # 16号令 第十六条): plan, report to the workers' congress, evaluation, written
    # application to resume; the on-site review is due within 10 days (第二十三条).
    stopped = plant.report(
        26,
        _report_data(
            (
                "electrical",
                "things",
                "粉料包装车间除尘系统未采取泄爆、惰化、抑爆等任一种爆炸防控措施",
                "除尘系统改造未同步设计防爆措施",
                "粉料包装车间",
                "",
            ),
            source="government_inspection",
            major_reason="干式除尘系统无任何爆炸防控措施，检查中当场判定为重大事故隐患",
        ),
        who="yingji",
    )
    stopped = plant.act(
        stopped,
        26,
        "yingji",
        wf.SUSPEND,
        {
            "scope": "part",
            "part": "粉料包装车间及其除尘系统",
            "withdrawal": "已撤出车间作业人员12人，设置警戒线和警示标志，切断除尘系统电源",
        },
    )
    stopped = plant.fixes(stopped, 24, TEXTS[1], 30, who="qiye_fzr")
    stopped = plant.act(
        stopped,
        20,
        "qiye_aqy",
        wf.REPORT_TO_WORKERS,
        {
            "body": "representatives_congress",
            "reported_on": plant.day(20, 0),
            "note": "向职工代表大会通报隐患情况、停产范围和治理方案",
        },
    )
    stopped = plant.act(
        stopped,
        5,
        "qiye_aqy",
        wf.EVALUATE,
        {
            "evaluator_kind": "evaluation_body",
            "evaluator": "浙江安澜安全评价有限公司",
            "evaluated_on": plant.day(5, 0),
            "conclusion": "除尘系统已加装泄爆片和隔爆阀，经检测符合安全生产条件",
        },
    )
    made["major_resume_applied"] = plant.act(
        stopped,
        3,
        "qiye_fzr",
        wf.APPLY_RESUME,
        {"application": "治理方案已全部落实，评价报告结论为符合安全生产条件，申请恢复生产。"},
    )

    made["rejected_resubmitted"] = plant.general(
        TEXTS[4],
        reported=40,
        steps=[(39, F), (38, S), (20, SU), (18, R), (6, SU)],
        deadline_days=45,
    )
    made["rectifying_overdue"] = plant.general(
        TEXTS[10], reported=60, steps=[(59, F), (58, S)], deadline_days=44
    )
    made["submitted"] = plant.general(
        TEXTS[5], reported=30, steps=[(29, F), (28, S), (3, SU)], deadline_days=30
    )
    made["rectifying"] = plant.general(
        TEXTS[11], reported=20, steps=[(19, F), (18, S)], deadline_days=29
    )
    # An employee's phone reports: one the plant closed (the employee is told); another,
    # still waiting for the safety officer, is below.
    made["employee_closed"] = plant.general(
        COMMON_TEXTS[1],
        reported=12,
        steps=[(11, F), (10, S), (8, SU), (7, A)],
        deadline_days=10,
        who="qiye_yg",
    )
    on_spot = plant.report(10, _report_data(TEXTS[6], handling="on_spot"))
    made["fixed_on_spot"] = plant.act(
        on_spot, 10, "qiye_aqy", wf.FIX_ON_SPOT, {"note": "当场纠正并系好安全带"}, plant.photos()
    )
    made["fixes_set"] = plant.general(TEXTS[12], reported=6, steps=[(5, F)], deadline_days=25)
    # An employee's phone report, still waiting for the safety officer (another, closed,
    # is above: the employee is told when it closes).
    made["reported"] = plant.general(
        TEXTS[13], reported=2, steps=[], unit=units.get("机修车间"), who="qiye_yg"
    )
    # A major hazard just reported: the expert is to confirm it and the county to list it.
    made["major_awaiting_expert"] = plant.report(
        1,
        _report_data(
            (
                "process",
                "things",
                "液氨充装仍使用软管充装，未使用万向管道充装系统",
                "充装设施改造未列入计划",
                "装卸站台",
                "",
            ),
            major_item="hc2017-7",
            harm_analysis="软管破裂可能导致液氨大量泄漏，造成人员中毒；需更换充装系统",
        ),
    )
    return {name: h.pk for name, h in made.items()}


# --- other enterprises: in bulk ---------------------------------------------------------

GENERAL_STATES = [  # target state → weight (demo mix: most hazards are closed)
    (wf.REPORTED, 8),
    (wf.FIXES_SET, 6),
    (wf.RECTIFYING, 14),
    (wf.SUBMITTED, 6),
    (wf.CLOSED, 66),
]
MAJOR_STATES = [
    (wf.REPORTED, 30),
    (wf.FIXES_SET, 10),
    (wf.RECTIFYING, 30),
    (wf.CLOSED, 30),
]
MAJOR_SHARE = 0.02
ON_SPOT_SHARE = 0.25
REJECT_SHARE = 0.1
ON_TIME_SHARE = 0.85


def _county_of(division_id: int, parents: dict[int, tuple[int | None, str]]) -> int:
    """The numbering division (county; services._numbering_division) from an in-memory
    map of the division tree."""
    current: int | None = division_id
    while current is not None:
        parent, level = parents[current]
        if level == DivisionLevel.COUNTY:
            return current
        current = parent
    return division_id


class _Numbers:
    """Takes numbers from HazardCounter in bulk: lock each (division, year) counter, hand
    out the next numbers in order, write the counter once (same format as
    services.allocate_number)."""

    def __init__(self) -> None:
        self.codes = dict(Division.objects.values_list("pk", "code"))

    def assign(self, hazards: list[Hazard], county_of: Callable[[Hazard], int]) -> None:
        wanted: dict[tuple[int, int], list[Hazard]] = {}
        for hazard in sorted(hazards, key=lambda h: h.reported_at):
            key = (county_of(hazard), timezone.localdate(hazard.reported_at).year)
            wanted.setdefault(key, []).append(hazard)
        for (division_id, year), rows in sorted(wanted.items()):
            counter = (
                HazardCounter.objects.select_for_update()
                .filter(division_id=division_id, year=year)
                .first()
            ) or HazardCounter.objects.create(division_id=division_id, year=year, last=0)
            for hazard in rows:
                counter.last += 1
                hazard.number = f"{self.codes[division_id]}-{year}-{counter.last:05d}"
            counter.save(update_fields=["last"])


def _plan_hazard(rng: random.Random, now: dt.datetime, industry: str) -> dict[str, Any]:
    """One hazard's story: kind, target state and the (action, time) of each step. Major
    only where a determination list applies to the industry (the item is cited)."""
    applicable = _applicable_items(industry)
    major = bool(applicable) and rng.random() < MAJOR_SHARE
    on_spot = not major and rng.random() < ON_SPOT_SHARE
    table = MAJOR_STATES if major else GENERAL_STATES
    target = rng.choices([s for s, _ in table], [w for _, w in table])[0]
    if on_spot:
        target = wf.CLOSED if rng.random() < 0.9 else wf.REPORTED
    closed = target == wf.CLOSED
    back = rng.uniform(30, 540) if closed else rng.uniform(1, 120)
    reported_at = now - dt.timedelta(days=back, minutes=rng.randint(0, 600))
    t = reported_at
    steps: list[tuple[str, dt.datetime]] = []
    deadline: dt.date | None = None
    listing_deadline: dt.date | None = None

    def later(lo: float, hi: float) -> dt.datetime:
        return t + dt.timedelta(days=rng.uniform(lo, hi))

    if on_spot:
        if closed:
            t = t + dt.timedelta(minutes=rng.randint(10, 240))
            steps.append((wf.FIX_ON_SPOT, t))
    else:
        path: list[str] = []
        if major:
            # The expert's opinion and the listing run in parallel (they keep the state).
            path = [wf.CONFIRM_MAJOR, wf.LIST]
        path += [wf.SET_PLAN if major else wf.SET_FIVE_FIXES, wf.START_RECTIFICATION, wf.SUBMIT]
        path += [wf.ACCEPT, wf.ACCOUNTABILITY_REVIEW] if major else [wf.ACCEPT]
        stop = None
        if target == wf.REPORTED:
            stop = rng.choice([0, 1, 2]) if major else 0
        if stop is None:
            order = [wf.FIXES_SET, wf.RECTIFYING, wf.SUBMITTED, wf.CLOSED]
            stop = (2 if major else 0) + order.index(target) + 1
            if target == wf.CLOSED:
                stop = len(path)
        for action in path[:stop]:
            if action == wf.CONFIRM_MAJOR:
                t = later(1, 5)
            elif action == wf.LIST:
                t = later(1, 4)
                listing_deadline = timezone.localdate(t) + dt.timedelta(days=rng.randint(60, 120))
            elif action in (wf.SET_FIVE_FIXES, wf.SET_PLAN):
                t = later(0.1, 3)
                days = rng.randint(30, 90) if major else rng.randint(7, 45)
                deadline = timezone.localdate(t) + dt.timedelta(days=days)
                if listing_deadline is not None:
                    deadline = min(deadline, listing_deadline)
            elif action == wf.START_RECTIFICATION:
                t = later(0.1, 2)
            elif action == wf.SUBMIT:
                assert deadline is not None
                end = dt.datetime.combine(deadline, dt.time(17), tzinfo=t.tzinfo)
                if rng.random() < ON_TIME_SHARE and end > t:
                    t = t + (end - t) * rng.uniform(0.2, 0.95)
                else:
                    t = max(t, end) + dt.timedelta(days=rng.uniform(1, 30))
                if not major and t < now and rng.random() < REJECT_SHARE:
                    steps.append((wf.SUBMIT, t))
                    t = later(1, 4)
                    steps.append((wf.REJECT, t))
                    t = later(2, 10)
            elif action in (wf.ACCEPT, wf.REVIEW_PASS):
                t = later(0.5, 5)
            elif action == wf.ACCOUNTABILITY_REVIEW:
                t = later(3, 20)
            if t > now:  # the story has not got this far yet
                break
            steps.append((action, t))
    # The state reached is the target of the last step that moved it.
    state = wf.REPORTED
    for action, _t in steps:
        state = _TARGET.get(action) or state
    return {
        "major": major,
        "on_spot": on_spot,
        "reported_at": reported_at,
        "steps": steps,
        "state": state,
        "deadline": deadline
        if any(a in (wf.SET_FIVE_FIXES, wf.SET_PLAN) for a, _ in steps)
        else None,
        "listing_deadline": listing_deadline if any(a == wf.LIST for a, _ in steps) else None,
        "item": rng.choice(applicable) if major else None,
    }


_TARGET = {  # steps that move the state (the others are taken in place)
    wf.FIX_ON_SPOT: wf.CLOSED,
    wf.SET_FIVE_FIXES: wf.FIXES_SET,
    wf.SET_PLAN: wf.FIXES_SET,
    wf.START_RECTIFICATION: wf.RECTIFYING,
    wf.SUBMIT: wf.SUBMITTED,
    wf.REJECT: wf.RECTIFYING,
    wf.ACCEPT: wf.CLOSED,
    wf.REVIEW_PASS: wf.CLOSED,
    wf.ACCOUNTABILITY_REVIEW: wf.CLOSED,
}


# The 工贸 list's special articles apply only where the plant has the thing: combustible
# dust (第十一条) and ammonia refrigeration (第十二条). Which sectors have them is a demo
# choice; 第三条 (management), 第十三条 (confined spaces) and 第十四条 apply to all.
SPECIAL_ARTICLES = {
    ("gm2023", "第十一条"): ("HR-IT-NFM", "HR-IT-MCH", "HR-IT-LGT", "HR-IT-TXT"),
    ("gm2023", "第十二条"): ("HR-IT-LGT", "HR-IT-COM"),
}


def _applicable_items(industry: str) -> list[reference.ListItem]:
    """The items of the lists that apply to the enterprise's industry (a metallurgy plant
    is never given a mining item, a machine shop never the glass furnace of 建材, nor the
    quick-freezing room of a cold store); none for an industry no list names: its hazards
    are general."""
    return [
        i
        for i in reference.items_for_industry(industry)
        if not i.unconfirmed
        and reference.industry_matches(
            SPECIAL_ARTICLES.get((i.list_id, i.article), (industry,)), industry
        )
    ]


def item_description(item: reference.ListItem) -> str:
    """A hazard's description from the official wording of the item it meets: the list's
    clause ("……的；") made a sentence."""
    text = item.text_zh.rstrip("；;。.，, ")
    return text.removesuffix("的") + "。"


def _shared_photo() -> dict[str, Any]:
    """One stored "after" photo that the bulk hazards' evidence rows point at (the rows
    are separate; the file is the same), saved once per load."""
    import hashlib

    content = _photo_png(0, (90, 150, 90))
    name = default_storage.save("hazards/demo/after.png", ContentFile(content))
    return {
        "name": name,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


def _bulk_other_hazards(
    *,
    rng: random.Random,
    users: dict[str, Any],
    exclude_id: int | None,
    now: dt.datetime,
    batch_size: int,
    progress=None,
) -> dict[str, int]:
    rows = list(
        Enterprise.objects.order_by("pk").values_list(
            "pk", "division_id", "industry__code", "safety_officer", "principal"
        )
    )
    chosen = [r for r in rows if r[0] != exclude_id and rng.random() < OTHER_SHARE]
    if not chosen and len(rows) > 1:
        chosen = [next(r for r in rows if r[0] != exclude_id)]
    parents = {
        pk: (parent, level)
        for pk, parent, level in Division.objects.values_list("pk", "parent_id", "level")
    }
    coordinator, expert = users["anweiban"], users["zhuanjia"]
    county_id = coordinator.division_id
    photo = _shared_photo()
    numbers = _Numbers()
    loader = Actor.system("demo", "demo-loader")
    stats = {"enterprises": len(chosen), "hazards": 0, "events": 0}
    for start in range(0, len(chosen), batch_size):
        chunk = chosen[start : start + batch_size]
        plans: list[tuple[Hazard, dict, tuple]] = []
        for pk, division_id, industry, officer, principal in chunk:
            for _n in range(rng.randint(*PER_ENTERPRISE)):
                plan = _plan_hazard(rng, now, industry or "")
                text = rng.choice(texts_for_industry(industry or ""))
                plan["officer"] = officer or "安全员"
                plan["principal"] = principal or "主要负责人"
                plan["county"] = _county_of(division_id, parents)
                hazard = _hazard_row(pk, plan, text, rng, coordinator, expert, county_id)
                plans.append((hazard, plan, text))
        with transaction.atomic():
            numbers.assign([h for h, _p, _t in plans], lambda h: h._county)  # type: ignore[attr-defined]
            hazards = Hazard.objects.bulk_create([h for h, _p, _t in plans], batch_size=1000)
            events: list[HazardEvent] = []
            for hazard, plan, text in plans:
                events += _events(hazard, plan, text, coordinator, expert, photo)
            events = HazardEvent.objects.bulk_create(events, batch_size=1000)
            photos, reviews = [], []
            for event in events:
                if event.action in (wf.FIX_ON_SPOT, wf.SUBMIT):
                    photos.append(
                        HazardPhoto(
                            hazard_id=event.hazard_id,
                            event=event,
                            kind="after",
                            image=photo["name"],
                            original_name="整改后.png",
                            image_format="PNG",
                            size=photo["size"],
                            width=320,
                            height=240,
                            sha256=photo["sha256"],
                            uploaded_by=None,
                            uploaded_at=event.at,
                        )
                    )
                elif event.action == wf.ACCOUNTABILITY_REVIEW:
                    reviews.append(
                        AccountabilityReview(
                            hazard_id=event.hazard_id,
                            event=event,
                            reviewed_by=coordinator,
                            findings=event.data["findings"],
                            persons_accountable=event.data["persons_accountable"],
                            reviewed_on=dt.date.fromisoformat(event.data["reviewed_on"]),
                            created_at=event.at,
                        )
                    )
            HazardPhoto.objects.bulk_create(photos, batch_size=1000)
            AccountabilityReview.objects.bulk_create(reviews, batch_size=1000)
            audit_append(
                actor=loader,
                action="demo_load",
                object_type="hazards.hazard",
                object_id=f"{hazards[0].pk}-{hazards[-1].pk}" if hazards else "-",
                summary=f"{len(hazards)} hazards of {len(chunk)} enterprises",
                changes={"hazards": len(hazards), "events": len(events), "photos": len(photos)},
            )
        stats["hazards"] += len(hazards)
        stats["events"] += len(events)
        if progress:
            progress("隐患", min(start + batch_size, len(chosen)), len(chosen))
    return stats


def _hazard_row(
    enterprise_id: int,
    plan: dict,
    text: tuple,
    rng: random.Random,
    coordinator,
    expert,
    county_id: int | None,
) -> Hazard:
    hazard_type, category, description, cause, location, measures = text
    major = plan["major"]
    item = plan["item"]
    when = dict(plan["steps"])
    hazard = Hazard(
        number="",
        enterprise_id=enterprise_id,
        source=rng.choice(
            ["self_check"] * 6 + ["enterprise_inspection"] * 2 + ["government_inspection"] * 2
        ),
        hazard_type=(item and "safety") or hazard_type,
        category=category,
        level="major" if major else "general",
        handling="on_spot" if plan["on_spot"] else "deadline",
        # A major hazard is described by the official wording of the item it meets.
        description=item_description(item) if item else description,
        cause=cause,
        location=location,
        state=plan["state"],
        major_basis="list_item" if major else "",
        major_item=item.citation() if item else {},
        reported_at=plan["reported_at"],
        version=1 + len(plan["steps"]),
    )
    hazard._county = plan["county"]  # type: ignore[attr-defined]
    if wf.CONFIRM_MAJOR in when:
        hazard.confirmed_by, hazard.confirmed_at = expert, when[wf.CONFIRM_MAJOR]
    if wf.LIST in when:
        hazard.listed_by, hazard.listed_at = coordinator, when[wf.LIST]
        hazard.listing_division_id = county_id
        hazard.listing_deadline = plan["listing_deadline"]
        hazard.listing_notice = f"重大事故隐患挂牌督办：{hazard.description[:60]}"
    if wf.LIST in when or hazard.source == "government_inspection":
        # Listed, or found by an inspection of the county: the county reviews it.
        hazard.review_division_id = county_id
        hazard.review_basis = "listed" if wf.LIST in when else "found"
    hazard.name = hazard.description.splitlines()[0][:40]
    hazard.check_kind = rng.choice(["1"] * 5 + ["2", "3", "4", "5", "9"])
    hazard.registered_at = hazard.reported_at
    if wf.SET_FIVE_FIXES in when or wf.SET_PLAN in when:
        hazard.liable_person = plan["principal"] if major else plan["officer"]
        hazard.measures = measures
        hazard.funds = Decimal(rng.choice([500, 1200, 3000, 8000, 20000, 150000]))
        hazard.deadline = plan["deadline"]
        hazard.contingency_plan = "整改期间加强巡检，设置警戒区域"
        hazard.remediation_plan = dict(PLAN) if major else {}
    closing = when.get(wf.ACCEPT) or when.get(wf.FIX_ON_SPOT)
    if closing is not None:
        by_county = hazard.review_division_id is not None and wf.ACCEPT in when
        # The enterprise accepts what it found itself (16号令 第十五条): its acceptor has
        # no account in the bulk demo, so the name stays in the comment.
        hazard.accepted_by = coordinator if by_county else None
        hazard.accepted_at = hazard.closed_at = closing
        hazard.accept_comment = (
            "现场复查合格"
            if by_county
            else f"企业验收合格（验收人：{plan['principal']}）"
            if wf.ACCEPT in when
            else "整改完成"
        )
    return hazard


def _events(hazard: Hazard, plan: dict, text: tuple, coordinator, expert, photo) -> list:
    """The events the services would have written for this story."""

    def event(
        action, at, from_state, to_state, *, user=None, label="", role="", note="", data=None
    ):
        return HazardEvent(
            hazard=hazard,
            action=action,
            from_state=from_state,
            to_state=to_state,
            actor=user,
            actor_label=(user.get_username() if user is not None else label)[:128],
            actor_role=user.role if user is not None else role,
            via="demo",
            at=at,
            note=note,
            data=data or {},
        )

    officer = {"label": plan["officer"], "role": "enterprise_safety_officer"}
    principal = {"label": plan["principal"], "role": "enterprise_principal"}
    evidence = {
        "photos": [
            {
                "kind": "after",
                "sha256": photo["sha256"],
                "name": "整改后.png",
                "size": photo["size"],
            }
        ]
    }
    out = [
        event(
            wf.REPORT,
            hazard.reported_at,
            "",
            wf.REPORTED,
            **officer,
            data={
                "source": hazard.source,
                "hazard_type": hazard.hazard_type,
                "category": hazard.category,
                "handling": hazard.handling,
                "description": hazard.description,
                "cause": hazard.cause,
                "location": hazard.location,
                "level": hazard.level,
                "major_basis": hazard.major_basis,
                "major_item": hazard.major_item,
                "major_reason": "",
                "risk_unit_id": None,
                "control_measure_id": None,
                "number": hazard.number,
                "similar": [],
            },
        )
    ]
    state = wf.REPORTED
    reviewer = {"user": coordinator} if hazard.review_division_id is not None else principal
    for action, at in plan["steps"]:
        target = _TARGET.get(action) or state
        if action == wf.FIX_ON_SPOT:
            out.append(
                event(action, at, state, target, **officer, note="当场整改完毕", data=evidence)
            )
        elif action == wf.CONFIRM_MAJOR:
            out.append(
                event(action, at, state, target, user=expert, note="专家组确认属重大事故隐患")
            )
        elif action == wf.LIST:
            out.append(
                event(
                    action,
                    at,
                    state,
                    target,
                    user=coordinator,
                    data={
                        "deadline": hazard.listing_deadline.isoformat(),
                        "notice": hazard.listing_notice,
                        "listing_department_id": None,
                        "listing_division_id": hazard.listing_division_id,
                    },
                )
            )
        elif action in (wf.SET_FIVE_FIXES, wf.SET_PLAN):
            data = {
                "owner": hazard.liable_person,
                "measures": hazard.measures,
                "funds": str(hazard.funds),
                "deadline": hazard.deadline.isoformat(),
                "contingency_plan": hazard.contingency_plan,
            }
            if plan["major"]:
                data["plan"] = hazard.remediation_plan
            out.append(
                event(
                    action,
                    at,
                    state,
                    target,
                    **(principal if plan["major"] else officer),
                    data=data,
                )
            )
        elif action == wf.START_RECTIFICATION:
            out.append(event(action, at, state, target, **officer))
        elif action == wf.SUBMIT:
            out.append(
                event(
                    action,
                    at,
                    state,
                    target,
                    **officer,
                    note=f"已完成整改：{text[5]}",
                    data=evidence,
                )
            )
        elif action == wf.REJECT:
            out.append(event(action, at, state, target, **reviewer, note="整改不到位，请继续整改"))
        elif action == wf.ACCEPT:
            out.append(event(action, at, state, target, **reviewer, note=hazard.accept_comment))
        elif action == wf.REVIEW_PASS:
            out.append(
                event(action, at, state, target, user=coordinator, note="现场核查合格，予以核销")
            )
        elif action == wf.ACCOUNTABILITY_REVIEW:
            out.append(
                event(
                    action,
                    at,
                    state,
                    target,
                    user=coordinator,
                    data={
                        "findings": "隐患排查制度落实不到位",
                        "persons_accountable": [
                            {
                                "name": plan["officer"],
                                "position": "安全管理员",
                                "measure": "诫勉谈话",
                            }
                        ],
                        "reviewed_on": timezone.localdate(at).isoformat(),
                    },
                )
            )
        state = target
    return out


# --- a poor record: the list of untrustworthy subjects ---------------------------------

POOR_RECORD_AGO = 150  # days since the hazard was reported


def _poor_record(*, users: dict[str, Any], exclude_id: int | None, now: dt.datetime) -> int | None:
    """One enterprise that let a listed major hazard run three months past its deadline,
    so that the credit evaluation (the real job, run after the load) puts it on the list
    of untrustworthy subjects by rule major_overdue_30 (credit/data/list_rules.json).
    A chemical plant where there is one; None when no enterprise has a list that applies."""
    rows = (
        Enterprise.objects.exclude(pk=exclude_id)
        .filter(status="operating")
        .order_by("pk")
        .values_list("pk", "division_id", "industry__code", "safety_officer", "principal")
    )
    ranked = sorted(rows, key=lambda r: (r[2] != "HR-HAZCHEM", r[0]))
    picked = next(((r, items) for r in ranked if (items := _applicable_items(r[2] or ""))), None)
    if picked is None:
        return None
    (pk, division_id, _industry, officer, principal), items = picked
    parents = {
        p: (parent, level)
        for p, parent, level in Division.objects.values_list("pk", "parent_id", "level")
    }
    coordinator, expert = users["anweiban"], users["zhuanjia"]
    reported = now - dt.timedelta(days=POOR_RECORD_AGO)
    listed = reported + dt.timedelta(days=4)
    planned = reported + dt.timedelta(days=6)
    plan = {
        "major": True,
        "on_spot": False,
        "reported_at": reported,
        "steps": [
            (wf.CONFIRM_MAJOR, reported + dt.timedelta(days=2)),
            (wf.LIST, listed),
            (wf.SET_PLAN, planned),
            (wf.START_RECTIFICATION, reported + dt.timedelta(days=7)),
        ],
        "state": wf.RECTIFYING,
        "listing_deadline": timezone.localdate(listed) + dt.timedelta(days=60),
        "deadline": timezone.localdate(planned) + dt.timedelta(days=50),
        "item": items[0],
        "officer": officer or "安全员",
        "principal": principal or "主要负责人",
        "county": _county_of(division_id, parents),
    }
    text = COMMON_TEXTS[0]
    hazard = _hazard_row(
        pk, plan, text, random.Random(pk), coordinator, expert, coordinator.division_id
    )
    with transaction.atomic():
        _Numbers().assign([hazard], lambda h: h._county)  # type: ignore[attr-defined]
        hazard.save()
        events = HazardEvent.objects.bulk_create(
            # No submission in this story, so no evidence photo is referenced.
            _events(hazard, plan, text, coordinator, expert, photo={"sha256": "", "size": 0})
        )
        audit_append(
            actor=Actor.system("demo", "demo-loader"),
            action="demo_load",
            obj=hazard,
            summary=f"{hazard.number}: listed major hazard left overdue",
            changes={"events": len(events)},
        )
    return pk


def _extension_waiting(users: dict[str, Any], hazard_id: int) -> None:
    """The plant asks for more time on a hazard in rectification: the extension waits for
    the regulators' decision (the 安委办 or the lead department decides)."""
    from anjian.hazards.extensions import deadline_extension_request

    hazard = Hazard.objects.get(pk=hazard_id)
    deadline_extension_request(
        actor=Actor.for_user(users["qiye_aqy"], "demo"),
        hazard_id=hazard_id,
        new_deadline=(hazard.deadline + dt.timedelta(days=15)).isoformat(),
        reason="防爆灯具到货延迟，供应商承诺两周内交付，申请延期15日；期间该区域停止动火和非防爆作业",
    )


# --- entry point ------------------------------------------------------------------------


def build_demo_hazards(
    *,
    seed: int,
    demo_enterprise: Enterprise | None,
    users: dict[str, Any],
    progress=None,
    batch_size: int = 2000,
) -> dict[str, Any]:
    """Load the demo hazards; returns what was made (ids of the demo plant's hazards by
    story, counts of the bulk part)."""
    from anjian.credit.services import credit_evaluate
    from anjian.hazards.recheck_jobs import recheck_sample_run
    from anjian.risks.services import safety_codes_recompute_all

    rng = random.Random(seed + 2)
    now = timezone.now()
    plant: dict[str, int] = {}
    if demo_enterprise is not None and "qiye_aqy" in users:
        plant = _demo_plant_hazards(users, demo_enterprise, now)
    bulk = _bulk_other_hazards(
        rng=rng,
        users=users,
        exclude_id=demo_enterprise.pk if demo_enterprise is not None else None,
        now=now,
        batch_size=batch_size,
        progress=progress,
    )
    if "rectifying" in plant:
        _extension_waiting(users, plant["rectifying"])
    poor = _poor_record(
        users=users,
        exclude_id=demo_enterprise.pk if demo_enterprise is not None else None,
        now=now,
    )
    # Safety codes count open and overdue hazards: refresh them once for the bulk rows.
    safety_codes_recompute_all(trigger="demo_hazards", progress=progress)
    # The credit job as the scheduler runs it daily: the list of untrustworthy subjects
    # follows from the ledger just loaded.
    credit = credit_evaluate()
    # This month's re-checks (回头看) as the monthly job samples them: the regulators
    # have closed hazards to visit again.
    rechecks = recheck_sample_run()
    return {"plant": plant, "poor_record": poor, "credit": credit, "rechecks": rechecks, **bulk}

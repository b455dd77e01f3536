"""The demo's people and public reporting (issue 15): the demo plant's workers with their
training and certificates (one welder's certificate expired, an electrician's review due
soon), special-work permits (a hot-work permit issued after a passing gas analysis, and one
refused because an operator holds no valid certificate), safety points, the responsibility
list with this year's letters (two missing) and a quarterly report; on the public side an
anonymous report being handled, a real-name one received, and an exposure-board entry
published. Everything goes through the services, as the people named would enter it.
Names, numbers and figures are a local demo choice, never real."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from anjian.accidents.models import Accident
from anjian.accounts.models import User
from anjian.core.audit import Actor
from anjian.people import (
    duty_services,
    permit_services,
    points_services,
    training_services,
    worker_services,
)
from anjian.people.idcard import check_character
from anjian.public import exposure_services, report_services
from anjian.registry.models import Department, Division, Enterprise

SEED_OFFSET = 15_001
WORKERS = (
    # name, post, birth year
    ("张建国", "动火作业人员", 1982),
    ("李明", "动火作业人员", 1990),
    ("王强", "电工", 1986),
    ("赵磊", "罐区操作工", 1993),
    ("陈伟", "罐区操作工", 1995),
    ("刘洋", "安全员", 1988),
    ("孙涛", "班组长", 1984),
    ("周杰", "设备维修工", 1991),
)


def _years_ago(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier (negative: later); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _id_number(rng: random.Random, year: int) -> str:
    first17 = f"330523{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
    return first17 + check_character(first17)


def build_demo_people(
    *, seed: int, users: dict[str, User], county: Division, enterprise: Enterprise
) -> dict[str, Any]:
    rng = random.Random(seed + SEED_OFFSET)
    fzr = Actor.for_user(users["qiye_fzr"], "demo")
    aqy = Actor.for_user(users["qiye_aqy"], "demo")
    today = timezone.localdate()
    workers = []
    for name, post, year in WORKERS:
        workers.append(
            worker_services.worker_create(
                actor=aqy,
                data={
                    "name": name,
                    "id_number": _id_number(rng, year),
                    "post": post,
                    "phone": f"13{rng.randint(100000000, 999999999)}",
                    "hired_on": (today - dt.timedelta(days=rng.randint(60, 3000))).isoformat(),
                },
            )
        )
    by_name = {w.name: w for w in workers}

    # Certificates: 张建国's welding certificate is valid, 李明's expired last month.
    def certificate(worker, category, item, issued, *, review_due=None):
        expires = _years_ago(issued, -6)
        training_services.certificate_create(
            actor=aqy,
            worker_id=worker.pk,
            data={
                "kind": "special_work",
                "category": category,
                "item": item,
                "number": worker.id_number,
                "issuer": "浙江省应急管理厅",
                "issued_on": issued.isoformat(),
                "expires_on": expires.isoformat(),
                "review_due": (review_due or _years_ago(issued, -3)).isoformat(),
            },
        )

    certificate(
        by_name["张建国"],
        "焊接与热切割作业",
        "熔化焊接与热切割作业",
        _years_ago(today, 2),
    )
    certificate(
        by_name["李明"],
        "焊接与热切割作业",
        "熔化焊接与热切割作业",
        _years_ago(today - dt.timedelta(days=40), 6),
    )
    certificate(
        by_name["王强"],
        "电工作业",
        "低压电工作业",
        _years_ago(today, 3) + dt.timedelta(days=20),
    )

    # Training: induction for the two newest, the annual refresher for everyone.
    for worker in workers:
        training_services.training_create(
            actor=aqy,
            worker_id=worker.pk,
            data={
                "kind": "annual",
                "title": f"{today.year}年度安全生产再培训",
                "hours": "20",
                "held_on": (today - dt.timedelta(days=rng.randint(20, 200))).isoformat(),
                "provider": "企业安全管理部",
                "passed": True,
            },
        )
    for level in ("induction_company", "induction_workshop", "induction_team"):
        training_services.training_create(
            actor=aqy,
            worker_id=by_name["陈伟"].pk,
            data={
                "kind": level,
                "title": "新员工三级安全教育",
                "hours": "24",
                "held_on": (today - dt.timedelta(days=90)).isoformat(),
                "provider": "企业安全管理部",
                "passed": True,
            },
        )

    # Points: for the training, and one manual award.
    for worker in workers[:5]:
        points_services.points_award(
            actor=aqy, worker_id=worker.pk, rule="manual", note="主动报告罐区法兰渗漏", points=5
        )

    # Permits: a hot-work permit (二级) issued after a passing gas analysis; one refused.
    now = timezone.now().replace(second=0, microsecond=0)
    start = now + dt.timedelta(hours=1)
    ok = permit_services.permit_apply(
        actor=aqy,
        values={
            "kind": "hot_work",
            "grade": "second",
            "place": "罐区东侧管廊",
            "content": "更换公称直径 50 毫米蒸汽管线的法兰，电焊作业",
            "planned_start": start.isoformat(),
            "planned_end": (start + dt.timedelta(hours=6)).isoformat(),
            "workers": [by_name["张建国"].pk],
            "guardian": by_name["孙涛"].pk,
        },
    )
    permit_services.gas_analysis_add(
        actor=aqy,
        permit_id=ok.pk,
        values={
            "sampled_at": (start - dt.timedelta(minutes=20)).isoformat(),
            "point": "管廊法兰处",
            "combustible_pct": "0.10",
            "combustible_lel_pct": "5.00",
            "analyst": "周杰",
        },
        now=start - dt.timedelta(minutes=15),
    )
    permit_services.permit_issue(actor=fzr, permit_id=ok.pk)
    refused = permit_services.permit_apply(
        actor=aqy,
        values={
            "kind": "hot_work",
            "grade": "second",
            "place": "污水处理站",
            "content": "格栅支架切割",
            "planned_start": start.isoformat(),
            "planned_end": (start + dt.timedelta(hours=4)).isoformat(),
            "workers": [by_name["李明"].pk],
            "guardian": by_name["孙涛"].pk,
        },
    )
    permit_services.gas_analysis_add(
        actor=aqy,
        permit_id=refused.pk,
        values={
            "sampled_at": (start - dt.timedelta(minutes=20)).isoformat(),
            "point": "格栅井口",
            "combustible_pct": "0.05",
            "combustible_lel_pct": "5.00",
            "analyst": "周杰",
        },
        now=start - dt.timedelta(minutes=15),
    )
    permit_services.permit_issue(actor=fzr, permit_id=refused.pk)  # refused: 李明's expired

    # Responsibility list: posts, this year's letters (two workers missing), a report.
    posts = {}
    for post, duties in (
        ("动火作业人员", "严格执行动火作业许可制度；作业前确认气体分析合格；持证上岗。"),
        ("罐区操作工", "按规程巡检罐区，发现泄漏立即报告并按处置卡处置。"),
        ("电工", "持证上岗，执行停送电票制度，定期检查临时用电。"),
        ("班组长", "组织班组安全活动，落实岗位安全责任，担任作业监护人。"),
    ):
        posts[post] = duty_services.duty_post_save(actor=fzr, post=post, duties=duties)
    for post, row in posts.items():
        signed = [w.pk for w in workers if w.post == post and w.name != "陈伟"]
        if signed:
            duty_services.duty_letters_record(
                actor=aqy,
                post_id=row.pk,
                worker_ids=signed,
                year=today.year,
                # Mid-January, or today in the first half of January (never ahead).
                signed_on=min(today, today.replace(month=1, day=15)).isoformat(),
            )
    quarter = (today.month - 1) // 3
    if quarter:
        duty_services.duty_report_submit(
            actor=fzr,
            year=today.year,
            quarter=quarter,
            text="本季度组织安全检查 12 次，整改隐患 9 项；开展罐区泄漏现场处置演练 1 次；动火作业全部办理许可。",
        )

    # The public: an anonymous report being verified, a real-name one just received.
    township = Division.objects.filter(parent=county).order_by("code").first()
    anonymous, _secret = report_services.report_submit(
        data={
            "matter": "major_hazard",
            "division": township.pk,
            "enterprise_name": enterprise.name,
            "place": "厂区北侧仓库",
            "content": "仓库内危险化学品与普通物品混放，消防通道被货物堵塞，夜间无人值守。",
            "anonymous": True,
        }
    )
    yingji = Actor.for_user(users["yingji"], "demo")
    department = Department.objects.filter(division=county, kind="emergency").first()
    report_services.report_triage(
        actor=yingji, report_id=anonymous.pk, department_id=department.pk if department else None
    )
    named, _secret2 = report_services.report_submit(
        data={
            "matter": "violation",
            "division": township.pk,
            "enterprise_name": "某木材加工厂",
            "place": "开发区纬三路",
            "content": "夜间违规组织生产，粉尘车间除尘设备停用，员工未经培训上岗。",
            "anonymous": False,
            "name": "王某某",
            "phone": "13900000000",
        },
        address="198.51.100.7",
    )

    # The exposure board: an accident with its enterprise, published.
    published = None
    accident = (
        Accident.objects.filter(
            division__in=Division.objects.descendants(county, include_self=True)
        )
        .exclude(enterprise=None)
        .order_by("occurred_at")
        .first()
    )
    if accident is not None:
        anweiban = Actor.for_user(users["anweiban"], "demo")
        entry = exposure_services.exposure_propose(
            actor=yingji,
            ground="accident",
            link_id=accident.pk,
            title=f"{accident.enterprise.name}发生生产安全事故",
            summary=f"{accident.occurred_at:%Y年%m月}，该单位发生一起{accident.get_grade_display()}，暴露出安全管理制度不落实、隐患排查治理不到位等问题。",
        )
        exposure_services.exposure_approve(actor=anweiban, exposure_id=entry.pk)
        published = exposure_services.exposure_publish(actor=anweiban, exposure_id=entry.pk)
    return {
        "workers": len(workers),
        "permit_issued": ok.pk,
        "permit_refused": refused.pk,
        "reports": [anonymous.pk, named.pk],
        "exposure": published.pk if published else None,
    }

"""The close-out report of an emergency response as a Word document (issue 14 item 4),
built with anjian.core.wordoc. No Django: the view hands a plain `CloseOut` (the same
figures as the printable page), so the same input always gives the same bytes.

The document is an official Chinese text (like the other Word documents of the platform):
its fixed words are written in Chinese here, not translated."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from anjian.core import wordoc

ANSWERS_ZH = {
    "waiting": "未回复",
    "accepted": "已出发",
    "arrived": "已到达",
    "declined": "无法前往",
}
KINDS_ZH = {
    "team": "救援队伍",
    "expert": "专家",
    "warehouse": "物资储备库",
    "shelter": "避难场所",
    "person": "预案联系人",
}


@dataclass(frozen=True)
class CallRow:
    kind: str
    name: str
    phone: str
    km: str
    eta_minutes: int | None
    called_at: dt.datetime
    answer: str
    arrived_at: dt.datetime | None


@dataclass(frozen=True)
class CloseOut:
    number: int
    title: str
    type_code: str
    type_name: str
    response_level: str
    place: str
    latitude: str
    longitude: str
    division: str
    enterprise: str
    started_at: dt.datetime
    started_by: str
    closed_at: dt.datetime | None
    outcome: str
    casualties: str
    lessons: str
    plans: list[str] = field(default_factory=list)
    calls: list[CallRow] = field(default_factory=list)
    timeline: list[tuple[dt.datetime, str]] = field(default_factory=list)


def _at(moment: dt.datetime | None) -> str:
    return wordoc.TO_BE_SET if moment is None else moment.strftime("%Y-%m-%d %H:%M")


def closeout_docx(report: CloseOut) -> bytes:
    doc = wordoc.new_document()
    wordoc.title(doc, "生产安全事故应急处置总结报告")
    wordoc.para(doc, f"事件编号：{report.number}", align=wordoc.RIGHT)
    wordoc.heading(doc, "一、基本情况")
    wordoc.table(
        doc,
        [
            ("事件名称", report.title),
            ("事件类型", f"{report.type_code} {report.type_name}（GB 6441）"),
            ("响应级别", report.response_level or "—"),
            ("事发地点", f"{report.place or '—'}\n{report.latitude}, {report.longitude}"),
            ("行政区划", report.division),
            ("事发单位", report.enterprise or "—"),
            ("启动时间", f"{_at(report.started_at)}（{report.started_by}）"),
            ("结束时间", _at(report.closed_at)),
        ],
    )
    wordoc.heading(doc, "二、启动的应急预案")
    for line in report.plans or ["无匹配的应急预案。"]:
        wordoc.para(doc, line, indent=True)
    wordoc.heading(doc, "三、调派力量")
    if report.calls:
        arrived = [c for c in report.calls if c.arrived_at]
        wordoc.para(
            doc,
            f"共调派 {len(report.calls)} 个，到达 {len(arrived)} 个。",
            indent=True,
        )
        rows = []
        for c in report.calls:
            rows.append(
                (
                    f"{KINDS_ZH.get(c.kind, c.kind)}",
                    f"{c.name}　{c.phone or ''}\n距离 {c.km or '—'} 公里，预计 "
                    f"{'—' if c.eta_minutes is None else c.eta_minutes} 分钟到达\n"
                    f"调派 {_at(c.called_at)}，{ANSWERS_ZH.get(c.answer, c.answer)}"
                    + (f"，到达 {_at(c.arrived_at)}" if c.arrived_at else ""),
                )
            )
        wordoc.table(doc, rows)
    else:
        wordoc.para(doc, "未调派力量。", indent=True)
    wordoc.heading(doc, "四、处置结果")
    wordoc.para(doc, report.outcome or wordoc.TO_BE_SET, indent=True)
    wordoc.heading(doc, "五、人员伤亡")
    wordoc.para(doc, report.casualties or "—", indent=True)
    wordoc.heading(doc, "六、经验教训")
    wordoc.para(doc, report.lessons or "—", indent=True)
    wordoc.heading(doc, "附：处置时间线")
    for at, text in report.timeline:
        wordoc.para(doc, f"{at.strftime('%H:%M')}　{text}", size=wordoc.TABLE_SIZE)
    return wordoc.to_bytes(
        doc,
        "应急处置总结报告",
        f"incident {report.number}",
        moment=report.closed_at or report.started_at,
    )

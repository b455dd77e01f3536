"""The quarterly bulletin (季度通报) and the annual assessment (年度考核) of a county's
townships and departments (issue 13 items 5-6): the figures of anjian.reports.indicators
for each unit, scored and ranked by anjian.reports.assessment under a named policy
profile, and the Word documents. Townships are compared with townships and departments
with departments (their figures are of different kinds: a department's are the
enterprises it has a duty for).

Every figure in the documents is an indicator's value for that unit and period, and the
appendix names each indicator's source (what it counts in plain words, then its table and
condition in a smaller grey run), so a reader can trace any number to its query. A figure
the platform cannot count yet is left out of the score (the policy renormalises the
weights) and shows as "—"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Mm

from anjian.core import wordoc
from anjian.registry.models import Department, Division

from . import assessment as a
from . import indicators as ind
from .periods import Period
from .phase_summary import source_cell

BULLETIN, ANNUAL = "bulletin", "annual"


@dataclass
class UnitRow:
    key: str  # "d<pk>" township, "p<pk>" department
    name: str
    figures: dict[str, ind.Figure]
    result: a.Result | None = None


@dataclass
class Ranking:
    title: str
    rows: list[UnitRow] = field(default_factory=list)
    worst: list[UnitRow] = field(default_factory=list)


@dataclass
class Report:
    kind: str
    profile: a.Profile
    county: Division
    period: Period
    today: dt.date
    county_figures: dict[str, ind.Figure]
    rankings: list[Ranking]

    @property
    def keys(self) -> list[str]:
        return policy_keys(self.profile)


def policy_keys(profile: a.Profile) -> list[str]:
    keys = [rule.key for rule in profile.indicators]
    if profile.veto is not None and profile.veto.key not in keys:
        keys.append(profile.veto.key)
    return keys


def townships(county: Division) -> list[Division]:
    return list(Division.objects.filter(parent=county).order_by("code"))


def departments(county: Division) -> list[Department]:
    return list(Department.objects.filter(division=county).order_by("kind", "pk"))


def _value(figure: ind.Figure) -> Any:
    """The number the score uses: None for a figure with no source or no value."""
    if not figure.available or figure.value is None:
        return None
    value = figure.value
    if isinstance(value, float):  # never expected; kept exact otherwise
        return Decimal(str(value))
    return value


def _rank(profile: a.Profile, title: str, rows: list[UnitRow]) -> Ranking:
    figures = {row.key: {k: _value(f) for k, f in row.figures.items()} for row in rows}
    names = {row.key: row.name for row in rows}
    results = a.score(profile, figures, names)
    by_key = {row.key: row for row in rows}
    ordered = []
    for result in results:
        row = by_key[result.unit]
        row.result = result
        ordered.append(row)
    worst_keys = {r.unit for r in a.worst(profile, results)}
    return Ranking(title, ordered, [row for row in ordered if row.key in worst_keys])


def build(
    *,
    county: Division,
    period: Period,
    kind: str = BULLETIN,
    today: dt.date | None = None,
    profiles: dict[str, a.Profile] | None = None,
) -> Report:
    """Figures, scores and ranks of the county's townships and departments."""
    from django.utils import timezone

    today = today or timezone.localdate()
    profile = (profiles or a.load_profiles())[kind]
    keys = policy_keys(profile)

    def figures_of(bounds: ind.Bounds) -> dict[str, ind.Figure]:
        return {key: ind.compute(key, bounds, yoy=False) for key in keys}

    town_rows = [
        UnitRow(f"d{d.pk}", d.name, figures_of(ind.Bounds(d, period, today)))
        for d in townships(county)
    ]
    dept_rows = [
        UnitRow(f"p{p.pk}", p.name, figures_of(ind.Bounds(county, period, today, p)))
        for p in departments(county)
    ]
    rankings = []
    if town_rows:
        rankings.append(_rank(profile, "乡镇（街道）", town_rows))
    if dept_rows:
        rankings.append(_rank(profile, "部门", dept_rows))
    county_figures = {key: ind.compute(key, ind.Bounds(county, period, today)) for key in keys}
    return Report(kind, profile, county, period, today, county_figures, rankings)


# --- Word ----------------------------------------------------------------------------------


def period_zh(period: Period) -> str:
    if period.quarter:
        return f"{period.year}年第{'一二三四'[period.quarter - 1]}季度"
    return f"{period.year}年度"


def document_title(report: Report) -> str:
    if report.kind == ANNUAL:
        return f"{report.county.name}{period_zh(report.period)}安全生产工作考核结果"
    return f"{report.county.name}{period_zh(report.period)}安全生产工作情况通报"


def _cell(cell: Any, text: str, *, bold: bool = False) -> None:
    wordoc.fonts(cell.paragraphs[0].add_run(text), size=wordoc.TABLE_SIZE, bold=bold)


def _grid(doc: Any, header: list[str], rows: list[list[str | None]]) -> Any:
    grid = doc.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        _cell(cell, text, bold=True)
    for values in rows:
        for cell, text in zip(grid.add_row().cells, values, strict=True):
            if text is not None:  # None: the caller fills the cell
                _cell(cell, text)
    return grid


def _label(report: Report, key: str) -> str:
    figure = report.county_figures[key]
    return f"{figure.label}（{figure.unit}）" if figure.unit else figure.label


def ranking_rows(report: Report, ranking: Ranking) -> list[list[str]]:
    """The table of a ranking: rank, unit, score, band (annual), each figure."""
    rows = []
    for row in ranking.rows:
        result = row.result
        assert result is not None
        values = [
            str(result.rank),
            row.name,
            result.score_text(),
            *([result.band] if report.kind == ANNUAL else []),
            *(row.figures[key].text_value for key in report.keys),
        ]
        if result.vetoed_because:
            values[1] += f"（一票否决：{result.vetoed_because}）"
        rows.append(values)
    return rows


def ranking_header(report: Report) -> list[str]:
    return [
        "名次",
        "单位",
        "得分",
        *(["等次"] if report.kind == ANNUAL else []),
        *(_label(report, key) for key in report.keys),
    ]


def word(report: Report) -> bytes:
    doc = wordoc.new_document()
    section = doc.sections[0]
    # The ranking tables are wide: landscape.
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.orientation = WD_ORIENT.LANDSCAPE
    wordoc.title(doc, document_title(report))
    wordoc.heading(doc, "一、总体情况")
    overall = []
    for key in report.keys:
        figure = report.county_figures[key]
        if not figure.available:
            overall.append(f"{figure.label}：暂无数据来源")
            continue
        text = f"{figure.label}{figure.text_value}{figure.unit}"
        if figure.yoy and figure.change is not None:
            text += f"（同比{'上升' if figure.change >= 0 else '下降'}{abs(figure.change)}%）"
        overall.append(text)
    wordoc.para(doc, "；".join(overall) + "。", indent=True)
    number = "二三四五六七八九"
    for n, ranking in enumerate(report.rankings):
        wordoc.heading(
            doc, f"{number[n]}、{ranking.title}{'考核结果' if report.kind == ANNUAL else '排名'}"
        )
        _grid(doc, ranking_header(report), ranking_rows(report, ranking))
        if ranking.worst:
            names = "、".join(row.name for row in ranking.worst)
            verb = "考核排名靠后" if report.kind == ANNUAL else "本季度排名靠后"
            wordoc.para(
                doc, f"{names}{verb}，予以通报，请认真分析原因，限期整改提升。", indent=True
            )
    heading_no = number[len(report.rankings)] if len(report.rankings) < len(number) else "十"
    wordoc.heading(doc, f"{heading_no}、指标、权重和数据来源")
    rows = []
    weights = {rule.key: rule for rule in report.profile.indicators}
    for key in report.keys:
        figure = report.county_figures[key]
        rule = weights.get(key)
        if rule is None:
            how = f"一票否决：≥{report.profile.veto.at_least}" if report.profile.veto else ""
        else:
            how = f"权重{a.round2(rule.weight)}，{'越高越好' if rule.direction == a.HIGHER else '越低越好'}"
        technical = figure.source if figure.available else f"暂无数据来源（{figure.no_source}）"
        rows.append([figure.label, how, ind.readable_source(key), technical])
    grid = _grid(doc, ["指标", "计分", "数据来源"], [[*row[:2], None] for row in rows])
    for grid_row, row in zip(grid.rows[1:], rows, strict=True):
        source_cell(grid_row.cells[-1], row[2], row[3])
    wordoc.para(
        doc,
        "计分方法：每项指标在同类单位中最好者100分、最差者0分，其余按数值线性折算；"
        "无数据的指标不计入该单位得分，权重按其余指标重新折算。",
        indent=True,
    )
    wordoc.signature(doc, f"{report.county.name}安全生产委员会办公室", report.today)
    return wordoc.to_bytes(doc, document_title(report), report.period.key)

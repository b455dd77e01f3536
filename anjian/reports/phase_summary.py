"""The phase summary (阶段性总结, issue 13 item 7): the seed report's structure — 一、主要成效
(figures, year on year), 二、经验做法 (what the records show was done), 三、存在问题 (from data
signals, each with its figure), 四、下一步工作 (one line per problem kind present) — for a
jurisdiction and a period, every figure from anjian.reports.indicators, and an appendix
that lists each figure with its source. No figure is written by hand: a figure without a
data source says so, and so does the summary, up front.

`build_phase_summary(division, period, today=...)` computes the data (`Summary`);
`summary_docx(summary)` writes the Word document (anjian.core.wordoc).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Mm, Pt, RGBColor

from anjian.core import wordoc
from anjian.registry.models import Department, Division

from . import indicators as ind
from .forms import period_label
from .periods import Period


@dataclass
class Paragraph:
    text: str
    figures: list[str] = field(default_factory=list)  # indicator keys it states


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    table: list[str] = field(default_factory=list)  # indicator keys shown as a table
    no_source: list[str] = field(default_factory=list)  # why parts have no data


@dataclass
class Problem:
    kind: str
    figure: str  # the indicator key that shows it
    text: str
    next_step: str


@dataclass
class Summary:
    division: Division
    period: Period
    today: dt.date
    as_of: dt.date
    title: str
    department: Department | None
    figures: list[ind.Figure]
    sections: list[Section]
    problems: list[Problem]
    unavailable: list[ind.Figure]  # figures without a data source

    def figure(self, key: str) -> ind.Figure:
        for f in self.figures:
            if f.key == key:
                return f
        raise KeyError(key)


# What each part of 一、主要成效 shows.
ACHIEVEMENTS: list[tuple[str, Any, list[str]]] = [
    (
        "registry",
        lambda: _("Enterprises under supervision"),
        ["enterprises", "major_installation_enterprises", "monitoring_points"],
    ),
    (
        "hazards",
        lambda: _("Hazard identification and rectification"),
        [
            "hazards_found",
            "hazards_fixed",
            "hazards_fixed_on_time",
            "hazards_on_time_rate",
            "hazards_rectification_rate",
            "major_hazards_found",
            "major_hazards_fixed",
            "major_hazards_cleared_rate",
            "rectification_funds",
            "rechecks_done",
        ],
    ),
    (
        "enforcement",
        lambda: _("Supervision and enforcement"),
        [
            "inspections_done",
            "enterprises_inspected",
            "inspection_coverage",
            *[k for k in ind.REGISTRY if k.startswith("documents_")],
            "fines",
            "fines_amount",
            "suspensions",
            "untrustworthy_listings",
        ],
    ),
    (
        "self_checks",
        lambda: _("Enterprise self-checks and monitoring"),
        [
            "self_checks_submitted",
            "alarms_raised",
            "alarms_handled_in_time",
            "alarms_handled_in_time_rate",
        ],
    ),
    (
        "accidents",
        lambda: _("Accidents"),
        [
            "accidents",
            "deaths",
            "serious_injuries",
            "minor_injuries",
            "direct_loss",
            "larger_accidents",
        ],
    ),
    (
        "dispatch",
        lambda: _("Investment and training"),
        ["safety_investment", "persons_trained"],
    ),
]

# 二、经验做法: (figure key that shows it was done, sentence); stated when the figure > 0.
PRACTICES: list[tuple[str, Any]] = [
    (
        "double_random_inspections",
        lambda f: (
            _(
                "Double-random inspections (双随机、一公开): %(value)s, %(share)s of the "
                "inspections done."
            )
            % {"value": f["double_random_inspections"], "share": f["double_random_share"]}
        ),
    ),
    (
        "joint_inspections",
        lambda f: (
            _("Joint inspections by several departments in one visit: %(value)s.")
            % {"value": f["joint_inspections"]}
        ),
    ),
    (
        "unannounced_inspections",
        lambda f: (
            _("Unannounced inspections (四不两直): %(value)s.")
            % {"value": f["unannounced_inspections"]}
        ),
    ),
    (
        "hazards_listed",
        lambda f: (
            _("Major hazards listed for supervision (挂牌督办): %(value)s.")
            % {"value": f["hazards_listed"]}
        ),
    ),
    (
        "rechecks_done",
        lambda f: (
            _("Closed hazards re-checked unannounced (回头看): %(value)s.")
            % {"value": f["rechecks_done"]}
        ),
    ),
    (
        "documents_total",
        lambda f: (
            _(
                "Enforcement documents issued electronically and kept with their digest on the "
                "platform: %(value)s."
            )
            % {"value": f["documents_total"]}
        ),
    ),
    (
        "self_checks_submitted",
        lambda f: (
            _(
                "Self-check records submitted on the platform and scored for authenticity: "
                "%(value)s."
            )
            % {"value": f["self_checks_submitted"]}
        ),
    ),
]

# 三、存在问题 and 四、下一步工作: (kind, figure key, problem sentence, next step).
PROBLEMS: list[tuple[str, str, Any, Any]] = [
    (
        "overdue_hazards",
        "hazards_overdue_open",
        lambda v: _("%(value)s hazards are past their deadline and still open.") % {"value": v},
        lambda: _(
            "Follow up every overdue hazard with its enterprise and escalate those past the "
            "deadline to the supervising department."
        ),
    ),
    (
        "major_open",
        "major_hazards_open",
        lambda v: _("%(value)s major hazards are not yet cleared.") % {"value": v},
        lambda: _("List the open major hazards for supervision and clear them by their plans."),
    ),
    (
        "relapses",
        "rechecks_relapsed",
        lambda v: _("Re-checks found %(value)s closed hazards back again.") % {"value": v},
        lambda: _(
            "Re-check the enterprises with relapses again and hold them to account for the relapse."
        ),
    ),
    (
        "faked_self_checks",
        "enterprises_flagged_self_checks",
        lambda v: (
            _("%(value)s enterprises were flagged for self-check records that may not be genuine.")
            % {"value": v}
        ),
        lambda: _(
            "Inspect the flagged enterprises on site and check their self-check records "
            "against what is found."
        ),
    ),
    (
        "supervision_gaps",
        "supervision_gaps",
        lambda v: _("%(value)s enterprises have no lead supervising department.") % {"value": v},
        lambda: _(
            "Have the safety committee office assign a lead department to every enterprise "
            "without one."
        ),
    ),
    (
        "open_disputes",
        "open_duty_disputes",
        lambda v: _("%(value)s disputes over supervision duties await a decision.") % {"value": v},
        lambda: _("Decide the open duty disputes and record the decisions."),
    ),
    (
        "double_fines",
        "double_fines_refused",
        lambda v: _("%(value)s second fines for one act were refused.") % {"value": v},
        lambda: _("Coordinate the departments' penalties on the same act before deciding."),
    ),
    (
        "alarms_late",
        "alarms_not_handled_in_time",
        lambda v: _("%(value)s monitoring alarms were not handled in time.") % {"value": v},
        lambda: _(
            "Check with the enterprises why alarms wait and make sure someone answers them "
            "around the clock."
        ),
    ),
    (
        "offline_sensors",
        "sensors_offline",
        lambda v: _("%(value)s sensors are offline.") % {"value": v},
        lambda: _("Have the enterprises repair the offline sensors and bring them back online."),
    ),
]


def _figure_text(f: ind.Figure) -> str:
    if not f.available:
        return _("%(label)s: no data source (%(reason)s)") % {
            "label": f.label,
            "reason": f.no_source,
        }
    unit = "" if f.unit == ind.UNIT_PERCENT else f" {f.unit}"
    text = _("%(label)s: %(value)s%(unit)s") % {
        "label": f.label,
        "value": f.text_value + ("%" if f.unit == ind.UNIT_PERCENT and f.value is not None else ""),
        "unit": unit,
    }
    return text + _yoy_text(f)


def _yoy_text(f: ind.Figure) -> str:
    if not f.yoy:
        return ""
    if f.change is not None:
        return _(" (%(change)s%% year on year)") % {
            "change": f"+{f.change}" if f.change > 0 else f"{f.change}"
        }
    return _(" (same period last year: %(previous)s)") % {"previous": f.text_previous}


# The readable sources of the figures the summary derives itself (not in the registry).
DERIVED_READABLE = {
    "documents_total": gettext_lazy("Enforcement documents of every kind issued in the period"),
    "alarms_not_handled_in_time": gettext_lazy(
        "Monitoring alarms raised in the period less those handled in time"
    ),
}


def readable_source(key: str) -> str:
    """What a figure of the summary counts, in plain words (the active language)."""
    if key in DERIVED_READABLE:
        return str(DERIVED_READABLE[key])
    return ind.readable_source(key)


def _derived(figures: dict[str, ind.Figure], bounds: ind.Bounds) -> dict[str, ind.Figure]:
    """Figures the summary states that are sums or differences of registry figures."""
    out = {}
    docs = [f for k, f in figures.items() if k.startswith("documents_")]
    out["documents_total"] = ind.Figure(
        "documents_total",
        _("Enforcement documents issued"),
        str(ind.pgettext_lazy("report unit", "documents")),
        "the sum of the documents of every kind above (执法文书, issued_on in the period)",
        ind.COUNT,
        value=sum(int(f.value or 0) for f in docs),
        previous=sum(int(f.previous or 0) for f in docs),
        yoy=True,
    )
    raised, in_time = figures["alarms_raised"], figures["alarms_handled_in_time"]
    out["alarms_not_handled_in_time"] = ind.Figure(
        "alarms_not_handled_in_time",
        _("Alarms not handled in time"),
        str(ind.UNIT_TIMES),
        "alarms raised in the period − alarms handled in time (monitoring.Alarm)",
        ind.COUNT,
        value=int(raised.value or 0) - int(in_time.value or 0),
        previous=int(raised.previous or 0) - int(in_time.previous or 0),
        yoy=True,
    )
    return out


def _positive(f: ind.Figure) -> bool:
    return f.available and f.value is not None and f.value > 0


def build_phase_summary(
    division: Division,
    period: Period,
    *,
    today: dt.date | None = None,
    department: Department | None = None,
) -> Summary:
    today = today or timezone.localdate()
    bounds = ind.Bounds(division, period, today, department)
    figures = ind.compute_all(bounds)
    figures.update(_derived(figures, bounds))
    values = {k: f.text_value for k, f in figures.items()}
    values["double_random_share"] = f"{values['double_random_share']}%"

    sections: list[Section] = []
    achievements = Section("achievements", _("I. Main achievements"))
    for key, title, keys in ACHIEVEMENTS:
        part = Section(key, str(title()), table=keys)
        missing = [figures[k] for k in keys if not figures[k].available]
        if len(missing) == len(keys):
            reasons = sorted({f.no_source for f in missing})
            part.no_source = reasons
            part.paragraphs.append(
                Paragraph(
                    _("No data source for this part: %(reason)s.") % {"reason": "; ".join(reasons)},
                    [f.key for f in missing],
                )
            )
        else:
            for k in keys:
                part.paragraphs.append(Paragraph(_figure_text(figures[k]), [k]))
        achievements.paragraphs.append(Paragraph(part.title))
        sections.append(part)
    practices = Section("practices", _("II. Practices"))
    for key, sentence in PRACTICES:
        if _positive(figures[key]):
            keys = [key] + (["double_random_share"] if key == "double_random_inspections" else [])
            practices.paragraphs.append(Paragraph(sentence(values), keys))
    if not practices.paragraphs:
        practices.paragraphs.append(
            Paragraph(_("The platform's records show none of these practices in the period."))
        )

    problems: list[Problem] = []
    problem_section = Section("problems", _("III. Problems"))
    for kind, key, sentence, step in PROBLEMS:
        f = figures[key]
        if not f.available:
            problem_section.no_source.append(f.no_source)
            problem_section.paragraphs.append(Paragraph(_figure_text(f), [key]))
        elif _positive(f):
            problem = Problem(kind, key, sentence(f.text_value), str(step()))
            problems.append(problem)
            problem_section.paragraphs.append(Paragraph(problem.text, [key]))
    if not problems:
        problem_section.paragraphs.insert(
            0, Paragraph(_("The platform's records show none of these problems in the period."))
        )
    next_steps = Section("next_steps", _("IV. Next steps"))
    for problem in problems:
        next_steps.paragraphs.append(Paragraph(problem.next_step, [problem.figure]))
    if not problems:
        next_steps.paragraphs.append(
            Paragraph(_("Keep up the practices above; no problem kind was found in the data."))
        )

    ordered = list(figures.values())
    unavailable = [f for f in ordered if not f.available]
    title = _("%(division)s work safety phase summary, %(period)s") % {
        "division": division.name,
        "period": period_label(period),
    }
    return Summary(
        division=division,
        period=period,
        today=today,
        as_of=bounds.on,
        title=title,
        department=department,
        figures=ordered,
        sections=[achievements, *sections, practices, problem_section, next_steps],
        problems=problems,
        unavailable=unavailable,
    )


# --- the Word document --------------------------------------------------------------------------


# The technical source (the query) after the readable one: smaller and grey.
QUERY_SIZE = Pt(9)
QUERY_COLOR = RGBColor(0x6E, 0x6E, 0x6E)


def source_cell(cell: Any, readable: str, technical: str, *, size: Any = None) -> None:
    """A source cell of an appendix: the readable sentence, then, on a new line, the
    technical source (table, fields, conditions) in a smaller grey run."""
    paragraph = cell.paragraphs[0]
    if readable:
        run = paragraph.add_run(readable)
        wordoc.fonts(run, size=size or wordoc.TABLE_SIZE)
        run.add_break()
    query = paragraph.add_run(technical)
    wordoc.fonts(query, size=QUERY_SIZE)
    query.font.color.rgb = QUERY_COLOR


def _grid(doc: Any, header: list[str], rows: list[list[str | None]], widths: list[int]) -> Any:
    grid = doc.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text, width in zip(grid.rows[0].cells, header, widths, strict=True):
        cell.width = Mm(width)
        wordoc.fonts(cell.paragraphs[0].add_run(text), size=wordoc.TABLE_SIZE, bold=True)
    for row in rows:
        cells = grid.add_row().cells
        for cell, text, width in zip(cells, row, widths, strict=True):
            cell.width = Mm(width)
            if text is not None:  # None: the caller fills the cell
                wordoc.fonts(cell.paragraphs[0].add_run(text), size=wordoc.TABLE_SIZE)
    return grid


def _figure_row(f: ind.Figure) -> list[str]:
    if not f.available:
        return [f.key, f.label, _("no data source"), "", ""]
    change = ""
    if f.yoy:
        change = "—" if f.change is None else f"{f.change}%"
    return [f.key, f.label, f.text_value, f.text_previous, change]


def summary_docx(summary: Summary) -> bytes:
    """The phase summary as a .docx (A4, GB/T 9704 margins, 仿宋 body)."""
    doc = wordoc.new_document()
    wordoc.title(doc, summary.title)
    scope = summary.division.name
    if summary.department is not None:
        scope = f"{scope} · {summary.department.name}"
    wordoc.para(
        doc,
        _(
            "Jurisdiction: %(scope)s. Period: %(start)s to %(end)s; stock figures as of "
            "%(as_of)s. Every figure is counted from the platform's records; the appendix "
            "lists the source of each."
        )
        % {
            "scope": scope,
            "start": wordoc.date_zh(summary.period.start),
            "end": wordoc.date_zh(summary.period.end),
            "as_of": wordoc.date_zh(summary.as_of),
        },
        indent=True,
    )
    if summary.unavailable:
        wordoc.para(
            doc,
            _("Without a data source on the platform (no figure given): %(items)s.")
            % {
                "items": "; ".join(f"{f.label} ({f.no_source})" for f in summary.unavailable),
            },
            indent=True,
        )
    header = [_("Key"), _("Figure"), _("Value"), _("Same period last year"), _("Change")]
    widths = [34, 52, 24, 24, 22]
    by_key = {f.key: f for f in summary.figures}
    for section in summary.sections:
        if section.key == "achievements":
            wordoc.heading(doc, section.title)
            continue
        if section.key in {k for k, _t, _f in ACHIEVEMENTS}:
            wordoc.para(doc, bold_lead=section.title)
            for p in section.paragraphs:
                wordoc.para(doc, p.text, indent=True)
            available = [by_key[k] for k in section.table if by_key[k].available]
            if available:
                _grid(doc, header, [_figure_row(f) for f in available], widths)
            continue
        wordoc.heading(doc, section.title)
        for p in section.paragraphs:
            wordoc.para(doc, p.text, indent=True)

    wordoc.heading(doc, _("Appendix: sources of the figures"))
    rows = []
    for f in summary.figures:
        value = (
            f.text_value
            if f.available
            else _("no data source: %(reason)s") % {"reason": f.no_source}
        )
        unit = f.unit if f.available else ""
        rows.append([f.key, f.label, value, unit, f.text_previous])
    grid = _grid(
        doc,
        [
            _("Key"),
            _("Figure"),
            _("Value"),
            pgettext("unit of measure", "Unit"),
            _("Same period last year"),
            _("Source"),
        ],
        [[*row, None] for row in rows],
        [26, 32, 20, 12, 18, 48],
    )
    for row, f in zip(grid.rows[1:], summary.figures, strict=True):
        source_cell(row.cells[-1], readable_source(f.key), f.source)
    moment = timezone.make_aware(dt.datetime.combine(summary.today, dt.time.min))
    return wordoc.to_bytes(doc, summary.title, summary.period.key, moment=moment)

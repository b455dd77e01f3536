"""`anjian manage phase_summary --division CODE --period 2026Q3 --out FILE`: the phase
summary of a division (and its subtree) for a period as a Word document; prints a JSON
line with the file, its SHA-256, the figures without a data source and the seconds."""

import datetime as dt
import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from anjian.core import wordoc
from anjian.registry.models import Department, Division
from anjian.reports import periods
from anjian.reports.phase_summary import build_phase_summary, summary_docx


class Command(BaseCommand):
    help = "Write the phase summary (阶段性总结) of a division and period as a Word file."

    def add_arguments(self, parser):
        parser.add_argument("--division", required=True, help="division code, e.g. 330101")
        parser.add_argument("--period", required=True, help="2026Q3 or 2026")
        parser.add_argument("--out", required=True, help="the .docx file to write")
        parser.add_argument("--department", type=int, default=None, help="department id")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--language", default="zh-hans")

    def handle(self, *args, division, period, out, department, today, language, **options):
        try:
            chosen = periods.parse(period)
        except periods.PeriodError as exc:
            raise CommandError(str(exc)) from exc
        node = Division.objects.filter(code=division).first()
        if node is None:
            raise CommandError(f"no division with code {division}")
        dept = None
        if department is not None:
            dept = Department.objects.filter(pk=department).first()
            if dept is None:
                raise CommandError(f"no department with id {department}")
        started = time.perf_counter()
        with translation.override(language):
            summary = build_phase_summary(
                node, chosen, today=today or timezone.localdate(), department=dept
            )
            content = summary_docx(summary)
        Path(out).write_bytes(content)
        self.stdout.write(
            json.dumps(
                {
                    "out": out,
                    "division": node.code,
                    "period": chosen.key,
                    "figures": len(summary.figures),
                    "no_data_source": [f.key for f in summary.unavailable],
                    "problems": [p.kind for p in summary.problems],
                    "sha256": wordoc.sha256(content),
                    "seconds": round(time.perf_counter() - started, 3),
                },
                ensure_ascii=False,
            )
        )

"""anjian monitor import FILE --enterprise USCC: points and set-points from Excel
(anjian.monitoring.importer); --template OUT.xlsx writes the empty template."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Import monitoring points and set-points from the Excel template (all or nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", default=None)
        parser.add_argument("--enterprise", default=None, help="the enterprise's credit code")
        parser.add_argument("--template", default=None, help="write the empty template here")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options) -> None:
        from anjian.core.audit import Actor
        from anjian.monitoring import importer
        from anjian.registry.models import Enterprise

        if options["template"]:
            Path(options["template"]).write_bytes(importer.build_template())
            self.stdout.write(options["template"])
            if not options["file"]:
                return
        if not options["file"] or not options["enterprise"]:
            raise CommandError("Give FILE and --enterprise USCC (or --template OUT.xlsx).")
        enterprise = Enterprise.objects.filter(uscc=options["enterprise"].strip().upper()).first()
        if enterprise is None:
            raise CommandError(f"No enterprise with credit code {options['enterprise']}.")
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            result = importer.points_import(
                actor=Actor.system("cli", "monitor-import"),
                enterprise_id=enterprise.pk,
                source=data,
                filename=path.name,
            )
        except importer.ImportRejected as exc:
            if options["json"]:
                self.stdout.write(json.dumps({"errors": exc.as_list()}, ensure_ascii=False))
            else:
                self.stderr.write(f"未导入 (nothing imported): {len(exc.errors)} 个问题")
                for error in exc.errors:
                    self.stderr.write("  " + error.message)
            raise CommandError("import refused", returncode=2) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(
            f"已导入：网关 {result.gateways}，监测点 {result.points}，阈值 {result.setpoints}，"
            f"允许开启时段 {result.seal_windows}"
        )
        for code, token in result.tokens:
            self.stdout.write(f"  新网关 {code} 接入令牌（只显示一次）：{token}")

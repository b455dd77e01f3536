import json
import time

from django.core.management.base import BaseCommand, CommandError

from anjian.reports.tally_services import hazard_tally_check, hazard_tally_rebuild


class Command(BaseCommand):
    help = (
        "Check the hazard rollup (the counters behind the statistics) against a full recount "
        "of the hazard table; --repair rewrites it when they differ. Prints JSON; exit code 1 "
        "when --check finds a difference. Idempotent, run nightly from cron."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--check", action="store_true", help="compare only (the default)")
        mode.add_argument("--repair", action="store_true", help="rewrite when different")

    def handle(self, *args, check: bool, repair: bool, **options):
        started = time.perf_counter()
        report = hazard_tally_rebuild() if repair else hazard_tally_check()
        report["repaired"] = bool(repair and not report["ok"])
        report["seconds"] = round(time.perf_counter() - started, 2)
        self.stdout.write(json.dumps(report, ensure_ascii=False))
        if not repair and not report["ok"]:
            raise CommandError("the hazard rollup differs from a recount; run with --repair")

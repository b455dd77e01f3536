import json
import time

from django.core.management.base import BaseCommand, CommandError

from anjian.accidents.tally_services import accident_tally_check, accident_tally_rebuild


class Command(BaseCommand):
    help = (
        "Check the accident rollup (the counters behind the accident statistics) against a "
        "full recount of the accidents; --repair rewrites it when they differ. Prints JSON; "
        "exit code 1 when --check finds a difference. Idempotent, run nightly from cron."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--check", action="store_true", help="compare only (the default)")
        mode.add_argument("--repair", action="store_true", help="rewrite when different")

    def handle(self, *args, check: bool, repair: bool, **options):
        started = time.perf_counter()
        report = accident_tally_rebuild() if repair else accident_tally_check()
        report["repaired"] = bool(repair and not report["ok"])
        report["seconds"] = round(time.perf_counter() - started, 2)
        self.stdout.write(json.dumps(report, ensure_ascii=False))
        if not repair and not report["ok"]:
            raise CommandError("the accident rollup differs from a recount; run with --repair")

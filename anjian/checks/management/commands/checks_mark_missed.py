import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from anjian.checks.jobs import mark_missed_run


class Command(BaseCommand):
    help = (
        "Mark the self-check periods that ended without a submitted record as missed and "
        "move each task's next due date on (run it from cron every 15 minutes; a second "
        "run changes nothing). Exit code 1 if a task failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", default=None, help="The time to judge at (ISO 8601).")

    def handle(self, *args, now, **options):
        at = None
        if now:
            at = dt.datetime.fromisoformat(now)
            if at.tzinfo is None:
                raise CommandError("--now needs its UTC offset")
        result = mark_missed_run(now=at)
        self.stdout.write(json.dumps(result))
        if result["failed"]:
            raise SystemExit(1)

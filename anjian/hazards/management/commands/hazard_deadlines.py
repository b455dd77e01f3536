import json

from django.core.management.base import BaseCommand, CommandError

from anjian.hazards.jobs import hazard_deadlines_run
from anjian.hazards.management.dates import run_date


class Command(BaseCommand):
    help = (
        "Hazard deadlines: remind before the deadline, mark overdue hazards and escalate them "
        "(principal → grid officer → county department). Run it daily from cron; a second "
        "run on the same day changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="Run as of this day (YYYY-MM-DD).")

    def handle(self, *args, date, **options):
        today = run_date(date) if date else None
        stats = hazard_deadlines_run(today=today)
        self.stdout.write(json.dumps(stats))
        if stats["errors"]:
            raise CommandError(
                f"{stats['errors']} hazards failed; see the log (the rest were done)"
            )

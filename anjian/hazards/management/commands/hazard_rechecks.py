import json

from django.core.management.base import BaseCommand

from anjian.hazards.management.dates import run_date
from anjian.hazards.recheck_jobs import recheck_sample_run


class Command(BaseCommand):
    help = (
        "Sample closed hazards for unannounced re-checks (回头看): all major ones and a share "
        "of general ones per county, once a month (run it daily or monthly from cron; a "
        "second run in the same month creates nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="Run as of this day (YYYY-MM-DD).")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, date, seed, **options):
        today = run_date(date) if date else None
        self.stdout.write(json.dumps(recheck_sample_run(today=today, seed=seed)))

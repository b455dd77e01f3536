import datetime as dt
import json

from django.core.management.base import BaseCommand

from anjian.commitments.services import commitments_flag_missing


class Command(BaseCommand):
    help = (
        "Flag the enterprises that owe today's daily commitment notice and have none after "
        "10:00, and tell their principal and safety officers (run it from cron after 10:00; "
        "a second run the same day changes nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="The day to check (YYYY-MM-DD).")

    def handle(self, *args, date, **options):
        day = dt.date.fromisoformat(date) if date else None
        self.stdout.write(json.dumps(commitments_flag_missing(day=day)))

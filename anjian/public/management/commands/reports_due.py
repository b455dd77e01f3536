import datetime as dt
import json

from django.core.management.base import BaseCommand

from anjian.public.report_jobs import reports_due


class Command(BaseCommand):
    help = (
        "Remind the handlers of whistleblower reports due in 7 days and flag overdue ones "
        "(run daily; a second run the same day changes nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="The day to check (YYYY-MM-DD).")

    def handle(self, *args, date, **options):
        day = dt.date.fromisoformat(date) if date else None
        self.stdout.write(json.dumps(reports_due(today=day)))

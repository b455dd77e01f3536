import datetime as dt
import json

from django.core.management.base import BaseCommand

from anjian.credit.services import credit_evaluate


class Command(BaseCommand):
    help = (
        "Evaluate every enterprise's credit figures: put enterprises on the list of "
        "untrustworthy subjects when a rule fires, take them off after a clean period "
        "(run it daily from cron; a second run the same day changes nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="Evaluate as of this day (YYYY-MM-DD).")

    def handle(self, *args, date, **options):
        today = dt.date.fromisoformat(date) if date else None
        self.stdout.write(json.dumps(credit_evaluate(today=today)))

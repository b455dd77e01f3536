import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from anjian.emergency.plan_jobs import plans_due_run


class Command(BaseCommand):
    help = (
        "Emergency plans, daily: submitted plans not answered within 5 working days count "
        "as filed; the units are reminded of filing deadlines (near or passed) and overdue "
        "3-year evaluations, each once. Idempotent; run it daily from cron. Prints JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", default=None, help="The day to judge at (YYYY-MM-DD).")

    def handle(self, *args, today, **options):
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError("--today must be YYYY-MM-DD") from exc
        self.stdout.write(json.dumps(plans_due_run(today=day)))

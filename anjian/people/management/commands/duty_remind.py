import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from anjian.people.duty_jobs import duty_remind_run


class Command(BaseCommand):
    help = (
        "Responsibility lists, daily: remind principals of an overdue quarterly duty "
        "report and enterprises of missing responsibility letters, each once. Idempotent. "
        "Prints JSON."
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
        self.stdout.write(json.dumps(duty_remind_run(today=day)))

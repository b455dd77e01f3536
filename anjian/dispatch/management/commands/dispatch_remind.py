import datetime as dt
import json

from django.core.management.base import BaseCommand

from anjian.dispatch.reminders import dispatch_remind


class Command(BaseCommand):
    help = (
        "Remind townships and departments of their monthly dispatch form (due soon, then "
        "overdue); idempotent, run daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args, today, **options):
        self.stdout.write(json.dumps(dispatch_remind(today=today), ensure_ascii=False))

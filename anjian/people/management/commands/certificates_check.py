import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from anjian.people.training_jobs import certificates_check_run


class Command(BaseCommand):
    help = (
        "Tell the enterprises' principals and safety officers about certificates whose "
        "validity or review (复审) ends within --days (default 30, "
        "ANJIAN_CERTIFICATE_NOTICE_DAYS) and on the day; each warning once (a second run "
        "sends nothing new). Run it daily from cron. Exit code 1 if a certificate failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", default=None, help="The day to judge at (YYYY-MM-DD).")
        parser.add_argument("--days", type=int, default=None, help="Notice in days.")

    def handle(self, *args, today, days, **options):
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError("--today must be YYYY-MM-DD") from exc
        if days is not None and not 0 <= days <= 366:
            raise CommandError("--days must be between 0 and 366")
        result = certificates_check_run(today=day, days=days)
        self.stdout.write(json.dumps(result))
        if result["failed"]:
            raise SystemExit(1)

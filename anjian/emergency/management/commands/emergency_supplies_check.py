import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from anjian.emergency.resource_jobs import supplies_check_run
from anjian.emergency.resource_rules import MAX_NOTICE_DAYS


class Command(BaseCommand):
    help = (
        "Tell the keepers of emergency supplies about expired, expiring (within --days, "
        "default 30 or ANJIAN_SUPPLY_EXPIRY_DAYS), short or damaged records; each warning "
        "once (a second run sends nothing new). Run it daily from cron. Exit code 1 if a "
        "supply failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", default=None, help="The day to judge at (YYYY-MM-DD).")
        parser.add_argument("--days", type=int, default=None, help="Expiry notice in days.")

    def handle(self, *args, today, days, **options):
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError("--today must be YYYY-MM-DD") from exc
        if days is not None and not 0 <= days <= MAX_NOTICE_DAYS:
            raise CommandError(f"--days must be between 0 and {MAX_NOTICE_DAYS}")
        result = supplies_check_run(today=day, days=days)
        self.stdout.write(json.dumps(result))
        if result["failed"]:
            raise SystemExit(1)

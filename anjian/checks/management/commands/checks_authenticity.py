import json

from django.core.management.base import BaseCommand

from anjian.checks.scoring import DEFAULT_PERIOD_DAYS, authenticity_run


class Command(BaseCommand):
    help = (
        "Score the authenticity of every enterprise's self-check records over the last "
        "days (the daily job) and store the results; a second run on the same day returns "
        "that day's run. Prints the run's counts as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period-days", type=int, default=DEFAULT_PERIOD_DAYS)

    def handle(self, *args, period_days, **options):
        run, created = authenticity_run(period_days=period_days)
        self.stdout.write(
            json.dumps(
                {
                    "run": run.pk,
                    "day": run.day.isoformat(),
                    "created": created,
                    "enterprises": run.enterprises,
                    "flagged_enterprises": run.flagged_enterprises,
                    "records": run.records,
                    "flagged_records": run.flagged_records,
                }
            )
        )

import json

from django.core.management.base import BaseCommand

from anjian.demo.generator import stderr_progress
from anjian.risks.services import safety_codes_recompute_all


class Command(BaseCommand):
    help = "Recompute every enterprise's safety code (the scheduled job; run it daily from cron)."

    def add_arguments(self, parser):
        parser.add_argument("--policy", default=None)
        parser.add_argument("--trigger", default="schedule")

    def handle(self, *args, policy, trigger, **options):
        stats = safety_codes_recompute_all(
            trigger=trigger, policy_name=policy, progress=stderr_progress
        )
        self.stdout.write(json.dumps(stats))

import json

from django.core.management.base import BaseCommand

from anjian.penalties.jobs import expire_listings_run


class Command(BaseCommand):
    help = (
        "End the untrustworthy listings whose period is over (the daily job; running it "
        "again the same day ends nothing twice). Prints the counts as JSON."
    )

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(expire_listings_run()) + "\n")

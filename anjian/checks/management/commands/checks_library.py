import json

from django.core.management.base import BaseCommand

from anjian.checks.checklist_services import library_sync


class Command(BaseCommand):
    help = (
        "Bring the check-list library (one list per determination standard and industry) up "
        "to date with the determination data files; run after upgrading. A second run "
        'changes nothing. Prints {"created": n, "updated": n}.'
    )

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(library_sync()))

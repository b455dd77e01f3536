import json

from django.core.management.base import BaseCommand

from anjian.core.audit import audit_verify


class Command(BaseCommand):
    help = (
        "Walk the audit chain (MAC of each row, links, head) and hold it against the signed "
        "checkpoints; report the first broken link. Exit 1 if broken."
    )

    def handle(self, *args, **options):
        report = audit_verify()
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        if not report.ok:
            raise SystemExit(1)

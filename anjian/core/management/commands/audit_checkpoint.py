import json

from django.core.management.base import BaseCommand

from anjian.core.audit import audit_checkpoint


class Command(BaseCommand):
    help = (
        "Append a signed checkpoint of the audit chain's head to the checkpoint file "
        "(ANJIAN_AUDIT_CHECKPOINT_FILE), after verifying the rows since the last one. "
        "Prints one JSON object; exit 1 if the chain or the file is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", default="scheduled", help="recorded in the checkpoint")

    def handle(self, *args, **options):
        result = audit_checkpoint(kind=options["kind"])
        self.stdout.write(json.dumps(result, ensure_ascii=False))
        if not result["ok"]:
            raise SystemExit(1)

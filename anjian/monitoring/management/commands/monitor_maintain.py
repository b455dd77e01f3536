"""anjian monitor maintain: daily partitions ahead (PostgreSQL) and retention."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the coming days' reading partitions and delete expired readings."
    requires_system_checks: list[str] = []  # fast start; no URL import

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days-ahead", type=int, default=None)
        parser.add_argument("--no-retention", action="store_true")

    def handle(self, *args, **options) -> None:
        from anjian.monitoring import storage

        out = {"partitions_created": storage.ensure_partitions(days_ahead=options["days_ahead"])}
        if not options["no_retention"]:
            out["deleted"] = storage.apply_retention()
        self.stdout.write(json.dumps(out))

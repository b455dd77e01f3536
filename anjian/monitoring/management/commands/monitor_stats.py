"""anjian monitor stats --json: readings stored, rejections by reason, open alarms."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Ingestion figures: stored, rejected (by reason), alarms_open."
    requires_system_checks: list[str] = []  # fast start; no URL import

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options) -> None:
        from anjian.monitoring.alarms import open_alarms
        from anjian.monitoring.models import Gateway, Point, RawReading, RejectionCount

        rejected = dict(RejectionCount.objects.order_by("reason").values_list("reason", "count"))
        out = {
            "stored": RawReading.objects.count(),
            "rejected": rejected,
            "rejected_total": sum(rejected.values()),
            "alarms_open": open_alarms().count(),
            "gateways": Gateway.objects.count(),
            "points": Point.objects.count(),
        }
        if options["json"]:
            self.stdout.write(json.dumps(out))
            return
        for key, value in out.items():
            self.stdout.write(f"{key}: {value}")

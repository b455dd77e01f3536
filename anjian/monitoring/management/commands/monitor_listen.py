"""anjian monitor listen: MQTT readings into the pipeline (anjian.monitoring.listener)."""

from __future__ import annotations

import json
import logging

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Subscribe to anjian/v1/+/readings (QoS 1) and store, evaluate and alarm."
    requires_system_checks: list[str] = []  # fast start; no URL import

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default=None, help="MQTT broker (ANJIAN_MQTT_URL)")
        parser.add_argument(
            "--shared",
            action="store_true",
            help="join the shared subscription $share/anjian/… (several listeners)",
        )
        parser.add_argument("--instance", type=int, default=1, help="listener number (--shared)")
        parser.add_argument("--client-id", default=None, help="MQTT client id (stable)")
        parser.add_argument(
            "--state-url",
            default=None,
            help="redis://… to share alarm state (ANJIAN_MONITORING_STATE_URL); '' for memory",
        )
        parser.add_argument("--batch-messages", type=int, default=200)
        parser.add_argument("--batch-ms", type=int, default=50)
        parser.add_argument("--max-seconds", type=float, default=None)
        parser.add_argument("--idle-exit", type=float, default=None, help="stop after idle s")
        parser.add_argument("--stats-every", type=float, default=0.0)

    def handle(self, *args, **options) -> None:
        from anjian.monitoring.listener import run_from_command

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        totals = run_from_command(options)
        self.stdout.write(json.dumps(totals))

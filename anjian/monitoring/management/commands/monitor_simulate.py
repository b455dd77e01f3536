"""anjian monitor simulate: stream demo readings with faults (anjian.monitoring.simulator)."""

from __future__ import annotations

import json
import os

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Stream realistic readings for the active points over MQTT (default) or HTTP."
    requires_system_checks: list[str] = []  # a client: runs beside the server, not for it

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default=None, help="MQTT broker (ANJIAN_MQTT_URL)")
        parser.add_argument("--http", default=None, help="HTTP base URL instead of MQTT")
        parser.add_argument(
            "--tokens", default=None, help="gateway tokens (var/demo-gateways.json)"
        )
        parser.add_argument("--rate", type=float, default=None, help="readings per second")
        parser.add_argument("--duration", type=float, default=None, help="seconds (default: run)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--run-jobs",
            type=float,
            default=0,
            help="also run the monitoring jobs (offline, escalation) every N s (no scheduler)",
        )

    def handle(self, *args, **options) -> None:
        from pathlib import Path

        from anjian.demo.monitoring import read_gateway_tokens
        from anjian.monitoring import simulator

        points = simulator.load_points()
        if not points:
            raise CommandError("No active monitoring points: run `anjian demo` first.")
        events = simulator.schedule(points)
        sim = simulator.Simulator(points, events, seed=options["seed"])
        if options["http"]:
            tokens = read_gateway_tokens(Path(options["tokens"]) if options["tokens"] else None)
            if not tokens:
                raise CommandError("No gateway tokens: the demo writes var/demo-gateways.json.")
            sender = simulator.HttpSender(options["http"], tokens)
            target = sender.url
        else:
            url = options["url"] or os.environ.get("ANJIAN_MQTT_URL", "mqtt://127.0.0.1:1883")
            try:
                sender = simulator.MqttSender(url)
            except OSError as exc:
                raise CommandError(f"Cannot reach the MQTT broker at {url}: {exc}") from exc
            target = url
        interval = simulator.interval_for(len(points), options["rate"])
        self.stderr.write(
            f"simulating {len(points)} points to {target}, a tick every {interval:.3f} s; "
            + ", ".join(
                f"{e.kind} {e.gateway}/{e.point or '*'} {e.start:.0f}–{e.end:.0f} s" for e in events
            )
            + f" (cycle {simulator.CYCLE:.0f} s)"
        )
        jobs = None
        if options["run_jobs"] > 0:
            from anjian.monitoring.jobs import monitoring_jobs_run

            jobs = (options["run_jobs"], monitoring_jobs_run)
        counts = simulator.stream(
            sim, sender, interval=interval, duration=options["duration"], jobs=jobs
        )
        if isinstance(sender, simulator.HttpSender) and sender.refused:
            counts["refused"] = sender.refused
        self.stdout.write(json.dumps(counts))

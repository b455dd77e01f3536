"""anjian monitor alarms --json [--since ISO]: alarms, newest first."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from anjian.core.times import EARLIEST_YEAR, LATEST_YEAR, utc_instant


class Command(BaseCommand):
    help = "List alarms (id, point, level, state, raised_at, value)."
    requires_system_checks: list[str] = []  # fast start; no URL import

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="print a JSON list")
        parser.add_argument("--since", default=None, help="ISO 8601 with offset")

    def handle(self, *args, **options) -> None:
        from anjian.monitoring.models import Alarm

        alarms = Alarm.objects.select_related("point__gateway").order_by("-raised_at", "-pk")
        if options["since"]:
            try:
                since = dt.datetime.fromisoformat(options["since"])
            except ValueError as exc:
                raise CommandError(f"--since is not ISO 8601: {options['since']}") from exc
            since = utc_instant(since)
            if since is None:
                raise CommandError(
                    "--since needs a UTC offset and a year from "
                    f"{EARLIEST_YEAR} to {LATEST_YEAR}, e.g. 2026-12-03T08:00:00+08:00"
                )
            alarms = alarms.filter(raised_at__gte=since)
        rows = [
            {
                "id": a.pk,
                "point": a.point.code,
                "gateway": a.point.gateway.code,
                "condition": a.condition,
                "level": a.level,
                "state": a.state,
                "raised_at": a.raised_at.isoformat(),
                "cleared_at": a.cleared_at.isoformat() if a.cleared_at else None,
                "value": a.value,
            }
            for a in alarms
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for row in rows:
            self.stdout.write(
                f"{row['id']}\t{row['gateway']}/{row['point']}\t{row['level']}\t{row['state']}"
                f"\t{row['raised_at']}\t{row['value']}"
            )

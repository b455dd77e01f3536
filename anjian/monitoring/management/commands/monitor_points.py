"""anjian monitor points --json: the monitoring points with their set-points."""

from __future__ import annotations

import json
from collections import defaultdict

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "List monitoring points (code, gateway, enterprise, kind, unit, setpoints)."
    requires_system_checks: list[str] = []  # fast start; no URL import

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="print a JSON list")

    def handle(self, *args, **options) -> None:
        from anjian.monitoring.models import Point, SetPoint

        setpoints = defaultdict(list)
        for point_id, name, level, value, direction in (
            SetPoint.objects.filter(is_active=True)
            .order_by("point_id", "value")
            .values_list("point_id", "name", "level", "value", "direction")
        ):
            # The contract's "level" is the set-point's (issue 11: low / high / high-high;
            # alarm / power-off / power-restore for mine gas); the colour of the alarm it
            # raises is "alarm_level".
            setpoints[point_id].append(
                {
                    "level": name,
                    "name": name,
                    "alarm_level": level,
                    "value": float(value),
                    "direction": direction,
                }
            )
        rows = [
            {
                "code": p.code,
                "name": p.name,
                "gateway": p.gateway.code,
                "enterprise": p.enterprise.uscc,
                "kind": p.kind,
                "unit": p.unit,
                "range": [
                    float(p.range_low) if p.range_low is not None else None,
                    float(p.range_high) if p.range_high is not None else None,
                ],
                "sampling_seconds": p.sampling_seconds,
                "active": p.is_active,
                "setpoints": setpoints[p.pk],
            }
            for p in Point.objects.select_related("gateway", "enterprise").order_by(
                "gateway__code", "code"
            )
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for row in rows:
            marks = ", ".join(
                f"{s['level']} {s['direction']} {s['value']}" for s in row["setpoints"]
            )
            self.stdout.write(
                f"{row['gateway']}/{row['code']}\t{row['kind']}\t{row['unit']}\t{marks}"
            )

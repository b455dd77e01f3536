"""Set-points, alarm rules, alarms and their history (the alarm engine's part)."""

__all__: list[str] = []

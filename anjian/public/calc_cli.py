"""`anjian calc reward` (issue 15 item 2): registered here, built in anjian.public.rewards."""

from __future__ import annotations

from typing import Any


def register(calcs: Any) -> None:
    """Add the reward calculator to `anjian calc` (filled in by the rewards work)."""

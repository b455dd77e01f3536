"""`anjian calc accident-grade | injury-rates | osha` (issue 13 item 8): filled in by the
accidents work; registered from anjian.cli."""

from __future__ import annotations

import argparse


def register(calcs: argparse._SubParsersAction) -> None:
    return None

"""The day of the run, read once at collection, and ten o'clock of it in Beijing.

Modules that keep dates in constants (TODAY, YEAR, ...) read them at collection but run
their tests up to half an hour later; CI starts whenever a session stops, so midnight can
fall in between. Such a module takes the `clock_at_ten` fixture (tests/conftest.py): each
of its tests runs at ten o'clock of the day its constants were read on, ticking."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

TODAY = timezone.localdate()
TEN_OCLOCK = dt.datetime.combine(TODAY, dt.time(10), tzinfo=timezone.get_current_timezone())


def at_ten():
    """Travel to TEN_OCLOCK, ticking (a context manager; module fixtures use it too)."""
    import time_machine

    return time_machine.travel(TEN_OCLOCK, tick=True)

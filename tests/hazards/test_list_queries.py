"""The hazard loop's list pages read a fixed number of queries however many rows they
show (no N+1): the overdue list, the extension requests, the re-checks, the inbox and
the credit list, each with 2 and with 8 rows of its kind."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anjian.hazards import workflow as wf
from anjian.hazards.extensions import deadline_extension_request
from anjian.hazards.models import Hazard
from anjian.hazards.recheck_jobs import recheck_sample_run
from tests.world import PASSWORD

from .helpers import act, actor, five_fixes, in_days, photo, report


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def add_rows(world, n: int) -> None:
    """n rectifying hazards past their deadline, each with an extension request (which
    notifies the lead department's officer), and n closed general hazards old enough
    to be re-checked (a major one too, always sampled)."""
    for _ in range(n):
        hazard = report(world, "safety_a")
        act(world, "safety_a", hazard, wf.SET_FIVE_FIXES, five_fixes())
        act(world, "safety_a", hazard, wf.START_RECTIFICATION)
        deadline_extension_request(
            actor=actor(world, "safety_a"),
            hazard_id=hazard.pk,
            new_deadline=in_days(30),
            reason="设备到货延迟",
        )
        Hazard.objects.filter(pk=hazard.pk).update(deadline=timezone.localdate() - dt.timedelta(3))
        closed = report(world, "safety_a", handling="on_spot")
        act(world, "safety_a", closed, wf.FIX_ON_SPOT, photos=[photo()])
        Hazard.objects.filter(pk=closed.pk).update(closed_at=timezone.now() - dt.timedelta(60))


def test_given_2_or_8_rows_when_list_pages_open_then_query_counts_do_not_grow(client, world):
    assert client.login(username="officer_emergency_x", password=PASSWORD)
    urls = [
        reverse("hazards:overdue"),
        reverse("hazards:extensions"),
        reverse("hazards:rechecks"),
        reverse("inbox"),
        reverse("credit:list"),
    ]
    add_rows(world, 2)
    recheck_sample_run(seed=1, today=timezone.localdate())
    small = {url: queries(client, url) for url in urls}
    add_rows(world, 6)
    Hazard.objects.filter(state=wf.CLOSED).update(closed_at=timezone.now() - dt.timedelta(60))
    recheck_sample_run(seed=2, today=timezone.localdate() + dt.timedelta(days=40))
    large = {url: queries(client, url) for url in urls}
    assert large == small

"""The demo has daily commitment notices: two weeks of history for every enterprise that
owes them, on time, late and missing (flagged as the job would have), the demo
enterprise's written by its principal and one of them corrected; today's left to do."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anjian.accounts.models import User
from anjian.commitments import services
from anjian.commitments.models import DailyCommitment, MissingNotice
from anjian.demo.commitments import DAYS
from anjian.demo.generator import build_demo
from anjian.registry.models import Enterprise

# At ten: the demo is dated from the day it is built on, and a build across midnight
# would leave it a day behind the test's today.
pytestmark = pytest.mark.usefixtures("clock_at_ten")


def test_given_the_demo_when_built_then_notices_of_two_weeks_with_late_missing_and_a_correction(
    db,
):
    build_demo(enterprises=120, seed=7)
    today = timezone.localdate()
    owing = services.owing(Enterprise.objects.all())
    assert owing.count() >= 2
    principal = User.objects.get(username="qiye_fzr")
    mine = DailyCommitment.objects.filter(enterprise=principal.enterprise)

    # Every owing enterprise: each past day has a notice or a missing flag, never both.
    for enterprise in owing:
        days = set(
            DailyCommitment.objects.filter(enterprise=enterprise).values_list("date", flat=True)
        )
        flagged = set(
            MissingNotice.objects.filter(enterprise=enterprise).values_list("date", flat=True)
        )
        expected = {today - dt.timedelta(days=b) for b in range(1, DAYS + 1)}
        assert days | flagged == expected and not days & flagged
    assert not DailyCommitment.objects.filter(date=today).exists()  # today's is the user's
    assert DailyCommitment.objects.filter(late=True).exists()

    # The demo enterprise: written by its principal, one day missing, one corrected.
    assert set(mine.values_list("submitted_by", flat=True)) == {principal.pk}
    assert MissingNotice.objects.filter(
        enterprise=principal.enterprise, date=today - dt.timedelta(days=7)
    ).exists()
    corrected = mine.get(version=2)
    assert corrected.supersedes.date == corrected.date and corrected.correction_reason
    assert corrected.hot_work_second == corrected.supersedes.hot_work_second + 1
    # Other enterprises' notices were loaded as submitted elsewhere.
    others = DailyCommitment.objects.exclude(enterprise=principal.enterprise)
    assert others.exists() and set(others.values_list("submitted_by_label", flat=True)) == {
        "demo-loader"
    }

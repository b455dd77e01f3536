"""Periodic reports: the enterprise's hazard statistics table (隐患排查治理情况统计分析表).

16号令 第十四条 (standards.md A7.1): every quarter and every year the enterprise analyses
its hidden-danger work and submits the written table, signed by its principal
(主要负责人), by the 15th of the first month of the next quarter / 31 January of the next
year. Here the principal's signature on the platform is the submission.

A statement is prepared (figures computed from the ledger, the enterprise's own written
analysis) and may be prepared again while unsigned; once signed it is evidence and never
changes: a correction is a new version that points at the signed one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import periods


class PeriodKind(models.TextChoices):
    QUARTER = periods.QUARTER, _("Quarter")
    YEAR = periods.YEAR, _("Year")


class HazardStatement(models.Model):
    """One version of an enterprise's statistics table for one quarter or year."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="hazard_statements",
    )
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    # 1–4 for a quarter, 0 for the year (0 rather than NULL, so uniqueness holds).
    quarter = models.PositiveSmallIntegerField(_("quarter"), default=0)
    due_on = models.DateField(_("due on"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrected_by",
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    figures = models.JSONField(_("figures"), default=dict)
    analysis = models.TextField(_("analysis"), blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    prepared_at = models.DateTimeField(_("prepared at"), default=timezone.now)
    # Goes up each time the draft is prepared again: the principal signs the revision they
    # read, not one changed under them.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-quarter", "enterprise_id", "-version"]
        verbose_name = _("hazard statistics table")
        verbose_name_plural = _("hazard statistics tables")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "quarter", "version"],
                name="one_statement_version",
            ),
            # At most one unsigned draft per enterprise and period.
            models.UniqueConstraint(
                fields=["enterprise", "year", "quarter"],
                condition=Q(signed_at__isnull=True),
                name="one_statement_draft",
            ),
            models.CheckConstraint(
                condition=(Q(period_kind="quarter", quarter__gte=1, quarter__lte=4))
                | Q(period_kind="year", quarter=0),
                name="statement_period_valid",
            ),
        ]
        indexes = [models.Index(fields=["year", "quarter", "enterprise"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.period.key} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A signed table is evidence: refuse to save over one (the sign step itself is a
        # conditional UPDATE, not a save).
        if (
            self.pk is not None
            and not self._state.adding
            and type(self).objects.filter(pk=self.pk, signed_at__isnull=False).exists()
        ):
            raise RuntimeError("a signed hazard statement is never edited")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any):
        if type(self).objects.filter(pk=self.pk, signed_at__isnull=False).exists():
            raise RuntimeError("a signed hazard statement is never deleted")
        return super().delete(*args, **kwargs)

    @property
    def period(self) -> periods.Period:
        return periods.Period(self.year, self.quarter)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def is_late(self) -> bool:
        """Submitted after the due date (逾期报送)."""
        if self.submitted_at is None:
            return False
        return timezone.localdate(self.submitted_at) > self.due_on


class ReminderStage(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class StatementReminder(models.Model):
    """That an enterprise was reminded of a period's table at a stage: written once by
    the reminder job (unique), so a second run or a second worker reminds nobody twice."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=16, choices=ReminderStage.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("statistics table reminder")
        verbose_name_plural = _("statistics table reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "quarter", "stage"], name="one_statement_reminder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}/{self.quarter} {self.stage}"


# --- the hazard rollup (anjian.reports.tally) ---------------------------------------------------
#
# Derived data, kept by anjian.reports.tally_services in the transactions that change hazards
# and checked against a full recount by `anjian manage hazard_tally --check`. The group key is
# plain integers and text (0 for "none") so that INSERT … ON CONFLICT can add to a row on
# both databases (a NULL would never conflict).


class TallyGroup(models.Model):
    """The group key: the enterprises' grid, industry, lead department and the set of
    departments with a duty (",3,7,12,"), so a department's figures are a LIKE away."""

    division = models.IntegerField()
    industry = models.IntegerField(default=0)
    lead = models.IntegerField(default=0)
    duties = models.CharField(max_length=400, default=",")

    class Meta:
        abstract = True


class HazardTally(TallyGroup):
    """Monthly hazard counters of one group, per (month, month the hazards were reported)."""

    month = models.DateField()
    origin = models.DateField()
    found = models.IntegerField(default=0)
    major_found = models.IntegerField(default=0)
    fixed = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    major_fixed = models.IntegerField(default=0)
    funds_cents = models.BigIntegerField(default=0)
    listed = models.IntegerField(default=0)
    due_in = models.IntegerField(default=0)
    due_out = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["division", "industry", "lead", "duties", "month", "origin"],
                name="hazard_tally_key",
            )
        ]
        indexes = [models.Index(fields=["month"], name="hazard_tally_month")]

    def __str__(self) -> str:
        return f"{self.division}/{self.industry}/{self.lead} {self.month}←{self.origin}"


class HazardDueDay(TallyGroup):
    """The overdue counters per day (only the as-of day's month is ever read)."""

    day = models.DateField()
    due_in = models.IntegerField(default=0)
    due_out = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["division", "industry", "lead", "duties", "day"], name="hazard_due_day_key"
            )
        ]
        indexes = [models.Index(fields=["day"], name="hazard_due_day_day")]

    def __str__(self) -> str:
        return f"{self.division}/{self.industry}/{self.lead} {self.day}"


class HazardNow(TallyGroup):
    """Each group's counters summed over all months (open, major open, and the overdue
    counters due_in − due_out whatever their day): a figure as of a day is this less the
    months after it, so a reader touches recent months only."""

    open = models.IntegerField(default=0)
    major_open = models.IntegerField(default=0)
    due = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["division", "industry", "lead", "duties"], name="hazard_now_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.division}/{self.industry}/{self.lead} open {self.open}"


class HazardTallyKey(models.Model):
    """The group an enterprise's hazards are counted under now; when the registry moves the
    enterprise (grid, industry, duties) its counters move with it (tally_services)."""

    enterprise_id = models.IntegerField(primary_key=True)
    division = models.IntegerField()
    industry = models.IntegerField(default=0)
    lead = models.IntegerField(default=0)
    duties = models.CharField(max_length=400, default=",")

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.division}/{self.industry}/{self.lead}"

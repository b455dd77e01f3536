"""The monthly dispatch (月调度): one form per month and respondent — a township of the
county or a department of the county — with what the platform cannot count itself
(meetings, special campaigns, safety investment, training, publicity).

A form is opened by the county's safety committee office (draft), filled and submitted
by the respondent (submitted: the submitter's name and a SHA-256 of the submitted
figures are kept with the row), and may be returned for correction (returned), then
submitted again. The history is append-only (DispatchEvent).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.models import AppendOnly

from . import policy


class DispatchState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned for correction")


class DispatchForm(models.Model):
    month = models.DateField(_("month"))  # the first day of the month
    county = models.ForeignKey(
        "registry.Division",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Exactly one respondent: a township of the county or a department of the county.
    division = models.ForeignKey(
        "registry.Division",
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispatch_forms",
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispatch_forms",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=DispatchState.choices, default=DispatchState.DRAFT
    )
    due_on = models.DateField(_("due on"))
    # The items (empty until filled; all are required to submit).
    meetings = models.PositiveIntegerField(_("safety meetings held"), null=True, blank=True)
    campaigns = models.PositiveIntegerField(
        _("special campaigns held (专项整治)"), null=True, blank=True
    )
    campaign_enterprises = models.PositiveIntegerField(
        _("enterprises covered by campaigns"), null=True, blank=True
    )
    investment = models.DecimalField(
        _("safety investment (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    trainings = models.PositiveIntegerField(_("training sessions"), null=True, blank=True)
    trained_persons = models.PositiveIntegerField(_("persons trained"), null=True, blank=True)
    publicity_events = models.PositiveIntegerField(_("publicity events"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Goes up with every write: a save or submit names the version it read.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_name = models.CharField(_("signed by"), max_length=150, blank=True)
    signature = models.CharField(_("signature (SHA-256)"), max_length=64, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)

    class Meta:
        ordering = ["-month", "county_id", "division__code", "department__kind"]
        verbose_name = _("monthly dispatch form")
        verbose_name_plural = _("monthly dispatch forms")
        constraints = [
            models.CheckConstraint(
                condition=(Q(division__isnull=False) & Q(department__isnull=True))
                | (Q(division__isnull=True) & Q(department__isnull=False)),
                name="dispatch_one_respondent",
            ),
            models.UniqueConstraint(
                fields=["month", "division"],
                condition=Q(division__isnull=False),
                name="dispatch_one_form_per_township",
            ),
            models.UniqueConstraint(
                fields=["month", "department"],
                condition=Q(department__isnull=False),
                name="dispatch_one_form_per_department",
            ),
        ]
        indexes = [models.Index(fields=["county", "month"])]

    def __str__(self) -> str:
        return f"{policy.month_key(self.month)} {self.respondent_name}"

    @property
    def respondent(self):
        return self.division if self.division_id else self.department

    @property
    def respondent_name(self) -> str:
        r = self.respondent
        return r.name if r is not None else ""

    @property
    def month_key(self) -> str:
        return policy.month_key(self.month)

    @property
    def is_submitted(self) -> bool:
        return self.state == DispatchState.SUBMITTED

    @property
    def is_late(self) -> bool:
        """First submitted after the due date (a resubmission after a return does not
        make an on-time form late)."""
        if self.first_submitted_at is None:
            return False
        return policy.is_late(timezone.localdate(self.first_submitted_at), self.due_on)

    def figures(self) -> dict:
        return {name: getattr(self, name) for name in policy.ITEMS}


class DispatchEvent(AppendOnly):
    """One step of a form's history: opened, saved, submitted, returned."""

    form = models.ForeignKey(DispatchForm, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    figures = models.JSONField(default=dict)
    signature = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("monthly dispatch event")
        verbose_name_plural = _("monthly dispatch events")

    def __str__(self) -> str:
        return f"{self.form_id} {self.action}"


class DispatchReminder(models.Model):
    """That a form's respondents were reminded at a stage: written once (unique), so a
    second run or a second worker reminds nobody twice."""

    form = models.ForeignKey(DispatchForm, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=16)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form", "stage"], name="one_dispatch_reminder")
        ]

    def __str__(self) -> str:
        return f"{self.form_id} {self.stage}"

"""Production-safety accidents (issue 13 items 1 and 9): the accident with its current
figures, grade (computed by anjian.accidents.grading on every version, never typed) and
state (workflow.py); each quick or follow-up report kept as a version (append-only); the
investigation with its deadline, one extension and the 四不放过 close-out; the persons
held accountable; and an append-only event for every step.

Scope: an accident need not belong to a registered enterprise, so it is scoped by its
division (anjian.core.scoping.visible_accidents): regulators see their division subtree,
enterprise staff their own enterprise's accidents, anyone else nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anjian.core.models import AppendOnly

from . import grading
from . import workflow as wf


class Grade(models.TextChoices):
    # 国务院令第493号 第三条; the codes are grading.grade()'s.
    GENERAL = "general", _("general accident")
    LARGER = "larger", _("larger accident")
    MAJOR = "major", _("major accident")
    ESPECIALLY_MAJOR = "especially_major", _("especially major accident")


assert tuple(Grade.values) == grading.GRADE_CODES


class State(models.TextChoices):
    REPORTED = wf.REPORTED, pgettext_lazy("accident state", "reported")
    INVESTIGATING = wf.INVESTIGATING, pgettext_lazy("accident state", "under investigation")
    CLOSED = wf.CLOSED, pgettext_lazy("accident state", "closed")
    WITHDRAWN = wf.WITHDRAWN, pgettext_lazy("accident state", "withdrawn")


class ReportKind(models.TextChoices):
    QUICK = "quick", _("quick report")
    FOLLOWUP = "followup", _("follow-up report")


class Figures(models.Model):
    """The casualty and loss figures (第十二条), on the accident (current) and on each
    report (as reported)."""

    deaths = models.PositiveIntegerField(_("deaths"), default=0)
    serious_injuries = models.PositiveIntegerField(_("serious injuries"), default=0)
    minor_injuries = models.PositiveIntegerField(_("minor injuries"), default=0)
    missing = models.PositiveIntegerField(_("missing persons"), default=0)
    direct_loss_yuan = models.DecimalField(
        _("direct economic loss (yuan)"), max_digits=14, decimal_places=2, default=0
    )
    grade = models.CharField(_("grade"), max_length=24, choices=Grade.choices)
    # The criteria that decided the grade (grading.Grading.decided_by), shown as "why".
    decided_by = models.JSONField(_("grade decided by"), default=list, blank=True)

    class Meta:
        abstract = True


class Accident(Figures):
    # Scoped by where it happened (anjian.core.scoping._in_divisions); enterprise staff
    # see their own enterprise's accidents.
    SCOPE_DIVISION_PATH = "division"
    SCOPE_ENTERPRISE_OF_ROW = "enterprise"

    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    learned_at = models.DateTimeField(_("learned of by the unit's head at"))
    reported_at = models.DateTimeField(_("quick report received at"), default=timezone.now)
    place = models.CharField(_("place"), max_length=255)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    division = models.ForeignKey(
        "registry.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        related_name="accidents",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accidents",
    )
    industry = models.ForeignKey(
        "registry.Industry",
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accidents",
    )
    gb6441_type = models.CharField(
        _("accident type (GB 6441)"), max_length=2, choices=list(grading.GB6441_TYPES)
    )
    road_or_fire = models.BooleanField(_("road traffic or fire accident"), default=False)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=wf.REPORTED, db_index=True
    )
    late_quick_report = models.BooleanField(_("quick report late"), default=False)
    concealed = models.BooleanField(_("concealed"), default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("accident")
        verbose_name_plural = _("accidents")
        ordering = ("-occurred_at", "-pk")
        indexes = [
            models.Index(fields=["division", "-occurred_at"]),
            models.Index(fields=["enterprise", "-occurred_at"]),
            models.Index(fields=["grade", "-occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.place}"


class AccidentReport(Figures, AppendOnly):
    """One quick or follow-up report as sent: a version of the accident's figures, with
    the 第十二条 contents. Written once, never changed."""

    accident = models.ForeignKey(
        Accident, verbose_name=_("accident"), on_delete=models.PROTECT, related_name="reports"
    )
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=8, choices=ReportKind.choices)
    unit_overview = models.TextField(_("the unit"), blank=True)
    course = models.TextField(_("course of events"), blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    other = models.TextField(_("other"), blank=True)
    late = models.BooleanField(_("late"), default=False)
    at = models.DateTimeField(_("received at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    by_label = models.CharField(max_length=128, blank=True)

    class Meta:
        verbose_name = _("accident report")
        verbose_name_plural = _("accident reports")
        ordering = ("accident", "number")
        constraints = [
            models.UniqueConstraint(
                fields=["accident", "number"], name="accidents_report_number_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.accident_id} v{self.number} {self.kind}"


class Investigation(models.Model):
    """The investigation (第十九条 by level; report due in 60 days from the accident,
    extendable once by up to 60, 第二十九条) and its 四不放过 close-out."""

    accident = models.OneToOneField(
        Accident, on_delete=models.PROTECT, related_name="investigation"
    )
    level = models.CharField(_("investigating level"), max_length=64)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("report due on"))
    extension_days = models.PositiveSmallIntegerField(_("extension (days)"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    findings = models.TextField(_("investigation findings"), blank=True)
    causes = models.TextField(_("causes"), blank=True)
    lessons = models.TextField(_("lessons"), blank=True)
    measures = models.TextField(_("corrective measures"), blank=True)
    # 四不放过: each box with its note.
    causes_found = models.BooleanField(_("causes found"), default=False)
    causes_found_note = models.TextField(blank=True)
    responsible_dealt_with = models.BooleanField(_("those responsible dealt with"), default=False)
    responsible_dealt_with_note = models.TextField(blank=True)
    measures_taken = models.BooleanField(_("measures taken"), default=False)
    measures_taken_note = models.TextField(blank=True)
    people_educated = models.BooleanField(_("people educated"), default=False)
    people_educated_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(_("investigation closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("accident investigation")
        verbose_name_plural = _("accident investigations")

    def __str__(self) -> str:
        return f"{self.accident_id} {self.level}"

    @property
    def extended(self) -> bool:
        return self.extension_days > 0


CHECKLIST: tuple[str, ...] = (
    "causes_found",
    "responsible_dealt_with",
    "measures_taken",
    "people_educated",
)


class AccountablePerson(models.Model):
    accident = models.ForeignKey(
        Accident, on_delete=models.PROTECT, related_name="accountable_persons"
    )
    name = models.CharField(_("person's name"), max_length=64)
    position = models.CharField(_("role or position"), max_length=128)
    measure = models.TextField(_("measure taken"))
    basis = models.TextField(_("basis"), blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("person held accountable")
        verbose_name_plural = _("persons held accountable")
        ordering = ("accident", "pk")

    def __str__(self) -> str:
        return f"{self.name} ({self.position})"


class AccidentEvent(AppendOnly):
    """One step of an accident: written once, never changed."""

    accident = models.ForeignKey(Accident, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=16)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=128, blank=True)
    via = models.CharField(max_length=16, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("accident event")
        verbose_name_plural = _("accident events")
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.accident_id} {self.action}"


# --- the accident rollup (anjian.accidents.tally) -----------------------------------------------
#
# Derived data, kept by anjian.accidents.tally_services in the transactions that change
# accidents and checked against a full recount by `anjian manage accident_tally`. Plain
# integers and text (0 for "none") so INSERT … ON CONFLICT can add to a row on both
# databases.


class AccidentGroup(models.Model):
    """A division and one dimension's value (anjian.accidents.tally: "all" with "", or
    industry, department, type or grade with its value), and the counters."""

    division = models.IntegerField()
    dim = models.CharField(max_length=12)
    value = models.CharField(max_length=24, default="", blank=True)
    accidents = models.IntegerField(default=0)
    deaths = models.IntegerField(default=0)
    serious_injuries = models.IntegerField(default=0)
    minor_injuries = models.IntegerField(default=0)
    missing = models.IntegerField(default=0)
    loss_cents = models.BigIntegerField(default=0)
    larger_plus = models.IntegerField(default=0)
    larger_plus_deaths = models.IntegerField(default=0)
    enterprise_deaths = models.IntegerField(default=0)
    enterprise_serious = models.IntegerField(default=0)
    enterprise_minor = models.IntegerField(default=0)

    class Meta:
        abstract = True


class AccidentCount(AccidentGroup):
    """Accident counters of one division, dimension value and month."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["division", "dim", "value", "month"], name="accident_count_key"
            )
        ]
        indexes = [models.Index(fields=["dim", "month"], name="accident_count_dim_month")]

    def __str__(self) -> str:
        return f"{self.division}/{self.dim}={self.value} {self.month}"


class AccidentCountDay(AccidentGroup):
    """The same per day (only a window's partial last month is read)."""

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["division", "dim", "value", "day"], name="accident_count_day_key"
            )
        ]
        indexes = [models.Index(fields=["dim", "day"], name="accident_count_dim_day")]

    def __str__(self) -> str:
        return f"{self.division}/{self.dim}={self.value} {self.day}"


class AccidentLeadKey(models.Model):
    """The lead department an enterprise's accidents are counted under now; when the
    registry changes it, their counters move (tally_services.accident_tally_regroup)."""

    enterprise_id = models.IntegerField(primary_key=True)
    lead = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.lead}"

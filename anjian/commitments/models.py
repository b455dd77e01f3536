"""Daily risk judgement and commitment notices (安全风险研判与承诺公告).

A submitted notice is evidence and is never edited: a correction writes a new version that
points to the one it supersedes, and only the newest version of a day is current. Each
version carries the units it declares (the enterprise's major hazard installations and its
risk analysis units: running / stopped / under maintenance). A MissingNotice row is written
once by the job when an enterprise owing a notice has none after 10:00.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import rules


class UnitState(models.TextChoices):
    RUNNING = rules.RUNNING, pgettext_lazy("unit state", "Running")
    STOPPED = rules.STOPPED, pgettext_lazy("unit state", "Stopped")
    MAINTENANCE = rules.MAINTENANCE, pgettext_lazy("unit state", "Under maintenance")


def _count(label):
    return models.PositiveSmallIntegerField(label, default=0)


class DailyCommitment(models.Model):
    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="daily_commitments",
    )
    date = models.DateField(_("date"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    is_current = models.BooleanField(_("current version"), default=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_by_label = models.CharField(_("submitted by"), max_length=150, blank=True)
    # Submitted after 10:00 of its day (this version); the day's status is the first version's.
    late = models.BooleanField(_("late"), default=False)
    principal_name = models.CharField(_("principal"), max_length=64)
    commitment = models.TextField(_("commitment"))
    judgement = models.TextField(_("risk judgement notes"), blank=True)
    correction_reason = models.CharField(_("reason for the correction"), max_length=255, blank=True)
    # GB 30871-2022 special work of the day, by kind (hot work by grade).
    hot_work_special = _count(_("special-grade hot work"))
    hot_work_first = _count(_("first-grade hot work"))
    hot_work_second = _count(_("second-grade hot work"))
    confined_space = _count(_("confined-space entry"))
    blind_plate = _count(_("blind plate insertion and removal"))
    work_at_height = _count(_("work at height"))
    lifting = _count(_("lifting"))
    temporary_power = _count(_("temporary power"))
    excavation = _count(_("excavation"))
    road_closure = _count(_("road closure"))
    trial_runs = _count(_("trial runs"))
    start_ups = _count(_("start-ups"))
    shut_downs = _count(_("shut-downs"))

    class Meta:
        ordering = ["-date", "enterprise_id", "-version"]
        verbose_name = _("daily commitment notice")
        verbose_name_plural = _("daily commitment notices")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "date", "version"], name="commitment_version_unique"
            ),
            # One current version per enterprise and day: two corrections at once cannot both win.
            models.UniqueConstraint(
                fields=["enterprise", "date"],
                condition=Q(is_current=True),
                name="commitment_one_current",
            ),
        ]
        indexes = [models.Index(fields=["date", "enterprise"], name="commitment_day")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.date} v{self.version}"

    @property
    def submitted_by_name(self) -> str:
        """Who submitted it, for people: the user's name, or, for a notice loaded from
        another system (no user), that it was submitted there."""
        if self.submitted_by_id:
            return str(self.submitted_by)
        return gettext("submitted on another system")

    @property
    def special_work(self) -> list[tuple[str, str, int]]:
        """(field, label, count) for each kind of special work, in the standard's order."""
        return [
            (name, self._meta.get_field(name).verbose_name, getattr(self, name))
            for name in rules.SPECIAL_WORK_FIELDS
        ]

    @property
    def special_work_total(self) -> int:
        return sum(getattr(self, name) for name in rules.SPECIAL_WORK_FIELDS)

    @property
    def hot_work_total(self) -> int:
        return self.hot_work_special + self.hot_work_first + self.hot_work_second


class DeclaredUnit(models.Model):
    """One unit's declared state on one version of a notice."""

    SCOPE_ENTERPRISE_PATH = "commitment__enterprise"

    commitment = models.ForeignKey(
        DailyCommitment,
        verbose_name=_("daily commitment notice"),
        on_delete=models.CASCADE,
        related_name="units",
    )
    installation = models.ForeignKey(
        "risks.MajorHazardInstallation",
        verbose_name=_("major hazard installation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    risk_unit = models.ForeignKey(
        "risks.RiskUnit",
        verbose_name=_("risk unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The unit's name when declared (a later rename does not change the evidence).
    name = models.CharField(_("name"), max_length=128)
    state = models.CharField(_("state"), max_length=16, choices=UnitState.choices)

    class Meta:
        ordering = ["commitment_id", "pk"]  # as declared: installations, then risk units
        verbose_name = _("declared unit")
        verbose_name_plural = _("declared units")
        constraints = [
            models.CheckConstraint(
                condition=Q(installation__isnull=False, risk_unit__isnull=True)
                | Q(installation__isnull=True, risk_unit__isnull=False),
                name="declared_unit_one_target",
            ),
            models.UniqueConstraint(
                fields=["commitment", "installation"],
                condition=Q(installation__isnull=False),
                name="declared_installation_once",
            ),
            models.UniqueConstraint(
                fields=["commitment", "risk_unit"],
                condition=Q(risk_unit__isnull=False),
                name="declared_risk_unit_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.state}"

    @property
    def key(self) -> rules.UnitKey:
        if self.installation_id:
            return (rules.INSTALLATION, self.installation_id)
        return (rules.RISK_UNIT, self.risk_unit_id)


class MissingNotice(models.Model):
    """The job found no notice after the deadline and told the enterprise (once per day)."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="missing_commitments",
    )
    date = models.DateField(_("date"))
    flagged_at = models.DateTimeField(_("flagged at"))

    class Meta:
        ordering = ["-date", "enterprise_id"]
        verbose_name = _("missing commitment notice")
        verbose_name_plural = _("missing commitment notices")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "date"], name="missing_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.date}"

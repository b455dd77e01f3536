"""The enterprise diagnosis (企业安全风险评估诊断分级): one history row per diagnosis, written
once and never edited; a newer one supersedes it. `DiagnosisState` (one row per
enterprise) points at the diagnosis that counts for supervision, so lists and the
supervision class read it by a join instead of searching the history.

Which diagnosis counts (`services.counting`): the latest by a regulator or an expert; when
there is none, the latest self-assessment of the enterprise. "Latest" is by the date of
the diagnosis, then by the order of recording.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Colour(models.TextChoices):
    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    BLUE = "blue", _("Blue")


class AppendOnly(Exception):
    """A diagnosis is evidence: correct it by recording a new one."""


class Diagnosis(models.Model):
    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="diagnoses",
    )
    diagnosed_on = models.DateField(_("date of the diagnosis"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The role at the time (a user's role may change later; the record must not).
    assessor_role = models.CharField(_("assessor's role"), max_length=32)
    assessor_name = models.CharField(_("assessor's name"), max_length=150)
    self_assessment = models.BooleanField(_("self-assessment"), default=False)
    # As given: {item code: "2.5"} for every scored item ("0" where nothing was deducted).
    deductions = models.JSONField(_("deductions"))
    direct_red = models.JSONField(_("direct-red situations"), default=list)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    colour = models.CharField(_("class"), max_length=8, choices=Colour.choices)
    score_colour = models.CharField(_("class by the score"), max_length=8, choices=Colour.choices)
    reason = models.CharField(_("reason"), max_length=1000)
    guide = models.CharField(_("guide"), max_length=32)
    guide_version = models.CharField(_("guide data version"), max_length=32)
    notes = models.TextField(_("notes"), blank=True)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("time of recording"), default=timezone.now)

    class Meta:
        ordering = ["-diagnosed_on", "-id"]
        verbose_name = _("enterprise diagnosis")
        verbose_name_plural = _("enterprise diagnoses")
        indexes = [
            models.Index(
                fields=["enterprise", "self_assessment", "-diagnosed_on", "-id"],
                name="diagnosis_latest_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=100),
                name="diagnosis_score_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.diagnosed_on} {self.score} {self.colour}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("a diagnosis is never edited; record a new one")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("a diagnosis is never deleted; record a new one")

    @property
    def score_text(self) -> str:
        """The exact score without trailing zeros: 72.5, 60, 59.99."""
        text = format(self.score.normalize(), "f")
        return "0" if text in ("-0", "") else text

    @property
    def class_zh(self) -> str:
        return {"red": "红", "orange": "橙", "yellow": "黄", "blue": "蓝"}.get(self.colour, "")


class DiagnosisState(models.Model):
    """The enterprise's diagnosis that counts for supervision, and its colour."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.OneToOneField(
        "registry.Enterprise",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="diagnosis_state",
    )
    current = models.ForeignKey(Diagnosis, on_delete=models.PROTECT, related_name="+")
    colour = models.CharField(_("class"), max_length=8, choices=Colour.choices, db_index=True)

    class Meta:
        verbose_name = _("diagnosis state")
        verbose_name_plural = _("diagnosis states")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.colour}"

"""Enforcement inspections (issue 12 items 5–7): the published double-random draw, the
inspection with its workflow (workflow.py) and append-only events, the findings (each a
hazard through the hazard loop), the signatures, and the first inspector of an
enterprise for a matter (首查负责制)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anjian.core.models import AppendOnly

from . import workflow as wf


class Draw(models.Model):
    """One double-random draw (双随机、一公开) as published: the seed, the parameters, the
    canonical record of draw.publish() (normalised inputs and the result) and its digest.
    The record is kept byte for byte as published, so the digest is its SHA-256 and the
    public page can re-run the draw from it."""

    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="draws",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    seed = models.CharField(_("seed"), max_length=200)
    # What the department chose (sample size or rates, inspectors per inspection) and how
    # the forced ones were found: shown on the public page beside the record.
    parameters = models.JSONField(_("parameters"), default=dict)
    canonical = models.TextField(_("canonical record"))  # draw.publish()'s UTF-8 JSON
    digest = models.CharField(_("digest"), max_length=64)
    created_at = models.DateTimeField(_("drawn at"), default=timezone.now)
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("double-random draw")
        verbose_name_plural = _("double-random draws")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["published", "-published_at"])]

    def __str__(self) -> str:
        return f"{self.department_id} {self.seed}"


class Kind(models.TextChoices):
    ROUTINE = "routine", _("Routine inspection")
    DOUBLE_RANDOM = "double_random", _("Double-random inspection")
    UNANNOUNCED = "unannounced", _("Unannounced inspection")
    JOINT = "joint", _("Joint inspection")


class State(models.TextChoices):
    PLANNED = wf.PLANNED, _("planned")
    IN_PROGRESS = wf.IN_PROGRESS, _("in progress")
    CONCLUDED = wf.CONCLUDED, _("concluded")
    CANCELLED = wf.CANCELLED, _("cancelled")


class Inspection(models.Model):
    """One inspection of one enterprise by a lead department (and, for a joint one, the
    participating departments: one visit, their items merged)."""

    SCOPE_ENTERPRISE_PATH = "enterprise"
    # 四不两直: an unannounced inspection is not the enterprise's to see before it starts
    # (anjian.core.scoping applies this to enterprise staff, whoever reads).
    SCOPE_ENTERPRISE_HIDDEN = Q(kind="unannounced", started_at__isnull=True)

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=wf.PLANNED, db_index=True
    )
    lead_department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        related_name="led_inspections",
    )
    participating_departments = models.ManyToManyField(
        "registry.Department",
        verbose_name=_("participating departments"),
        related_name="joint_inspections",
        blank=True,
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspectors"),
        related_name="inspections",
    )
    # The matter inspected (an industry or topic code): 首查负责制 is per enterprise and
    # matter.
    matter = models.CharField(_("matter"), max_length=32)
    draw = models.ForeignKey(
        Draw,
        verbose_name=_("draw"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    planned_on = models.DateField(_("planned date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("planned at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    start_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    start_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    items = models.JSONField(_("check items"), default=list, blank=True)
    # The client token of the conclusion: a resubmission with it returns this inspection
    # instead of concluding twice.
    conclusion_token = models.CharField(max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ("-planned_on", "-pk")
        indexes = [
            models.Index(fields=["enterprise", "-planned_on"]),
            models.Index(fields=["lead_department", "state", "-planned_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.enterprise_id} {self.planned_on}"

    @property
    def visible_to_enterprise(self) -> bool:
        """四不两直: an unannounced inspection is not shown to the enterprise until it has
        started (不发通知、不打招呼); every other kind is announced."""
        return self.kind != Kind.UNANNOUNCED or self.started_at is not None


class InspectionEvent(AppendOnly):
    SCOPE_ENTERPRISE_PATH = "inspection__enterprise"
    SCOPE_ENTERPRISE_HIDDEN = Q(inspection__kind="unannounced", inspection__started_at__isnull=True)

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=16)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=128, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    via = models.CharField(max_length=16, blank=True)
    at = models.DateTimeField(_("at"))
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("inspection event")
        verbose_name_plural = _("inspection events")
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class Finding(AppendOnly):
    """A problem found on site; it is a hazard in the ledger (`hazard`), whose report
    event names this finding back."""

    SCOPE_ENTERPRISE_PATH = "inspection__enterprise"
    SCOPE_ENTERPRISE_HIDDEN = Q(inspection__kind="unannounced", inspection__started_at__isnull=True)

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings")
    hazard = models.OneToOneField(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        on_delete=models.PROTECT,
        related_name="inspection_finding",
    )
    item = models.CharField(_("check item"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    location = models.CharField(_("location"), max_length=255)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    client_token = models.CharField(max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = pgettext_lazy("inspection", "findings")
        ordering = ("recorded_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "client_token"], name="inspections_finding_token_once"
            )
        ]

    def __str__(self) -> str:
        return self.description[:50]


def signature_path(instance: Signature, filename: str) -> str:
    return f"inspections/signatures/{filename}"


class SignerKind(models.TextChoices):
    INSPECTOR = "inspector", _("Inspector")
    REPRESENTATIVE = "representative", _("Enterprise representative")


class Signature(AppendOnly):
    """A drawn signature, stored as the PNG received with its SHA-256."""

    SCOPE_ENTERPRISE_PATH = "inspection__enterprise"
    SCOPE_ENTERPRISE_HIDDEN = Q(inspection__kind="unannounced", inspection__started_at__isnull=True)

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="signatures")
    kind = models.CharField(_("signer"), max_length=16, choices=SignerKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=64)
    image = models.FileField(_("signature"), upload_to=signature_path)
    sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField(_("signed at"))
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class FirstInspection(models.Model):
    """首查负责制: the first department to start an inspection of an enterprise for a
    matter leads it; later plans of other departments are shown this row."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="first_inspections"
    )
    matter = models.CharField(_("matter"), max_length=32)
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("first inspected at"))

    class Meta:
        verbose_name = _("first inspection")
        verbose_name_plural = _("first inspections")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "matter"], name="inspections_first_per_matter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.matter} {self.department_id}"


class ConflictOfInterest(models.Model):
    """A declared conflict of interest (利害关系, 回避): the inspector is never drawn for
    the enterprise while the declaration stands. Declared by the inspector or by an
    officer of the inspector's department; withdrawn, never deleted, so past draws can be
    re-run with the declarations they used (the draw's published record lists them)."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="declared_conflicts",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="declared_conflicts",
    )
    reason = models.CharField(_("reason"), max_length=255)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ("-declared_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=["inspector", "enterprise"],
                condition=Q(withdrawn_at__isnull=True),
                name="inspections_conflict_standing_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspector_id} / {self.enterprise_id}"


# Enforcement documents as issued (numbered, hashed, never changed): their own module.
from .document_models import *  # noqa: E402, F403

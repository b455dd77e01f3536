"""Gateways (an enterprise's data collector, with its own credentials) and monitoring
points (a sensor or a state on a risk unit or a major hazard installation)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["BOOLEAN_KINDS", "KIND_UNITS", "Gateway", "Point", "PointKind"]

CODE_MAX = 64


class Gateway(models.Model):
    """A gateway sends the readings of its points. It authenticates with its own token
    (HTTP bearer; MQTT: the topic names its code). Only the token's hash is stored."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="gateways",
    )
    code = models.CharField(_("gateway code"), max_length=CODE_MAX, unique=True)
    name = models.CharField(_("name"), max_length=128)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(max_length=8, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("gateway")
        verbose_name_plural = _("gateways")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @staticmethod
    def new_token() -> str:
        return "gw_" + secrets.token_urlsafe(32)

    @staticmethod
    def hash_token(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def set_token(self, raw: str) -> None:
        self.token_hash = self.hash_token(raw)
        self.token_prefix = raw[:8]


class PointKind(models.TextChoices):
    COMBUSTIBLE_GAS = "combustible_gas", _("combustible gas")
    TOXIC_GAS = "toxic_gas", _("toxic gas")
    METHANE = "methane", _("methane")
    CARBON_MONOXIDE = "carbon_monoxide", _("carbon monoxide")
    OXYGEN = "oxygen", _("oxygen")
    TEMPERATURE = "temperature", _("temperature")
    PRESSURE = "pressure", _("pressure")
    LEVEL = "level", _("liquid level")
    FLOW = "flow", _("flow")
    LINE_CURRENT = "line_current", _("line current")
    LINE_TEMPERATURE = "line_temperature", _("line temperature")
    SEAL = "seal", _("door or seal state")
    VIDEO_EVENT = "video_event", _("video analysis event")


# The usual unit of each kind (a point may state another, e.g. MPa or kPa).
KIND_UNITS = {
    PointKind.COMBUSTIBLE_GAS: "%LEL",
    PointKind.TOXIC_GAS: "ppm",
    PointKind.METHANE: "%CH4",
    PointKind.CARBON_MONOXIDE: "ppm",
    PointKind.OXYGEN: "%VOL",
    PointKind.TEMPERATURE: "°C",
    PointKind.PRESSURE: "MPa",
    PointKind.LEVEL: "m",
    PointKind.FLOW: "m³/h",
    PointKind.LINE_CURRENT: "A",
    PointKind.LINE_TEMPERATURE: "°C",
    PointKind.SEAL: "",
    PointKind.VIDEO_EVENT: "",
}
# Kinds whose readings are true/false (a seal open, a video event seen), not numbers.
BOOLEAN_KINDS = frozenset({PointKind.SEAL, PointKind.VIDEO_EVENT})


class Point(models.Model):
    """A monitoring point: what it measures, its physical range (a reading outside it is
    rejected as impossible, not alarmed on), how often it reports, and where it is."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    gateway = models.ForeignKey(
        Gateway, verbose_name=_("gateway"), on_delete=models.PROTECT, related_name="points"
    )
    # Denormalised from the gateway: scoping and boards filter points by enterprise.
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="monitoring_points",
    )
    risk_unit = models.ForeignKey(
        "risks.RiskUnit",
        verbose_name=_("risk unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="monitoring_points",
    )
    installation = models.ForeignKey(
        "risks.MajorHazardInstallation",
        verbose_name=_("major hazard installation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="monitoring_points",
    )
    code = models.CharField(_("point code"), max_length=CODE_MAX)
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=32, choices=PointKind.choices)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    range_low = models.DecimalField(
        _("range low"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    range_high = models.DecimalField(
        _("range high"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    sampling_seconds = models.PositiveIntegerField(_("sampling period (s)"), default=10)
    # Offline when no reading came for this many sampling periods (a job finds it).
    offline_periods = models.PositiveSmallIntegerField(_("offline after periods"), default=3)
    # Position on the enterprise's site plan, as fractions of its width and height.
    plan_x = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    plan_y = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("monitoring point")
        verbose_name_plural = _("monitoring points")
        ordering = ["gateway_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "code"], name="point_code_per_gateway"),
            models.CheckConstraint(
                condition=models.Q(range_low__isnull=True)
                | models.Q(range_high__isnull=True)
                | models.Q(range_low__lt=models.F("range_high")),
                name="point_range_ordered",
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "kind"], name="point_enterprise_kind")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_boolean(self) -> bool:
        return self.kind in BOOLEAN_KINDS

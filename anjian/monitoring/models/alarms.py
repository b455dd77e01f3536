"""Set-points, alarm rules, alarms and their history (the alarm engine's part).

The engine (anjian.monitoring.engine) gets these as plain rules from
anjian.monitoring.rules.load_rules; anjian.monitoring.alarms.record turns its
transitions into Alarm rows; anjian.monitoring.services moves an alarm through its
lifecycle (anjian.monitoring.workflow).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = [
    "Alarm",
    "AlarmEvent",
    "AlarmLevel",
    "AlarmState",
    "Direction",
    "EngineState",
    "PointRule",
    "RateDirection",
    "SealWindow",
    "SetPoint",
    "SetPointName",
]


class AlarmLevel(models.TextChoices):
    # 红/橙/黄/蓝 = major / larger / general / lower risk (national-schema.md).
    RED = "red", _("red")
    ORANGE = "orange", _("orange")
    YELLOW = "yellow", _("yellow")
    BLUE = "blue", _("blue")


class SetPointName(models.TextChoices):
    LOW = "low", _("low")
    HIGH = "high", _("high")
    HIGH_HIGH = "high_high", _("high-high")
    # Mine gas sensors: alarm, power-off (its clear value is the power-restore value).
    ALARM = "alarm", _("alarm")
    POWER_OFF = "power_off", _("power-off")


class Direction(models.TextChoices):
    ABOVE = "above", _("at or above")
    BELOW = "below", _("at or below")


class RateDirection(models.TextChoices):
    RISE = "rise", _("rising")
    FALL = "fall", _("falling")
    BOTH = "both", _("rising or falling")


DECIMAL = {"max_digits": 14, "decimal_places": 4}


class SetPoint(models.Model):
    """A limit of one point. It raises when the reading is at or beyond `value` for at
    least `min_duration_seconds` (inside the enabled window, if any: local times, may
    pass midnight) and clears strictly beyond `clear_value` when set (a mine sensor's
    power-restore value), else beyond value ∓ hysteresis."""

    point = models.ForeignKey(
        "monitoring.Point",
        verbose_name=_("monitoring point"),
        on_delete=models.CASCADE,
        related_name="setpoints",
    )
    name = models.CharField(_("set-point"), max_length=16, choices=SetPointName.choices)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.ABOVE
    )
    value = models.DecimalField(_("value"), **DECIMAL)
    level = models.CharField(_("alarm level"), max_length=8, choices=AlarmLevel.choices)
    hysteresis = models.DecimalField(_("hysteresis"), default=0, **DECIMAL)
    clear_value = models.DecimalField(_("clear (restore) value"), null=True, blank=True, **DECIMAL)
    cut_equipment = models.CharField(_("equipment to cut off"), max_length=255, blank=True)
    min_duration_seconds = models.PositiveIntegerField(_("minimum duration (s)"), default=0)
    window_start = models.TimeField(_("enabled from"), null=True, blank=True)
    window_end = models.TimeField(_("enabled until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("set-point")
        verbose_name_plural = _("set-points")
        ordering = ["point_id", "value"]
        constraints = [
            models.UniqueConstraint(fields=["point", "name"], name="setpoint_name_per_point"),
            models.CheckConstraint(condition=models.Q(hysteresis__gte=0), name="setpoint_hyst"),
            models.CheckConstraint(
                condition=models.Q(window_start__isnull=True, window_end__isnull=True)
                | models.Q(window_start__isnull=False, window_end__isnull=False),
                name="setpoint_window_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.name} {self.value}"


class PointRule(models.Model):
    """The rules of a point beyond its set-points: rate of change (units per minute),
    stuck value (same within a tolerance for N seconds), and the levels of its seal,
    stuck and offline alarms. A point without a row has none of these and the default
    levels."""

    point = models.OneToOneField(
        "monitoring.Point",
        verbose_name=_("monitoring point"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="rule",
    )
    rate_limit = models.DecimalField(
        _("rate of change limit (per minute)"), null=True, blank=True, **DECIMAL
    )
    rate_direction = models.CharField(
        _("rate direction"), max_length=8, choices=RateDirection.choices, default="both"
    )
    rate_level = models.CharField(
        _("rate alarm level"), max_length=8, choices=AlarmLevel.choices, default="yellow"
    )
    stuck_seconds = models.PositiveIntegerField(_("stuck after (s)"), null=True, blank=True)
    stuck_tolerance = models.DecimalField(_("stuck tolerance"), default=0, **DECIMAL)
    stuck_level = models.CharField(
        _("stuck alarm level"), max_length=8, choices=AlarmLevel.choices, default="blue"
    )
    seal_level = models.CharField(
        _("seal alarm level"), max_length=8, choices=AlarmLevel.choices, default="red"
    )
    offline_level = models.CharField(
        _("offline alarm level"), max_length=8, choices=AlarmLevel.choices, default="yellow"
    )

    class Meta:
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")

    def __str__(self) -> str:
        return f"rules of point {self.point_id}"


class SealWindow(models.Model):
    """A local time window in which a seal (or door) may be open without an alarm."""

    point = models.ForeignKey(
        "monitoring.Point",
        verbose_name=_("monitoring point"),
        on_delete=models.CASCADE,
        related_name="seal_windows",
    )
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("seal window")
        verbose_name_plural = _("seal windows")
        ordering = ["point_id", "start"]

    def __str__(self) -> str:
        return f"{self.point_id} {self.start:%H:%M}–{self.end:%H:%M}"


class AlarmState(models.TextChoices):
    RAISED = "raised", _("raised")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    HANDLED = "handled", _("handled")
    # Not the hazard loop's "closed" (销号): an alarm is closed, not written off.
    CLOSED = "closed", pgettext_lazy("alarm state", "closed")


OPEN_ALARM_STATES = (AlarmState.RAISED, AlarmState.ACKNOWLEDGED, AlarmState.HANDLED)


def alarm_photo_path(instance: Alarm, filename: str) -> str:
    return f"monitoring/alarms/{filename}"


class Alarm(models.Model):
    """One alarm: raised by the engine (point, condition, raise time are its identity),
    cleared by the engine when the condition ends (`cleared_at`), and moved by people
    through its lifecycle (`state`): raised → acknowledged → handled → closed."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    point = models.ForeignKey(
        "monitoring.Point",
        verbose_name=_("monitoring point"),
        on_delete=models.PROTECT,
        related_name="alarms",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="monitoring_alarms",
    )
    condition = models.CharField(_("condition"), max_length=48)
    level = models.CharField(_("alarm level"), max_length=8, choices=AlarmLevel.choices)
    setpoint = models.CharField(_("set-point"), max_length=16, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    peak = models.FloatField(_("peak"), null=True, blank=True)
    raised_at = models.DateTimeField(pgettext_lazy("alarm", "raised at"))
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    clear_value = models.FloatField(_("value at clearing"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=AlarmState.choices, default=AlarmState.RAISED
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handling = models.TextField(_("what was done"), blank=True)
    photo = models.FileField(_("evidence photo"), upload_to=alarm_photo_path, blank=True)
    photo_sha256 = models.CharField(max_length=64, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalation_step = models.PositiveSmallIntegerField(_("escalation step"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="monitoring_alarms",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["point", "condition", "raised_at"], name="alarm_identity"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-raised_at"], name="alarm_state_time"),
            models.Index(fields=["enterprise", "state"], name="alarm_enterprise_state"),
            models.Index(fields=["point", "condition", "cleared_at"], name="alarm_point_open"),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.condition} {self.raised_at:%Y-%m-%d %H:%M:%S}"

    @property
    def is_open(self) -> bool:
        return self.state != AlarmState.CLOSED

    @property
    def is_active(self) -> bool:
        """The condition is still present (not cleared by the engine)."""
        return self.cleared_at is None


class AlarmEvent(models.Model):
    """A step in an alarm's history (raise, clear, acknowledge, handle, close, escalate,
    hazard): appended, never edited."""

    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=24)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=128, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    via = models.CharField(max_length=16, blank=True)
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("alarm event")
        verbose_name_plural = _("alarm events")
        ordering = ["alarm_id", "at", "id"]
        constraints = [
            # The engine's raise and clear are recorded once however often they arrive.
            models.UniqueConstraint(
                fields=["alarm", "action"],
                condition=models.Q(action__in=["raise", "clear"]),
                name="alarm_event_engine_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alarm_id} {self.action}"


class EngineState(models.Model):
    """The engine's state of one point (anjian.monitoring.engine.PointState.to_dict),
    checkpointed so that a restarted listener goes on where it stopped; the offline job
    also reads `last_ts` here."""

    point = models.OneToOneField(
        "monitoring.Point", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    state = models.JSONField(default=dict)
    last_value = models.FloatField(null=True, blank=True)
    last_ts = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("engine state")
        verbose_name_plural = _("engine states")

    def __str__(self) -> str:
        return f"engine state of point {self.point_id}"

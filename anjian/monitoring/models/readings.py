"""Readings, rejections, aggregates and latest values (the ingestion part).

`RawReading` is keyed by (point, ts): a reading sent twice is stored once. On PostgreSQL
its table is PARTITIONED BY RANGE (ts), one partition a day (migration 0002 and
`anjian manage monitor_maintain`, which creates partitions ahead and drops expired ones);
SQLite keeps one table. Its point column has no foreign-key constraint in the database
(a check per row would slow the bulk load; points are deactivated, never deleted while
they have readings).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "LatestValue",
    "RawReading",
    "ReadingAggregate",
    "Rejection",
    "RejectionCount",
    "RejectionReason",
]


class RawReading(models.Model):
    pk = models.CompositePrimaryKey("point", "ts")
    point = models.ForeignKey(
        "monitoring.Point",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    ts = models.DateTimeField(_("time"))
    # A boolean point stores 1.0 / 0.0 (its kind says it is boolean).
    value = models.FloatField(_("value"))
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")

    def __str__(self) -> str:
        return f"{self.point_id} {self.ts:%Y-%m-%d %H:%M:%S} {self.value}"


class RejectionReason(models.TextChoices):
    TOO_LARGE = "too_large", _("payload too large")
    MALFORMED = "malformed_json", _("malformed JSON")
    NOT_OBJECT = "not_object", _("payload is not an object")
    BAD_SHAPE = "bad_shape", _("payload lacks gateway or readings list")
    UNKNOWN_GATEWAY = "unknown_gateway", _("unknown gateway")
    TOPIC_MISMATCH = "topic_mismatch", _("topic names another gateway")
    UNKNOWN_POINT = "unknown_point", _("unknown point of this gateway")
    WRONG_TYPE = "wrong_type", _("wrong value type")
    NOT_FINITE = "not_finite", _("NaN or infinite value")
    OUT_OF_RANGE = "out_of_range", _("outside the physical range")
    BAD_TIMESTAMP = "bad_timestamp", _("timestamp not ISO 8601")
    NO_OFFSET = "no_offset", _("timestamp without UTC offset")
    FUTURE = "future", _("timestamp too far in the future")
    DUPLICATE_IN_BATCH = "duplicate_in_batch", _("duplicate in the batch")


class Rejection(models.Model):
    """A rejected reading (or a whole rejected payload, with empty point fields), kept
    as it came for listing; the counters by reason outlive the rows (RejectionCount)."""

    gateway_code = models.CharField(_("gateway code"), max_length=64, blank=True)
    point_code = models.CharField(_("point code"), max_length=64, blank=True)
    ts_text = models.CharField(_("time as sent"), max_length=64, blank=True)
    value_text = models.CharField(_("value as sent"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=32, choices=RejectionReason.choices)
    received_at = models.DateTimeField(_("received at"), db_index=True)

    class Meta:
        verbose_name = _("rejected reading")
        verbose_name_plural = _("rejected readings")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["reason", "-received_at"], name="rejection_reason_time")]

    def __str__(self) -> str:
        return f"{self.gateway_code}/{self.point_code}: {self.reason}"


class RejectionCount(models.Model):
    reason = models.CharField(max_length=32, primary_key=True)
    count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.reason}: {self.count}"


class ReadingAggregate(models.Model):
    """Count, min, max and sum of a point's readings over one minute or one hour; kept
    longer than the raw readings (settings ANJIAN_MONITORING_*_DAYS)."""

    MINUTE = "m"
    HOUR = "h"
    PERIODS = [(MINUTE, _("minute")), (HOUR, _("hour"))]

    point = models.ForeignKey(
        "monitoring.Point", on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    period = models.CharField(max_length=1, choices=PERIODS)
    start = models.DateTimeField()
    count = models.IntegerField()
    min = models.FloatField()
    max = models.FloatField()
    sum = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["point", "period", "start"], name="aggregate_bucket")
        ]
        indexes = [models.Index(fields=["period", "start"], name="aggregate_period_start")]

    def __str__(self) -> str:
        return f"{self.point_id} {self.period} {self.start:%Y-%m-%d %H:%M}"


class LatestValue(models.Model):
    """The newest reading of each point, kept hot for the boards."""

    point = models.OneToOneField(
        "monitoring.Point",
        primary_key=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="latest",
    )
    ts = models.DateTimeField()
    value = models.FloatField()
    received_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.point_id}: {self.value} at {self.ts:%Y-%m-%d %H:%M:%S}"

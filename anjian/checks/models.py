"""Self-check records (排查记录, t_yhpcjl) of the check tasks (隐患排查任务, t_yhpcrwxx) that
anjian.risks derives from control measures and major hazard installations.

One `CheckRecord` is one execution of a task for one due period (anjian.checks.periods):
started on a phone, submitted once, never edited afterwards (a correction is a new record
pointing at the old). A period nobody submitted is marked missed by the job; it may
still be filled in, and then shows as late, never as on time. One `CheckAnswer` per item:
the item's text as it was, the answer (t_yhpcjl CHECK_STATUS), a note, a photo with its
perceptual hash, and the hazard a "hazard found" answer opened.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anjian.hazards.models import ImmutableRecord


class AnswerStatus(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HAZARD_FOUND = "hazard_found", _("Hazard found")
    NOT_CHECKED = "not_checked", _("Not checked")
    OTHER = "other", _("Other")


# t_yhpcjl CHECK_STATUS as the provincial platforms exchange it (../shared/domain/
# national-schema.md): 0 normal / 1 hazard found / 2 not checked / 3 other. The same codes
# and order as the scorer's file contract (anjian/checks/scorefile.py).
CHECK_STATUS_CODES: dict[str, int] = {
    AnswerStatus.NORMAL: 0,
    AnswerStatus.HAZARD_FOUND: 1,
    AnswerStatus.NOT_CHECKED: 2,
    AnswerStatus.OTHER: 3,
}


class RecordState(models.TextChoices):
    OPEN = "open", _("started")
    MISSED = "missed", _("missed")
    SUBMITTED = "submitted", _("submitted")


class Timing(models.TextChoices):
    ON_TIME = "on_time", _("on time")
    LATE = "late", _("late")
    MISSED = "missed", _("missed")


class TaskItem(models.Model):
    """An item of a task that carries more than one (items adopted from a check list).
    A task without item rows has one item: its own content (the common case: a control
    measure's check item)."""

    SCOPE_ENTERPRISE_PATH = "task__enterprise"

    task = models.ForeignKey("risks.CheckTask", on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    content = models.CharField(_("check item"), max_length=500)
    basis = models.CharField(_("basis"), max_length=255, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["task", "position"]
        verbose_name = _("check item")
        verbose_name_plural = _("check items")
        constraints = [
            models.UniqueConstraint(fields=["task", "position"], name="check_item_position_once")
        ]

    def __str__(self) -> str:
        return self.content


class CheckRecord(models.Model):
    """排查记录 (t_yhpcjl): one execution of a check task for one due period."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    task = models.ForeignKey(
        "risks.CheckTask",
        verbose_name=_("check task"),
        on_delete=models.PROTECT,
        related_name="records",
    )
    # Denormalised from the task so that scoping and the list pages filter on one key.
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="check_records",
    )
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    state = models.CharField(
        _("state"), max_length=12, choices=RecordState.choices, default=RecordState.OPEN
    )
    timing = models.CharField(_("timing"), max_length=8, choices=Timing.choices, blank=True)
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="check_records",
    )
    # The page's random id kept in the browser's localStorage: the same device used by
    # checkers who should be apart is an authenticity signal.
    device_id = models.CharField(_("device"), max_length=64, blank=True)
    # From the page, unique: a resubmission after a dropped connection finds this record.
    client_token = models.UUIDField(_("client token"), null=True, blank=True, unique=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    missed_at = models.DateTimeField(_("marked missed at"), null=True, blank=True)
    # The device's own clock: compared with the server's to see back-dating.
    device_started_at = models.DateTimeField(_("started at (device)"), null=True, blank=True)
    device_submitted_at = models.DateTimeField(_("submitted at (device)"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    accuracy = models.FloatField(_("position accuracy (m)"), null=True, blank=True)
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrected_by",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("check record")
        verbose_name_plural = _("check records")
        constraints = [
            # One record per task and period; corrections point at it and stand beside it.
            models.UniqueConstraint(
                fields=["task", "period_start"],
                condition=Q(corrects__isnull=True),
                name="check_record_once_per_period",
            ),
            models.CheckConstraint(
                condition=~Q(state="submitted")
                | (Q(submitted_at__isnull=False) & Q(checker__isnull=False) & ~Q(timing="")),
                name="check_record_submitted_complete",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")),
                name="check_record_period_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "-period_start"], name="check_record_ent_period"),
            models.Index(fields=["state", "period_end"], name="check_record_state_end"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.period_start:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A submitted record is evidence: never edited (a correction is a new record).
        if not self._state.adding and getattr(self, "_stored_state", None) == "submitted":
            raise RuntimeError("a submitted check record is never edited")
        super().save(*args, **kwargs)
        self._stored_state = self.state

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> CheckRecord:
        instance = super().from_db(db, field_names, values)
        instance._stored_state = instance.__dict__.get("state")
        return instance

    @property
    def is_late(self) -> bool:
        return self.timing == Timing.LATE


class CheckAnswer(ImmutableRecord):
    """One item's answer, written once with the submission."""

    SCOPE_ENTERPRISE_PATH = "record__enterprise"

    record = models.ForeignKey(CheckRecord, on_delete=models.PROTECT, related_name="answers")
    position = models.PositiveSmallIntegerField(_("position"))
    item = models.ForeignKey(
        TaskItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    content = models.CharField(_("check item"), max_length=500)  # as it read when checked
    status = models.CharField(_("result"), max_length=16, choices=AnswerStatus.choices)
    note = models.TextField(_("note"), blank=True)
    # Stored as hazard photos are (anjian.core.uploads: type by content, random name,
    # original bytes kept as evidence), with the 64-bit dHash for the reuse signal.
    photo = models.FileField(_("photo"), upload_to="checks/%Y/%m/", blank=True)
    photo_name = models.CharField(_("original file name"), max_length=255, blank=True)
    photo_format = models.CharField(_("format"), max_length=8, blank=True)
    photo_size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    photo_sha256 = models.CharField(max_length=64, blank=True)
    photo_dhash = models.CharField(_("perceptual hash"), max_length=16, blank=True)
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="check_answers",
    )

    class Meta:
        ordering = ["record", "position"]
        verbose_name = _("check answer")
        verbose_name_plural = _("check answers")
        constraints = [
            models.UniqueConstraint(
                fields=["record", "position"], name="check_answer_position_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_id}#{self.position} {self.status}"

    @property
    def check_status_code(self) -> int:
        return CHECK_STATUS_CODES[self.status]


# --- authenticity (issue 12 item 2) ----------------------------------------------------------


class AuthenticityRun(models.Model):
    """One scoring of every enterprise's self-check records over a period (the daily job,
    anjian.checks.scoring.authenticity_run). One a day: `day` is unique, so a second run on
    the same day, or a second worker, finds this one instead of scoring again."""

    day = models.DateField(_("day"), unique=True)  # local (Asia/Shanghai)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    period_from = models.DateTimeField(_("records from"))
    period_to = models.DateTimeField(_("records to"))
    period_days = models.PositiveSmallIntegerField(_("period (days)"))
    enterprises = models.PositiveIntegerField(_("enterprises scored"), default=0)
    flagged_enterprises = models.PositiveIntegerField(_("enterprises flagged"), default=0)
    records = models.PositiveIntegerField(_("records scored"), default=0)
    flagged_records = models.PositiveIntegerField(_("records flagged"), default=0)
    # The scorer's Thresholds as they were, so an old result is read with its own rules.
    thresholds = models.JSONField(_("thresholds"), default=dict)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("authenticity run")
        verbose_name_plural = _("authenticity runs")

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}"


class EnterpriseAuthenticity(models.Model):
    """An enterprise's score in one run, with each signal's evidence (scorer codes and
    figures; pages render them in Chinese: anjian.checks.evidence)."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    run = models.ForeignKey(AuthenticityRun, on_delete=models.CASCADE, related_name="scores")
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="check_authenticity",
    )
    score = models.FloatField(_("authenticity score"))
    flag = models.BooleanField(_("flagged"), default=False)
    records = models.PositiveIntegerField(_("records"), default=0)
    flagged_records = models.PositiveIntegerField(_("records flagged"), default=0)
    signals = models.JSONField(_("signals"), default=list)  # [{"name", "evidence"}]

    class Meta:
        ordering = ["score", "enterprise_id"]
        verbose_name = _("self-check authenticity")
        verbose_name_plural = _("self-check authenticity")
        constraints = [
            models.UniqueConstraint(fields=["run", "enterprise"], name="authenticity_once_per_run")
        ]
        indexes = [
            models.Index(fields=["enterprise", "-run"], name="authenticity_ent_run"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.score}"


class RecordFlag(models.Model):
    """A record that carries at least one signal in a run (unflagged records get no row)."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    run = models.ForeignKey(AuthenticityRun, on_delete=models.CASCADE, related_name="flags")
    record = models.ForeignKey(
        CheckRecord, on_delete=models.CASCADE, related_name="authenticity_flags"
    )
    # Denormalised from the record: the enterprise page reads its flags by one key.
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="+"
    )
    signals = models.JSONField(_("signals"), default=list)

    class Meta:
        ordering = ["run", "record"]
        verbose_name = _("flagged check record")
        verbose_name_plural = _("flagged check records")
        constraints = [
            models.UniqueConstraint(fields=["run", "record"], name="record_flag_once_per_run")
        ]
        indexes = [models.Index(fields=["enterprise", "run"], name="record_flag_ent_run")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.record_id}"


# --- check lists by industry (issue 12 item 1) -----------------------------------------------


class Checklist(models.Model):
    """A check list (检查表) of the library: the project's lists drawn from the published
    determination standards (重大事故隐患判定标准, one list per standard and industry,
    `key` set, no enterprise), or an enterprise's own list (`enterprise` set), seen only by
    it. An enterprise adopts a list as a check task and may add its own items."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    key = models.CharField(_("key"), max_length=64, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=120)
    industry = models.ForeignKey(
        "registry.Industry",
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklists",
    )
    basis = models.CharField(_("basis"), max_length=255, blank=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklists",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["industry__sort", "name", "pk"]
        verbose_name = _("check list")
        verbose_name_plural = _("check lists")

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    """One item of a check list: what to check, and the clause it comes from."""

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    content = models.CharField(_("check item"), max_length=500)
    basis = models.CharField(_("basis"), max_length=255, blank=True)
    # The determination item it restates (anjian.hazards.reference id), if any: a
    # "hazard found" answer on it proposes that item for a major-hazard determination.
    reference_item = models.CharField(_("determination item"), max_length=32, blank=True)

    class Meta:
        ordering = ["checklist", "position"]
        verbose_name = _("check-list item")
        verbose_name_plural = _("check-list items")
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "position"], name="checklist_item_position_once"
            )
        ]

    def __str__(self) -> str:
        return self.content


class ChecklistAdoption(models.Model):
    """An enterprise's adoption of a check list: the check task it made (its items copied
    as TaskItem rows, which the enterprise may extend), at which risk unit, how often."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    checklist = models.ForeignKey(
        Checklist, verbose_name=_("check list"), on_delete=models.PROTECT, related_name="adoptions"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="checklist_adoptions"
    )
    task = models.OneToOneField(
        "risks.CheckTask", on_delete=models.PROTECT, related_name="adoption"
    )
    unit = models.ForeignKey(
        "risks.RiskUnit",
        verbose_name=_("risk unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklist_adoptions",
    )
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    adopted_at = models.DateTimeField(_("adopted at"), auto_now_add=True)

    class Meta:
        ordering = ["-adopted_at", "-pk"]
        verbose_name = _("check-list adoption")
        verbose_name_plural = _("check-list adoptions")

    def __str__(self) -> str:
        return f"{self.enterprise_id}:{self.checklist_id}"

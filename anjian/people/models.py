"""Workers and what concerns them (issue 15 items 4-7): training records, certificates
(特种作业操作证 and the principal's / safety manager's 考核合格), the safety-points ledger,
special-work permits (GB 30871-2022) with their gas analyses, and the responsibility
lists (全员安全生产责任制) with their yearly letters and the principal's quarterly reports.

Everything hangs on an enterprise (SCOPE_ENTERPRISE_PATH): the enterprise keeps its own,
regulators see their jurisdiction. Rules: ../shared/domain/standards.md A14.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anjian.core.models import AppendOnly


class Event(AppendOnly):
    """One step in a history: never edited."""

    action = models.CharField(_("action"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class Worker(models.Model):
    """A person working at an enterprise (with or without an account)."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="workers",
    )
    name = models.CharField(_("name"), max_length=64)
    # 居民身份证号码 (GB 11643, checked): personal data, shown masked.
    id_number = models.CharField(_("identity card number"), max_length=18, blank=True)
    post = models.CharField(_("post"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="worker",
    )
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    active = models.BooleanField(_("employed"), default=True)

    class Meta:
        verbose_name = _("worker")
        ordering = ("enterprise", "name", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "id_number"],
                condition=~models.Q(id_number=""),
                name="one_worker_per_id_number",
            )
        ]

    def __str__(self) -> str:
        return self.name


# --- training and certificates ------------------------------------------------------------


class TrainingKind(models.TextChoices):
    # 三级安全教育 (《生产经营单位安全培训规定》 安监总局令第3号): company, workshop, team level.
    INDUCTION_COMPANY = "induction_company", _("induction: company level")
    INDUCTION_WORKSHOP = "induction_workshop", _("induction: workshop level")
    INDUCTION_TEAM = "induction_team", _("induction: team level")
    ANNUAL = "annual", _("annual refresher")
    PRINCIPAL = "principal", _("principal's safety training")
    SAFETY_MANAGER = "safety_manager", _("safety manager's training")
    SPECIAL_WORK = "special_work", _("special-work training")
    OTHER = "other", _("other training")


class TrainingRecord(models.Model):
    SCOPE_ENTERPRISE_PATH = "worker__enterprise"

    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="trainings"
    )
    kind = models.CharField(_("training type"), max_length=24, choices=TrainingKind.choices)
    title = models.CharField(_("course"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    held_on = models.DateField(_("held on"))
    provider = models.CharField(_("provider"), max_length=120, blank=True)
    passed = models.BooleanField(_("passed"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("training record")
        ordering = ("-held_on", "-pk")

    def __str__(self) -> str:
        return self.title


class CertificateKind(models.TextChoices):
    SPECIAL_WORK = "special_work", _("special-work operation certificate")
    PRINCIPAL = "principal", _("principal's safety qualification")
    SAFETY_MANAGER = "safety_manager", _("safety manager's safety qualification")


class CertificateState(models.TextChoices):
    VALID = "valid", pgettext_lazy("certificate state", "valid")
    REVOKED = "revoked", pgettext_lazy("certificate state", "revoked")


class Certificate(models.Model):
    SCOPE_ENTERPRISE_PATH = "worker__enterprise"

    worker = models.ForeignKey(
        Worker, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="certificates"
    )
    kind = models.CharField(_("certificate type"), max_length=16, choices=CertificateKind.choices)
    # 特种作业 category and item (e.g. 电工作业 / 低压电工作业), from anjian.people's catalogue.
    category = models.CharField(_("work category"), max_length=64, blank=True)
    item = models.CharField(_("work item"), max_length=64, blank=True)
    number = models.CharField(_("certificate number"), max_length=32)
    issuer = models.CharField(_("issued by"), max_length=120, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("valid until"), db_index=True)
    # 复审 every 3 years (6 with the issuer's consent after 10 years without violation).
    review_due = models.DateField(_("review due"), null=True, blank=True)
    reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=CertificateState.choices, default=CertificateState.VALID
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("certificate")
        ordering = ("expires_on", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "category", "item", "number"], name="one_certificate_per_number"
            )
        ]

    def __str__(self) -> str:
        return self.number


# --- safety points ------------------------------------------------------------------------


class PointEntry(AppendOnly):
    """One line of a worker's safety-points ledger (安全积分): never edited; a mistake is
    undone by a new line that `reverses` it."""

    SCOPE_ENTERPRISE_PATH = "worker__enterprise"

    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="points"
    )
    points = models.IntegerField(_("points"))
    rule = models.CharField(_("rule"), max_length=48)
    note = models.CharField(_("note"), max_length=255, blank=True)
    # What earned or cost the points (e.g. "training", 12), for idempotent awards.
    source = models.CharField(_("source"), max_length=24, blank=True)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("points entry")
        ordering = ("-at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "rule", "source", "source_id"],
                condition=models.Q(source_id__isnull=False, reverses__isnull=True),
                name="one_award_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.points:+d}"


# --- special-work permits (GB 30871-2022) -------------------------------------------------


class PermitKind(models.TextChoices):
    HOT_WORK = "hot_work", _("hot work")
    CONFINED_SPACE = "confined_space", _("confined-space entry")
    BLIND_PLATE = "blind_plate", _("blind-plate insertion and removal")
    HEIGHT = "height", _("work at height")
    LIFTING = "lifting", _("lifting")
    TEMPORARY_POWER = "temporary_power", _("temporary electricity")
    EARTHWORK = "earthwork", _("earthwork")
    ROAD_CLOSURE = "road_closure", _("road closure")


class PermitState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("permit state", "applied")
    ISSUED = "issued", pgettext_lazy("permit state", "issued")
    WORKING = "working", pgettext_lazy("permit state", "work under way")
    CLOSED = "closed", pgettext_lazy("permit state", "closed")
    CANCELLED = "cancelled", pgettext_lazy("permit state", "cancelled")
    REFUSED = "refused", pgettext_lazy("permit state", "refused")


class Permit(models.Model):
    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="permits",
    )
    kind = models.CharField(_("special work"), max_length=16, choices=PermitKind.choices)
    # 动火: 特级 / 一级 / 二级; 高处 and 吊装 have their own grades; blank where none.
    grade = models.CharField(_("grade"), max_length=8, blank=True)
    number = models.CharField(_("permit number"), max_length=32, blank=True)
    place = models.CharField(_("place"), max_length=255)
    content = models.TextField(_("work content"))
    risk_unit = models.ForeignKey(
        "risks.RiskUnit",
        verbose_name=_("risk unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    workers = models.ManyToManyField(
        Worker, verbose_name=_("operators"), related_name="permits", blank=True
    )
    guardian = models.ForeignKey(
        Worker,
        verbose_name=_("guardian"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guarded_permits",
    )
    planned_start = models.DateTimeField(_("planned start"))
    planned_end = models.DateTimeField(_("planned end"))
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=PermitState.choices,
        default=PermitState.DRAFT,
        db_index=True,
    )
    refusal = models.TextField(_("why refused"), blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("special-work permit")
        ordering = ("-pk",)
        indexes = [models.Index(fields=["enterprise", "state", "planned_start"])]

    def __str__(self) -> str:
        return self.number or f"{self.kind} {self.pk}"


class GasAnalysis(AppendOnly):
    """A gas analysis before (and during) the work: oxygen, combustible gas, toxic gases."""

    SCOPE_ENTERPRISE_PATH = "permit__enterprise"

    permit = models.ForeignKey(
        Permit, verbose_name=_("permit"), on_delete=models.PROTECT, related_name="analyses"
    )
    sampled_at = models.DateTimeField(_("sampled at"))
    point = models.CharField(_("sampling point"), max_length=120, blank=True)
    oxygen_pct = models.DecimalField(
        _("oxygen (% vol)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    combustible_pct = models.DecimalField(
        _("combustible gas (% vol)"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    # The lower explosive limit of the combustible gas (% vol): decides its limit.
    combustible_lel_pct = models.DecimalField(
        _("its lower explosive limit (% vol)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    # [{"name": "硫化氢", "value": "3", "limit": "10", "unit": "mg/m3"}]
    toxic = models.JSONField(_("toxic gases"), default=list, blank=True)
    analyst = models.CharField(_("analyst"), max_length=64)
    passed = models.BooleanField(_("within limits"))
    findings = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ("sampled_at", "pk")

    def __str__(self) -> str:
        return f"{self.permit_id} {self.sampled_at:%H:%M}"


class PermitEvent(Event):
    SCOPE_ENTERPRISE_PATH = "permit__enterprise"

    permit = models.ForeignKey(
        Permit, verbose_name=_("permit"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta:
        ordering = ("pk",)


# --- responsibility lists ------------------------------------------------------------------


class ResponsibilityPost(models.Model):
    """A post's duties in the enterprise's responsibility list (全员安全生产责任制)."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="responsibility_posts",
    )
    post = models.CharField(_("post"), max_length=64)
    duties = models.TextField(_("duties"))
    active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("post in the responsibility list")
        ordering = ("enterprise", "post", "pk")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "post"], name="one_list_per_post")
        ]

    def __str__(self) -> str:
        return self.post


class ResponsibilityLetter(AppendOnly):
    """The yearly responsibility letter (安全生产责任书) a worker signed for a post."""

    SCOPE_ENTERPRISE_PATH = "post__enterprise"

    post = models.ForeignKey(
        ResponsibilityPost, verbose_name=_("post"), on_delete=models.PROTECT, related_name="letters"
    )
    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="letters"
    )
    year = models.PositiveIntegerField(_("year"))
    signed_on = models.DateField(_("signed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ("-year", "pk")
        constraints = [
            models.UniqueConstraint(fields=["post", "worker", "year"], name="one_letter_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.post_id} {self.worker_id} {self.year}"


class DutyReport(AppendOnly):
    """The principal's quarterly report of how safety duties were carried out."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="duty_reports",
    )
    year = models.PositiveIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    text = models.TextField(_("report"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        ordering = ("-year", "-quarter")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "quarter"], name="one_duty_report_a_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}Q{self.quarter}"

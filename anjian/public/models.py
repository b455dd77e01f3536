"""Whistleblower reports (举报) and the exposure board (曝光台), issue 15 items 1-3.

Rules: ../shared/domain/standards.md A9 (《安全生产领域举报奖励办法》 安监总财〔2018〕19号).

* A report is made without an account: anonymous or real-name. The reporter's identity is
  never stored in clear: `identity_cipher` is AES-GCM ciphertext (anjian.public.crypto),
  decrypted only by a user holding the permission `public.read_reporter_identity`, each
  decryption (and each refusal) recorded in `IdentityAccess` and the audit chain. The
  reporter follows the report with its tracking code and a secret (only its hash is kept).
* Scope: reports are placed by the division where the matter is (SCOPE_DIVISION_PATH);
  regulators see their subtree. Enterprise staff see NO report, not even about their own
  enterprise (retaliation), hence no SCOPE_ENTERPRISE_OF_ROW.
* The exposure board's entries hang on their enterprise; the enterprise sees only what
  is published (SCOPE_ENTERPRISE_HIDDEN).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
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


# --- reports ------------------------------------------------------------------------------


class Matter(models.TextChoices):
    # 第二条 of the 2018 rules: 重大事故隐患 and 安全生产违法行为; 第六条 concealed accidents.
    MAJOR_HAZARD = "major_hazard", _("major accident hazard")
    VIOLATION = "violation", _("illegal production, operation or construction")
    CONCEALED_ACCIDENT = "concealed_accident", _("concealed or falsely reported accident")
    HAZARD = "hazard", _("other accident hazard")
    OTHER = "other", _("other work-safety matter")


class ReportState(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("report state", "received")
    TRIAGED = "triaged", pgettext_lazy("report state", "triaged")
    DUPLICATE = "duplicate", pgettext_lazy("report state", "duplicate")
    VERIFYING = "verifying", pgettext_lazy("report state", "being verified")
    CONCLUDED = "concluded", pgettext_lazy("report state", "concluded")
    REWARD_DECIDED = "reward_decided", pgettext_lazy("report state", "reward decided")
    PAID = "paid", pgettext_lazy("report state", "reward paid")


class Conclusion(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("substantiated")
    UNSUBSTANTIATED = "unsubstantiated", _("not substantiated")


class Report(models.Model):
    SCOPE_DIVISION_PATH = "division"

    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    # A password-style hash of the reporter's secret (django.contrib.auth.hashers).
    secret_hash = models.CharField(max_length=128)
    division = models.ForeignKey(
        "registry.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise reported"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enterprise_name = models.CharField(_("unit named by the reporter"), max_length=200, blank=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    matter = models.CharField(_("matter reported"), max_length=24, choices=Matter.choices)
    content = models.TextField(_("what is reported"))
    anonymous = models.BooleanField(_("anonymous"), default=True)
    # Real-name reports: the identity (name, phone, id number, address) as AES-GCM
    # ciphertext; `identity_key` names the key that sealed it (key rotation).
    identity_cipher = models.BinaryField(null=True, blank=True, editable=False)
    identity_key = models.CharField(max_length=32, blank=True)
    # The reporter works at the unit reported (an employee's report of their own unit).
    insider = models.BooleanField(_("reporter works at the unit reported"), default=False)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=ReportState.choices,
        default=ReportState.RECEIVED,
        db_index=True,
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    # Handling within 60 days (extension up to 30: standards.md A9, 2018 text UNCONFIRMED).
    due_on = models.DateField(_("to be handled by"), null=True, blank=True, db_index=True)
    extended = models.BooleanField(_("deadline extended"), default=False)
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("handling department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accident = models.ForeignKey(
        "accidents.Accident",
        verbose_name=_("accident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    conclusion = models.CharField(
        _("conclusion"), max_length=16, choices=Conclusion.choices, blank=True
    )
    conclusion_reason = models.TextField(_("reasons"), blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    # The reward (anjian.public.rewards): the fine it is based on, the amount and why.
    fine_yuan = models.DecimalField(
        _("fine imposed (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    reward_yuan = models.DecimalField(
        _("reward (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    reward_basis = models.JSONField(_("reward basis"), default=dict, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_ref = models.CharField(_("payment reference"), max_length=64, blank=True)
    # For rate limits and spam checks: a keyed hash of the sender's address, never the address.
    source_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("whistleblower report")
        ordering = ("-pk",)
        permissions = [("read_reporter_identity", _("May read a reporter's identity"))]

    def __str__(self) -> str:
        return self.tracking_code


class ReportPhoto(models.Model):
    SCOPE_DIVISION_PATH = "report__division"

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="photos"
    )
    image = models.FileField(_("photo"), upload_to="reports/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return self.sha256[:12]


class ReportMessage(AppendOnly):
    """A question from the handler and the reporter's answer (through the tracking page)."""

    SCOPE_DIVISION_PATH = "report__division"

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="messages"
    )
    from_reporter = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("message"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return self.text[:40]


class ReportEvent(Event):
    SCOPE_DIVISION_PATH = "report__division"

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta:
        ordering = ("pk",)


class IdentityAccess(AppendOnly):
    """Every attempt to read a reporter's identity, allowed or refused, with its reason."""

    SCOPE_DIVISION_PATH = "report__division"

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"))
    allowed = models.BooleanField(_("allowed"))

    class Meta:
        ordering = ("-pk",)

    def __str__(self) -> str:
        return f"{self.report_id} {self.user_id} {self.allowed}"


# --- exposure board -----------------------------------------------------------------------


class ExposureGround(models.TextChoices):
    SERIOUS_VIOLATION = "serious_violation", _("serious violation")
    MAJOR_HAZARD_OVERDUE = "major_hazard_overdue", _("major hazard not remedied in time")
    ACCIDENT = "accident", _("production-safety accident")
    UNTRUSTWORTHY = "untrustworthy", _("listed as seriously untrustworthy")


class ExposureState(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("exposure state", "proposed")
    APPROVED = "approved", pgettext_lazy("exposure state", "approved")
    PUBLISHED = "published", pgettext_lazy("exposure state", "published")
    WITHDRAWN = "withdrawn", pgettext_lazy("exposure state", "withdrawn")
    REJECTED = "rejected", pgettext_lazy("exposure state", "rejected")


class Exposure(models.Model):
    SCOPE_ENTERPRISE_PATH = "enterprise"
    # The enterprise sees what is published about it (and its withdrawal), not proposals.
    SCOPE_ENTERPRISE_HIDDEN = ~Q(state__in=("published", "withdrawn"))

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="exposures",
    )
    ground = models.CharField(_("ground"), max_length=24, choices=ExposureGround.choices)
    title = models.CharField(_("title"), max_length=200)
    # Public text: facts about the enterprise, never a person's data.
    summary = models.TextField(_("public summary"))
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    penalty = models.ForeignKey(
        "penalties.Penalty",
        verbose_name=_("penalty"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accident = models.ForeignKey(
        "accidents.Accident",
        verbose_name=_("accident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=ExposureState.choices,
        default=ExposureState.PROPOSED,
        db_index=True,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        verbose_name = _("exposure board entry")
        ordering = ("-pk",)

    def __str__(self) -> str:
        return self.title


class ExposureEvent(Event):
    SCOPE_ENTERPRISE_PATH = "exposure__enterprise"
    SCOPE_ENTERPRISE_HIDDEN = Q(pk__isnull=False)  # history is the regulators'

    exposure = models.ForeignKey(
        Exposure, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta:
        ordering = ("pk",)

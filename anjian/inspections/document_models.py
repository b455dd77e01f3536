"""Enforcement documents as issued (issue 12 item 8): models, imported by models.py.

An EnforcementDocument is the .docx as handed to the party: numbered once (文号 per
issuing department, kind and year, from anjian.hazards' DocumentCounter), its bytes kept
with their SHA-256 and size, the builder's input facts kept beside them, and never
changed or deleted after issue (AppendOnly). A correction is a new document whose
``corrects`` names the old one; the old one stays as it was issued.
"""

from __future__ import annotations

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.models import AppendOnly

from . import documents as pure

__all__ = ["DocumentKind", "EnforcementDocument", "enforcement_document_path"]


class DocumentKind(models.TextChoices):
    CHECK_RECORD = pure.CHECK_RECORD, _("On-site inspection record")
    RECTIFICATION_ORDER = pure.RECTIFICATION_ORDER, _("Order to rectify within a time limit")
    ON_SITE_DECISION = pure.ON_SITE_DECISION, _("Decision on on-site measures")
    REVIEW_OPINION = pure.REVIEW_OPINION, _("Rectification review opinion")
    PENALTY_NOTICE = pure.PENALTY_NOTICE, _("Notice of administrative penalty")
    PENALTY_DECISION = pure.PENALTY_DECISION, _("Administrative penalty decision")


def enforcement_document_path(instance: EnforcementDocument, filename: str) -> str:
    # A random name: media never has a public URL, and a name must not reveal a number.
    return f"inspections/documents/{instance.year}/{uuid4().hex}.docx"


class EnforcementDocument(AppendOnly):
    """One issued enforcement document (执法文书)."""

    SCOPE_ENTERPRISE_PATH = "enterprise"
    # 四不两直: an unannounced inspection's documents stay hidden from the enterprise
    # until the inspection starts, like the inspection itself.
    SCOPE_ENTERPRISE_HIDDEN = Q(inspection__kind="unannounced", inspection__started_at__isnull=True)

    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enforcement_documents",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="enforcement_documents",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=DocumentKind.choices)
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="enforcement_documents",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial"))
    number = models.CharField(_("document number"), max_length=64, unique=True)
    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by (user)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to=enforcement_document_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("size"))
    # The builder's input (documents.py dataclasses as JSON): what the document says,
    # readable without opening the Word file.
    facts = models.JSONField(_("facts"), default=dict)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    correction_reason = models.TextField(_("reason for correction"), blank=True)
    # 行政处罚告知书 / 决定书 are issued by the penalty's own workflow (anjian.penalties),
    # after its no-double-fine check; the document names the penalty it carries.
    penalty = models.ForeignKey(
        "penalties.Penalty",
        verbose_name=_("administrative penalty"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )

    class Meta:
        verbose_name = _("enforcement document")
        verbose_name_plural = _("enforcement documents")
        ordering = ("issued_at", "pk")
        indexes = [
            models.Index(fields=["inspection", "kind"]),
            models.Index(fields=["enterprise", "-issued_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "kind", "year", "serial"],
                name="inspections_document_serial_once",
            ),
            # A document is corrected once; a later correction corrects the correction.
            models.UniqueConstraint(
                fields=["corrects"],
                condition=Q(corrects__isnull=False),
                name="inspections_document_corrected_once",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def title(self) -> str:
        return pure.TITLES.get(self.kind, self.kind)

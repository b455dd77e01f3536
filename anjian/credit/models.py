"""The credit file (信用档案) and the list of untrustworthy subjects (失信名单).

CreditFile is a computed cache, one row per enterprise, rewritten by every evaluation
(like risks.RiskState). CreditListEntry is evidence: a row is written when an
enterprise is put on the list and is never edited, except once, when it is taken off
(a conditional UPDATE sets removed_on and the reason).

Scoping note: the list is a deliberate exception to duty scoping — every regulator role
sees every entry, whatever its department's duties or division (联合惩戒 is shared across
departments). Enterprise staff see their own entries only. Hence no
SCOPE_ENTERPRISE_PATH here: reads go through anjian.credit.services.visible_entries.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CreditFile(models.Model):
    enterprise = models.OneToOneField(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="credit_file",
    )
    evaluated_on = models.DateField(_("evaluated on"))
    period_start = models.DateField(_("period from"))
    figures = models.JSONField(_("figures"), default=dict)
    fired = models.JSONField(_("rules firing"), default=list)
    last_fired_on = models.DateField(_("a rule last fired on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("credit file")
        verbose_name_plural = _("credit files")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.evaluated_on}"


class CreditListEntry(models.Model):
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="credit_list_entries",
    )
    rule_id = models.CharField(_("rule"), max_length=64)
    rule_text = models.CharField(_("reason for listing"), max_length=255)
    fired = models.JSONField(_("rules firing"), default=list)
    figures = models.JSONField(_("figures at the time"), default=dict)
    listed_on = models.DateField(_("listed on"), db_index=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    removal_reason = models.CharField(_("reason for removal"), max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-listed_on", "-id"]
        verbose_name = _("list entry")
        verbose_name_plural = _("list of untrustworthy subjects")
        constraints = [
            # One open entry per enterprise: two evaluations at once cannot both list it.
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(removed_on__isnull=True),
                name="one_open_credit_listing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.rule_id} {self.listed_on}"

    @property
    def is_current(self) -> bool:
        return self.removed_on is None

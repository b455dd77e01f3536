"""Administrative penalties (issue 12 items 9–10): the decision with its workflow
(workflow.py) and append-only events, one lock row per subject key (the no-double-fine
check runs under it), the suspension order with its resume review, and the listing on the
list of seriously untrustworthy subjects (应急管理部令第11号; the rules are
anjian.inspections.untrustworthy)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.models import AppendOnly
from anjian.inspections import penalties as rules
from anjian.inspections import untrustworthy as ut

from . import workflow as wf


class SubjectKind(models.TextChoices):
    USCC = rules.USCC, _("unified social credit code")
    PLATE = rules.PLATE, _("vehicle plate")
    PERSON = rules.PERSON, _("ID number")


class PenaltyKind(models.TextChoices):
    WARNING = rules.WARNING, _("Warning")
    CRITICISM = rules.NOTICE_OF_CRITICISM, _("Notice of criticism")
    FINE = rules.FINE, _("Fine")
    CONFISCATION = rules.CONFISCATION, _("Confiscation")
    SUSPENSION = rules.SUSPENSION, _("Order to suspend production or business")
    LICENCE_SUSPENSION = rules.LICENCE_SUSPENSION, _("Licence suspension")
    LICENCE_REVOCATION = rules.LICENCE_REVOCATION, _("Licence revocation")
    CLOSURE = rules.CLOSURE, _("Order to close")
    PERSON_FINE = rules.PERSON_FINE, _("Fine on a responsible person")


class PenaltyState(models.TextChoices):
    DRAFT = wf.DRAFT, _("draft")
    NOTICED = wf.NOTICED, _("noticed")
    DECIDED = wf.DECIDED, _("decided")
    EXECUTED = wf.EXECUTED, _("executed")
    REVOKED = wf.REVOKED, _("revoked")


class SubjectLock(models.Model):
    """One row per subject key, locked (SELECT … FOR UPDATE) while a fine on the subject is
    decided: two departments deciding the same act at once are serialised, so the second
    sees the first's fine (行政处罚法 第二十九条)."""

    kind = models.CharField(max_length=8)
    value = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="penalties_subject_lock_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class Penalty(models.Model):
    SCOPE_ENTERPRISE_PATH = "enterprise"
    # A draft is the department's working paper: the party learns of it by the notice.
    SCOPE_ENTERPRISE_HIDDEN = Q(state=wf.DRAFT)

    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="penalties",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="penalties",
    )
    subject_kind = models.CharField(
        _("subject key kind"), max_length=8, choices=SubjectKind.choices
    )
    subject_value = models.CharField(_("subject key"), max_length=32)
    subject_name = models.CharField(_("subject"), max_length=200)
    responsible_person = models.CharField(_("responsible person"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=PenaltyKind.choices)
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # [{"text": as written, "law", "article", "paragraph", "item"}]: parse_clause's key.
    clauses = models.JSONField(_("violated clauses"), default=list)
    facts_start = models.DateTimeField(_("act from"))
    facts_end = models.DateTimeField(_("act until"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    location_code = models.CharField(_("location code"), max_length=64, blank=True)
    description = models.TextField(_("facts"))
    act_ref = models.CharField(_("act reference"), max_length=64, blank=True)
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="penalties",
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=PenaltyState.choices,
        default=wf.DRAFT,
        db_index=True,
    )
    number = models.CharField(_("decision number"), max_length=64, blank=True)
    noticed_on = models.DateField(_("noticed on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("administrative penalty")
        verbose_name_plural = _("administrative penalties")
        ordering = ("-created_at", "-pk")
        indexes = [
            models.Index(fields=["subject_kind", "subject_value", "kind", "decided_on"]),
            models.Index(fields=["department", "-created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "number"],
                condition=~Q(number=""),
                name="penalties_number_once_per_department",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.subject_name}"

    @property
    def is_fine(self) -> bool:
        return self.kind in rules.FINE_KINDS

    @property
    def subject_shown(self) -> str:
        """The key as pages show it: an ID number is masked (personal information)."""
        return mask_subject(self.subject_kind, self.subject_value)


def mask_subject(kind: str, value: str) -> str:
    if kind == rules.PERSON:
        return value[:3] + "*" * (len(value) - 5) + value[-2:] if len(value) > 5 else "***"
    return value


class Event(AppendOnly):
    """One step of a penalty, suspension or listing: written once, never changed."""

    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=128, blank=True)
    via = models.CharField(max_length=16, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ("at", "pk")


class PenaltyEvent(Event):
    SCOPE_ENTERPRISE_PATH = "penalty__enterprise"
    SCOPE_ENTERPRISE_HIDDEN = Q(penalty__state=wf.DRAFT)

    penalty = models.ForeignKey(Penalty, on_delete=models.PROTECT, related_name="events")

    class Meta(Event.Meta):
        verbose_name = _("penalty event")
        verbose_name_plural = _("penalty events")

    def __str__(self) -> str:
        return f"{self.penalty_id} {self.action}"


class SuspensionState(models.TextChoices):
    ORDERED = wf.ORDERED, _("ordered")
    RECTIFYING = wf.RECTIFYING, _("under rectification")
    REVIEW_REQUESTED = wf.REVIEW_REQUESTED, _("resume review requested")
    RESUMED = wf.RESUMED, _("production resumed")
    EXTENDED = wf.EXTENDED, _("suspension extended")


class Suspension(models.Model):
    """责令停产停业整顿: made when a suspension penalty is decided; ends with the resume
    review (复产验收)."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    penalty = models.OneToOneField(Penalty, on_delete=models.PROTECT, related_name="suspension")
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="suspensions"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=SuspensionState.choices, default=wf.ORDERED
    )
    ordered_on = models.DateField(_("ordered on"))
    rectify_by = models.DateField(_("rectify by"), null=True, blank=True)
    resumed_on = models.DateField(_("resumed on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("suspension order")
        verbose_name_plural = _("suspension orders")
        ordering = ("-ordered_on", "-pk")

    def __str__(self) -> str:
        return f"{self.penalty_id} {self.state}"


class SuspensionEvent(Event):
    SCOPE_ENTERPRISE_PATH = "suspension__enterprise"

    suspension = models.ForeignKey(Suspension, on_delete=models.PROTECT, related_name="events")

    class Meta(Event.Meta):
        verbose_name = _("suspension event")
        verbose_name_plural = _("suspension events")

    def __str__(self) -> str:
        return f"{self.suspension_id} {self.action}"


class ListingState(models.TextChoices):
    PROPOSED = ut.PROPOSED, _("proposed")
    NOTIFIED = ut.NOTIFIED, _("notified")
    LISTED = ut.LISTED, _("listed")
    PUBLISHED = ut.PUBLISHED, _("published")
    REPAIR_APPLIED = ut.REPAIR_APPLIED, _("repair applied for")
    REMOVED_EXPIRED = ut.REMOVED_EXPIRED, _("removed: period over")
    REMOVED_REPAIRED = ut.REMOVED_REPAIRED, _("removed early after repair")
    REVOKED = ut.REVOKED, _("revoked")
    WITHDRAWN = ut.WITHDRAWN, _("withdrawn")


# On the public list: published, and still published while an early removal is examined.
PUBLIC_STATES = (ut.PUBLISHED, ut.REPAIR_APPLIED)


class Listing(models.Model):
    """A subject on the list of seriously untrustworthy subjects: a decision of the
    department that imposed the penalty it rests on (谁处罚、谁决定、谁负责)."""

    SCOPE_ENTERPRISE_PATH = "enterprise"
    SCOPE_ENTERPRISE_HIDDEN = Q(state=ut.PROPOSED)

    penalty = models.ForeignKey(
        Penalty, verbose_name=_("penalty"), on_delete=models.PROTECT, related_name="listings"
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("deciding department"),
        on_delete=models.PROTECT,
        related_name="listings",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="untrustworthy_listings",
    )
    subject_kind = models.CharField(
        _("subject key kind"), max_length=8, choices=SubjectKind.choices
    )
    subject_value = models.CharField(_("subject key"), max_length=32)
    subject_name = models.CharField(_("subject"), max_length=200)
    situation = models.CharField(_("situation"), max_length=4)
    reasons = models.TextField(_("reasons"), blank=True)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ListingState.choices,
        default=ut.PROPOSED,
        db_index=True,
    )
    notified_on = models.DateField(_("notice date"), null=True, blank=True)
    statement_deadline = models.DateField(_("statement deadline"), null=True, blank=True)
    statement = models.TextField(_("statement of the party"), blank=True)
    statement_reviewed = models.BooleanField(_("statement reviewed"), default=False)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    ends_on = models.DateField(_("listed until"), null=True, blank=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    repair = models.JSONField(_("repair application"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("untrustworthy listing")
        verbose_name_plural = _("list of seriously untrustworthy subjects")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["state", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.situation} {self.state}"

    @property
    def subject_shown(self) -> str:
        return mask_subject(self.subject_kind, self.subject_value)

    @property
    def situation_text(self) -> str:
        found = ut.BY_CODE.get(self.situation)
        return found.text if found else self.situation


class ListingEvent(Event):
    SCOPE_ENTERPRISE_PATH = "listing__enterprise"
    SCOPE_ENTERPRISE_HIDDEN = Q(listing__state=ut.PROPOSED)

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="events")

    class Meta(Event.Meta):
        verbose_name = _("listing event")
        verbose_name_plural = _("listing events")

    def __str__(self) -> str:
        return f"{self.listing_id} {self.action}"

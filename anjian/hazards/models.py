"""The hazard ledger (隐患台账), after the national table t_yhzlxx.

A hazard's current state and current values (five fixes, listing, acceptance) are
columns, for the ledger and the national export; its history is the HazardEvent rows,
written once by anjian.hazards.services.hazard_act and never edited. Photos are kept as
uploaded (originals), each tied to the event that brought it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import workflow as wf


class Source(models.TextChoices):
    SELF_CHECK = "self_check", _("Enterprise self-check")
    ENTERPRISE_INSPECTION = "enterprise_inspection", _("Enterprise inspection")
    GOVERNMENT_INSPECTION = "government_inspection", _("Government inspection")
    PUBLIC_REPORT = "public_report", _("Report from the public")
    SENSOR_ALARM = "sensor_alarm", _("Sensor alarm")
    VIDEO_ANALYSIS = "video_analysis", _("Video analysis")
    OTHER = "other", _("Other")


class CheckKind(models.TextChoices):
    """t_yhzlxx DANGER_SRC: the kind of check that found the hazard (codes 1–10 as the
    provincial platforms exchange them: docs/national-tables.md). `Source` records who
    found it; this records how."""

    DAILY = "1", _("Daily check")
    COMPREHENSIVE = "2", _("Comprehensive check")
    PROFESSIONAL = "3", _("Specialist check")
    SEASONAL = "4", _("Seasonal check")
    KEY_PERIOD = "5", _("Check before key periods and holidays")
    ACCIDENT_ANALOGY = "6", _("Check by analogy with an accident")
    RESTART = "7", _("Check before resuming production")
    EXPERT_DIAGNOSIS = "8", _("Diagnostic check by outside experts")
    MEASURE_FAILURE = "9", _("Control measure failed")
    OTHER = "10", _("Other")


class OccurrenceLink(models.TextChoices):
    """t_yhzlxx OCCURRENCE_LINK (发生环节), codes 1–10."""

    DESIGN = "1", _("Design")
    PRODUCT_DEFECT = "2", _("Product quality defect")
    STORAGE = "3", _("Storage")
    CONSTRUCTION = "4", _("Project construction")
    START_STOP = "5", _("Start-up and shut-down")
    OPERATION = "6", _("Use and operation")
    UPKEEP = "7", _("Maintenance and upkeep")
    REPAIR = "8", _("Repair")
    CHANGE = "9", _("Change")
    TRANSPORT = "10", _("Transport and other")


class SuspensionScope(models.TextChoices):
    """16号令 第十六条: 暂时停产停业或者停止使用."""

    WHOLE = "whole", _("Whole production stopped")
    PART = "part", _("Part of production stopped")
    EQUIPMENT = "equipment", _("Use of the facilities or equipment stopped")


class EvaluatorKind(models.TextChoices):
    """16号令 第十八条: the enterprise's own technical staff and experts, or a qualified
    safety evaluation body."""

    OWN_EXPERTS = "own_experts", _("The enterprise's own technical staff and experts")
    EVALUATION_BODY = "evaluation_body", _("A qualified safety evaluation body")


class WorkersBody(models.TextChoices):
    """安全生产法 第四十一条: 职工大会或者职工代表大会."""

    CONGRESS = "workers_congress", _("Workers' congress")
    REPRESENTATIVES = "representatives_congress", _("Workers' representatives congress")


class HazardType(models.TextChoices):
    """t_yhzlxx HAZARD_DANGER_TYPE."""

    SAFETY = "safety", _("Safety")
    PROCESS = "process", _("Process")
    ELECTRICAL = "electrical", _("Electrical")
    INSTRUMENT = "instrument", _("Instrumentation")
    FIRE = "fire", _("Fire protection")
    LAYOUT = "layout", _("General layout")
    EQUIPMENT = "equipment", _("Equipment")
    OTHER = "other", _("Other")


class Category(models.TextChoices):
    """t_yhzlxx MANAGEMENT_CLASSIFICATION: 人的不安全行为 / 物的不安全状态 / 管理缺陷."""

    PEOPLE = "people", _("Unsafe behaviour of people")
    THINGS = "things", _("Unsafe condition of things")
    MANAGEMENT = "management", _("Management defect")


class Level(models.TextChoices):
    """t_yhzlxx DANGER_LEVEL (0 general / 1 major)."""

    GENERAL = wf.GENERAL, _("General accident hazard")
    MAJOR = wf.MAJOR, _("Major accident hazard")


class Handling(models.TextChoices):
    """t_yhzlxx DANGER_MANAGE_TYPE (0 fixed on the spot / 1 fixed by a deadline)."""

    ON_SPOT = wf.ON_SPOT, _("Fixed on the spot")
    BY_DEADLINE = wf.BY_DEADLINE, _("Fixed by a deadline")


class State(models.TextChoices):
    REPORTED = wf.REPORTED, _("reported")
    FIXES_SET = wf.FIXES_SET, _("five fixes set")
    RECTIFYING = wf.RECTIFYING, _("rectifying")
    SUSPENDED = wf.SUSPENDED, _("stopped for remediation")
    EVALUATED = wf.EVALUATED, _("remedy evaluated")
    RESUME_APPLIED = wf.RESUME_APPLIED, _("applied to resume")
    SUBMITTED = wf.SUBMITTED, _("awaiting acceptance")
    CLOSED = wf.CLOSED, _("closed")


# t_yhzlxx DANGER_STATE: 0 rectifying / 1 awaiting acceptance / 9 accepted.
NATIONAL_STATE = {
    wf.REPORTED: "0",
    wf.FIXES_SET: "0",
    wf.RECTIFYING: "0",
    wf.SUSPENDED: "0",
    wf.EVALUATED: "0",
    wf.RESUME_APPLIED: "1",
    wf.SUBMITTED: "1",
    wf.CLOSED: "9",
}

# What each action is called in messages ("cannot <action> while the hazard is <state>").
ACTION_LABELS: dict[str, Any] = {
    wf.REPORT: _("report"),
    wf.FIX_ON_SPOT: _("close as fixed on the spot"),
    wf.MAKE_MAJOR: _("determine as major"),
    wf.CONFIRM_MAJOR: _("confirm as major"),
    wf.DISMISS_MAJOR: _("dismiss the major determination"),
    wf.LIST: _("list for supervision"),
    wf.SET_FIVE_FIXES: _("set the five fixes"),
    wf.SET_PLAN: _("set the remediation plan"),
    wf.ORDER: _("order rectification"),
    wf.REPORT_TO_WORKERS: _("report to the workers' congress"),
    wf.SUSPEND: _("stop production or use"),
    wf.RESUME: _("resume production"),
    wf.EVALUATE: _("record the evaluation of the remedy"),
    wf.APPLY_RESUME: _("apply in writing to resume"),
    wf.REOPEN: _("reopen"),
    wf.START_RECTIFICATION: _("start rectification"),
    wf.SUBMIT: _("submit for acceptance"),
    wf.ACCEPT: _("accept and close"),
    wf.REJECT: _("reject"),
    wf.REVIEW_PASS: _("pass the on-site review and write off"),
    wf.REVIEW_FAIL: _("fail the on-site review"),
    wf.ACCOUNTABILITY_REVIEW: _("record the accountability review"),
}


class MajorBasis(models.TextChoices):
    LIST_ITEM = "list_item", _("Item of a determination list")
    DECISION = "decision", _("Officer's decision")


class Hazard(models.Model):
    """One hazard of the ledger (t_yhzlxx)."""

    SCOPE_ENTERPRISE_PATH = "enterprise"
    # The reviewing department sees it even outside its duty (anjian.core.scoping).
    SCOPE_DEPARTMENT_PATH = "review_department"

    number = models.CharField(_("number"), max_length=32, unique=True)
    # A stable identifier for exchanges with other platforms (t_yhzlxx DANGER_ID); the
    # number is ours, this one never changes and is unique across counties.
    uuid = models.UUIDField(_("record ID"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("hazard name"), max_length=100, blank=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    risk_unit = models.ForeignKey(
        "risks.RiskUnit",
        verbose_name=_("risk analysis unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    control_measure = models.ForeignKey(
        "risks.ControlMeasure",
        verbose_name=_("control measure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    source = models.CharField(_("found by"), max_length=24, choices=Source.choices)
    check_kind = models.CharField(
        _("kind of check"), max_length=2, choices=CheckKind.choices, default=CheckKind.OTHER
    )
    occurrence_link = models.CharField(
        _("stage where it occurred"), max_length=2, choices=OccurrenceLink.choices, blank=True
    )
    hazard_type = models.CharField(_("type"), max_length=16, choices=HazardType.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    handling = models.CharField(_("handling"), max_length=8, choices=Handling.choices)
    description = models.TextField(_("description"))
    cause = models.TextField(_("cause"), blank=True)
    # Major hazards: the analysis of its harm and of how hard it is to remedy, a part of
    # the report to the supervising department (16号令 第十四条第二款).
    harm_analysis = models.TextField(_("harm and difficulty of remedy"), blank=True)
    location = models.CharField(_("location"), max_length=255)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, db_index=True)

    # Why it is major: an item of a determination list (cited as it read at the time) or
    # an officer's decision with a reason.
    major_basis = models.CharField(
        _("major because of"), max_length=16, choices=MajorBasis.choices, blank=True
    )
    major_item = models.JSONField(_("determination list item"), default=dict, blank=True)
    major_reason = models.TextField(_("reason for the major determination"), blank=True)
    major_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by (expert)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    # The five fixes (五定): owner, measures, funds, deadline, contingency plan.
    liable_person = models.CharField(_("person responsible"), max_length=64, blank=True)
    measures = models.TextField(_("measures"), blank=True)
    funds = models.DecimalField(
        _("funds (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    contingency_plan = models.TextField(_("contingency plan"), blank=True)
    # Major hazards: the six-part remediation plan (治理方案, 16号令 第十五条).
    remediation_plan = models.JSONField(_("remediation plan"), default=dict, blank=True)

    # Listed supervision (挂牌督办): who listed, for which body, until when, the notice.
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("listed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    listing_department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("listing department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    listing_division = models.ForeignKey(
        "registry.Division",
        verbose_name=_("listing jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True)
    listing_deadline = models.DateField(_("supervision deadline"), null=True, blank=True)
    listing_notice = models.TextField(_("public notice"), blank=True)
    # 责令限期整改指令书: the deadline an inspecting department ordered, and the order's
    # number. The five fixes' deadline may not be later; an approved extension moves it.
    ordered_deadline = models.DateField(_("ordered deadline"), null=True, blank=True)
    ordered_by_document = models.CharField(_("rectification order"), max_length=64, blank=True)

    # Acceptance (CHECK_ACCEPT_PERSON / TIME / COMMENT), or the on-site review.
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accept_comment = models.TextField(_("acceptance comment"), blank=True)

    # The review authority (整改复查 / 现场审查): the department (or the safety committee
    # office or grid of a division, when no department) that found the hazard on an
    # inspection, ordered it rectified, stopped it or listed it. Empty: the enterprise
    # accepts the hazard itself (16号令 第十五条, t_yhzlxx CHECK_ACCEPT_PERSON).
    review_department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("reviewing department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_division = models.ForeignKey(
        "registry.Division",
        verbose_name=_("reviewing jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_basis = models.CharField(_("why it reviews"), max_length=16, blank=True)

    # Major hazards: the report to the workers' congress (安全生产法 第四十一条), the stop
    # (第十六条), the evaluation (第十八条), the written application to resume and the
    # 10-day clock of the on-site review (第二十三条).
    workers_reported_on = models.DateField(
        _("reported to the workers' congress on"), null=True, blank=True
    )
    suspended_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    suspension = models.JSONField(_("stop"), default=dict, blank=True)
    evaluation = models.JSONField(_("evaluation"), default=dict, blank=True)
    resume_applied_at = models.DateTimeField(_("applied to resume at"), null=True, blank=True)
    review_due_on = models.DateField(_("on-site review due on"), null=True, blank=True)
    review_reminded_on = models.DateField(null=True, blank=True)
    review_overdue_since = models.DateField(null=True, blank=True)
    resumed_at = models.DateTimeField(_("resumed at"), null=True, blank=True)

    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("found at"), default=timezone.now, db_index=True)
    # Who entered it in the ledger and when (t_yhzlxx REGISTRANT, REGIST_TIME): the same
    # as the finder for a report, not for an imported ledger.
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # Deadlines (anjian.hazards.deadlines, the job in anjian.hazards.jobs): the first day
    # the hazard was overdue (cleared when an extension moves the deadline to the
    # future; the mark_overdue events keep the history), how far the overdue hazard was
    # escalated (0 none, 1 principal, 2 grid officer, 3 county department), the last day
    # a reminder went out, and how many extensions were granted.
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    last_reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)
    deadline_extensions = models.PositiveSmallIntegerField(_("deadline extensions"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        indexes = [
            # By enterprise and state, then what the ledger's chips count (level, deadline,
            # listed): PostgreSQL counts a jurisdiction from this index alone.
            models.Index(
                fields=["enterprise", "state", "level", "deadline", "listed_at"],
                name="hazard_ledger_counts",
            ),
            models.Index(fields=["enterprise", "risk_unit", "hazard_type", "reported_at"]),
            models.Index(fields=["level", "state"]),
            # The ledger (anjian.hazards.ledger): newest first, overall and per enterprise,
            # so a page is a walk down an index whatever the scope.
            models.Index(fields=["-reported_at", "-id"], name="hazard_ledger_order"),
            models.Index(
                fields=["enterprise", "-reported_at", "-id"], name="hazard_ledger_ent_order"
            ),
            # Closed in a period (the statistics: fixed, on time) and the re-check window;
            # IS NULL (open) is answered by the same index.
            models.Index(fields=["closed_at"], name="hazard_closed_at"),
            # Overdue: open hazards by deadline (the overdue filter and the deadline jobs).
            models.Index(
                fields=["deadline"], condition=~Q(state=wf.CLOSED), name="hazard_open_deadline"
            ),
            # Listed for supervision (挂牌督办): few rows, per enterprise, newest first.
            models.Index(
                fields=["enterprise", "-reported_at"],
                condition=Q(listed_at__isnull=False),
                name="hazard_listed_order",
            ),
            # Deadlines (anjian.hazards.jobs, the overdue page): open hazards marked
            # overdue, and open major hazards by their supervision deadline.
            models.Index(
                fields=["overdue_since"],
                condition=Q(overdue_since__isnull=False) & ~Q(state=wf.CLOSED),
                name="hazard_open_overdue",
            ),
            models.Index(
                fields=["listing_deadline"],
                condition=Q(listing_deadline__isnull=False) & ~Q(state=wf.CLOSED),
                name="hazard_open_listing_deadline",
            ),
            # The 10-day clock of the on-site review of an application to resume.
            models.Index(
                fields=["review_due_on"],
                condition=Q(state=wf.RESUME_APPLIED),
                name="hazard_review_due",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_major(self) -> bool:
        return self.level == Level.MAJOR

    @property
    def national_state(self) -> str:
        return NATIONAL_STATE[self.state]

    @property
    def display_name(self) -> str:
        """The hazard's name, or the start of its description for hazards without one."""
        return self.name or self.description[:40]

    @property
    def enterprise_accepts(self) -> bool:
        return not (self.review_department_id or self.review_division_id)


class ImmutableRecord(models.Model):
    """Evidence is written once: saving an existing row or deleting one is refused.
    Corrections are new rows that point at the old ones."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise RuntimeError(f"{type(self).__name__} rows are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any):
        raise RuntimeError(f"{type(self).__name__} rows are never deleted")


class HazardEvent(ImmutableRecord):
    """One step of a hazard's history: who, when, from which state to which, what they
    wrote and the data they gave. Attachments are the photos pointing at the event."""

    SCOPE_ENTERPRISE_PATH = "hazard__enterprise"
    SCOPE_DEPARTMENT_PATH = "hazard__review_department"

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=16, blank=True)
    to_state = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=128)
    actor_role = models.CharField(_("role"), max_length=32, blank=True)
    via = models.CharField(_("channel"), max_length=16)
    at = models.DateTimeField(_("time"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("hazard event")
        verbose_name_plural = _("hazard events")

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.action} {self.from_state}→{self.to_state}"


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("Before rectification")
    AFTER = "after", _("After rectification")


MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


class HazardPhoto(ImmutableRecord):
    """A photo as uploaded (the original bytes, not re-encoded: it is evidence), with its
    checksum so a later copy can be matched."""

    SCOPE_ENTERPRISE_PATH = "hazard__enterprise"
    SCOPE_DEPARTMENT_PATH = "hazard__review_department"

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="photos")
    event = models.ForeignKey(HazardEvent, on_delete=models.PROTECT, related_name="photos")
    kind = models.CharField(_("kind"), max_length=8, choices=PhotoKind.choices)
    image = models.FileField(_("photo"), upload_to="hazards/%Y/%m/")
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    image_format = models.CharField(_("format"), max_length=8)
    size = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.kind} {self.original_name}"


class AccountabilityReview(ImmutableRecord):
    """The accountability review (责任倒查) every closed major hazard gets: who reviewed,
    what they found, who is held accountable, and when."""

    SCOPE_ENTERPRISE_PATH = "hazard__enterprise"

    hazard = models.OneToOneField(
        Hazard,
        verbose_name=_("hazard"),
        on_delete=models.PROTECT,
        related_name="accountability_review",
    )
    event = models.OneToOneField(HazardEvent, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    findings = models.TextField(_("findings"))
    # [{"name": …, "position": …, "measure": …}, …]; may be empty when nobody is at fault.
    persons_accountable = models.JSONField(_("persons held accountable"), default=list)
    reviewed_on = models.DateField(_("reviewed on"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("accountability review")
        verbose_name_plural = _("accountability reviews")

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.reviewed_on}"


class HazardCounter(models.Model):
    """The last number given in a (division, year); locked while a number is taken, so
    numbers never collide and have no gaps except from rolled-back reports."""

    division = models.ForeignKey("registry.Division", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("hazard number counter")
        verbose_name_plural = _("hazard number counters")
        constraints = [
            models.UniqueConstraint(fields=["division", "year"], name="one_hazard_counter")
        ]

    def __str__(self) -> str:
        return f"{self.division_id}/{self.year}: {self.last}"


class DocumentCounter(models.Model):
    """The last serial of one kind of document an issuer gave in a year (文号 such as
    安澜应急责改〔2026〕3号). Issuers are a department, a jurisdiction's safety committee
    office or grid, or an enterprise (its internal notices), so the key is a kind and an
    id rather than a foreign key. Locked while a serial is taken."""

    issuer_kind = models.CharField(max_length=16)
    issuer_id = models.PositiveBigIntegerField()
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document number counter")
        verbose_name_plural = _("document number counters")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_kind", "issuer_id", "year", "kind"], name="one_document_counter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer_kind}:{self.issuer_id}/{self.year}/{self.kind}: {self.last}"


class HazardDocument(models.Model):
    """A notice as first issued: its number and date belong to the document, so every
    later download prints the same ones. One row per hazard, kind and issuer (a hazard
    the enterprise found and a department later ordered has an internal notice and an
    order, each numbered by its own issuer)."""

    SCOPE_ENTERPRISE_PATH = "hazard__enterprise"

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16)
    issuer_kind = models.CharField(max_length=16)
    issuer_id = models.PositiveBigIntegerField()
    issuer_name = models.CharField(_("issued by"), max_length=128)
    year = models.PositiveSmallIntegerField()
    # 0 when the number was not ours to give (a department typed its own 文号 in the
    # order step).
    serial = models.PositiveIntegerField()
    number = models.CharField(_("document number"), max_length=64)
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["issued_on", "id"]
        verbose_name = _("hazard document")
        verbose_name_plural = _("hazard documents")
        constraints = [
            models.UniqueConstraint(
                fields=["hazard", "kind", "issuer_kind", "issuer_id"], name="one_hazard_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.kind} {self.number}"


# --- re-checks (回头看) -----------------------------------------------------------------------
# Closed hazards are sampled for an unannounced re-inspection (anjian.hazards.recheck_jobs,
# policy in data/recheck_policy.json). A re-check's result is written once; a relapse
# reports a new hazard linked here, and the old hazard stays closed.

ACTION_LABELS["recheck"] = _("re-check (look back)")


class RecheckRun(models.Model):
    """One sampling run of one county for one period. The unique (division, period) is
    what makes the job idempotent: of two workers only one can create the run, and the
    sample is written in the same transaction."""

    division = models.ForeignKey(
        "registry.Division",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    period = models.CharField(_("period"), max_length=16)  # "2026-11"
    seed = models.BigIntegerField(_("seed"))
    ran_at = models.DateTimeField(_("run at"), default=timezone.now)
    policy = models.JSONField(_("policy"), default=dict)
    # closed hazards considered, eligible general, majors sampled, generals sampled.
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        ordering = ["-ran_at", "-id"]
        verbose_name = _("re-check run")
        verbose_name_plural = _("re-check runs")
        constraints = [
            models.UniqueConstraint(fields=["division", "period"], name="one_recheck_run")
        ]

    def __str__(self) -> str:
        return f"{self.division_id}/{self.period}"


class RecheckReason(models.TextChoices):
    MAJOR = "major", _("Major hazard (all are re-checked)")
    GENERAL_SHARE = "general_share", _("Share of general hazards, weighted by safety code")


class RecheckState(models.TextChoices):
    PENDING = "pending", _("pending")
    DONE = "done", _("done")


class RecheckResult(models.TextChoices):
    STILL_FIXED = "still_fixed", _("Still fixed")
    RELAPSED = "relapsed", _("Relapsed")


class Recheck(models.Model):
    """An unannounced re-inspection of a closed hazard. Not scoped by
    SCOPE_ENTERPRISE_PATH on purpose: enterprise staff must not see pending re-checks,
    so every read goes through anjian.hazards.rechecks.visible_rechecks."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.PROTECT, related_name="rechecks"
    )
    run = models.ForeignKey(RecheckRun, on_delete=models.PROTECT, related_name="rechecks")
    sampled_on = models.DateField(_("sampled on"), db_index=True)
    reason = models.CharField(_("why sampled"), max_length=16, choices=RecheckReason.choices)
    code_colour = models.CharField(_("safety code when sampled"), max_length=8, blank=True)
    weight = models.FloatField(_("sampling weight"), default=1.0)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned inspector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("due on"))
    state = models.CharField(
        _("state"), max_length=8, choices=RecheckState.choices, default=RecheckState.PENDING
    )
    result = models.CharField(_("result"), max_length=16, choices=RecheckResult.choices, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("re-checked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_at = models.DateTimeField(_("re-checked at"), null=True, blank=True)
    relapse_hazard = models.ForeignKey(
        Hazard,
        verbose_name=_("relapse hazard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relapse_of",
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("re-check")
        verbose_name_plural = _("re-checks")
        indexes = [
            models.Index(fields=["hazard", "sampled_on"]),
            models.Index(fields=["state", "due_on"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["run", "hazard"], name="one_recheck_per_run"),
            models.CheckConstraint(
                condition=(
                    models.Q(state="pending", result="")
                    | models.Q(state="done", result__in=["still_fixed", "relapsed"])
                ),
                name="recheck_result_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.sampled_on} {self.state}"


# --- deadline extensions ------------------------------------------------------------------------

ACTION_LABELS["request_extension"] = _("request a deadline extension")
ACTION_LABELS["extend_deadline"] = _("extend the deadline")
ACTION_LABELS["refuse_extension"] = _("refuse the deadline extension")
ACTION_LABELS["mark_overdue"] = _("mark overdue")
ACTION_LABELS["escalate"] = _("escalate")
ACTION_LABELS["order_deadline"] = _("deadline ordered by a rectification order")


class ExtensionState(models.TextChoices):
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class DeadlineExtension(models.Model):
    """A request to move a hazard's deadline, with its reason, and the decision on it.

    History is never edited: the request is written once; the decision fields are
    written once, by a conditional UPDATE … WHERE state = 'requested' (see
    anjian.hazards.extensions), so of two deciders exactly one wins; save() refuses to
    change an existing row and delete() is refused."""

    SCOPE_ENTERPRISE_PATH = "hazard__enterprise"

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.PROTECT, related_name="extensions"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    reason = models.TextField(_("reason"))
    old_deadline = models.DateField(_("current deadline"))
    new_deadline = models.DateField(_("requested deadline"))
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ExtensionState.choices,
        default=ExtensionState.REQUESTED,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        indexes = [models.Index(fields=["state", "requested_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"],
                condition=Q(state="requested"),
                name="one_pending_extension",
            ),
            models.CheckConstraint(
                condition=Q(new_deadline__gt=models.F("old_deadline")),
                name="extension_moves_later",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.old_deadline}→{self.new_deadline} {self.state}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise RuntimeError("DeadlineExtension rows are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any):
        raise RuntimeError("DeadlineExtension rows are never deleted")

    @property
    def pending(self) -> bool:
        return self.state == ExtensionState.REQUESTED


ACTION_LABELS["migrate_state"] = _("moved to the rules of 2026-12 (migration)")
ACTION_LABELS["review_overdue"] = _("on-site review overdue")

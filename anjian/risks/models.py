"""Risk grading and control (风险分级管控), after the national dual-prevention tables.

risk analysis object → risk analysis unit (t_aqfxfxdy) → risk event (t_aqfxsj)
→ control measure (t_aqfxgkcs) → hazard-check task (t_yhpcrwxx). The mapping of every
field is in docs/national-tables.md. Assessments, safety codes and re-grading proposals
are history rows: written once, never edited.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Colour(models.TextChoices):
    RED = "red", _("Red (major risk)")
    ORANGE = "orange", _("Orange (larger risk)")
    YELLOW = "yellow", _("Yellow (general risk)")
    BLUE = "blue", _("Blue (low risk)")


# Highest first; the rank is how coupling raises a unit "one level".
COLOUR_ORDER = ("red", "orange", "yellow", "blue")
LEVEL_OF_COLOUR = {"red": "重大", "orange": "较大", "yellow": "一般", "blue": "低"}


class ObjectKind(models.TextChoices):
    MAJOR_HAZARD = "major_hazard", _("Major hazard installation")
    DEVICE = "device", _("Device or facility")
    AREA = "area", _("Area or site")
    PROCESS = "process", _("Process or operation")
    OTHER = "other", _("Other")


class ControlLevel(models.TextChoices):
    COMPANY = "company", _("Company")
    WORKSHOP = "workshop", _("Workshop")
    TEAM = "team", _("Team")
    POST = "post", _("Post")


class MajorHazardInstallation(models.Model):
    """A GB 18218-2018 major hazard installation (重大危险源) of an enterprise."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    class UnitKind(models.TextChoices):
        PRODUCTION = "production", _("Production unit")
        STORAGE = "storage", _("Storage unit")

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="major_hazards",
    )
    name = models.CharField(_("name"), max_length=128)
    code = models.CharField(_("filing code"), max_length=64, blank=True)
    unit_kind = models.CharField(_("unit kind"), max_length=16, choices=UnitKind.choices)
    people_500m = models.PositiveIntegerField(_("people within 500 m"), default=0)
    # The latest identification and grading, exact values as text ("13/10").
    total = models.CharField(_("Σq/Q"), max_length=64, blank=True)
    r_value = models.CharField(_("R"), max_length=64, blank=True)
    alpha = models.CharField(_("α"), max_length=16, blank=True)
    is_major = models.BooleanField(_("is a major hazard installation"), default=False)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)  # 1…4
    profile = models.CharField(_("profile"), max_length=64, blank=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    # 安监总局令第40号 第十一条: re-assess when the 安全评估 is three years old.
    reassess_by = models.DateField(_("re-assess by"), null=True, blank=True)
    principal_person = models.CharField(_("principal responsible person"), max_length=64)
    technical_person = models.CharField(_("technical responsible person"), max_length=64)
    operational_person = models.CharField(_("operational responsible person"), max_length=64)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["enterprise_id", "name"]
        verbose_name = _("major hazard installation")
        verbose_name_plural = _("major hazard installations")

    def __str__(self) -> str:
        return self.name

    @property
    def grade_name(self) -> str:
        return {1: "一级", 2: "二级", 3: "三级", 4: "四级"}.get(self.grade or 0, "")


class HazardousSubstance(models.Model):
    SCOPE_ENTERPRISE_PATH = "installation__enterprise"
    installation = models.ForeignKey(
        MajorHazardInstallation, on_delete=models.CASCADE, related_name="substances"
    )
    name = models.CharField(_("substance"), max_length=64)
    cas = models.CharField(_("CAS number"), max_length=16, blank=True)
    quantity = models.DecimalField(_("quantity q (t)"), max_digits=14, decimal_places=4)
    critical_quantity = models.DecimalField(
        _("critical quantity Q (t)"), max_digits=14, decimal_places=4
    )
    beta = models.DecimalField(_("β"), max_digits=6, decimal_places=2)
    # 表2/表4 symbol of the hazard category that gave β (empty: none known), and where β
    # came from ("given", "表3 …", "表4 W2 …", "default"): a re-grade keeps a given β and
    # recomputes the others.
    category = models.CharField(_("hazard category"), max_length=16, blank=True)
    beta_source = models.CharField(_("source of β"), max_length=128, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("hazardous substance")
        verbose_name_plural = _("hazardous substances")

    def __str__(self) -> str:
        return f"{self.name} {self.quantity} t"


class InstallationGrading(models.Model):
    """One identification and grading of a major hazard installation, as it was computed:
    written on every save and on every re-grade (e.g. when the GB 18218 tables change),
    never edited or deleted. The installation row keeps only the latest result."""

    SCOPE_ENTERPRISE_PATH = "installation__enterprise"

    installation = models.ForeignKey(
        MajorHazardInstallation, on_delete=models.PROTECT, related_name="gradings"
    )
    trigger = models.CharField(_("trigger"), max_length=64)  # create, change, regrade:…
    total = models.CharField(_("Σq/Q"), max_length=64)
    is_major = models.BooleanField(_("is a major hazard installation"))
    alpha = models.CharField(_("α"), max_length=16)
    r_value = models.CharField(_("R"), max_length=64, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    previous_r_value = models.CharField(_("previous R"), max_length=64, blank=True)
    previous_grade = models.PositiveSmallIntegerField(_("previous grade"), null=True, blank=True)
    profile = models.CharField(_("profile"), max_length=64)
    profile_version = models.CharField(_("profile version"), max_length=16, blank=True)
    # Every line as computed: substance, CAS, q, Q, β and the source of each.
    lines = models.JSONField(_("substances"), default=list)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("installation grading")
        verbose_name_plural = _("installation gradings")

    def __str__(self) -> str:
        return f"{self.installation_id} {self.trigger} {self.r_value}"

    def save(self, *args, **kwargs):
        # Append-only: a history row is written once.
        if self.pk is not None and not self._state.adding:
            raise ValueError("an installation grading is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("an installation grading is never deleted")

    @property
    def grade_name(self) -> str:
        return {1: "一级", 2: "二级", 3: "三级", 4: "四级"}.get(self.grade or 0, "")

    @property
    def previous_grade_name(self) -> str:
        return {1: "一级", 2: "二级", 3: "三级", 4: "四级"}.get(self.previous_grade or 0, "")

    @property
    def grade_changed(self) -> bool:
        return self.trigger != "create" and self.grade != self.previous_grade


class RiskObject(models.Model):
    """风险分析对象: what is analysed (a major hazard installation, a device, an area …)."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="risk_objects",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ObjectKind.choices)
    name = models.CharField(_("name"), max_length=128)
    installation = models.ForeignKey(
        MajorHazardInstallation,
        verbose_name=_("major hazard installation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_objects",
    )

    class Meta:
        ordering = ["enterprise_id", "name"]
        verbose_name = _("risk analysis object")
        verbose_name_plural = _("risk analysis objects")

    def __str__(self) -> str:
        return self.name


class RiskUnit(models.Model):
    """安全风险分析单元 (t_aqfxfxdy). Its colour is the latest assessment's, raised by the
    coupling rules when its hazard factors combine."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="risk_units",
    )
    risk_object = models.ForeignKey(
        RiskObject,
        verbose_name=_("risk analysis object"),
        on_delete=models.PROTECT,
        related_name="units",
    )
    name = models.CharField(_("name"), max_length=128)
    responsible_department = models.CharField(_("responsible department"), max_length=64)
    responsible_person = models.CharField(_("responsible person"), max_length=64)
    control_level = models.CharField(
        _("control level"), max_length=16, choices=ControlLevel.choices
    )
    hazard_factors = models.JSONField(_("hazard factors"), default=list, blank=True)
    # Denormalised from the latest assessment + coupling, for lists and maps.
    inherent_colour = models.CharField(
        _("assessed colour"), max_length=8, choices=Colour.choices, blank=True
    )
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices, blank=True)
    coupling_note = models.CharField(_("coupling"), max_length=255, blank=True)
    # Site-plan polygon: [[x, y], …] in 0…1 of the image's width and height.
    area = models.JSONField(_("area on the site plan"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enterprise_id", "name"]
        verbose_name = _("risk analysis unit")
        verbose_name_plural = _("risk analysis units")
        indexes = [models.Index(fields=["enterprise", "colour"])]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    """One quantitative assessment of a unit: method, inputs, exact score, result and the
    profile that turned the score into a colour. Never edited."""

    SCOPE_ENTERPRISE_PATH = "unit__enterprise"

    unit = models.ForeignKey(RiskUnit, on_delete=models.PROTECT, related_name="assessments")
    method = models.CharField(_("method"), max_length=8)  # lec | ls | mes
    inputs = models.JSONField(_("inputs"))
    score = models.CharField(_("score"), max_length=32)
    class_number = models.PositiveSmallIntegerField(_("class"))
    level = models.CharField(_("level"), max_length=8)
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices)
    profile = models.CharField(_("profile"), max_length=64)
    profile_version = models.CharField(_("profile version"), max_length=16)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")

    def __str__(self) -> str:
        return f"{self.unit} {self.method.upper()} {self.score}"


class RiskEvent(models.Model):
    """安全风险事件 (t_aqfxsj)."""

    SCOPE_ENTERPRISE_PATH = "unit__enterprise"

    unit = models.ForeignKey(RiskUnit, on_delete=models.CASCADE, related_name="events")
    name = models.CharField(_("risk event"), max_length=128)

    class Meta:
        ordering = ["id"]
        verbose_name = _("risk event")
        verbose_name_plural = _("risk events")

    def __str__(self) -> str:
        return self.name


class MeasureClass(models.TextChoices):
    ENGINEERING = "engineering", _("Engineering")
    MAINTENANCE = "maintenance", _("Maintenance")
    OPERATION = "operation", _("Operation")
    EMERGENCY = "emergency", _("Emergency")


class ControlMeasure(models.Model):
    """管控措施 (t_aqfxgkcs): a measure against an event and the check item it yields."""

    SCOPE_ENTERPRISE_PATH = "event__unit__enterprise"

    event = models.ForeignKey(RiskEvent, on_delete=models.CASCADE, related_name="measures")
    description = models.CharField(_("measure"), max_length=255)
    classification = models.CharField(
        _("classification"), max_length=16, choices=MeasureClass.choices
    )
    data_source = models.CharField(_("how it is controlled"), max_length=64, blank=True)
    check_content = models.CharField(_("check item"), max_length=255)

    class Meta:
        ordering = ["id"]
        verbose_name = _("control measure")
        verbose_name_plural = _("control measures")

    def __str__(self) -> str:
        return self.description


class CycleUnit(models.TextChoices):
    HOUR = "hour", _("hours")
    DAY = "day", _("days")
    # Not in t_yhpcrwxx's CHECK_CYCLE_UNIT (hour/day/month/year): maps to 7N days.
    WEEK = "week", _("weeks")
    MONTH = "month", _("months")
    YEAR = "year", _("years")


class CheckTask(models.Model):
    """隐患排查任务 (t_yhpcrwxx): derived from a control measure, or one of the three
    包保 persons' tasks on a major hazard installation."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="check_tasks"
    )
    measure = models.ForeignKey(
        ControlMeasure, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    installation = models.ForeignKey(
        MajorHazardInstallation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    content = models.CharField(_("check content"), max_length=255)
    cycle = models.PositiveIntegerField(_("cycle"))
    cycle_unit = models.CharField(_("cycle unit"), max_length=8, choices=CycleUnit.choices)
    responsible_person = models.CharField(_("responsible person"), max_length=64)
    next_due = models.DateTimeField(_("next due"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # A task adopted from a check list of the library (anjian.checks.ChecklistAdoption
    # holds the list and the risk unit); its items are anjian.checks.TaskItem rows.
    from_checklist = models.BooleanField(_("from a check list"), default=False)

    class Meta:
        ordering = ["next_due", "id"]
        verbose_name = _("hazard-check task")
        verbose_name_plural = _("hazard-check tasks")
        constraints = [
            models.CheckConstraint(
                condition=Q(measure__isnull=False)
                | Q(installation__isnull=False)
                | Q(from_checklist=True),
                name="check_task_has_origin",
            )
        ]

    def __str__(self) -> str:
        return self.content


class ReassessmentProposal(models.Model):
    """A unit proposed for re-assessment (hazards recur, a major hazard found in it, the
    coupling changed). Visible until an assessor acts."""

    SCOPE_ENTERPRISE_PATH = "unit__enterprise"

    unit = models.ForeignKey(RiskUnit, on_delete=models.CASCADE, related_name="proposals")
    reason = models.CharField(_("reason"), max_length=255)
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    resolved_by = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("re-assessment proposal")
        verbose_name_plural = _("re-assessment proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_proposal_per_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.reason}"


class CouplingRule(models.Model):
    """When all of `factors` are present in one unit, raise it `raise_levels` colours."""

    name = models.CharField(_("name"), max_length=128)
    factors = models.JSONField(_("hazard factors (all required)"))
    raise_levels = models.PositiveSmallIntegerField(_("raise by levels"), default=1)
    enabled = models.BooleanField(_("enabled"), default=True)
    basis = models.CharField(_("basis"), max_length=255, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("coupling rule")
        verbose_name_plural = _("coupling rules")

    def __str__(self) -> str:
        return self.name


class SitePlan(models.Model):
    SCOPE_ENTERPRISE_PATH = "enterprise"
    enterprise = models.OneToOneField(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="site_plan"
    )
    image = models.FileField(_("site plan image"), upload_to="siteplans/%Y/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("site plan")
        verbose_name_plural = _("site plans")

    def __str__(self) -> str:
        return f"{self.enterprise} site plan"


def new_verify_token() -> str:
    return secrets.token_urlsafe(16)


class SafetyCode(models.Model):
    """One computed 安全码 of an enterprise with every term that made it. A row is
    written when the result changes and is never edited; RiskState points at the current
    one and carries its validity."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="safety_codes"
    )
    colour = models.CharField(_("colour"), max_length=8)  # red | yellow | blue
    score = models.CharField(_("score"), max_length=16)
    terms = models.JSONField(_("terms"))
    policy = models.CharField(_("policy"), max_length=64)
    # Why this colour, in the policy's words at the time (a later policy edit must not
    # re-explain an old code with new thresholds).
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    trigger = models.CharField(_("trigger"), max_length=64)
    token = models.CharField(max_length=32, unique=True, default=new_verify_token)

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = _("safety code")
        verbose_name_plural = _("safety codes")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.colour}"


class RiskState(models.Model):
    """The enterprise's current risk picture, kept for lists, maps and the inspection
    plan: its highest unit colour and its current safety code."""

    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.OneToOneField(
        "registry.Enterprise",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="risk_state",
    )
    highest_colour = models.CharField(
        _("highest unit colour"), max_length=8, choices=Colour.choices, blank=True
    )
    code = models.ForeignKey(SafetyCode, null=True, on_delete=models.SET_NULL, related_name="+")
    code_colour = models.CharField(_("safety code"), max_length=8, blank=True, db_index=True)
    checked_at = models.DateTimeField(_("last computed"), null=True)
    valid_until = models.DateTimeField(_("valid until"), null=True)

    class Meta:
        verbose_name = _("risk state")
        verbose_name_plural = _("risk states")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.code_colour}"

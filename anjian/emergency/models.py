"""Emergency management (issue 14; rules: ../shared/domain/standards.md A10, 《生产安全事故
应急预案管理办法》 应急管理部令第2号 and 《生产安全事故应急条例》 国务院令第708号).

* Plans (应急预案): one row per version of a plan; the plan's series is `series` (the
  first version's id), `previous` points at the version it revises. Filing (备案) with
  the regulator and its deadlines live on the version (第二十六条).
* Drills (演练) with findings that become hazards or revision triggers; unannounced
  drills ordered by a regulator, with response times measured.
* Resources: rescue teams, warehouses and supplies, experts, shelters; placed by a
  division (scoped like accidents: SCOPE_DIVISION_PATH), optionally kept by an
  enterprise (its own team or warehouse).
* Response: an incident (entered, or from an alarm or an accident quick report), the
  calls made to the nearest resources and their answers, and a timeline (append-only).
* Allocation runs: supplies from several warehouses to several incidents (min-cost flow).

Scoping: plans and drills hang on their enterprise (SCOPE_ENTERPRISE_PATH); resources,
incidents and allocation runs are placed by a division (SCOPE_DIVISION_PATH), with the
keeping enterprise's staff seeing their own (SCOPE_ENTERPRISE_OF_ROW).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from anjian.core.models import AppendOnly

GB6441_TYPES = (
    # The accident types of GB 6441-1986 (the same list as anjian.accidents.grading).
    ("01", "物体打击"),
    ("02", "车辆伤害"),
    ("03", "机械伤害"),
    ("04", "起重伤害"),
    ("05", "触电"),
    ("06", "淹溺"),
    ("07", "灼烫"),
    ("08", "火灾"),
    ("09", "高处坠落"),
    ("10", "坍塌"),
    ("11", "冒顶片帮"),
    ("12", "透水"),
    ("13", "放炮"),
    ("14", "火药爆炸"),
    ("15", "瓦斯爆炸"),
    ("16", "锅炉爆炸"),
    ("17", "容器爆炸"),
    ("18", "其他爆炸"),
    ("19", "中毒和窒息"),
    ("20", "其他伤害"),
)


def _coordinates() -> tuple[models.DecimalField, models.DecimalField]:
    return (
        models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True),
        models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True),
    )


class Event(AppendOnly):
    """One step in the history of a plan, a drill or an incident: never edited."""

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


# --- plans --------------------------------------------------------------------------------


class PlanKind(models.TextChoices):
    # 第六条: 综合应急预案, 专项应急预案, 现场处置方案; 第十九条 (应急处置卡 for key posts).
    COMPREHENSIVE = "comprehensive", _("comprehensive plan")
    SPECIAL = "special", _("special plan")
    ONSITE = "onsite", _("on-site disposal plan")
    CARD = "card", _("disposal card")


class PlanState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("plan state", "draft")
    ISSUED = "issued", pgettext_lazy("plan state", "signed and issued")
    SUBMITTED = "submitted", pgettext_lazy("plan state", "submitted for filing")
    RETURNED = "returned", pgettext_lazy("plan state", "returned for missing materials")
    FILED = "filed", pgettext_lazy("plan state", "filed")
    SUPERSEDED = "superseded", pgettext_lazy("plan state", "superseded")


class Plan(models.Model):
    SCOPE_ENTERPRISE_PATH = "enterprise"
    # The department a plan is submitted to for filing sees it even when it does not
    # supervise the enterprise (第二十六条: filed with the 应急管理部门 by territory).
    SCOPE_DEPARTMENT_PATH = "filing_department"

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="emergency_plans",
    )
    kind = models.CharField(_("plan type"), max_length=16, choices=PlanKind.choices)
    title = models.CharField(_("title"), max_length=200)
    # The series: the first version's id (set on create); `previous` the revised version.
    series = models.PositiveBigIntegerField(_("plan series"), null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("revises"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    post = models.CharField(_("post (disposal card)"), max_length=100, blank=True)
    summary = models.TextField(_("content"), blank=True)
    accident_types = models.JSONField(_("accident types covered"), default=list, blank=True)
    # [{"level": "I", "condition": "...", "actions": "..."}]
    response_levels = models.JSONField(_("response levels"), default=list, blank=True)
    # [{"role": "总指挥", "name": "...", "phone": "..."}]
    roles = models.JSONField(_("roles and contacts"), default=list, blank=True)
    risk_units = models.ManyToManyField(
        "risks.RiskUnit", verbose_name=_("risk units"), blank=True, related_name="+"
    )
    installations = models.ManyToManyField(
        "risks.MajorHazardInstallation",
        verbose_name=_("major hazard installations"),
        blank=True,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=PlanState.choices, default=PlanState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    # 第二十四条: the principal signs and issues.
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    # 第二十六条: filing within 20 working days of issue.
    filing_due = models.DateField(_("filing due"), null=True, blank=True, db_index=True)
    filing_division = models.ForeignKey(
        "registry.Division",
        verbose_name=_("filed with (division)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filing_department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("filed with (department)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_on = models.DateField(_("submitted for filing on"), null=True, blank=True)
    # The regulator checks the materials within 5 working days, else the plan counts as filed.
    check_due = models.DateField(_("check due"), null=True, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deemed_filed = models.BooleanField(_("counts as filed (no answer in time)"), default=False)
    filing_number = models.CharField(_("filing number"), max_length=64, blank=True)
    returned_reason = models.TextField(_("materials missing"), blank=True)
    # 第三十五条: evaluation every 3 years.
    evaluated_on = models.DateField(_("last evaluated on"), null=True, blank=True)
    evaluation_due = models.DateField(_("evaluation due"), null=True, blank=True)

    class Meta:
        verbose_name = _("emergency plan")
        ordering = ("-pk",)
        indexes = [models.Index(fields=["enterprise", "state"])]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class RevisionReason(models.TextChoices):
    # 第三十六条 (the article number UNCONFIRMED, standards.md A10).
    LAW = "law", _("laws, standards or higher-level plans changed")
    ORGANISATION = "organisation", _("command structure or duties changed")
    RISK = "risk", _("major risks changed")
    RESOURCES = "resources", _("key emergency resources changed")
    DRILL = "drill", _("a drill revealed major problems")
    ACCIDENT = "accident", _("a real response revealed major problems")
    EVALUATION = "evaluation", _("the periodic evaluation asked for it")
    OWN = "own", _("the unit decided to revise")


class RevisionTrigger(models.Model):
    SCOPE_ENTERPRISE_PATH = "plan__enterprise"
    SCOPE_DEPARTMENT_PATH = "plan__filing_department"

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="triggers"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=RevisionReason.choices)
    note = models.TextField(_("note"), blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    drill = models.ForeignKey(
        "emergency.Drill",
        verbose_name=_("drill"),
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
    # The version that answered it.
    resolved_by = models.ForeignKey(
        Plan,
        verbose_name=_("answered by version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answered_triggers",
    )

    class Meta:
        verbose_name = _("revision trigger")
        ordering = ("-pk",)

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.get_reason_display()}"


class PlanEvent(Event):
    SCOPE_ENTERPRISE_PATH = "plan__enterprise"
    SCOPE_DEPARTMENT_PATH = "plan__filing_department"

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta:
        ordering = ("pk",)


# --- drills -------------------------------------------------------------------------------


class DrillKind(models.TextChoices):
    TABLETOP = "tabletop", _("tabletop drill")
    FUNCTIONAL = "functional", _("functional drill")
    FULL_SCALE = "full_scale", _("full-scale drill")


class DrillLevel(models.TextChoices):
    COMPANY = "company", _("company level")
    WORKSHOP = "workshop", _("workshop level")


class DrillState(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("drill state", "planned")
    ORDERED = "ordered", pgettext_lazy("drill state", "ordered (unannounced)")
    RUNNING = "running", pgettext_lazy("drill state", "running")
    DONE = "done", pgettext_lazy("drill state", "done")
    EVALUATED = "evaluated", pgettext_lazy("drill state", "evaluated")
    CANCELLED = "cancelled", pgettext_lazy("drill state", "cancelled")


class Drill(models.Model):
    SCOPE_ENTERPRISE_PATH = "enterprise"

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="emergency_drills",
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan drilled"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drills",
    )
    risk_unit = models.ForeignKey(
        "risks.RiskUnit",
        verbose_name=_("risk unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("drill type"), max_length=16, choices=DrillKind.choices)
    level = models.CharField(
        _("drill level"), max_length=16, choices=DrillLevel.choices, default=DrillLevel.COMPANY
    )
    scenario = models.TextField(_("scenario"))
    planned_for = models.DateTimeField(_("planned for"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=DrillState.choices,
        default=DrillState.PLANNED,
        db_index=True,
    )
    # Unannounced drills (不打招呼): ordered by a regulator; the clock runs from the order.
    unannounced = models.BooleanField(_("unannounced"), default=False)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ordered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ordered_at = models.DateTimeField(_("ordered at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    evaluation = models.TextField(_("evaluation"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("drill")
        ordering = ("-pk",)
        indexes = [models.Index(fields=["enterprise", "state"])]

    def __str__(self) -> str:
        return self.scenario[:40]


class FindingOutcome(models.TextChoices):
    NOTE = "note", _("noted only")
    HAZARD = "hazard", _("entered as a hazard")
    REVISION = "revision", _("triggers a plan revision")


class DrillFinding(models.Model):
    SCOPE_ENTERPRISE_PATH = "drill__enterprise"

    drill = models.ForeignKey(
        Drill, verbose_name=_("drill"), on_delete=models.PROTECT, related_name="findings"
    )
    text = models.TextField(_("finding"))
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=FindingOutcome.choices, default=FindingOutcome.NOTE
    )
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    trigger = models.ForeignKey(
        RevisionTrigger,
        verbose_name=_("revision trigger"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return self.text[:40]


class DrillEvent(Event):
    SCOPE_ENTERPRISE_PATH = "drill__enterprise"

    drill = models.ForeignKey(
        Drill, verbose_name=_("drill"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta:
        ordering = ("pk",)


# --- resources ----------------------------------------------------------------------------


class Placed(models.Model):
    """A resource placed in a division, kept by the government (no enterprise) or by an
    enterprise (its own team, warehouse)."""

    SCOPE_DIVISION_PATH = "division"
    SCOPE_ENTERPRISE_OF_ROW = "enterprise"

    division = models.ForeignKey(
        "registry.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("kept by enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude, longitude = _coordinates()
    active = models.BooleanField(_("in service"), default=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class TeamKind(models.TextChoices):
    PROFESSIONAL = "professional", _("professional rescue team")
    FIRE = "fire", _("fire and rescue brigade")
    ENTERPRISE = "enterprise", _("enterprise team")
    SOCIAL = "social", _("social rescue force")


class Speciality(models.TextChoices):
    FIRE = "fire", _("fire fighting")
    CHEMICAL = "chemical", _("hazardous chemicals")
    MINE = "mine", _("mine rescue")
    COLLAPSE = "collapse", _("collapse and search")
    WATER = "water", _("water rescue")
    MEDICAL = "medical", _("medical aid")
    ELECTRIC = "electric", _("power emergency")
    GAS = "gas", _("gas leaks")


class RescueTeam(Placed):
    kind = models.CharField(_("team type"), max_length=16, choices=TeamKind.choices)
    specialities = models.JSONField(_("specialities"), default=list, blank=True)
    members = models.PositiveIntegerField(_("members"), default=0)
    leader = models.CharField(_("leader"), max_length=64, blank=True)
    duty_phone = models.CharField(_("duty phone"), max_length=32)
    equipment = models.TextField(_("equipment"), blank=True)
    # Minutes from call to departure (出动时间); the ETA adds the travel time.
    readiness_minutes = models.PositiveIntegerField(_("minutes to turn out"), default=5)

    class Meta:
        verbose_name = _("rescue team")
        ordering = ("name", "pk")
        indexes = [models.Index(fields=["active", "latitude", "longitude"])]


class TeamMember(models.Model):
    SCOPE_DIVISION_PATH = "team__division"
    SCOPE_ENTERPRISE_OF_ROW = "team__enterprise"

    team = models.ForeignKey(
        RescueTeam, verbose_name=_("team"), on_delete=models.CASCADE, related_name="roster"
    )
    name = models.CharField(_("name"), max_length=64)
    speciality = models.CharField(_("speciality"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return self.name


class Warehouse(Placed):
    keeper = models.CharField(_("keeper"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("supplies warehouse")
        ordering = ("name", "pk")


class SupplyKind(models.Model):
    """The catalogue of supply kinds (global reference data)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    unit = models.CharField(_("unit"), max_length=16)
    category = models.CharField(_("category"), max_length=32, blank=True)
    # Incident types (GB 6441 codes) the supply serves, for matching.
    accident_types = models.JSONField(_("serves accident types"), default=list, blank=True)

    class Meta:
        verbose_name = _("supply kind")
        ordering = ("code",)

    def __str__(self) -> str:
        return self.name


class SupplyState(models.TextChoices):
    GOOD = "good", _("in good order")
    MAINTENANCE = "maintenance", _("under maintenance")
    SCRAPPED = "scrapped", _("scrapped")


class Supply(models.Model):
    SCOPE_DIVISION_PATH = "warehouse__division"
    SCOPE_ENTERPRISE_OF_ROW = "warehouse__enterprise"

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="supplies"
    )
    kind = models.ForeignKey(
        SupplyKind, verbose_name=_("supply kind"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=0)
    # Below this, a shortage warning (储备定额).
    minimum = models.PositiveIntegerField(_("minimum stock"), default=0)
    expires_on = models.DateField(_("expires on"), null=True, blank=True, db_index=True)
    state = models.CharField(
        _("state"), max_length=16, choices=SupplyState.choices, default=SupplyState.GOOD
    )
    batch = models.CharField(_("batch"), max_length=64, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("supply record")
        ordering = ("warehouse", "kind", "pk")
        indexes = [models.Index(fields=["kind", "state"])]

    def __str__(self) -> str:
        return f"{self.kind_id} × {self.quantity}"


class Expert(Placed):
    specialities = models.JSONField(_("specialities"), default=list, blank=True)
    title = models.CharField(_("professional title"), max_length=64, blank=True)
    employer = models.CharField(_("employer"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=32)

    class Meta:
        verbose_name = _("emergency expert")
        ordering = ("name", "pk")


class Shelter(Placed):
    capacity = models.PositiveIntegerField(_("capacity (persons)"), default=0)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("shelter")
        ordering = ("name", "pk")


# --- response -----------------------------------------------------------------------------


class IncidentSource(models.TextChoices):
    ENTERED = "entered", _("entered")
    ALARM = "alarm", _("monitoring alarm")
    ACCIDENT = "accident", _("accident quick report")
    DRILL = "drill", _("drill")


# Response levels are written with the Roman numerals of Chinese typography (Ⅰ级 … Ⅳ级);
# the stored codes stay ASCII ("I" … "IV", the API's).
RESPONSE_LEVEL_NUMERALS = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ"}


def response_level_label(code: str) -> str:
    if not code:
        return ""
    numeral = RESPONSE_LEVEL_NUMERALS.get(code, code)
    return pgettext("response level", "level %(n)s") % {"n": numeral}


class IncidentState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("incident state", "responding")
    CLOSED = "closed", pgettext_lazy("incident state", "closed")


class Incident(models.Model):
    SCOPE_DIVISION_PATH = "division"
    SCOPE_ENTERPRISE_OF_ROW = "enterprise"

    division = models.ForeignKey(
        "registry.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    place = models.CharField(_("place"), max_length=255, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    accident_type = models.CharField(
        _("incident type (GB 6441)"), max_length=2, choices=GB6441_TYPES
    )
    response_level = models.CharField(_("response level"), max_length=4, blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=IncidentSource.choices, default=IncidentSource.ENTERED
    )
    alarm = models.ForeignKey(
        "monitoring.Alarm",
        verbose_name=_("alarm"),
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
    plans = models.ManyToManyField(
        Plan, verbose_name=_("plans activated"), blank=True, related_name="+"
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=IncidentState.choices,
        default=IncidentState.ACTIVE,
        db_index=True,
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The close-out report.
    outcome = models.TextField(_("outcome"), blank=True)
    casualties = models.TextField(_("casualties"), blank=True)
    lessons = models.TextField(_("lessons"), blank=True)

    class Meta:
        verbose_name = _("incident")
        ordering = ("-pk",)

    def __str__(self) -> str:
        return self.title

    @property
    def response_level_label(self) -> str:
        return response_level_label(self.response_level)


class TargetKind(models.TextChoices):
    TEAM = "team", _("rescue team")
    EXPERT = "expert", _("expert")
    WAREHOUSE = "warehouse", _("supplies warehouse")
    SHELTER = "shelter", _("shelter")
    PERSON = "person", _("person in a plan")


class Answer(models.TextChoices):
    WAITING = "waiting", _("no answer yet")
    ACCEPTED = "accepted", _("on the way")
    ARRIVED = "arrived", _("arrived")
    DECLINED = "declined", _("declined")


class ResponseCall(models.Model):
    SCOPE_DIVISION_PATH = "incident__division"
    SCOPE_ENTERPRISE_OF_ROW = "incident__enterprise"

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="calls"
    )
    target_kind = models.CharField(_("called"), max_length=16, choices=TargetKind.choices)
    target_id = models.PositiveBigIntegerField(_("target id"), null=True, blank=True)
    target_name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account notified"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    distance_km = models.DecimalField(
        _("distance (km)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    eta_minutes = models.PositiveIntegerField(_("estimated arrival (min)"), null=True, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("called by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    called_at = models.DateTimeField(_("called at"), default=timezone.now)
    answer = models.CharField(
        _("answer"), max_length=16, choices=Answer.choices, default=Answer.WAITING
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)

    class Meta:
        ordering = ("called_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "target_kind", "target_id"], name="one_call_per_target"
            )
        ]

    def __str__(self) -> str:
        return self.target_name


class IncidentEvent(Event):
    SCOPE_DIVISION_PATH = "incident__division"
    SCOPE_ENTERPRISE_OF_ROW = "incident__enterprise"

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta:
        ordering = ("at", "pk")


# --- allocation ---------------------------------------------------------------------------


class AllocationRun(models.Model):
    """One computed allocation plan, kept as it was computed (input and result)."""

    SCOPE_DIVISION_PATH = "division"

    division = models.ForeignKey(
        "registry.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    objective = models.CharField(_("objective"), max_length=16, default="distance")
    problem = models.JSONField(_("input"), default=dict)
    result = models.JSONField(_("result"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("computed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("allocation plan")
        ordering = ("-pk",)

    def __str__(self) -> str:
        return self.title

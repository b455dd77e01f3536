"""The registry: divisions, departments, industries, enterprises and who supervises whom."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from tree_queries.models import TreeNode


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township / street")
    GRID = "grid", _("Grid")


LEVEL_ORDER = [
    DivisionLevel.PROVINCE,
    DivisionLevel.CITY,
    DivisionLevel.COUNTY,
    DivisionLevel.TOWNSHIP,
    DivisionLevel.GRID,
]


class Division(TreeNode):
    """A node of the jurisdiction tree. Province, city and county carry their official
    6-digit GB/T 2260 code; townships the 9-digit statistical code (county + 3 digits);
    grids the township code + 3 digits (local numbering)."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=DivisionLevel.choices)
    # The area drawn on the jurisdiction map: a GeoJSON Polygon in longitude/latitude
    # (surveyed boundaries where the bureau has them; generated ones in the demo).
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("division")
        verbose_name_plural = _("divisions")

    def __str__(self) -> str:
        return self.name


class DepartmentKind(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency management")
    PUBLIC_SECURITY = "public_security", _("Public security")
    TRANSPORT = "transport", _("Transport")
    HOUSING = "housing", _("Housing and urban-rural development")
    FIRE = "fire", _("Fire and rescue")
    MARKET = "market", _("Market regulation")
    INDUSTRY_IT = "industry_it", _("Industry and information technology")
    NATURAL_RESOURCES = "natural_resources", _("Natural resources")
    AGRICULTURE = "agriculture", _("Agriculture and rural affairs")
    CULTURE_TOURISM = "culture_tourism", _("Culture and tourism")
    COMMERCE = "commerce", _("Commerce")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    WATER = "water", _("Water resources")
    ENERGY = "energy", _("Energy / development and reform")
    SAFETY_COMMITTEE = "safety_committee", _("Safety committee office")


class Department(models.Model):
    """A regulator department of one jurisdiction (usually a county or city). What it
    supervises follows from the duty rule table by its kind."""

    division = models.ForeignKey(
        Division,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="departments",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=DepartmentKind.choices)
    name = models.CharField(_("name"), max_length=64)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        ordering = ["division__code", "kind"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["division", "kind"], name="one_department_per_kind")
        ]

    def __str__(self) -> str:
        return self.name


class IndustryCategory(models.TextChoices):
    GBT4754 = "gbt4754", _("GB/T 4754 section")
    HIGH_RISK = "high_risk", _("High-risk sector")
    NEW_BUSINESS = "new_business", _("New business type")


class Industry(models.Model):
    """An industry: a GB/T 4754-2017 section, a high-risk sector the regulators name, or a
    new business type. Sectors may have sub-sectors (工贸 → 冶金, 有色 …)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    category = models.CharField(_("category"), max_length=16, choices=IndustryCategory.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self) -> str:
        return self.name


class DutyRole(models.TextChoices):
    LEAD = "lead", _("Lead department")
    COOPERATING = "cooperating", _("Cooperating department")


class DutyRule(models.Model):
    """Which kind of department leads (or cooperates on) an industry. A rule without a
    division is the default everywhere; one with a division applies in that subtree and
    wins over the default (this is how a 安委办 decision on a new business type lands)."""

    industry = models.ForeignKey(
        Industry, verbose_name=_("industry"), on_delete=models.CASCADE, related_name="duty_rules"
    )
    department_kind = models.CharField(
        _("department kind"), max_length=32, choices=DepartmentKind.choices
    )
    role = models.CharField(_("role"), max_length=16, choices=DutyRole.choices)
    division = models.ForeignKey(
        Division,
        verbose_name=_("applies in"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="duty_rules",
    )
    basis = models.CharField(_("basis"), max_length=255, blank=True)

    class Meta:
        ordering = ["industry__sort", "role", "department_kind"]
        verbose_name = _("duty rule")
        verbose_name_plural = _("duty rules")
        constraints = [
            models.UniqueConstraint(
                fields=["industry", "department_kind", "division"], name="unique_duty_rule"
            ),
            models.UniqueConstraint(
                fields=["industry", "department_kind"],
                condition=Q(division__isnull=True),
                name="unique_default_duty_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.industry} → {self.get_department_kind_display()} ({self.get_role_display()})"


class EnterpriseScale(models.TextChoices):
    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    CONSTRUCTION = "construction", _("Under construction")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class Enterprise(models.Model):
    name = models.CharField(_("name"), max_length=128, db_index=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    division = models.ForeignKey(
        Division, verbose_name=_("division"), on_delete=models.PROTECT, related_name="enterprises"
    )
    address = models.CharField(_("address"), max_length=255)
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    industry = models.ForeignKey(
        Industry, verbose_name=_("industry"), on_delete=models.PROTECT, related_name="enterprises"
    )
    scale = models.CharField(_("scale"), max_length=16, choices=EnterpriseScale.choices)
    employees = models.PositiveIntegerField(_("employees"), default=0)
    legal_representative = models.CharField(_("legal representative"), max_length=64)
    principal = models.CharField(_("principal"), max_length=64)
    principal_phone = models.CharField(_("principal phone"), max_length=32, blank=True)
    safety_officer = models.CharField(_("safety officer"), max_length=64, blank=True)
    safety_officer_phone = models.CharField(_("safety officer phone"), max_length=32, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EnterpriseStatus.choices,
        default=EnterpriseStatus.OPERATING,
    )
    # 两重点一重大: key-supervised chemical processes, key-supervised hazardous chemicals,
    # major hazard installations.
    has_major_hazard = models.BooleanField(_("major hazard installation"), default=False)
    has_key_process = models.BooleanField(_("key supervised chemical process"), default=False)
    has_key_chemical = models.BooleanField(_("key supervised hazardous chemical"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [
            models.Index(fields=["division", "id"]),
            models.Index(fields=["industry", "id"]),
            models.Index(fields=["status"]),
            # The enterprises flagged with a major hazard installation (a few per cent):
            # those that owe the daily commitment notice (anjian.commitments.owing).
            models.Index(
                fields=["id"], name="enterprise_major_flag", condition=Q(has_major_hazard=True)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_two_key_one_major(self) -> bool:
        return self.has_major_hazard or self.has_key_process or self.has_key_chemical


class LicenceKind(models.TextChoices):
    SAFETY_PRODUCTION = "safety_production", _("Work safety licence")
    HAZCHEM_OPERATION = "hazchem_operation", _("Hazardous chemicals operation licence")
    HAZCHEM_USE = "hazchem_use", _("Hazardous chemicals use licence")
    FIREWORKS = "fireworks", _("Fireworks operation licence")
    MINING = "mining", _("Mining licence")
    GAS = "gas", _("Gas operation licence")
    SPECIAL_EQUIPMENT = "special_equipment", _("Special equipment use registration")
    ROAD_TRANSPORT = "road_transport", _("Road transport operation licence")
    OTHER = "other", _("Other")


class Licence(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="licences"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=LicenceKind.choices)
    number = models.CharField(_("number"), max_length=64)
    issuer = models.CharField(_("issuer"), max_length=64, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), db_index=True)

    class Meta:
        ordering = ["expires_on"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def days_left(self, today: dt.date | None = None) -> int:
        today = today or timezone.localdate()
        return (self.expires_on - today).days


class DutySource(models.TextChoices):
    RULE = "rule", _("Rule table")
    OVERRIDE = "override", _("Manual override")
    DECISION = "decision", _("Safety committee decision")


class DutyAssignment(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="duties"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="duties"
    )
    role = models.CharField(_("role"), max_length=16, choices=DutyRole.choices)
    source = models.CharField(_("source"), max_length=16, choices=DutySource.choices)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    class Meta:
        ordering = ["-role", "department__kind"]  # "lead" sorts before "cooperating"
        verbose_name = _("duty assignment")
        verbose_name_plural = _("duty assignments")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "department"], name="one_duty_per_pair"),
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(role="lead"), name="one_lead_department"
            ),
        ]
        indexes = [models.Index(fields=["department", "role", "enterprise"])]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.department} ({self.get_role_display()})"


class DisputeKind(models.TextChoices):
    CONTEST = "contest", _("Contests the assignment (another department should lead)")
    REFUSE = "refuse", _("Refuses the duty")
    CLAIM_GAP = "claim_gap", _("Reports a supervision gap")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Awaiting decision")
    DECIDED = "decided", _("Decided")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DutyDispute(models.Model):
    """A department contests or refuses a duty over one enterprise, or over a whole
    business type in a jurisdiction; the 安委办 decides and the decision is kept."""

    jurisdiction = models.ForeignKey(
        Division, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="disputes"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes",
    )
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("business type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DisputeKind.choices)
    raised_by_department = models.ForeignKey(
        Department,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        related_name="disputes_raised",
        null=True,
        blank=True,
    )
    proposed_department = models.ForeignKey(
        Department,
        verbose_name=_("proposed lead"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes_proposed",
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("raised by (person)"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    decided_lead = models.ForeignKey(
        Department,
        verbose_name=_("decided lead department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes_won",
    )
    decision = models.TextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(_("decision date"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("duty dispute")
        verbose_name_plural = _("duty disputes")
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False) | Q(industry__isnull=False),
                name="dispute_names_enterprise_or_industry",
            )
        ]

    def __str__(self) -> str:
        subject = self.enterprise or self.industry
        return f"{subject} · {self.get_status_display()}"


# --- the enterprise rollup (anjian.registry.tally) ---------------------------------------------
# Counters, not facts: kept by the registry services in their transaction and rebuilt by
# `anjian manage enterprise_tally --repair`. Key columns are never NULL (0, "" or "," for
# "none"), because a NULL never conflicts in the upsert that adds to a counter.


# The columns of a group: EnterpriseTally's unique key and EnterpriseTallyKey's row
# (anjian.registry.tally reads and writes them in this order).
TALLY_KEY_FIELDS = (
    "division",
    "industry",
    "lead",
    "duties",
    "status",
    "major_hazard",
    "key_process",
    "key_chemical",
    "code_colour",
)


class EnterpriseTally(models.Model):
    """How many enterprises share one group: grid, industry, lead department (0: none, a
    supervision gap), the set of departments with a duty (",3,7,12,": a department's scope
    is a LIKE away), status, the three key-supervision flags and the safety code's colour.
    The home page's key figures and safety-code tile and the enterprise lists' totals sum
    these rows over the user's scope and filters (a few thousand rows) instead of counting
    the enterprise table."""

    division = models.IntegerField()
    industry = models.IntegerField()
    lead = models.IntegerField(default=0)
    duties = models.CharField(max_length=400, default=",")
    status = models.CharField(max_length=16)
    major_hazard = models.BooleanField(default=False)
    key_process = models.BooleanField(default=False)
    key_chemical = models.BooleanField(default=False)
    # The current safety code's colour ("" before the first code): the risk services move
    # an enterprise's count when its colour changes (risks.services, risks.code_batch).
    code_colour = models.CharField(max_length=8, default="", blank=True)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=list(TALLY_KEY_FIELDS),
                name="enterprise_tally_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.division}/{self.lead}/{self.duties}/{self.status}: {self.n}"


class EnterpriseTallyKey(models.Model):
    """The group each enterprise is counted under now, so that a change moves its count
    from exactly where it was (no FK: the rollup must not hold up the registry)."""

    enterprise_id = models.BigIntegerField(primary_key=True)
    division = models.IntegerField()
    industry = models.IntegerField()
    lead = models.IntegerField(default=0)
    duties = models.CharField(max_length=400, default=",")
    status = models.CharField(max_length=16)
    major_hazard = models.BooleanField(default=False)
    key_process = models.BooleanField(default=False)
    key_chemical = models.BooleanField(default=False)
    code_colour = models.CharField(max_length=8, default="", blank=True)

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.division}/{self.lead}/{self.status}"

"""Users, their roles and where they sit; API tokens for machine clients."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # 三员分立: the three administrator roles are separate accounts with disjoint powers.
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")
    COORDINATOR = "coordinator", _("Safety committee office coordinator")
    DEPARTMENT_OFFICER = "department_officer", _("Department officer")
    GRID_OFFICER = "grid_officer", _("Grid officer")
    EXPERT = "expert", _("Expert")
    ENTERPRISE_PRINCIPAL = "enterprise_principal", _("Enterprise principal")
    ENTERPRISE_SAFETY_OFFICER = "enterprise_safety_officer", _("Enterprise safety officer")
    ENTERPRISE_EMPLOYEE = "enterprise_employee", _("Enterprise employee")


REGULATOR_ROLES = frozenset(
    {Role.COORDINATOR, Role.DEPARTMENT_OFFICER, Role.GRID_OFFICER, Role.EXPERT}
)
ENTERPRISE_ROLES = frozenset(
    {Role.ENTERPRISE_PRINCIPAL, Role.ENTERPRISE_SAFETY_OFFICER, Role.ENTERPRISE_EMPLOYEE}
)
ADMIN_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


class User(AbstractUser):
    """A person (or a machine client's service account) with exactly one role.

    Where the user sits decides what they see (see anjian.core.scoping): regulators by
    division (and department), enterprise staff by enterprise.
    """

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    display_name = models.CharField(_("name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    division = models.ForeignKey(
        "registry.Division",
        verbose_name=_("division"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_regulator(self) -> bool:
        return self.role in REGULATOR_ROLES

    @property
    def is_enterprise_user(self) -> bool:
        return self.role in ENTERPRISE_ROLES


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def default_token_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=settings.ANJIAN_API_TOKEN_DAYS)


class ApiToken(models.Model):
    """A bearer token for a machine client. Only the hash is stored; the raw value is
    shown once when the token is issued."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=64)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)
    # Every token ends: a forgotten one stops working on its own (ANJIAN_API_TOKEN_DAYS).
    expires_at = models.DateTimeField(_("expires at"), default=default_token_expiry)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_raw_key() -> str:
        return "aj_" + secrets.token_urlsafe(32)

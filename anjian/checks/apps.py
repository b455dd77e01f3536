from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecksConfig(AppConfig):
    name = "anjian.checks"
    label = "checks"
    verbose_name = _("Self-checks")

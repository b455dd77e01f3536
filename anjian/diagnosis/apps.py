from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosisConfig(AppConfig):
    name = "anjian.diagnosis"
    label = "diagnosis"
    verbose_name = _("Enterprise diagnosis")

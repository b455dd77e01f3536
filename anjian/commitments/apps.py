from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "anjian.commitments"
    label = "commitments"
    verbose_name = _("Daily risk judgement and commitment notices")

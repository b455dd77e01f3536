from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccidentsConfig(AppConfig):
    name = "anjian.accidents"
    label = "accidents"
    verbose_name = _("Accidents")

    def ready(self) -> None:
        from anjian.core import hooks

        from .tally_services import accident_tally_regroup

        # The accident rollup groups accidents by their enterprise's lead department.
        hooks.on_enterprises_regrouped(accident_tally_regroup)

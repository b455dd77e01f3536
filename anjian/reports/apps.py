from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "anjian.reports"
    label = "reports"
    verbose_name = _("Periodic reports")

    def ready(self) -> None:
        from anjian.core import hooks

        from .tally_services import hazard_tally_regroup

        # The hazard rollup groups enterprises by grid, industry and duties.
        hooks.on_enterprises_regrouped(hazard_tally_regroup)

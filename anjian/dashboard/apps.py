from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "anjian.dashboard"
    label = "dashboard"
    verbose_name = _("Overview")

    def ready(self) -> None:
        # Each installed app's `home_tiles` module registers its tiles (anjian.core.tiles).
        autodiscover_modules("home_tiles")

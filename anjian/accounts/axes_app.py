"""django-axes' app under a Chinese name. Its own module: a second AppConfig in
anjian/accounts/apps.py would stop Django from picking AccountsConfig automatically."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    """django-axes under a Chinese name in the admin (it ships no zh-hans catalog; its
    model and field names are translated in anjian.accounts.axes_labels)."""

    verbose_name = _("Sign-in protection")

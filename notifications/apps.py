"""The notifications app: in-app notices and staff email."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Notifications to staff."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("通知")

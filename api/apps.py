"""The API's app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API for other systems."""

    name = "api"
    label = "api"
    verbose_name = _("外部システム連携API")

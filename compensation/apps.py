"""The compensation app: the rules engine, policy parameters and supervisors' decisions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompensationConfig(AppConfig):
    """Compensation assessment and decisions."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "compensation"
    verbose_name = _("補償")

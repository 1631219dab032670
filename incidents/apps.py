"""The incidents app: branches, staff, cases and the teller's intake."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    """Case desk core."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "incidents"
    verbose_name = _("事故受付")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from incidents.access.receivers import staff_saved
        from incidents.access.roles import roles_sync_after_migrate
        from incidents.deadlines import receivers  # noqa: F401 - connects the deadlines to the case's signals
        from incidents.models import User

        # After every migrate (and the test suite's flushes), the role groups match ROLE_PERMISSIONS.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="incidents.roles_sync")
        # A member of staff saved: their role's group, and their branches' pick lists.
        post_save.connect(staff_saved, sender=User, dispatch_uid="incidents.staff_saved")

"""The Django admin, signed in through the staff login."""

from django.contrib.admin.apps import AdminConfig


class MamoriAdminConfig(AdminConfig):
    """The admin with Mamori's site: no login form of its own."""

    default_site = "config.admin.MamoriAdminSite"

# ruff: noqa: S608 — the SQL names tables from model metadata; it takes no input.
"""Authentication backend: Django's, with the member of staff's branch, permissions and unread
notices read in the same query as the user (every page needs them)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.postgres.fields import ArrayField
from django.db.models import CharField, IntegerField
from django.db.models.expressions import RawSQL

from incidents.models import User
from notifications.models import Notification


def _permissions_sql() -> str:
    groups = User.groups.through._meta.db_table
    own = User.user_permissions.through._meta.db_table
    return (
        "ARRAY(SELECT ct.app_label || '.' || p.codename FROM auth_permission p"
        " JOIN django_content_type ct ON ct.id = p.content_type_id"
        f" WHERE p.id IN (SELECT o.permission_id FROM {own} o WHERE o.user_id = incidents_user.id"
        " UNION SELECT gp.permission_id FROM auth_group_permissions gp"
        f" JOIN {groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = incidents_user.id))"
    )


def _unread_notices_sql() -> str:
    table = Notification._meta.db_table
    return (
        f"SELECT count(*) FROM {table} n"
        " WHERE n.recipient_id = incidents_user.id AND n.read_at IS NULL"
    )


class StaffBackend(ModelBackend):
    """ModelBackend that loads the user with their branch, all their permissions and the bell's
    unread count at once: every page needs them."""

    def get_user(self, user_id):
        try:
            user = (
                User._default_manager.select_related("branch")
                .annotate(
                    loaded_permissions=RawSQL(  # noqa: S611 — fixed SQL, no parameters
                        _permissions_sql(), [], output_field=ArrayField(CharField())
                    ),
                    unread_notification_count=RawSQL(  # noqa: S611 — fixed SQL, no parameters
                        _unread_notices_sql(), [], output_field=IntegerField()
                    ),
                )
                .get(pk=user_id)
            )
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        """The user's own and their groups' permissions (read with the user when signed in)."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            loaded = getattr(user_obj, "loaded_permissions", None)
            if loaded is not None and not user_obj.is_superuser:
                user_obj._perm_cache = set(loaded)
            else:
                user_obj._perm_cache = super().get_all_permissions(user_obj, obj)
        return user_obj._perm_cache

# ruff: noqa: S608 — the SQL names tables from model metadata; it takes no input.
"""Authentication backend: Django's, with the member of staff's branch and permissions read in the
same query as the user (every page needs both)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.postgres.fields import ArrayField
from django.db.models import CharField
from django.db.models.expressions import RawSQL

from .models import User


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


class StaffBackend(ModelBackend):
    """ModelBackend that loads the user with their branch and all their permissions at once."""

    def get_user(self, user_id):
        try:
            user = (
                User._default_manager.select_related("branch")
                .annotate(
                    loaded_permissions=RawSQL(  # noqa: S611 — fixed SQL, no parameters
                        _permissions_sql(), [], output_field=ArrayField(CharField())
                    )
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

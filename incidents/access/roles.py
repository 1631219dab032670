"""The role groups kept in line with the role table (after migrate, on save)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from incidents.models.choices import Role
from incidents.models.roles import ROLE_PERMISSIONS, role_group_name


def _permissions(names) -> list[Permission]:
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = Permission.objects.filter(
        content_type__app_label__in={app for app, _code in wanted},
        codename__in={code for _app, code in wanted},
    ).select_related("content_type")
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]


def roles_sync_after_migrate(sender, **kwargs) -> None:
    """post_migrate: once every app's permissions exist (after the last app's migrations)."""
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if with_models and sender is with_models[-1]:
        roles_sync()


@transaction.atomic
def roles_sync(**_kwargs) -> None:
    """Create the role groups and give each exactly its role's permissions (post_migrate)."""
    for role in Role.values:
        group, _created = Group.objects.get_or_create(name=role_group_name(role))
        group.permissions.set(_permissions(ROLE_PERMISSIONS.get(role, ())))


def role_group_assign(*, user) -> None:
    """Put the member of staff in their role's group and in no other role's group."""
    name = role_group_name(user.role)
    group = Group.objects.filter(name=name).first()
    if group is None:
        # After a test flush the groups are gone until post_migrate recreates them.
        roles_sync()
        group = Group.objects.get(name=name)
    others = user.groups.filter(name__startswith="role:").exclude(pk=group.pk)
    if others.exists():
        user.groups.remove(*others)
    user.groups.add(group)

"""Roles as Django groups: each role's permissions, and keeping staff in their role's group.

A member of staff is in exactly one role group (``User.save`` keeps it so). What a role may do is
its group's permissions; which cases it may do it to is decided by ``querysets.case_condition``.
Other apps grant their own permissions to a role by adding them here; ``roles_sync`` runs after
every ``migrate``.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from incidents.choices import Role

CASE_READ = ("incidents.view_case",)
BRANCH_STAFF = (
    *CASE_READ,
    "incidents.add_case",
    "incidents.change_case",
    "incidents.take_report",
    "incidents.pickup_case",
    "incidents.perform_stop",
)

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.TELLER: BRANCH_STAFF,
    Role.SUPERVISOR: (
        *BRANCH_STAFF,
        "incidents.view_queue",
        "incidents.assign_case",
        "incidents.view_case_links",
        "compensation.view_statistics",
        "compensation.view_dashboard",
    ),
    Role.MONITORING: (
        *CASE_READ,
        "incidents.change_case",
        "incidents.take_after_hours_call",
        "incidents.perform_stop",
    ),
    Role.COMPLIANCE: (
        *CASE_READ,
        "incidents.view_queue",
        "incidents.view_access_log",
        "incidents.view_case_links",
        "compensation.view_statistics",
        "compensation.view_dashboard",
    ),
    # Administrators work in /admin/ on branches, staff and parameters, never on customers' cases.
    Role.ADMIN: (),
}


def role_only_permissions() -> frozenset[str]:
    """Permissions that only a role grants (a superuser does not get them by being one)."""
    return frozenset(name for names in ROLE_PERMISSIONS.values() for name in names)


def role_group_name(role: str) -> str:
    """The group of a role is named by the role's code (stable across languages)."""
    return f"role:{role}"


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

"""Roles become Django groups with permissions; every member of staff joins their role's group.

The mapping is copied here as it stood (a migration must not change with the code); later changes
to incidents.roles.ROLE_PERMISSIONS are applied by its post_migrate handler."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

BRANCH_STAFF = [
    "view_case",
    "add_case",
    "change_case",
    "take_report",
    "pickup_case",
    "perform_stop",
]
ROLES = {
    "teller": BRANCH_STAFF,
    "supervisor": [*BRANCH_STAFF, "view_queue", "assign_case"],
    "monitoring": ["view_case", "change_case", "take_after_hours_call", "perform_stop"],
    "compliance": ["view_case", "view_queue", "view_access_log"],
    "admin": [],
}


def forward(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    app_config = apps.get_app_config("incidents")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    User = apps.get_model("incidents", "User")
    for role, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=f"role:{role}")
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="incidents", codename__in=codenames)
        )
        for user in User.objects.filter(role=role):
            user.groups.add(group)


def backward(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__startswith="role:").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0007_append_only_history_and_access_log"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]

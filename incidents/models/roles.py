"""What each role may do: the permissions its group holds."""

from __future__ import annotations

from incidents.models.choices import Role

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

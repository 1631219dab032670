"""Administration of branches and staff (cases are worked in the case desk, not the admin)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .deadlines import deadline_policy_reschedule
from .models import BankClosure, Branch, DeadlinePolicy, User
from .roles import role_group_assign


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    """Branches."""

    list_display = ("code", "name", "phone", "is_active")
    search_fields = ("code", "name")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Staff with their role and home branch."""

    list_display = ("username", "last_name", "first_name", "role", "branch", "is_active")
    list_filter = ("role", "branch", "is_active")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("役割と所属"), {"fields": ("role", "branch", "language")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("役割と所属"), {"fields": ("role", "branch")}),
    )

    def save_related(self, request, form, formsets, change) -> None:
        """The groups field is saved after the user: keep the role's group whatever was ticked."""
        super().save_related(request, form, formsets, change)
        role_group_assign(user=form.instance)


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    """Deadline durations and reminder/escalation times (DOMAIN §5), one row per kind."""

    list_display = (
        "kind",
        "is_active",
        "counting",
        "days",
        "due_time",
        "remind_before",
        "escalate_after",
        "re_escalate_after",
    )
    readonly_fields = ("kind", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False  # one row per kind, seeded by migration

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # switch a kind off with 期限を管理する instead

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # Deadlines already owed follow the new reminder and escalation times.
        deadline_policy_reschedule(policy=obj)


@admin.register(BankClosure)
class BankClosureAdmin(admin.ModelAdmin):
    """Days the bank is closed beyond weekends, public holidays and 12/31–1/3."""

    list_display = ("date", "reason")
    date_hierarchy = "date"

"""Administration of branches and staff (cases are worked in the case desk, not the admin)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Branch, User


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

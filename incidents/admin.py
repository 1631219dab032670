"""Administration of branches and staff (cases are worked in the case desk, not the admin), and
the log of refused access and the outbox of requests to the core, read-only."""

import uuid
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, ManyToManyField, OuterRef
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import otp_devices_reset
from incidents.access.roles import role_group_assign
from incidents.cases.validators import BOUNDED_DATE_FORMFIELDS
from incidents.deadlines import deadline_policy_reschedule
from incidents.models import (
    AccessRefusal,
    BankClosure,
    Branch,
    CoreRequest,
    DeadlinePolicy,
    ProtectionPolicy,
    User,
)
from incidents.models.choices import CoreOwner

# The permissions Django makes for every model: their stored names were written in the language
# of the migration (Japanese), so the admin says them again in the reader's.
DEFAULT_PERMISSION_NAMES = {
    "add": _("%(model)sを追加できる"),
    "change": _("%(model)sを変更できる"),
    "delete": _("%(model)sを削除できる"),
    "view": _("%(model)sを閲覧できる"),
}


def permission_label(permission: Permission) -> str:
    """A permission as the admin's pickers show it, in the reader's language."""
    model = permission.content_type.model_class()
    action, _sep, model_name = permission.codename.partition("_")
    default = DEFAULT_PERMISSION_NAMES.get(action)
    if default is not None and model is not None and model_name == model._meta.model_name:
        name = str(default) % {"model": model._meta.verbose_name}
    else:
        # A permission of our own: its stored name is the Japanese it was declared with.
        name = gettext(permission.name)
    return f"{permission.content_type} | {name}"


def readable_permissions(
    field: ModelMultipleChoiceField | None, db_field: ManyToManyField
) -> ModelMultipleChoiceField | None:
    """A permission picker that names each permission in the reader's language."""
    if field is not None and db_field.name in ("permissions", "user_permissions"):
        field.label_from_instance = permission_label  # type: ignore[method-assign,assignment]
    return field


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """Groups (one per role, kept by incidents.access.roles), their permissions readable."""

    def formfield_for_manytomany(
        self, db_field: ManyToManyField, request: HttpRequest | None = None, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        return readable_permissions(
            super().formfield_for_manytomany(db_field, request, **kwargs), db_field
        )


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    """Branches."""

    list_display = ("code", "name", "phone", "is_active")
    search_fields = ("code", "name")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Staff with their role and home branch."""

    list_display = (
        "username",
        "last_name",
        "first_name",
        "role",
        "branch",
        "is_active",
        "otp_enrolled",
    )
    list_filter = ("role", "branch", "is_active")
    actions = ["reset_one_time_password"]

    def get_queryset(self, request):
        enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_otp=Exists(enrolled))

    @admin.display(boolean=True, description=_("ワンタイムパスワード登録済"), ordering="has_otp")
    def otp_enrolled(self, obj) -> bool:
        return bool(getattr(obj, "has_otp", False))

    @admin.action(description=_("ワンタイムパスワードを再設定する（次回ログイン時に登録し直し）"))
    def reset_one_time_password(self, request, queryset) -> None:
        """A lost or replaced phone: remove the member of staff's authenticator and recovery
        codes; at the next sign-in they enrol again."""
        users = list(queryset)
        for user in users:
            otp_devices_reset(user=user, actor=request.user, request=request)
        self.message_user(
            request,
            ngettext(
                "%(count)d人のワンタイムパスワードを再設定しました。",
                "%(count)d人のワンタイムパスワードを再設定しました。",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )

    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("役割と所属"), {"fields": ("role", "branch", "language")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("役割と所属"), {"fields": ("role", "branch")}),
    )

    def formfield_for_manytomany(
        self, db_field: ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        return readable_permissions(
            super().formfield_for_manytomany(db_field, request, **kwargs), db_field
        )

    def save_related(self, request, form, formsets, change) -> None:
        """The groups field is saved after the user: keep the role's group whatever was ticked."""
        super().save_related(request, form, formsets, change)
        role_group_assign(user=form.instance)


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    """Deadline durations and reminder/escalation times (docs/domain.md §5.2), one row per kind."""

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
    formfield_overrides = BOUNDED_DATE_FORMFIELDS


@admin.register(ProtectionPolicy)
class ProtectionPolicyAdmin(admin.ModelAdmin):
    """The protection of elderly customers by date: the age and the lowered limits (§10)."""

    list_display = ("valid_from", "elderly_age", "atm_limit_yen", "transfer_limit_yen", "note")
    formfield_overrides = BOUNDED_DATE_FORMFIELDS


@admin.register(AccessRefusal)
class AccessRefusalAdmin(admin.ModelAdmin):
    """Refused access (compliance searches it on 閲覧記録); nobody adds, edits or deletes it."""

    list_display = ("at", "user", "status", "method", "path", "view", "case_ref", "ip_address")
    list_filter = ("status", "method")
    search_fields = ("user__username", "user__last_name", "path", "ip_address")
    date_hierarchy = "at"
    list_select_related = ("user",)
    fields = ("at", "user", "status", "method", "path", "view", "case_ref", "ip_address")
    readonly_fields = fields

    @admin.display(description=_("事故ID"), ordering="case_id")
    def case_ref(self, obj) -> str:
        # The id the URL named, which may name no case: shown, never looked up.
        return str(obj.case_id) if obj.case_id else "—"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CoreRequest)
class CoreRequestAdmin(admin.ModelAdmin):
    """The outbox of requests to the core, to follow one by its key; read-only (the sweep and
    the core's answers change it, never a person)."""

    list_display = (
        "key",
        "state",
        "owner_ref",
        "attempts",
        "next_attempt_at",
        "confirm_by",
        "escalated_at",
        "last_error",
        "created_at",
    )
    list_filter = ("state",)
    search_fields = ("key",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")
    fields = (
        "key",
        "state",
        "owner_ref",
        "attempts",
        "next_attempt_at",
        "confirm_by",
        "escalated_at",
        "reference",
        "last_error",
        "requested_by",
        "created_at",
        "answered_at",
    )
    readonly_fields = fields

    @admin.display(description=_("依頼元"))
    def owner_ref(self, obj: CoreRequest) -> str:
        # Ids only: the admin shows no customer or account data of the owner.
        if obj.action_id is not None:
            return f"{CoreOwner.ACTION.label} #{obj.action_id}"
        if obj.freeze_request_id is not None:
            return f"{CoreOwner.FREEZE_REQUEST.label} #{obj.freeze_request_id}"
        return f"{CoreOwner.FREEZE_CASE.label} #{obj.freeze_case_id}"

    def get_search_results(self, request, queryset, search_term):
        # The key is a UUID: a search for anything else finds nothing (never a database error).
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            return queryset.filter(key=uuid.UUID(term)), False
        except ValueError:
            return queryset.none(), False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

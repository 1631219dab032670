"""Administration of notices: see what was sent to whom, and resend emails that failed."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Notices with the state of their email copy (read-only: they are a record)."""

    list_display = (
        "created_at",
        "recipient",
        "kind",
        "title",
        "read_at",
        "email_state",
        "email_attempts",
    )
    list_filter = ("kind", "email_state")
    search_fields = ("title", "recipient__username", "recipient__last_name")
    date_hierarchy = "created_at"
    actions = ["resend_email"]
    list_select_related = ("recipient",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("送信失敗のメールを再送する"))
    def resend_email(self, request, queryset) -> None:
        count = services.notification_email_retry(
            notification_ids=queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request, _("%(count)d件のメールを再送します。") % {"count": count}, messages.SUCCESS
        )

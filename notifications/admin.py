"""Administration of notices: see what was sent to whom, resend emails that failed, and settle
emails whose delivery is unconfirmed."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from notifications import services
from notifications.choices import EmailState
from notifications.models import Notification

UNCONFIRMED_EXPLANATION = _(
    "「送信未確認」のメールは、メールサーバーへ引き渡している途中で送信処理が止まったものです。"
    "宛先に届いている可能性があるため、自動では再送しません。宛先の職員に受信を確認し、"
    "届いていなければ「送信未確認のメールを再送する」、届いていれば「送信未確認のメールを送信済にする」"
    "を選んでください。再送するメールは前回と同じMessage-IDで送られます。"
)


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
    actions = ["resend_email", "resend_unconfirmed_email", "mark_email_delivered"]
    list_select_related = ("recipient",)
    readonly_fields = ("email_state_explanation",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        unconfirmed = Notification.objects.filter(email_state=EmailState.UNCONFIRMED).count()
        if unconfirmed and request.method == "GET":
            self.message_user(
                request,
                _("送信未確認のメール：%(count)d件。") % {"count": unconfirmed}
                + " "
                + str(UNCONFIRMED_EXPLANATION),
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("メールの状態の説明"))
    def email_state_explanation(self, obj) -> str:
        if obj.email_state == EmailState.UNCONFIRMED:
            return str(UNCONFIRMED_EXPLANATION)
        return ""

    @admin.action(description=_("送信失敗のメールを再送する"))
    def resend_email(self, request, queryset) -> None:
        count = services.notification_email_retry(
            notification_ids=queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request, _("%(count)d件のメールを再送します。") % {"count": count}, messages.SUCCESS
        )

    @admin.action(description=_("送信未確認のメールを再送する"))
    def resend_unconfirmed_email(self, request, queryset) -> None:
        count = services.notification_email_resend_unconfirmed(
            notification_ids=queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request, _("%(count)d件のメールを再送します。") % {"count": count}, messages.SUCCESS
        )

    @admin.action(description=_("送信未確認のメールを送信済にする"))
    def mark_email_delivered(self, request, queryset) -> None:
        count = services.notification_email_confirm_delivered(
            notification_ids=queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request,
            _("%(count)d件のメールを送信済にしました。") % {"count": count},
            messages.SUCCESS,
        )

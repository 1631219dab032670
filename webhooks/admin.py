"""Administration of the webhooks: the endpoints, and the delivery log with redelivery."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from webhooks import delivery
from webhooks.choices import EventType
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent


class WebhookEndpointForm(forms.ModelForm):
    """The endpoint with its events as checkboxes, and only http(s) addresses."""

    event_types = forms.MultipleChoiceField(
        label=_("送信するイベント"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    url = forms.URLField(
        label=_("送信先URL"),
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "secret", "event_types", "active")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Receivers of other systems and what each subscribes to."""

    form = WebhookEndpointForm
    list_display = ("name", "url", "active", "created_at")
    list_filter = ("active",)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deliveries refer to their endpoint (the log is a record): deactivate instead.
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log (read-only), with redelivery."""

    list_display = (
        "created_at",
        "endpoint",
        "event_type",
        "event_id",
        "case_id",
        "sequence",
        "state",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("state", "endpoint")
    list_select_related = ("endpoint", "event")
    search_fields = ("event__event_id",)
    actions = ["redeliver"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("種類"))
    def event_type(self, obj: WebhookDelivery) -> str:
        return obj.event.get_type_display()

    @admin.display(description=_("イベントID"))
    def event_id(self, obj: WebhookDelivery) -> str:
        return str(obj.event.event_id)

    @admin.action(description=_("選択したWebhookを再送する"))
    def redeliver(self, request, queryset) -> None:
        count = delivery.deliveries_redeliver(
            delivery_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(
            request, _("%(count)d件のWebhookを再送します。") % {"count": count}, messages.SUCCESS
        )


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    """The events written (read-only): what each delivery posts."""

    list_display = ("created_at", "type", "event_id", "case_id", "sequence")
    list_filter = ("type",)
    search_fields = ("event_id",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

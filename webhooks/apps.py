"""The webhooks app: listens to the case timeline, never imported by the case desk."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Signed webhooks to other systems, from an outbox."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = _("Webhook送信")

    def ready(self) -> None:
        from incidents.cases.signals import timeline_written
        from webhooks.outbox import timeline_lines_written

        # incidents never imports webhooks: the timeline's writers send a signal heard here.
        timeline_written.connect(timeline_lines_written, dispatch_uid="webhooks.outbox")

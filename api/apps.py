"""The API's app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API for other systems."""

    name = "api"
    label = "api"
    verbose_name = _("外部システム連携API")

    def ready(self) -> None:
        from api.services import CALL_VIEW_PREFIX, api_access_label
        from incidents.cases.records import access_record_label_register

        # A call that named no case is on the access log under its name, in the reader's language.
        access_record_label_register(view_prefix=CALL_VIEW_PREFIX, label=api_access_label)

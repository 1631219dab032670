"""The compensation app: the rules engine, policy parameters and supervisors' decisions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompensationConfig(AppConfig):
    """Compensation assessment and decisions."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "compensation"
    verbose_name = _("補償")

    def ready(self) -> None:
        from compensation.selectors.policy import case_policy_version, policy_from_version
        from compensation.selectors.remedy import FREEZE_VIEW_PREFIX, freeze_access_label
        from compensation.services.freeze_core import freeze_core_register
        from incidents.cases.policy import policy_lookup_register
        from incidents.cases.records import access_record_label_register

        # The intake's flags use the policy in force, as the decision will (incidents.cases.policy).
        policy_lookup_register(lambda case: policy_from_version(case_policy_version(case)))
        # A freeze case's stop leaves through the case desk's outbox, whose answers come here.
        freeze_core_register()
        # A look at a freeze case is on the access log under its name, in the reader's language.
        access_record_label_register(view_prefix=FREEZE_VIEW_PREFIX, label=freeze_access_label)

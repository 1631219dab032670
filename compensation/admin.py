"""Administration of the compensation policy parameters (decisions are made on the case desk)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compensation import selectors, services
from compensation.forms import PolicyVersionAdminForm
from compensation.models import PolicyVersion
from incidents.cases.validators import BOUNDED_DATE_FORMFIELDS


class PolicyVersionForm(PolicyVersionAdminForm):
    """Refuses a start day that would change how an approved decision is assessed."""

    def clean_valid_from(self) -> datetime.date:
        valid_from = self.cleaned_data["valid_from"]
        if self.instance.pk is None or valid_from != self.instance.valid_from:
            try:
                services.policy_version_check_new_valid_from(valid_from)
            except ValidationError as error:
                raise ValidationError(error.message_dict["valid_from"]) from None
        return valid_from


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    """Policy versions: a version an approved decision used is shown read-only and never deleted."""

    form = PolicyVersionForm
    formfield_overrides = BOUNDED_DATE_FORMFIELDS
    list_display = (
        "valid_from",
        "window_days",
        "stolen_card_negligence_rate",
        "passbook_negligence_rate",
        "online_banking_negligence_rate",
        "online_banking_gross_negligence_rate",
        "n3_requires_bank_request",
        "in_use",
    )
    readonly_fields = ("created_by", "created_at")
    actions = None  # bulk deletion would bypass the check of each version's use

    @admin.display(boolean=True, description=_("承認済みの決定で使用"))
    def in_use(self, obj: PolicyVersion) -> bool:
        return selectors.policy_version_is_used(obj)

    def has_change_permission(self, request, obj: PolicyVersion | None = None) -> bool:
        if obj is not None and selectors.policy_version_is_used(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj: PolicyVersion | None = None) -> bool:
        if obj is not None and selectors.policy_version_is_used(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_changeform_initial_data(self, request) -> dict:
        """A new version starts as a copy of the one in force, from the first free day from
        tomorrow on (after every approved decision's notice day, and on no day another version
        already starts)."""
        today = timezone.localdate()
        current = selectors.policy_version_in_force(on=today)
        earliest = selectors.policy_earliest_new_valid_from()
        start = max(today + datetime.timedelta(days=1), earliest or today)
        initial: dict[str, Any] = {
            "valid_from": selectors.policy_next_free_valid_from(on_or_after=start)
        }
        if current is not None:
            for name in services.POLICY_FIELDS:
                initial[name] = getattr(current, name)
        initial.update(super().get_changeform_initial_data(request))
        return initial

    def save_model(self, request, obj: PolicyVersion, form, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in services.POLICY_FIELDS}
        if change:
            values["valid_from"] = form.cleaned_data["valid_from"]
            saved = services.policy_version_update(
                version=obj, values=values, note=form.cleaned_data["note"]
            )
        else:
            saved = services.policy_version_create(
                user=request.user,
                valid_from=form.cleaned_data["valid_from"],
                values=values,
                note=form.cleaned_data["note"],
            )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj: PolicyVersion) -> None:
        services.policy_version_delete(version=obj)

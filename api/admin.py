"""API clients in the admin: create one (its token is shown once, on the page that follows), revoke."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from api.models import ApiClient
from api.scopes import Scope
from api.services import api_client_create, api_client_revoke, api_client_sync


class ApiClientForm(forms.ModelForm):
    """The scopes as checkboxes."""

    scopes = forms.MultipleChoiceField(
        label=_("利用できる機能"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ApiClient
        fields = ("name", "scopes", "all_branches", "branches", "is_active")


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Clients: the token is never stored, so it is shown once, right after creation."""

    form = ApiClientForm
    list_display = ("name", "scopes", "all_branches", "is_active", "revoked_at", "last_used_at")
    list_filter = ("is_active",)
    readonly_fields = ("token_prefix", "user", "revoked_at", "last_used_at", "created_at")
    filter_horizontal = ("branches",)
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiClient | None = None) -> Any:
        if obj is not None and obj.revoked_at is not None:
            # A revoked token stays revoked: a new client is made instead.
            return (
                *self.readonly_fields,
                "name",
                "scopes",
                "all_branches",
                "branches",
                "is_active",
            )
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: ApiClient | None = None) -> bool:
        return False  # its calls stay on the access log under its account

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            api_client_sync(client=obj)
            return
        client, token = api_client_create(
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            all_branches=form.cleaned_data["all_branches"],
            is_active=form.cleaned_data["is_active"],
        )
        obj.pk = client.pk
        obj._state = client._state
        obj.user = client.user
        obj.token_prefix = client.token_prefix
        request._api_token = token  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: ApiClient, post_url_continue=None
    ) -> HttpResponse:
        token = getattr(request, "_api_token", None)
        if token is None:
            return super().response_add(request, obj, post_url_continue)
        # Rendered here, never redirected with it: the token passes through no cookie or session.
        return TemplateResponse(
            request,
            "api/admin/token_shown.html",
            {
                **self.admin_site.each_context(request),
                "title": _("APIトークンを発行しました"),
                "client": obj,
                "token": token,
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("選択したクライアントのトークンを失効させる"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            api_client_revoke(client=client)
        messages.success(request, _("トークンを失効させました。"))

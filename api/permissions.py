"""Which endpoint groups a client may call: one scope per view."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from api.models import ApiClient


class HasScope(BasePermission):
    """The view's ``scope`` is among the client's scopes."""

    message = _("このAPIクライアントには、この機能を使う権限がありません。")

    def has_permission(self, request: Request, view: Any) -> bool:
        client = request.auth
        return isinstance(client, ApiClient) and client.has_scope(view.scope)

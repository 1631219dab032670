"""Bearer tokens of API clients: found by prefix, compared by hash, refused once revoked."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from api.models import TOKEN_PREFIX_LENGTH, ApiClient
from api.services import TOKEN_MARK, api_call_begin, api_client_touch, token_hash
from api.throttling import refused_call_logged

logger = logging.getLogger(__name__)

INVALID_TOKEN = _("APIトークンが正しくないか、失効しています。")
# Longer than any token we issue; a longer header is refused before it is hashed.
TOKEN_MAX_LENGTH = 100


class ClientTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>``: the request's user is the client's service account and
    ``request.auth`` the client."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[object, ApiClient] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN) from None
        if not token.startswith(TOKEN_MARK) or len(token) > TOKEN_MAX_LENGTH:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        client = (
            ApiClient.objects.select_related("user")
            .filter(token_prefix=token[:TOKEN_PREFIX_LENGTH])
            .first()
        )
        if client is None or not hmac.compare_digest(client.token_hash, token_hash(token)):
            # No client to put it on the access log under: the security log has it.
            logger.warning(
                "API call with an unknown token (prefix %r)", token[:TOKEN_PREFIX_LENGTH]
            )
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        if not client.is_active or client.revoked_at is not None or not client.user.is_active:
            # A revoked client still calling is what an auditor looks for: on the access log,
            # once a minute at most.
            if refused_call_logged(client):
                api_call_begin(request=request, client=client)
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        api_client_touch(client=client)
        api_call_begin(request=request, client=client)
        return client.user, client

    def authenticate_header(self, request: Request) -> str:
        # A 401 (not a 403) tells the caller to present a token.
        return f'{self.keyword} realm="mamori"'


class ClientTokenScheme(OpenApiAuthenticationExtension):
    """The bearer token in the OpenAPI schema (drf-spectacular finds it by the class it names)."""

    target_class = "api.authentication.ClientTokenAuthentication"
    name = "clientToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "an API client's token"}

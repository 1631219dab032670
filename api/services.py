"""Writes of the API: clients and their tokens, what each call leaves behind."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from api.models import TOKEN_PREFIX_LENGTH, ApiClient
from api.scopes import Scope
from incidents.models import Branch, Case, CaseAccess, User
from incidents.models.choices import Role

# Tokens read "mmr_" and 43 characters of URL-safe base64: 256 random bits.
TOKEN_MARK = "mmr_"  # noqa: S105 - the tokens' visible mark, not a secret


def token_hash(token: str) -> str:
    """The SHA-256 of a token, as stored (hex)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _service_role(scopes: Iterable[str]) -> str:
    """The role whose permissions the scopes need: opening a case and its stops is the
    monitoring center's work; reading is compliance's (read-only, every branch)."""
    return Role.MONITORING if Scope.PRELIMINARY in scopes else Role.COMPLIANCE


@transaction.atomic
def api_client_create(
    *,
    name: str,
    scopes: Iterable[str],
    all_branches: bool = False,
    branches: Iterable[Branch] = (),
    is_active: bool = True,
) -> tuple[ApiClient, str]:
    """Create a client with its service account; return it and its token (shown once, never stored)."""
    scopes = sorted(set(scopes))
    user = User(
        username=f"api-{secrets.token_hex(6)}",
        last_name=name[:150],
        role=_service_role(scopes),
        branch=None,
        is_active=is_active,
    )
    user.set_unusable_password()
    user.save()
    for _attempt in range(5):
        token = TOKEN_MARK + secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                client = ApiClient.objects.create(
                    name=name,
                    token_prefix=token[:TOKEN_PREFIX_LENGTH],
                    token_hash=token_hash(token),
                    scopes=scopes,
                    all_branches=all_branches,
                    is_active=is_active,
                    user=user,
                )
        except IntegrityError:
            if ApiClient.objects.filter(name=name).exists():
                raise
            continue  # a prefix already taken (2⁻⁴⁸): draw another token
        client.branches.set(list(branches))
        return client, token
    raise RuntimeError("could not draw an unused token prefix")


def api_client_sync(*, client: ApiClient) -> None:
    """Keep the service account in line with the client: its role follows the scopes, and a
    revoked or inactive client's account can no longer act."""
    user = client.user
    role = _service_role(client.scopes)
    active = client.is_active and client.revoked_at is None
    if user.role != role or user.is_active != active:
        user.role, user.is_active = role, active
        user.save(update_fields=["role", "is_active"])


@transaction.atomic
def api_client_revoke(*, client: ApiClient) -> ApiClient:
    """Revoke the client's token for good (失効); the row and its log stay."""
    client = ApiClient.objects.select_for_update().select_related("user").get(pk=client.pk)
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.is_active = False
        client.save(update_fields=["revoked_at", "is_active"])
        api_client_sync(client=client)
    return client


def api_client_touch(*, client: ApiClient) -> None:
    """Note that the client called, at most once a minute (one UPDATE, no row lock held)."""
    now = timezone.now()
    if client.last_used_at is None or (now - client.last_used_at).total_seconds() >= 60:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now


def api_access_record(*, client: ApiClient, cases: Iterable[Case], view: str, path: str) -> None:
    """Write the call to the case desk's access log (閲覧記録), the client's account as actor."""
    rows = [CaseAccess(case=case, user=client.user, view=view, path=path[:200]) for case in cases]
    CaseAccess.objects.bulk_create(rows)  # a page of changes is one INSERT, not one per case

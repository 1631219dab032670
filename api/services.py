"""Writes of the API: clients and their tokens, what each call leaves behind."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api.models import TOKEN_PREFIX_LENGTH, ApiClient
from api.scopes import Scope
from incidents.cases.services.timeline import bank_language
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


# Set on the request (Django's, under DRF's) by the authentication: the client calling, and the
# cases the call read or opened, which api_call_record writes to the access log once answered.
CALL_ATTRIBUTE = "api_call"

# What each endpoint is, for a call that named no case (the access log's record column: written
# in the bank's words, shown in the reader's, api_access_label).
CALL_NAMES = {
    "preliminary_cases": gettext_lazy("仮受付の登録"),
    "case_changes": gettext_lazy("変更一覧"),
    "case_detail": gettext_lazy("事故の参照"),
    "assess": gettext_lazy("補償判定"),
    "stop_confirm": gettext_lazy("停止措置の確認"),
    "stop_refuse": gettext_lazy("停止措置の拒否"),
}
CALL_VIEW_PREFIX = "api:"
_STATUS = re.compile(r"[（(](\d{3})[）)]$")


def _call_said(name: str, status: int | str) -> str:
    return _("API %(call)s（%(status)s）") % {"call": CALL_NAMES[name], "status": status}


def api_access_label(row: CaseAccess) -> str | None:
    """A call that named no case, as the access log shows it in the reader's language."""
    name = row.view.removeprefix(CALL_VIEW_PREFIX)
    status = _STATUS.search(row.record)
    if name not in CALL_NAMES or status is None:
        return None
    return _call_said(name, status.group(1))


@dataclass
class ApiCall:
    """One call of a client: who, and the cases it read or opened (with the view's name)."""

    client: ApiClient
    view: str = ""
    case_ids: list[int] = field(default_factory=list)


def _django_request(request: Any) -> HttpRequest:
    # DRF's Request reads through to Django's but sets its own attributes: note on Django's.
    return getattr(request, "_request", request)


def api_call_begin(*, request: Any, client: ApiClient) -> None:
    """Note which client calls, so that the call is logged whatever its answer."""
    setattr(_django_request(request), CALL_ATTRIBUTE, ApiCall(client=client))


def api_access_record(*, request: Any, cases: Iterable[Case], view: str) -> None:
    """Note the cases the call read or opened, for the access log (閲覧記録) written once the call
    is answered (api_call_record): a look is logged even when the call then fails."""
    call = getattr(_django_request(request), CALL_ATTRIBUTE, None)
    if call is not None:
        call.view = view
        call.case_ids += [case.pk for case in cases]


def api_call_record(*, request: HttpRequest, status: int) -> list[CaseAccess]:
    """Write a client's call to the access log, after its transaction: one row per case it read or
    opened (a page of changes is one INSERT), else one row naming the call and its answer."""
    call: ApiCall | None = getattr(request, CALL_ATTRIBUTE, None)
    if call is None:
        return []
    path = request.path[:200]
    if call.case_ids:
        rows = [
            CaseAccess(case_id=pk, user=call.client.user, view=call.view, path=path)
            for pk in call.case_ids
        ]
    else:
        match = getattr(request, "resolver_match", None)
        name = match.url_name if match is not None else ""
        if name in CALL_NAMES:
            with bank_language():
                record = _call_said(name, status)
        else:
            record = f"API {request.path}（{status}）"
        view = f"{CALL_VIEW_PREFIX}{name}"[:30]
        rows = [CaseAccess(record=record[:60], user=call.client.user, view=view, path=path)]
    return CaseAccess.objects.bulk_create(rows)

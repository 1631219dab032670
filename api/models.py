"""API clients: other systems, each with a hashed token, scopes and the branches it may see."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from api.scopes import Scope
from incidents.models.base import DeskModel

# The first characters of a token, stored in clear to find its row; the rest is only hashed.
TOKEN_PREFIX_LENGTH = 12


class ApiClient(DeskModel):
    """Another system that calls the API (監視センターの電話システム, the core…), never a person.

    The token itself is never stored: only its prefix (to find the row) and its SHA-256. The
    client acts through a service account of its own (``user``), which carries the role whose
    permissions its scopes need, so the case desk's scoping rule applies to it unchanged, and
    which is the actor on the access log and the case's timeline.
    """

    name = models.CharField(_("名称"), max_length=80, unique=True)
    token_prefix = models.CharField(
        _("トークンの先頭"), max_length=TOKEN_PREFIX_LENGTH, unique=True
    )
    token_hash = models.CharField(_("トークンのハッシュ（SHA-256）"), max_length=64)
    scopes = ArrayField(
        models.CharField(max_length=20, choices=Scope.choices),
        verbose_name=_("利用できる機能"),
        default=list,
        blank=True,
    )
    all_branches = models.BooleanField(_("全店の事故"), default=False)
    branches = models.ManyToManyField(
        "incidents.Branch", verbose_name=_("対象の支店"), blank=True, related_name="api_clients"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("サービスアカウント"),
        on_delete=models.PROTECT,
        related_name="api_client",
    )
    is_active = models.BooleanField(_("有効"), default=True)
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最終利用日時"), null=True, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("APIクライアント")
        verbose_name_plural = _("APIクライアント")
        ordering = ["name"]
        constraints = [
            # A revoked client stays revoked: the database refuses an active row with a revocation.
            models.CheckConstraint(
                name="api_client_revoked_is_inactive",
                condition=Q(revoked_at__isnull=True) | Q(is_active=False),
            ),
            models.CheckConstraint(
                name="api_client_hash_is_sha256",
                condition=Q(token_hash__regex=r"^[0-9a-f]{64}$"),  # noqa: S106 - a pattern, not a secret
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        """Whether the client was given the endpoint group ``scope``."""
        return scope in self.scopes

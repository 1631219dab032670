"""What an API client may call: one scope per group of endpoints."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """A group of endpoints a client may be given (docs/api.md, "Scopes")."""

    PRELIMINARY = "preliminary", _("仮受付の登録（監視センターの電話システム）")
    CASES = "cases", _("事故の参照・変更一覧")
    ASSESS = "assess", _("補償判定（assess_compensation）")
    # The core's confirm/refuse callback for a stop; its endpoint is added with the core adapter.
    STOPS = "stops", _("停止措置の確認・拒否（勘定系からの通知）")

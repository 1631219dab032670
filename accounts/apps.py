from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Signing in: the second factor, lockout, the sign-in log, idle logout."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("ログインとセキュリティ")

    def ready(self) -> None:
        from accounts import receivers  # noqa: F401 — connects the sign-in signals

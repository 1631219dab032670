"""Vocabularies of signing in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInEventKind(models.TextChoices):
    """What happened at the door."""

    SIGNED_IN = "signed_in", _("ログイン")
    PASSWORD_FAILED = "password_failed", _("ログイン失敗（パスワード）")
    OTP_FAILED = "otp_failed", _("ログイン失敗（ワンタイムパスワード）")
    LOCKED_OUT = "locked_out", _("ロック")
    SIGNED_OUT = "signed_out", _("ログアウト")
    IDLE_SIGNED_OUT = "idle_signed_out", _("自動ログアウト")
    OTP_ENROLLED = "otp_enrolled", _("ワンタイムパスワード登録")
    RECOVERY_CODE_USED = "recovery_code_used", _("リカバリーコード使用")
    OTP_RESET = "otp_reset", _("ワンタイムパスワード再設定（管理者）")


FAILURE_KINDS = (SignInEventKind.PASSWORD_FAILED, SignInEventKind.OTP_FAILED)


class SecondFactor(models.TextChoices):
    """How the member of staff proved the second factor at sign-in."""

    NONE = "", _("なし（省略可の設定）")
    TOTP = "totp", _("ワンタイムパスワード")
    RECOVERY_CODE = "recovery_code", _("リカバリーコード")

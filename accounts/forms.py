"""Forms of signing in."""

from django import forms
from django.utils.translation import gettext_lazy as _


class OneTimePasswordForm(forms.Form):
    """The six-digit code of the authenticator app, or a recovery code."""

    token = forms.CharField(
        label=_("確認コード"),
        max_length=32,
        strip=True,
        help_text=_("認証アプリに表示されている6桁の数字を入力してください。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "size": 12}
        ),
        error_messages={
            "required": _("確認コードを入力してください。"),
            "max_length": _("確認コードが長すぎます。"),
        },
    )

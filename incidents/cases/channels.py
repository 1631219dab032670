"""Fields by channel: what only a transfer carries (the payee, a recovered amount).

One rule, asked by the intake's transaction rows, the case page's recovery form and the services
that write them: a row whose channel is not a transfer keeps no payee and no recovered amount. The
intake's script hides these fields for other channels; without script they all show, and the
server refuses them here with a message saying why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from incidents.models.choices import TRANSFER_CHANNELS

PAYEE_FIELDS = ("payee_bank", "payee_branch", "payee_account_number", "payee_account_name")
TRANSFER_ONLY_FIELDS = (*PAYEE_FIELDS, "recovered_amount")

PAYEE_NOT_TRANSFER = _(
    "振込先は振込の取引（ATM振込・IB振込・窓口振込）にだけ入力します。"
    "取引種類を確かめるか、振込先を空欄にしてください。"
)
RECOVERY_NOT_TRANSFER = _(
    "組戻し等による回収額は振込の取引（ATM振込・IB振込・窓口振込）にだけ記録します。"
)


def is_transfer(channel: str | None) -> bool:
    """Whether a transaction of this channel is a transfer (it names a payee)."""
    return channel in TRANSFER_CHANNELS


def transfer_only_errors(*, channel: str | None, values: Mapping[str, Any]) -> dict[str, str]:
    """The transfer-only fields given for a channel that is not a transfer, each with why not.

    An empty payee field and a recovered amount of 0 (or none) are not "given"; a row without a
    channel yet is not judged (the channel's own "required" says so).
    """
    if not channel or is_transfer(channel):
        return {}
    errors: dict[str, str] = {}
    for name in PAYEE_FIELDS:
        value = values.get(name)
        if value is not None and str(value).strip():
            errors[name] = str(PAYEE_NOT_TRANSFER)
    if values.get("recovered_amount"):
        errors["recovered_amount"] = str(RECOVERY_NOT_TRANSFER)
    return errors

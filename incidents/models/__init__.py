"""Branches, staff and the case with everything recorded about it: every model of the case
desk, re-exported here so that ``incidents.models`` stays the one place to import them from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from incidents.models.attachments import (
    Attachment,
    AttachmentDownload,
    AttachmentWithdrawal,
)
from incidents.models.case import (
    EARLIEST_INSTANT,
    END_INSTANT,
    JST,
    MAX_AMOUNT_YEN,
    UNTRACKED_CASE_COLUMNS,
    Case,
    date_in_range,
    history,
)
from incidents.models.corebanking import CoreRequest
from incidents.models.deadlines import (
    BankClosure,
    Deadline,
    DeadlinePolicy,
)
from incidents.models.items import (
    RULES_KIND,
    TRANSACTION_KEY_COLUMNS,
    ProtectiveAction,
    ReportedItem,
    UnauthorizedTransaction,
    mask_account,
)
from incidents.models.people import (
    STAFF_LIST_FIELDS,
    Branch,
    CaseNumberCounter,
    User,
)
from incidents.models.records import (
    AccessRefusal,
    CaseAccess,
    CaseEdit,
    CaseMerge,
    IntakeAutosave,
    TimelineEvent,
)
from incidents.models.remedy import (
    FreezeRequest,
    ProtectionPolicy,
)
from incidents.models.withdrawals import WithdrawalRequest

if TYPE_CHECKING:
    from pghistory.models import Event

    # The history models django-pghistory makes for the models tracked with ``history`` (at
    # import, into this module): statically known only as events.
    CaseHistory: type[Event]
    ReportedItemHistory: type[Event]
    ProtectiveActionHistory: type[Event]
    UnauthorizedTransactionHistory: type[Event]

__all__ = [
    "EARLIEST_INSTANT",
    "END_INSTANT",
    "JST",
    "MAX_AMOUNT_YEN",
    "RULES_KIND",
    "STAFF_LIST_FIELDS",
    "TRANSACTION_KEY_COLUMNS",
    "UNTRACKED_CASE_COLUMNS",
    "AccessRefusal",
    "Attachment",
    "AttachmentDownload",
    "AttachmentWithdrawal",
    "BankClosure",
    "Branch",
    "Case",
    "CaseAccess",
    "CaseEdit",
    "CaseMerge",
    "CaseNumberCounter",
    "CoreRequest",
    "Deadline",
    "DeadlinePolicy",
    "FreezeRequest",
    "IntakeAutosave",
    "ProtectionPolicy",
    "ProtectiveAction",
    "ReportedItem",
    "TimelineEvent",
    "UnauthorizedTransaction",
    "User",
    "WithdrawalRequest",
    "date_in_range",
    "history",
    "mask_account",
]

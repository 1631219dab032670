"""The webhooks' vocabularies: event types, delivery states, and which timeline lines they come from."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    """What a webhook tells (the ``type`` of its body)."""

    CASE_SUBMITTED = "case.submitted", _("受付完了")
    STOP_REQUESTED = "stop.requested", _("措置を依頼")
    STOP_CONFIRMED = "stop.confirmed", _("措置の実施を確認")
    STOP_FAILED = "stop.failed", _("措置の失敗")
    DEADLINE_OVERDUE = "deadline.overdue", _("期限超過")
    DECISION_APPROVED = "decision.approved", _("補償決定を承認")
    CASE_MERGED = "case.merged", _("重複した届出を統合")
    CASE_WITHDRAWN = "case.withdrawn", _("取下げを承認")


class DeliveryState(models.TextChoices):
    """Where one event's delivery to one endpoint stands."""

    PENDING = "pending", _("送信待ち")
    QUEUED = "queued", _("送信キュー投入済")
    SENDING = "sending", _("送信中")
    DELIVERED = "delivered", _("送信済")


# Timeline kinds (incidents' EventKind values, by string: some are added by other work) and the
# event type each becomes. A status change becomes an event only for the moves named below.
TYPE_OF_KIND: dict[str, str] = {
    "submitted": EventType.CASE_SUBMITTED,
    "stop_requested": EventType.STOP_REQUESTED,
    "stop_done": EventType.STOP_CONFIRMED,
    "stop_failed": EventType.STOP_FAILED,
    "deadline_overdue": EventType.DEADLINE_OVERDUE,
    "merged": EventType.CASE_MERGED,
    "withdrawal_confirmed": EventType.CASE_WITHDRAWN,
}
# compensation approves a decision by moving the case to "decided" (decision_approve, the only
# move into that status); the timeline records it as a status change. A report withdrawn by a
# status change (a discarded draft, a submitted report withdrawn by a supervisor) is withdrawn as
# much as one whose stops were lifted ("withdrawal_confirmed", no status-change line).
TYPE_OF_STATUS_MOVE: dict[str, str] = {
    "decided": EventType.DECISION_APPROVED,
    "withdrawn": EventType.CASE_WITHDRAWN,
}
STATUS_CHANGED_KIND = "status_changed"

# The keys of a timeline line's data a webhook may carry: ids of rows and names of kinds or
# states, never a name, an account, a reference typed by a person or an amount.
ID_KEYS = ("item", "deadline", "merge", "merged", "survivor", "withdrawal", "lifted")
STATE_KEYS = {"action": "action_kind", "deadline_kind": "deadline_kind", "from": "from", "to": "to"}

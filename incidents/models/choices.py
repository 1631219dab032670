"""Vocabularies of the case desk (docs/domain.md §2, §3, §6), with the rules engine's codes as
values."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    """What a member of staff does (docs/domain.md §1)."""

    TELLER = "teller", _("窓口担当")
    SUPERVISOR = "supervisor", _("役席")
    MONITORING = "monitoring", _("監視センター")
    COMPLIANCE = "compliance", _("本部コンプライアンス")
    ADMIN = "admin", _("システム管理者")


class CaseStatus(models.TextChoices):
    """Case life cycle (docs/domain.md §6)."""

    DRAFT = "draft", _("入力中")
    PRELIMINARY = "preliminary", _("仮受付")
    REPORTED = "reported", _("受付済")
    INVESTIGATING = "investigating", _("調査中")
    IN_REVIEW = "in_review", _("審査中")
    DECIDED = "decided", _("決定")
    PAID = "paid", _("補償済")
    CLOSED = "closed", _("完了")
    WITHDRAWN = "withdrawn", _("取下げ")
    # A duplicate report merged into another case (Case.merged_into): kept read-only.
    MERGED = "merged", _("統合済")


OPEN_STATUSES = (
    CaseStatus.PRELIMINARY,
    CaseStatus.REPORTED,
    CaseStatus.INVESTIGATING,
    CaseStatus.IN_REVIEW,
    CaseStatus.DECIDED,
)
# A report that may be merged into another of the same customer (incidents/cases/merge_rules.py):
# still being worked and not awaiting its own decision. Here because an index is partial on it.
DUPLICATE_STATUSES = (CaseStatus.PRELIMINARY, CaseStatus.REPORTED, CaseStatus.INVESTIGATING)


class Channel(models.TextChoices):
    """How the report reached the bank."""

    COUNTER = "counter", _("窓口")
    PHONE = "phone", _("電話")


class ReporterRelation(models.TextChoices):
    """Who is reporting, relative to the account holder."""

    SELF = "self", _("ご本人")
    FAMILY = "family", _("ご家族")
    AGENT = "agent", _("代理人")
    OTHER = "other", _("その他")


class CustomerType(models.TextChoices):
    """個人 or 法人: the Act protects individuals only (sole proprietors count as individuals)."""

    INDIVIDUAL = "individual", _("個人")
    CORPORATE = "corporate", _("法人")


class ItemKind(models.TextChoices):
    """What was reported (事故の種類, docs/domain.md §2)."""

    CASH_CARD = "cash_card", _("キャッシュカード")
    PASSBOOK = "passbook", _("通帳・証書")
    SEAL = "seal", _("届出印")
    ONLINE_BANKING = "online_banking", _("インターネットバンキング")
    ID_DOCUMENT = "id_document", _("本人確認書類")
    # The customer transferred the money themselves, deceived (docs/domain.md §9).
    TRANSFER_FRAUD = "transfer_fraud", _("振り込め詐欺等の被害")


class ItemState(models.TextChoices):
    """What happened to the item."""

    STOLEN = "stolen", _("盗難")
    LOST = "lost", _("紛失")
    COUNTERFEIT = "counterfeit", _("偽造・変造（スキミング）")
    CREDENTIALS_STOLEN = "credentials_stolen", _("ID・パスワード等の盗取")
    DECEIVED = "deceived", _("だまされて振込")


STATES_BY_KIND = {
    ItemKind.CASH_CARD: (ItemState.STOLEN, ItemState.LOST, ItemState.COUNTERFEIT),
    ItemKind.PASSBOOK: (ItemState.STOLEN, ItemState.LOST),
    ItemKind.SEAL: (ItemState.STOLEN, ItemState.LOST),
    ItemKind.ONLINE_BANKING: (ItemState.CREDENTIALS_STOLEN,),
    ItemKind.ID_DOCUMENT: (ItemState.STOLEN, ItemState.LOST),
    ItemKind.TRANSFER_FRAUD: (ItemState.DECEIVED,),
}


class FraudApproach(models.TextChoices):
    """How a deceived customer was approached (docs/domain.md §9)."""

    ORE_ORE = "ore_ore", _("オレオレ詐欺")
    REFUND = "refund", _("還付金詐欺")
    FICTITIOUS_BILL = "fictitious_bill", _("架空請求")
    LOAN_GUARANTEE = "loan_guarantee", _("融資保証金")
    SNS_INVESTMENT = "sns_investment", _("SNS投資詐欺")
    ROMANCE = "romance", _("ロマンス詐欺")
    OTHER = "other", _("その他")


class FreezeAnswer(models.TextChoices):
    """The receiving bank's answer to our request to freeze an account (docs/domain.md §9)."""

    PENDING = "pending", _("回答待ち")
    FROZEN = "frozen", _("凍結済み")
    ALREADY_FROZEN = "already_frozen", _("既に凍結済み")
    REFUSED = "refused", _("凍結できない")


class IdDocumentKind(models.TextChoices):
    """Identity documents recorded because they reveal guessable PINs."""

    DRIVING_LICENCE = "driving_licence", _("運転免許証")
    HEALTH_INSURANCE = "health_insurance", _("健康保険証")
    PASSPORT = "passport", _("パスポート")
    MY_NUMBER = "my_number", _("マイナンバーカード")
    OTHER = "other", _("その他")


class ActionKind(models.TextChoices):
    """Protective actions (即時措置, docs/domain.md §3)."""

    CARD_SUSPEND = "card_suspend", _("カード利用停止")
    CARD_REISSUE_IC = "card_reissue_ic", _("ICカードへの再発行")
    PAYMENT_STOP = "payment_stop", _("支払停止（事故届）")
    SEAL_CHECK = "seal_check", _("届出印の確認")
    SEAL_CHANGE = "seal_change", _("改印")
    IB_SUSPEND = "ib_suspend", _("IB利用停止（振込機能停止）")
    IB_RESET = "ib_reset", _("IBのID・パスワード再設定")
    # Transfer fraud and elderly customers (docs/domain.md §9, §10).
    RECEIVING_FREEZE = "receiving_freeze", _("振込先口座の凍結依頼")
    TRANSFER_LIMIT = "transfer_limit", _("振込限度額の引下げ")
    ATM_LIMIT = "atm_limit", _("ATM利用限度額の引下げ")


# Stops the monitoring center carries out at once on a call; the rest waits for the branch.
EMERGENCY_STOPS = (ActionKind.CARD_SUSPEND, ActionKind.PAYMENT_STOP, ActionKind.IB_SUSPEND)
# Carried out by recording the request to the receiving bank (who was asked, when, the answer),
# never as a stop of our own core.
BY_FREEZE_REQUEST = (ActionKind.RECEIVING_FREEZE,)


class ActionStatus(models.TextChoices):
    """Whether a proposed stop was carried out."""

    PROPOSED = "proposed", _("未実施")
    # Sent to the core, not yet confirmed by it.
    REQUESTED = "requested", _("依頼中")
    DONE = "done", _("実施済")
    # The core refused it (its reason on the action); the teller may retry or stop it by hand.
    FAILED = "failed", _("停止できず")
    DECLINED = "declined", _("見送り")
    # A stop in force lifted when its report was withdrawn, on a supervisor's confirmation.
    LIFTED = "lifted", _("解除済")


# Stops a teller may (still) carry out: not yet asked, or refused by the core.
STOPPABLE = (ActionStatus.PROPOSED, ActionStatus.FAILED)


class WithdrawalState(models.TextChoices):
    """Where a request to withdraw a report with stops in force stands (four eyes)."""

    PENDING = "pending", _("役席の承認待ち")
    CONFIRMED = "confirmed", _("承認済")
    REJECTED = "rejected", _("差戻し")


class TransactionChannel(models.TextChoices):
    """How the money left the account."""

    ATM_WITHDRAWAL = "atm_withdrawal", _("ATM引出し")
    ATM_TRANSFER = "atm_transfer", _("ATM振込")
    DEBIT_PURCHASE = "debit_purchase", _("デビット利用")
    COUNTER_WITHDRAWAL = "counter_withdrawal", _("窓口払戻し")
    ONLINE_TRANSFER = "online_transfer", _("IB振込")
    COUNTER_TRANSFER = "counter_transfer", _("窓口振込")


TRANSFER_CHANNELS = (
    TransactionChannel.ATM_TRANSFER,
    TransactionChannel.ONLINE_TRANSFER,
    TransactionChannel.COUNTER_TRANSFER,
)


class PoliceStatus(models.TextChoices):
    """Police report (被害届) state."""

    FILED = "filed", _("届出済")
    NOT_YET = "not_yet", _("未届出")


class EventKind(models.TextChoices):
    """Timeline entries."""

    CREATED = "created", _("入力開始")
    STEP_SAVED = "step_saved", _("入力内容を保存")
    STOP_DONE = "stop_done", _("措置を実施")
    STOP_DECLINED = "stop_declined", _("措置を見送り")
    STOP_REQUESTED = "stop_requested", _("勘定系へ停止を依頼")
    STOP_FAILED = "stop_failed", _("勘定系が停止を受け付けず")
    STOP_UNCONFIRMED = "stop_unconfirmed", _("停止が未確認")
    SUBMITTED = "submitted", _("受付完了")
    STATUS_CHANGED = "status_changed", _("状態を変更")
    RECEIPT_PRINTED = "receipt_printed", _("受付票を表示")
    NOTE = "note", _("メモ")
    DEADLINE_OPENED = "deadline_opened", _("期限を設定")
    DEADLINE_REMINDED = "deadline_reminded", _("期限前のお知らせ")
    DEADLINE_OVERDUE = "deadline_overdue", _("期限超過")
    DEADLINE_ESCALATED = "deadline_escalated", _("エスカレーション")
    DEADLINE_MET = "deadline_met", _("期限の対応完了")
    DEADLINE_CANCELLED = "deadline_cancelled", _("期限を取消")
    PRELIMINARY = "preliminary", _("時間外仮受付")
    # The same words as the button on the case page, which says it in English differently.
    ASSIGNED = "assigned", pgettext_lazy("timeline", "担当者を変更")
    ITEM_ADDED = "item_added", _("届出対象を追加")
    ATTACHMENT_ADDED = "attachment_added", _("書類を添付")
    ATTACHMENT_WITHDRAWN = "attachment_withdrawn", _("添付書類を取り下げ")
    RECOVERY_RECORDED = "recovery_recorded", _("回収額を記録")
    MERGED = "merged", _("重複した届出を統合")
    MERGE_UNDONE = "merge_undone", _("統合を取消")
    FREEZE_REQUESTED = "freeze_requested", _("振込先口座の凍結依頼を記録")
    FREEZE_ANSWERED = "freeze_answered", _("凍結依頼への勘定系の回答")
    SUPERVISOR_FLAGGED = "supervisor_flagged", _("役席への要確認")
    WITHDRAWAL_REQUESTED = "withdrawal_requested", _("取下げを申請")
    WITHDRAWAL_CONFIRMED = "withdrawal_confirmed", _("取下げを承認")
    WITHDRAWAL_REJECTED = "withdrawal_rejected", _("取下げ申請を差戻し")


class CoreRequestState(models.TextChoices):
    """Where a stop request in the outbox stands with the core."""

    PENDING = "pending", _("送信待ち")
    ACCEPTED = "accepted", _("確認待ち")
    CONFIRMED = "confirmed", _("確認済")
    FAILED = "failed", _("不成立")


class CoreOwner(models.TextChoices):
    """What a request to the core belongs to (the one of its owner columns that is set)."""

    ACTION = "action", _("即時措置")
    FREEZE_REQUEST = "freeze_request", _("振込先口座の凍結依頼")
    FREEZE_CASE = "freeze_case", _("口座凍結")


# Requests the core still owes an answer on: the sweep sends or asks these.
OPEN_CORE_REQUEST_STATES = (CoreRequestState.PENDING, CoreRequestState.ACCEPTED)


class DeadlineKind(models.TextChoices):
    """What a deadline is for (docs/domain.md §5.2); later kinds are added here."""

    POLICE_REPORT = "police_report", _("警察への被害届")
    CUSTOMER_DOCUMENTS = "customer_documents", _("所定の書類")
    AFTER_HOURS_PICKUP = "after_hours_pickup", _("時間外受付の引継ぎ")
    SUPERVISOR_REVIEW = "supervisor_review", _("役席の審査")
    FREEZE_FOLLOW_UP = "freeze_follow_up", _("凍結依頼の回答確認")
    REMEDY_APPLICATION = "remedy_application", _("被害回復分配金の申請期間")
    REMEDY_APPLICATION_OPENS = (
        "remedy_application_opens",
        _("被害回復分配金の申請受付開始のご案内"),
    )


class DeadlineState(models.TextChoices):
    """Where a deadline stands."""

    OPEN = "open", _("対応待ち")
    MET = "met", _("完了")
    OVERDUE = "overdue", _("期限超過")
    ESCALATED = "escalated", _("エスカレーション済")
    CANCELLED = "cancelled", _("取消")


# Deadlines still owed: the scan, the lists and the bell look at these.
UNMET_DEADLINE_STATES = (DeadlineState.OPEN, DeadlineState.OVERDUE, DeadlineState.ESCALATED)
# Deadlines a person closes by hand on the case page (the others close with the case's status).
MANUAL_DEADLINE_KINDS = (
    DeadlineKind.CUSTOMER_DOCUMENTS,
    DeadlineKind.REMEDY_APPLICATION_OPENS,
    DeadlineKind.REMEDY_APPLICATION,
)


class DeadlineCounting(models.TextChoices):
    """How a deadline's due time is counted from the event that opened it."""

    CALENDAR_DAYS = "calendar_days", _("暦日（休業日なら翌営業日）")
    BUSINESS_DAYS = "business_days", _("営業日")
    NEXT_OPENING = "next_opening", _("次の営業日（開店前なら当日）")


class AttachmentKind(models.TextChoices):
    """Documents a customer hands in for a case."""

    POLICE_REPORT = "police_report", _("被害届の写し（受理番号の控え）")
    IDENTITY_DOCUMENT = "identity_document", _("本人確認書類")
    SIGNED_CLAIM_FORM = "signed_claim_form", _("補償請求書（署名済み）")
    OTHER = "other", _("その他の書類")

"""Vocabularies of the assess contract (docs/assessment-contract.md §3), with Japanese labels."""

from __future__ import annotations

import datetime

RULES_VERSION = "mamori-rules-2026.1"


class Phrase(str):
    """A label or sentence of the rules, in Japanese, that remembers how it was made: a key and
    its arguments (numbers, dates, codes, other phrases).

    It is the Japanese string wherever a string is used (comparisons, JSON, the stored decision,
    the letter); a staff screen may say it in the reader's language from the key and arguments
    (compensation/wording.py). The engine stays free of any translation machinery.
    """

    key: str
    args: tuple[object, ...]

    def __new__(cls, text: str, key: str, *args: object) -> Phrase:
        phrase = super().__new__(cls, text)
        phrase.key = key
        phrase.args = args
        return phrase


def labelled(key: str, labels: dict[str, str]) -> dict[str, str]:
    """The labels of a vocabulary as phrases keyed by (key, code)."""
    return {code: Phrase(text, key, code) for code, text in labels.items()}


MAX_YEN = 10**12  # a sane bound on any one amount, fee or interest
MAX_DAYS = 3650  # a sane bound on window_days and unavoidable_days
# Every date Mamori accepts, from a teller's form, the API or this contract, lies in this range:
# one range for the whole project (the forms' validator and the database constraints read it here).
EARLIEST_DATE = datetime.date(1900, 1, 1)
# The Depositor Protection Act came into force on this day: the first policy version's start,
# with the contract's default parameters (compensation.rules.Policy).
ACT_IN_FORCE_ON = datetime.date(2006, 2, 10)
DEFAULT_POLICY_NOTE = "預金者保護法（2006年2月10日施行）および全銀協の申し合わせによる既定値"
LATEST_DATE = datetime.date(2999, 12, 31)

CUSTOMER_TYPES: tuple[str, ...] = ("individual", "corporate")

ITEM_KINDS: tuple[str, ...] = (
    "counterfeit_card",
    "stolen_card",
    "lost_card",
    "stolen_passbook",
    "lost_passbook",
    "online_banking",
    # A transfer the customer made themselves, deceived (振り込め詐欺等): outside the Act, always
    # refused with the Remedy Act named (docs/domain.md §9).
    "customer_transfer",
)

FAULTS: tuple[str, ...] = ("none", "negligence", "gross_negligence", "intent")

TAKEN_BY_VALUES: tuple[str, ...] = (
    "spouse",
    "relative_2nd_degree",
    "cohabiting_relative",
    "cohabitant",
    "domestic_servant",
    "other",
)

CARD_CODES: tuple[str, ...] = (
    "pin_told_to_someone",
    "pin_written_on_card",
    "card_handed_to_someone",
    "care_helper_exception",
    "pin_guessable",
    "bank_requested_pin_change",
    "card_kept_with_id_documents",
    "pin_memo_with_card",
    "pin_reused_elsewhere",
    "card_left_unattended",
    "intoxicated",
)

PASSBOOK_CODES: tuple[str, ...] = (
    "passbook_handed_to_someone",
    "stamped_slip_handed_to_someone",
    "passbook_left_unattended",
    "stamped_slips_kept_with_passbook",
    "seal_kept_with_passbook",
)

COMPARABLE_CODES: tuple[str, ...] = ("comparable_gross", "comparable_negligence")

CHECKLIST_CODES: tuple[str, ...] = CARD_CODES + PASSBOOK_CODES + COMPARABLE_CODES

REQUIREMENT_NAMES: tuple[str, ...] = ("prompt_notice", "explanation", "police_report")

OUTCOMES: tuple[str, ...] = ("full", "partial", "none", "pending", "review")

STATUSES: tuple[str, ...] = ("decided", "pending", "review")

CARD_KINDS = frozenset({"counterfeit_card", "stolen_card", "lost_card"})
PASSBOOK_KINDS = frozenset({"stolen_passbook", "lost_passbook"})
LOST_KINDS = frozenset({"lost_card", "lost_passbook"})
# Kinds without the 30-day window and the two-year limit (nothing of theirs is ever "late").
UNLIMITED_KINDS = frozenset({"counterfeit_card", "customer_transfer"})
# Kinds the Depositor Protection Act does not cover at all: rule 0 decides them (0 yen) whatever
# the facts, so no finding of fault can change their outcome (docs/assessment-contract.md §6).
OUTSIDE_ACT_KINDS = frozenset({"customer_transfer"})

# Relations whose withdrawals the bank does not owe (docs/domain.md §4.3.4); "other" is not one.
EXCLUDED_TAKERS = frozenset(
    {"spouse", "relative_2nd_degree", "cohabiting_relative", "cohabitant", "domestic_servant"}
)

FAULT_RANK: dict[str, int] = {fault: rank for rank, fault in enumerate(FAULTS)}

CUSTOMER_TYPE_LABELS: dict[str, str] = {"individual": "個人", "corporate": "法人"}

ITEM_KIND_LABELS: dict[str, str] = {
    "counterfeit_card": "偽造・変造キャッシュカード",
    "stolen_card": "盗難キャッシュカード",
    "lost_card": "紛失キャッシュカード",
    "stolen_passbook": "盗難通帳（証書）",
    "lost_passbook": "紛失通帳（証書）",
    "online_banking": "インターネットバンキング",
    "customer_transfer": "振り込め詐欺等によるお客さまご自身のお振込み",
}
ITEM_KIND_LABELS = labelled("item_kind", ITEM_KIND_LABELS)

FAULT_LABELS: dict[str, str] = {
    "none": "過失なし",
    "negligence": "過失",
    "gross_negligence": "重大な過失",
    "intent": "故意",
}
FAULT_LABELS = labelled("fault", FAULT_LABELS)

TAKEN_BY_LABELS: dict[str, str] = {
    "spouse": "配偶者",
    "relative_2nd_degree": "二親等内のご親族",
    "cohabiting_relative": "同居のご親族",
    "cohabitant": "同居人",
    "domestic_servant": "家事使用人",
    "other": "その他の者",
}
TAKEN_BY_LABELS = labelled("taken_by", TAKEN_BY_LABELS)

CHECKLIST_LABELS: dict[str, str] = {
    "pin_told_to_someone": "他人に暗証番号を知らせた",
    "pin_written_on_card": "暗証番号をキャッシュカード上に書き記していた",
    "card_handed_to_someone": "他人にキャッシュカードを渡した",
    "care_helper_exception": (
        "病気のため介護ヘルパー等に暗証番号を知らせてカードを渡した等、やむを得ない事情がある"
    ),
    "pin_guessable": "生年月日・電話番号など推測されやすい番号を暗証番号にしていた",
    "bank_requested_pin_change": "当行から個別・具体的に複数回、暗証番号の変更をお願いしていた",
    "card_kept_with_id_documents": (
        "暗証番号を推測させる書類（免許証など）とカードを一緒に携行・保管していた"
    ),
    "pin_memo_with_card": "暗証番号を記載したメモをカードと一緒に携行・保管していた",
    "pin_reused_elsewhere": "暗証番号をロッカー・携帯電話など銀行取引以外にも使用していた",
    "card_left_unattended": "カードを入れた財布などを他人に容易に奪われる状態に置いていた",
    "intoxicated": "酩酊等でカードを他人に容易に奪われる状況にあった",
    "passbook_handed_to_someone": "他人に通帳（証書）を渡した",
    "stamped_slip_handed_to_someone": "他人に記入・押印済みの払戻請求書・諸届を渡した",
    "passbook_left_unattended": (
        "通帳（証書）を他人の目につきやすい場所に放置するなど、容易に奪われる状態に置いていた"
    ),
    "stamped_slips_kept_with_passbook": (
        "届出印を押印した払戻請求書・諸届を通帳（証書）と一緒に保管していた"
    ),
    "seal_kept_with_passbook": "印鑑を通帳（証書）と一緒に保管していた",
    "comparable_gross": "上記と同程度の著しい注意義務違反がある（担当者の判断）",
    "comparable_negligence": "上記と同程度の注意義務違反がある（担当者の判断）",
}
CHECKLIST_LABELS = labelled("checklist", CHECKLIST_LABELS)

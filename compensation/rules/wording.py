"""Japanese sentences for the reasons, worded so a teller can read them to the customer.

Each sentence is a ``Phrase`` (compensation/rules/vocab.py): the Japanese string, with the key and
arguments it was made from, so that a staff screen can say it in the reader's language
(compensation/wording.py) while the stored decision and the letter keep the Japanese.
"""

from __future__ import annotations

import datetime

from compensation.rules.vocab import TAKEN_BY_LABELS, Phrase


def jdate(day: datetime.date) -> str:
    """Write a date the Japanese way: 2026年3月31日."""
    return f"{day.year}年{day.month}月{day.day}日"


def yen(amount: int) -> str:
    """Write an amount of yen with thousands separators: 200,220円."""
    return f"{amount:,}円"


# Clauses for the checklist grounds; each ends so that "ため" or "こと" can follow.
_CLAUSES: dict[str, str] = {
    "G1": "他人に暗証番号を知らせていた",
    "G2": "暗証番号をキャッシュカード上に書き記していた",
    "G3": "他人にキャッシュカードを渡していた",
    "G4": "暗証番号やキャッシュカードの管理について著しい注意義務違反が認められた",
    "N1": "推測されやすい番号を当行からの再三の変更のお願いの後も暗証番号とし、"
    "それを推測させる書類（免許証など）とカードを一緒に携行・保管していた",
    "N2": "暗証番号を記載したメモをカードと一緒に保管されていた",
    "N4": "暗証番号やキャッシュカードの管理について注意義務違反が認められた",
    "PG1": "他人に通帳（証書）を渡していた",
    "PG2": "他人に記入・押印済みの払戻請求書を渡していた",
    "PG3": "通帳（証書）の管理について著しい注意義務違反が認められた",
    "PN1": "通帳（証書）を他人に容易に奪われる状態に置いていた",
    "PN2": "届出印を押印した払戻請求書を通帳（証書）と一緒に保管していた",
    "PN3": "印鑑を通帳（証書）と一緒に保管していた",
    "PN4": "通帳（証書）の管理について注意義務違反が認められた",
}

CLAUSES: dict[str, str] = {code: Phrase(text, "clause", code) for code, text in _CLAUSES.items()}

N3_PIN_CLAUSES: dict[str, str] = {
    "pin_guessable": "推測されやすい番号を暗証番号にしていた",
    "pin_reused_elsewhere": "暗証番号を銀行取引以外（ロッカー、携帯電話など）にも使用していた",
}

N3_CARD_CLAUSES: dict[str, str] = {
    "card_left_unattended": "カードを入れた財布などを他人に容易に奪われる状態に置いていた",
    "intoxicated": "酩酊等によりカードを他人に容易に奪われる状況にあった",
}


def n3_clause(pin_code: str, card_code: str) -> str:
    """Describe an N3 combination of a PIN lapse and a card lapse."""
    text = f"{N3_PIN_CLAUSES[pin_code]}ことに加え、{N3_CARD_CLAUSES[card_code]}"
    return Phrase(text, "n3", pin_code, card_code)


def fault_because(fault: str, clauses: tuple[str, ...]) -> str:
    """Say why the customer is at fault, ending in ため: the concrete facts when known."""
    return Phrase(_fault_because(fault, clauses), "because", fault, clauses)


def _fault_because(fault: str, clauses: tuple[str, ...]) -> str:
    if clauses:
        label = "過失" if fault == "negligence" else "重大な過失"
        if len(clauses) == 1:
            return f"{clauses[0]}ため（{label}）"
        return "こと、".join(clauses) + f"ことから（{label}）"
    if fault == "negligence":
        return "お客さまに過失が認められるため"
    return "お客さまに重大な過失が認められるため"


def full_payment(claimed: int) -> str:
    """Promise the whole damage."""
    return Phrase(f"被害額{claimed:,}円の全額を補償します。", "full_payment", claimed)


def window_limit(notified_on: datetime.date, window_days: int, unavoidable_days: int) -> str:
    """Name the first day of the window: 通知日（…）の30日前の日（…）."""
    start = notified_on - datetime.timedelta(days=window_days + unavoidable_days)
    args = ("window", notified_on, window_days, unavoidable_days, start)
    if unavoidable_days:
        return Phrase(
            f"通知日（{jdate(notified_on)}）の{window_days + unavoidable_days}日前の日"
            f"（{jdate(start)}。やむを得ない事情の{unavoidable_days}日を含みます）",
            *args,
        )
    return Phrase(f"通知日（{jdate(notified_on)}）の{window_days}日前の日（{jdate(start)}）", *args)


def before_window(window_phrase: str) -> str:
    """The noun phrase for a transaction before the window."""
    return Phrase(f"{window_phrase}より前のお取引", "before_window", window_phrase)


LIMIT_BASES: dict[str, str] = {
    "stolen_card": "盗難日",
    "stolen_passbook": "盗難日",
    "lost_card": "紛失日",
    "lost_passbook": "紛失日",
    "online_banking": "ID・パスワード等が盗まれた日",
}


def after_limit(kind: str, known: bool, base: datetime.date, end: datetime.date) -> str:
    """The noun phrase for a notice later than two years after the theft."""
    label = LIMIT_BASES.get(kind, "盗難日") if known else "最初の不正なお取引の日"
    text = f"{label}（{jdate(base)}）から2年後の日（{jdate(end)}）より後のご通知"
    return Phrase(text, "after_limit", kind if known else "", base, end)


def not_covered(phrase: str) -> str:
    """Refuse a transaction outside the window or the limit."""
    return Phrase(f"{phrase}のため、補償の対象外です。", "not_covered", phrase)


def review_note(phrase: str) -> str:
    """Add, to a case-by-case decision, that the transaction is outside the window or limit."""
    return Phrase(f"なお、{phrase}です。", "review_note", phrase)


CORPORATE: str = Phrase("法人のお客さまのため、個別に判断します。", "corporate")
LOST: dict[str, str] = {
    "lost_card": Phrase(
        "キャッシュカードの紛失（盗難ではない）のため、個別に判断します。", "lost", "lost_card"
    ),
    "lost_passbook": Phrase(
        "通帳（証書）の紛失（盗難ではない）のため、個別に判断します。", "lost", "lost_passbook"
    ),
}
INTENT: str = Phrase("お客さまの故意によるお取引のため、補償の対象外です。", "intent")
WAR: str = Phrase("戦争・暴動等による社会秩序の混乱に乗じた盗難のため、補償の対象外です。", "war")
FALSE_EXPLANATION: str = Phrase(
    "被害状況について重要な事項に偽りのご説明があったため、補償の対象外です。", "false_explanation"
)
NOT_PROMPT: str = Phrase(
    "被害に気づかれた後、速やかに当行へご通知いただけなかったため、補償の対象外です。",
    "not_prompt",
)
NO_POLICE_REPORT: str = Phrase(
    "警察への被害届が未提出のため、判断を保留しています。", "no_police_report"
)
NO_POLICE_EXPLANATION: str = Phrase(
    "警察への被害事実等の事情説明がお済みでないため、判断を保留しています。",
    "no_police_explanation",
)
NO_EXPLANATION: str = Phrase(
    "当行の調査への十分なご説明をまだいただいていないため、判断を保留しています。",
    "no_explanation",
)
COUNTERFEIT_INTENT: str = Phrase(
    "偽造カードによるお取引ですが、お客さまの故意によるものであるため、補償の対象外です。",
    "counterfeit_intent",
)


def taken_by(relation: str) -> str:
    """Refuse a withdrawal made by a family member or someone of the household."""
    return Phrase(
        f"{TAKEN_BY_LABELS[relation]}による払戻しのため、補償の対象外です。",
        "taken_by_refused",
        relation,
    )


def gross_refused(because: str) -> str:
    """Refuse for gross negligence."""
    return Phrase(f"{because}、補償の対象外です。", "gross_refused", because)


def counterfeit_gross_refused(because: str) -> str:
    """Refuse a counterfeit-card claim for gross negligence while the bank is without fault."""
    return Phrase(
        f"偽造カードによるお取引ですが、{because}、補償の対象外です（当行は善意かつ無過失です）。",
        "counterfeit_gross_refused",
        because,
    )


def counterfeit_paid(claimed: int, fault: str, bank_at_fault: bool) -> str:
    """Pay a counterfeit-card claim in full: the withdrawal is void."""
    text = _counterfeit_paid(claimed, fault, bank_at_fault)
    return Phrase(text, "counterfeit_paid", claimed, fault, bank_at_fault)


def _counterfeit_paid(claimed: int, fault: str, bank_at_fault: bool) -> str:
    if fault == "gross_negligence" and bank_at_fault:
        return (
            "偽造カードによるお取引です。お客さまに重大な過失がありますが、当行にも過失があるため、"
            + full_payment(claimed)
        )
    if fault == "negligence":
        return "偽造カードによるお取引のため払戻しは無効となり、お客さまの過失にかかわらず" + (
            full_payment(claimed)
        )
    return "偽造カードによるお取引のため払戻しは無効となり、" + full_payment(claimed)


def lifted_fault(fault: str) -> str:
    """The customer's fault, set aside because the bank was at fault."""
    label = "過失" if fault == "negligence" else "重大な過失"
    return Phrase(f"お客さまの{label}", "lifted_fault", fault)


def lifted_taken_by(relation: str) -> str:
    """A withdrawal by the household, set aside because the bank was at fault."""
    return Phrase(f"{TAKEN_BY_LABELS[relation]}による払戻し", "lifted_taken_by", relation)


LIFTED_FALSE_EXPLANATION: str = Phrase("偽りのご説明", "lifted_false_explanation")


def bank_at_fault_paid(claimed: int, lifted: list[str]) -> str:
    """Pay in full because the bank was not in good faith and without fault."""
    args = ("bank_at_fault_paid", claimed, tuple(lifted))
    if lifted:
        return Phrase(
            "当行に過失があったため、"
            + "、".join(lifted)
            + "にかかわらず、"
            + full_payment(claimed),
            *args,
        )
    return Phrase("当行に過失があったため、" + full_payment(claimed), *args)


def no_fault_paid(claimed: int) -> str:
    """Pay in full because the customer is not at fault."""
    return Phrase("お客さまに過失がないため、" + full_payment(claimed), "no_fault_paid", claimed)


def rate_paid(because: str, rate: int, claimed: int, compensation: int) -> str:
    """Pay the policy's rate for the customer's fault."""
    text = _rate_paid(because, rate, claimed, compensation)
    return Phrase(text, "rate_paid", because, rate, claimed, compensation)


def _rate_paid(because: str, rate: int, claimed: int, compensation: int) -> str:
    if rate >= 100:
        return f"{because}、当行の基準により" + full_payment(claimed)
    if rate <= 0:
        return f"{because}、当行の基準により補償の対象外です。"
    return f"{because}、被害額{claimed:,}円の{rate}％にあたる{compensation:,}円を補償します。"


def rate_review(because: str) -> str:
    """Leave the rate to a supervisor, as the policy says for this fault."""
    return Phrase(f"{because}、補償額は個別に判断します。", "rate_review", because)


def summary_window(window_phrase: str) -> str:
    """State the window for the whole case."""
    return Phrase(
        f"補償の対象は、{window_phrase}以降のお取引です。", "summary_window", window_phrase
    )


NO_WINDOW: str = Phrase(
    "偽造カードによる被害のため、補償の対象期間に制限はありません。", "no_window"
)
# Why a kind has neither the window nor the two-year limit (assessment-contract.md §5), per kind.
NO_LIMIT: dict[str, str] = {
    "counterfeit_card": Phrase(
        "偽造・変造カードによる被害のため、補償の対象期間（通知日前30日）と2年の期限の制限はありません。",
        "no_limit_counterfeit",
    ),
    "customer_transfer": Phrase(
        "お客さまご自身が行ったお振込みは預金者保護法の対象外のため、"
        "補償の対象期間と2年の期限はありません。振り込め詐欺救済法が適用されます。",
        "no_limit_customer_transfer",
    ),
}
# A transfer the customer made themselves (docs/domain.md §9): a reason, never a silent 0 yen.
CUSTOMER_TRANSFER: str = Phrase(
    "お客さまご自身が（だまされて）行ったお振込みのため、預金者保護法による補償の対象外です。"
    "振り込め詐欺救済法により、振込先の口座に残っている資金から"
    "被害回復分配金が支払われる場合があります。",
    "customer_transfer",
)
REMEDY_ACT: str = Phrase(
    "お客さまご自身が行ったお振込みは、預金者保護法（盗難・偽造カード等による被害の補償）の"
    "対象ではありません。振り込め詐欺救済法に基づき、当行から振込先の金融機関へ口座の凍結を"
    "依頼します。預金保険機構の公告する申請期間内にお申し出いただくと、"
    "振込先の口座に残る資金から被害額に応じて分配金が支払われる場合があります。",
    "remedy_act",
)


def summary_limit(kind_label: str, phrase: str) -> str:
    """State that an item was notified after the two-year limit."""
    return Phrase(
        f"{kind_label}については、{phrase}のため、補償の対象外です。",
        "summary_limit",
        kind_label,
        phrase,
    )


def summary_outcome(
    outcome: str, claimed_total: int, compensation_total: int | None, count: int, open_count: int
) -> str:
    """Summarize the decision of the whole case."""
    text = _summary_outcome(outcome, claimed_total, compensation_total, count, open_count)
    args = (outcome, claimed_total, compensation_total, count, open_count)
    return Phrase(text, "summary_outcome", *args)


def _summary_outcome(
    outcome: str, claimed_total: int, compensation_total: int | None, count: int, open_count: int
) -> str:
    if count == 0:
        return "補償の対象となるお取引は登録されていません。"
    if outcome == "pending":
        return (
            f"{open_count}件のお取引について必要なお手続きがお済みでないため、"
            "補償額の判断を保留しています。"
        )
    if outcome == "review":
        return f"{open_count}件のお取引は個別に判断するため、補償額はまだ確定していません。"
    if outcome == "full":
        return f"被害額合計{yen(claimed_total)}の全額を補償します。"
    if outcome == "partial":
        return f"被害額合計{yen(claimed_total)}のうち、{yen(compensation_total or 0)}を補償します。"
    return f"被害額合計{yen(claimed_total)}について、補償できる金額はありません。"

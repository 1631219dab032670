"""The rules' labels and sentences in the reader's language, for staff screens.

The engine (compensation/rules/) writes Japanese only and stays free of Django; each label and
sentence it makes is a ``Phrase`` that remembers its key and arguments. Here each key has its
words in gettext, so an English-speaking member of staff reads the panel in English. What the
customer receives (the letter) keeps the engine's Japanese: it prints the phrase as the string it
is, without ``staff_words``. The stored decision keeps Japanese strings; its page recovers the
phrase of each one the rules still make (compensation/selectors/decisions.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from compensation.rules.distribution import (
    MINIMUM_BALANCE,
    OUTCOME_IN_FULL,
    OUTCOME_NO_CLAIMS,
    OUTCOME_TOO_SMALL,
)
from compensation.rules.vocab import Phrase

ITEM_KINDS = {
    "counterfeit_card": gettext_lazy("偽造・変造キャッシュカード"),
    "stolen_card": gettext_lazy("盗難キャッシュカード"),
    "lost_card": gettext_lazy("紛失キャッシュカード"),
    "stolen_passbook": gettext_lazy("盗難通帳（証書）"),
    "lost_passbook": gettext_lazy("紛失通帳（証書）"),
    "online_banking": gettext_lazy("インターネットバンキング"),
    "customer_transfer": gettext_lazy("振り込め詐欺等によるお客さまご自身のお振込み"),
}
FAULTS = {
    "none": gettext_lazy("過失なし"),
    "negligence": gettext_lazy("過失"),
    "gross_negligence": gettext_lazy("重大な過失"),
    "intent": gettext_lazy("故意"),
}
TAKERS = {
    "spouse": gettext_lazy("配偶者"),
    "relative_2nd_degree": gettext_lazy("二親等内のご親族"),
    "cohabiting_relative": gettext_lazy("同居のご親族"),
    "cohabitant": gettext_lazy("同居人"),
    "domestic_servant": gettext_lazy("家事使用人"),
    "other": gettext_lazy("その他の者"),
}
# The checklist as the engine words its grounds (compensation/rules/vocab.py CHECKLIST_LABELS).
CHECKLIST = {
    "pin_told_to_someone": gettext_lazy("他人に暗証番号を知らせた"),
    "pin_written_on_card": gettext_lazy("暗証番号をキャッシュカード上に書き記していた"),
    "card_handed_to_someone": gettext_lazy("他人にキャッシュカードを渡した"),
    "care_helper_exception": gettext_lazy(
        "病気のため介護ヘルパー等に暗証番号を知らせてカードを渡した等、やむを得ない事情がある"
    ),
    "pin_guessable": gettext_lazy("生年月日・電話番号など推測されやすい番号を暗証番号にしていた"),
    "bank_requested_pin_change": gettext_lazy(
        "当行から個別・具体的に複数回、暗証番号の変更をお願いしていた"
    ),
    "card_kept_with_id_documents": gettext_lazy(
        "暗証番号を推測させる書類（免許証など）とカードを一緒に携行・保管していた"
    ),
    "pin_memo_with_card": gettext_lazy("暗証番号を記載したメモをカードと一緒に携行・保管していた"),
    "pin_reused_elsewhere": gettext_lazy(
        "暗証番号をロッカー・携帯電話など銀行取引以外にも使用していた"
    ),
    "card_left_unattended": gettext_lazy(
        "カードを入れた財布などを他人に容易に奪われる状態に置いていた"
    ),
    "intoxicated": gettext_lazy("酩酊等でカードを他人に容易に奪われる状況にあった"),
    "passbook_handed_to_someone": gettext_lazy("他人に通帳（証書）を渡した"),
    "stamped_slip_handed_to_someone": gettext_lazy(
        "他人に記入・押印済みの払戻請求書・諸届を渡した"
    ),
    "passbook_left_unattended": gettext_lazy(
        "通帳（証書）を他人の目につきやすい場所に放置するなど、容易に奪われる状態に置いていた"
    ),
    "stamped_slips_kept_with_passbook": gettext_lazy(
        "届出印を押印した払戻請求書・諸届を通帳（証書）と一緒に保管していた"
    ),
    "seal_kept_with_passbook": gettext_lazy("印鑑を通帳（証書）と一緒に保管していた"),
    "comparable_gross": gettext_lazy("上記と同程度の著しい注意義務違反がある（担当者の判断）"),
    "comparable_negligence": gettext_lazy("上記と同程度の注意義務違反がある（担当者の判断）"),
}
# The grounds as clauses (compensation/rules/wording.py CLAUSES), each "the customer …" in English.
CLAUSES = {
    "G1": gettext_lazy("他人に暗証番号を知らせていた"),
    "G2": gettext_lazy("暗証番号をキャッシュカード上に書き記していた"),
    "G3": gettext_lazy("他人にキャッシュカードを渡していた"),
    "G4": gettext_lazy("暗証番号やキャッシュカードの管理について著しい注意義務違反が認められた"),
    "N1": gettext_lazy(
        "推測されやすい番号を当行からの再三の変更のお願いの後も暗証番号とし、"
        "それを推測させる書類（免許証など）とカードを一緒に携行・保管していた"
    ),
    "N2": gettext_lazy("暗証番号を記載したメモをカードと一緒に保管されていた"),
    "N4": gettext_lazy("暗証番号やキャッシュカードの管理について注意義務違反が認められた"),
    "PG1": gettext_lazy("他人に通帳（証書）を渡していた"),
    "PG2": gettext_lazy("他人に記入・押印済みの払戻請求書を渡していた"),
    "PG3": gettext_lazy("通帳（証書）の管理について著しい注意義務違反が認められた"),
    "PN1": gettext_lazy("通帳（証書）を他人に容易に奪われる状態に置いていた"),
    "PN2": gettext_lazy("届出印を押印した払戻請求書を通帳（証書）と一緒に保管していた"),
    "PN3": gettext_lazy("印鑑を通帳（証書）と一緒に保管していた"),
    "PN4": gettext_lazy("通帳（証書）の管理について注意義務違反が認められた"),
}
N3_PIN = {
    "pin_guessable": gettext_lazy("推測されやすい番号を暗証番号にしていた"),
    "pin_reused_elsewhere": gettext_lazy(
        "暗証番号を銀行取引以外（ロッカー、携帯電話など）にも使用していた"
    ),
}
N3_CARD = {
    "card_left_unattended": gettext_lazy(
        "カードを入れた財布などを他人に容易に奪われる状態に置いていた"
    ),
    "intoxicated": gettext_lazy("酩酊等によりカードを他人に容易に奪われる状況にあった"),
}
LIMIT_BASES = {
    "stolen_card": gettext_lazy("盗難日"),
    "stolen_passbook": gettext_lazy("盗難日"),
    "lost_card": gettext_lazy("紛失日"),
    "lost_passbook": gettext_lazy("紛失日"),
    "online_banking": gettext_lazy("ID・パスワード等が盗まれた日"),
    "": gettext_lazy("最初の不正なお取引の日"),
}


def _day(value: object) -> str:
    if not isinstance(value, datetime.date):
        return str(value)
    return _("%(year)s年%(month)s月%(day)s日") % {
        "year": value.year,
        "month": value.month,
        "day": value.day,
    }


def _yen(value: object) -> str:
    return _("%(amount)s円") % {"amount": f"{int(value or 0):,}"}  # type: ignore[call-overload]


def _fault(value: object) -> str:
    return str(FAULTS.get(str(value), value))


def _because(fault: object, clauses: tuple[object, ...]) -> str:
    if clauses:
        values = {"fault": _fault(fault), "facts": _("こと、").join(map(staff_words, clauses))}
        if len(clauses) == 1:
            return _("%(facts)sため（%(fault)s）") % values
        return _("%(facts)sことから（%(fault)s）") % values
    if fault == "negligence":
        return _("お客さまに過失が認められるため")
    return _("お客さまに重大な過失が認められるため")


def _outcome(outcome, claimed, compensation, count, open_count) -> str:
    if count == 0:
        return _("補償の対象となるお取引は登録されていません。")
    if outcome == "pending":
        return ngettext(
            "%(count)s件のお取引について必要なお手続きがお済みでないため、補償額の判断を保留しています。",
            "%(count)s件のお取引について必要なお手続きがお済みでないため、補償額の判断を保留しています。",
            open_count,
        ) % {"count": open_count}
    if outcome == "review":
        return ngettext(
            "%(count)s件のお取引は個別に判断するため、補償額はまだ確定していません。",
            "%(count)s件のお取引は個別に判断するため、補償額はまだ確定していません。",
            open_count,
        ) % {"count": open_count}
    if outcome == "full":
        return _("被害額合計%(claimed)sの全額を補償します。") % {"claimed": _yen(claimed)}
    if outcome == "partial":
        return _("被害額合計%(claimed)sのうち、%(paid)sを補償します。") % {
            "claimed": _yen(claimed),
            "paid": _yen(compensation),
        }
    return _("被害額合計%(claimed)sについて、補償できる金額はありません。") % {
        "claimed": _yen(claimed)
    }


def _window(notified_on, window_days, unavoidable_days, start) -> str:
    values = {
        "notified": _day(notified_on),
        "days": window_days + unavoidable_days,
        "start": _day(start),
        "unavoidable": unavoidable_days,
    }
    if unavoidable_days:
        return (
            _(
                "通知日（%(notified)s）の%(days)s日前の日（%(start)s。やむを得ない事情の"
                "%(unavoidable)s日を含みます）"
            )
            % values
        )
    return _("通知日（%(notified)s）の%(days)s日前の日（%(start)s）") % values


def _rate_paid(because, rate, claimed, compensation) -> str:
    values = {
        "because": staff_words(because),
        "rate": rate,
        "claimed": _yen(claimed),
        "paid": _yen(compensation),
    }
    if rate >= 100:
        return _("%(because)s、当行の基準により被害額%(claimed)sの全額を補償します。") % values
    if rate <= 0:
        return _("%(because)s、当行の基準により補償の対象外です。") % values
    return _("%(because)s、被害額%(claimed)sの%(rate)s％にあたる%(paid)sを補償します。") % values


def _counterfeit_paid(claimed, fault, bank_at_fault) -> str:
    values = {"claimed": _yen(claimed)}
    if fault == "gross_negligence" and bank_at_fault:
        return (
            _(
                "偽造カードによるお取引です。お客さまに重大な過失がありますが、当行にも過失があるため、"
                "被害額%(claimed)sの全額を補償します。"
            )
            % values
        )
    if fault == "negligence":
        return (
            _(
                "偽造カードによるお取引のため払戻しは無効となり、お客さまの過失にかかわらず"
                "被害額%(claimed)sの全額を補償します。"
            )
            % values
        )
    return (
        _("偽造カードによるお取引のため払戻しは無効となり、被害額%(claimed)sの全額を補償します。")
        % values
    )


def _bank_at_fault_paid(claimed, lifted) -> str:
    if lifted:
        return _(
            "当行に過失があったため、%(lifted)sにかかわらず、被害額%(claimed)sの全額を補償します。"
        ) % {
            "lifted": _("、").join(staff_words(item) for item in lifted),
            "claimed": _yen(claimed),
        }
    return _("当行に過失があったため、被害額%(claimed)sの全額を補償します。") % {
        "claimed": _yen(claimed)
    }


def _lifted_fault(fault) -> str:
    if fault == "negligence":
        return _("お客さまの過失")
    return _("お客さまの重大な過失")


def case_by_case_words(claimed: int, rate: int, compensation: int) -> str:
    """The sentence for a rate a supervisor decided case by case, in the active language."""
    values = {"claimed": _yen(claimed), "rate": rate, "amount": _yen(compensation)}
    if rate >= 100:
        return _("個別に検討した結果、被害額%(claimed)sの全額を補償します。") % values
    if rate <= 0:
        return _("個別に検討した結果、誠に恐縮ですが補償の対象外とさせていただきます。")
    return (
        _("個別に検討した結果、被害額%(claimed)sの%(rate)s％にあたる%(amount)sを補償します。")
        % values
    )


def _distribution(outcome, balance, total, left) -> str:
    values = {
        "balance": _yen(balance),
        "minimum": _yen(MINIMUM_BALANCE),
        "total": _yen(total),
        "left": _yen(left),
    }
    if outcome == OUTCOME_TOO_SMALL:
        return (
            _(
                "凍結口座の残高%(balance)sが%(minimum)s未満のため、"
                "被害回復分配金は支払われません（振り込め詐欺救済法）。"
            )
            % values
        )
    if outcome == OUTCOME_NO_CLAIMS:
        return _("認められた申請がないため、残高%(balance)sは分配されません。") % values
    if outcome == OUTCOME_IN_FULL:
        text = (
            _("申請額の合計%(total)sが残高%(balance)s以下のため、各申請額を全額お支払いします。")
            % values
        )
        return text + (_("残る%(left)sは分配されません。") % values if left else "")
    text = (
        _(
            "申請額の合計%(total)sが残高%(balance)sを超えるため、残高を各申請額の割合で按分し、"
            "1円未満を切り捨ててお支払いします。"
        )
        % values
    )
    return text + (_("切り捨てにより残る%(left)sは分配されません。") % values if left else "")


PHRASES: dict[str, Callable[..., str]] = {
    "item_kind": lambda code: str(ITEM_KINDS.get(code, code)),
    "fault": _fault,
    "taken_by": lambda code: str(TAKERS.get(code, code)),
    "checklist": lambda code: str(CHECKLIST.get(code, code)),
    "clause": lambda code: str(CLAUSES[code]),
    "n3": lambda pin, card: (
        _("%(pin)sことに加え、%(card)s") % {"pin": N3_PIN[pin], "card": N3_CARD[card]}
    ),
    "because": _because,
    "full_payment": lambda claimed: (
        _("被害額%(claimed)sの全額を補償します。") % {"claimed": _yen(claimed)}
    ),
    "window": _window,
    "before_window": lambda phrase: _("%(window)sより前のお取引") % {"window": staff_words(phrase)},
    "after_limit": lambda kind, base, end: (
        _("%(label)s（%(base)s）から2年後の日（%(end)s）より後のご通知")
        % {
            "label": LIMIT_BASES.get(kind, LIMIT_BASES["stolen_card"]),
            "base": _day(base),
            "end": _day(end),
        }
    ),
    "not_covered": lambda phrase: (
        _("%(phrase)sのため、補償の対象外です。") % {"phrase": staff_words(phrase)}
    ),
    "review_note": lambda phrase: _("なお、%(phrase)sです。") % {"phrase": staff_words(phrase)},
    "corporate": lambda: _("法人のお客さまのため、個別に判断します。"),
    "lost": lambda kind: (
        _("キャッシュカードの紛失（盗難ではない）のため、個別に判断します。")
        if kind == "lost_card"
        else _("通帳（証書）の紛失（盗難ではない）のため、個別に判断します。")
    ),
    "intent": lambda: _("お客さまの故意によるお取引のため、補償の対象外です。"),
    "war": lambda: _("戦争・暴動等による社会秩序の混乱に乗じた盗難のため、補償の対象外です。"),
    "false_explanation": lambda: _(
        "被害状況について重要な事項に偽りのご説明があったため、補償の対象外です。"
    ),
    "not_prompt": lambda: _(
        "被害に気づかれた後、速やかに当行へご通知いただけなかったため、補償の対象外です。"
    ),
    "no_police_report": lambda: _("警察への被害届が未提出のため、判断を保留しています。"),
    "no_police_explanation": lambda: _(
        "警察への被害事実等の事情説明がお済みでないため、判断を保留しています。"
    ),
    "no_explanation": lambda: _(
        "当行の調査への十分なご説明をまだいただいていないため、判断を保留しています。"
    ),
    "counterfeit_intent": lambda: _(
        "偽造カードによるお取引ですが、お客さまの故意によるものであるため、補償の対象外です。"
    ),
    "taken_by_refused": lambda relation: (
        _("%(who)sによる払戻しのため、補償の対象外です。") % {"who": TAKERS.get(relation, relation)}
    ),
    "gross_refused": lambda because: (
        _("%(because)s、補償の対象外です。") % {"because": staff_words(because)}
    ),
    "counterfeit_gross_refused": lambda because: (
        _(
            "偽造カードによるお取引ですが、%(because)s、補償の対象外です（当行は善意かつ無過失です）。"
        )
        % {"because": staff_words(because)}
    ),
    "counterfeit_paid": _counterfeit_paid,
    "lifted_fault": _lifted_fault,
    "lifted_taken_by": lambda relation: (
        _("%(who)sによる払戻し") % {"who": TAKERS.get(relation, relation)}
    ),
    "lifted_false_explanation": lambda: _("偽りのご説明"),
    "bank_at_fault_paid": _bank_at_fault_paid,
    "no_fault_paid": lambda claimed: (
        _("お客さまに過失がないため、被害額%(claimed)sの全額を補償します。")
        % {"claimed": _yen(claimed)}
    ),
    "rate_paid": _rate_paid,
    "rate_review": lambda because: (
        _("%(because)s、補償額は個別に判断します。") % {"because": staff_words(because)}
    ),
    "summary_window": lambda phrase: (
        _("補償の対象は、%(window)s以降のお取引です。") % {"window": staff_words(phrase)}
    ),
    "no_window": lambda: _("偽造カードによる被害のため、補償の対象期間に制限はありません。"),
    "no_limit_counterfeit": lambda: _(
        "偽造・変造カードによる被害のため、補償の対象期間（通知日前30日）と2年の期限の制限はありません。"
    ),
    "no_limit_customer_transfer": lambda: _(
        "お客さまご自身が行ったお振込みは預金者保護法の対象外のため、"
        "補償の対象期間と2年の期限はありません。振り込め詐欺救済法が適用されます。"
    ),
    "customer_transfer": lambda: _(
        "お客さまご自身が（だまされて）行ったお振込みのため、預金者保護法による補償の対象外です。"
        "振り込め詐欺救済法により、振込先の口座に残っている資金から"
        "被害回復分配金が支払われる場合があります。"
    ),
    "remedy_act": lambda: _(
        "お客さまご自身が行ったお振込みは、預金者保護法（盗難・偽造カード等による被害の補償）の"
        "対象ではありません。振り込め詐欺救済法に基づき、当行から振込先の金融機関へ口座の凍結を"
        "依頼します。預金保険機構の公告する申請期間内にお申し出いただくと、"
        "振込先の口座に残る資金から被害額に応じて分配金が支払われる場合があります。"
    ),
    "summary_limit": lambda kind_label, phrase: (
        _("%(kind)sについては、%(phrase)sのため、補償の対象外です。")
        % {"kind": staff_words(kind_label), "phrase": staff_words(phrase)}
    ),
    "summary_outcome": _outcome,
    "distribution": _distribution,
    # Not the engine's: a supervisor's case-by-case rate (compensation/selectors/evaluation.py).
    "case_by_case": case_by_case_words,
}


def recorded_words(phrases: Iterable[object]) -> Callable[[str], object]:
    """For a record kept in Japanese: each recorded sentence as the phrase that makes exactly the
    same Japanese today (a staff screen then says it in the reader's language), else the recorded
    text as it is."""
    known = {str(phrase): phrase for phrase in phrases if isinstance(phrase, Phrase)}
    return lambda recorded: known.get(recorded, recorded)


def staff_words(value: object) -> str:
    """A label or sentence of the rules in the reader's language; anything else as it is."""
    if not isinstance(value, Phrase):
        return "" if value is None else str(value)
    words = PHRASES.get(value.key)
    if words is None:
        return str(value)
    return str(words(*value.args))

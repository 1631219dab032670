"""The circumstances checklist (docs/domain.md §4.4) in the codes of the rules engine's contract."""

from django.utils.translation import gettext_lazy as _

# Cash cards (stolen, lost or counterfeit): G = gross negligence, N = negligence examples.
CARD_QUESTIONS = [
    ("pin_told_to_someone", _("暗証番号を他人に知らせた（G1）")),
    ("pin_written_on_card", _("暗証番号をカード上に書き記していた（G2）")),
    ("card_handed_to_someone", _("カードを他人に渡した（G3）")),
    (
        "care_helper_exception",
        _("病気の方が介護ヘルパー等に暗証番号を知らせてカードを渡した等、やむを得ない事情がある"),
    ),
    (
        "pin_guessable",
        _("暗証番号が生年月日・住所・電話番号・自動車ナンバー等の類推されやすいもの"),
    ),
    (
        "bank_requested_pin_change",
        _("銀行から個別的・具体的・複数回にわたり暗証番号の変更を依頼されていた"),
    ),
    (
        "card_kept_with_id_documents",
        _("暗証番号を推測できる書類（免許証・保険証・パスポート）とカードを一緒に携行・保管"),
    ),
    (
        "pin_memo_with_card",
        _("暗証番号を容易に第三者が認知できる形でメモし、カードと一緒に携行・保管（N2）"),
    ),
    (
        "pin_reused_elsewhere",
        _("暗証番号をロッカー・貴重品ボックス・携帯電話等の他の用途にも使っていた"),
    ),
    (
        "card_left_unattended",
        _("カードを入れた財布等を、他人に容易に奪われる状態で放置（車内に外から見える状態など）"),
    ),
    ("intoxicated", _("酩酊等により通常より注意力が低下し、カードを容易に奪われる状態だった")),
]

PASSBOOK_QUESTIONS = [
    ("passbook_handed_to_someone", _("通帳を他人に渡した")),
    ("stamped_slip_handed_to_someone", _("届出印を押印した払戻請求書・諸届を他人に渡した")),
    ("passbook_left_unattended", _("通帳を他人の目につきやすい場所に放置した")),
    (
        "stamped_slips_kept_with_passbook",
        _("届出印を押印した払戻請求書・諸届を通帳とともに保管した"),
    ),
    ("seal_kept_with_passbook", _("届出印を通帳とともに保管した")),
]

COMMON_QUESTIONS = [
    ("comparable_gross", _("上記と同程度の著しい注意義務違反がある（役席の判断）")),
    ("comparable_negligence", _("上記と同程度の注意義務違反がある（役席の判断）")),
]

# Online banking: the sources judge fault case by case, so these are recorded factors only.
ONLINE_BANKING_FACTORS = [
    ("ob_password_shared_or_stored", _("パスワードを他人に教えた、または電子的に保存していた")),
    ("ob_software_outdated", _("OS・ウイルス対策ソフトを最新にしていなかった")),
    ("ob_public_pc_or_wifi", _("不特定多数が利用するパソコンや無料Wi-Fiを利用した")),
    ("ob_phishing_entry", _("フィッシングサイトやポップアップ画面にID・パスワード等を入力した")),
    ("ob_no_one_time_password", _("ワンタイムパスワードを利用していなかった")),
    ("ob_high_transfer_limit", _("振込限度額を必要以上に高く設定していた")),
]

CARD_CODES = frozenset(code for code, _label in CARD_QUESTIONS)
PASSBOOK_CODES = frozenset(code for code, _label in PASSBOOK_QUESTIONS)
COMMON_CODES = frozenset(code for code, _label in COMMON_QUESTIONS)
CHECKLIST_CODES = CARD_CODES | PASSBOOK_CODES | COMMON_CODES
ONLINE_BANKING_CODES = frozenset(code for code, _label in ONLINE_BANKING_FACTORS)
LABELS = dict(CARD_QUESTIONS + PASSBOOK_QUESTIONS + COMMON_QUESTIONS + ONLINE_BANKING_FACTORS)

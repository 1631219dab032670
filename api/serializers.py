"""The API's documents: their shapes (and so the OpenAPI schema). What a value may be is decided by
the case desk's own forms (api/forms_bridge.py), never here a second time."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from compensation.choices import DecisionStatus, LineStatus, Outcome
from incidents.models.choices import (
    ActionKind,
    ActionStatus,
    CaseStatus,
    CoreOwner,
    CoreRequestState,
    CustomerType,
    DeadlineKind,
    DeadlineState,
    ItemKind,
    ItemState,
    ReporterRelation,
)

# Long enough for any field of the call form; a longer string is refused before the form runs.
TEXT_MAX = 2000


NO_ITEMS = _("届出の対象（カード・通帳など）を1件以上入力してください。")


class Text(serializers.CharField):
    """A string of the call, refused in the bank's words where DRF's catalogue has only English."""

    default_error_messages = {
        "invalid": _("文字列で入力してください。"),
        "max_length": _("{max_length}文字以内で入力してください。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", TEXT_MAX)
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)
        for validator in self.validators:
            if isinstance(validator, ProhibitSurrogateCharactersValidator):
                validator.message = _("使用できない文字（U+{code_point:X}）が含まれています。")


class CallItemIn(serializers.Serializer):
    """One item named on the call (the monitoring center's item row)."""

    kind = serializers.ChoiceField(choices=ItemKind.choices)
    state = serializers.ChoiceField(choices=ItemState.choices)
    account_branch = Text()
    account_number = Text()


class PreliminaryCaseIn(serializers.Serializer):
    """An after-hours call, as the monitoring center's telephone system sends it."""

    reporter_relation = serializers.ChoiceField(
        choices=ReporterRelation.choices, required=False, default=ReporterRelation.SELF
    )
    reporter_name = Text()
    reporter_phone = Text()
    customer_number = Text()
    customer_type = serializers.ChoiceField(
        choices=CustomerType.choices, required=False, default=CustomerType.INDIVIDUAL
    )
    customer_name = Text()
    customer_name_kana = Text(required=True, allow_blank=False)
    customer_birth_date = Text(help_text="YYYY-MM-DD")
    customer_phone = Text()
    circumstances_note = Text()
    stop_now = serializers.BooleanField(required=False, default=True)
    # The stubs do not know ListSerializer's length bounds that many=True passes on.
    items = CallItemIn(  # type: ignore[call-arg]
        many=True,
        min_length=1,
        max_length=10,
        error_messages={
            "min_length": NO_ITEMS,
            "empty": NO_ITEMS,
            "max_length": _("届出の対象は10件までです。"),
        },
    )


class ItemOut(serializers.Serializer):
    """A reported item (card, passbook, seal…): its kind, what happened to it and when."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    state = serializers.ChoiceField(choices=ItemState.choices)
    occurred_on = serializers.DateField(allow_null=True)


class StopOut(serializers.Serializer):
    """A protective stop: its kind and status, and the core's reference once it is done."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    item = serializers.IntegerField(allow_null=True)
    reference = serializers.CharField(allow_blank=True)
    performed_at = serializers.DateTimeField(allow_null=True)


class DeadlineOut(serializers.Serializer):
    """A deadline the branch owes on the case, on the business calendar."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DeadlineKind.choices)
    state = serializers.ChoiceField(choices=DeadlineState.choices)
    due_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


class AssessedTransactionOut(serializers.Serializer):
    """One unauthorized transaction as the compensation engine assessed it."""

    id = serializers.IntegerField()
    date = serializers.DateField()
    amount = serializers.IntegerField(help_text="whole yen")
    claimed = serializers.IntegerField(help_text="whole yen")
    rate = serializers.IntegerField(allow_null=True, help_text="percent")
    compensation = serializers.IntegerField(allow_null=True, help_text="whole yen")
    status = serializers.ChoiceField(choices=LineStatus.choices)


class AssessmentOut(serializers.Serializer):
    """The compensation engine's assessment of the case's current facts."""

    outcome = serializers.ChoiceField(choices=Outcome.choices)
    estimate = serializers.BooleanField(
        help_text="true until a supervisor has confirmed the facts (見込み)"
    )
    window_start = serializers.DateField(allow_null=True)
    claimed_total = serializers.IntegerField()
    compensation_total = serializers.IntegerField(allow_null=True)
    transactions = AssessedTransactionOut(many=True)


class DecisionOut(serializers.Serializer):
    """The case's latest compensation decision under four eyes."""

    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=DecisionStatus.choices)
    outcome = serializers.CharField(allow_blank=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)


class CaseOut(serializers.Serializer):
    """A case's status, stops, deadlines and assessment: ids, states, dates and amounts."""

    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    branch = serializers.CharField(help_text="the branch's three-digit code")
    after_hours = serializers.BooleanField()
    notified_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    version = serializers.IntegerField()
    items = ItemOut(many=True)
    stops = StopOut(many=True)
    deadlines = DeadlineOut(many=True)
    assessment = AssessmentOut()
    decision = DecisionOut(allow_null=True)


class PreliminaryCaseOut(serializers.Serializer):
    """What the telephone system needs back: the case's number and each stop's reference."""

    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    branch = serializers.CharField(help_text="the branch's three-digit code")
    stops = StopOut(many=True)


class ChangedCaseOut(serializers.Serializer):
    """A case changed since the cursor: enough to decide whether to read it whole."""

    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    branch = serializers.CharField(source="branch.code")
    updated_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class ChangesOut(serializers.Serializer):
    """One page of changed cases; ask again with ``next_cursor`` (also when ``has_more`` is false,
    later, for the changes still to come)."""

    results = ChangedCaseOut(many=True, source="cases")
    next_cursor = serializers.CharField(allow_null=True)
    has_more = serializers.BooleanField()


class ChangesQuery(serializers.Serializer):
    """Where to go on from in the list of changed cases, and how many at a time."""

    cursor = serializers.CharField(required=False, max_length=200)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)


class ErrorOut(serializers.Serializer):
    """A refusal that is not about one field."""

    detail = serializers.CharField()


class StopConfirmIn(serializers.Serializer):
    """The core's confirmation of a stop it was asked for."""

    reference = Text(required=True, allow_blank=False, max_length=40)
    confirmed_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="ISO 8601 with its offset; now when absent, in the future or before 2000",
        error_messages={
            "invalid": _("日時はISO 8601形式（例: 2026-11-30T16:21:19+09:00）で入力してください。"),
            "overflow": _("扱える範囲の日時を入力してください。"),
            "make_aware": _("扱える範囲の日時を入力してください。"),
            "date": _("日付ではなく日時を入力してください。"),
        },
    )


class StopRefuseIn(serializers.Serializer):
    """The core's refusal of a stop it was asked for."""

    code = Text(required=True, allow_blank=False, max_length=40, help_text="e.g. unknown_account")
    reason = Text(max_length=200, help_text="shown to the teller")


class StopAnswerOut(serializers.Serializer):
    """The request's owner as recorded after the core's answer: ids and states. ``owner`` says
    which it is: a case's stop (``stop``), a victim's freeze request to an account at our bank
    (``freeze_request``, its ``status`` the answer), or a freeze case (``freeze_case``, no case
    of the desk, its ``status`` the freeze case's)."""

    key = serializers.UUIDField()
    request_state = serializers.ChoiceField(choices=CoreRequestState.choices)
    owner = serializers.ChoiceField(choices=CoreOwner.choices)
    case = serializers.IntegerField(allow_null=True)
    stop = serializers.IntegerField(allow_null=True)
    freeze_request = serializers.IntegerField(allow_null=True)
    freeze_case = serializers.IntegerField(allow_null=True)
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    status = serializers.CharField(
        help_text="the stop's (ActionStatus), the freeze request's answer or the freeze case's"
    )
    reference = serializers.CharField(allow_blank=True)
    performed_at = serializers.DateTimeField(allow_null=True)
    failure_code = serializers.CharField(allow_blank=True)
    failure_reason = serializers.CharField(allow_blank=True)

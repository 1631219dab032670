"""Reading what a step's page sends to be kept before an idle logout."""

from __future__ import annotations

import json

from django.conf import settings
from django.forms import BaseForm, BaseFormSet
from django.forms.utils import ErrorDict, ErrorList
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

from incidents.models import Case

# Steps whose form on screen is kept before an idle logout (the review step has nothing to type).
AUTOSAVE_STEPS = (
    "reporter",
    "customer",
    "items",
    "stops",
    "fraud",
    "transactions",
    "police",
    "checklist",
)
AUTOSAVE_MAX_VALUES = 100
AUTOSAVE_MAX_LENGTH = 10_000


def _autosaves(case: Case, step: str) -> bool:
    """Whether the step of this case is still being entered (a draft: a submitted case is
    corrected on the case page, not through the intake)."""
    return case.is_draft


def _as_querydict(data: dict) -> QueryDict:
    """Kept form data as the form would have received it."""
    query = QueryDict(mutable=True)
    for name, values in (data or {}).items():
        query.setlist(name, [str(v) for v in (values if isinstance(values, list) else [values])])
    query._mutable = False
    return query


def _quiet(value):
    """A form (or formset, or list of them) bound to kept data, shown without its errors: the
    data was saved because it may not be complete yet; errors appear when the teller saves."""
    if isinstance(value, list | tuple):
        for item in value:
            _quiet(item)
    elif isinstance(value, BaseForm):
        value._errors = ErrorDict()  # type: ignore[attr-defined]  # Django's own cache
    elif isinstance(value, BaseFormSet):
        for form in value.forms:
            _quiet(form)
        value._errors = [ErrorDict() for _form in value.forms]  # type: ignore[attr-defined]
        value._non_form_errors = ErrorList()  # type: ignore[attr-defined]
    return value


def _encodable(text: str) -> bool:
    """JSON may carry lone surrogates ("\\ud800"), which no database text can hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _posted_fields(request: HttpRequest) -> dict[str, list[str]]:
    """The raw fields of an autosave: JSON ``{"fields": {name: value or [values]}}`` from the
    page's script, or an ordinary form post. ValueError (with a Japanese message) if malformed."""
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise ValueError(_("送信された内容（JSON）の形式が正しくありません。")) from error
        if not isinstance(payload, dict) or not isinstance(payload.get("fields"), dict):
            raise ValueError(_("送信された内容に入力項目（fields）がありません。"))
        raw = payload["fields"]
    else:
        raw = {name: request.POST.getlist(name) for name in request.POST}
    if len(raw) > settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:
        raise ValueError(_("入力項目が多すぎます。"))
    fields: dict[str, list[str]] = {}
    for name, value in raw.items():
        if name in ("csrfmiddlewaretoken", "discard_autosave"):
            continue
        values = value if isinstance(value, list) else [value]
        if (
            not name
            or not _encodable(name)
            or len(name) > 100
            or not name.isprintable()
            or len(values) > AUTOSAVE_MAX_VALUES
            or not all(isinstance(v, str) for v in values)
        ):
            raise ValueError(_("入力項目の形式が正しくありません。"))
        if any(len(v) > AUTOSAVE_MAX_LENGTH or "\x00" in v or not _encodable(v) for v in values):
            raise ValueError(_("入力内容が長すぎるか、使えない文字が含まれています。"))
        fields[name] = values
    return fields

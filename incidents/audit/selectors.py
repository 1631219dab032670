# ruff: noqa: S608 — SQL assembled from model metadata; the case id goes as a parameter.
"""Reads of the audit trail: a case's change history (before → after, who, when) and the access log.

The history rows are written by database triggers (django-pghistory) on every insert, change and
delete of a case, its items, stops and transactions; the user comes from the request's history
context. The access log is written by the views that show a case.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from django.db import connection
from django.db.models import DateField, DateTimeField, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.models import (
    AccessRefusal,
    Case,
    CaseAccess,
    CaseHistory,
    ProtectiveActionHistory,
    ReportedItemHistory,
    UnauthorizedTransactionHistory,
    User,
)

# Bookkeeping columns nobody needs to read in a history.
HIDDEN = {
    "id",
    "case",
    "intake_token",
    "intake_step",
    "created_at",
    "updated_at",
    "version",
    "search_text",
    "position",
}
USER_FIELDS = {"created_by", "assigned_to", "submitted_by", "performed_by"}
LABELS = {
    "insert": gettext_lazy("作成"),
    "update": gettext_lazy("変更"),
    "delete": gettext_lazy("削除"),
}


@dataclass(frozen=True)
class Change:
    """One field's value before and after."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded change to case data."""

    at: datetime
    user: str
    subject: str
    action: str
    changes: list[Change]
    pgh_id: int


def _label(field) -> str:
    if field.name == "item":
        return _("届出対象")
    return str(field.verbose_name)


def _fields(model) -> list:
    tracked = model.pgh_tracked_model
    names = {f.name for f in model._meta.fields}
    return [f for f in tracked._meta.fields if f.name in names and f.name not in HIDDEN]


def _display(field, value, names: dict[str, dict]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if field.name in USER_FIELDS:
        return names["user"].get(value, f"#{value}")
    if field.is_relation:
        return names.get(field.name, {}).get(value, f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("はい") if value else _("いいえ")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y/%m/%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y/%m/%d")
    if isinstance(value, list):
        return _("、").join(str(v) for v in value)
    if isinstance(value, int) and field.get_internal_type() == "BigIntegerField":
        return f"{value:,}"
    return str(value)


def _raw(event: SimpleNamespace, field) -> object:
    return getattr(event, field.attname)


def _subject(model, event) -> str:
    tracked = model.pgh_tracked_model
    if tracked is Case:
        return str(tracked._meta.verbose_name)
    # The mark between is the reader's language's own: 「：」, or ": " in English.
    return f"{tracked._meta.verbose_name}{_('：')}{_row_name(model, event)}"


def _row_name(model, event) -> str:
    """The row as it was at that event (a transaction's type and amount, an item's kind)."""
    tracked = model.pgh_tracked_model
    return str(tracked(**{f.attname: getattr(event, f.attname) for f in _fields(model)}))


# The history tables and the column that ties their rows to a case.
HISTORY_SOURCES = (
    (CaseHistory, "pgh_obj_id"),
    (ReportedItemHistory, "case_id"),
    (ProtectiveActionHistory, "case_id"),
    (UnauthorizedTransactionHistory, "case_id"),
)
HISTORY_SQL = (
    " UNION ALL ".join(
        f"SELECT {index} AS source, h.pgh_id, h.pgh_created_at, h.pgh_label, h.pgh_context,"
        f" h.pgh_obj_id, to_jsonb(h) AS row FROM {model._meta.db_table} h"
        f" WHERE h.{column} = %s"
        for index, (model, column) in enumerate(HISTORY_SOURCES)
    )
    + " ORDER BY pgh_created_at, source, pgh_id"
)


def _event(model, pgh_id, created_at, label, context, obj_id, row: dict) -> SimpleNamespace:
    """A history row as attributes, its values back in Python types."""
    # Django reads jsonb as text and decodes it itself; so do we.
    row = json.loads(row) if isinstance(row, str) else row
    context = json.loads(context) if isinstance(context, str) else context
    values = {}
    for f in _fields(model):
        value = row.get(f.attname)
        if value is not None and isinstance(f, DateTimeField):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(f, DateField):
            value = date.fromisoformat(value)
        values[f.attname] = value
    return SimpleNamespace(
        pgh_id=pgh_id,
        pgh_created_at=created_at,
        pgh_label=label,
        pgh_context=context,
        pgh_obj_id=obj_id,
        **values,
    )


def case_history(*, case: Case) -> list[HistoryEntry]:
    """Every recorded change to the case and its items, stops and transactions, oldest first.

    One query over the four history tables (clock_timestamp() orders changes made in one
    transaction) and one for the names of the staff involved.
    """
    with connection.cursor() as cursor:
        cursor.execute(HISTORY_SQL, [case.pk] * len(HISTORY_SOURCES))
        rows = cursor.fetchall()
    events = [
        (HISTORY_SOURCES[source][0], _event(HISTORY_SOURCES[source][0], *rest))
        for source, *rest in rows
    ]
    named: set[int | None] = set()
    for _model, event in events:
        named.add((event.pgh_context or {}).get("user"))
        for name in USER_FIELDS:
            named.add(getattr(event, f"{name}_id", None))
    user_ids = {pk for pk in named if pk is not None}
    users = {u.pk: u.display_name for u in User.objects.filter(pk__in=user_ids)}
    # A case never moves branch in practice; another branch would show as its number.
    names = {"user": users, "branch": {case.branch_id: str(case.branch)}, "item": {}}
    previous: dict[tuple, SimpleNamespace] = {}
    entries = []
    for model, event in events:
        fields = _fields(model)
        if model is ReportedItemHistory:
            names["item"][event.pgh_obj_id] = _row_name(model, event)
        key = (model, event.pgh_obj_id)
        before = previous.get(key)
        changes = []
        for f in fields:
            old = _raw(before, f) if before is not None else None
            new = _raw(event, f)
            if event.pgh_label == "delete":
                changes.append(Change(_label(f), _display(f, new, names), "—"))
            elif before is None:
                if new not in (None, "", []):
                    changes.append(Change(_label(f), "—", _display(f, new, names)))
            elif old != new:
                changes.append(Change(_label(f), _display(f, old, names), _display(f, new, names)))
        previous[key] = event
        if event.pgh_label == "update" and not changes:
            continue
        user_id = (event.pgh_context or {}).get("user")
        action = str(LABELS.get(event.pgh_label, event.pgh_label))
        moved_from = (event.pgh_context or {}).get("merged_from")
        if event.pgh_label == "update" and before is None and moved_from:
            # Its earlier lines are the merged report's: here it arrives, whole.
            action = _("統合により移動（受付番号 %(number)s から）") % {"number": moved_from}
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                user=users.get(user_id, _("システム")) if user_id else _("システム"),
                subject=_subject(model, event),
                action=action,
                changes=changes,
                pgh_id=event.pgh_id,
            )
        )
    return entries


ACCESS_PAGE_SIZE = 100


def access_log_search(
    *,
    staff: str = "",
    case_number: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
) -> tuple[list[CaseAccess], bool]:
    """Who looked at which case, newest first, by staff member and/or case; (rows, has_next)."""
    rows = CaseAccess.objects.select_related("user", "case__branch")
    rows = rows.filter(_who_read_what_when(staff, case_number, date_from, date_to))
    return _page(rows, page)


def refusal_search(
    *,
    staff: str = "",
    case_number: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
) -> tuple[list[AccessRefusal], bool]:
    """Refused access (403s, and 404s on a case's URL), newest first, with the access log's
    filters; (rows, has_next). ``row.case`` is None where the URL named no existing case."""
    rows = AccessRefusal.objects.select_related("user", "case__branch")
    rows = rows.filter(_who_what_when(staff, case_number, date_from, date_to))
    return _page(rows, page)


def _who_what_when(staff: str, case_number: str, date_from, date_to) -> Q:
    """The filters both logs share: member of staff, case number, period."""
    condition = _period(date_from, date_to)
    staff = staff.strip()
    if staff:
        condition &= (
            Q(user__username=staff)
            | Q(user__last_name__contains=staff)
            | Q(user__first_name__contains=staff)
        )
    case_number = case_number.strip()
    if case_number:
        condition &= Q(case__number=case_number)
    return condition


def _who_read_what_when(staff: str, case_number: str, date_from, date_to) -> Q:
    """The access log's filters: a case number also finds a record read beside the cases by its
    name (「口座凍結 12」)."""
    condition = _who_what_when(staff, "", date_from, date_to)
    case_number = case_number.strip()
    if case_number:
        condition &= Q(case__number=case_number) | Q(record=case_number)
    return condition


def _period(date_from: date | None, date_to: date | None) -> Q:
    """Whole days in Japan time, as bounds on the indexed column ``at``.

    The forms keep dates within the project's range; a day past it here still never overflows
    (the last day there is has no next day: it is open-ended).
    """
    condition = Q()
    if date_from:
        condition &= Q(at__gte=timezone.make_aware(datetime.combine(date_from, time.min)))
    if date_to and date_to < date.max:
        next_day = date_to + timedelta(days=1)
        condition &= Q(at__lt=timezone.make_aware(datetime.combine(next_day, time.min)))
    return condition


def _page(rows, page: int) -> tuple[list, bool]:
    """One page of rows, newest first; (rows, whether there is a next page)."""
    offset = (max(1, page) - 1) * ACCESS_PAGE_SIZE
    found = list(rows.order_by("-at", "-pk")[offset : offset + ACCESS_PAGE_SIZE + 1])
    return found[:ACCESS_PAGE_SIZE], len(found) > ACCESS_PAGE_SIZE

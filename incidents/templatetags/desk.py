"""Template filters of the working screens."""

import functools
from html import escape

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from incidents.intake.steps import ALL_STEPS
from incidents.models.choices import CaseStatus, DeadlineKind, ItemKind

register = template.Library()

ITEM_KIND_LABELS = dict(ItemKind.choices)
DEADLINE_KIND_LABELS = dict(DeadlineKind.choices)


# Punctuation around values is the language's own: （…）・： in Japanese, " (…)", " · ", ": " in
# English. The marks are translated like words.


@register.filter
def parens(value) -> SafeString | str:
    """A value in brackets: 「（普通預金）」, or " (Ordinary deposit)" in English."""
    if value in (None, ""):
        return ""
    return format_html(_("（{}）"), value)


@register.simple_tag
def lparen() -> str:
    """The opening bracket around more than one value: 「（」, or " (" in English."""
    return _("（")


@register.simple_tag
def rparen() -> str:
    """The closing bracket that ``lparen`` opened: 「）」, or ")" in English."""
    return _("）")


@register.simple_tag
def sep() -> str:
    """The mark between two short values: 「・」, or " · " in English."""
    return _("・")


@register.simple_tag
def colon() -> str:
    """The mark before a value: 「：」, or ": " in English."""
    return _("：")


@register.simple_tag
def listsep() -> str:
    """The mark between the items of a list: 「、」, or ", " in English."""
    return _("、")


@register.simple_tag
def rangesep() -> str:
    """The mark between the two ends of a range of dates: 「〜」, or " – " in English."""
    return _("〜")


@register.simple_tag
def percent() -> str:
    """The percent sign after a rate: 「％」, or "%" in English."""
    return _("％")


@register.filter
def quoted(value) -> SafeString | str:
    """A value in quotation marks: 「…」, or “…” in English."""
    return format_html(_("「{}」"), "" if value is None else value)


@register.filter
def item_kind_labels(codes) -> str:
    """The item kinds of a case, as the bank calls them, without repeats."""
    seen = []
    for code in codes or ():
        label = str(ITEM_KIND_LABELS.get(code, code))
        if label not in seen:
            seen.append(label)
    return _("・").join(seen)


@register.filter
def deadline_kind_label(code) -> str:
    """What a deadline is for."""
    return str(DEADLINE_KIND_LABELS.get(code, code or ""))


@register.simple_tag
def select_options(bound_field) -> str:
    """The <option>s of a choice field, the chosen one selected (cheaper than widget templates)."""
    value = bound_field.value()
    chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value or "")}
    return mark_safe(  # noqa: S308 — keys and labels are escaped
        "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in bound_field.field.choices
        )
    )


@functools.lru_cache(maxsize=8)
def _labels(language: str) -> tuple[dict, dict, dict]:
    """Status, item-kind and deadline-kind labels in one language, translated once."""
    return (
        {value: str(label) for value, label in CaseStatus.choices},
        {value: str(label) for value, label in ItemKind.choices},
        {value: str(label) for value, label in DeadlineKind.choices},
    )


@register.simple_tag
def queue_rows(rows, can_assign: bool, spans_branches: bool) -> str:
    """The queue's rows, built in Python: the page's hot loop (bench/bench_queue.py measures it).

    Labels are translated once per page, not once per row; every value from the database is
    escaped.
    """
    statuses, kinds, deadlines = _labels(get_language())
    tz = timezone.get_current_timezone()
    # Outside the f-strings, where makemessages finds them (inside one, 期限間近 went untranslated).
    after_hours_label, overdue_label, soon_label = _("時間外"), _("期限超過"), _("期限間近")
    after_hours = f' <span class="badge text-bg-warning">{escape(after_hours_label)}</span>'
    badges = {
        "overdue": '<span class="badge text-bg-danger" data-testid="badge-overdue">'
        f"{escape(overdue_label)}</span> ",
        "soon": '<span class="badge text-bg-warning" data-testid="badge-soon">'
        f"{escape(soon_label)}</span> ",
        "": "",
    }
    detail = reverse("incidents:case_detail", args=[0]).removesuffix("0/")
    separator = _("・")
    html = []
    for case in rows:
        cells = []
        if can_assign:
            cells.append(
                '<td><input class="form-check-input" type="checkbox" name="cases" '
                f'value="{case.pk}:{case.version}" aria-label="{escape(case.number or "")}"></td>'
            )
        cells.append(
            f'<td><a href="{detail}{case.pk}/">{escape(case.number or "")}</a>'
            f"{after_hours if case.after_hours else ''}</td>"
            f"<td>{escape(statuses.get(case.status, case.status))}</td>"
        )
        due = ""
        if case.next_due:
            due = (
                f'<span class="small">{escape(deadlines.get(case.next_due_kind, ""))} '
                f"{case.next_due.astimezone(tz):%m/%d %H:%M}</span>"
            )
        labels = separator.join(dict.fromkeys(kinds.get(k, k) for k in case.item_kinds or ()))
        cells.append(
            f"<td>{badges.get(case.badge, '')}{due}</td>"
            f"<td>{escape(case.customer_name)}"
            f'<div class="small text-muted">{escape(case.customer_name_kana)}</div></td>'
            f"<td>{escape(labels)}</td>"
        )
        if spans_branches:
            cells.append(f"<td>{escape(case.branch_name)}</td>")
        assignee = case.assignee_name or "—"
        cells.append(
            f"<td>{escape(assignee)}</td><td>{case.notified_at.astimezone(tz):%Y/%m/%d %H:%M}</td>"
        )
        html.append(f'<tr data-testid="queue-row">{"".join(cells)}</tr>')
    return mark_safe("".join(html))  # noqa: S308 — every value above is escaped


@register.filter
def step_title(slug: str) -> str:
    """The title of an intake step, as the teller saw it (the last step a draft saved)."""
    titles = {step.slug: step.title for step in ALL_STEPS}
    return str(titles.get(slug, slug))

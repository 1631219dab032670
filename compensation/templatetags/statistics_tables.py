"""The statistics page's table rows, built in Python.

The page shows some 300 figures; through the template language (a loop iteration, a variable
lookup and a filter or two per cell) they cost more than computing them. Here each row is one
``format_html`` with the figures formatted directly: the same markup, a fraction of the time.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from compensation.reports.periods import in_unit
from compensation.reports.statistics import CategoryTable, Cell, category_label
from incidents.templatetags.desk import parens

register = template.Library()


def _count(value: int) -> str:
    """An integer with thousands separators, as ``intcomma`` writes one in both languages."""
    return f"{int(value):,}"


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


@register.simple_tag
def association_rows(table: CategoryTable, unit: str) -> SafeString:
    """The rows of one category's table of cases and amounts."""
    within = parens(_("期間内"))
    return format_html_join(
        "\n",
        '<tr class="row-{}" data-testid="row-{}"><th scope="row">{}{}</th>'
        '<td class="amount" data-testid="individual-cases">{}</td>'
        '<td class="amount" data-testid="individual-amount">{}</td>'
        '<td class="amount" data-testid="corporate-cases">{}</td>'
        '<td class="amount" data-testid="corporate-amount">{}</td></tr>',
        (
            (
                row.kind,
                row.kind,
                row.label,
                format_html('<span class="small fw-normal">{}</span>', within)
                if row.partial_year
                else "",
                _count(row.individual.cases),
                _count(in_unit(row.individual.amount, unit)),
                _count(row.corporate.cases),
                _count(in_unit(row.corporate.amount, unit)),
            )
            for row in table.rows
        ),
    )


@register.simple_tag
def decision_rows(table: CategoryTable) -> SafeString:
    """The rows of one category's table of individual customers' decisions."""
    return format_html_join(
        "\n",
        '<tr class="row-{}"><th scope="row">{}</th>'
        '<td class="amount" data-testid="decided">{}</td>'
        '<td class="amount" data-testid="compensated">{}</td>'
        '<td class="amount" data-testid="rate">{}</td></tr>',
        (
            (
                row.kind,
                row.label,
                _count(row.individual.decided),
                _count(row.individual.compensated),
                _percent(row.individual.rate),
            )
            for row in table.rows
        ),
    )


def _regulator_row(label: str, cell: Cell, unit: str, row_class: str, category: str) -> SafeString:
    average = cell.average_man_yen
    return format_html(
        '<tr class="{}" data-testid="regulator-{}"><th scope="row">{}</th>'
        '<td class="amount" data-testid="cases">{}</td>'
        '<td class="amount" data-testid="amount">{}</td>'
        '<td class="amount" data-testid="average">{}</td>'
        '<td class="amount" data-testid="compensated">{}</td><td class="amount">{}</td>'
        '<td class="amount" data-testid="not-compensated">{}</td><td class="amount">{}</td>'
        '<td class="amount" data-testid="investigating">{}</td><td class="amount">{}</td></tr>',
        row_class,
        category,
        label,
        _count(cell.cases),
        _count(in_unit(cell.amount, unit)),
        "—" if average is None else average,
        _count(cell.compensated),
        _percent(cell.share(cell.compensated)),
        _count(cell.not_compensated),
        _percent(cell.share(cell.not_compensated)),
        _count(cell.investigating),
        _percent(cell.share(cell.investigating)),
    )


@register.simple_tag
def regulator_rows(regulator: Iterable[tuple[str, Cell]], total: Cell, unit: str) -> SafeString:
    """The regulator's table: a row per category, then the total."""
    rows = [
        _regulator_row(category_label(category), cell, unit, "", category)
        for category, cell in regulator
    ]
    rows.append(_regulator_row(_("合計"), total, unit, "row-total", "total"))
    return SafeString("\n".join(rows))


@register.simple_tag
def select_options(field: BoundField) -> SafeString:
    """The options of a filter's select, the current value selected: what the widget renders,
    without a template per option."""
    current = field.value()
    current = "" if current is None else str(current)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, " selected" if str(value) == current else "", label)
            for value, label in field.field.choices  # type: ignore[attr-defined]
        ),
    )

"""The statistics as CSV that Japanese Excel opens as it is: UTF-8 with a byte-order mark, CRLF.

Amounts are in the chosen unit (円, 万円, 百万円), each rounded half up from the exact yen figure
(so a total may differ from the sum of its rounded rows by the rounding); rates and shares are
percentages with one decimal, rounded half up, empty where nothing was decided. Every row carries
the period and the branch, so files from several runs can be put side by side.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from compensation.reports.periods import UNIT_LABELS, in_unit
from compensation.reports.statistics import Cell, Report, category_label

BOM = "\ufeff"


def _rate(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def association_table(report: Report, unit: str) -> tuple[list[str], list[list]]:
    """The bankers' association's shape: one row per category and quarter, fiscal year, period."""
    unit_label = UNIT_LABELS[unit]
    header = [
        _("期間"),
        _("対象店"),
        _("区分"),
        _("年度"),
        _("四半期"),
        _("個人 件数"),
        _("個人 金額（%(unit)s）") % {"unit": unit_label},
        _("法人 件数"),
        _("法人 金額（%(unit)s）") % {"unit": unit_label},
        _("個人 方針決定済件数"),
        _("個人 うち補償件数"),
        _("個人 補償率（％）"),
    ]
    rows = []
    for table in [*report.tables, *report.reference]:
        for row in table.rows:
            year: int | str | None
            quarter: int | str
            if row.kind == "quarter" and row.quarter is not None:
                year, quarter = row.fiscal_year, row.quarter.number
            elif row.kind == "year":
                year, quarter = row.fiscal_year, _("年度計")
            else:
                year, quarter = _("期間計"), ""
            individual, corporate = row.individual, row.corporate
            rows.append(
                [
                    str(report.period.label),
                    report.scope_label,
                    table.label,
                    year,
                    quarter,
                    individual.cases,
                    in_unit(individual.amount, unit),
                    corporate.cases,
                    in_unit(corporate.amount, unit),
                    individual.decided,
                    individual.compensated,
                    _rate(individual.rate),
                ]
            )
    return header, rows


def regulator_table(report: Report, unit: str) -> tuple[list[str], list[list]]:
    """The regulator's shape: per category (individual customers) and the total."""
    unit_label = UNIT_LABELS[unit]
    header = [
        _("期間"),
        _("対象店"),
        _("区分"),
        _("件数"),
        _("金額（%(unit)s）") % {"unit": unit_label},
        _("平均被害額（万円）"),
        _("補償した件数"),
        _("補償した件数の割合（％）"),
        _("補償しない件数"),
        _("補償しない件数の割合（％）"),
        _("調査・検討中等の件数"),
        _("調査・検討中等の割合（％）"),
    ]

    def line(label: str, cell: Cell) -> list:
        return [
            str(report.period.label),
            report.scope_label,
            label,
            cell.cases,
            in_unit(cell.amount, unit),
            _rate(cell.average_man_yen),
            cell.compensated,
            _rate(cell.share(cell.compensated)),
            cell.not_compensated,
            _rate(cell.share(cell.not_compensated)),
            cell.investigating,
            _rate(cell.share(cell.investigating)),
        ]

    rows = [line(category_label(category), cell) for category, cell in report.regulator]
    rows.append(line(_("合計"), report.regulator_total))
    return header, rows


def csv_text(header: list[str], rows: Iterable[list]) -> str:
    """The CSV as Excel expects it in Japan: a byte-order mark, then CRLF-terminated rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return BOM + buffer.getvalue()

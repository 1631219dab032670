"""The industry statistics (page and CSV) and the dashboard: thin views over the selectors.

A branch's supervisor sees their branch; compliance sees every branch or the one it picks. The
scope comes from the same rule as every case query (``statistics.report_scope_branch``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.http import AuthedRequest
from compensation.reports import charts
from compensation.reports.age_bands import age_band_figures
from compensation.reports.dashboard import dashboard as dashboard_selector
from compensation.reports.exports import association_table, csv_text, regulator_table
from compensation.reports.forms import DashboardFilterForm, StatisticsFilterForm
from compensation.reports.periods import UNIT_LABELS, UNITS
from compensation.reports.statistics import CATEGORIES, category_label, statistics_report
from incidents.models.querysets import spans_branches

SHAPES = {"association": association_table, "regulator": regulator_table}
SHAPE_FILENAMES = {"association": "zenginkyo", "regulator": "fsa"}


def _statistics_form(request: HttpRequest) -> StatisticsFilterForm:
    """The filters from the URL, this fiscal year in yen for what the URL leaves out."""
    data = {**StatisticsFilterForm.default_data(), **request.GET.dict()}
    return StatisticsFilterForm(data, spans_branches=spans_branches(request.user))


def _query(form: StatisticsFilterForm) -> str:
    """The URL parameters of the report shown (for the CSV links)."""
    data = form.cleaned_data
    params = {"first": data["first"], "last": data["last"], "unit": data["unit"]}
    if data.get("branch"):
        params["branch"] = data["branch"].pk
    return urlencode(params)


def _report(request: AuthedRequest, form: StatisticsFilterForm):
    branch = form.cleaned_data.get("branch")
    return statistics_report(
        user=request.user,
        period=form.cleaned_data["period"],
        branch_id=branch.pk if branch else None,
    )


def _quarter_chart(report, unit: str) -> charts.Columns:
    """Cases per quarter and category (individual and corporate together)."""
    groups = []
    quarters = report.period.quarters
    for quarter in quarters:
        values = []
        for table in report.tables:
            row = next(r for r in table.rows if r.quarter == quarter)
            values.append(row.individual.cases + row.corporate.cases)
        label = f"{quarter.fiscal_year % 100:02d}/Q{quarter.number}"
        groups.append((label, values))
    return charts.columns(
        groups, series=[category_label(c) for c in CATEGORIES], unit=_("件"), width=760
    )


@login_required
@permission_required("compensation.view_statistics", raise_exception=True)
@require_GET
def statistics(request: AuthedRequest) -> HttpResponse:
    """The bankers' association's and the regulator's tables for a period, with a chart."""
    form = _statistics_form(request)
    context: dict[str, Any] = {"form": form, "report": None}
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        report = _report(request, form)
        context.update(
            report=report,
            unit=unit,
            unit_label=UNIT_LABELS[unit],
            divisor=UNITS[unit],
            chart=_quarter_chart(report, unit),
            query=_query(form),
            age_bands=age_band_figures(
                user=request.user,
                start=report.period.start_at(),
                end=report.period.end_at(),
                branch_id=report.branch.pk if report.branch else None,
            ),
        )
    return render(request, "compensation/reports/statistics.html", context)


@login_required
@permission_required("compensation.view_statistics", raise_exception=True)
@require_GET
def statistics_csv(request: AuthedRequest) -> HttpResponse:
    """The same figures as CSV for Excel: ``shape=association`` (全銀協) or ``regulator`` (金融庁)."""
    form = _statistics_form(request)
    shape = request.GET.get("shape", "association")
    if not form.is_valid() or shape not in SHAPES:
        response = render(request, "compensation/reports/statistics.html", {"form": form})
        response.status_code = 400
        return response
    unit = form.cleaned_data["unit"]
    report = _report(request, form)
    header, rows = SHAPES[shape](report, unit)
    response = HttpResponse(
        csv_text(header, rows).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    branch = report.branch.code if report.branch else "all"
    ascii_name = f"{SHAPE_FILENAMES[shape]}_{report.period.slug}_{branch}_{unit}.csv"
    title = _("全銀協様式") if shape == "association" else _("金融庁様式")
    japanese = f"{title}_{report.period.label}_{report.scope_label}.csv".replace(" ", "")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(japanese)}"
    )
    return response


@login_required
@permission_required("compensation.view_dashboard", raise_exception=True)
@require_GET
def dashboard(request: AuthedRequest) -> HttpResponse:
    """Open cases, deadlines, report-to-decision times and amounts per month, as SVG charts."""
    spanning = spans_branches(request.user)
    form = DashboardFilterForm(request.GET or None) if spanning else None
    branch = None
    if form is not None and form.is_valid():
        branch = form.cleaned_data.get("branch")
    board = dashboard_selector(user=request.user, branch_id=branch.pk if branch else None)
    top = max([m.claimed for m in board.months] + [m.compensated for m in board.months] + [0])
    money_unit = "million" if top >= 100_000_000 else "man"
    money = charts.columns(
        [(m.short_label, [m.claimed, m.compensated]) for m in board.months],
        series=[_("請求額"), _("補償額")],
        divisor=UNITS[money_unit],
        unit=str(UNIT_LABELS[money_unit]),
    )
    context = {
        "form": form,
        "board": board,
        "status_chart": charts.horizontal_bars(board.by_status, unit=_("件")),
        "kind_chart": charts.horizontal_bars(board.by_kind, unit=_("件"), left=270),
        "deadline_chart": charts.horizontal_bars(
            [(_("本日が期限"), board.due_today), (_("期限超過"), board.overdue)], unit=_("件")
        ),
        "money_chart": money,
        "money_unit_label": UNIT_LABELS[money_unit],
        "days_chart": charts.line(
            [(m.short_label, m.median_days) for m in board.months], unit=_("日")
        ),
        "now": timezone.localtime(),
        "age_bands": board.age_bands,
    }
    return render(request, "compensation/reports/dashboard.html", context)

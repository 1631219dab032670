"""The statistics' CSV read back as Excel would: byte-order mark, UTF-8, CRLF, columns, units."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

import pytest
from django.urls import reverse

from .support import decide, jst, report

pytestmark = pytest.mark.django_db


def download(client, **params) -> tuple[list[str], list[list[str]], object]:
    response = client.get(reverse("reports:statistics_csv"), params)
    assert response.status_code == 200, response.content[:300]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel detects the encoding
    text = body.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[-1] == "" and all("\n" not in line for line in lines)  # CRLF only
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:], response


@pytest.fixture
def figures(teller, supervisor, approver):
    """Fiscal 2025: two stolen-card holders (one compensated), one corporate, one online case."""
    people = {"preparer": teller, "supervisor": supervisor, "approver": approver}
    decided = report(
        teller,
        customer_number="130001",
        transactions=[{"at": jst(2025, 4, 20), "amount": 1_250_000}],
        notified_at=jst(2025, 4, 21),
    )
    decide(decided, fault="none", **people)
    report(
        teller,
        customer_number="130002",
        transactions=[{"at": jst(2025, 11, 2), "amount": 2_749_999}],
    )
    report(
        teller,
        customer_number="130003",
        customer_type="corporate",
        name="株式会社サンプル",
        transactions=[{"at": jst(2025, 11, 3), "amount": 3_000_000}],
    )
    report(
        teller,
        customer_number="130004",
        items=[("online_banking", "credentials_stolen")],
        transactions=[
            {
                "at": jst(2026, 2, 1),
                "amount": 800_000,
                "recovered": 300_000,
                "payee": ("みらい銀行", "本店", "1111111", "サギ"),
            }
        ],
    )


def test_the_association_csv_has_its_columns_rows_and_totals_in_yen(client, supervisor, figures):
    client.force_login(supervisor)
    header, rows, response = download(client, first="2025Q1", last="2025Q4", unit="yen")
    assert header == [
        "期間",
        "対象店",
        "区分",
        "年度",
        "四半期",
        "個人 件数",
        "個人 金額（円）",
        "法人 件数",
        "法人 金額（円）",
        "個人 方針決定済件数",
        "個人 うち補償件数",
        "個人 補償率（％）",
    ]
    # Four categories and two reference categories, each with 4 quarters, the year and the total.
    assert len(rows) == 6 * 6
    stolen = [r for r in rows if r[2] == "盗難キャッシュカード"]
    by_quarter = {r[4]: r for r in stolen}
    assert by_quarter["1"][5:7] == ["1", "1250000"]
    assert by_quarter["3"][5:9] == ["1", "2749999", "1", "3000000"]
    year = by_quarter["年度計"]
    assert year[3] == "2025" and year[5:12] == ["2", "3999999", "1", "3000000", "1", "1", "100.0"]
    total = next(r for r in stolen if r[3] == "期間計")
    assert total[5:9] == year[5:9]
    online = next(r for r in rows if r[2] == "インターネット・バンキング" and r[4] == "4")
    assert online[5:7] == ["1", "500000"]  # net of the 300,000 recovered
    assert all(r[0] == "2025年度" and r[1] == "001 本店営業部" for r in rows)
    assert "zenginkyo_2025Q1-2025Q4_001_yen.csv" in response["Content-Disposition"]
    assert "全銀協様式" in unquote(response["Content-Disposition"])


def test_the_units_are_in_the_header_and_each_figure_is_rounded_half_up(
    client, compliance_officer, figures
):
    client.force_login(compliance_officer)
    header, rows, _response = download(client, first="2025Q1", last="2025Q4", unit="man")
    assert header[6] == "個人 金額（万円）"
    stolen = {r[4]: r for r in rows if r[2] == "盗難キャッシュカード"}
    assert stolen["1"][6] == "125"  # 1,250,000 yen
    assert stolen["3"][6] == "275"  # 2,749,999 yen rounds up to 275 万円
    assert stolen["年度計"][6] == "400"  # from the exact 3,999,999 yen, not the rounded rows
    header, rows, _response = download(client, first="2025Q1", last="2025Q4", unit="million")
    assert header[6] == "個人 金額（百万円）"
    stolen = {r[4]: r for r in rows if r[2] == "盗難キャッシュカード"}
    assert (stolen["1"][6], stolen["3"][6], stolen["3"][8]) == ("1", "3", "3")
    assert rows[0][1] == "全店"


def test_the_regulator_csv_has_average_loss_shares_and_a_total_row(client, supervisor, figures):
    client.force_login(supervisor)
    header, rows, response = download(
        client, first="2025Q1", last="2025Q4", unit="yen", shape="regulator"
    )
    assert header[:6] == ["期間", "対象店", "区分", "件数", "金額（円）", "平均被害額（万円）"]
    assert header[6:] == [
        "補償した件数",
        "補償した件数の割合（％）",
        "補償しない件数",
        "補償しない件数の割合（％）",
        "調査・検討中等の件数",
        "調査・検討中等の割合（％）",
    ]
    by_category = {r[2]: r for r in rows}
    assert list(by_category) == [
        "偽造キャッシュカード",
        "盗難キャッシュカード",
        "盗難通帳",
        "インターネット・バンキング",
        "合計",
    ]
    # Individuals only: the corporate customer is not in the regulator's table.
    assert by_category["盗難キャッシュカード"][3:] == [
        "2", "3999999", "200.0", "1", "50.0", "0", "0.0", "1", "50.0",
    ]  # fmt: skip
    assert by_category["偽造キャッシュカード"][3:] == ["0", "0", "", "0", "", "0", "", "0", ""]
    assert by_category["合計"][3:6] == ["3", "4499999", "150.0"]
    assert "fsa_2025Q1-2025Q4_001_yen.csv" in response["Content-Disposition"]


def test_a_bad_request_for_a_csv_is_refused_with_the_reason(client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("reports:statistics_csv"), {"first": "2025Q4", "last": "2025Q1"})
    assert response.status_code == 400
    assert "期間の終了は開始より後の四半期を選んでください。" in response.content.decode()
    response = client.get(reverse("reports:statistics_csv"), {"shape": "excel"})
    assert response.status_code == 400

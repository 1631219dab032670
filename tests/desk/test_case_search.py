"""The search every role has (issue 13): by each kind of key, within the cases the user may see."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.cases import services
from incidents.desk.search_selectors import case_search
from incidents.models import Case
from incidents.models.search import kind_filter, parse_birth_date, phone_digits
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("incidents:case_search")


@pytest.fixture
def yamada(teller):
    """山田 太郎: customer 123456, phone 090-1234-5678, born 1980-04-01, account 001-1234567."""
    case = factories.stolen_card_case(teller)
    services.case_update(
        case=case,
        user=teller,
        step="customer",
        fields={"customer_birth_date": datetime.date(1980, 4, 1)},
    )
    return case


@pytest.fixture
def lookalike(teller):
    """A customer whose number is the last digits of 山田's account (1234567)."""
    return factories.draft(
        teller,
        customer_number="1234567",
        customer_name="佐藤 一郎",
        customer_name_kana="サトウ イチロウ",
        customer_phone="03-9999-0000",
    )


def found(kind, query):
    condition = kind_filter(kind, query)
    assert condition is not None, (kind, query)
    return set(Case.objects.filter(condition).values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("090-1234-5678", "09012345678"),
        ("０９０ー１２３４ー５６７８", "09012345678"),
        ("090‐1234−5678", "09012345678"),
        ("090–1234—5678", "09012345678"),
        ("ｰ5678", "5678"),
        ("(03) 1234 5678", "0312345678"),
        ("090-abcd", ""),
    ],
)
def test_phone_numbers_are_digits_whatever_hyphens_and_widths_were_typed(typed, digits):
    assert phone_digits(typed) == digits


@pytest.mark.parametrize(
    "typed",
    [
        "1980-04-01",
        "1980/4/1",
        "1980.4.1",
        "19800401",
        "1980年4月1日",
        "１９８０年４月１日",
        "昭和55年4月1日",
        "S55.4.1",
        "s55/4/1",
    ],
)
def test_a_birth_date_is_read_in_every_usual_format_and_the_japanese_calendar(typed):
    assert parse_birth_date(typed) == datetime.date(1980, 4, 1)


def test_the_first_year_of_an_era_may_be_written_gannen():
    assert parse_birth_date("平成元年1月8日") == datetime.date(1989, 1, 8)
    assert parse_birth_date("令和元年5月1日") == datetime.date(2019, 5, 1)


@pytest.mark.parametrize("typed", ["1980/2/30", "80/4/1", "昭和555年1月1日", "きのう", "1980"])
def test_what_is_not_a_day_is_not_a_birth_date(typed):
    assert parse_birth_date(typed) is None


def test_a_customer_number_search_matches_customer_numbers_only(yamada, lookalike):
    # 1234567 is 佐藤's customer number and the last digits of 山田's account: only 佐藤.
    assert found("customer", "1234567") == {lookalike.pk}
    assert found("customer", "１２３４５６") == {yamada.pk}
    assert found("customer", "3456") == set()  # a whole customer number, not its end


def test_an_account_search_matches_the_last_digits_of_branch_and_number(yamada, lookalike):
    assert found("account", "1234567") == {yamada.pk}
    assert found("account", "001-1234567") == {yamada.pk}
    assert found("account", "4567") == {yamada.pk}
    assert found("account", "2345") == set()


def test_a_phone_search_finds_any_part_of_the_digits_however_typed(yamada, lookalike):
    for typed in ("090-1234-5678", "09012345678", "０９０ー１２３４ー５６７８", "5678"):
        assert found("phone", typed) == {yamada.pk}, typed
    assert found("phone", "03‐9999‐0000") == {lookalike.pk}


def test_a_birth_date_search_finds_the_day_in_any_format(yamada, lookalike):
    for typed in ("1980-04-01", "昭和55年4月1日", "S55.4.1", "19800401"):
        assert found("birth", typed) == {yamada.pk}, typed
    assert found("birth", "1980-04-02") == set()


def test_names_case_numbers_and_the_any_search(yamada, lookalike):
    assert found("name", "やまだ") == {yamada.pk}
    assert found("name", "ｻﾄｳ") == {lookalike.pk}
    assert found("name", "123") == set()  # digits are not in a name
    assert found("number", yamada.number) == {yamada.pk}
    assert found("any", "昭和55年4月1日") == {yamada.pk}
    assert found("any", "090-1234-5678") == {yamada.pk}


def test_a_teller_finds_only_the_cases_of_their_branch(client, teller, other_teller, yamada):
    client.force_login(other_teller)
    page = client.get(URL, {"kind": "name", "q": "山田"})
    assert page.status_code == 200
    assert yamada.number not in page.text
    assert 'data-testid="search-none"' in page.text
    client.force_login(teller)
    page = client.get(URL, {"kind": "name", "q": "山田"})
    assert yamada.number in page.text


def test_every_role_that_sees_cases_has_the_search_in_the_navigation(
    client, teller, monitoring_agent, compliance_officer, administrator, yamada
):
    for user in (teller, monitoring_agent, compliance_officer):
        client.force_login(user)
        page = client.get(URL, {"q": yamada.number})
        assert page.status_code == 200
        assert 'data-testid="nav-search"' in page.text
        assert yamada.number in page.text
    client.force_login(administrator)
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize(
    ("kind", "typed", "message"),
    [
        ("birth", "1980/2/30", "生年月日は"),
        ("birth", "昨日", "生年月日は"),
        ("phone", "12", "電話番号は"),
        ("customer", "山田", "顧客番号は"),
        ("account", "abc", "口座番号は"),
    ],
)
def test_a_key_that_does_not_fit_gets_a_japanese_message(teller_client, kind, typed, message):
    page = teller_client.get(URL, {"kind": kind, "q": typed})
    assert page.status_code == 200
    assert message in page.text
    assert 'data-testid="search-results"' not in page.text


def test_an_unknown_kind_is_a_message_not_an_error(teller_client):
    page = teller_client.get(URL, {"kind": "everything", "q": "山田"})
    assert page.status_code == 200
    assert 'data-testid="search-results"' not in page.text


def test_the_search_is_one_query_and_the_page_does_not_grow_with_the_results(
    client, teller, yamada
):
    condition = kind_filter("name", "山田")
    assert condition is not None
    teller.has_perm("incidents.view_case")  # the role's permissions, read once per request
    with CaptureQueriesContext(connection) as one:
        result = case_search(user=teller, condition=condition)
        [(case.branch.name, case.assigned_to) for case in result.cases]
    assert len(one) == 1
    client.force_login(teller)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"kind": "name", "q": "山田"})
    for _n in range(3):
        factories.draft(teller)
    with CaptureQueriesContext(connection) as more:
        page = client.get(URL, {"kind": "name", "q": "山田"})
    assert page.text.count('data-testid="search-row"') == 4
    assert len(more) == len(few)


def test_the_search_column_keeps_the_phone_numbers_and_birth_date(yamada):
    yamada.refresh_from_db()
    assert "|t09012345678|" in yamada.search_text
    assert "|b19800401|" in yamada.search_text


def test_the_migration_rebuilds_every_cases_search_column_as_the_services_do(yamada):
    import importlib

    from django.apps import apps

    from incidents.cases.services.drafts import case_search_text

    migration = importlib.import_module("incidents.migrations.0017_search_keys_and_case_merge")
    Case.objects.filter(pk=yamada.pk).update(search_text="|n-old|")
    migration.rebuild(apps, None)
    yamada.refresh_from_db()
    assert yamada.search_text == case_search_text(case=yamada)
    assert "|t09012345678|" in yamada.search_text


ODD_QUERIES = [
    "²³",
    "¹²³⁴⁵⁶",
    "12\x0034",
    "\x00",
    "０９０ー１２３４",
    "山" * 81,
    "㌀" * 80,
    "ﷺ" * 80,
    "%_\\*[(.+?",
    "S99.13.40",
    "---",
    "\u3000",
]


@pytest.mark.parametrize("role", ["teller", "supervisor", "monitoring_agent", "compliance_officer"])
def test_no_odd_query_of_any_kind_gives_any_role_a_server_error(client, request, role, yamada):
    from incidents.desk.search import KIND_CHOICES

    client.force_login(request.getfixturevalue(role))
    for kind in [value for value, _label in KIND_CHOICES] + ["no_such_kind"]:
        for query in ODD_QUERIES:
            response = client.get(URL, {"kind": kind, "q": query})
            assert response.status_code == 200, (kind, query, response.status_code)
            assert 'name="q"' in response.content.decode(), (kind, query)  # the search again

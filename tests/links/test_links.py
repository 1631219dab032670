"""Links between cases: the same receiving account, the same ATM within days; the viewer's
branch rights decide what is shown as a link and what only as a count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from incidents.links.selectors import case_links, receiving_accounts, skimming_points
from incidents.models.search import atm_location_key, payee_account_key
from tests import factories
from tests.compensation.support import fresh
from tests.reports.support import jst, report

pytestmark = pytest.mark.django_db

MULE = ("みらい銀行", "本店", "9876543", "サギ タロウ")
# The same account as another teller typed it: katakana, a space, 本店営業部, full-width digits.
MULE_RETYPED = ("ミライ　銀行", "本店営業部", "９８７６５４３", "ｻｷﾞ ﾀﾛｳ")
ONLINE = [("online_banking", "credentials_stolen")]
COUNTERFEIT = [("cash_card", "counterfeit")]


def transfer(teller, number, payee, amount=100_000, recovered=0, at=None):
    return report(
        teller,
        customer_number=number,
        name=f"顧客 {number}",
        items=ONLINE,
        transactions=[
            {"at": at or jst(2026, 9, 1), "amount": amount, "payee": payee, "recovered": recovered}
        ],
    )


def withdrawal(teller, number, location, at, items=COUNTERFEIT):
    return report(
        teller,
        customer_number=number,
        name=f"顧客 {number}",
        items=items,
        transactions=[{"at": at, "amount": 50_000, "location": location}],
    )


def documents_url(case) -> str:
    return reverse("incidents:case_documents", args=[case.pk])


def page(client, user, case) -> str:
    """The case's 期限・書類 tab (its page), where the links to other cases are."""
    client.force_login(user)
    response = client.get(documents_url(case))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def transfers(teller, other_teller):
    own = transfer(teller, "210001", MULE, amount=300_000, recovered=100_000)
    foreign = transfer(other_teller, "210002", MULE_RETYPED, amount=200_000)
    own_again = transfer(teller, "210003", MULE, amount=100_000)
    elsewhere = transfer(teller, "210004", ("みらい銀行", "本店", "1111111", "ベツ"))
    return {"own": own, "foreign": foreign, "own_again": own_again, "elsewhere": elsewhere}


def test_accounts_and_atms_are_compared_however_they_were_typed():
    assert payee_account_key(*MULE[:3]) == payee_account_key(*MULE_RETYPED[:3])
    assert payee_account_key(*MULE[:3]) == "ミライ|本店|9876543"
    assert payee_account_key("さくら信用金庫", "新宿支店", "12345") == payee_account_key(
        "サクラ信金", "新宿", "0012345"
    )
    assert payee_account_key("みらい銀行", "本店", "") == ""  # no account: nothing to link
    assert payee_account_key("みらい銀行", "本店", "9876543") != payee_account_key(
        "みらい銀行", "梅田支店", "9876543"
    )
    assert atm_location_key("駅前 ＡＴＭ １") == atm_location_key("駅前ATM1") == "駅前atm1"
    assert atm_location_key("") == ""


def test_transfers_to_one_account_link_cases_across_branches_as_links_or_counts(
    client, transfers, supervisor, other_teller, compliance_officer
):
    own, foreign, own_again = transfers["own"], transfers["foreign"], transfers["own_again"]
    (group,) = case_links(case=fresh(own), user=supervisor)
    assert group.kind == "payee" and group.label == "みらい銀行 本店 9876543"
    assert [linked.number for linked in group.cases] == [own_again.number]
    assert group.hidden == 1 and group.total == 2
    html = page(client, supervisor, own)
    assert 'data-testid="case-links"' in html and own_again.number in html
    assert foreign.number not in html and foreign.customer_name not in html
    assert "閲覧できない他店の事故 1件" in html
    # Compliance may open every case: all of them are links.
    (group,) = case_links(case=fresh(own), user=compliance_officer)
    assert {c.number for c in group.cases} == {foreign.number, own_again.number}
    assert group.hidden == 0
    # The other branch sees its own case's links the other way round.
    (group,) = case_links(case=fresh(foreign), user=other_teller)
    assert group.cases == [] and group.hidden == 2
    assert case_links(case=fresh(transfers["elsewhere"]), user=supervisor) == []


def test_counterfeit_withdrawals_at_one_atm_within_the_window_are_linked(
    client, teller, other_teller, supervisor, settings
):
    first = withdrawal(teller, "220001", "駅前ATM 1", jst(2026, 6, 1))
    near = withdrawal(other_teller, "220002", "駅前 ＡＴＭ １", jst(2026, 6, 11))  # 10 days on
    far = withdrawal(teller, "220003", "駅前ATM 1", jst(2026, 7, 20))  # 49 days after the first
    stolen = withdrawal(
        teller, "220004", "駅前ATM 1", jst(2026, 6, 2), items=[("cash_card", "stolen")]
    )
    other_atm = withdrawal(teller, "220005", "西口ATM", jst(2026, 6, 2))
    (group,) = case_links(case=fresh(first), user=supervisor)
    assert group.kind == "atm" and group.label == "駅前ATM 1"
    assert group.cases == [] and group.hidden == 1  # the near case is the other branch's
    html = page(client, supervisor, first)
    assert "同じATM（偽造カード・14日以内）" in html and near.number not in html
    for unlinked in (far, stolen, other_atm):
        assert unlinked.number not in html
    settings.MAMORI_SKIMMING_WINDOW_DAYS = 7
    assert case_links(case=fresh(first), user=supervisor) == []


def test_receiving_accounts_in_two_or_more_cases_with_totals_for_the_fraud_desk(
    transfers, supervisor, other_branch_supervisor, compliance_officer, other_teller
):
    (account,) = receiving_accounts(user=compliance_officer)
    assert (account.cases, account.branches, account.transfers) == (3, 2, 3)
    assert (account.amount, account.recovered, account.outstanding) == (600_000, 100_000, 500_000)
    assert account.hidden == 0 and len(account.linked) == 3
    (account,) = receiving_accounts(user=supervisor)
    assert {c.number for c in account.linked} == {
        transfers["own"].number,
        transfers["own_again"].number,
    }
    assert account.hidden == 1 and account.amount == 600_000
    (account,) = receiving_accounts(user=other_branch_supervisor)
    assert [c.number for c in account.linked] == [transfers["foreign"].number]
    assert account.hidden == 2
    # An account only the other branch's cases used is not shown to this branch's supervisor.
    transfer(other_teller, "210005", ("ひかり銀行", "梅田支店", "2222222", "X"))
    transfer(other_teller, "210006", ("ひかり銀行", "梅田", "2222222", "X"))
    assert len(receiving_accounts(user=supervisor)) == 1
    assert len(receiving_accounts(user=other_branch_supervisor)) == 2
    assert len(receiving_accounts(user=compliance_officer)) == 2
    # The period filter: transfers before it do not count.
    assert receiving_accounts(user=compliance_officer, since=jst(2026, 10, 1).date()) == []


def test_the_skimming_list_groups_a_chain_of_withdrawals_each_within_the_window(
    teller, other_teller, supervisor, compliance_officer
):
    start = jst(2026, 3, 1)
    chain = [
        withdrawal(teller, "230001", "北口ATM", start),
        withdrawal(other_teller, "230002", "北口 ATM", start + timedelta(days=10)),
        withdrawal(teller, "230003", "北口ATM", start + timedelta(days=20)),
    ]
    withdrawal(teller, "230004", "北口ATM", start + timedelta(days=60))  # alone: not a group
    withdrawal(other_teller, "230005", "南口ATM", start)
    withdrawal(other_teller, "230006", "南口ATM", start + timedelta(days=1))
    points = skimming_points(user=compliance_officer)
    assert sorted((p.location, p.cases) for p in points) == [("北口ATM", 3), ("南口ATM", 2)]
    north = next(p for p in points if p.cases == 3)
    assert north.amount == 150_000 and north.withdrawals == 3
    assert north.first_at == start and north.last_at == start + timedelta(days=20)
    (own,) = skimming_points(user=supervisor)  # 南口 involves no case of this branch
    assert {c.number for c in own.linked} == {chain[0].number, chain[2].number}
    assert own.hidden == 1


def test_the_desk_lists_are_for_compliance_and_supervisors(
    client, transfers, teller, monitoring_agent, supervisor, compliance_officer
):
    for user, allowed in (
        (teller, False),
        (monitoring_agent, False),
        (supervisor, True),
        (compliance_officer, True),
    ):
        client.force_login(user)
        for name in ("incidents:link_accounts", "incidents:link_atms"):
            response = client.get(reverse(name), {"since": "all"})
            assert response.status_code == (200 if allowed else 403), (user, name)
    client.force_login(supervisor)
    html = client.get(reverse("incidents:link_accounts")).content.decode()
    assert html.count('data-testid="receiving-account"') == 1
    assert transfers["foreign"].number not in html and "他店 1件" in html
    assert "600,000円" in html and "9876543" in html


def test_the_documents_tab_reads_its_links_in_one_query_however_many_there_are(
    client, teller, other_teller, supervisor, django_assert_max_num_queries
):
    case = transfer(teller, "240001", MULE)
    transfer(teller, "240002", MULE)
    client.force_login(supervisor)
    with django_assert_max_num_queries(12) as one:
        client.get(documents_url(case))
    for number in range(6):
        transfer(other_teller if number % 2 else teller, f"24010{number}", MULE_RETYPED)
    with django_assert_max_num_queries(12) as many:
        html = client.get(documents_url(case)).content.decode()
    assert len(one.captured_queries) == len(many.captured_queries)
    assert html.count('data-testid="linked-case"') == 4
    assert "閲覧できない他店の事故 3件" in html


def test_a_case_without_payees_or_atms_asks_nothing_more(teller, django_assert_num_queries):
    loaded = fresh(factories.stolen_card_case(teller))
    with django_assert_num_queries(0):
        assert case_links(case=loaded, user=teller) == []


def test_the_demo_shows_a_shared_receiving_account_and_a_possible_skimming_atm():
    from incidents.devdata.demo import seed_demo
    from incidents.models import User

    seed_demo(password="demo-password-for-tests")
    compliance = User.objects.get(username="compliance")
    [account] = receiving_accounts(user=compliance)
    assert (account.cases, account.branches, account.amount) == (2, 2, 980_000 + 450_000)
    [atm] = skimming_points(user=compliance)
    assert (atm.cases, atm.withdrawals, atm.amount) == (2, 3, 150_000 + 200_000 + 180_000)
    # 本店's supervisor sees 新宿支店's case in the account's list only as a count.
    supervisor = User.objects.get(username="supervisor")
    [seen] = receiving_accounts(user=supervisor)
    assert (len(seen.linked), seen.hidden) == (1, 1)

"""Fixtures of the freeze-case tests: the default policy, a freeze candidate, two supervisors."""

from __future__ import annotations

import pytest

from compensation import services
from tests import factories
from tests.reports.support import jst, report

# A receiving account at our own bank (MAMORI_INSTITUTION_NAME, the branch fixture's 本店営業部):
# only such an account can be frozen here.
MULE = ("まもり銀行", "本店営業部", "9876543", "サギ タロウ")


def transfer(teller, number, payee=MULE, amount=100_000):
    """A reported online-banking case whose money went to ``payee``."""
    return report(
        teller,
        customer_number=number,
        name=f"顧客 {number}",
        items=[("online_banking", "credentials_stolen")],
        transactions=[{"at": jst(2026, 9, 1), "amount": amount, "payee": payee}],
    )


@pytest.fixture(autouse=True)
def default_policy(db):
    return services.policy_version_default_ensure()


@pytest.fixture
def candidate_key(teller):
    """The key of a receiving account two of the branch's cases sent money to."""
    from incidents.models.search import payee_account_key

    transfer(teller, "310001", amount=300_000)
    transfer(teller, "310002", amount=200_000)
    return payee_account_key(*MULE[:3])


@pytest.fixture
def approver(branch):
    """A second supervisor of the branch, who approves what the first prepared."""
    return factories.staff("approver", "supervisor", branch)


@pytest.fixture
def desk(supervisor, candidate_key):
    """The branch's supervisor at the freeze desk, with the freeze candidate."""
    from .support import FreezeDesk

    return FreezeDesk(supervisor, candidate_key)

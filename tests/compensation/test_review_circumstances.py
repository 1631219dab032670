"""The supervisor's review page shows the checklist answers and circumstances it approves."""

from __future__ import annotations

import pytest
from django.urls import reverse

from compensation import services
from incidents.models import Case
from tests import factories

from .support import confirm_suggested_faults, fresh, set_checklist

pytestmark = pytest.mark.django_db


def test_the_review_page_shows_each_answer_the_note_and_the_findings_it_approves(
    client, teller, supervisor, other_supervisor
):
    case = factories.stolen_card_case(teller)
    set_checklist(case, teller, ["pin_memo_with_card"])
    Case.objects.filter(pk=case.pk).update(circumstances_note="駅のベンチに置いた鞄ごと盗まれた")
    confirm_suggested_faults(case, supervisor)
    services.decision_submit(case=fresh(case), user=teller, note="")
    client.force_login(other_supervisor)
    html = client.get(reverse("compensation:review", args=[case.pk])).content.decode()
    section = html.split('data-testid="review-circumstances"')[1].split("</section>")[0]
    answers = section.split('data-testid="review-answer"')[1:]
    memo = next(a for a in answers if "暗証番号を容易に第三者が認知できる形でメモし" in a)
    assert "はい" in memo
    told = next(a for a in answers if "暗証番号を他人に知らせた（G1）" in a)
    assert "いいえ" in told and "はい" not in told
    assert not any("通帳を他人に渡した" in a for a in answers)  # no passbook on this case
    assert "駅のベンチに置いた鞄ごと盗まれた" in section
    findings = section.split('data-testid="review-findings"')[1]
    assert "被害に気づいた後、速やかに当行へ通知があった" in findings
    assert "通知できなかったやむを得ない事情の日数" in findings

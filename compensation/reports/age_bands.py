"""Cases and amounts by the customer's age band on the notification day (docs/domain.md §7.6):
under 65, 65–74, 75 and over, and unknown (no birth date). Kept apart from the association's
statistics, which have no age column."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from compensation.models import StatisticsCase
from incidents.models import User
from incidents.models.choices import CaseStatus
from incidents.models.querysets import VIEW

AGE_BANDS = ("under_65", "65_74", "75_plus", "unknown")
AGE_BAND_LABELS = {
    "under_65": _("65歳未満"),
    "65_74": _("65〜74歳"),
    "75_plus": _("75歳以上"),
    "unknown": _("生年月日不明"),
}
NOT_COUNTED = (CaseStatus.DRAFT, CaseStatus.WITHDRAWN)


@dataclass(frozen=True)
class AgeBandRow:
    """One age band's cases and the amount their transactions took (whole yen)."""

    band: str
    cases: int
    amount: int

    @property
    def label(self) -> str:
        return str(AGE_BAND_LABELS[self.band])


def age_band_figures(
    *,
    user: User,
    start: datetime.datetime,
    end: datetime.datetime,
    branch_id: int | None = None,
) -> list[AgeBandRow]:
    """Cases notified in [start, end) that the user may see (not drafts or withdrawn), and the
    amount of their transactions, by the customer's age band; every band, in order."""
    # The database keeps each counted case's band and its transactions' total (migration 0007,
    # compensation_statistics_cases: the band in whole years on the notification day, Japan
    # time), so this is one index-only pass over the period's cases.
    cases = StatisticsCase.objects.restrict(user, VIEW).filter(
        notified_at__gte=start, notified_at__lt=end
    )
    if branch_id is not None:
        cases = cases.filter(branch_id=branch_id)
    rows = list(
        cases.order_by().values("age_band").annotate(cases=Count("*"), amount=Sum("amount"))
    )
    counts = {row["age_band"]: row["cases"] for row in rows}
    amounts = {row["age_band"]: row["amount"] for row in rows}
    return [
        AgeBandRow(band, counts.get(band, 0), int(amounts.get(band) or 0)) for band in AGE_BANDS
    ]

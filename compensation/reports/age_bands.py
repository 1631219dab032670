"""Cases and amounts by the customer's age band on the notification day (docs/domain.md §7.6):
under 65, 65–74, 75 and over, and unknown (no birth date). Kept apart from the association's
statistics, which have no age column."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case as CaseWhen
from django.db.models import CharField, Count, F, Func, IntegerField, Sum, Value, When
from django.db.models.lookups import LessThan
from django.utils.translation import gettext_lazy as _

from incidents.models import Case, User
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


def _band(prefix: str = "") -> CaseWhen:
    """The age band of a case (``prefix`` reaches it from a related row), in whole years on the
    notification day in Japan time."""
    notified_day = Func(
        F(f"{prefix}notified_at"),
        template="((%(expressions)s AT TIME ZONE 'Asia/Tokyo')::date)",
    )
    years = Func(
        Func(notified_day, F(f"{prefix}customer_birth_date"), function="age"),
        template="date_part('year', %(expressions)s)::integer",
        output_field=IntegerField(),
    )
    return CaseWhen(
        When(**{f"{prefix}customer_birth_date__isnull": True}, then=Value("unknown")),
        default=CaseWhen(
            When(condition=LessThan(years, 65), then=Value("under_65")),
            When(condition=LessThan(years, 75), then=Value("65_74")),
            default=Value("75_plus"),
        ),
        output_field=CharField(),
    )


def age_band_figures(
    *,
    user: User,
    start: datetime.datetime,
    end: datetime.datetime,
    branch_id: int | None = None,
) -> list[AgeBandRow]:
    """Cases notified in [start, end) that the user may see (not drafts or withdrawn), and the
    amount of their transactions, by the customer's age band; every band, in order."""
    cases = (
        Case.objects.restrict(user, VIEW)
        .exclude(status__in=NOT_COUNTED)
        .filter(notified_at__gte=start, notified_at__lt=end)
    )
    if branch_id is not None:
        cases = cases.filter(branch_id=branch_id)
    # One query: the transactions joined to their cases (a case counted once, however many).
    rows = list(
        cases.annotate(band=_band())
        .values("band")
        .annotate(cases=Count("id", distinct=True), amount=Sum("transactions__amount"))
    )
    counts = {row["band"]: row["cases"] for row in rows}
    amounts = {row["band"]: row["amount"] for row in rows}
    return [
        AgeBandRow(band, counts.get(band, 0), int(amounts.get(band) or 0)) for band in AGE_BANDS
    ]

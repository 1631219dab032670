"""Helpers of the freeze-case tests: a freeze case taken to a given step."""

from __future__ import annotations

import datetime

from compensation import services
from compensation.models import FreezeCase

D = datetime.date


def fresh(freeze: FreezeCase) -> FreezeCase:
    return FreezeCase.objects.get(pk=freeze.pk)


def frozen(supervisor, key, balance=400_000) -> FreezeCase:
    return services.freeze_case_open(user=supervisor, key=key, balance=balance)


def in_applications(supervisor, key, balance=400_000) -> FreezeCase:
    """A freeze case with its notice (2026-10-07, ends 2026-12-07) and application period
    (opens 2026-12-08, ends 2027-01-07)."""
    freeze = frozen(supervisor, key, balance)
    freeze = services.freeze_notice_record(
        freeze=freeze,
        user=supervisor,
        version=freeze.version,
        requested_on=D(2026, 10, 1),
        reference="DIC-1",
        starts_on=D(2026, 10, 7),
    )
    return services.freeze_applications_open(
        freeze=freeze, user=supervisor, version=freeze.version, opens_on=D(2026, 12, 8)
    )


def apply(supervisor, freeze, name, amount, accept=True):
    """Record an application and decide it."""
    application = services.application_record(
        freeze=freeze,
        user=supervisor,
        version=fresh(freeze).version,
        applicant_name=name,
        applicant_contact="",
        received_on=D(2026, 12, 10),
        claimed_amount=amount,
    )
    if accept is not None:
        services.application_decide(
            application=application,
            user=supervisor,
            version=fresh(freeze).version,
            accept=accept,
            reason="振込の記録と被害届で確認" if accept else "振込の記録がない",
        )
    return application

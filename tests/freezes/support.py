"""Helpers of the freeze-case tests: a freeze case taken to a given step."""

from __future__ import annotations

import datetime

from compensation import services
from compensation.models import FreezeCase

D = datetime.date


def pdf(name: str, body: bytes = b"%PDF-1.4\n%evidence\n"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, body, "application/pdf")


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


def freeze_world(preparer, key, state: str) -> dict:
    """A freeze case in ``state``, its periods long past: ``frozen``, ``noticed`` (notice
    recorded), ``applications`` (one application awaiting a decision), ``closed`` (the period
    over, one accepted application), ``distributing`` (a distribution awaiting review, prepared
    by ``preparer``). Returns the freeze case and the objects the state made."""
    made: dict = {"freeze": frozen(preparer, key, balance=250_000)}
    if state == "frozen":
        return made
    freeze = services.freeze_notice_record(
        freeze=made["freeze"],
        user=preparer,
        version=made["freeze"].version,
        requested_on=D(2026, 1, 5),
        reference="DIC-W",
        starts_on=D(2026, 1, 9),
    )
    made["freeze"] = freeze
    if state == "noticed":
        return made
    freeze = services.freeze_applications_open(
        freeze=freeze, user=preparer, version=freeze.version, opens_on=D(2026, 3, 16)
    )
    made["freeze"] = freeze
    made["application"] = apply(
        preparer, freeze, "申請 一子", 300_000, accept=None if state == "applications" else True
    )
    if state == "applications":
        made["evidence"] = services.evidence_add(
            application=made["application"],
            user=preparer,
            version=fresh(freeze).version,
            upload=pdf("slip.pdf"),
        )
    if state in ("distributing",):
        made["decision"] = services.distribution_submit(
            freeze=freeze, user=preparer, version=fresh(freeze).version
        )
    made["freeze"] = fresh(freeze)
    return made


MULE_KEY = "ミライ|本店|9876543"  # payee_account_key of tests.freezes.conftest.MULE

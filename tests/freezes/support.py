"""Helpers of the freeze-case tests: the supervisor at the freeze desk (a persona whose every step
is one form posted once, rendered from the freeze case as it stands) and a freeze case taken to a
given step."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from compensation import services
from compensation.models import DistributionDecision, FreezeCase, RemedyApplication
from incidents.cases.edits import EditStamp
from incidents.models.search import payee_account_key

D = datetime.date
REQUESTED_ON, NOTICE_STARTS_ON = D(2026, 10, 1), D(2026, 10, 7)
APPLICATIONS_OPEN_ON, DISTRIBUTED_ON = D(2026, 12, 8), D(2027, 1, 8)


def pdf(name: str, body: bytes = b"%PDF-1.4\n%evidence\n"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, body, "application/pdf")


def fresh(freeze: FreezeCase) -> FreezeCase:
    return FreezeCase.objects.get(pk=freeze.pk)


def stamp(freeze: FreezeCase, *, version: int | None = None, digest: str = "") -> EditStamp:
    """A form rendered from the freeze case as it now stands (or from ``version``), posted once."""
    rendered = fresh(freeze).version if version is None else version
    return EditStamp(version=rendered, key=uuid.uuid4(), digest=digest)


@dataclass
class FreezeDesk:
    """A supervisor of the branch at the freeze desk, with a freeze candidate's key. The periods
    by default: notice from 2026-10-07 (ends 2026-12-07), applications from 2026-12-08 (end
    2027-01-07)."""

    supervisor: Any
    key: str

    def open(self, balance: int = 400_000) -> FreezeCase:
        return services.freeze_case_open(user=self.supervisor, key=self.key, balance=balance)

    def notice(
        self,
        freeze: FreezeCase,
        *,
        requested_on: datetime.date = REQUESTED_ON,
        starts_on: datetime.date = NOTICE_STARTS_ON,
        reference: str = "DIC-1",
        user: Any = None,
    ) -> FreezeCase:
        return services.freeze_notice_record(
            freeze=freeze,
            user=user or self.supervisor,
            stamp=stamp(freeze),
            requested_on=requested_on,
            reference=reference,
            starts_on=starts_on,
        )

    def applications(
        self, freeze: FreezeCase, *, opens_on: datetime.date = APPLICATIONS_OPEN_ON
    ) -> FreezeCase:
        return services.freeze_applications_open(
            freeze=freeze, user=self.supervisor, stamp=stamp(freeze), opens_on=opens_on
        )

    def in_applications(self, balance: int = 400_000) -> FreezeCase:
        return self.applications(self.notice(self.open(balance)))

    def apply(
        self, freeze: FreezeCase, name: str, amount: int, accept: bool | None = True
    ) -> RemedyApplication:
        """Record an application received 2026-12-10 and, unless ``accept`` is None, decide it."""
        application = services.application_record(
            freeze=freeze,
            user=self.supervisor,
            stamp=stamp(freeze),
            applicant_name=name,
            applicant_contact="",
            received_on=D(2026, 12, 10),
            claimed_amount=amount,
        )
        if accept is not None:
            self.decide(application, accept=accept)
        return application

    def decide(self, application: RemedyApplication, *, accept: bool, reason: str = "") -> None:
        services.application_decide(
            application=application,
            user=self.supervisor,
            stamp=stamp(application.freeze_case),
            accept=accept,
            reason=reason or ("振込の記録と被害届で確認" if accept else "振込の記録がない"),
        )

    def submit(
        self, freeze: FreezeCase, today: datetime.date | None = DISTRIBUTED_ON
    ) -> DistributionDecision:
        return services.distribution_submit(
            freeze=freeze, user=self.supervisor, stamp=stamp(freeze), today=today
        )

    def submitted(self) -> DistributionDecision:
        """A distribution of one accepted claim (300,000 yen) awaiting a second supervisor."""
        freeze = self.in_applications()
        self.apply(freeze, "被害 花子", 300_000)
        return self.submit(freeze)


def frozen(supervisor, key, balance=400_000) -> FreezeCase:
    return FreezeDesk(supervisor, key).open(balance)


def in_applications(supervisor, key, balance=400_000) -> FreezeCase:
    """A freeze case with its notice (2026-10-07, ends 2026-12-07) and application period
    (opens 2026-12-08, ends 2027-01-07)."""
    return FreezeDesk(supervisor, key).in_applications(balance)


def apply(supervisor, freeze, name, amount, accept=True):
    """Record an application and decide it."""
    return FreezeDesk(supervisor, freeze.payee_key).apply(freeze, name, amount, accept)


def freeze_world(preparer, key, state: str) -> dict:
    """A freeze case in ``state``, its periods long past: ``requested`` (asked of a core over
    HTTP, not yet answered: nothing is sent inside the opening), ``frozen``, ``noticed`` (notice
    recorded), ``applications`` (one application awaiting a decision), ``closed`` (the period
    over, one accepted application), ``distributing`` (a distribution awaiting review, prepared
    by ``preparer``). Returns the freeze case and the objects the state made."""
    desk = FreezeDesk(preparer, key)
    if state == "requested":
        from django.test import override_settings

        with override_settings(
            MAMORI_CORE_BANKING_ADAPTER="incidents.cases.corebanking.HttpCoreBankingAdapter"
        ):
            return {"freeze": desk.open(balance=250_000)}
    made: dict = {"freeze": desk.open(balance=250_000)}
    if state == "frozen":
        return made
    freeze = desk.notice(
        made["freeze"], requested_on=D(2026, 1, 5), reference="DIC-W", starts_on=D(2026, 1, 9)
    )
    made["freeze"] = freeze
    if state == "noticed":
        return made
    freeze = desk.applications(freeze, opens_on=D(2026, 3, 16))
    made["freeze"] = freeze
    made["application"] = desk.apply(
        freeze, "申請 一子", 300_000, accept=None if state == "applications" else True
    )
    if state == "applications":
        made["evidence"] = services.evidence_add(
            application=made["application"],
            user=preparer,
            stamp=stamp(freeze),
            upload=pdf("slip.pdf"),
        )
    if state in ("distributing",):
        made["decision"] = desk.submit(freeze, today=None)
    made["freeze"] = fresh(freeze)
    return made


MULE_KEY = payee_account_key("まもり銀行", "本店営業部", "9876543")  # of conftest.MULE

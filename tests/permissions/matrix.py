"""The permission matrix: every URL of the project, and who may do what on it.

``tests/permissions/test_matrix.py`` walks the project's URL resolver and fails on any URL that is
not declared here, then requests each one as every role — own branch and other branch, the
monitoring center, compliance, the administrator, anonymous — and checks that only the roles named
below get the page or change anything, and that no response shows a case the role may not see.

Declaring a new URL is one line::

    "compensation:decision_approve": action("reported", post=SUPERVISOR, data=version),

``page``/``action`` take the case of the test world the URL is about (``reported``, ``draft``
(past its stops), ``fresh_draft`` (before any stop), ``withdrawal_pending`` (a draft whose
teller asked for its withdrawal, ``world.withdrawal``),
``attached`` (the reported case with one attachment, ``world.attachment``),
``preliminary``, ``merged`` (the reported case with a duplicate merged into it,
``world.merge``), ``police_pending`` (no police report yet), ``noticed`` (every member of staff has
an unread notice; the supervisor's is ``world.notice``), ``ready`` (faults confirmed for a
compensation decision), ``in_review`` (a decision awaiting review), ``decided`` (an approved one),
or None for URLs without a case), the roles allowed to GET it and to POST to it (a POST by an
allowed role must change something; by anyone else it must change nothing), the POST data (a
function of the world) and further URL arguments (values, or functions of the world).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from tests.permissions.freeze_data import (
    application_pk,
    evidence_file,
    evidence_pk,
    freeze_decision_pk,
    freeze_key,
    freeze_pk,
    freeze_version,
)

# Roles of the test world. "@other" is the same role at the other branch.
TELLER, SUPERVISOR = "teller", "supervisor"
TELLER_OTHER, SUPERVISOR_OTHER = "teller@other", "supervisor@other"
MONITORING, COMPLIANCE, ADMIN, ANONYMOUS = "monitoring", "compliance", "admin", "anonymous"
ROLES = (
    TELLER,
    SUPERVISOR,
    TELLER_OTHER,
    SUPERVISOR_OTHER,
    MONITORING,
    COMPLIANCE,
    ADMIN,
    ANONYMOUS,
)

NOBODY: frozenset[str] = frozenset()
BRANCH = frozenset({TELLER, SUPERVISOR})  # the case's own branch
ANY_BRANCH = BRANCH | {TELLER_OTHER, SUPERVISOR_OTHER}
VIEWERS = BRANCH | {MONITORING, COMPLIANCE}
STAFF = frozenset(ROLES) - {ANONYMOUS}
OVERSIGHT = frozenset({SUPERVISOR, SUPERVISOR_OTHER, COMPLIANCE})  # statistics and links
# The world's freeze case (issue 15 B) is at the supervisor's branch: its supervisor works it,
# compliance reads it, nobody else sees it.
FREEZE_READERS, FREEZE_WORKERS = frozenset({SUPERVISOR, COMPLIANCE}), frozenset({SUPERVISOR})
EVERYONE = frozenset(ROLES)


@dataclass(frozen=True)
class Url:
    """What the matrix expects of one URL."""

    case: str | None = None
    kwargs: dict = field(default_factory=dict)
    get: frozenset[str] = NOBODY
    post: frozenset[str] = NOBODY
    data: Callable | None = None
    public: bool = False
    json: bool = False  # a JSON endpoint: anonymous gets 401, not the sign-in page
    # A write that changes the case: its form carries the case's version and a one-time key
    # (incidents.cases.edits), added to the POST data by the tests; a stale or repeated post changes
    # nothing (tests/permissions/test_edits.py). "key": a form over several cases, whose versions
    # travel in its data, with one key; "once": a key only (a note such as a print, no version).
    edits: bool | str = False


def page(case=None, *, get, post=NOBODY, data=None, edits=False, **kwargs) -> Url:
    """A page some roles may see (and, with ``post``, submit)."""
    return Url(
        case=case, kwargs=kwargs, get=frozenset(get), post=frozenset(post), data=data, edits=edits
    )


def action(case=None, *, post, data=None, json=False, edits=False, **kwargs) -> Url:
    """A POST-only action (``json``: answered in JSON, 401 for anonymous)."""
    return Url(case=case, kwargs=kwargs, post=frozenset(post), data=data, json=json, edits=edits)


def public(**kwargs) -> Url:
    """Open to everyone, signed in or not; it must still show no case and change no case data."""
    return Url(kwargs=kwargs, get=EVERYONE, public=True)


# POST data builders: functions of the world (see test_matrix.World).


def version(world) -> dict:
    return {"version": world.case.version}


def stamped(spec: Url, world, data: dict) -> dict:
    """The POST data of a case-changing form as the page renders it: the case's version (unless
    the data names one) and a key made for this one rendering."""
    if not spec.edits:
        return data
    stamp = {"edit_key": str(uuid.uuid4())}
    if spec.edits is True and "version" not in data and world.case is not None:
        stamp["version"] = str(world.case.version)
    return {**stamp, **data}


def assign_to_supervisor(world) -> dict:
    return {"assignee": world.users[SUPERVISOR].pk, "version": world.case.version}


def bulk_assign(world) -> dict:
    return {
        "cases": [f"{world.case.pk}:{world.case.version}"],
        "assignee": world.users[SUPERVISOR].pk,
    }


def new_report(world) -> dict:
    return {
        "channel": "counter",
        "reporter_relation": "self",
        "notified_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "intake_token": str(uuid.uuid4()),
    }


def customer_step(world) -> dict:
    return {
        "customer_number": "999999",
        "customer_type": "individual",
        "customer_name": "書換 太郎",
        "customer_name_kana": "カキカエ タロウ",
        "version": world.case.version,
        "save_only": "1",
    }


def police_report(world) -> dict:
    return {
        "police_station": "丸の内警察署",
        "police_filed_on": timezone.localdate().isoformat(),
        "police_receipt_number": "R-9",
        "version": world.case.version,
    }


def autosave_fields(world) -> dict:
    # What the page's script sends: the step's fields as typed, possibly not valid yet.
    return {"customer_name": "途中 太郎", "customer_name_kana": "ﾄﾁｭｳ", "version": "1"}


def police_copy(world) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        "kind": "police_report",
        "file": SimpleUploadedFile("copy.pdf", b"%PDF-1.4\n%matrix\n", "application/pdf"),
    }


def freeze_request(world) -> dict:
    return {
        "payee_bank": "みずほ銀行",
        "payee_branch": "渋谷支店",
        "payee_account_number": "7654321",
        "payee_account_name": "カ）サギショウカイ",
        "requested_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "contact_name": "佐藤",
        "answer": "pending",
    }


def withdrawal_request(world) -> dict:
    # Every stop in force is to be lifted with the report.
    stops = world.case.actions.filter(status="done").values_list("pk", flat=True)
    return {"reason": "お客さまがカードを見つけたため", "stops": [str(pk) for pk in stops]}


def withdrawal_pk(world) -> int:
    return world.withdrawal.pk


def attachment_pk(world) -> int:
    return world.attachment.pk


def documents_deadline_pk(world) -> int:
    return world.case.deadlines.get(kind="customer_documents").pk


def notice_pk(world) -> int:
    return world.notice.pk


def decision_pk(world) -> int:
    return world.decision.pk


def findings(world) -> dict:
    # The customer's explanation is still missing: a finding that changes the assessment.
    return {"prompt_notice": "on", "unavoidable_days": "0"}


def send_back(world) -> dict:
    return {"action": "return", "comment": "被害届の受理番号を確認してください。"}


def paid(world) -> dict:
    return {"paid_on": timezone.localdate().isoformat(), "reference": "FK-1"}


def recovery(world) -> dict:
    return {"recovered_amount": "1000", "version": world.case.version}


def transfer_pk(world) -> int:
    """The case's first transaction, made an ATM transfer: only a transfer records a recovery."""
    tx = world.case.transactions.order_by("pk").first()
    if tx.channel != "atm_transfer":
        type(tx).objects.filter(pk=tx.pk).update(
            channel="atm_transfer",
            payee_bank="みらい銀行",
            payee_branch="本店",
            payee_account_number="7654321",
            payee_account_name="サギ タロウ",
        )
    return tx.pk


def duplicate_report(world) -> dict:
    """A second report of the reported case's customer (123456) at its branch, to merge."""
    from tests import factories

    duplicate = factories.stolen_card_case(world.users[TELLER])
    return {
        "version": world.case.version,
        "duplicate": duplicate.pk,
        "duplicate_version": duplicate.version,
    }


def merge_pk(world) -> int:
    return world.merge.pk


def merged_version(world) -> dict:
    from incidents.models import Case

    return {
        "version": world.case.version,
        "duplicate_version": Case.objects.get(pk=world.merge.merged_id).version,
    }


def after_hours_call(world) -> dict:
    return {
        "intake_token": str(uuid.uuid4()),
        "reporter_relation": "self",
        "customer_type": "individual",
        "customer_name_kana": "ヨル タロウ",
        "stop_now": "on",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-kind": "cash_card",
        "items-0-state": "lost",
        "items-0-account_branch": "001",
        "items-0-account_number": "1111111",
    }


MATRIX: dict[str, Url] = {
    # Outside the case desk.
    "healthz": public(),
    "login": public(),
    "logout": public(),
    "set_language": public(),
    # Signing in (issue 6): each member of staff's own session — the one-time password pages
    # and the idle timer's endpoints. They show no case and change no case data.
    "accounts:otp_verify": public(),
    "accounts:otp_setup": public(),
    "accounts:recovery_codes": public(),
    "accounts:keepalive": public(),
    "accounts:session_status": public(),
    "admin:*": Url(get=frozenset({ADMIN})),  # the Django admin: staff only, and no case in it
    # The REST API answers API clients' tokens only, never a staff session: its own matrix of
    # endpoints × client scopes × branches is tests/api/test_matrix.py.
    "api:*": Url(json=True),
    # The case desk.
    "incidents:home": page(get=STAFF),
    "incidents:case_new": page(get=ANY_BRANCH, post=ANY_BRANCH, data=new_report),
    "incidents:case_detail": page("reported", get=VIEWERS),
    # The case page's tabs loaded when opened: compensation, deadlines and documents, the timeline
    # and the change history.
    "incidents:case_compensation": page("reported", get=VIEWERS),
    "incidents:case_documents": page("reported", get=VIEWERS),
    "incidents:case_timeline": page("reported", get=VIEWERS),
    "incidents:case_history": page("reported", get=VIEWERS),
    "incidents:case_receipt": page("reported", get=VIEWERS),
    # The print button of the receipt: the print on the timeline (the branch, or the monitoring
    # center that took the call; compliance only reads).
    "incidents:case_receipt_print": action("reported", post=BRANCH, edits="once"),
    "incidents:intake_step": page(
        "draft", get=BRANCH, post=BRANCH, data=customer_step, step="customer", edits=True
    ),
    # A submitted case is corrected on the case page, not through the intake (issue 11).
    "incidents:case_correct": page(
        "reported", get=BRANCH, post=BRANCH, data=customer_step, section="customer", edits=True
    ),
    "incidents:case_submit": action(
        "draft", post=BRANCH, data=lambda w: {"confirmed": "on"}, edits=True
    ),
    # The intake's autosave before an idle logout (issue 6).
    "incidents:case_new_autosave": action(post=ANY_BRANCH, data=autosave_fields, json=True),
    "incidents:intake_autosave": action(
        "draft", post=BRANCH, data=autosave_fields, json=True, step="customer"
    ),
    # Documents the customer hands in (issue 6): the case's branch attaches, viewers download.
    "incidents:attachment_upload": action("reported", post=BRANCH, data=police_copy, edits=True),
    "incidents:attachment_download": page("attached", get=VIEWERS, attachment_pk=attachment_pk),
    # A document attached by mistake: the branch's supervisor withdraws it, with the reason.
    "incidents:attachment_withdraw": action(
        "attached",
        post={SUPERVISOR},
        data=lambda w: {"reason": "別のお客さまの書類を誤って添付したため"},
        attachment_pk=attachment_pk,
        edits=True,
    ),
    # Discarding asks first (a page with a required confirmation); a draft with stops in force is
    # withdrawn instead: its branch requests it, a supervisor other than the requester confirms.
    "incidents:case_discard": page(
        "fresh_draft", get=BRANCH, post=BRANCH, data=lambda w: {"confirm": "on"}, edits=True
    ),
    "incidents:case_withdrawal": page(
        "draft", get=BRANCH, post=BRANCH, data=withdrawal_request, edits=True
    ),
    "incidents:withdrawal_decide": action(
        "withdrawal_pending",
        post={SUPERVISOR},
        data=lambda w: {"decision": "confirm"},
        withdrawal_pk=withdrawal_pk,
        edits=True,
    ),
    "incidents:case_assign": action(
        "reported", post={SUPERVISOR}, data=assign_to_supervisor, edits=True
    ),
    "incidents:case_claim": action("reported", post={SUPERVISOR}, data=version, edits=True),
    "incidents:case_pickup": action("preliminary", post=BRANCH, data=version, edits=True),
    "incidents:case_stops": page(
        "preliminary",
        get=BRANCH | {MONITORING},
        post=BRANCH | {MONITORING},
        data=lambda w: {"perform_all": "1"},
        edits=True,
    ),
    # The search every role has (issue 13), over the cases each may see; administrators see none.
    "incidents:case_search": page(get=ANY_BRANCH | {MONITORING, COMPLIANCE}),
    # Duplicate reports (issue 13): a supervisor of the branch merges one into the case, and
    # undoes a merge ("merged": the reported case with a duplicate merged into it). Two cases
    # change under one key: the survivor's version and the duplicate's travel in the data.
    "incidents:case_merge": action(
        "reported", post={SUPERVISOR}, data=duplicate_report, edits="key"
    ),
    "incidents:case_merge_undo": action(
        "merged", post={SUPERVISOR}, data=merged_version, merge_pk=merge_pk, edits="key"
    ),
    "incidents:queue": page(get={SUPERVISOR, SUPERVISOR_OTHER, COMPLIANCE}),
    "incidents:queue_assign": action("reported", post={SUPERVISOR}, data=bulk_assign, edits="key"),
    "incidents:monitoring_console": page(get={MONITORING}),
    "incidents:monitoring_call_new": page(
        get={MONITORING}, post={MONITORING}, data=after_hours_call
    ),
    "incidents:access_log": page(get={COMPLIANCE}),
    # Follow-ups after submission (issue 4).
    "incidents:case_record_police": action(
        "police_pending", post=BRANCH, data=police_report, edits=True
    ),
    # Transfer fraud (issue 15): freeze requests to receiving banks, recorded by the branch.
    "incidents:case_freeze_requests": page(
        "reported", get=VIEWERS, post=BRANCH, data=freeze_request, edits=True
    ),
    "incidents:deadline_meet": action(
        "reported", post=BRANCH, deadline_pk=documents_deadline_pk, edits=True
    ),
    # Notices to staff (issue 4): every member of staff reads and clears only their own.
    "notifications:list": page("noticed", get=STAFF),
    "notifications:read": action("noticed", post={SUPERVISOR}, pk=notice_pk),
    "notifications:read_all": action("noticed", post=STAFF),
    # Compensation (issue 3): findings and the four-eyes decision.
    "compensation:findings": page(
        "reported", get={SUPERVISOR}, post={SUPERVISOR}, data=findings, edits=True
    ),
    "compensation:submit": action("ready", post=BRANCH, edits=True),
    "compensation:review": page(
        "in_review", get={SUPERVISOR}, post={SUPERVISOR}, data=send_back, edits=True
    ),
    "compensation:paid": page("decided", get=BRANCH, post=BRANCH, data=paid, edits=True),
    "compensation:decision": page("decided", get=BRANCH | {COMPLIANCE}, decision_pk=decision_pk),
    "compensation:decision_facts": page(
        "decided", get=BRANCH | {COMPLIANCE}, decision_pk=decision_pk
    ),
    "compensation:letter": page("decided", get=BRANCH | {COMPLIANCE}, decision_pk=decision_pk),
    # Reports and links (issue 7): the branch records recoveries; supervisors see their branch's
    # statistics, dashboard and links, compliance every branch's.
    "incidents:transaction_recovery": action(
        "reported", post=BRANCH, data=recovery, tx_pk=transfer_pk, edits=True
    ),
    "incidents:link_accounts": page(get=OVERSIGHT),
    "incidents:link_atms": page(get=OVERSIGHT),
    "reports:dashboard": page(get=OVERSIGHT),
    "reports:statistics": page(get=OVERSIGHT),
    "reports:statistics_csv": page(get=OVERSIGHT),
    # The receiving side of the Remedy Act (issue 15 B): freeze cases and their distribution.
    "freezes:list": page(get=OVERSIGHT),
    "freezes:open": page(
        "freeze_candidate",
        get=FREEZE_WORKERS,
        post=FREEZE_WORKERS,
        data=lambda w: {"balance": "250000"},
        key=freeze_key,
    ),
    "freezes:detail": page("frozen", get=FREEZE_READERS, pk=freeze_pk),
    "freezes:core": action(
        "freeze_requested",
        post=FREEZE_WORKERS,
        data=lambda w: freeze_version(w, action="manual", reference="T-M"),
        pk=freeze_pk,
    ),
    "freezes:notice": action(
        "frozen",
        post=FREEZE_WORKERS,
        data=lambda w: freeze_version(
            w, requested_on="2026-01-05", reference="DIC-M", starts_on="2026-01-09"
        ),
        pk=freeze_pk,
    ),
    "freezes:applications_open": action(
        "freeze_noticed",
        post=FREEZE_WORKERS,
        data=lambda w: freeze_version(w, opens_on="2026-03-16"),
        pk=freeze_pk,
    ),
    "freezes:application_new": action(
        "freeze_applications",
        post=FREEZE_WORKERS,
        data=lambda w: freeze_version(
            w, applicant_name="申請 二子", received_on="2026-03-20", claimed_amount="1000"
        ),
        pk=freeze_pk,
    ),
    "freezes:application_decide": action(
        "freeze_applications",
        post=FREEZE_WORKERS,
        data=lambda w: freeze_version(w, decision="accept", reason="振込の記録で確認"),
        pk=freeze_pk,
        application_pk=application_pk,
    ),
    "freezes:evidence_upload": action(
        "freeze_applications",
        post=FREEZE_WORKERS,
        data=evidence_file,
        pk=freeze_pk,
        application_pk=application_pk,
    ),
    "freezes:evidence_download": page(
        "freeze_applications", get=FREEZE_READERS, pk=freeze_pk, evidence_pk=evidence_pk
    ),
    "freezes:distribution_submit": action(
        "freeze_closed", post=FREEZE_WORKERS, data=freeze_version, pk=freeze_pk
    ),
    "freezes:distribution_review": action(
        "freeze_distributing",
        post=FREEZE_WORKERS,
        data=lambda w: freeze_version(w, action="approve"),
        pk=freeze_pk,
        decision_pk=freeze_decision_pk,
    ),
    "freezes:decision_table": page(
        "freeze_distributing",
        get=FREEZE_READERS,
        pk=freeze_pk,
        decision_pk=freeze_decision_pk,
    ),
}

"""Property-based fuzzing (hypothesis) of every form and endpoint, as every role.

The URLs come from the permission matrix (``tests/permissions/matrix.py``), so a URL declared
there is fuzzed here too. Each example signs in as one role (own branch, other branch, the
monitoring center, compliance, the administrator, anonymous) and sends generated data — Japanese
text, control characters, huge values, wrong types, missing and extra fields, malformed JSON and
bodies, files that lie about their type — as a POST (or as a GET's query string). Properties:

* no response is a server error (5xx);
* no business data changes (every row of the case desk's, compensation's and notifications'
  tables, compared by digest) unless the role may post there (the matrix), the application
  reported success (a redirect, or 200 from a JSON endpoint) and, where the URL has a validity
  rule below, the submission was valid by the application's own form for that URL.

Every example runs in a savepoint that is rolled back, on one world per kind of case.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.http import QueryDict
from django.test import Client, RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compensation.forms import PaidForm
from incidents.attachments import storage as attachments
from incidents.casepage.forms import AttachmentForm, PoliceRecordForm
from incidents.casepage.merge import MergeForm, UndoForm
from incidents.intake.forms import CustomerForm, ReporterForm
from incidents.intake.forms import SubmitForm as IntakeSubmitForm
from incidents.intake.withdrawal import DecideForm, DiscardForm, WithdrawalRequestForm
from tests.permissions.matrix import ANONYMOUS, MATRIX, ROLES, stamped
from tests.permissions.test_matrix import build_world, the_case, url_for

from .strategies import QUERIES, Payload, payloads

pytestmark = pytest.mark.django_db

# Examples per URL: those taking a POST get more.
POST_EXAMPLES = 60
GET_ONLY_EXAMPLES = 24
NEEDS = (
    "police_pending",
    "noticed",
    "ready",
    "in_review",
    "decided",
    "attached",
    "fresh_draft",
    "merged",
    "withdrawal_pending",
    "freeze_candidate",
    "freeze_requested",
    "frozen",
    "freeze_noticed",
    "freeze_applications",
    "freeze_closed",
    "freeze_distributing",
)
URLS = sorted(name for name in MATRIX if not name.endswith(":*"))


def group_of(name: str) -> str:
    case = MATRIX[name].case
    return case if case in NEEDS else "base"


GROUPS: dict[str, list[str]] = {}
for _name in URLS:
    GROUPS.setdefault(group_of(_name), []).append(_name)


def budget(name: str) -> int:
    spec = MATRIX[name]
    return POST_EXAMPLES if (spec.post or spec.public) else GET_ONLY_EXAMPLES


# The data of these tables is what must not change without a valid submission; logs of looks
# (case access, downloads, sign-ins, axes' attempts) and sessions are written by any request.
LOGS = {"incidents.CaseAccess", "incidents.AttachmentDownload", "incidents.AccessRefusal"}


def _fingerprint_sql() -> str:
    parts = []
    for label in ("incidents", "compensation", "notifications"):
        for model in apps.get_app_config(label).get_models():
            if model._meta.label in LOGS or model._meta.proxy:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            parts.append(
                f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t)"
            )
    return "SELECT " + ", ".join(parts)


FINGERPRINT = None


def fingerprint() -> tuple:
    """A digest of every row of every business table (one query)."""
    global FINGERPRINT
    if FINGERPRINT is None:
        FINGERPRINT = _fingerprint_sql()
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT)
        return cursor.fetchone()


# What the view sees of a payload: its request.POST and FILES (None: the body is refused).
FACTORY = RequestFactory()


def as_request(url: str, payload: Payload):
    if payload.kind == "form" and payload.files:
        request = FACTORY.post(url, _multipart(payload))
    elif payload.kind == "form":
        request = FACTORY.post(
            url,
            urlencode(payload.fields, doseq=True),
            content_type="application/x-www-form-urlencoded",
        )
    else:
        request = FACTORY.generic("POST", url, payload.body, content_type=payload.content_type)
    return request


def seen_by_view(url: str, payload: Payload) -> tuple[QueryDict, dict] | None:
    request = as_request(url, payload)
    try:
        return request.POST, request.FILES
    except Exception:
        return None


def _multipart(payload: Payload) -> dict:
    data = dict(payload.fields)
    for name, (filename, content) in payload.files.items():
        data[name] = SimpleUploadedFile(filename, content)
    return data


def version_ok(data: QueryDict, case) -> bool:
    """A case-changing form applies only on the case's own version (a missing or malformed one
    is stale, never no check at all)."""
    return data.get("version", "") == str(case.version)


def attachment_valid(world, seen) -> bool:
    data, files = seen
    form = AttachmentForm(data, files)
    if not form.is_valid():
        return False
    upload = form.cleaned_data["file"]
    upload.seek(0)
    head = upload.read(attachments.SNIFF_BYTES)
    return attachments.detect(head) is not None and upload.size > 0


def autosave_valid(world, url, payload) -> bool:
    from incidents.intake.autosave_views import _posted_fields

    request = as_request(url, payload)
    try:
        _posted_fields(request)
    except Exception:
        return False
    return True


def always(world, seen) -> bool:
    return True


# URL → is this submission valid (by the application's own form)? URLs not listed are held to the
# other properties only (the role, and a change only with a success response).
VALID = {
    "incidents:case_new": lambda w, s: (
        "discard_autosave" not in s[0] and ReporterForm(s[0]).is_valid()
    ),
    "incidents:intake_step": lambda w, s: (
        "discard_autosave" not in s[0]
        and CustomerForm(s[0]).is_valid()
        and version_ok(s[0], w.case)
    ),
    "incidents:case_submit": lambda w, s: IntakeSubmitForm(s[0]).is_valid(),
    "incidents:case_record_police": lambda w, s: (
        PoliceRecordForm(s[0]).is_valid() and version_ok(s[0], w.case)
    ),
    "incidents:case_claim": lambda w, s: version_ok(s[0], w.case),
    "incidents:case_merge": lambda w, s: MergeForm(s[0]).is_valid() and version_ok(s[0], w.case),
    "incidents:case_merge_undo": lambda w, s: (
        UndoForm(s[0]).is_valid() and version_ok(s[0], w.case)
    ),
    "incidents:attachment_upload": attachment_valid,
    "compensation:paid": lambda w, s: PaidForm(s[0]).is_valid(),
    "incidents:case_discard": lambda w, s: DiscardForm(s[0]).is_valid(),
    "incidents:case_withdrawal": lambda w, s: (
        WithdrawalRequestForm(s[0], in_force=list(w.case.actions.filter(status="done"))).is_valid()
        and version_ok(s[0], w.case)
    ),
    "incidents:withdrawal_decide": lambda w, s: (
        DecideForm(s[0]).is_valid() and version_ok(s[0], w.case)
    ),
    "incidents:deadline_meet": always,
    "notifications:read": always,
    "notifications:read_all": always,
    "compensation:submit": always,
}
AUTOSAVES = ("incidents:case_new_autosave", "incidents:intake_autosave")
# Every write a double click could repeat: case-changing forms (version and key), the forms that
# open a case (their intake token) and the receipt's print button (its key).
ONCE_ONLY = {name for name, spec in MATRIX.items() if spec.edits} | {
    "incidents:case_new",
    "incidents:monitoring_call_new",
}


def send(client: Client, url: str, payload: Payload, as_json: bool):
    extra: dict[str, Any] = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    if payload.kind == "form" and payload.files:
        return client.post(url, _multipart(payload), **extra)
    if payload.kind == "form":
        return client.post(
            url,
            urlencode(payload.fields, doseq=True),
            content_type="application/x-www-form-urlencoded",
            **extra,
        )
    return client.generic("POST", url, payload.body, content_type=payload.content_type, **extra)


def check_post(world, name: str, role: str, url: str, payload: Payload, response, changed: bool):
    spec = MATRIX[name]
    where = f"POST {url} as {role}: {payload.describe()} → {response.status_code}"
    if not changed:
        return
    assert not spec.public, f"{where}: a public URL changed data"
    assert role in spec.post, f"{where}: changed data without the right"
    success = response.status_code == 302 or (spec.json and response.status_code == 200)
    assert success, f"{where}: changed data without reporting success"
    if spec.edits is True:
        seen = seen_by_view(url, payload)
        assert seen is not None and version_ok(seen[0], world.case), f"{where}: stale but applied"
    if name in AUTOSAVES:
        assert autosave_valid(world, url, payload), f"{where}: kept a malformed autosave"
    elif name in VALID:
        seen = seen_by_view(url, payload)
        assert seen is not None and VALID[name](world, seen), f"{where}: changed on invalid data"


COUNTS: dict[str, int] = {}


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_no_generated_input_breaks_a_page_or_changes_data_without_a_valid_submission(
    group, branch, other_branch, settings
):
    names = GROUPS[group]
    world = build_world(branch, other_branch, needs=None if group == "base" else group)
    # Small enough to try often; the limits themselves are exercised at their real size too.
    oversize = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    many = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1
    bases = {}
    for name in names:
        spec = MATRIX[name]
        world.case = the_case(world, spec)
        bases[name] = {
            k: v
            for k, v in stamped(spec, world, spec.data(world) if spec.data else {}).items()
            if isinstance(v, str | int | list)
        }
    field_names = tuple(sorted({k for base in bases.values() for k in base})) or ("x",)
    examples = sum(budget(name) for name in names)
    seen = []

    @settings_for(examples)
    @given(data=st.data())
    def run(data):
        name = data.draw(st.sampled_from(names), label="url")
        role = data.draw(st.sampled_from(ROLES), label="role")
        spec = MATRIX[name]
        method = data.draw(st.sampled_from(["post", "post", "post", "get"]), label="method")
        as_json = data.draw(st.booleans(), label="accept json")
        world.case = the_case(world, spec)
        url = url_for(name, spec, world)
        if method == "get":
            query = data.draw(QUERIES, label="query")
            payload = None
        else:
            payload = data.draw(
                payloads(bases[name], field_names, oversize=oversize, many=many),
                label="payload",
            )
        with transaction.atomic():
            client = Client()
            if role != ANONYMOUS:
                client.force_login(world.users[role])
            before = fingerprint()
            if method == "get":
                response = client.get(
                    url, query, **({"HTTP_ACCEPT": "application/json"} if as_json else {})
                )
            else:
                response = send(client, url, payload, as_json)
            after = fingerprint()
            changed = after != before
            again = None
            if method == "post" and name in ONCE_ONLY:
                # The same post again (a double click, a resent request): nothing more changes.
                again = send(client, url, payload, as_json)
                twice = fingerprint() != after
            transaction.set_rollback(True)
        seen.append(name)
        assert response.status_code < 500, (
            f"{method.upper()} {url} as {role}: {response.status_code}"
        )
        if method == "post":
            check_post(world, name, role, url, payload, response, changed)
        if again is not None:
            assert again.status_code < 500, f"POST {url} again as {role}: {again.status_code}"
            assert not twice, (
                f"POST {url} as {role}, sent twice: {payload.describe()} applied twice"
            )

    run()
    COUNTS[group] = len(seen)
    assert len(seen) >= examples * 0.9, f"only {len(seen)} of {examples} examples ran"
    assert set(seen) == set(names), f"never tried: {set(names) - set(seen)}"


def settings_for(examples: int):
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


def test_the_fuzzing_plans_at_least_2000_examples_over_every_url_of_the_matrix():
    assert sorted(n for names in GROUPS.values() for n in names) == URLS
    assert sum(budget(name) for name in URLS) >= 2000

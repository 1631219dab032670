"""Every case-changing URL of the permission matrix under a real double click: the same form
posted twice at once (two threads, each on its own PostgreSQL connection and transaction,
released together) leaves exactly what one post leaves, row for row.

The reference is the same post made once inside a transaction that is then rolled back, in the
same test and on the same world, so what one post writes is measured, not assumed.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from tests.incidents.test_concurrent_edits import at_once

from .test_edits import EDITS, posting

pytestmark = pytest.mark.django_db(transaction=True)

# What a post may write once per request, not per change: looks and refusals on the access logs,
# sign-in records, sessions, and the history tables (a change made twice shows in the tables
# they follow, which are counted).
NOT_COUNTED = {
    "incidents.caseaccess",
    "incidents.accessrefusal",
    "accounts.signinevent",
    "sessions.session",
}
COUNTED_APPS = {"incidents", "compensation", "notifications", "webhooks"}


def rows() -> dict[str, int]:
    """How many rows every table of the case desk holds (history tables aside)."""
    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if (
            model._meta.app_label not in COUNTED_APPS
            or label in NOT_COUNTED
            or label.endswith("history")
            or model._meta.proxy
            or not model._meta.managed
        ):
            continue
        counts[label] = model._default_manager.count()
    return counts


def copy_of(data: dict) -> dict:
    """The same form for another request: an uploaded file is read by the post that sends it, so
    each post gets its own copy (same name, same bytes, same key and version)."""
    copied = {}
    for key, value in data.items():
        if hasattr(value, "read"):
            value.seek(0)
            content = value.read()
            value.seek(0)
            kind = getattr(value, "content_type", None) or "application/octet-stream"
            value = SimpleUploadedFile(value.name, content, kind)
        copied[key] = value
    return copied


@pytest.mark.parametrize("name", EDITS)
def test_the_same_form_posted_twice_at_once_leaves_what_one_post_leaves(name, branch, other_branch):
    _spec, world, url, role, data = posting(name, branch, other_branch)
    before = rows()

    with transaction.atomic():  # one post, measured and undone
        client = Client()
        client.force_login(world.users[role])
        once = client.post(url, copy_of(data))
        after_one = rows()
        transaction.set_rollback(True)
    assert once.status_code < 400, f"POST {url} as {role}: {once.status_code}"
    assert rows() == before

    clients = [Client(), Client()]
    for each in clients:
        each.force_login(world.users[role])
    forms = [copy_of(data), copy_of(data)]
    answers = at_once(2, lambda i: clients[i].post(url, forms[i]))
    assert all(answer.status_code < 500 for answer in answers), [a.status_code for a in answers]
    assert any(answer.status_code < 400 for answer in answers)
    after_two = rows()
    doubled = {
        table: (after_one[table] - before[table], after_two[table] - before[table])
        for table in before
        if after_two[table] != after_one[table]
    }
    assert not doubled, f"POST {url} as {role} twice at once: {doubled} (once, twice)"

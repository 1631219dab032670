"""No single malformed value makes a page fail: every URL of the permission matrix, as each role
allowed there, with a hostile value in each query-string parameter the view reads and in each of
its POST fields, answers without a 5xx.

The parameters a view reads are found by asking it: one request with the matrix's own data, while
the query dictionaries record the keys read from them and every bound form its fields.
"""

from __future__ import annotations

import pytest
from django import forms
from django.db import transaction
from django.test import Client
from django.utils.datastructures import MultiValueDict

from .matrix import ANONYMOUS, MATRIX
from .test_matrix import CHECKED, build_world, the_case, url_for

pytestmark = pytest.mark.django_db

HOSTILE = (
    "²",  # a superscript two: str.isdigit() says yes, int() says no
    "١٢٣",  # Arabic-Indic digits: int() reads them as 123
    "１２３",  # full-width digits
    "\x00",
    "0001-01-01",
    "9999-12-31",
    "-1",
    "99999999999999999999",  # beyond a bigint
    "",
)
PROBE = "_probe"


class Reads:
    """The keys read from query dictionaries, and the fields of the forms bound, in one request."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.keys: dict[int, set[str]] = {}
        self.fields: set[str] = set()
        reads = self

        def recording(method):
            def wrapper(self, key, *args, **kwargs):
                reads.keys.setdefault(id(self), set()).add(key)
                return method(self, key, *args, **kwargs)

            return wrapper

        for name in ("get", "getlist", "__getitem__", "__contains__"):
            monkeypatch.setattr(MultiValueDict, name, recording(getattr(MultiValueDict, name)))
        original_init = forms.BaseForm.__init__

        def form_init(form, *args, **kwargs):
            original_init(form, *args, **kwargs)
            if form.is_bound:
                reads.fields.update(form.add_prefix(name) for name in form.fields)

        monkeypatch.setattr(forms.BaseForm, "__init__", form_init)

    def of(self, query) -> set[str]:
        return self.keys.get(id(query), set())


def discover(monkeypatch, client: Client, method: str, url: str, data: dict) -> set[str]:
    """The parameters the view read (GET: from the query string; POST: from the body)."""
    with monkeypatch.context() as patch, transaction.atomic():
        reads = Reads(patch)
        response = getattr(client, method)(url, data)
        request = response.wsgi_request
        found = reads.of(request.GET if method == "get" else request.POST) | reads.fields
        transaction.set_rollback(True)
    return (found | set(data)) - {PROBE}


def answer(client: Client, method: str, url: str, data: dict) -> tuple[int, str]:
    with transaction.atomic():
        response = getattr(client, method)(url, data)
        transaction.set_rollback(True)
    error = ""
    if response.status_code >= 500 and response.exc_info:
        error = repr(response.exc_info[1])
    return response.status_code, error


@pytest.mark.parametrize("name", CHECKED)
def test_no_hostile_value_in_any_parameter_gives_a_server_error(
    name, branch, other_branch, monkeypatch
):
    spec = MATRIX[name]
    world = build_world(branch, other_branch, needs=spec.case)
    world.case = the_case(world, spec)
    url = url_for(name, spec, world)
    problems = []
    for method, roles in (("get", spec.get), ("post", spec.post)):
        for role in sorted(roles):
            client = Client(raise_request_exception=False)
            if role != ANONYMOUS:
                client.force_login(world.users[role])

            def valid(method=method):
                # Afresh each time: an uploaded file is read once.
                return spec.data(world) if (method == "post" and spec.data) else {}

            probe = valid() if method == "post" else {PROBE: "1"}
            for key in sorted(discover(monkeypatch, client, method, url, probe)):
                for value in HOSTILE:
                    data = {**valid(), key: value}
                    status, error = answer(client, method, url, data)
                    if status >= 500:
                        problems.append(
                            f"{method.upper()} {url} as {role} {key}={value!r}: {error}"
                        )
    assert not problems, "\n".join(problems)

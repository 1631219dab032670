"""No page or export with personal data may be kept by a browser, proxy or shared terminal: every
answer Django gives carries ``Cache-Control: no-store, private``; static files stay cacheable."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils.cache import get_max_age

from tests.permissions.matrix import ANONYMOUS, MATRIX, ROLES
from tests.permissions.test_matrix import attempt, build_world, the_case, url_for

pytestmark = pytest.mark.django_db

# Every URL of the matrix some role may open, grouped by the test world it needs.
BY_WORLD: dict[str | None, list[str]] = defaultdict(list)
for _name, _spec in sorted(MATRIX.items()):
    if _spec.get and not _name.endswith(":*"):
        BY_WORLD[_spec.case].append(_name)


def directives(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Cache-Control", "").split(",") if part}


def reader(spec) -> str:
    """A signed-in member of staff allowed to open the URL (anonymous only if nobody else is)."""
    return next((role for role in ROLES if role in spec.get and role != ANONYMOUS), ANONYMOUS)


@pytest.mark.parametrize("needs", sorted(BY_WORLD, key=str), ids=str)
def test_every_page_of_the_matrix_answers_no_store_private_to_a_role_allowed_to_open_it(
    needs, branch, other_branch
):
    cache.clear()  # the branch staff pick lists are cached per process (as in the matrix)
    world = build_world(branch, other_branch, needs=needs)
    missing, opened = [], []
    for name in BY_WORLD[needs]:
        spec = MATRIX[name]
        world.case = the_case(world, spec)
        url = url_for(name, spec, world)
        role = reader(spec)
        response, _changed = attempt(world, role, "get", url, {})
        if response.status_code == 200:
            opened.append(name)
        if not {"no-store", "private"} <= directives(response):
            missing.append(
                f"{name} ({url} as {role}, {response.status_code}): {directives(response)}"
            )
    assert missing == []
    assert opened, "no page of this world answered 200"


def test_the_admin_site_answers_no_store_private(administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client = Client()
    client.force_login(administrator)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert {"no-store", "private"} <= directives(response)


def test_error_pages_and_the_sign_in_redirect_answer_no_store_private(teller):
    anonymous = Client()
    response = anonymous.get(reverse("incidents:queue"))
    assert response.status_code == 302
    assert {"no-store", "private"} <= directives(response)
    signed_in = Client()
    signed_in.force_login(teller)
    for url, status in (("/cases/999999/", 404), (reverse("incidents:queue"), 403)):
        response = signed_in.get(url)
        assert response.status_code == status
        assert {"no-store", "private"} <= directives(response)


def test_a_views_own_cache_headers_are_tightened_not_left_public(rf):
    from django.http import HttpResponse
    from django.utils.cache import patch_cache_control

    from accounts.middleware import NoStoreMiddleware

    def view(request):
        response = HttpResponse("x")
        patch_cache_control(response, public=True, max_age=3600)
        return response

    response = NoStoreMiddleware(view)(rf.get("/"))
    assert {"no-store", "private"} <= directives(response)
    assert "public" not in directives(response)


def test_static_files_keep_their_own_cache_headers(client):
    response = client.get("/static/vendor/bootstrap/css/bootstrap.min.css")
    assert response.status_code == 200
    assert "no-store" not in directives(response)
    assert get_max_age(response) is not None

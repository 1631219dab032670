"""No open redirect and no server error from ``next``: every view that sends the browser where the
request says goes through ``accounts.http.safe_next`` — a path of this site, else the default."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse

from accounts import state
from accounts.http import safe_next
from tests import factories

from .conftest import enrolled

pytestmark = pytest.mark.django_db

HOSTILE = [
    "//evil.example",
    "//%09/evil.example",
    "//\t/evil.example",
    "/\t/evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "/%5Cevil.example",
    "/%2F/evil.example",
    "https://evil.example",
    "https:/evil.example",
    "http:evil.example",
    "evil.example",
    "0",
    "javascript:alert(1)",
    "\x00",
    "/\x00",
    "/%0d%0aSet-Cookie:x",
    "/\r\nSet-Cookie:x",
    "/\u3000/evil.example",
    "/\u202e/evil.example",
    "/" + "a" * 5000,
    "",
]
# A page of ours with its filters, as the queue's forms send it back.
QUEUE_PAGE = "/queue/?q=%E5%B1%B1%E7%94%B0%20%E5%A4%AA%E9%83%8E&status=reported&page=2"


@pytest.mark.parametrize("value", HOSTILE)
def test_safe_next_refuses_anything_but_a_path_of_this_site(value):
    assert safe_next(value, "/fallback/") == "/fallback/"


@pytest.mark.parametrize("value", ["/", "/cases/12/", QUEUE_PAGE, "/login/otp/?next=%2Fqueue%2F"])
def test_safe_next_keeps_a_path_of_this_site(value):
    assert safe_next(value, "/fallback/") == value


def test_safe_next_refuses_what_is_not_text():
    assert safe_next(None, "/fallback/") == "/fallback/"
    assert safe_next(["/"], "/fallback/") == "/fallback/"


def location(response) -> str:
    assert response.status_code < 500
    assert response.status_code == 302, response.status_code
    return response["Location"]


def next_of(url: str) -> str:
    """The ``next`` a redirect passes on to the next sign-in step."""
    return parse_qs(urlsplit(url).query)["next"][0]


# Each endpoint: (who signs in, how to send ``next``, what the default is).


def logout_by_query(client, users, value):
    client.force_login(users["teller"])
    return location(client.post(f"/logout/?{urlencode({'next': value})}")), "/login/"


def logout_by_form(client, users, value):
    client.force_login(users["teller"])
    return location(client.post("/logout/", {"next": value})), "/login/"


def login(client, users, value):
    client.logout()
    response = client.post(
        "/login/", {"username": "teller", "password": factories.PASSWORD, "next": value}
    )
    return location(response), "/"


def login_by_query(client, users, value):
    client.logout()
    response = client.post(
        f"/login/?{urlencode({'next': value})}",
        {"username": "teller", "password": factories.PASSWORD},
    )
    return location(response), "/"


def login_then_one_time_password(client, users, value):
    client.logout()
    response = client.post(
        "/login/", {"username": "supervisor", "password": factories.PASSWORD, "next": value}
    )
    target = location(response)
    assert target.startswith(reverse("accounts:otp_verify"))
    return next_of(target), "/"


def otp_verify(client, users, value):
    client.force_login(users["teller"])
    return location(client.get(reverse("accounts:otp_verify"), {"next": value})), "/"


def otp_setup(client, users, value):
    client.force_login(users["supervisor"])  # enrolled, one-time password still owed
    session = client.session
    session[state.PENDING] = state.VERIFY
    session.save()
    target = location(client.get(reverse("accounts:otp_setup"), {"next": value}))
    assert target.startswith(reverse("accounts:otp_verify"))
    return next_of(target), "/"


def recovery_codes(client, users, value):
    client.force_login(users["teller"])
    return location(client.get(reverse("accounts:recovery_codes"), {"next": value})), "/"


def case_claim(client, users, value):
    client.force_login(users["supervisor"])
    case = users["case"]
    url = reverse("incidents:case_claim", args=[case.pk])
    return location(client.post(url, {"version": "0", "next": value})), case.get_absolute_url()


def case_assign(client, users, value):
    client.force_login(users["supervisor"])
    case = users["case"]
    url = reverse("incidents:case_assign", args=[case.pk])
    return location(client.post(url, {"version": "x", "next": value})), case.get_absolute_url()


def queue_assign(client, users, value):
    client.force_login(users["supervisor"])
    response = client.post(reverse("incidents:queue_assign"), {"next": value})
    return location(response), reverse("incidents:queue")


def notices_read_all(client, users, value):
    client.force_login(users["teller"])
    response = client.post(reverse("notifications:read_all"), {"next": value})
    return location(response), reverse("notifications:list")


def set_language(client, users, value):
    client.force_login(users["teller"])
    response = client.post(reverse("set_language"), {"language": "ja", "next": value})
    return location(response), "/"


ENDPOINTS = [
    logout_by_query,
    logout_by_form,
    login,
    login_by_query,
    login_then_one_time_password,
    otp_verify,
    otp_setup,
    recovery_codes,
    case_claim,
    case_assign,
    queue_assign,
    notices_read_all,
    set_language,
]


@pytest.fixture
def users(teller, supervisor):
    enrolled(supervisor)
    return {"teller": teller, "supervisor": supervisor, "case": factories.stolen_card_case(teller)}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.__name__)
def test_a_hostile_next_sends_the_browser_to_the_default_page_never_elsewhere(
    client, users, endpoint
):
    wrong = {}
    for value in HOSTILE:
        target, default = endpoint(client, users, value)
        if target != default:
            wrong[value[:40]] = target[:80]
    assert wrong == {}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.__name__)
def test_a_path_of_this_site_as_next_is_followed(client, users, endpoint):
    target, _default = endpoint(client, users, QUEUE_PAGE)
    assert target == QUEUE_PAGE


def test_the_reported_logout_redirect_stays_on_the_site(client, teller):
    client.force_login(teller)
    response = client.post("/logout/?next=//%09/evil.example")
    assert response.status_code == 302
    assert response["Location"] == "/login/"


def test_next_zero_on_claim_and_assign_returns_to_the_case_not_a_server_error(
    client, supervisor, teller
):
    case = factories.stolen_card_case(teller)
    client.force_login(supervisor)
    for name in ("incidents:case_claim", "incidents:case_assign"):
        response = client.post(reverse(name, args=[case.pk]), {"version": "0", "next": "0"})
        assert response.status_code == 302
        assert response["Location"] == case.get_absolute_url()

"""A request body nobody reads (not a form) does not spoil a kept-alive connection: under gunicorn's
threaded worker, as ``make run`` starts it, the next request on the connection is answered."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import pytest

from tests import workers
from tests.servers import Gunicorn, app_environment


@pytest.fixture
def server(django_db_setup):
    app = Gunicorn(app_environment(workers.test_database_url()), threads=4, keep_alive=10)
    try:
        app.start()
        yield app
    finally:
        app.close()


def exchange(connection, method: str, path: str, body: bytes | None = None, headers=None):
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response, response.read()


def test_an_unread_text_body_leaves_the_connection_usable_for_the_next_request(server):
    connection = server.connection()
    try:
        response, page = exchange(connection, "GET", "/login/")
        assert response.status == 200
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        cookies = SimpleCookie(response.getheader("Set-Cookie"))
        csrf = f"csrftoken={cookies['csrftoken'].value}"
        socket_used = connection.sock
        # Bigger than gunicorn's own drain of a leftover body (64 KiB), smaller than our limit.
        text = ("ログイン" * 40_000).encode()
        plain = {"Content-Type": "text/plain; charset=utf-8"}
        for headers in ({**plain, "Cookie": csrf, "X-CSRFToken": token}, plain):
            response, page = exchange(connection, "POST", "/login/", text, headers)
            # With the token the sign-in form answers (it finds no username); without, CSRF does.
            assert response.status == (200 if "X-CSRFToken" in headers else 403)
            response, page = exchange(connection, "GET", "/login/")
            assert response.status == 200
            assert b'name="username"' in page
        assert connection.sock is socket_used, "the connection was not kept alive"
    finally:
        connection.close()

"""/healthz reports the real database and broker."""

from __future__ import annotations

import json
import socket

import pytest

from tests.servers import Gunicorn, PrivatePostgres, app_environment, manage

pytestmark = pytest.mark.django_db


def test_it_answers_200_when_database_and_broker_are_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_it_answers_503_naming_the_broker_when_the_broker_is_unreachable(client, settings):
    from config.celery_app import app

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    original = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error")


def test_a_post_is_refused_with_405_not_the_csrf_page(client):
    response = client.post("/healthz", {"x": "1"})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_it_lives_in_config_and_no_app_imports_the_celery_app():
    from pathlib import Path

    from config import health
    from config.urls import urlpatterns

    assert next(p for p in urlpatterns if p.name == "healthz").callback is health.healthz
    root = Path(__file__).resolve().parent.parent
    offending = [
        str(path.relative_to(root))
        for app in ("accounts", "incidents", "compensation", "notifications")
        for path in (root / app).rglob("*.py")
        if "config.celery_app" in path.read_text(encoding="utf-8")
    ]
    assert offending == []


@pytest.fixture
def private_server():
    """A private PostgreSQL cluster (migrated) and gunicorn serving the app from it."""
    database = PrivatePostgres()
    server = None
    try:
        database.start()
        env = app_environment(database.url)
        manage("migrate", "--noinput", env=env)
        server = Gunicorn(env)
        server.start()
        yield database, server
    finally:
        if server is not None:
            server.close()
        database.close()


def health(server: Gunicorn, **headers):
    response = server.request("GET", "/healthz", headers=headers)
    assert response.getheader("Content-Type") == "application/json", server.output()
    return response.status, json.loads(response.data)


def test_with_postgresql_stopped_a_real_server_answers_503_json_and_200_once_it_is_back(
    private_server,
):
    database, server = private_server
    assert health(server) == (200, {"status": "ok", "checks": {"database": "ok", "broker": "ok"}})

    database.stop()
    # A signed-in browser's session cookie must not make anything on the way read the session.
    for headers in ({}, {"Cookie": "sessionid=0123456789abcdefghijklmnopqrstuv"}):
        status, body = health(server, **headers)
        assert status == 503
        assert body["status"] == "error"
        assert body["checks"]["database"].startswith("error")
        assert body["checks"]["broker"] == "ok"

    database.start()
    # Every thread's connection from before the restart is replaced at once: no stale 503.
    for _request in range(6):
        assert health(server)[0] == 200

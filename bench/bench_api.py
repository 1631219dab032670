"""Opening an after-hours preliminary case through the API beside the monitoring center's form.

    .venv/bin/python bench/bench_api.py            # 200 cases each way
    .venv/bin/python bench/bench_api.py --tiny     # a few: runs in seconds

Both over real HTTP to a threaded WSGI server on 127.0.0.1 in this process (Django's own
``ThreadedWSGIServer``, the whole middleware stack): the API as the telephone system calls it
(``POST /api/v1/preliminary-cases/`` with a bearer token and an Idempotency-Key), the form as the
monitoring center's console posts it (a signed-in session, CSRF token, ``intake_token``). Each
opens the same call — a stolen cash card with its emergency stops — interleaved, so both meet the
same database. It prints the client-side p50/p95 of each (the reference is the form, measured in
the same run) and their ratio.

The database is its own (MAMORI_BENCH_DATABASE_URL, or a throwaway ``mamori_bench_api``).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_queue import bench_database, drop_database, p95, setup_django  # noqa: E402

TINY = {"runs": 5}
CALL = {
    "reporter_relation": "self",
    "customer_type": "individual",
    "customer_name": "山田 太郎",
    "customer_name_kana": "ヤマダ タロウ",
    "customer_phone": "090-1234-5678",
    "stop_now": True,
    "items": [
        {
            "kind": "cash_card",
            "state": "stolen",
            "account_branch": "001",
            "account_number": "1234567",
        }
    ],
}


def form_data(csrf: str) -> dict[str, str]:
    """The console's POST for the same call."""
    data = {
        "csrfmiddlewaretoken": csrf,
        "intake_token": str(uuid.uuid4()),
        "stop_now": "on",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "10",
    }
    for name, value in CALL.items():
        if isinstance(value, str):
            data[name] = value
    for name, value in CALL["items"][0].items():  # type: ignore[index]
        data[f"items-0-{name}"] = value
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--name", default="mamori_bench_api", help="throwaway database")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--tiny", action="store_true", help="a few runs: figures, not a measure")
    args = parser.parse_args()
    if args.tiny:
        args.runs = TINY["runs"]
        if args.name == parser.get_default("name"):
            args.name += "_tiny"
    url, created = bench_database(args)
    setup_django(url)
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if created and not args.keep:
            drop_database(url)


def serve():
    """Django behind a threaded WSGI server on a free loopback port; (server, base URL)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=False)
    server.set_app(WSGIHandler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def run(args) -> None:
    import logging

    import httpx
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from api.scopes import Scope
    from api.services import api_client_create
    from incidents.models import Branch, Case, User

    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.MAMORI_API_RATE = "100000/min"  # the bench measures the work, not the throttle
    call_command("migrate", verbosity=0)
    branch, _ = Branch.objects.get_or_create(code="001", defaults={"name": "本店営業部"})
    agent = User.objects.filter(username="bench_api_monitoring").first()
    if agent is None:
        agent = User.objects.create_user(username="bench_api_monitoring", role="monitoring")
    _client, token = api_client_create(
        name=f"bench {uuid.uuid4().hex[:8]}", scopes=[Scope.PRELIMINARY], branches=[branch]
    )
    session = Client()
    session.force_login(agent)
    server, base = serve()
    try:
        with httpx.Client(base_url=base, timeout=30) as http:
            http.cookies.set(
                settings.SESSION_COOKIE_NAME, session.cookies[settings.SESSION_COOKIE_NAME].value
            )
            page = http.get("/monitoring/calls/new/")
            assert page.status_code == 200, page.status_code
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            assert csrf is not None
            api_times, form_times = [], []
            before = Case.objects.count()
            body = json.dumps(CALL, ensure_ascii=False).encode()
            # One of each first, not timed: the first request imports and compiles what it needs.
            for _ in range(args.runs + 1):
                started = time.perf_counter()
                response = http.post(
                    "/api/v1/preliminary-cases/",
                    content=body,
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Idempotency-Key": str(uuid.uuid4()),
                        "Content-Type": "application/json",
                    },
                )
                api_times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 201, response.text
                started = time.perf_counter()
                response = http.post("/monitoring/calls/new/", data=form_data(csrf.group(1)))
                form_times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 302, response.status_code
            assert Case.objects.count() - before == 2 * (args.runs + 1)  # each call opened one case
            api_times, form_times = api_times[1:], form_times[1:]
    finally:
        server.shutdown()
        server.server_close()
    print(f"{'preliminary case':<18}{'p50 ms':>9}{'p95 ms':>9}")
    for label, times in (("API", api_times), ("form (reference)", form_times)):
        print(f"{label:<18}{statistics.median(times):>9.1f}{p95(times):>9.1f}")
    ratio = statistics.median(api_times) / statistics.median(form_times)
    ratio95 = p95(api_times) / p95(form_times)
    print(f"ratio API / form: p50 {ratio:.2f}, p95 {ratio95:.2f} ({args.runs} runs each)")


if __name__ == "__main__":
    main()

"""The simulated tellers of the load test (Locust): each signs in through the real forms (password,
then the one-time password of its authenticator) and takes whole stolen-card reports through the
guided intake — reporter, customer, two items (one added with 「行を追加」), the three stops carried
out, three withdrawals, police, checklist, review, submit, receipt — posting each form back as a
browser would: its CSRF token, its edit stamp and key, the values the page filled in.

Run by bench/load_tellers.py in a process of its own (Locust patches the standard library for
gevent on import), by ``main(CONFIG.json, RESULT.json)``; it writes each
request's timings and every case it saw submitted, for the parent to print and check in the
database. Every request is bounded by a timeout; the run stops after ``duration`` seconds or when
every teller has taken its cases, and a teller stopping finishes the case it is on.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import random
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import gevent
import gevent.event
from locust import HttpUser, task
from locust.env import Environment
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_accounts import (
    BRANCH_CODES,
    LOAD_PASSWORD,
    teller_username,
    totp_code,
    totp_key,
)
from bench.load_forms import Form, form_with, page_errors, step_form

TOKYO = ZoneInfo("Asia/Tokyo")
TIMEOUT = 30  # seconds for any one request
SIGN_IN_TIMEOUT = 60  # the password hash is slow by design
CONFIG: dict[str, Any] = {}  # set by run() before the first teller starts
SUBMITTED: list[dict[str, Any]] = []  # every case whose receipt a teller saw
STARTED: list[str] = []  # every report a teller began (its customer number)
ORDER = itertools.count()  # each teller's number, in the order they start
SIGNED_IN: list[str] = []  # tellers through the sign-in
DONE_SIGNING_IN: list[str] = []  # tellers through the sign-in or out of it with an error
# The reports begin together once every teller has signed in (or failed to): a branch's tellers
# sign in over the morning, not in one second, and fifty password hashes at once would measure
# the hasher, not the intake.
EVERYONE_IN = gevent.event.Event()
CASE_PATH = re.compile(r"/cases/(\d+)/")
ITEMS = [("cash_card", "stolen"), ("passbook", "stolen")]
WITHDRAWALS = [("15:02", 200_000), ("15:09", 300_000), ("15:16", 100_000)]


class StepFailed(Exception):
    """A page answered other than a browser would expect; the failure is already recorded."""


class Teller(HttpUser):
    """A teller at a branch counter taking stolen-card reports, one after another."""

    host = "http://127.0.0.1"  # replaced per teller in on_start: tellers are spread over instances

    def wait_time(self) -> float:
        return self.think_time()

    def think_time(self) -> float:
        low, high = CONFIG.get("think", (0.0, 0.0))
        return random.uniform(low, high)

    def on_start(self) -> None:
        self.number = next(ORDER)
        hosts = CONFIG["hosts"]
        self.instance = self.number % len(hosts)
        self.client.base_url = hosts[self.instance]
        self.username = teller_username(CONFIG["shape"], self.number)
        self.cases_taken = 0
        try:
            self.sign_in()
            SIGNED_IN.append(self.username)
        except StepFailed:
            raise StopUser() from None
        finally:
            DONE_SIGNING_IN.append(self.username)
            if len(DONE_SIGNING_IN) >= CONFIG["users"]:
                EVERYONE_IN.set()
        EVERYONE_IN.wait(timeout=CONFIG["sign_in_limit"])
        # Each begins its first report after a pause of its own, as tellers do, rather than all
        # fifty in the same second once the last has signed in.
        self.pause()

    # One request, checked as a browser would: the expected answer or a recorded failure.

    def get(self, path: str, name: str, timeout: float = TIMEOUT) -> str:
        with self.client.get(
            path, name=name, allow_redirects=False, timeout=timeout, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")
                raise StepFailed(name)
            return response.text

    def post(
        self,
        path: str,
        data: list[tuple[str, str]],
        name: str,
        expect: str,
        timeout: float = TIMEOUT,
    ) -> str:
        """POST a form; the answer must redirect to a path containing ``expect``. Returns the
        Location (a form that comes back with errors is a failure, its messages recorded)."""
        with self.client.post(
            path,
            data=data,
            name=name,
            allow_redirects=False,
            timeout=timeout,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or expect not in location:
                errors = page_errors(response.text)[:2] if response.status_code == 200 else []
                response.failure(f"{response.status_code} {location} {' / '.join(errors)}")
                raise StepFailed(name)
            return location

    def pause(self) -> None:
        gevent.sleep(self.think_time())

    # Signing in.

    def sign_in(self) -> None:
        wait = SIGN_IN_TIMEOUT
        page = self.get("/login/", "sign-in: show", wait)
        form = form_with(page, "password")
        form.set("username", self.username)
        form.set("password", LOAD_PASSWORD)
        location = self.post("/login/", form.data(), "sign-in: password", "/login/otp/", wait)
        page = self.get(location, "sign-in: one-time password show", wait)
        form = form_with(page, "token")
        form.set("token", totp_code(totp_key(self.username)))
        self.post(location, form.data(), "sign-in: one-time password", "/", wait)
        self.get("/", "home", wait)

    # The guided intake.

    @task
    def take_report(self) -> None:
        limit = CONFIG.get("cases_per_teller")
        if limit is not None and self.cases_taken >= limit:
            raise StopUser()
        if gevent.get_hub().loop.now() >= CONFIG.get("stop_at", float("inf")):
            # The run's time is over: no new report is begun (one begun now would be cut off
            # when the tellers' process stops, an error that is the harness's, not the intake's).
            raise StopUser()
        self.cases_taken += 1
        # A failed step is recorded as its failure; the teller goes on with the next report.
        with contextlib.suppress(StepFailed):
            self.intake()

    def step(self, pk: int, slug: str) -> Form:
        self.pause()
        page = self.get(f"/cases/{pk}/intake/{slug}/", f"{slug}: show")
        return step_form(page)

    def intake(self) -> None:
        today = datetime.now(TOKYO).date()
        stolen_on = today - timedelta(days=2)
        customer = f"{self.number:04d}{self.cases_taken:04d}"
        account = f"{self.number:03d}{self.cases_taken:04d}"[-7:]
        STARTED.append(customer)

        page = self.get("/cases/new/", "reporter: show")
        form = form_with(page, "intake_token")
        token = form.value("intake_token") or ""
        form.set("channel", "counter")
        form.set("reporter_relation", "self")
        self.pause()
        location = self.post("/cases/new/", form.data("next"), "reporter: save", "/customer/")
        match = CASE_PATH.search(location)
        if match is None:
            raise StepFailed("reporter: save")
        pk = int(match.group(1))

        form = self.step(pk, "customer")
        form.set("customer_number", customer)
        form.set("customer_type", "individual")
        form.set("customer_name", f"負荷 太郎{customer}")
        form.set("customer_name_kana", "フカ タロウ")
        self.post(form.action or location, form.data("next"), "customer: save", "/items/")

        items_url = f"/cases/{pk}/intake/items/"
        form = self.step(pk, "items")
        for row, (kind, state) in enumerate(ITEMS):
            if row:
                self.pause()
                form = step_form(self.get(items_url + "?add=1", "items: show"))
            prefix = f"items-{row}-"
            form.set(prefix + "kind", kind)
            form.set(prefix + "state", state)
            form.set(prefix + "account_branch", BRANCH_CODES[self.number % len(BRANCH_CODES)])
            form.set(prefix + "account_number", account)
            form.set(prefix + "occurred_on", stolen_on.isoformat())
            form.set(prefix + "noticed_on", today.isoformat())
            last = row == len(ITEMS) - 1
            self.post(
                items_url,
                form.data("next" if last else "add_row"),
                "items: save" if last else "items: add row",
                "/stops/" if last else "/items/?add=1",
            )

        stops_url = f"/cases/{pk}/intake/stops/"
        form = self.step(pk, "stops")
        decisions = [name for name in form.names() if name.endswith("-decision")]
        for name in decisions:
            form.set(name, "done")
        self.post(stops_url, form.data("perform"), "stops: perform", "/stops/")
        form = self.step(pk, "stops")
        self.post(stops_url, form.data("next"), "stops: save", "/transactions/")

        tx_url = f"/cases/{pk}/intake/transactions/"
        form = self.step(pk, "transactions")
        for row, (hour, amount) in enumerate(WITHDRAWALS):
            if row:
                self.pause()
                form = step_form(self.get(tx_url + "?add=1", "transactions: show"))
            prefix = f"tx-{row}-"
            form.set(prefix + "occurred_at", f"{stolen_on.isoformat()}T{hour}")
            form.set(prefix + "channel", "atm_withdrawal")
            form.set(prefix + "amount", str(amount))
            form.set(prefix + "fee", "220")
            form.set(prefix + "location", "新宿駅前出張所ATM")
            last = row == len(WITHDRAWALS) - 1
            self.post(
                tx_url,
                form.data("next" if last else "add_row"),
                "transactions: save" if last else "transactions: add row",
                "/police/" if last else "/transactions/?add=1",
            )

        form = self.step(pk, "police")
        form.set("police_status", "not_yet")
        self.post(f"/cases/{pk}/intake/police/", form.data("next"), "police: save", "/checklist/")

        form = self.step(pk, "checklist")
        for name in ("card", "passbook"):
            if form.choices.get(name):
                form.check(name, form.choices[name][0])
        self.post(
            f"/cases/{pk}/intake/checklist/", form.data("next"), "checklist: save", "/review/"
        )

        self.pause()
        page = self.get(f"/cases/{pk}/intake/review/", "review: show")
        form = form_with(page, "confirmed")
        form.set("confirmed", "on")
        receipt_url = self.post(form.action, form.data(), "review: submit", f"/cases/{pk}/receipt/")
        page = self.get(receipt_url, "receipt")
        number = re.search(r'data-testid="receipt-number">([^<]+)<', page)
        SUBMITTED.append(
            {
                "pk": pk,
                "intake_token": token,
                "number": number.group(1).strip() if number else "",
                "customer_number": customer,
                "username": self.username,
                "instance": self.instance,
                "items": len(ITEMS),
                "transactions": len(WITHDRAWALS),
                "stops": len(decisions),
            }
        )


def percentile(entry, fraction: float) -> float:
    return float(entry.get_response_time_percentile(fraction)) if entry.num_requests else 0.0


def run(config: dict[str, Any]) -> dict[str, Any]:
    """Run the tellers until they are done or ``duration`` is over; their figures and cases."""
    CONFIG.update(config)
    CONFIG["think"] = tuple(config.get("think", (0.0, 0.0)))
    # A teller being stopped finishes the report it is on (bounded by the requests' timeouts).
    environment = Environment(user_classes=[Teller], stop_timeout=config["stop_timeout"])
    runner = environment.create_local_runner()
    runner.start(config["users"], spawn_rate=config["spawn_rate"])
    clock = gevent.get_hub().loop
    began = clock.now()
    EVERYONE_IN.wait(timeout=config["sign_in_limit"])
    signing_in = clock.now() - began
    started = clock.now()
    CONFIG["stop_at"] = started + config["duration"]
    gevent.sleep(1)
    while runner.user_count > 0 and clock.now() - started < config["duration"]:
        gevent.sleep(0.5)
    runner.quit()
    elapsed = clock.now() - started
    steps = []
    for (name, method), entry in sorted(environment.stats.entries.items()):
        steps.append(
            {
                "name": name,
                "method": method,
                "count": entry.num_requests,
                "failures": entry.num_failures,
                "p50": percentile(entry, 0.5),
                "p95": percentile(entry, 0.95),
                "max": float(entry.max_response_time or 0),
            }
        )
    errors = [
        {"name": error.name, "error": str(error.error), "count": error.occurrences}
        for error in environment.stats.errors.values()
    ]
    exceptions = (
        [
            {"message": row["msg"], "count": row["count"]}
            for row in environment.runner.exceptions.values()
        ]
        if environment.runner is not None
        else []
    )
    return {
        "signed_in": len(SIGNED_IN),
        "signing_in": signing_in,
        "elapsed": elapsed,
        "steps": steps,
        "errors": errors,
        "exceptions": exceptions,
        "submitted": SUBMITTED,
        "started": len(STARTED),
        "requests": environment.stats.total.num_requests,
    }


def main(config_path: str, result_path: str) -> None:
    """Read the run's settings from one JSON file, write its figures and cases to another."""
    settings = json.loads(Path(config_path).read_text())
    Path(result_path).write_text(json.dumps(run(settings), ensure_ascii=False))

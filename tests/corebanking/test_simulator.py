"""The simulator keeps the protocol of docs/core-banking-protocol.md: one stop per idempotency key
whatever is resent, a key reused for another stop refused, bad requests answered 400, and a
customer for every account of the demo data."""

from __future__ import annotations

import json
import re

from coresim.customers import CUSTOMERS
from tests.servers import ROOT, core_simulator

__all__ = ["core_simulator"]  # fixture used below


def post(sim, body, key="k-1", raw=None):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    try:
        data = raw if raw is not None else json.dumps(body).encode()
        connection.request(
            "POST", "/stops", body=data, headers={"Idempotency-Key": key} if key else {}
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_the_same_key_gets_the_same_answer_and_never_a_second_stop(core_simulator):
    stop = {"kind": "card_suspend", "branch": "001", "account": "1234567"}
    first = post(core_simulator, stop)
    again = post(core_simulator, stop)
    assert first == again and first[1]["state"] == "confirmed"
    assert core_simulator.stats()["stops"] == {"k-1": 1}
    status, body = post(core_simulator, {**stop, "account": "7654321"})
    assert (status, body["code"]) == (409, "key_reused")
    # A refused request makes no stop; an accepted one is confirmed when asked, in "accept" mode.
    core_simulator.mode("refuse")
    assert post(core_simulator, stop, key="k-2")[1]["state"] == "refused"
    core_simulator.mode("accept")
    assert post(core_simulator, stop, key="k-3")[1]["state"] == "accepted"
    assert core_simulator.call("GET", "/stops/k-3")["state"] == "confirmed"
    assert core_simulator.stats()["stops"] == {"k-1": 1, "k-3": 1}


def test_bad_requests_are_answered_400_not_an_error(core_simulator):
    stop = {"kind": "card_suspend", "branch": "001", "account": "1234567"}
    assert post(core_simulator, stop, key="")[0] == 400
    assert post(core_simulator, stop, key="bad key with spaces")[0] == 400
    assert post(core_simulator, None, raw=b"\xff\x00not json")[0] == 400
    assert post(core_simulator, {"kind": 1})[0] == 400
    assert core_simulator.call("POST", "/_control", {"mode": "nonsense"})["code"] == "bad_request"
    assert core_simulator.stats()["total"] == 0


def test_the_simulator_knows_every_account_of_the_demo_data():
    demo = (ROOT / "incidents" / "devdata" / "demo.py").read_text()
    accounts = set(re.findall(r'"(00[12]\d{7})"', demo))
    accounts |= {("001" + n) for n in re.findall(r'"account_number": "(\d{7})"', demo)}
    known = {branch + account for branch, account in CUSTOMERS}
    assert accounts and accounts <= known

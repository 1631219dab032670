"""The load test's tiny run: real gunicorn, real Celery workers, simulated tellers through every
intake step, then the exactly-once check in the database (bench/load_tellers.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from django.conf import settings

from bench.load_forms import forms_of, page_errors, step_form
from tests.workers import ROOT, redis_server  # noqa: F401 — the fixture

FORM = """
<form method="post" action="/lang/"><input type="hidden" name="language" value="en"></form>
<form method="post" data-testid="step-form"><input type="hidden" name="csrfmiddlewaretoken"
 value="tok"><input type="hidden" name="version" value="3"><input type="text" name="name"
 value="山田"><input type="radio" name="kind" value="a"><input type="radio" name="kind" value="b"
 checked><input type="checkbox" name="card" value="x"><select name="tx-0-item"><option value="">
---</option><option value="7" selected>カード</option></select><textarea name="note">
メモ</textarea><button type="submit" name="add_row" value="1">行を追加</button>
<button type="submit" name="next" value="1">次へ</button></form>
"""


def test_the_form_reader_posts_what_a_browser_would_with_the_button_clicked():
    assert len(forms_of(FORM)) == 2
    form = step_form(FORM)
    form.set("name", "佐藤")
    form.check("card", "x")
    posted = form.data("next")
    assert ("csrfmiddlewaretoken", "tok") in posted and ("version", "3") in posted
    assert ("kind", "b") in posted and ("kind", "a") not in posted
    assert ("tx-0-item", "7") in posted and ("note", "メモ") in posted
    assert ("name", "佐藤") in posted and ("name", "山田") not in posted
    assert ("card", "x") in posted
    assert ("next", "1") in posted and ("add_row", "1") not in posted
    assert form.choices["kind"] == ["a", "b"]


def test_the_form_reader_reports_a_refused_forms_messages():
    page = (
        '<div class="alert alert-danger"><b>確認</b> 古い画面</div>'
        '<span id="error_1_id_x"><strong>金額を入力してください。</strong></span>'
    )
    assert page_errors(page) == ["確認 古い画面", "金額を入力してください。"]


def test_the_tiny_load_test_stores_every_submitted_case_exactly_once(redis_server):  # noqa: F811
    name = f"{settings.DATABASES['default']['NAME']}_load"[:60]
    env = dict(os.environ, REDIS_URL=redis_server.url, CELERY_BROKER_URL=redis_server.url)
    env.pop("MAMORI_BENCH_DATABASE_URL", None)
    command = [sys.executable, str(ROOT / "bench" / "load_tellers.py"), "--tiny"]
    result = subprocess.run(
        [*command, "--shapes", "1,2", "--name", name],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Both shapes: three tellers each took one whole report, seen by a receipt and found once.
    passed = re.findall(r"exactly-once check passed: (\d+) cases", output)
    assert passed == ["3", "3"], output
    # With two instances, each served some of the tellers.
    assert re.search(r"per instance: \[[1-9]\d*, [1-9]\d*\]", output), output
    for step in ("items: add row", "stops: perform", "transactions: add row", "review: submit"):
        assert re.search(rf"^{re.escape(step)}\s+\d+\s+0\s", output, re.M), (step, output)
    assert "errors: 0;" in output

"""Retake the README's picture of the receipt (docs/receipt.png) as it prints.

    .venv/bin/python scripts/screenshots.py                    # writes docs/receipt.png
    .venv/bin/python scripts/screenshots.py --out /tmp/r.png   # elsewhere

It creates a throwaway database ``mamori_screenshots`` on the server of DATABASE_URL (dropped
afterwards), seeds the demo staff, reports a typical stolen bag through the same services the
intake calls (cash card, passbook and seal of one account, a driving licence; two ATM
withdrawals; every proposed stop performed), serves the app on a local port and has Debian's
Chromium (/usr/bin/chromium through Playwright, ``--no-sandbox --disable-gpu``) sign in as the
demo teller and photograph the receipt in print media: one A4 page naming the identity document.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from datetime import datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
A4_AT_96_DPI = (794, 1123)  # width, height in CSS pixels


def database(name: str) -> str:
    """Create the throwaway database on DATABASE_URL's server; its URL."""
    import environ
    import psycopg

    env = environ.Env()
    env.read_env(str(ROOT / ".env"))
    base = urlsplit(env("DATABASE_URL", default="postgres://127.0.0.1:5432/mamori"))
    with psycopg.connect(urlunsplit(base._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(base._replace(path="/" + name))


def drop(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def stolen_bag():
    """A typical counter report: a bag with the card, passbook, seal and licence, two withdrawals."""
    from django.utils import timezone

    from incidents.cases import services
    from incidents.models import User
    from incidents.models.choices import ActionStatus

    teller = User.objects.get(username="teller")
    today = timezone.localdate()
    stolen, noticed = today - timedelta(days=1), today
    tz = timezone.get_current_timezone()
    case, _created = services.case_start_draft(
        user=teller,
        token=uuid.uuid4(),
        fields={"channel": "counter", "reporter_relation": "self", "notified_at": timezone.now()},
    )
    services.case_update(
        case=case,
        user=teller,
        step="customer",
        fields={
            "customer_type": "individual",
            "customer_name": "山田 太郎",
            "customer_name_kana": "ヤマダ タロウ",
            "customer_number": "1234567",
            "customer_phone": "090-1234-5678",
            "customer_birth_date": datetime(1958, 4, 12).date(),
        },
    )
    account = {"account_branch": "001", "account_number": "1234567"}
    dates = {"occurred_on": stolen, "noticed_on": noticed}
    items = services.case_save_items(
        case=case,
        user=teller,
        rows=[
            {"kind": "cash_card", "state": "stolen", **account, **dates},
            {"kind": "passbook", "state": "stolen", **account, **dates},
            {"kind": "seal", "state": "stolen", **account, **dates},
            {
                "kind": "id_document",
                "state": "stolen",
                "id_document_kind": "driving_licence",
                **dates,
            },
        ],
    )
    services.case_save_transactions(
        case=case,
        user=teller,
        rows=[
            {
                "item": items[0].pk,
                "occurred_at": datetime.combine(stolen, time(15, minute), tz),
                **account,
                "channel": "atm_withdrawal",
                "amount": amount,
                "fee": 220,
                "interest": 0,
                "location": "新宿駅前出張所ATM",
            }
            for minute, amount in ((2, 200_000), (9, 300_000))
        ],
    )
    services.case_update(
        case=case,
        user=teller,
        step="police",
        fields={
            "police_status": "not_yet",
            "police_station": "",
            "police_filed_on": None,
            "police_receipt_number": "",
        },
    )
    for action in case.actions.filter(status=ActionStatus.PROPOSED):
        services.action_perform(action=action, user=teller)
    return services.case_submit(case_id=case.pk, user=teller)


def photograph(base_url: str, case_id: int, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    from incidents.devdata.demo import DEMO_PASSWORD

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        width, height = A4_AT_96_DPI
        page = browser.new_page(viewport={"width": width, "height": height}, locale="ja-JP")
        page.goto(f"{base_url}/login/")
        page.get_by_label("ユーザー名").fill("teller")
        page.get_by_label("パスワード").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.get_by_test_id("current-user").wait_for()
        page.goto(f"{base_url}/cases/{case_id}/receipt/")
        page.get_by_test_id("receipt").wait_for()
        page.emulate_media(media="print")
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=True)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "receipt.png")
    parser.add_argument("--name", default="mamori_screenshots", help="throwaway database")
    args = parser.parse_args()

    url = database(args.name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "False"
    os.environ["MAMORI_DEMO"] = "true"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    os.environ["MAMORI_REQUIRE_OTP"] = "false"
    import django

    django.setup()
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.management import call_command
    from django.db import connections
    from django.test.testcases import LiveServerThread

    from incidents.devdata.demo import seed_demo

    server = None
    try:
        call_command("migrate", verbosity=0)
        seed_demo()
        case = stolen_bag()
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        photograph(f"http://127.0.0.1:{server.port}", case.pk, args.out)
        print(f"{args.out} ({args.out.stat().st_size:,} bytes): the receipt of {case.number}")
    finally:
        if server is not None:
            server.terminate()
        connections.close_all()
        drop(url)


if __name__ == "__main__":
    main()

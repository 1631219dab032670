"""The load test's database side (bench/load_tellers.py): Django pointed at the bench database,
the tellers and supervisors seeded, and the checks of what the run stored."""

from __future__ import annotations

import os
from typing import Any

from bench.load_accounts import BRANCH_CODES, LOAD_PASSWORD, teller_username, totp_key


def setup_django(url: str) -> None:
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    os.environ["DATABASE_URL"] = url
    # The servers' password hashers, whatever settings the caller had (a test's are faster and
    # would make hashes the servers cannot check).
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    import django

    django.setup()


def seed_tellers(shapes: list[int], tellers: int) -> None:
    """Branches and tellers, each with a confirmed authenticator whose key the simulated teller
    knows; one password hash for all (hashing each would only slow the seeding)."""
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from incidents.models import Branch, User
    from incidents.models.choices import Role

    hashed = make_password(LOAD_PASSWORD)
    branches = [
        Branch.objects.get_or_create(
            code=code, defaults={"name": f"負荷試験{code}", "phone": "03-0000-0000"}
        )[0]
        for code in BRANCH_CODES
    ]
    for branch in branches:  # a supervisor each: a submitted case notifies them, by email too
        supervisor, _created = User.objects.get_or_create(
            username=f"load_supervisor_{branch.code}",
            defaults={"role": Role.SUPERVISOR, "branch": branch, "last_name": "負荷"},
        )
        supervisor.email = f"{supervisor.username}@bank.example"
        supervisor.save()
    for shape in shapes:
        for index in range(tellers):
            username = teller_username(shape, index)
            user, _created = User.objects.get_or_create(
                username=username,
                defaults={
                    "role": Role.TELLER,
                    "branch": branches[index % len(branches)],
                    "last_name": "負荷",
                    "first_name": f"窓口{index}",
                    "email": f"{username}@bank.example",
                },
            )
            user.password = hashed
            user.save()
            TOTPDevice.objects.update_or_create(
                user=user,
                name="load",
                defaults={"key": totp_key(username).hex(), "confirmed": True, "last_t": -1},
            )


def emails_sent() -> dict[str, int]:
    """The notices' email copies by state (the workers send them)."""
    from django.db.models import Count

    from notifications.models import Notification

    rows = Notification.objects.values("email_state").annotate(n=Count("id"))
    return {row["email_state"]: row["n"] for row in rows}


def check_cases(shape: int, tellers: int, submitted: list[dict[str, Any]]) -> list[str]:
    """What is wrong in the database: a case seen submitted missing, doubled or incomplete, or a
    case submitted that no teller saw a receipt for. Empty when every case is stored exactly once."""
    from collections import Counter

    from django.db.models import Count, Q

    from incidents.models import Case
    from incidents.models.choices import ActionStatus, CaseStatus
    from notifications.models import Notification

    problems = []
    usernames = [teller_username(shape, index) for index in range(tellers)]
    by_token = {
        str(case.intake_token): case
        for case in Case.objects.filter(created_by__username__in=usernames).annotate(
            item_count=Count("items", distinct=True),
            tx_count=Count("transactions", distinct=True),
            stops_done=Count("actions", filter=Q(actions__status=ActionStatus.DONE), distinct=True),
            stops=Count("actions", distinct=True),
        )
    }
    customers: dict[str, int] = {}
    for stored in by_token.values():
        customers[stored.customer_number] = customers.get(stored.customer_number, 0) + 1
    for seen in submitted:
        case = by_token.get(seen["intake_token"])
        label = f"case {seen['number'] or seen['pk']} ({seen['username']})"
        if case is None:
            problems.append(f"{label}: not in the database")
            continue
        if customers.get(seen["customer_number"], 0) != 1:
            problems.append(f"{label}: stored {customers.get(seen['customer_number'])} times")
        wrong = [
            f"{what} {have} (expected {want})"
            for what, have, want in (
                ("pk", case.pk, seen["pk"]),
                ("number", case.number, seen["number"]),
                ("status", case.status, CaseStatus.REPORTED),
                ("items", case.item_count, seen["items"]),
                ("transactions", case.tx_count, seen["transactions"]),
                ("stops", case.stops, seen["stops"]),
                ("stops carried out", case.stops_done, seen["stops"]),
            )
            if have != want
        ]
        if wrong:
            problems.append(f"{label}: " + ", ".join(wrong))
    # One supervisor per branch: each submitted case notifies exactly one, once.
    keys = Notification.objects.filter(
        dedupe_key__startswith="case:", dedupe_key__contains=":submitted:"
    ).values_list("dedupe_key", flat=True)
    notices = Counter(int(key.split(":")[1]) for key in keys if key)
    wrong_notices = [seen["number"] for seen in submitted if notices[seen["pk"]] != 1]
    if wrong_notices:
        problems.append(
            f"{len(wrong_notices)} cases without exactly one notice: {wrong_notices[:5]}"
        )
    seen_tokens = {seen["intake_token"] for seen in submitted}
    extra = [
        case.number
        for token, case in by_token.items()
        if token not in seen_tokens and case.status != CaseStatus.DRAFT
    ]
    if extra:
        problems.append(f"{len(extra)} submitted cases no teller saw a receipt for: {extra[:5]}")
    return problems

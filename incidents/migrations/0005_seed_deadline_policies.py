"""Seed the deadline policies with the defaults of docs/domain.md §5.2 (an administrator changes
them later)."""

import datetime

from django.db import migrations

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)

DEFAULTS = {
    # kind: counting, days, due time, remind before, escalate after, re-escalate after
    "police_report": ("calendar_days", 7, datetime.time(15, 0), DAY, datetime.timedelta(0), 2 * DAY),
    "customer_documents": (
        "calendar_days", 14, datetime.time(15, 0), 2 * DAY, datetime.timedelta(0), 2 * DAY
    ),
    "after_hours_pickup": (
        "next_opening", 0, datetime.time(10, 0), HOUR, datetime.timedelta(0), 2 * HOUR
    ),
    "supervisor_review": (
        "business_days", 2, datetime.time(16, 0), 4 * HOUR, datetime.timedelta(0), DAY
    ),
}


def seed(apps, schema_editor):
    DeadlinePolicy = apps.get_model("incidents", "DeadlinePolicy")
    for kind, (counting, days, due_time, remind, escalate, re_escalate) in DEFAULTS.items():
        DeadlinePolicy.objects.get_or_create(
            kind=kind,
            defaults={
                "counting": counting,
                "days": days,
                "due_time": due_time,
                "remind_before": remind,
                "escalate_after": escalate,
                "re_escalate_after": re_escalate,
            },
        )


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0004_deadline_policy_next_action_closures"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

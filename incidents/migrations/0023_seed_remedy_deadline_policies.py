"""Seed the policies of the two deadlines the Remedy Act brought (docs/domain.md §9), as 0005 did
for the first four, so an administrator finds them in the admin and a scan writes none."""

import datetime

from django.db import migrations

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)

DEFAULTS = {
    # kind: counting, days, due time, remind before, escalate after, re-escalate after
    "freeze_follow_up": (
        "business_days", 2, datetime.time(15, 0), 4 * HOUR, datetime.timedelta(0), DAY
    ),
    "remedy_application": (
        "calendar_days", 30, datetime.time(15, 0), 7 * DAY, datetime.timedelta(0), 2 * DAY
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
    dependencies = [("incidents", "0022_case_history_triggers_after_merge")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

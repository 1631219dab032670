"""A bank closure's date lies in the project's one range (1900-01-01 to 2999-12-31), by a check
constraint, as every other stored date (migration 0014).

The admin accepted any date before: a closure already out of range (a typo such as year 0202) is
no closure the calendar can ever meet, and its date is required, so it cannot be cleared. Each one
is printed with its date and reason, then removed, before the constraint is added — so the
migration cannot fail on it and nothing goes silently.
"""

import datetime

from django.db import migrations, models

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2999, 12, 31)


def report_and_remove_out_of_range(apps, schema_editor):
    BankClosure = apps.get_model("incidents", "BankClosure")
    with schema_editor.connection.cursor() as cursor:
        # Read as text: a date before year 1 (BC) cannot become a Python date.
        cursor.execute(
            "SELECT id, date::text, reason FROM incidents_bankclosure "
            "WHERE date < %s OR date > %s",
            [EARLIEST, LATEST],
        )
        for row_id, raw, reason in cursor.fetchall():
            print(f"\n  out of range, removed: incidents_bankclosure id={row_id}: {raw} {reason}")
            BankClosure.objects.filter(pk=row_id).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0028_remedy_application_opens_deadline"),
    ]

    operations = [
        migrations.RunPython(report_and_remove_out_of_range, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="bankclosure",
            constraint=models.CheckConstraint(
                condition=models.Q(("date__gte", EARLIEST), ("date__lte", LATEST)),
                name="bankclosure_date_in_range",
            ),
        ),
    ]

"""The case page's question "may another open report be of the same customer?" by index probes on
(branch, customer number) and (branch, kana) among the reports open to a merge, not a scan of the
branch's open cases."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

DUPLICATE_STATUSES = ("preliminary", "reported", "investigating")


class Migration(migrations.Migration):
    # Built without locking out writes: the case table is large in production.
    atomic = False

    dependencies = [
        ("incidents", "0026_core_requests_for_freezes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="case",
            index=models.Index(
                condition=models.Q(status__in=DUPLICATE_STATUSES),
                fields=["branch", "customer_number"],
                name="case_duplicate_number",
            ),
        ),
        AddIndexConcurrently(
            model_name="case",
            index=models.Index(
                condition=models.Q(status__in=DUPLICATE_STATUSES),
                fields=["branch", "customer_name_kana"],
                name="case_duplicate_kana",
            ),
        ),
    ]

"""The statistics read a period's transactions in case and item order (merge joins, no sort)."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without locking out writes: the transactions table is large in production.
    atomic = False

    dependencies = [
        ("incidents", "0019_transfer_fraud_and_elderly"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="unauthorizedtransaction",
            index=models.Index(
                fields=["case", "item"],
                include=("occurred_at", "amount", "recovered_amount"),
                name="transaction_statistics",
            ),
        ),
    ]

"""The search column gains phone numbers and the birth date (incidents.models.search): rebuilt for
every case from the same function the services use."""

from django.db import migrations

from incidents.models import search

BATCH = 2000


def rebuild(apps, schema_editor):
    Case = apps.get_model("incidents", "Case")
    Item = apps.get_model("incidents", "ReportedItem")
    pending = []
    for case in Case.objects.order_by("pk").iterator(chunk_size=BATCH):
        accounts = Item.objects.filter(case_id=case.pk).values_list(
            "account_branch", "account_number"
        )
        case.search_text = search.search_text(
            number=case.number,
            customer_number=case.customer_number,
            customer_name=case.customer_name,
            customer_name_kana=case.customer_name_kana,
            phones=(case.customer_phone, case.reporter_phone),
            birth_date=case.customer_birth_date,
            accounts=list(accounts),
        )
        pending.append(case)
        if len(pending) >= BATCH:
            Case.objects.bulk_update(pending, ["search_text"])
            pending = []
    if pending:
        Case.objects.bulk_update(pending, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("incidents", "0015_access_refusal")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]

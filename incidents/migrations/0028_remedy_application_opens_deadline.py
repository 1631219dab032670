"""The deadline of the Remedy Act's application period opening (docs/domain.md §5.2, §9): its
kind, and its policy seeded as 0023 seeded the others, so an administrator finds it in the admin."""

import datetime

from django.db import migrations, models


def seed(apps, schema_editor):
    DeadlinePolicy = apps.get_model("incidents", "DeadlinePolicy")
    DeadlinePolicy.objects.get_or_create(
        kind="remedy_application_opens",
        defaults={
            "counting": "calendar_days",
            "days": 1,
            "due_time": datetime.time(15, 0),
            "remind_before": datetime.timedelta(hours=6),
            "escalate_after": datetime.timedelta(0),
            "re_escalate_after": datetime.timedelta(days=2),
        },
    )


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0027_case_duplicate_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='deadline',
            name='kind',
            field=models.CharField(choices=[('police_report', '警察への被害届'), ('customer_documents', '所定の書類'), ('after_hours_pickup', '時間外受付の引継ぎ'), ('supervisor_review', '役席の審査'), ('freeze_follow_up', '凍結依頼の回答確認'), ('remedy_application', '被害回復分配金の申請期間'), ('remedy_application_opens', '被害回復分配金の申請受付開始のご案内')], max_length=30, verbose_name='種類'),
        ),
        migrations.AlterField(
            model_name='deadlinepolicy',
            name='kind',
            field=models.CharField(choices=[('police_report', '警察への被害届'), ('customer_documents', '所定の書類'), ('after_hours_pickup', '時間外受付の引継ぎ'), ('supervisor_review', '役席の審査'), ('freeze_follow_up', '凍結依頼の回答確認'), ('remedy_application', '被害回復分配金の申請期間'), ('remedy_application_opens', '被害回復分配金の申請受付開始のご案内')], max_length=30, unique=True, verbose_name='種類'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]

"""Every write to a case goes through one guarded path (incidents.edits): the edits applied,
keyed by the form that asked for them, append-only. And every stored date lies in the project's
one range (1900-01-01 to 2999-12-31, Japan time), by check constraints.

Before the constraints are added, rows already out of range (a year 1 typed before the forms
refused it, stored as a BC timestamp that no page could read) are found and reported: printed
with their raw value, repaired (an optional date is cleared; a notification time falls back to
when the case was created; a transaction time to its case's notification time) and each repair
noted on the case's timeline with the value it replaced, so nothing is lost silently.
"""

import datetime
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


EARLIEST = "1900-01-01"
END = "3000-01-01"
# (table, column, is a timestamp, replacement SQL or None to clear, label for the timeline)
CHECKED = [
    ("incidents_case", "notified_at", True, "created_at", "通知日時"),
    ("incidents_case", "customer_birth_date", False, None, "生年月日"),
    ("incidents_case", "police_filed_on", False, None, "警察への届出日"),
    ("incidents_reporteditem", "occurred_on", False, None, "届出対象の発生日"),
    ("incidents_reporteditem", "noticed_on", False, None, "届出対象の気付いた日"),
    (
        "incidents_unauthorizedtransaction",
        "occurred_at",
        True,
        "(SELECT c.notified_at FROM incidents_case c WHERE c.id = t.case_id)",
        "被害取引の取引日時",
    ),
]


def out_of_range(column: str, timestamp: bool) -> str:
    if timestamp:
        return (
            f"({column} < TIMESTAMPTZ '{EARLIEST} 00:00+09' "
            f"OR {column} >= TIMESTAMPTZ '{END} 00:00+09')"
        )
    return f"({column} < DATE '{EARLIEST}' OR {column} >= DATE '{END}')"


def find_report_and_repair(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for table, column, timestamp, replacement, label in CHECKED:
            case_column = "id" if table == "incidents_case" else "case_id"
            # Values read as text: a BC timestamp cannot become a Python datetime.
            cursor.execute(
                f"SELECT t.id, t.{case_column}, t.{column}::text FROM {table} t "
                f"WHERE {out_of_range('t.' + column, timestamp)}"
            )
            for row_id, case_id, raw in cursor.fetchall():
                print(f"\n  out of range: {table}.{column} id={row_id} case={case_id}: {raw}")
                cursor.execute(
                    f"UPDATE {table} t SET {column} = {replacement or 'NULL'} WHERE t.id = %s",
                    [row_id],
                )
                cursor.execute(
                    "INSERT INTO incidents_timelineevent (case_id, at, actor_id, kind, message, data)"
                    " VALUES (%s, now(), NULL, 'note', %s, %s::jsonb)",
                    [
                        case_id,
                        f"範囲外の日付を修正しました：{label} {raw} → "
                        + ("空欄" if replacement is None else "既定値"),
                        f'{{"date_repair": "{table}.{column}", "row": {row_id}}}',
                    ],
                )


APPEND_ONLY = (
    "CREATE TRIGGER incidents_caseedit_append_only BEFORE UPDATE OR DELETE ON incidents_caseedit "
    "FOR EACH ROW EXECUTE FUNCTION mamori_refuse_change();"
)
APPEND_ONLY_REVERSE = "DROP TRIGGER IF EXISTS incidents_caseedit_append_only ON incidents_caseedit;"


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0013_attachment_withdrawal'),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseEdit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.UUIDField(verbose_name='フォームキー')),
                ('action', models.CharField(max_length=40, verbose_name='操作')),
                ('version', models.PositiveIntegerField(verbose_name='変更後の版')),
                ('digest', models.CharField(blank=True, max_length=64, verbose_name='送信内容のダイジェスト')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='日時')),
            ],
            options={
                'verbose_name': '事故への変更',
                'verbose_name_plural': '事故への変更',
                'ordering': ['case', 'version'],
            },
        ),
        migrations.RunPython(find_report_and_repair, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(('notified_at__gte', datetime.datetime(1899, 12, 31, 15, 0, tzinfo=datetime.timezone.utc)), ('notified_at__lt', datetime.datetime(2999, 12, 31, 15, 0, tzinfo=datetime.timezone.utc))), name='case_notified_at_in_range'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(('customer_birth_date__isnull', True), models.Q(('customer_birth_date__gte', datetime.date(1900, 1, 1)), ('customer_birth_date__lte', datetime.date(2999, 12, 31))), _connector='OR'), name='case_customer_birth_date_in_range'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(('police_filed_on__isnull', True), models.Q(('police_filed_on__gte', datetime.date(1900, 1, 1)), ('police_filed_on__lte', datetime.date(2999, 12, 31))), _connector='OR'), name='case_police_filed_on_in_range'),
        ),
        migrations.AddConstraint(
            model_name='reporteditem',
            constraint=models.CheckConstraint(condition=models.Q(('occurred_on__isnull', True), models.Q(('occurred_on__gte', datetime.date(1900, 1, 1)), ('occurred_on__lte', datetime.date(2999, 12, 31))), _connector='OR'), name='reporteditem_occurred_on_in_range'),
        ),
        migrations.AddConstraint(
            model_name='reporteditem',
            constraint=models.CheckConstraint(condition=models.Q(('noticed_on__isnull', True), models.Q(('noticed_on__gte', datetime.date(1900, 1, 1)), ('noticed_on__lte', datetime.date(2999, 12, 31))), _connector='OR'), name='reporteditem_noticed_on_in_range'),
        ),
        migrations.AddConstraint(
            model_name='unauthorizedtransaction',
            constraint=models.CheckConstraint(condition=models.Q(('occurred_at__gte', datetime.datetime(1899, 12, 31, 15, 0, tzinfo=datetime.timezone.utc)), ('occurred_at__lt', datetime.datetime(2999, 12, 31, 15, 0, tzinfo=datetime.timezone.utc))), name='unauthorizedtransaction_occurred_at_in_range'),
        ),
        migrations.AddField(
            model_name='caseedit',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='edits', to='incidents.case'),
        ),
        migrations.AddField(
            model_name='caseedit',
            name='user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='職員'),
        ),
        migrations.AddConstraint(
            model_name='caseedit',
            constraint=models.UniqueConstraint(fields=('case', 'key'), name='case_edit_once_per_form'),
        ),
        migrations.RunSQL(APPEND_ONLY, APPEND_ONLY_REVERSE),
    ]

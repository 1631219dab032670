"""Refused access (403s, and 404s on a case's URL, given to staff), recorded for compliance;
append-only in the database like the access log (0007) and the attachments (0010)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

APPEND_ONLY = (
    "CREATE TRIGGER incidents_accessrefusal_append_only BEFORE UPDATE OR DELETE"
    " ON incidents_accessrefusal FOR EACH ROW EXECUTE FUNCTION mamori_refuse_change();"
)
NOT_APPEND_ONLY = (
    "DROP TRIGGER IF EXISTS incidents_accessrefusal_append_only ON incidents_accessrefusal;"
)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0014_case_edits_and_date_bounds"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccessRefusal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="日時"),
                ),
                ("method", models.CharField(max_length=10, verbose_name="メソッド")),
                ("path", models.CharField(max_length=200, verbose_name="URL")),
                ("view", models.CharField(blank=True, max_length=100, verbose_name="画面")),
                (
                    "status",
                    models.PositiveSmallIntegerField(
                        choices=[(403, "403 権限なし"), (404, "404 該当なし・範囲外")],
                        verbose_name="応答",
                    ),
                ),
                (
                    "ip_address",
                    models.GenericIPAddressField(blank=True, null=True, verbose_name="IPアドレス"),
                ),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="incidents.case",
                        verbose_name="事故",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="access_refusals",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="職員",
                    ),
                ),
            ],
            options={
                "verbose_name": "拒否されたアクセス",
                "verbose_name_plural": "拒否されたアクセス",
                "ordering": ["-at", "-pk"],
                "indexes": [
                    models.Index(fields=["user", "-at"], name="refusal_user_at"),
                    models.Index(fields=["case", "-at"], name="refusal_case_at"),
                    models.Index(fields=["-at"], name="refusal_at"),
                ],
            },
        ),
        migrations.RunSQL(APPEND_ONLY, NOT_APPEND_ONLY),
    ]

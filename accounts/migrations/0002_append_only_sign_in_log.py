"""The sign-in log is append-only in the database (the timeline's trigger function)."""

from django.db import migrations

FORWARD = (
    "CREATE TRIGGER accounts_signinevent_append_only BEFORE UPDATE OR DELETE "
    "ON accounts_signinevent FOR EACH ROW EXECUTE FUNCTION mamori_refuse_change();"
)
REVERSE = "DROP TRIGGER IF EXISTS accounts_signinevent_append_only ON accounts_signinevent;"


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("incidents", "0002_stop_reference_and_append_only_timeline"),
    ]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]

"""The case history and the access log are append-only in the database: the application cannot
edit or delete a row. The trigger is the one that guards the timeline (0002), which, unlike
pgtrigger's Protect, no session setting can switch off.

TRUNCATE is left to the table's owner: the test suite's flush needs it."""

from django.db import migrations

TABLES = [
    "incidents_casehistory",
    "incidents_reporteditemhistory",
    "incidents_protectiveactionhistory",
    "incidents_unauthorizedtransactionhistory",
    "incidents_caseaccess",
]

FORWARD = "\n".join(
    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION mamori_refuse_change();"
    for table in TABLES
)
REVERSE = "\n".join(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in TABLES)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0006_history_access_log_queue_indexes")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]

"""Attachments and their download log are append-only in the database, like the timeline: a
stored document's record cannot be edited or removed, and neither can a download."""

from django.db import migrations

TABLES = ["incidents_attachment", "incidents_attachmentdownload"]

FORWARD = "\n".join(
    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION mamori_refuse_change();"
    for table in TABLES
)
REVERSE = "\n".join(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in TABLES)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0009_attachments_and_intake_autosave")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]

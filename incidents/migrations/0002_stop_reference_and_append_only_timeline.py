"""A sequence for the built-in core-banking adapter's references, and a database guard that
makes the case timeline append-only: the application cannot edit or delete an event.

TRUNCATE is left to the table's owner: the test suite's flush needs it."""

from django.db import migrations

APPEND_ONLY = """
CREATE SEQUENCE IF NOT EXISTS incidents_stop_reference_seq;

CREATE OR REPLACE FUNCTION mamori_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER incidents_timelineevent_append_only
    BEFORE UPDATE OR DELETE ON incidents_timelineevent
    FOR EACH ROW EXECUTE FUNCTION mamori_refuse_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS incidents_timelineevent_append_only ON incidents_timelineevent;
DROP SEQUENCE IF EXISTS incidents_stop_reference_seq;
"""


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunSQL(APPEND_ONLY, REVERSE)]

"""Four eyes over a distribution's facts, enforced by the database too: a distribution is not
approved or returned by a supervisor who recorded a fact it rests on — the balance when frozen
(the freeze case's opener) or any application accepted or rejected — even when someone else
computed and submitted it (as migration 0011 does for a compensation decision and its
findings)."""

from django.db import migrations

GUARD = """
CREATE OR REPLACE FUNCTION compensation_distribution_reviewer_decided_no_application()
RETURNS trigger AS $$
BEGIN
    IF NEW.reviewed_by_id IS NOT NULL AND OLD.reviewed_by_id IS NULL AND (
        EXISTS (SELECT 1 FROM compensation_freezecase
                WHERE id = NEW.freeze_case_id AND opened_by_id = NEW.reviewed_by_id)
        OR EXISTS (SELECT 1 FROM compensation_remedyapplication
                   WHERE freeze_case_id = NEW.freeze_case_id
                   AND decided_by_id = NEW.reviewed_by_id)
    ) THEN
        RAISE EXCEPTION 'distribution %: the reviewer recorded facts of the freeze case, '
            'review refused', NEW.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER compensation_distribution_reviewer_decided_no_application
    BEFORE UPDATE ON compensation_distributiondecision
    FOR EACH ROW EXECUTE FUNCTION compensation_distribution_reviewer_decided_no_application();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS compensation_distribution_reviewer_decided_no_application
    ON compensation_distributiondecision;
DROP FUNCTION IF EXISTS compensation_distribution_reviewer_decided_no_application();
"""


class Migration(migrations.Migration):
    dependencies = [("compensation", "0011_reviewer_recorded_no_finding")]

    operations = [migrations.RunSQL(GUARD, UNGUARD)]

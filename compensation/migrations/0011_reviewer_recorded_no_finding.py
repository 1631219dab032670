"""Four eyes over the facts, enforced by the database too: a decision is not approved by a
supervisor who recorded any of the findings it rests on (the case's assessment, a confirmed
fault, a case-by-case rate), even when someone else prepared and submitted it."""

from django.db import migrations

GUARD = """
CREATE OR REPLACE FUNCTION compensation_decision_reviewer_recorded_no_finding() RETURNS trigger
AS $$
BEGIN
    IF NEW.status = 'approved' AND OLD.status = 'submitted' AND (
        EXISTS (SELECT 1 FROM compensation_caseassessment
                WHERE case_id = NEW.case_id AND updated_by_id = NEW.reviewed_by_id)
        OR EXISTS (SELECT 1 FROM compensation_itemfault
                   WHERE case_id = NEW.case_id AND confirmed_by_id = NEW.reviewed_by_id)
        OR EXISTS (SELECT 1 FROM compensation_casebycaserate
                   WHERE case_id = NEW.case_id AND set_by_id = NEW.reviewed_by_id)
    ) THEN
        RAISE EXCEPTION 'decision %: the reviewer recorded findings of the case, approval refused',
            NEW.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER compensation_decision_reviewer_recorded_no_finding
    BEFORE UPDATE ON compensation_decision
    FOR EACH ROW EXECUTE FUNCTION compensation_decision_reviewer_recorded_no_finding();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS compensation_decision_reviewer_recorded_no_finding ON compensation_decision;
DROP FUNCTION IF EXISTS compensation_decision_reviewer_recorded_no_finding();
"""


class Migration(migrations.Migration):
    dependencies = [("compensation", "0010_freeze_requested_through_the_core")]

    operations = [migrations.RunSQL(GUARD, UNGUARD)]

"""Four eyes over the findings, not only the button (enforced by the database too):

* while a decision awaits review, the case's findings (the assessment, the confirmed faults, the
  case-by-case rates) can be neither written nor removed: the preparer's change first withdraws
  the pending decision in the same transaction;
* an approval whose findings' version is not the one recorded at submission is refused;
* a withdrawn decision, like an approved or returned one, is final.

Every policy version starts within the project's one date range.
"""

import datetime
from django.conf import settings
from django.db import migrations, models


GUARDS = """
CREATE OR REPLACE FUNCTION compensation_findings_frozen_under_review() RETURNS trigger AS $$
DECLARE
    the_case bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        the_case := OLD.case_id;
    ELSE
        the_case := NEW.case_id;
    END IF;
    IF EXISTS (
        SELECT 1 FROM compensation_decision WHERE case_id = the_case AND status = 'submitted'
    ) THEN
        RAISE EXCEPTION 'findings of case % are under review: % on % refused', the_case, TG_OP,
            TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER compensation_caseassessment_frozen_under_review
    BEFORE INSERT OR UPDATE OR DELETE ON compensation_caseassessment
    FOR EACH ROW EXECUTE FUNCTION compensation_findings_frozen_under_review();
CREATE TRIGGER compensation_itemfault_frozen_under_review
    BEFORE INSERT OR UPDATE OR DELETE ON compensation_itemfault
    FOR EACH ROW EXECUTE FUNCTION compensation_findings_frozen_under_review();
CREATE TRIGGER compensation_casebycaserate_frozen_under_review
    BEFORE INSERT OR UPDATE OR DELETE ON compensation_casebycaserate
    FOR EACH ROW EXECUTE FUNCTION compensation_findings_frozen_under_review();

CREATE OR REPLACE FUNCTION compensation_decision_approves_what_was_submitted() RETURNS trigger AS $$
BEGIN
    IF NEW.status = 'approved' AND OLD.status = 'submitted' AND NEW.findings_version <> COALESCE(
        (SELECT version FROM compensation_caseassessment WHERE case_id = NEW.case_id), 0
    ) THEN
        RAISE EXCEPTION 'decision %: the findings changed after submission, approval refused',
            NEW.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER compensation_decision_approves_submitted
    BEFORE UPDATE ON compensation_decision
    FOR EACH ROW EXECUTE FUNCTION compensation_decision_approves_what_was_submitted();

CREATE OR REPLACE FUNCTION compensation_decision_is_final() RETURNS trigger AS $$
BEGIN
    IF OLD.status IN ('approved', 'returned', 'withdrawn') THEN
        RAISE EXCEPTION 'compensation decision % is % and cannot be changed: % refused',
            OLD.id, OLD.status, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- Decisions already awaiting review were submitted on the findings as they stand.
UPDATE compensation_decision d SET findings_version = COALESCE(
    (SELECT version FROM compensation_caseassessment a WHERE a.case_id = d.case_id), 0
) WHERE status = 'submitted';
"""

REVERSE_GUARDS = """
DROP TRIGGER IF EXISTS compensation_decision_approves_submitted ON compensation_decision;
DROP FUNCTION IF EXISTS compensation_decision_approves_what_was_submitted();
DROP TRIGGER IF EXISTS compensation_casebycaserate_frozen_under_review ON compensation_casebycaserate;
DROP TRIGGER IF EXISTS compensation_itemfault_frozen_under_review ON compensation_itemfault;
DROP TRIGGER IF EXISTS compensation_caseassessment_frozen_under_review ON compensation_caseassessment;
DROP FUNCTION IF EXISTS compensation_findings_frozen_under_review();
CREATE OR REPLACE FUNCTION compensation_decision_is_final() RETURNS trigger AS $$
BEGIN
    IF OLD.status IN ('approved', 'returned') THEN
        RAISE EXCEPTION 'compensation decision % is % and cannot be changed: % refused',
            OLD.id, OLD.status, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('compensation', '0003_statistics_indexes_and_dashboard'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='decision',
            name='findings_version',
            field=models.PositiveIntegerField(db_default=0, default=0, verbose_name='審査依頼時の事実認定の版'),
        ),
        migrations.AddField(
            model_name='decision',
            name='submitted_fingerprint',
            field=models.CharField(blank=True, db_default='', default='', max_length=64, verbose_name='審査依頼時の内容の指紋'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='status',
            field=models.CharField(choices=[('submitted', '審査中'), ('returned', '差戻し'), ('approved', '承認済'), ('withdrawn', '取下げ')], default='submitted', max_length=12, verbose_name='状態'),
        ),
        migrations.AddConstraint(
            model_name='policyversion',
            constraint=models.CheckConstraint(condition=models.Q(('valid_from__gte', datetime.date(1900, 1, 1)), ('valid_from__lte', datetime.date(2999, 12, 31))), name='policyversion_valid_from_in_range'),
        ),
        migrations.RunSQL(GUARDS, REVERSE_GUARDS),
    ]

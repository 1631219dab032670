"""The default policy parameters (docs/domain.md §4.2, docs/assessment-contract.md §4) and two
database guards: an approved or returned decision can be neither updated nor deleted, and a policy
version that an approved decision used can be neither updated nor deleted.

TRUNCATE is left to the table's owner: the test suite's flush needs it."""

import dataclasses
import datetime

from django.db import migrations

from compensation.rules import Policy
from compensation.rules.vocab import ACT_IN_FORCE_ON, DEFAULT_POLICY_NOTE

GUARDS = """
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

CREATE TRIGGER compensation_decision_final
    BEFORE UPDATE OR DELETE ON compensation_decision
    FOR EACH ROW EXECUTE FUNCTION compensation_decision_is_final();

CREATE OR REPLACE FUNCTION compensation_policy_is_frozen() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM compensation_decision
        WHERE policy_id = OLD.id AND status = 'approved'
    ) THEN
        RAISE EXCEPTION 'policy version % was used by an approved decision: % refused',
            OLD.id, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER compensation_policy_frozen
    BEFORE UPDATE OR DELETE ON compensation_policyversion
    FOR EACH ROW EXECUTE FUNCTION compensation_policy_is_frozen();
"""

REVERSE_GUARDS = """
DROP TRIGGER IF EXISTS compensation_policy_frozen ON compensation_policyversion;
DROP FUNCTION IF EXISTS compensation_policy_is_frozen();
DROP TRIGGER IF EXISTS compensation_decision_final ON compensation_decision;
DROP FUNCTION IF EXISTS compensation_decision_is_final();
"""

# The Depositor Protection Act came into force on 2006-02-10.
DEFAULT_VALID_FROM = ACT_IN_FORCE_ON


def seed_default_policy(apps, schema_editor):
    PolicyVersion = apps.get_model("compensation", "PolicyVersion")
    # The contract's defaults, as the rules engine holds them (written once); only the columns
    # the table has at this migration, so a parameter the engine gains later cannot break it.
    columns = {field.name for field in PolicyVersion._meta.concrete_fields}
    values = {k: v for k, v in dataclasses.asdict(Policy()).items() if k in columns}
    PolicyVersion.objects.get_or_create(
        valid_from=DEFAULT_VALID_FROM, defaults={**values, "note": DEFAULT_POLICY_NOTE}
    )


def remove_default_policy(apps, schema_editor):
    PolicyVersion = apps.get_model("compensation", "PolicyVersion")
    PolicyVersion.objects.filter(valid_from=DEFAULT_VALID_FROM, decisions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("compensation", "0001_initial")]

    operations = [
        migrations.RunSQL(GUARDS, REVERSE_GUARDS),
        migrations.RunPython(seed_default_policy, remove_default_policy),
    ]

# The statistics trigger serialises the writers of one case on the case's row
# (SELECT … FOR NO KEY UPDATE) instead of a transaction-level advisory lock per case. An advisory
# lock takes an entry in the server's shared lock table until the transaction ends: a
# transaction touching more cases than the table holds (64 × connections: a bulk repair, the
# bench's seeding of 250,000 cases) failed with "out of shared memory", and so did the queries of
# every other session that needed a lock at that moment. A row lock is kept on the row itself.
# NO KEY UPDATE, like the UPDATE the guarded path makes, does not wait for the KEY SHARE locks that
# inserting a row which refers to the case takes (an access-log line, a timeline line).

import importlib

from django.db import migrations

_0007 = importlib.import_module("compensation.migrations.0007_case_statistics")
START = "CREATE FUNCTION compensation_statistics_follow()"
END = "$$ LANGUAGE plpgsql;"
_begin = _0007.RULES.index(START)
OLD_FOLLOW = _0007.RULES[_begin : _0007.RULES.index(END, _begin) + len(END)].replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"
)
ADVISORY = """        -- 1667: this trigger's class of advisory locks; the case id is the key.
        PERFORM pg_advisory_xact_lock(1667, (one % 2147483647)::integer);"""
ROW_LOCK = """        -- The case's row (gone when the case itself is being deleted: nothing to wait for).
        PERFORM 1 FROM incidents_case WHERE id = one FOR NO KEY UPDATE;"""
assert OLD_FOLLOW.count(ADVISORY) == 1
NEW_FOLLOW = OLD_FOLLOW.replace(ADVISORY, ROW_LOCK)


class Migration(migrations.Migration):
    dependencies = [
        ("compensation", "0008_dashboard_age_bands"),
    ]

    operations = [
        migrations.RunSQL(NEW_FOLLOW, OLD_FOLLOW),
    ]

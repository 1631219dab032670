# The dashboard's snapshot also keeps the cases and amounts by the customer's age band per month
# (docs/domain.md §7.6), from the rows the statistics keep (0007), so that the dashboard reads them
# with its other figures instead of aggregating a year of cases on every look.

import importlib

from django.db import migrations

_0003 = importlib.import_module("compensation.migrations.0003_statistics_indexes_and_dashboard")
OLD_VIEW = _0003.DASHBOARD_VIEW
DROP_VIEW = _0003.DROP_DASHBOARD_VIEW
END_OF_FIGURES = "\n)\nSELECT figure || ':'"
AGE_BANDS = """
  UNION ALL
    -- Counted cases per month of notification by the customer's age band on that day, and what
    -- their transactions took (compensation_statisticscase, kept by triggers).
    SELECT 'age_band', s.branch_id,
           date_trunc('month', s.notified_at AT TIME ZONE 'Asia/Tokyo')::date, s.age_band,
           count(*), COALESCE(sum(s.amount), 0)::bigint, NULL
    FROM compensation_statisticscase s
    WHERE s.notified_at >= (SELECT since FROM window_start)
    GROUP BY GROUPING SETS ((s.branch_id, 3, 4), (3, 4))"""
assert OLD_VIEW.count(END_OF_FIGURES) == 1
NEW_VIEW = OLD_VIEW.replace(END_OF_FIGURES, AGE_BANDS + END_OF_FIGURES)


class Migration(migrations.Migration):
    dependencies = [
        ("compensation", "0007_case_statistics"),
    ]

    operations = [
        migrations.RunSQL(DROP_VIEW + NEW_VIEW, DROP_VIEW + OLD_VIEW),
    ]

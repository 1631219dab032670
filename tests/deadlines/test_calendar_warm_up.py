"""A server process loads the holiday tables before its first request, not during it."""

import subprocess
import sys

from tests import workers
from tests.servers import ROOT, app_environment

PROBE = """
import sys
import config.wsgi
from incidents.deadlines.calendar import _public_and_bank_holidays
print("holidays.countries" in sys.modules, _public_and_bank_holidays.cache_info().currsize)
"""


def test_the_wsgi_application_has_loaded_the_holidays_before_its_first_request():
    env = app_environment(workers.test_database_url())
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    loaded, years = result.stdout.split()
    assert loaded == "True" and int(years) == 3


def test_the_warm_up_fills_last_this_and_next_year():
    from django.utils import timezone

    from incidents.deadlines.calendar import _public_and_bank_holidays, calendar_warm_up

    _public_and_bank_holidays.cache_clear()
    calendar_warm_up()
    year = timezone.localdate().year
    assert _public_and_bank_holidays.cache_info().currsize == 3
    # New Year's Day of each year is among the tables now held.
    for each in (year - 1, year, year + 1):
        assert f"{each}-01-01" in {d.isoformat() for d in _public_and_bank_holidays(each)}
    assert _public_and_bank_holidays.cache_info().misses == 3

"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

# Before the first request, not in it: the holiday library's first use costs seconds.
from incidents.deadlines.calendar import calendar_warm_up  # noqa: E402

calendar_warm_up()

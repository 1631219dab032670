"""The Celery application, configured from Django settings under the CELERY_ namespace."""

import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("mamori")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
@worker_ready.connect
def _warm_up(**_kwargs) -> None:
    # The first scan or submit must not pay the holiday library's import (seconds); with the solo
    # pool only worker_ready fires, with prefork each child's worker_process_init does.
    from incidents.deadlines.calendar import calendar_warm_up

    calendar_warm_up()

"""The floor the queue is measured against: one indexed query for the same rows, a trivial template.

Mounted only by bench/bench_queue.py (bench.urls), never by the project.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path
from django.utils import timezone

from accounts.http import AuthedRequest
from incidents.models.choices import OPEN_STATUSES
from incidents.models.search import normalize

TEMPLATE = engines["django"].from_string(
    "<table>{% for number, status, name, kana, at in rows %}"
    "<tr><td>{{ number }}</td><td>{{ status }}</td><td>{{ name }}</td><td>{{ kana }}</td>"
    "<td>{{ at }}</td></tr>{% endfor %}</table>"
)
OWED = ("open", "overdue", "escalated")


@login_required
def floor(request: AuthedRequest) -> HttpResponse:
    """The queue's rows for the user's branch by one hand-written SQL statement."""
    where = ["c.branch_id = %s", "c.status = ANY(%s)"]
    params: list = [request.user.branch_id, list(OPEN_STATUSES)]
    if request.GET.get("q"):
        where.append("c.search_text LIKE %s")
        params.append("%" + normalize(request.GET["q"]) + "%")
    if request.GET.get("kind"):
        where.append(
            "EXISTS (SELECT 1 FROM incidents_reporteditem i WHERE i.case_id = c.id AND i.kind = %s)"
        )
        params.append(request.GET["kind"])
    if request.GET.get("due"):
        now = timezone.now()
        where.append(
            "EXISTS (SELECT 1 FROM incidents_deadline d WHERE d.case_id = c.id"
            " AND d.state = ANY(%s) AND d.due_at >= %s AND d.due_at <= %s)"
        )
        params += [list(OWED), now, now + timedelta(days=int(request.GET["due"]))]
    sql = (
        "SELECT c.number, c.status, c.customer_name, c.customer_name_kana, c.notified_at"
        " FROM incidents_case c WHERE "
        + " AND ".join(where)
        + " ORDER BY c.notified_at DESC, c.id DESC LIMIT 51"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()[:50]
    return HttpResponse(TEMPLATE.render({"rows": rows}))


urlpatterns = [path("bench/floor/", floor), path("", include("config.urls"))]

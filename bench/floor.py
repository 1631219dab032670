"""The floors the pages are measured against: one query for the same rows, a trivial template.

``floor`` is the queue's (bench/bench_queue.py), ``case_floor`` the case page's
(bench/bench_case.py). Mounted only by the bench scripts (ROOT_URLCONF = "bench.floor"), never by
the project.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import include, path
from django.utils import timezone

from accounts.http import AuthedRequest
from incidents.deadlines.selectors import deadline_owed_next
from incidents.models import Case
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


CASE_TEMPLATE = engines["django"].from_string(
    "<h1>{{ case.0 }} {{ case.1 }}</h1><p>{{ case.2 }} {{ case.3 }}</p>"
    "<table>{% for kind, state, at, channel, amount in rows %}<tr><td>{{ kind }}</td>"
    "<td>{{ state }}</td><td>{{ at }}</td><td>{{ channel }}</td><td>{{ amount }}</td></tr>"
    "{% endfor %}</table>"
)


@login_required
def case_floor(request: AuthedRequest, pk: int) -> HttpResponse:
    """A case of the user's branch and its items' transactions by one hand-written SQL statement."""
    sql = (
        "SELECT c.number, c.status, c.customer_name, c.customer_name_kana,"
        " i.kind, i.state, t.occurred_at, t.channel, t.amount"
        " FROM incidents_case c"
        " LEFT JOIN incidents_reporteditem i ON i.case_id = c.id"
        " LEFT JOIN incidents_unauthorizedtransaction t ON t.item_id = i.id"
        " WHERE c.id = %s AND c.branch_id = %s ORDER BY i.position, t.occurred_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk, request.user.branch_id])
        rows = cursor.fetchall()
    if not rows:
        return HttpResponse(status=404)
    context = {"case": rows[0][:4], "rows": [row[4:] for row in rows]}
    return HttpResponse(CASE_TEMPLATE.render(context))


# Reference points between the floor and the case page (printed by bench/bench_case.py, not
# targets): what the middleware stack alone costs, what the layout every page shares costs, and
# what the header that stays and the tab bar cost on it (the case read the ORM way, the deadline
# owed next), with no tab rendered.
LAYOUT_TEMPLATE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<h1>{{ number }}</h1>{% endblock %}'
)
HEADER_TEMPLATE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}{% include "incidents/_case_header.html" %}'
    '{% include "incidents/_case_tabs.html" with on_detail=True %}{% endblock %}'
)


@transaction.non_atomic_requests
@login_required
def case_layout(request: AuthedRequest, pk: int) -> HttpResponse:
    """The case's number in the shared layout (base.html with its context processors)."""
    case = get_object_or_404(Case.objects.restrict(request.user).only("number"), pk=pk)
    return HttpResponse(LAYOUT_TEMPLATE.render({"number": case.number}, request))


@transaction.non_atomic_requests
@login_required
def case_header(request: AuthedRequest, pk: int) -> HttpResponse:
    """The case page's header and tab bar in the shared layout, and nothing under them."""
    case = get_object_or_404(
        Case.objects.restrict(request.user).select_related("branch", "assigned_to"), pk=pk
    )
    context = {"case": case, "owed_next": deadline_owed_next(case=case), "active_tab": "report"}
    return HttpResponse(HEADER_TEMPLATE.render(context, request))


@transaction.non_atomic_requests
@login_required
def stack(request: AuthedRequest, pk: int) -> HttpResponse:
    """Nothing but the middleware stack and the login every page passes through: no query of its
    own, no template."""
    return HttpResponse(str(pk))


urlpatterns = [
    path("bench/floor/", floor),
    path("bench/case-stack/<int:pk>/", stack),
    path("bench/case-floor/<int:pk>/", case_floor),
    path("bench/case-layout/<int:pk>/", case_layout),
    path("bench/case-header/<int:pk>/", case_header),
    path("", include("config.urls")),
]

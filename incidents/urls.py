"""Case desk URLs, grouped by the page package that answers them."""

from django.urls import path

from incidents.audit import views as audit
from incidents.casepage import attachments, detail, documents, followups, merge, receipt, remedy
from incidents.desk import home, monitoring, queue
from incidents.desk import search as case_search
from incidents.intake import views as intake
from incidents.intake import withdrawal
from incidents.links import views as links

app_name = "incidents"

urlpatterns = [
    # The desk: each role's start page, the queue, the monitoring center.
    path("", home.home, name="home"),
    path("queue/", queue.queue, name="queue"),
    path("search/", case_search.case_search_view, name="case_search"),
    path("queue/assign/", queue.queue_assign, name="queue_assign"),
    path("cases/<int:pk>/assign/", queue.case_assign, name="case_assign"),
    path("cases/<int:pk>/claim/", queue.case_claim, name="case_claim"),
    path("cases/<int:pk>/pickup/", queue.case_pickup, name="case_pickup"),
    path("monitoring/", monitoring.console, name="monitoring_console"),
    path("monitoring/calls/new/", monitoring.call_new, name="monitoring_call_new"),
    path("cases/<int:pk>/stops/", monitoring.case_stops, name="case_stops"),
    # The guided intake, and the corrections of a submitted case with its forms.
    path("cases/new/", intake.case_new, name="case_new"),
    path("cases/new/autosave/", intake.intake_autosave, name="case_new_autosave"),
    path("cases/<int:pk>/intake/<slug:step>/", intake.intake_step, name="intake_step"),
    path(
        "cases/<int:pk>/intake/<slug:step>/autosave/",
        intake.intake_autosave,
        name="intake_autosave",
    ),
    path("cases/<int:pk>/correct/<slug:section>/", intake.case_correct, name="case_correct"),
    path("cases/<int:pk>/submit/", intake.case_submit_view, name="case_submit"),
    path("cases/<int:pk>/discard/", withdrawal.case_discard, name="case_discard"),
    path("cases/<int:pk>/withdrawal/", withdrawal.case_withdrawal, name="case_withdrawal"),
    path(
        "cases/<int:pk>/withdrawal/<int:withdrawal_pk>/decide/",
        withdrawal.withdrawal_decide,
        name="withdrawal_decide",
    ),
    # The case page.
    path("cases/<int:pk>/", detail.case_detail, name="case_detail"),
    path("cases/<int:pk>/compensation/", detail.case_compensation, name="case_compensation"),
    path("cases/<int:pk>/documents/", documents.case_documents, name="case_documents"),
    path("cases/<int:pk>/timeline/", detail.case_timeline, name="case_timeline"),
    path("cases/<int:pk>/history/", detail.case_history_page, name="case_history"),
    path("cases/<int:pk>/receipt/", receipt.case_receipt, name="case_receipt"),
    path(
        "cases/<int:pk>/receipt/printed/",
        receipt.case_receipt_printed,
        name="case_receipt_print",
    ),
    path("cases/<int:pk>/police/", followups.case_record_police, name="case_record_police"),
    path(
        "cases/<int:pk>/deadlines/<int:deadline_pk>/meet/",
        followups.deadline_meet_view,
        name="deadline_meet",
    ),
    path(
        "cases/<int:pk>/transactions/<int:tx_pk>/recovery/",
        followups.transaction_recovery,
        name="transaction_recovery",
    ),
    path("cases/<int:pk>/freeze/", remedy.case_freeze_requests, name="case_freeze_requests"),
    path(
        "cases/<int:pk>/attachments/",
        attachments.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "cases/<int:pk>/attachments/<int:attachment_pk>/",
        attachments.attachment_download,
        name="attachment_download",
    ),
    path(
        "cases/<int:pk>/attachments/<int:attachment_pk>/withdraw/",
        attachments.attachment_withdraw,
        name="attachment_withdraw",
    ),
    # Duplicate reports merged into this case (issue 13).
    path("cases/<int:pk>/merge/", merge.case_merge, name="case_merge"),
    path(
        "cases/<int:pk>/merge/<int:merge_pk>/undo/",
        merge.case_merge_undo,
        name="case_merge_undo",
    ),
    # Compliance and oversight: the access log, links between cases.
    path("audit/access/", audit.access_log, name="access_log"),
    path("links/accounts/", links.receiving_accounts, name="link_accounts"),
    path("links/atms/", links.skimming_points, name="link_atms"),
]

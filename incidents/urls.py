"""Case desk URLs."""

from django.urls import path

from incidents import views, views_attachments, views_links, views_monitoring, views_queue

app_name = "incidents"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/new/autosave/", views.intake_autosave, name="case_new_autosave"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/intake/<slug:step>/", views.intake_step, name="intake_step"),
    path(
        "cases/<int:pk>/intake/<slug:step>/autosave/",
        views.intake_autosave,
        name="intake_autosave",
    ),
    path("cases/<int:pk>/correct/<slug:section>/", views.case_correct, name="case_correct"),
    path("cases/<int:pk>/submit/", views.case_submit_view, name="case_submit"),
    path(
        "cases/<int:pk>/attachments/",
        views_attachments.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "cases/<int:pk>/attachments/<int:attachment_pk>/",
        views_attachments.attachment_download,
        name="attachment_download",
    ),
    path(
        "cases/<int:pk>/attachments/<int:attachment_pk>/withdraw/",
        views_attachments.attachment_withdraw,
        name="attachment_withdraw",
    ),
    path("cases/<int:pk>/discard/", views.case_discard, name="case_discard"),
    path("cases/<int:pk>/receipt/", views.case_receipt, name="case_receipt"),
    path("cases/<int:pk>/receipt/printed/", views.case_receipt_printed, name="case_receipt_print"),
    path("cases/<int:pk>/police/", views.case_record_police, name="case_record_police"),
    path(
        "cases/<int:pk>/deadlines/<int:deadline_pk>/meet/",
        views.deadline_meet_view,
        name="deadline_meet",
    ),
    path(
        "cases/<int:pk>/transactions/<int:tx_pk>/recovery/",
        views.transaction_recovery,
        name="transaction_recovery",
    ),
    path("cases/<int:pk>/assign/", views_queue.case_assign, name="case_assign"),
    path("cases/<int:pk>/claim/", views_queue.case_claim, name="case_claim"),
    path("cases/<int:pk>/pickup/", views_queue.case_pickup, name="case_pickup"),
    path("cases/<int:pk>/stops/", views_monitoring.case_stops, name="case_stops"),
    path("queue/", views_queue.queue, name="queue"),
    path("queue/assign/", views_queue.queue_assign, name="queue_assign"),
    path("monitoring/", views_monitoring.console, name="monitoring_console"),
    path("monitoring/calls/new/", views_monitoring.call_new, name="monitoring_call_new"),
    path("audit/access/", views_queue.access_log, name="access_log"),
    path("links/accounts/", views_links.receiving_accounts, name="link_accounts"),
    path("links/atms/", views_links.skimming_points, name="link_atms"),
]

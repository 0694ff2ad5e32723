"""URLs of the ballots app, under /vote/."""

from django.urls import path

from omov.ballots import views

app_name = "ballots"
urlpatterns = [
    path("", views.booth_start, name="start"),
    path("ballot/", views.booth_ballot, name="ballot"),
    path("confirm/", views.booth_confirm, name="confirm"),
    path("leave/", views.booth_leave, name="leave"),
    path("office/<slug:slug>/", views.office, name="office"),
    path("office/<slug:slug>/open/", views.office_open, name="open"),
    path("office/<slug:slug>/reissue/", views.office_reissue, name="reissue"),
    path("office/<slug:slug>/resend/", views.office_resend, name="resend"),
    path("office/<slug:slug>/send/", views.office_send, name="send"),
    path("office/<slug:slug>/remind/", views.office_remind, name="remind"),
    path(
        "office/<slug:slug>/sample-letter.pdf",
        views.office_preview_letter,
        name="preview_letter",
    ),
    path("paper/<slug:slug>/", views.paper_key, name="paper_key"),
    path("paper/<slug:slug>/reject/", views.paper_reject, name="paper_reject"),
    path("paper/<slug:slug>/batches/", views.postal_batches, name="postal_batches"),
    path(
        "paper/<slug:slug>/batches/<int:number>/",
        views.postal_declarations,
        name="postal_declarations",
    ),
    path("paper/<slug:slug>/supervisor/", views.paper_mismatches, name="paper_mismatches"),
    path(
        "paper/<slug:slug>/supervisor/batch/<int:number>/",
        views.postal_reconcile,
        name="postal_reconcile",
    ),
    path(
        "paper/<slug:slug>/supervisor/<int:batch>/<int:paper>/",
        views.paper_resolve,
        name="paper_resolve",
    ),
    path("receipts/<slug:slug>/", views.receipts, name="receipts"),
    path("trackers/<slug:slug>/", views.trackers, name="trackers"),
    path("receipts/<slug:slug>.txt", views.receipts_text, name="receipts_text"),
]

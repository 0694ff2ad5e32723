"""URLs of nominations and registered-supporter sign-up, all under a contest's slug."""

from django.urls import path

from omov.nominations import views

app_name = "nominations"
urlpatterns = [
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/validate/", views.validate, name="validate"),
    path("<slug:slug>/rules/", views.rules, name="rules"),
    path("<slug:slug>/candidates/<int:candidate_id>/", views.candidate_detail, name="candidate"),
    path(
        "<slug:slug>/candidates/<int:candidate_id>/consent/",
        views.candidate_consent,
        name="candidate_consent",
    ),
    path(
        "<slug:slug>/candidates/<int:candidate_id>/withdraw/",
        views.candidate_withdraw,
        name="candidate_withdraw",
    ),
    path("<slug:slug>/branches/", views.meeting_list, name="meetings"),
    path("<slug:slug>/branches/<str:code>/", views.meeting_detail, name="meeting"),
    path("<slug:slug>/branches/<str:code>/record/", views.meeting_record, name="meeting_record"),
    path("<slug:slug>/parliamentary/", views.parliamentary, name="parliamentary"),
    path(
        "<slug:slug>/parliamentary/<int:nomination_id>/withdraw/",
        views.parliamentary_withdraw,
        name="parliamentary_withdraw",
    ),
    path("<slug:slug>/affiliates/", views.affiliates, name="affiliates"),
    path("<slug:slug>/signatures/", views.signatures, name="signatures"),
    path(
        "<slug:slug>/affiliates/<int:nomination_id>/withdraw/",
        views.affiliate_withdraw,
        name="affiliate_withdraw",
    ),
    path("<slug:slug>/register/", views.supporter_signup, name="supporter_signup"),
    path("<slug:slug>/register/thanks/", views.supporter_thanks, name="supporter_thanks"),
    path("<slug:slug>/supporters/", views.supporter_queue, name="supporter_queue"),
    path(
        "<slug:slug>/supporters/approve-clean/",
        views.supporter_bulk_approve,
        name="supporter_bulk_approve",
    ),
    path(
        "<slug:slug>/supporters/<int:application_id>/",
        views.supporter_application,
        name="supporter_application",
    ),
]

"""URLs of the campaigns: the office's overview, each campaign's pages, the caller's screen."""

from django.urls import path

from omov.campaigns import event_views, views

app_name = "campaigns"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("contest/<slug:slug>/", views.office, name="office"),
    path("<int:campaign_id>/", views.home, name="home"),
    path("<int:campaign_id>/dashboard/", views.dashboard, name="dashboard"),
    path("<int:campaign_id>/forecast/", views.forecast, name="forecast"),
    path("<int:campaign_id>/phone-bank/", views.phone_bank, name="phone_bank"),
    path("<int:campaign_id>/lists/<int:list_id>/call/", views.call, name="call"),
    path("<int:campaign_id>/volunteer/", views.volunteer_sign_up, name="volunteer"),
    path("<int:campaign_id>/volunteer/thanks/", views.volunteer_thanks, name="volunteer_thanks"),
    path("<int:campaign_id>/volunteers/", views.volunteer_queue, name="volunteers"),
    path("<int:campaign_id>/events/", event_views.event_list, name="events"),
    path("<int:campaign_id>/events/<int:event_id>/", event_views.event_detail, name="event"),
    path(
        "<int:campaign_id>/events/<int:event_id>/check-in/",
        event_views.event_check_in,
        name="event_check_in",
    ),
    path("<int:campaign_id>/events/<int:event_id>/rsvp/", event_views.rsvp, name="rsvp"),
    path(
        "<int:campaign_id>/events/<int:event_id>/rsvp/sent/",
        event_views.rsvp_sent,
        name="rsvp_sent",
    ),
    path("rsvp/cancel/<str:token>/", event_views.rsvp_cancel, name="rsvp_cancel"),
    path("<int:campaign_id>/events.ics", event_views.event_feed, name="event_feed"),
]

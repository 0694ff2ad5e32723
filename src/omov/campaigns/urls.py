"""URLs of the campaigns: the office's overview, each campaign's pages, the caller's screen."""

from django.urls import path

from omov.campaigns import views

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
]

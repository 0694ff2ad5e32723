"""URLs of contests: list, detail with lifecycle, and the audit trail."""

from django.urls import path

from omov.contests import views

app_name = "contests"
urlpatterns = [
    path("", views.contest_list, name="list"),
    path("<slug:slug>/", views.contest_detail, name="detail"),
    path("<slug:slug>/step/<str:step>/", views.contest_step, name="step"),
    path("<slug:slug>/audit/", views.contest_audit, name="audit"),
]

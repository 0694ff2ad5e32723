"""URLs of background jobs."""

from django.urls import path

from omov.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/", views.job_detail, name="detail"),
]

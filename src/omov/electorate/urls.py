"""URLs of the electorate app."""

from django.urls import path  # noqa: F401

app_name = "electorate"
urlpatterns: list = []

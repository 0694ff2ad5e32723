"""URLs of the election record and the trustees' pages."""

from django.urls import path

from omov.trustees import views

app_name = "trustees"

urlpatterns = [
    path("<slug:slug>/", views.record_public, name="record"),
    path("<slug:slug>/record.<str:archive>", views.record_download, name="download"),
    path("<slug:slug>/entries/<int:index>/", views.record_entry, name="entry"),
    path("<slug:slug>/office/", views.record_office, name="office"),
    path("<slug:slug>/trustee/", views.trustee_page, name="trustee"),
]

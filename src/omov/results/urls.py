"""URLs of the results app: the declaration, its exports, the count and turnout pages."""

from django.urls import path

from omov.results import views

app_name = "results"
urlpatterns = [
    path("<slug:slug>/", views.declaration, name="declaration"),
    path("<slug:slug>/results.json", views.declaration_json, name="json"),
    path("<slug:slug>/rounds.csv", views.declaration_csv, name="csv"),
    path("<slug:slug>/ballots.blt", views.declaration_blt, name="blt"),
    path("<slug:slug>/declaration.pdf", views.declaration_pdf, name="pdf"),
    path("<slug:slug>/count/", views.count, name="count"),
    path("<slug:slug>/declare/", views.declare, name="declare"),
    path("<slug:slug>/turnout/", views.turnout, name="turnout"),
]

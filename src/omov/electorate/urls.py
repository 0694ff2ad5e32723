"""URLs of the electorate app: the roll, a person's decision, import, evaluation and rules."""

from django.urls import path

from omov.electorate import views

app_name = "electorate"
urlpatterns = [
    path("<slug:slug>/", views.roll, name="roll"),
    path("<slug:slug>/people/<int:pk>/", views.person_detail, name="person"),
    path("<slug:slug>/people/<int:pk>/override/", views.person_override, name="override"),
    path("<slug:slug>/import/", views.roll_import, name="import"),
    path("<slug:slug>/evaluate/", views.roll_evaluate, name="evaluate"),
    path("<slug:slug>/rules/", views.rules_edit, name="rules"),
    path("<slug:slug>/rules/preview/", views.rules_preview, name="rules_preview"),
    path("<slug:slug>/rules/confirm/", views.rules_confirm, name="rules_confirm"),
]

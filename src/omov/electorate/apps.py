from django.apps import AppConfig


class ElectorateConfig(AppConfig):
    name = "omov.electorate"
    label = "electorate"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class NominationsConfig(AppConfig):
    name = "omov.nominations"
    label = "nominations"
    default_auto_field = "django.db.models.BigAutoField"

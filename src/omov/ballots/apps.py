from django.apps import AppConfig


class BallotsConfig(AppConfig):
    name = "omov.ballots"
    label = "ballots"
    default_auto_field = "django.db.models.BigAutoField"

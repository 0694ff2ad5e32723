from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "omov.campaigns"
    label = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "omov.jobs"
    label = "jobs"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Background jobs"

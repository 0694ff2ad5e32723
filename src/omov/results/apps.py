from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "omov.results"
    label = "results"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from omov.contests import lifecycle
        from omov.results import services

        lifecycle.register_step_service("count", services.result_count)
        lifecycle.register_step_service("declare", services.result_declare)

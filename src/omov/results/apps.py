from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "omov.results"
    label = "results"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from omov.contests import lifecycle, published
        from omov.results import selectors, services

        lifecycle.register_step_service("count", services.result_count)
        lifecycle.register_step_service("declare", services.result_declare)
        published.register_declared_figures(selectors.published_figures)
        from omov.contests import dashboard
        from omov.results import links

        dashboard.register_links(links.links)
        dashboard.register_public_links(links.public_links)

from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "omov.campaigns"
    label = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from omov.campaigns import links
        from omov.contests import dashboard

        dashboard.register_links(links.links)

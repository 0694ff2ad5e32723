from django.apps import AppConfig


class NominationsConfig(AppConfig):
    name = "omov.nominations"
    label = "nominations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Stop the roll being frozen until every candidate is decided and has consented."""
        from omov.contests import lifecycle
        from omov.nominations.services import freeze_roll_blockers

        lifecycle.register_blocker("freeze_roll", freeze_roll_blockers)
        from omov.contests import dashboard
        from omov.nominations import links

        dashboard.register_links(links.links)
        dashboard.register_public_links(links.public_links)
